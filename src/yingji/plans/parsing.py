"""Turn the plain text of a Chinese emergency plan (应急预案) into a structured draft.

Offices write their plans in Word with a handful of numbering conventions (一、 （一）
1. （1） 1.1 第一章 第一条 ...). The parser reads the text line by line:

1. Clean up: split into lines, drop blank lines, page numbers and a table of contents
   (目录, entries with dotted leaders and page numbers), and take the title.
2. Match each line against the numbering styles on a *folded* copy: full-width ASCII is
   mapped to half-width with NFKC, one character for one character, so a span found on
   the folded copy also slices the original line and Chinese text is returned as written.
   A numbered line is a heading when it is short and reads like one; otherwise it is a
   list item or a paragraph. An unnumbered line is a heading only when it is a canonical
   heading (总则, 应急响应 ...), the name of a working group, or a level in a level section.
3. Depth comes from the order in which numbering styles nest, as a reader infers an
   outline: a stack holds the styles on the path to the current heading.
4. Headings get a canonical key from a keyword table. Body lines feed small recognisers
   that keep some state between lines: working groups and their posts, the command body
   and its office, and response levels with their conditions.
5. Conditions become structured triggers (people_involved >= 30 ...) where the wording is
   clear; every condition line is also kept as a free-text judgement.

Nothing is guessed beyond the text: what is not recognised is reported as such.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ParsedPlan", "Section", "chinese_number", "parse_text"]


@dataclass
class Section:
    key: str  # canonical key, "" when not recognised
    heading: str  # the heading as written, without its number
    number: str  # the numbering token as written: "一、", "（二）", "1.1", "第三章"
    depth: int  # 1 = top level
    text: str = ""  # the section's own paragraphs, not its sub-sections'


@dataclass
class ParsedPlan:
    title: str
    sections: list[Section]
    unrecognised: list[str]
    structure: dict[str, Any]

    def report(self) -> dict[str, Any]:
        """What was recognised, ready for json.dumps."""
        groups = self.structure["groups"]
        levels = self.structure["levels"]
        return {
            "title": self.title,
            "sections": [
                {"key": s.key, "heading": s.heading, "number": s.number, "depth": s.depth}
                for s in self.sections
            ],
            "groups": [{"name": g["name"], "duties": g["duties"]} for g in groups],
            "levels": [
                {
                    "level": lv["level"],
                    "judgements": lv["judgements"],
                    "triggers": [dict(t) for t in lv["triggers"]],
                }
                for lv in levels
            ],
            "unrecognised": list(self.unrecognised),
            "counts": {
                "sections": len(self.sections),
                "groups": len(groups),
                "levels": len(levels),
            },
        }


# ----------------------------------------------------------------------------- folding

_FOLD_RANGES = ((0xFF01, 0xFF5E), (0xFE50, 0xFE6B), (0x2E80, 0x2FDF))
_SPACES = frozenset("\t\xa0\u2002\u2003\u2009\u200b\u3000")


def _fold_char(char: str) -> str:
    if char in _SPACES:
        return " "
    code = ord(char)
    if any(low <= code <= high for low, high in _FOLD_RANGES):
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) == 1:
            return folded
    return char


def _fold(text: str) -> str:
    """Full-width ASCII to half-width (NFKC), keeping one character for one character."""
    return "".join(_fold_char(char) for char in text)


def _compact(text: str) -> str:
    """The folded text without spaces and punctuation, for keyword matching."""
    return re.sub(r"[\W_]+", "", _fold(text))


# ----------------------------------------------------------------------- Chinese numbers

_CN_DIGITS = {char: value for value, char in enumerate("零一二三四五六七八九")}
_CN_DIGITS.update({"〇": 0, "两": 2})
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}


def chinese_number(text: str) -> int | None:
    """三十 -> 30, 一百零五 -> 105, 两千 -> 2000, 3万 -> 30000; None if not a number."""
    text = re.sub(r"\s+", "", _fold(text))
    if not text or len(text) > 18:
        return None  # nothing, or no count a plan would state
    if text.isascii() and text.isdigit():
        return int(text)
    if not any(char.isdigit() or char in _CN_DIGITS for char in text) and text[0] != "十":
        return None  # 万, 百: an order of magnitude, not a number
    if len(text) > 1 and all(char in _CN_DIGITS for char in text):  # 一〇五
        return int("".join(str(_CN_DIGITS[char]) for char in text))
    total = section = number = 0
    for char in text:
        if char.isascii() and char.isdigit():
            number = number * 10 + int(char)
        elif char in _CN_DIGITS:
            number = _CN_DIGITS[char]
        elif char in _CN_UNITS:
            section += (number or 1) * _CN_UNITS[char]
            number = 0
        elif char in _CN_BIG_UNITS:
            total = (total + section + number) * _CN_BIG_UNITS[char]
            section = number = 0
        else:
            return None
    return total + section + number


# ---------------------------------------------------------------------------- numbering

_CN_NUM = "[零〇一二三四五六七八九十百]+"
_NUMBERINGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("chapter", re.compile(rf"^第\s*(?:{_CN_NUM}|\d+)\s*章")),
    ("part", re.compile(rf"^第\s*(?:{_CN_NUM}|\d+)\s*节")),
    ("article", re.compile(rf"^第\s*(?:{_CN_NUM}|\d+)\s*条")),
    ("cn_dun", re.compile(rf"^{_CN_NUM}\s*[、.](?!\d)")),
    ("cn_paren", re.compile(rf"^\(\s*{_CN_NUM}\s*\)\s*[、.]?")),
    ("arabic_paren", re.compile(r"^\(\s*\d{1,3}\s*\)\s*[、.]?")),
    ("arabic_half", re.compile(r"^\d{1,3}\s*\)")),
    ("circled", re.compile(r"^[\u2460-\u2473]")),
    ("decimal", re.compile(r"^\d{1,2}(?:\s*\.\s*\d{1,2})+\s*\.?(?!\d)")),
    ("arabic", re.compile(r"^\d{1,3}\s*[.、](?!\d)")),
    ("dec1", re.compile(r"^\d{1,2}(?=\s+[\u4e00-\u9fff])")),
)
# A decimal number followed by one of these is a quantity: 「1.30人以上」 is item 1 about
# 30 people, not section 1.30.
_UNIT_CHARS = frozenset("人名户个次万亿元%倍吨")
_NUMBER_TRAIL = " \u3000、.．:："


@dataclass(frozen=True)
class _Numbered:
    style: str
    token: str  # the number as written
    rest: str  # the rest of the line as written


def _numbered(line: str) -> _Numbered | None:
    norm = _fold(line)
    for style, pattern in _NUMBERINGS:
        match = pattern.match(norm)
        if match is None:
            continue
        rest = line[match.end() :].strip().lstrip(_NUMBER_TRAIL).strip()
        if not rest:
            return None
        if style in ("decimal", "dec1") and rest[0] in _UNIT_CHARS:
            return _quantity_item(line, norm)
        if style == "decimal":
            style = "dec" + str(len(re.findall(r"\d+", match.group(0))))
        return _Numbered(style, line[: match.end()].strip(), rest)
    return None


def _quantity_item(line: str, norm: str) -> _Numbered | None:
    """「1.30人以上的」 is item 1 about 30 people, not section 1.30."""
    match = re.match(r"^(\d{1,3})\s*\.\s*(?=\d)", norm)
    if match is None:
        return None
    return _Numbered("arabic", line[: match.end()].strip(), line[match.end() :].strip())


def _strip_number(text: str) -> str:
    numbered = _numbered(text)
    return numbered.rest if numbered else text.strip()


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


def _split_label(text: str) -> tuple[str, str] | None:
    """「编制目的。为了……」 -> ("编制目的", "为了……")."""
    match = _LABEL.match(_fold(text))
    if match is None:
        return None
    name = "a" if match.group("a") is not None else "b"
    label = text[match.start(name) : match.end(name)].strip()
    remainder = text[match.end() :].strip()
    return (label, remainder) if label and remainder else None


# ------------------------------------------------------------------------ canonical keys


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


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


# ------------------------------------------------------------------------------- groups

_GROUP_GENERIC = frozenset(
    {"工作组", "工作小组", "专项工作组", "专项小组", "专项组", "应急小组", "应急工作组", "小组"}
)
# Words that make a phrase ending in 组 a sentence about groups rather than a group's name.
_GROUP_FORBIDDEN = _words(
    "若干 相关 有关 下列 下设 设立 成立 分设 分为 包括 以下 如下 各 个 等 的 组长 组员 成员 "
    "由 负责 其中 职责 名单"
)
_GROUP_SUFFIXES = ("及其职责", "及职责", "的职责", "主要职责", "职责")
_GROUP_AT_START = re.compile(
    r"^([\u4e00-\u9fff]{2,18}?组)(?:及其职责|及职责|职责)?"
    r"(?=$|[:。,;(\s、]|由|负责|牵头|组长|主要|职责|成员)"
)
_GROUP_CONTINUE = re.compile(
    r"^(?:副?组长|成员|组员|主要职责|工作职责|职责|主要任务|负责|牵头单位|配合单位)"
)
_GROUP_DEFINITION = re.compile(r"组长|成员|职责|牵头|组成")


def _group_name(text: str) -> str | None:
    """The name of a working group (现场处置组), or None for anything else."""
    name = text.strip()
    for suffix in _GROUP_SUFFIXES:
        name = name.removesuffix(suffix)
    if not re.fullmatch(r"[\u4e00-\u9fff]{2,18}组", name):
        return None
    if name.endswith(("领导小组", "民小组")) or name in _GROUP_GENERIC:
        return None
    if any(word in name for word in _GROUP_FORBIDDEN):
        return None
    return name


def _enumerated_groups(listing: str) -> list[str]:
    """Group names in 「下设现场处置组、疏导劝解组和信息发布组等三个工作组」."""
    names: list[str] = []
    for raw_item in re.split(r"[、,]", listing):
        item = re.sub(r"(?:等|共).*$", "", raw_item.strip())
        item = re.sub(r"^(?:了|有|以下|如下)", "", item)
        parts = re.split(r"[和及与]", item)
        candidates = [item]
        if len(parts) > 1 and any(part.endswith(("组", "室")) for part in parts[:-1]):
            candidates = parts
        names.extend(name for c in candidates if (name := _group_name(c)))
    return names


_TITLES = r"副组长|组长|副总指挥|总指挥|副指挥长|指挥长|成员单位|成员|组员|副主任|主任"
_POST_PATTERNS = (
    re.compile(rf"^(?P<title>{_TITLES})\s*(?::|为|是)\s*(?P<who>.+)$"),
    re.compile(rf"^(?P<title>{_TITLES})\s*由\s*(?P<who>.+?)\s*(?:同志)?(?:担任|兼任|出任|组成)$"),
    re.compile(r"^(?P<title>成员单位|成员|组员)\s*(?:包括|有)\s*(?P<who>.+)$"),
    re.compile(rf"(?:^|由)(?P<who>[^由,]+?)\s*(?:同志)?(?:担任|兼任|任)(?P<title>{_TITLES})$"),
    re.compile(rf"以(?P<who>[^以,]+?)为(?P<title>{_TITLES})的"),
)
_POST_OWNER = re.compile(rf"^.{{1,24}}?(?=(?:{_TITLES})\s*(?::|由|为|是|包括))")
_DUTY_LABEL = re.compile(r"^\s*(?:主要职责|工作职责|职责|主要任务)\s*(?::|是|为)?\s*")
_COMMAND_TITLES = frozenset({"组长", "副组长", "成员", "总指挥", "副总指挥", "指挥长", "副指挥长"})
_GROUP_TITLES = frozenset({"组长", "副组长", "成员"})


def _post(clause: str) -> tuple[str, str] | None:
    """「组长：镇长张三」 / 「组长由镇党委书记担任」 -> (title, position as written)."""
    clause = clause.strip().rstrip(",，;；。").strip()
    owner = _POST_OWNER.match(_fold(clause))
    if owner and not re.match(_TITLES, _fold(clause)):
        clause = clause[owner.end() :]
    norm = _fold(clause)
    for pattern in _POST_PATTERNS:
        match = pattern.search(norm)
        if match is None:
            continue
        who = clause[match.start("who") : match.end("who")].strip()
        who = re.sub(r"(?:同志|等)$", "", who).strip()
        title = match.group("title")
        title = "成员" if title in ("成员单位", "组员") else title
        return (title, who) if who else None
    return None


def _split_posts(text: str) -> tuple[list[tuple[str, str]], str]:
    """Split a line into its posts and the rest (the duties), keeping the punctuation."""
    norm = _fold(text)
    posts: list[tuple[str, str]] = []
    kept: list[str] = []
    start = 0
    bounds = [m.end() for m in re.finditer(r"[,;。]", norm)]
    if not bounds or bounds[-1] < len(text):
        bounds.append(len(text))
    for end in bounds:
        clause = text[start:end]
        start = end
        post = _post(clause)
        if post:
            posts.append(post)
            continue
        label = _DUTY_LABEL.match(_fold(clause))
        kept.append(clause[label.end() :] if label else clause)
    rest = "".join(kept).strip().strip(" ,，;；、:：").strip()
    return posts, "" if rest in ("。", "") else rest


# ------------------------------------------------------------------------------- levels

_ROMAN_LEVELS = {"I": 1, "II": 2, "III": 3, "IV": 4, "Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4}
_NUMERAL_LEVELS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_WORD_LEVELS = {"特别重大": 1, "重大": 2, "较大": 3, "一般": 4}
_ROMAN_RE = re.compile(r"(?<![A-Za-z])(IV|III|II|I|Ⅳ|Ⅲ|Ⅱ|Ⅰ)\s*级(?!以上|以下|及以上|及以下)")
_NUMERAL_RE = re.compile(
    r"(?<![上下逐同高低本每第各两十\d])([一二三四1234])\s*级"
    r"(?=响应|事件|突发|应急|$|[()（）:：,，、。;；\s])"
)
_WORD_RE = re.compile(
    r"(特别重大|(?<!特别)重大|较大|一般)"
    r"(?=群体性|突发|事件|事故|险情|灾害|安全|上访|级|响应|情形|[(（:])"
)
_INTRO_WORDS = re.compile(r"下列|以下|之一|情形|条件|标准|情况")
_RESPONSE_WORDS = re.compile(r"启动|响应|措施|处置|程序|采取")
_NUM = r"(\d+\s*[万千百]?|[零〇一二三四五六七八九十百千万两]+)"
_SIGNAL = re.compile(
    rf"{_NUM}\s*余?\s*(?:人|名|户|万元|亿元)|交通|道路|党政机关|重点部位|要害部位|重要设施|"
    r"死亡|受伤|重伤|伤亡|失踪|经济损失|冲击|围堵|聚集|静坐"
)


def _level_spans(norm: str) -> list[tuple[int, int]]:
    """(level, start) of each level phrase in a folded line."""
    found = [(_ROMAN_LEVELS[m.group(1)], m.start()) for m in _ROMAN_RE.finditer(norm)]
    found += [(_NUMERAL_LEVELS[m.group(1)], m.start()) for m in _NUMERAL_RE.finditer(norm)]
    found += [(_WORD_LEVELS[m.group(1)], m.start()) for m in _WORD_RE.finditer(norm)]
    return sorted(found, key=lambda pair: pair[1])


def _levels_in(text: str) -> list[int]:
    return sorted({level for level, _ in _level_spans(_fold(text))})


def _explicit_level(norm: str) -> bool:
    return bool(_ROMAN_RE.search(norm) or _NUMERAL_RE.search(norm))


# ----------------------------------------------------------------------------- triggers

_RANGE_RE = re.compile(rf"{_NUM}\s*(?:人|名)?\s*(?:至|到|-|~|—|－)\s*{_NUM}\s*余?\s*(?:人|名)")
_COUNT_RE = re.compile(
    rf"(超过|多于|逾|达到|达)?\s*{_NUM}\s*(余)?\s*(?:人|名)次?\s*(\(含[^)]*\))?\s*"
    r"(以上|及以上|或以上|以下|及以下|以内)?"
)
_HARM_FACTS = (
    ("伤亡", "casualties"),
    ("死亡", "deaths"),
    ("重伤", "injuries"),
    ("受伤", "injuries"),
    ("失踪", "missing"),
)
_LOSS_RE = re.compile(
    rf"经济损失[^,;。]{{0,8}}?{_NUM}\s*(万|亿)元\s*(?:\(含[^)]*\))?\s*(以上|及以上)"
)
_TRAFFIC_RE = re.compile(
    r"(?:堵塞|阻断|中断|阻塞|堵截|拦截|封堵|卧轨)[^,;。]{0,10}?(?:交通|道路|公路|铁路|国道|省道|高速|车辆)"
    r"|(?:交通|道路|公路|铁路)[^,;。]{0,4}?(?:堵塞|阻断|中断|瘫痪)"
)
_FACILITY_RE = re.compile(
    r"(?:冲击|围堵|围攻|堵塞|闯入|强行进入)[^,;。]{0,12}?"
    r"(?:党政机关|国家机关|机关|重点部位|要害部位|重要设施|重点单位|重要目标)"
    r"|重点部位|要害部位|重要设施"
)


def _count_fact(norm: str, start: int, end: int) -> str:
    after = re.sub(rf"^{_NUM}\s*(?:人|名)\s*(?:以下|以内)", "", norm[end:])[:4]
    before = norm[max(0, start - 8) : start]
    for word, fact in _HARM_FACTS:
        if after.startswith(word):
            return fact
    for word, fact in _HARM_FACTS:
        if re.search(rf"{word}[^,;。、或和及与\d]{{0,4}}$", before):
            return fact
    return "people_involved"


def _triggers(condition: str) -> list[dict[str, Any]]:
    """Structured predicates read from one condition; the wording must be clear."""
    norm = _fold(condition)
    found: list[dict[str, Any]] = []
    taken: list[tuple[int, int]] = []
    for match in _RANGE_RE.finditer(norm):  # 30至100人: the lower bound
        value = chinese_number(match.group(1))
        if value is not None:
            fact = _count_fact(norm, match.start(), match.end())
            found.append({"fact": fact, "op": ">=", "value": value})
            taken.append(match.span())
    for match in _COUNT_RE.finditer(norm):
        if any(low <= match.start(2) < high for low, high in taken):
            continue
        prefix, approx, included, bound = match.group(1, 3, 4, 5)
        value = chinese_number(match.group(2))
        if value is None or bound in ("以下", "及以下", "以内"):
            continue
        if prefix in ("超过", "多于", "逾"):
            op = ">"
        elif prefix or approx or included or bound:
            op = ">="
        else:
            continue
        fact = _count_fact(norm, match.start(), match.end())
        found.append({"fact": fact, "op": op, "value": value})
    for match in _LOSS_RE.finditer(norm):
        value = chinese_number(match.group(1))
        if value is not None:
            value *= 10_000 if match.group(2) == "亿" else 1
            found.append({"fact": "economic_loss", "op": ">=", "value": value})
    if _TRAFFIC_RE.search(norm):
        found.append({"fact": "blocks_traffic", "op": "is", "value": True})
    if _FACILITY_RE.search(norm):
        found.append({"fact": "key_facility", "op": "is", "value": True})
    unique: list[dict[str, Any]] = []
    for trigger in found:
        if trigger not in unique:
            unique.append(trigger)
    return unique


def _condition_text(text: str) -> str:
    return _strip_number(text).strip().rstrip(";；。,，、 ").strip()


# ------------------------------------------------------------------ table of contents

_LEADER = r"(?:\.{3,}|…{2,}|⋯{2,}|·{3,}|_{3,}|-{4,}|—{2,})"
_TOC_LINE = re.compile(rf"{_LEADER}\s*\d{{0,3}}\s*$")
_TOC_PAIR = re.compile(rf"{_LEADER}\s*\d{{1,3}}")
_TOC_ENTRY = re.compile(r"^.{1,50}?(?:\.{2,}|…+|⋯+|·{2,}|_{2,}|-{3,}|—+|\s+)\s*\d{1,3}$")
_PAGE_LINE = re.compile(r"^(?:[-—\s]*\d{1,3}[-—\s]*|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?)$")


def _is_toc_line(norm: str) -> bool:
    return bool(_TOC_LINE.search(norm)) or len(_TOC_PAIR.findall(norm)) >= 2


def _toc_key(line: str) -> str:
    norm = re.sub(rf"{_LEADER}|\s+", "", _fold(line))
    return re.sub(r"\d{1,3}$", "", norm)


def _skip_toc(lines: list[str], start: int) -> int:
    """The index of the first line after a table of contents that starts at start."""
    end = start
    while end < len(lines):
        norm = _fold(lines[end]).strip()
        if not (_TOC_ENTRY.match(norm) or _is_toc_line(norm)):
            break
        end += 1
    if end > start or start >= len(lines):
        return end
    # Entries without page numbers: the contents end where the first entry comes round.
    first = _toc_key(lines[start])
    for index in range(start + 1, min(len(lines), start + 80)):
        if _toc_key(lines[index]) == first:
            return index
        if _SENTENCE_END.search(_fold(lines[index])):
            break
    return start


def _clean_lines(text: str) -> list[str]:
    lines = [line.strip() for line in re.split(r"\r\n|[\r\n\u2028\u2029\f\v]", text)]
    lines = [line for line in lines if line and not _PAGE_LINE.match(_fold(line))]
    kept: list[str] = []
    index = 0
    while index < len(lines):
        norm = _fold(lines[index]).strip()
        compact = re.sub(r"\s+", "", norm)
        if compact.startswith("目录") and (compact == "目录" or _TOC_PAIR.search(norm)):
            index = _skip_toc(lines, index + 1)
            continue
        if not _is_toc_line(norm):
            kept.append(lines[index])
        index += 1
    return kept


def _take_title(lines: list[str]) -> tuple[str, list[str]]:
    """The title line (it names a 预案) and the lines without it."""
    for index, line in enumerate(lines[:12]):
        norm = _fold(line).strip()
        quoted = re.search(r"《([^》]*预案[^》]*)》", line)
        if quoted and ("印发" in norm or "通知" in norm):
            return quoted.group(1).strip(), lines[:index] + lines[index + 1 :]
        numbered = _numbered(line)
        if numbered and _heading_like(numbered.rest):
            break  # the body has begun
        if (
            "预案" in norm
            and len(norm) <= 60
            and not numbered
            and not norm.endswith(("。", ";", ","))
            and not norm.startswith(("本预案", "为", "根据", "依据"))
        ):
            title = line.strip()
            if title.startswith("《") and title.endswith("》"):
                title = title[1:-1]
            if index and len(norm) <= 8 and _title_head(lines[index - 1]):
                # a title broken over two lines: 「青石镇群体性上访事件」「应急预案」
                title = lines[index - 1].strip() + title
                return title, lines[: index - 1] + lines[index + 1 :]
            return title, lines[:index] + lines[index + 1 :]
    return "", lines


def _title_head(line: str) -> bool:
    norm = _fold(line).strip()
    return len(norm) <= 30 and not re.search(r"[。;,:、\d]", norm) and _numbered(line) is None


# ------------------------------------------------------------------------------- parser


@dataclass
class _Level:
    judgements: list[str] = field(default_factory=list)
    triggers: list[dict[str, Any]] = field(default_factory=list)


_COMMAND_RE = re.compile(r"(?:成立|设立|组建)了?(?P<name>[^,;。:、()]{1,60}?(?:领导小组|指挥部))")
_OFFICE_SET_UP = re.compile(r"(领导小组|指挥部)下设(?:应急)?办公室")
_OFFICE_SEATED = re.compile(r"([\u4e00-\u9fff]{0,16}?(?:领导小组|指挥部)办公室)设在")


class _Parser:
    """Reads cleaned lines one at a time, keeping the state a reader keeps."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.path: list[Section] = []  # the open sections, outermost first
        self.styles: list[str] = []  # numbering styles along the path
        self.level_sections: set[int] = set()  # ids of sections headed by a level
        # the block (group, level, article) whose list items are body text
        self.block_active = False
        self.block_style: str | None = None
        # command body, office and working groups
        self.context: str | None = None  # "command", "office" or "group"
        self.group: str | None = None
        self.loose = False  # a group opened by a heading takes every body line
        self.groups: dict[str, list[str]] = {}
        self.posts: list[dict[str, Any]] = []
        self.command_names: list[str] = []  # from headings
        self.command_statements: list[str] = []  # from 「成立……领导小组」
        self.office_names: list[str] = []
        self.office_lines: list[str] = []
        self.office_fallback: list[str] = []
        # response levels
        self.levels: dict[int, _Level] = {}
        self.level: int | None = None
        self.level_mode = ""  # "direct", "explicit" or "await"

    # ------------------------------------------------------------------ line dispatch

    def feed(self, line: str) -> None:
        numbered = _numbered(line)
        if numbered is None:
            self._plain(line)
        elif self._list_item(numbered.style):
            self._body(line, numbered)
        elif numbered.style in ("chapter", "part"):
            self._open(numbered.rest, numbered.token, numbered.style)
        elif numbered.style == "article":
            self._article(numbered)
        elif _heading_like(numbered.rest):
            self._open(_strip_colon(numbered.rest), numbered.token, numbered.style)
        else:
            split = _split_label(numbered.rest)
            if split and _classify_strict(split[0]) not in ("", "groups"):
                self._open(split[0], numbered.token, numbered.style, inline=split[1])
            else:
                self._body(line, numbered)

    def _list_item(self, style: str) -> bool:
        """Inside a group, level or article, deeper numbers are list items, not headings."""
        if style in ("chapter", "part", "article") or not self.block_active:
            return False
        if style in self.styles:
            if self.block_style in self.styles:
                return self.styles.index(style) > self.styles.index(self.block_style)
            return False
        return style != self.block_style

    def _plain(self, line: str) -> None:
        norm = _strip_colon(_fold(line))
        if len(norm) <= 24 and not re.search(r"[。;,:]", norm):
            key = _classify_strict(norm)
            if key:
                self._open(_strip_colon(line), "", None, plain_key=key)
                return
            if self._plain_level(norm):
                self._open(_strip_colon(line), "", None, plain_key="response")
                return
        split = _split_label(line)
        if split and len(split[0]) <= 12:
            key = _classify_strict(split[0])
            if key and key not in _ORG_KEYS:
                self._open(split[0], "", None, inline=split[1], plain_key=key)
                return
        self._body(line, None)

    def _plain_level(self, norm: str) -> bool:
        return len(_levels_in(norm)) == 1 and self._ancestor_key() == "response"

    def _article(self, numbered: _Numbered) -> None:
        rest = numbered.rest
        if _heading_like(rest):
            self._open(_strip_colon(rest), numbered.token, "article")
            return
        split = _split_label(rest)
        if split and (_classify_strict(split[0]) or _group_name(_compact(split[0]))):
            self._open(split[0], numbered.token, "article", inline=split[1])
            return
        key = _classify_content(rest)
        self._open("", numbered.token, "article", inline=rest, content_key=key)

    # ---------------------------------------------------------------------- sections

    def _open(
        self,
        heading: str,
        number: str,
        style: str | None,
        *,
        inline: str = "",
        plain_key: str = "",
        content_key: str = "",
    ) -> None:
        depth = self._depth(style, plain_key, heading)
        self.path = [s for s in self.path if s.depth < depth]
        parent_key = self._ancestor_key()
        key = content_key or self._heading_key(heading, parent_key)
        section = Section(key=key, heading=heading.strip(), number=number, depth=depth)
        self.sections.append(section)
        self.path.append(section)
        self._enter(section, parent_key, style)
        if inline:
            self._body(inline, None)

    def _depth(self, style: str | None, plain_key: str, heading: str) -> int:
        if style is not None:
            if style in self.styles:
                self.styles = self.styles[: self.styles.index(style) + 1]
            else:
                self.styles.append(style)
            return len(self.styles)
        depth = self._plain_depth(plain_key, heading)
        self.styles = self.styles[:depth]
        while len(self.styles) < depth:
            self.styles.append(f"plain{len(self.styles) + 1}")
        return depth

    def _plain_depth(self, key: str, heading: str) -> int:
        """Depth of a heading without a number, from what it is and what precedes it."""
        previous = self.path[-1] if self.path else None
        if key in _TOP_KEYS and not (key == "response" and _levels_in(heading)):
            return 1
        if key in _TEXT_KEYS:
            return 2
        if previous is None:
            return 1
        if key == "response":  # a level heading: a sibling of the previous level
            return previous.depth if id(previous) in self.level_sections else previous.depth + 1
        sibling = key in _ORG_KEYS and previous.key in _ORG_KEYS
        return previous.depth if sibling else previous.depth + 1

    def _heading_key(self, heading: str, parent_key: str) -> str:
        if parent_key in _TEXT_KEYS:
            return ""
        key = _classify(heading)
        if key:
            return key
        norm = _fold(heading)
        if len(_levels_in(norm)) == 1 and self._level_context(parent_key, norm):
            return "response"
        return ""

    def _ancestor_key(self) -> str:
        for section in reversed(self.path):
            if section.key:
                return section.key
        return ""

    def _enter(self, section: Section, parent_key: str, style: str | None) -> None:
        """Reset the per-block state for a new heading and open what it announces."""
        self.context = self.group = None
        self.loose = False
        self.level = None
        self.block_active = False
        self.block_style = None
        core = _strip_affixes(_compact(section.heading))
        name = _group_name(_compact(section.heading)) if section.key == "groups" else None
        if name and name not in self._command_all():
            if parent_key in _DEFINING_KEYS or name not in self.groups:
                self._open_group(name, style, loose=True)
        elif section.key in ("command", "organisation"):
            self.context = "command"
            if core.endswith(("领导小组", "指挥部")):
                self.command_names.append(core[:60])
        elif section.key == "office":
            self.context = "office"
            if core.endswith("办公室"):
                self.office_names.append(core[:60])
        norm = _fold(section.heading)
        levels = _levels_in(norm)
        if len(levels) == 1 and self._level_context(parent_key, norm):
            self.level_sections.add(id(section))
            event = "响应" not in norm or bool(re.search(r"事件|事故|标准|条件", norm))
            self._start_level(levels[0], "direct" if event else "await", style)
        if style == "article" and not self.block_active:
            self.block_active = True
            self.block_style = "article"

    def _add_text(self, line: str) -> None:
        if self.path:
            section = self.path[-1]
            section.text = f"{section.text}\n{line}" if section.text else line

    # -------------------------------------------------------------------------- body

    def _body(self, line: str, numbered: _Numbered | None) -> None:
        self._add_text(line.strip())
        item = numbered.rest if numbered else line.strip()
        norm = _fold(item)
        style = numbered.style if numbered else None
        if self._level_line(item, norm, style):
            return
        self._command_line(item, norm)
        self._office_line(item, norm)
        if self._group_start(item, norm, style):
            return
        if self._ancestor_key() in _DEFINING_KEYS:
            for match in re.finditer(r"(?:下设|设立|分设|设置|成立|组建)(?P<list>[^。;:]+)", norm):
                for name in _enumerated_groups(match.group("list")):
                    if name not in self._command_all():
                        self.groups.setdefault(name, [])
        self._context_line(item, norm, style)

    def _command_all(self) -> list[str]:
        return self.command_statements + self.command_names

    def _command_line(self, item: str, norm: str) -> None:
        match = _COMMAND_RE.search(norm)
        if match is None:
            return
        name = item[match.start("name") : match.end("name")].strip()
        name = name.rsplit("的", 1)[-1].strip()
        if name:
            self.command_statements.append(name[:60])
        if self.context is None:
            self.context = "command"

    def _office_line(self, item: str, norm: str) -> None:
        set_up = _OFFICE_SET_UP.search(norm)
        if set_up:
            self.office_names.append(f"{set_up.group(1)}办公室")
            if self.context != "office":
                _, rest = _split_posts(item[set_up.end() :].lstrip(" ,，;；。"))
                if rest:
                    self.office_fallback.append(rest)
        seated = _OFFICE_SEATED.search(norm)
        if seated:
            self.office_names.append(item[seated.start(1) : seated.end(1)])
            if self.context != "office" and not set_up:
                _, rest = _split_posts(item[seated.start(1) :])
                if rest:
                    self.office_fallback.append(rest)

    def _group_start(self, item: str, norm: str, style: str | None) -> bool:
        match = _GROUP_AT_START.match(norm)
        if match is None:
            return False
        name = _group_name(item[match.start(1) : match.end(1)])
        if not name or name in self._command_all():
            return False
        defining = self._ancestor_key() in _DEFINING_KEYS
        if not defining and (name in self.groups or not _GROUP_DEFINITION.search(norm)):
            return False
        self._open_group(name, style, loose=False)
        self._group_text(item[match.end() :].lstrip(" :：。，,;；、"))
        return True

    def _open_group(self, name: str, style: str | None, *, loose: bool) -> None:
        self.groups.setdefault(name, [])
        self.context = "group"
        self.group = name
        self.loose = loose
        self.level = None
        self.block_active = True
        self.block_style = style

    def _context_line(self, item: str, norm: str, style: str | None) -> None:
        if self.context == "group":
            deeper = style is not None and style != self.block_style
            if self.loose or deeper or _GROUP_CONTINUE.match(norm.strip()):
                self._group_text(item)
            else:
                self.context = self.group = None
                self.block_active = False
        elif self.context == "command":
            posts, _ = _split_posts(item)
            for title, who in posts:
                if title in _COMMAND_TITLES:
                    self._add_post(None, title, who)
        elif self.context == "office":
            _, rest = _split_posts(item)
            if rest:
                self.office_lines.append(rest)

    def _group_text(self, text: str) -> None:
        if not text or self.group is None:
            return
        posts, duties = _split_posts(text)
        for title, who in posts:
            if title in _GROUP_TITLES:
                self._add_post(self.group, title, who)
        if duties and duties not in self.groups[self.group]:
            self.groups[self.group].append(duties)

    def _add_post(self, group: str | None, title: str, position: str) -> None:
        post = {
            "group": group,
            "title": title,
            "position": position,
            "person": None,
            "is_lead": group is not None and title == "组长",
        }
        if post not in self.posts:
            self.posts.append(post)

    # ------------------------------------------------------------------------ levels

    def _level_context(self, key: str, norm: str) -> bool:
        if key == "response":
            return True
        return key not in _NO_LEVEL_KEYS and _explicit_level(norm)

    def _start_level(self, level: int, mode: str, style: str | None) -> None:
        self.levels.setdefault(level, _Level())
        self.level = level
        self.level_mode = mode
        if self.context == "group":
            self.context = self.group = None
        self.block_active = True
        self.block_style = style

    def _stop_level(self) -> None:
        self.level = None
        if self.context != "group":
            self.block_active = False

    def _level_line(self, item: str, norm: str, style: str | None) -> bool:
        """Level introductions and the conditions under them; True when consumed."""
        spans = _level_spans(norm)
        levels = {level for level, _ in spans}
        in_context = len(levels) == 1 and self._level_context(self._ancestor_key(), norm)
        if in_context and self._level_intro(spans[0], item, norm, style):
            return True
        if self.level is None:
            return False
        return self._condition_line(item, norm, style)

    def _level_intro(self, span: tuple[int, int], item: str, norm: str, style: str | None) -> bool:
        level, start = span
        colon = norm.find(":")
        if colon > start:
            head = norm[:colon]
            if _INTRO_WORDS.search(head) or not _RESPONSE_WORDS.search(head):
                self._start_level(level, "explicit", style)
                self._inline_conditions(level, item[colon + 1 :])
                return True
            if len(head.strip()) <= 12:  # 「Ⅳ级响应：由……」 names the level only
                self.levels.setdefault(level, _Level())
                self._stop_level()
                return True
            return False
        if colon < 0 and _SIGNAL.search(norm) and self._ancestor_key() == "response":
            self._add_condition(level, item)  # 「聚集30人以上的，为一般（Ⅳ级）事件。」
            return True
        return False

    def _inline_conditions(self, level: int, text: str) -> None:
        for part in re.split(r"[;；]", text):
            norm = _fold(part)
            if not part.strip() or (_INTRO_WORDS.search(norm) and not _SIGNAL.search(norm)):
                continue
            self._add_condition(level, part)

    def _condition_line(self, item: str, norm: str, style: str | None) -> bool:
        assert self.level is not None
        stripped = norm.strip()
        colon = stripped.find(":")
        if self.level_mode == "await":
            if colon >= 0 and _INTRO_WORDS.search(stripped[:colon]):
                self.level_mode = "explicit"
                self._inline_conditions(self.level, item[colon + 1 :])
                return True
            return False
        if stripped.endswith(":"):  # a new sub-block: 「处置措施：」
            self._stop_level()
            return False
        if style is not None or stripped.endswith(";") or _SIGNAL.search(stripped):
            for part in re.split(r"[;；]", item):
                self._add_condition(self.level, part)
            return True
        if self.level_mode == "explicit":
            self._stop_level()
        return False

    def _add_condition(self, level: int, text: str) -> None:
        condition = _condition_text(text)
        if not condition:
            return
        spec = self.levels.setdefault(level, _Level())
        if condition not in spec.judgements:
            spec.judgements.append(condition)
        for trigger in _triggers(condition):
            if trigger not in spec.triggers:
                spec.triggers.append(trigger)

    # ------------------------------------------------------------------------ result

    def finish(self, title: str) -> ParsedPlan:
        structure = _empty_structure()
        for key in _TEXT_KEYS:
            structure[key] = self._section_text(key)
        plan_like = bool(title) or any(s.key for s in self.sections)
        if plan_like:
            self._fill(structure)
        return ParsedPlan(
            title=title,
            sections=self.sections,
            unrecognised=self._unrecognised(),
            structure=structure,
        )

    def _fill(self, structure: dict[str, Any]) -> None:
        found = self.command_statements + self.command_names
        specific = [n for n in found if n not in ("领导小组", "指挥部")]
        names = specific or found
        structure["command_name"] = names[0][:60] if names else ""
        structure["office_name"] = self.office_names[0][:60] if self.office_names else ""
        structure["office_duties"] = "\n".join(self.office_lines or self.office_fallback)
        structure["groups"] = [
            {"name": name, "duties": "\n".join(duties)} for name, duties in self.groups.items()
        ]
        structure["posts"] = [
            p for p in self.posts if p["group"] is None or p["group"] in self.groups
        ]
        structure["levels"] = [
            {
                "level": level,
                "match": "any",
                "judgements": "\n".join(spec.judgements),
                "triggers": spec.triggers,
                "steps": [],
            }
            for level, spec in sorted(self.levels.items())
        ]

    def _section_text(self, key: str) -> str:
        """The text of the sections with this key, with their unrecognised sub-sections."""
        parts: list[str] = []
        for index, section in enumerate(self.sections):
            if section.key != key:
                continue
            parts.append(section.text)
            for child in self.sections[index + 1 :]:
                if child.depth <= section.depth:
                    break
                if not child.key:
                    parts.append(_joined(child.number, child.heading))
                    parts.append(child.text)
        return "\n".join(part for part in parts if part)

    def _unrecognised(self) -> list[str]:
        found: list[str] = []
        path: list[Section] = []
        for section in self.sections:
            path = [s for s in path if s.depth < section.depth]
            keyed_parent = any(s.key for s in path)
            if not section.key and section.heading and section.depth <= 2 and not keyed_parent:
                found.append(section.heading)
            path.append(section)
        return found


def _joined(number: str, heading: str) -> str:
    if number and number[-1].isdigit():
        return f"{number} {heading}"
    return f"{number}{heading}"


def _empty_structure() -> dict[str, Any]:
    return {
        "purpose": "",
        "legal_basis": "",
        "scope": "",
        "principles": "",
        "command_name": "",
        "office_name": "",
        "office_duties": "",
        "drill_cycle_years": None,
        "review_cycle_years": None,
        "event_types": [],
        "groups": [],
        "posts": [],
        "levels": [],
        "requirements": [],
        "contacts": [],
    }


def parse_text(text: str) -> ParsedPlan:
    """Parse the plain text of an emergency plan into sections and a structured draft."""
    lines = _clean_lines(text or "")
    title, lines = _take_title(lines)
    parser = _Parser()
    for line in lines:
        parser.feed(line)
    return parser.finish(title)
