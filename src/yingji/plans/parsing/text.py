"""The text as the parser compares it: folding full-width characters, Chinese numbers, the
numbering styles of headings and items."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

# ----------------------------------------------------------------------------- folding

_FOLD_RANGES = ((0xFF01, 0xFF5E), (0xFE50, 0xFE6B), (0x2E80, 0x2FDF))
_SPACES = frozenset("\t\xa0\u2002\u2003\u2009\u200b\u3000")


# Han characters: the basic block, extension A and the compatibility ideographs.
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


def _fold_char(char: str) -> str:
    if char in _SPACES:
        return " "
    code = ord(char)
    if any(low <= code <= high for low, high in _FOLD_RANGES):
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) == 1:
            return folded
    return char


@functools.cache
def _fold_table() -> dict[int, str]:
    """Full-width to half-width, and traditional Han characters to simplified ones.

    OpenCC's dictionary is applied to each Han block at once, which keeps one character
    for one character (its t2s conversion never changes a length), so the table can be
    built by pairing the characters up.
    """
    import opencc

    table: dict[int, str] = {}
    for low, high in _FOLD_RANGES:
        for code in range(low, high + 1):
            folded = _fold_char(chr(code))
            if folded != chr(code):
                table[code] = folded
    for char in _SPACES:
        table[ord(char)] = " "
    # Hong Kong's variants (衞 for 卫, 敍 for 叙) where the general table keeps them.
    for config in ("hk2s", "t2s"):
        convert = opencc.OpenCC(config).convert
        for low, high in _HAN_RANGES:
            block = "".join(chr(code) for code in range(low, high + 1))
            simplified = convert(block)
            if len(simplified) != len(block):  # pragma: no cover - OpenCC keeps lengths
                simplified = "".join(convert(char)[:1] or char for char in block)
            for original, converted in zip(block, simplified, strict=True):
                if original != converted:
                    table[ord(original)] = converted
    return table


def _fold(text: str) -> str:
    """The text as it is compared: full-width ASCII to half-width (NFKC), traditional
    characters to simplified, keeping one character for one character so that a span
    found on the folded text slices the text as written."""
    return text.translate(_fold_table())


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
    # 「PART 2 组织指挥体系」: the chapters of slides
    (
        "chapter",
        re.compile(
            rf"^(?:第\s*(?:{_CN_NUM}|\d+)\s*(?:章|部分)|(?i:part)\s*\d{{1,2}}(?=\s*[\u4e00-\u9fff]))"
        ),
    ),
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
_UNIT_CHARS = frozenset("人名户个次万亿元%倍吨至到~－-")
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


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())
