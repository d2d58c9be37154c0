"""Response levels (Ⅰ级, 一级, 特别重大 ...) and their conditions as structured triggers."""

from __future__ import annotations

import re
from typing import Any

from yingji.plans.parsing.text import _fold, _strip_number, chinese_number

# ------------------------------------------------------------------------------- levels

_ROMAN_LEVELS = {"I": 1, "II": 2, "III": 3, "IV": 4, "Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4}
_NUMERAL_LEVELS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_WORD_LEVELS = {"特别重大": 1, "重大": 2, "较大": 3, "一般": 4}
_ROMAN_RE = re.compile(r"(?<![A-Za-z])(IV|III|II|I|Ⅳ|Ⅲ|Ⅱ|Ⅰ)\s*级(?!以上|以下|及以上|及以下)")
# Not a count of levels: 「分为四级：」, 「共三级」.
_NUMERAL_RE = re.compile(
    r"(?<![上下逐同高低本每第各两十共设分\d])(?<!分为)(?<!划为)(?<!分成)([一二三四1234])\s*级"
    r"(?=响应|事件|事故|险情|灾情|疫情|火灾|突发|应急|$|[()（）:：,，、。;；\s])"
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

_RANGE_RE = re.compile(
    rf"{_NUM}\s*(?:人|名)?\s*(?:至|到|-|~|—|－)\s*{_NUM}\s*余?\s*(?P<unit>人次|人|名)"
)
_MENTION_RE = re.compile(
    r"(?P<pre>超过|多于|高于|逾|达到|达|不足|少于|低于|不到|不满|未满)?\s*"
    rf"(?P<num>{_NUM})\s*(?P<approx>余)?\s*(?P<unit>万人|人次|人|名|万元|亿元)\s*(?:次)?\s*"
    r"(?P<incl>\(\s*(?:不)?含[^)]{0,8}\))?\s*"
    r"(?P<bound>及以上|或以上|以上|及以下|或以下|以下|以内)?"
    r"\s*(?P<incl2>\(\s*(?:不)?含[^)]{0,8}\))?"
)
_HARM_FACTS = (
    ("伤亡", "casualties"),
    ("死亡", "deaths"),
    ("遇难", "deaths"),
    ("重伤", "injuries"),
    ("受伤", "injuries"),
    ("失踪", "missing"),
)
_TRAFFIC_RE = re.compile(
    r"(?:堵塞|阻断|中断|阻塞|堵截|拦截|封堵|卧轨|拦堵|占据|堵路)[^,;。]{0,10}?"
    r"(?:交通|道路|公路|铁路|国道|省道|高速|车辆|路口|干道)"
    r"|(?:交通|道路|公路|铁路|国道|省道|高速)[^,;。]{0,6}?(?:堵塞|阻断|中断|瘫痪|受阻)"
)
_FACILITY_RE = re.compile(
    r"(?:冲击|围堵|围攻|堵塞|闯入|强行进入|冲闯|包围|打砸)[^,;。]{0,12}?"
    r"(?:党政机关|国家机关|机关|重点部位|要害部位|重要设施|重点单位|重要目标|政府)"
    r"|重点部位|要害部位|重要设施"
)


def _count_fact(norm: str, start: int, end: int) -> str:
    after = re.sub(rf"^{_NUM}\s*(?:人|名)\s*(?:以下|以内)", "", norm[end:])[:4]
    before = norm[max(0, start - 8) : start]
    for word, fact in _HARM_FACTS:
        if after.startswith(word) or after.startswith("(含" + word):
            return fact
    for word, fact in _HARM_FACTS:
        if re.search(rf"{word}[^,;。、或和及与\d]{{0,4}}$", before):
            return fact
    return "people_involved"


def _op(match: re.Match[str]) -> str | None:
    """The comparison a number phrase states, by the statutory reading of 以上 and 以下:
    以上 includes the number, 以下 does not; 含 and 不含 say otherwise."""
    pre, approx, bound = match.group("pre"), match.group("approx"), match.group("bound")
    included = (match.group("incl") or match.group("incl2") or "").replace(" ", "")
    if pre in ("超过", "多于", "高于", "逾"):
        return ">"
    if pre in ("不足", "少于", "低于", "不到", "不满", "未满"):
        return "<"
    if bound in ("以上", "及以上", "或以上"):
        return ">" if "不含" in included else ">="
    if bound in ("以下", "或以下"):
        return "<=" if included.startswith("(含") else "<"
    if bound in ("及以下", "以内"):
        return "<="
    if pre or approx:
        return ">="
    return None


def _amount(match: re.Match[str]) -> tuple[str, int] | None:
    """(kind, value): people or money in 万元, from a number phrase."""
    value = chinese_number(match.group("num"))
    if value is None:
        return None
    unit = match.group("unit")
    if unit == "万人":
        return "people", value * 10_000
    if unit == "万元":
        return "money", value
    if unit == "亿元":
        return "money", value * 10_000
    return "people", value


def _bounds(norm: str) -> list[list[dict[str, Any]]]:
    """The number conditions of one condition, each a clause: 「50人以上300人以下」 is one
    clause of two bounds (>= 50 and < 300); 「100人以上，或死亡3人以上」 is two."""
    clauses: list[list[dict[str, Any]]] = []
    taken: list[tuple[int, int]] = []
    for match in _RANGE_RE.finditer(norm):  # 30至100人
        low, high = chinese_number(match.group(1)), chinese_number(match.group(2))
        if low is None or high is None:
            continue
        fact = _count_fact(norm, match.start(), match.end())
        clauses.append(
            [{"fact": fact, "op": ">=", "value": low}, {"fact": fact, "op": "<", "value": high}]
        )
        taken.append(match.span())
    previous: tuple[int, str, str] | None = None  # (end, kind, op) of the last lower bound
    for match in _MENTION_RE.finditer(norm):
        if any(low <= match.start() < high for low, high in taken):
            continue
        op, amount = _op(match), _amount(match)
        if op is None or amount is None:
            previous = None
            continue
        kind, value = amount
        if kind == "money":
            window = norm[max(0, match.start() - 12) : match.start()]
            # 「5000万元以上1亿元以下直接经济损失」: the loss is named after the range
            after = norm[match.end() : match.end() + 16]
            if "损失" not in window and "损失" not in re.split(r"[,;。]", after)[0]:
                previous = None
                continue
            fact = "economic_loss"
        else:
            fact = _count_fact(norm, match.start(), match.end())
        trigger = {"fact": fact, "op": op, "value": value}
        gap = norm[previous[0] : match.start()] if previous else ""
        upper = op in ("<", "<=")
        if (
            previous is not None
            and upper
            and previous[1] == kind
            and re.fullmatch(r"[\s、,，]{0,2}(?:且|并且|但)?", gap)
        ):
            lower = clauses[-1][-1]
            # 「3人以上10人以下死亡」: the fact is named after the upper bound
            if lower["fact"] == "people_involved" and fact != "people_involved":
                lower["fact"] = fact
            trigger["fact"] = lower["fact"] if fact == "people_involved" else fact
            clauses[-1].append(trigger)
            previous = None
            continue
        clauses.append([trigger])
        previous = (match.end(), kind, op) if not upper else None
    return clauses


def _triggers(condition: str) -> list[dict[str, Any]]:
    """Structured predicates read from one condition; the wording must be clear.

    Each trigger carries its clause: the triggers of one clause must all hold (the two
    bounds of a range), and any clause holding is enough.
    """
    norm = _fold(condition)
    clauses = _bounds(norm)
    if _TRAFFIC_RE.search(norm):
        clauses.append([{"fact": "blocks_traffic", "op": "is", "value": True}])
    if _FACILITY_RE.search(norm):
        clauses.append([{"fact": "key_facility", "op": "is", "value": True}])
    found: list[dict[str, Any]] = []
    for number, clause in enumerate(clauses):
        for trigger in clause:
            if len(clause) > 1:
                trigger = {**trigger, "clause": number}
            if trigger not in found:
                found.append(trigger)
    return found


def _condition_text(text: str) -> str:
    return _strip_number(text).strip().rstrip(";；。,，、 ").strip()
