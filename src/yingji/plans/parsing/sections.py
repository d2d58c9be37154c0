"""Headings: which lines read like one, and their canonical keys (总则 → general,
应急响应 → response ...)."""

from __future__ import annotations

import re

from yingji.plans.parsing.groups import _group_name
from yingji.plans.parsing.text import _compact, _fold, _words

# ----------------------------------------------------------------------------- headings

_SENTENCE_END = re.compile(r"[。;!?]")
_VERB_START = re.compile(
    r"^(?:负责|协助|配合|做好|及时|落实|确保|按照|由|向|当|发生|造成|同一|参与|涉及|一次|"
    r"对|在|将|把|经|如|若|凡|因)"
)
_NOT_HEADING_END = (",", "的", "者", "时", "、")


def _heading_like(text: str) -> bool:
    """A short line that reads like a heading rather than a sentence or a list item."""
    norm = _fold(text).strip()
    if not norm or len(norm) > 30 or _SENTENCE_END.search(norm):
        return False
    if norm.endswith(_NOT_HEADING_END) and not norm.endswith("目的"):
        return False
    if _VERB_START.match(norm):
        return False
    head, colon, tail = norm.partition(":")
    if colon:
        return not tail.strip() and bool(_classify(head))
    return True


def _strip_colon(text: str) -> str:
    return text.strip().rstrip(":：").strip()


_LABEL = re.compile(r"^(?:【(?P<a>[^】]{1,16})】|(?P<b>[^,;。:]{1,16}?)\s*[:。])\s*")


# Words a paragraph begins with, after a heading run into it: 「目的为切实做好……」.
_BODY_START = re.compile(
    r"^(?:为|根据|依据|按照|遵照|本|坚持|贯彻|遵循|在|对|由|当|凡|各|严格|加强|成立|设立|建立|组建|"
    r"实行|发生|出现|接到|接报|获悉|收到|如|若|以|经|全|有关|相关|凡是|一旦|事件|突发|领导小组|指挥部|(?:县|镇|乡|区|市|街道|学校|公司|医院|"
    r"集团|本校|本院|本镇|本县|本区|本公司)(?!级))"
)
_RUN_IN_BODY = re.compile(
    r"^(?P<head>.{2,30}?(?P<suffix>领导小组|指挥部|办公室|工作组|小组|专班|工作队))"
    r"(?=(?:副?组长|组员|成员|副?总指挥|副?指挥长|副?主任)\s*[:：]|(?P=suffix)|负责|主要职责|职责[:：])"
)


def _run_in_heading(text: str) -> tuple[str, str] | None:
    """A heading run into its paragraph: 「工作原则坚持……」 -> ("工作原则", "坚持……")."""
    norm = _fold(text)
    body = _RUN_IN_BODY.match(norm)
    if body and len(norm) > body.end("head") + 1:
        end = body.end("head")
        return text[:end].strip(), text[end:].strip()
    for end in range(min(16, len(norm) - 2), 1, -1):
        if re.search(r"[,;。:、()]", norm[:end]):
            continue
        if _classify_strict(norm[:end]) and _BODY_START.match(norm[end:]):
            return text[:end].strip(), text[end:].strip()
    return None


def _split_label(text: str, *, run_in: bool = True) -> tuple[str, str] | None:
    """「编制目的。为了……」 -> ("编制目的", "为了……"); 「工作原则坚持……」 too."""
    match = _LABEL.match(_fold(text))
    labelled: tuple[str, str] | None = None
    if match is not None:
        name = "a" if match.group("a") is not None else "b"
        label = text[match.start(name) : match.end(name)].strip()
        remainder = text[match.end() :].strip()
        labelled = (label, remainder) if label and remainder else None
        if labelled and (_classify_strict(label) or _group_name(_compact(label))):
            return labelled
    return (_run_in_heading(text) if run_in else None) or labelled


# ------------------------------------------------------------------------ canonical keys


