"""The text as offices have it, made into lines a reader can follow.

Plans come copied out of web pages, PDFs and slides. Before the outline is read:

1. Pinyin glosses after characters (应(yīng)急(jí)) and slide bullets are taken out.
2. Page furniture is taken out and listed for the user: page headers and footers that
   repeat, 第1页/共8页 and - 3 - marks, download and copyright notices, and page numbers
   left inside sentences where a page broke.
3. Lines broken at a fixed width, or in mid-sentence, are joined again.
4. Headings run into the text are split out by their numbering where it continues the
   outline (二、 after 一、, 2.1 inside chapter 2), or follows the end of a sentence, or
   follows a heading; a title run into a bundle is split from the plan before it.

Nothing else is removed: every line that is not page furniture reaches the parser.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

from yingji.plans.parsing.groups import _GROUP_END, _group_name
from yingji.plans.parsing.sections import _classify_strict
from yingji.plans.parsing.text import _fold, chinese_number

# ------------------------------------------------------------------------ glosses

_PINYIN = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüê"
_GLOSS = re.compile(
    rf"(?<=[\u3400-\u9fff])\s*[(（]\s*[{_PINYIN}]*[aeiouvāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüê]"
    rf"[{_PINYIN}]*[1-5]?\s*[)）]"
)
_BULLET = re.compile(r"^[\s•●○■□▪▫◆◇►▶➢➤✓✔·\uf06c\uf0a7\uf0d8\uf0fc]+(?=\S)")


def _strip_glosses(lines: list[str]) -> list[str]:
    if sum(len(_GLOSS.findall(line)) for line in lines) < 3:
        return lines  # a single 「（a）」 is not a slide's glosses
    return [_GLOSS.sub("", line) for line in lines]


# ------------------------------------------------------------------ page furniture

_NOTICES = re.compile(
    r"本文档由.{0,30}?(?:上传|提供|发布|整理)|下载后可(?:编辑|修改|复制)|"
    r"版权(?:所有|归.{0,20}所有|声明)|侵权必究|未经许可.{0,10}?(?:转载|复制)|"
    r"文档评论\s*\(\s*\d*\s*\)|VIP\s*专享|VIP\s*免费|免费下载|付费下载|点击(?:下载|阅读)|"
    r"原创力文档|百度文库|道客巴巴|豆丁网|人人文库|文库网|仅供(?:学习|参考|个人)(?:交流|使用|参考)?|"
    r"下载文档.{0,16}?(?:方便|使用|阅读|编辑)|查找使用更方便|已阅读\s*\d+\s*页|"
    r"【[^】]{0,8}(?:文库|文档|资料|精品)[^】]{0,8}】|"
    r"[（(](?:完整版|最新版|精品版?|[Ww][Oo][Rr][Dd]版|可编辑版?|免费下载|推荐)[)）]|"
    r"文库首页.*$|\S{2,60}\.(?:docx?|wps|pdf|txt)(?=\s|$)|(?<![第\d])\s*共\s*\d{1,4}\s*页(?!\s*第)|"
    r"还剩\s*\d+\s*页未读|继续阅读|阅读全文|展开全文|举报\s*收藏|分享到|"
    r"(?:关注|扫码关注).{0,12}?公众号|本文(?:档)?(?:来源|转载)于?.{0,20}?(?:网|网站|平台)"
)
_PAGE_MARK = re.compile(
    r"第\s*\d{1,4}\s*页(?:\s*[,，/、]?\s*共\s*\d{1,4}\s*页)?|"
    r"共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页|"
    r"(?:(?<=\s)|^)[-—–]\s*\d{1,3}\s*[-—–](?=\s|$)|"
    r"(?:(?<=\s)|^)\d{1,3}\s*/\s*\d{1,3}(?=\s|$)"
)
_UNITS_AFTER = "人名户个次万亿元%倍吨米小时分钟天日月年级岁批起辆台座处间项条"
_PAGE_IN_SENTENCE = re.compile(
    r"(?<=[\u4e00-\u9fff，、])[ \t\u3000]+\d{1,3}[ \t\u3000]+"
    rf"(?=[\u4e00-\u9fff])(?![{_UNITS_AFTER}])"
)
# A number followed by one of these is a quantity, not a section number: 「3.5万元」.
_QUANTITY = r"(?:人|名|户|个|万|亿|元|%|倍|吨|米|小时|分钟|天(?!然)|岁|批|辆|公里|平方)"
_NOT_BEFORE_PAGE = (
    "第",
    "共",
    "约",
    "达",
    "过",
    "计",
    "于",
    "在",
    "为",
    "至",
    "到",
    "近",
    "和",
    "或",
)


def _signature(line: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", _fold(line)))


def _furniture(lines: list[str]) -> set[str]:
    """Signatures of headers and footers: short lines that come back page after page."""
    places: dict[str, list[int]] = {}  # each signature's line numbers, in one pass
    for index, line in enumerate(lines):
        places.setdefault(_signature(line), []).append(index)
    found: set[str] = set()
    for signature, positions in places.items():
        if (
            len(positions) < 3
            or not 2 <= len(signature) <= 50
            or signature.endswith(("。", ";", "；"))
        ):
            continue
        if re.match(
            r"^(?:#|[一二三四五六七八九十]+、|\(|（|第[一二三四五六七八九十#]+[章节条])", signature
        ):
            continue  # numbered: a heading or an item, however often it comes back
        if re.search(r"组长|成员|职责|负责|:|：", signature):
            continue  # 「成员：各村书记」 recurs in every group
        gaps = [b - a for a, b in itertools.pairwise(positions)]
        if min(gaps) >= 8:
            found.add(signature)
    return found


def _page_in_sentence(line: str) -> tuple[str, list[str]]:
    removed: list[str] = []

    def drop(match: re.Match[str]) -> str:
        before = line[: match.start()].rstrip()
        if before.endswith(_NOT_BEFORE_PAGE):
            return match.group(0)
        removed.append(match.group(0).strip())
        return ""

    return _PAGE_IN_SENTENCE.sub(drop, line), removed


def _remove_furniture(lines: list[str]) -> tuple[list[str], list[str]]:
    removed: list[str] = []
    furniture = _furniture(lines)
    kept: list[str] = []
    for line in lines:
        if _signature(line) in furniture:
            removed.append(line.strip())
            continue
        line, marks = _clean_marks(line)
        removed.extend(marks)
        if line.strip():
            kept.append(line)
    return kept, removed


def _clean_marks(line: str) -> tuple[str, list[str]]:
    removed: list[str] = []
    for pattern in (_NOTICES, _PAGE_MARK):
        found = [m.group(0).strip() for m in pattern.finditer(_fold(line))]
        if found:
            norm = _fold(line)
            pieces: list[str] = []
            start = 0
            for match in pattern.finditer(norm):
                pieces.append(line[start : match.start()])
                start = match.end()
            pieces.append(line[start:])
            rest = "".join(pieces)
            if len(re.sub(r"[\W_]+", "", _fold(rest))) <= 2:
                removed.append(line.strip())
                return "", removed
            removed.extend(found)
            line = rest
    line, pages = _page_in_sentence(line)
    removed.extend(pages)
    return line.strip(), removed


# --------------------------------------------------------------------- soft wraps

_TERMINAL = tuple("。;；!！?？:：")
_TITLE_WORDS = ("预案", "方案", "制度", "办法", "规定", "细则", "规程", "通知", "汇编", "合集")
_TABLE_GAP = re.compile(r"\t|[ \u3000]{2,}")


def _starts_numbered(norm: str) -> bool:
    return bool(
        re.match(
            r"^\s*(?:第\s*[零〇一二三四五六七八九十百\d]+\s*[章节条]|(?i:part)\s*\d{1,2}\s|[一二三四五六七八九十]{1,3}\s*[、.]|"
            r"\(\s*[一二三四五六七八九十\d]{1,3}\s*\)|\d{1,2}(?:\.\d{1,2})*\s*[.、)]?(?=\s*[\u4e00-\u9fff])|"
            r"[\u2460-\u2473])",
            norm,
        )
    )


def _join_wraps(lines: list[str]) -> list[str]:
    """Lines broken in mid-sentence joined again; short lines and headings stay.

    Text wrapped at a fixed width (most lines the same length) joins every full line that
    does not end a sentence. Elsewhere a line joins the one before only where the break
    cannot be the end of a paragraph: after 、 or 和, or before ， or 人以上.
    """
    width = _wrap_width(lines)
    joined: list[str] = []
    for line in lines:
        if joined and _continues(joined[-1], line, width):
            joined[-1] = joined[-1].rstrip() + line.strip()
        else:
            joined.append(line)
    return joined


def _wrap_width(lines: list[str]) -> int:
    lengths = Counter(len(line.strip()) for line in lines if len(line.strip()) >= 15)
    if not lengths:
        return 0
    width, _count = max(lengths.items(), key=lambda item: (item[1], item[0]))
    near = sum(lengths.get(width + d, 0) for d in (-2, -1, 0, 1, 2))
    return width if near >= max(5, 0.3 * sum(lengths.values())) else 0


_CONTINUED_AFTER = tuple("、，,和及与的在对或并把将被从向以为由（(")
# No paragraph begins with a count: 「参与人数不足」「30人的」 is one sentence.
# A line that goes on with the name of a command body or a title: the break is inside it.
_COMMAND_HEAD = re.compile(r"^(?:领导小组|指挥部)(?=副?组长|副?总指挥|副?指挥长)")
_TITLE_HEAD = re.compile(r"^(?:组长|总指挥|指挥长|主任)\s*[:由为]")
_DANGLING_NUMBER = re.compile(r"[。;]\s*\d{1,2}(?:\.\d{1,2})+\s*$")
_QUANTITY_START = re.compile(r"^\d+\s*余?\s*(?:人|名|户|万|亿|元)")
_CONTINUED_BEFORE = re.compile(r"^(?:[，,。、；;：:）)」”]|[人名户万亿元]?(?:以上|以下|以内))")


# No paragraph is longer; past this a line is never joined again, which also bounds the
# work on a file built of endless unbroken lines.
_LONGEST_PARAGRAPH = 4000


def _continues(previous: str, line: str, width: int) -> bool:
    if len(previous) > _LONGEST_PARAGRAPH:
        return False
    norm_prev = _fold(previous[-300:]).strip()  # what the break follows
    norm = _fold(line).strip()
    if norm_prev.endswith(_TERMINAL) or norm_prev.endswith(_TITLE_WORDS):
        return False
    if norm_prev.count("《") > norm_prev.count("》") or norm.startswith(("》", "”", "」")):
        return True  # broken inside a quoted name: 「根据《信访」「工作条例》……」
    if norm.endswith(_TITLE_WORDS) and len(norm) <= 40 and not re.search(r"[,;。:]", norm):
        return False  # a title on its own line: 「清溪县生产安全事故应急救援预案」
    if _breaks_group_name(norm_prev, norm) or _breaks_level_word(norm_prev, norm):
        return True
    if (_COMMAND_HEAD.match(norm) and ":" not in norm_prev) or (
        norm_prev.endswith("副") and _TITLE_HEAD.match(norm)
    ):
        return True  # 「……上访事件」「领导小组组长：……」, 「邱某某副」「组长：……」
    if _breaks_title(norm_prev, norm):
        return True
    if _QUANTITY_START.match(norm) and not _TABLE_GAP.search(line.strip()):
        return True
    if _DANGLING_NUMBER.search(norm_prev):
        return True  # 「……的事故。4.3」「III级：……」: the number belongs to the next line
    if _TABLE_GAP.search(previous.strip()) or _TABLE_GAP.search(line.strip()):
        return False
    if len(previous.strip()) <= 30 and _starts_numbered(_fold(previous).strip()):
        return False  # a numbered heading: 「1.1 编制目的」
    if _starts_numbered(norm) or re.match(r"^[\s•●■▪◆►]", line):
        return False
    if re.match(r"^(?:附件|附表|附则|总则)", norm) or re.match(r"^[^,.;:。]{1,12}:", norm):
        return False
    if _CONTINUED_BEFORE.match(norm):
        return True
    if len(previous.strip()) >= 12 and norm_prev.endswith(_CONTINUED_AFTER):
        return True
    return width > 0 and len(previous.strip()) >= width - 2


_LEVEL_WORDS = ("特别重大", "重大", "较大", "一般")
_TITLE_WORDS_BROKEN = ("副组长", "组长", "组员", "成员", "总指挥", "副总指挥", "指挥长")


def _breaks_title(norm_prev: str, norm: str) -> bool:
    """A line broken inside a title: 「杨某某成」「员：各科室负责人」."""
    return any(
        norm_prev.endswith(word[:cut]) and re.match(rf"{word[cut:]}\s*:", norm) is not None
        for word in _TITLE_WORDS_BROKEN
        for cut in range(1, len(word))
    )


def _breaks_level_word(norm_prev: str, norm: str) -> bool:
    """A line broken inside a level's name: 「分为较大、重」「大、特别重大三级」."""
    return any(
        norm_prev.endswith(word[:cut]) and norm.startswith(word[cut:])
        for word in _LEVEL_WORDS
        for cut in range(1, len(word))
    )


