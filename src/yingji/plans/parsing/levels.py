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