# Checked in order: the first key with a word contained in the heading wins, so the
# specific words come before the generic ones they contain.
_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("supplementary", ("附则",)),
    (
        "management",
        _words(
            "预案管理 预案的管理 预案修订 预案修编 预案评估 预案演练 宣传培训 培训演练 "
            "培训和演练 培训与演练 宣传和培训 演练"
        ),
    ),
    ("general", ("总则",)),
    ("purpose", ("编制目的", "目的")),
    ("legal_basis", ("编制依据", "法律依据", "制定依据")),
    ("scope", ("适用范围", "适用对象")),
    ("principles", ("工作原则", "基本原则", "处置原则", "应急原则", "原则")),
    ("office", ("办公室", "办事机构", "日常工作机构")),
    (
        "organisation",
        _words(
            "组织指挥体系 应急组织机构 组织机构 组织体系 指挥体系 组织架构 组织领导 "
            "机构与职责 机构和职责 机构及职责"
        ),
    ),
    ("command", ("领导小组", "指挥部", "指挥机构", "领导机构", "指挥中心")),
    ("groups", ("专项工作组", "工作组", "工作小组", "专项小组", "应急小组")),
    ("reporting", ("信息报告", "信息报送", "信息上报", "信息发布", "报告程序")),
    ("recovery", ("后期处置", "善后处置", "善后", "恢复", "后期处理")),
    (
        "response",
        _words(
            "事件分级 分级标准 分类分级 分类与分级 分级响应 响应分级 响应级别 响应等级 "
            "应急响应 事件级别 级别划分 等级划分 应急结束 响应"
        ),
    ),
    ("warning", ("预防与预警", "监测预警", "监测与预警", "预警", "预防", "监测")),
    ("handling", ("处置措施", "应急处置", "处置程序", "现场处置", "处置", "救援")),
    ("support", ("保障措施", "应急保障", "保障")),
    ("legal_basis", ("依据",)),
    ("scope", ("范围",)),
)
# The grading of what the plan is about: 火灾分级, 事故等级, 险情级别 (not 预警级别).
_GRADED = re.compile(r"(?:事故|事件|火灾|灾害|灾情|险情|疫情|汛情|警情)的?(?:分级|等级|级别)")
# Stripped from an unnumbered line before it is compared with the words above.
_AFFIX_SUFFIXES = _words(
    "及其职责 及职责 和职责 与职责 的职责 主要职责 职责 及分工 组成 体系 机制 措施 程序 "
    "工作 规定 标准"
)
_AFFIX_PREFIXES = ("应急", "本预案", "突发事件")
# Keys whose sections are prose: their sub-headings are list items of that prose.
_TEXT_KEYS = ("purpose", "legal_basis", "scope", "principles")
_TOP_KEYS = frozenset(
    _words(
        "general organisation warning response handling recovery support reporting "
        "supplementary management"
    )
)
_ORG_KEYS = frozenset({"command", "office", "groups"})
# Sections where working groups are set up; elsewhere a group is only mentioned.
_DEFINING_KEYS = frozenset({"", "general", "organisation", "command", "office", "groups"})
# Sections whose levels are not response levels (预警级别 ...) or are only mentioned.
_NO_LEVEL_KEYS = frozenset(
    {"warning", "support", "management", "supplementary", "reporting", *_TEXT_KEYS}
)


def _strip_affixes(text: str) -> str:
    for suffix in _AFFIX_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
    for prefix in _AFFIX_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            text = text[len(prefix) :]
    return text


def _classify(heading: str) -> str:
    """The canonical key of a numbered heading: any keyword it contains."""
    clean = _compact(heading)
    if not clean:
        return ""
    if _group_name(clean):
        return "groups"
    for key, words in _KEYWORDS:
        if any(word in clean for word in words):
            return key
    if _GRADED.search(clean):
        return "response"
    return ""


def _classify_strict(heading: str) -> str:
    """The key of an unnumbered line, which must *be* a canonical heading."""
    clean = _compact(heading)
    if not clean or len(clean) > 24:
        return ""
    if _group_name(clean):
        return "groups"
    core = _strip_affixes(clean)
    for key, words in _KEYWORDS:
        if clean in words or core in words:
            return key
    if _GRADED.fullmatch(core):
        return "response"
    if core.endswith(("领导小组办公室", "指挥部办公室")):
        return "office"
    if core.endswith(("领导小组", "指挥部")):
        return "command"
    return ""


_CONTENT_KEYS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("scope", re.compile(r"^本预案适用于|^本预案适用")),
    ("purpose", re.compile(r"^为.*(?:制定本预案|特制定本|制定本办法)")),
    ("legal_basis", re.compile(r"^(?:依据|根据).*《")),
    ("principles", re.compile(r"^.{0,20}原则")),
    ("office", re.compile(r"下设办公室|办公室设在")),
    ("command", re.compile(r"(?:成立|设立|组建).{0,40}?(?:领导小组|指挥部)")),
    ("supplementary", re.compile(r"本预案由.{0,20}负责解释|自.{0,10}之日起(?:施行|实施)")),
)


def _classify_content(text: str) -> str:
    """The key of an article that carries no heading, from what it says."""
    norm = _fold(text).strip()
    for key, pattern in _CONTENT_KEYS:
        if pattern.search(norm):
            return key
    return ""