_NAME_TAIL = re.compile(r"[\u4e00-\u9fff]{1,16}$")
_NAME_HEAD = re.compile(rf"^[\u4e00-\u9fff]{{0,16}}?{_GROUP_END}(?=[:、,;。\s(]|组长|负责|$)")
_ITEM_NUMBER = re.compile(
    r"(?:^|[^\d.])(?:\d{1,2}(?:\.\d{1,2})*\s*[.、]?|\(\s*[\d一二三四五六七八九十]{1,3}\s*\)"
    r"|[一二三四五六七八九十]{1,3}\s*、)\s*$"
)


def _breaks_group_name(norm_prev: str, norm: str) -> bool:
    """A line broken inside a group's name: 「（2）信息管」「理组：组长……」, or
    「下设……、现场处置」「组、劝返接返组……」. The pieces must make a group's name, and
    the second must not be one by itself unless the first follows an item's number."""
    tail, head = _NAME_TAIL.search(norm_prev), _NAME_HEAD.match(norm)
    if tail is None or head is None or not _group_name(tail.group(0) + head.group(0)):
        return False
    if re.search(rf"{_GROUP_END}$", tail.group(0)):
        return False  # 「（三）工作小组」 is a heading, not half a name
    if not _group_name(head.group(0)):
        return not _classify_strict(head.group(0))  # 「工作组」 is a heading too
    # 「2.2.1 灭」「火疏散组：组长……」, not 「4.3.2 现场处置」「抢险救援组、……」
    numbered = bool(_ITEM_NUMBER.search(norm_prev[: tail.start()]))
    defined = re.match(r"\s*(?::|组长|队长|负责)", norm[head.end() :])
    return numbered and bool(defined) and not _classify_strict(tail.group(0))


