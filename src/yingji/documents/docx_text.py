"""The text of a .docx: body paragraphs and tables in document order, with the numbers of
Word's automatic numbering written out ("一、", "（一）", "1.1").

python-docx leaves the numbers out, yet a plan's structure lives in them; ``_Numbering``
counts them through the document as Word does and ``format_number`` writes each in its
number format. Text boxes, footnotes, headers and footers are left out; they are page
furniture in a plan, not its content. Embedded objects (a plan's Excel tables) are
counted and reported as not read."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from yingji.documents.reading import Extracted, not_word

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Containers whose text is not the document's running text, or not shown: text boxes,
# deleted text, the fallback copy of alternate content (its choice is read), field codes,
# embedded objects, the phonetic guide above ruby text.
_SKIPPED = frozenset(
    {
        f"{W}txbxContent",
        f"{W}del",
        f"{W}moveFrom",
        f"{W}delText",
        f"{W}instrText",
        f"{W}pPr",
        f"{W}rPr",
        f"{MC}Fallback",
        f"{W}footnoteReference",
        f"{W}endnoteReference",
        f"{W}commentReference",
        f"{W}object",
        f"{W}rt",
    }
)
_CONTAINERS = frozenset({f"{W}sdt", f"{W}sdtContent", f"{W}customXml", f"{W}smartTag"})


def text_of(data: bytes) -> Extracted:
    """The text of the .docx package ``data``, or ValidationError when it cannot be opened."""
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    try:
        document: Any = Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.LxmlError):
        raise not_word() from None
    numbering = _Numbering(document)
    lines: list[str] = []
    for block in _blocks(document.element.body):
        if block.tag == f"{W}p":
            lines.append(numbering.label(block) + _paragraph_text(block))
        else:
            lines.extend(_table_rows(block, numbering))
    # Plans often embed their Excel tables as objects, whose content is not in the text.
    objects = sum(1 for _object in document.element.body.iter(f"{W}object"))
    problems: tuple[str, ...] = ()
    if objects:
        problems = (
            _(
                "%(count)d embedded objects (such as Excel tables) were not read. To import "
                "their content, paste it into the document as text or a Word table."
            )
            % {"count": objects},
        )
    return Extracted("\n".join(lines), problems)


def _blocks(parent: Any) -> list[Any]:
    """The paragraphs and tables of a body or cell, in order, through content controls."""
    blocks = []
    for child in parent.iterchildren():
        if child.tag in (f"{W}p", f"{W}tbl"):
            blocks.append(child)
        elif child.tag in _CONTAINERS:
            blocks.extend(_blocks(child))
    return blocks


def _paragraph_text(paragraph: Any) -> str:
    parts: list[str] = []

    def walk(element: Any) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIPPED:
                continue
            if tag == f"{W}t":
                parts.append(child.text or "")
            elif tag in (f"{W}tab", f"{W}ptab"):
                parts.append("\t")
            elif tag in (f"{W}br", f"{W}cr"):
                parts.append("\n")
            elif tag == f"{W}noBreakHyphen":
                parts.append("-")
            else:
                walk(child)

    walk(paragraph)
    return "".join(parts)


def _table_rows(table: Any, numbering: _Numbering) -> list[str]:
    rows = []
    for row in _children(table, f"{W}tr"):
        cells = []
        for cell in _children(row, f"{W}tc"):
            # A cell merged into the one above (vMerge without "restart") holds nothing
            # of its own; its text is the first cell's, written once.
            texts = []
            for block in _blocks(cell):
                if block.tag == f"{W}p":
                    texts.append(numbering.label(block) + _paragraph_text(block))
                else:
                    texts.extend(_table_rows(block, numbering))
            cells.append(" ".join(t.strip() for t in texts if t.strip()))
        line = "\t".join(cell.replace("\n", " ") for cell in cells)
        if line.strip():
            rows.append(line)
    return rows


def _children(parent: Any, tag: str) -> list[Any]:
    found = []
    for child in parent.iterchildren():
        if child.tag == tag:
            found.append(child)
        elif child.tag in _CONTAINERS:
            found.extend(_children(child, tag))
    return found


def _val(element: Any, tag: str) -> str | None:
    found = element.find(f"{W}{tag}") if element is not None else None
    return found.get(f"{W}val") if found is not None else None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    suffix: str = "tab"
    restart: int | None = None
    legal: bool = False
    style: str | None = None


def _level(element: Any) -> _Level:
    restart = _val(element, "lvlRestart")
    return _Level(
        start=_int(_val(element, "start"), 1),
        fmt=_val(element, "numFmt") or "decimal",
        text=_val(element, "lvlText") or "",
        suffix=_val(element, "suff") or "tab",
        restart=_int(restart, 0) if restart is not None else None,
        legal=element.find(f"{W}isLgl") is not None
        and _val(element, "isLgl") not in ("0", "false"),
        style=_val(element, "pStyle"),
    )


@dataclass
class _Num:
    abstract: str
    levels: dict[int, _Level]
    start_overrides: dict[int, int] = field(default_factory=dict)


class _Numbering:
    """Word's automatic numbering, counted through the document in reading order.

    Counters belong to the abstract definition a numbering instance (numId) points at, so
    instances of one definition continue each other's count; an instance that overrides a
    level's start restarts the count where it is first used. A level restarts when a
    higher level advances (or only after the level named in its lvlRestart)."""

    def __init__(self, document: Any) -> None:
        self.nums: dict[str, _Num] = {}
        self.styles: dict[str, tuple[str | None, str | None, str | None]] = {}
        self.default_style: str | None = None
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        self._read_styles(document)
        self._read_numbering(document)

    def _read_styles(self, document: Any) -> None:
        try:
            root = document.styles.element
        except (KeyError, ValueError, NotImplementedError):
            return
        for style in root.iterfind(f"{W}style"):
            if style.get(f"{W}type") != "paragraph":
                continue
            style_id = style.get(f"{W}styleId")
            if style_id is None:
                continue
            if style.get(f"{W}default") in ("1", "true"):
                self.default_style = style_id
            num_pr = style.find(f"{W}pPr/{W}numPr")
            self.styles[style_id] = (
                _val(num_pr, "numId"),
                _val(num_pr, "ilvl"),
                _val(style, "basedOn"),
            )

    def _read_numbering(self, document: Any) -> None:
        try:
            root = document.part.numbering_part.element
        except (KeyError, ValueError, NotImplementedError):
            return
        abstracts: dict[str, dict[int, _Level]] = {}
        links: dict[str, str] = {}
        for abstract in root.iterfind(f"{W}abstractNum"):
            abstract_id = abstract.get(f"{W}abstractNumId")
            if abstract_id is None:
                continue
            abstracts[abstract_id] = {
                _int(level.get(f"{W}ilvl"), 0): _level(level)
                for level in abstract.iterfind(f"{W}lvl")
            }
            if (link := _val(abstract, "numStyleLink")) is not None:
                links[abstract_id] = link
        for num in root.iterfind(f"{W}num"):
            num_id = num.get(f"{W}numId")
            abstract_id = _val(num, "abstractNumId")
            if num_id is None or abstract_id is None:
                continue
            levels = dict(abstracts.get(abstract_id, {}))
            overrides: dict[int, int] = {}
            for override in num.iterfind(f"{W}lvlOverride"):
                ilvl = _int(override.get(f"{W}ilvl"), 0)
                if (start := _val(override, "startOverride")) is not None:
                    overrides[ilvl] = _int(start, 1)
                if (replaced := override.find(f"{W}lvl")) is not None:
                    levels[ilvl] = _level(replaced)
            self.nums[num_id] = _Num(abstract_id, levels, overrides)
        # An abstract definition that only links to a numbering style takes its levels
        # from the definition behind the style's numbering.
        for num in self.nums.values():
            if num.abstract in links and not num.levels:
                style_num = self.styles.get(links[num.abstract], (None, None, None))[0]
                target = self.nums.get(style_num or "")
                if target is not None and target is not num:
                    num.abstract, num.levels = target.abstract, dict(target.levels)

    def _style_numbering(self, style_id: str | None) -> tuple[str | None, str | None, str | None]:
        """numId and ilvl a paragraph style gives (through the styles it is based on),
        and the style that gave the numId."""
        seen: set[str] = set()
        num_id = ilvl = None
        owner = None
        while style_id is not None and style_id not in seen:
            seen.add(style_id)
            style_num, style_ilvl, based_on = self.styles.get(style_id, (None, None, None))
            if ilvl is None:
                ilvl = style_ilvl
            if num_id is None and style_num is not None:
                num_id, owner = style_num, style_id
            if num_id is not None and ilvl is not None:
                break
            style_id = based_on
        return num_id, ilvl, owner

    def label(self, paragraph: Any) -> str:
        """The number Word shows before ``paragraph`` with what separates it from the
        text, and the count advanced; "" when the paragraph is not numbered."""
        if not self.nums:
            return ""
        p_pr = paragraph.find(f"{W}pPr")
        num_pr = p_pr.find(f"{W}numPr") if p_pr is not None else None
        num_id, ilvl = _val(num_pr, "numId"), _val(num_pr, "ilvl")
        style_id = _val(p_pr, "pStyle") or self.default_style
        style_num, style_ilvl, owner = self._style_numbering(style_id)
        num_id = num_id if num_id is not None else style_num
        num = self.nums.get(num_id or "")
        if num is None:  # no numbering, or numId 0: numbering removed
            return ""
        if ilvl is None:
            ilvl = style_ilvl
        if ilvl is None and owner is not None:
            # A heading style carries only the numId; the level is the one that names it.
            ilvl = next((str(n) for n, level in num.levels.items() if level.style == owner), None)
        level_index = min(max(_int(ilvl, 0), 0), 8)
        if level_index not in num.levels:
            return ""
        return self._advance(num_id or "", num, level_index)

    def _advance(self, num_id: str, num: _Num, ilvl: int) -> str:
        counters = self.counters.setdefault(num.abstract, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for level_index, start in num.start_overrides.items():
                counters[level_index] = start - 1
                for deeper in [n for n in counters if n > level_index]:
                    del counters[deeper]
        level = num.levels[ilvl]
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [n for n in counters if n > ilvl]:
            restart = num.levels[deeper].restart if deeper in num.levels else None
            restart = deeper if restart is None else restart
            if restart != 0 and ilvl < restart:
                del counters[deeper]
        if level.fmt in ("bullet", "none"):
            return ""

        def number(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            shown = num.levels.get(index, _Level())
            value = counters.get(index, shown.start)
            fmt = "decimal" if level.legal else shown.fmt
            return format_number(value, fmt)

        text = re.sub(r"%([1-9])", number, level.text)
        if not text:
            return ""
        if level.suffix == "nothing":
            return text
        last = text[-1]
        wide_punctuation = unicodedata.category(last).startswith("P") and (
            unicodedata.east_asian_width(last) in ("W", "F")
        )
        return text if wide_punctuation else text + " "


# ----------------------------------------------------------------------------- numbers

_CHINESE_DIGITS = "零一二三四五六七八九"
_LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_LEGAL_TRADITIONAL_DIGITS = "零壹貳參肆伍陸柒捌玖"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def _chinese(value: int, digits: str = _CHINESE_DIGITS, units: str = "十百千") -> str:
    """A number in Chinese counting: 十, 十一, 二十, 一百零一, 一千零二十."""
    if value == 0:
        return digits[0]
    if value >= 10_000:
        high, low = divmod(value, 10_000)
        rest = _chinese(low, digits, units) if low else ""
        gap = digits[0] if 0 < low < 1000 else ""
        return _chinese(high, digits, units) + "万" + gap + rest
    out: list[str] = []
    zero = False
    for power, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        digit, value = divmod(value, power)
        if digit:
            if zero and out:
                out.append(digits[0])
            out.append(digits[digit] + unit)
            zero = False
        else:
            zero = True
    text = "".join(out)
    if units == "十百千" and text.startswith(digits[1] + units[0]):
        text = text[1:]  # 十一, not 一十一
    return text


def _letters(value: int, alphabet: str) -> str:
    """A, B … Z, AA, BB … as Word counts letters."""
    count, index = divmod(value - 1, len(alphabet))
    return alphabet[index] * (count + 1)


def _circled(value: int) -> str:
    if 1 <= value <= 20:
        return chr(0x2460 + value - 1)
    if 21 <= value <= 35:
        return chr(0x3251 + value - 21)
    if 36 <= value <= 50:
        return chr(0x32B1 + value - 36)
    return str(value)


def format_number(value: int, fmt: str) -> str:
    """``value`` as Word shows it in the number format ``fmt`` (w:numFmt)."""
    if value < 0:
        return str(value)
    if fmt in ("decimalZero",):
        return f"{value:02d}"
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "japaneseCounting",
        "taiwaneseCounting",
        "taiwaneseCountingThousand",
    ):
        return _chinese(value)
    if fmt == "chineseLegalSimplified":
        return _chinese(value, _LEGAL_DIGITS, "拾佰仟")
    if fmt == "ideographLegalTraditional":
        return _chinese(value, _LEGAL_TRADITIONAL_DIGITS, "拾佰仟")
    if fmt == "ideographEnclosedCircle" and 1 <= value <= 10:
        return chr(0x3220 + value - 1)  # ㈠ ㈡ ㈢
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(_CHINESE_DIGITS[int(d)].replace("零", "〇") for d in str(value))
    if fmt == "ideographTraditional" and 1 <= value <= len(_HEAVENLY_STEMS):
        return _HEAVENLY_STEMS[value - 1]
    if fmt == "ideographZodiac" and 1 <= value <= len(_EARTHLY_BRANCHES):
        return _EARTHLY_BRANCHES[value - 1]
    if fmt in ("upperRoman", "lowerRoman") and 1 <= value < 4000:
        roman = ""
        for amount, letters in _ROMAN:
            while value >= amount:
                roman += letters
                value -= amount
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt in ("upperLetter", "lowerLetter") and value >= 1:
        letters = _letters(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return letters if fmt == "upperLetter" else letters.lower()
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return _circled(value)
    if fmt == "decimalEnclosedParen" and 1 <= value <= 20:
        return chr(0x2474 + value - 1)
    if fmt == "decimalEnclosedFullstop" and 1 <= value <= 20:
        return chr(0x2488 + value - 1)
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(0xFF10 + int(d)) for d in str(value))
    if fmt in ("bullet", "none"):
        return ""
    return str(value)