# ------------------------------------------------------------------ run-in headings

_CN = "零〇一二三四五六七八九十百"
# 「4.1 I级：……」: an item that begins with a level in Latin or Roman numerals
_ROMAN_NUMERAL = r"(?:IV|III|II|I|Ⅳ|Ⅲ|Ⅱ|Ⅰ)"
_ROMAN_LEVEL = rf"{_ROMAN_NUMERAL}\s*级"
_LEVEL_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "I": 1, "II": 2, "III": 3, "IV": 4}
_LEVEL_NUMBERS.update({"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4})
_SENTENCE_END = "。;!?:"
_CANDIDATES = re.compile(
    rf"(?P<chapter>第\s*(?P<cv>[{_CN}\d]{{1,4}})\s*(?P<ck>章|节|条|部分))"
    r"|(?P<slide>(?<![A-Za-z])(?i:part)\s*(?P<sv>\d{1,2})(?=\s*[\u4e00-\u9fff]))"
    rf"|(?P<dun>(?<![{_CN}第])(?P<dv>[一二三四五六七八九十]{{1,3}})\s*、(?![{_CN}\d级]))"
    rf"|(?P<cparen>\(\s*(?P<pv>[一二三四五六七八九十]{{1,3}})\s*\))"
    r"|(?P<aparen>\(\s*(?P<av>\d{1,2})\s*\))"
    r"|(?P<circled>[\u2460-\u2473])"
    r"|(?P<bare>(?<=[;。])\s*(?P<bv>\d{1,2})\s+(?=[\u4e00-\u9fff]))"
    rf"|(?P<level>(?<=[;。:])\s*(?P<lv>[一二三四]|{_ROMAN_NUMERAL})\s*级\s*"
    r"(?:(?:响应|事件|事故)?\s*(?:\([^()]{1,6}\))?\s*:|响应(?=由)))"
    rf"|(?P<decimal>(?<![\d.A-Za-z/])(?P<dec>\d{{1,2}}(?:\.\d{{1,2}}){{1,3}})(?![\d.%])"
    rf"(?=\s*(?:[\u4e00-\u9fff]|{_ROMAN_LEVEL}))(?!\s*{_QUANTITY}))"
    rf"|(?P<arabic>(?<![\d.A-Za-z/])(?P<arv>\d{{1,2}})[.、](?=\s*(?:[\u4e00-\u9fff]|{_ROMAN_LEVEL})))"
)
# Words a heading begins with, to tell 「案一、总则」 from 「一、二级」 in a sentence.
_HEADING_WORDS = [
    "总则",
    "目的",
    "编制",
    "制定",
    "依据",
    "适用",
    "范围",
    "工作原则",
    "基本原则",
    "原则",
    "组织",
    "机构",
    "领导",
    "指挥",
    "办公室",
    "工作组",
    "专项",
    "职责",
    "预防",
    "预警",
    "监测",
    "事件分级",
    "事故分级",
    "事故等级",
    "分级",
    "响应",
    "应急",
    "处置",
    "信息",
    "报告",
    "报送",
    "后期",
    "善后",
    "恢复",
    "保障",
    "附则",
    "预案",
    "宣传",
    "培训",
    "演练",
    "奖惩",
    "责任",
    "附件",
    "工作要求",
    "工作措施",
    "工作程序",
    "基本情况",
    "风险",
]


@dataclass
class _Outline:
    """The numbers seen so far, to know which number continues the outline."""

    last: dict[str, int] = field(default_factory=dict)
    chapter: int = 0

    def expected(self, kind: str, value: int) -> bool:
        return value == self.last.get(kind, 0) + 1

    def see(self, kind: str, value: int, dotted: tuple[int, ...] = ()) -> None:
        self.last[kind] = value
        if kind in ("dun", "chapter_章", "chapter_部分", "bare"):
            self.chapter = value
            for deeper in ("cparen", "aparen", "arabic", "circled"):
                self.last.pop(deeper, None)
        elif kind == "cparen":
            for deeper in ("aparen", "arabic", "circled"):
                self.last.pop(deeper, None)
        elif kind == "decimal" and dotted:
            self.chapter = dotted[0]
            for deeper in ("cparen", "aparen", "arabic", "circled"):
                self.last.pop(deeper, None)


def _value(text: str) -> int:
    number = chinese_number(text)
    return number if number is not None else -1


def _heading_follows(norm: str, end: int) -> bool:
    after = norm[end : end + 12].lstrip()
    return any(after.startswith(word) for word in _HEADING_WORDS)


def _after_heading(before: str) -> bool:
    """The piece before ends in a short numbered heading: 「二、工作小组」1.救护小组……"""
    piece = re.split(r"[。;!?:]", before)[-1]
    first = _CANDIDATES.match(piece.lstrip())
    if first is None:
        return False
    rest = piece.lstrip()[first.end() :].strip()
    return 2 <= len(rest) <= 16 and not re.search(r"[,、()]", rest)


def _title_before(segment: str) -> int | None:
    """Where a title run in before a restarting outline begins.

    「…自印发之日起施行。白石镇防汛应急预案一、总则」: the title after the last sentence.
    """
    norm = _fold(segment)
    stripped = norm.rstrip()
    if not stripped.endswith(_TITLE_WORDS) and not re.search(
        r"(?:预案|方案)\s*\([^)]{1,8}\)$", stripped
    ):
        return None
    start = max((norm.rfind(c) for c in "。;!?"), default=-1) + 1
    title = norm[start:].strip()
    if not 4 <= len(title) <= 50:
        return None
    return start


def _candidate(match: re.Match[str]) -> tuple[str, int, tuple[int, ...]]:
    if match.group("chapter"):
        return f"chapter_{match.group('ck')}", _value(match.group("cv")), ()
    if match.group("slide"):
        return "chapter_部分", int(match.group("sv")), ()
    if match.group("dun"):
        return "dun", _value(match.group("dv")), ()
    if match.group("cparen"):
        return "cparen", _value(match.group("pv")), ()
    if match.group("aparen"):
        return "aparen", int(match.group("av")), ()
    if match.group("circled"):
        return "circled", ord(match.group("circled")) - 0x245F, ()
    if match.group("bare"):
        return "bare", int(match.group("bv")), ()
    if match.group("level"):
        return "level", _LEVEL_NUMBERS.get(match.group("lv"), 0), ()
    if match.group("decimal"):
        dotted = tuple(int(n) for n in match.group("dec").split("."))
        return "decimal", dotted[-1], dotted
    return "arabic", int(match.group("arv")), ()


def _split_here(
    outline: _Outline,
    norm: str,
    match: re.Match[str],
    kind: str,
    value: int,
    dotted: tuple[int, ...],
) -> bool:
    # What comes just before is enough, and a window keeps a long line linear.
    before = norm[max(0, match.start() - 200) : match.start()].rstrip()
    if not before:
        return False
    last = before[-1]
    ended = last in _SENTENCE_END or before.endswith(("。”", "。)", ".”"))
    heading = _heading_follows(norm, match.end()) or _after_heading(before)
    if kind == "dun":
        return (outline.expected(kind, value) or value == 1) and (ended or heading or last in "》)")
    if kind.startswith("chapter_"):
        if kind == "chapter_条":
            return ended and (outline.expected(kind, value) or value == 1)
        return (ended or heading) and (outline.expected(kind, value) or value == 1)
    if kind == "decimal":
        within = dotted[0] == outline.chapter or (dotted[0] == outline.chapter + 1 and value == 1)
        return (
            within and last not in "第约共至到和或及、" and (ended or heading or not last.isdigit())
        )
    if kind == "cparen":
        return last not in "第条款项" and (ended or (outline.expected(kind, value) and heading))
    if kind in ("aparen", "circled"):
        return ended or (outline.expected(kind, value) and last not in "第条款项")
    if kind == "level":  # 「……的；二级：参与人数……」
        return ended
    if kind == "bare":  # 「……措施。4 事故分级按照……」: the next chapter
        return ended and value == outline.chapter + 1 and _heading_follows(norm, match.end())
    # 1. 2. 3., also after a short heading: 「二、工作小组1.救护小组……」
    return (ended or _after_heading(before)) and (outline.expected(kind, value) or value == 1)


def _split_line(line: str, outline: _Outline, limit: int = 1_000_000) -> list[str]:
    norm = _fold(line)
    cuts: list[int] = []
    first = _CANDIDATES.match(norm.lstrip())
    if first:
        kind, value, dotted = _candidate(first)
        outline.see(kind, value, dotted)
    for match in _CANDIDATES.finditer(norm):
        if len(cuts) > limit:
            break  # more lines than any plan: the caller refuses the file
        if match.start() == len(norm) - len(norm.lstrip()):
            continue
        kind, value, dotted = _candidate(match)
        if value < 0:
            continue
        title = None
        if value == 1 and kind in ("dun", "chapter_章", "chapter_部分", "chapter_条", "decimal"):
            # a title is short: the window keeps a long unbroken line linear
            segment_start = max(cuts[-1] if cuts else 0, match.start() - 120)
            title = _title_before(line[segment_start : match.start()])
        if title is None and not _split_here(outline, norm, match, kind, value, dotted):
            continue
        if title is not None:  # 「…施行。白石镇信访接待工作制度第一条……」: a new document
            cuts.append(segment_start + title)
        cuts.append(match.start())
        outline.see(kind, value, dotted)
    if not cuts:
        return [line]
    pieces = []
    start = 0
    for cut in cuts:
        if line[start:cut].strip():
            pieces.append(line[start:cut].strip())
        start = cut
    pieces.append(line[start:].strip())
    return [piece for piece in pieces if piece]


_COLLECTION_HEAD = re.compile(r"^(.{2,40}?(?:汇编|合集|选编))(?=.{4,60}(?:预案|方案|制度|办法)$)")


def _split_run_in(lines: list[str], limit: int) -> list[str]:
    """The lines with headings run into them split out; past limit lines it stops."""
    outline = _Outline()
    found: list[str] = []
    for line in lines:
        if len(found) > limit:
            found.append(line)
            continue
        for piece in _split_line(line, outline, limit - len(found)):
            collection = _COLLECTION_HEAD.match(_fold(piece))
            if collection:  # 「……预案合集清溪县……预案」: the collection's title, then the plan's
                found.extend((piece[: collection.end()], piece[collection.end() :]))
            else:
                found.append(piece)
    return found


# -------------------------------------------------------------------------- result


@dataclass
class Source:
    lines: list[str]  # the lines to read
    removed: list[str]  # page furniture taken out, to show the user


def prepare(text: str, *, max_lines: int = 1_000_000) -> Source:
    """The lines of a plan's text, with the page furniture taken out and listed; past
    max_lines the splitting stops, and the caller refuses the file."""
    raw = [line.strip() for line in re.split(r"\r\n|[\r\n\u2028\u2029\f\v]", text or "")]
    lines = [_BULLET.sub("", line) for line in raw if line]
    lines = _strip_glosses(lines)
    lines, removed = _remove_furniture(lines)
    lines = _join_wraps(lines)
    lines = _split_run_in(lines, max_lines)
    return Source(lines=lines, removed=_unique(removed))


def _unique(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item, None)
    return list(seen)
