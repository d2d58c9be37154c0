"""Periodic reports (值班日报, 信访工作月报 …) as DOCX: GB/T 9704 text with tables and
charts. No Django in here.

A report is a title and a run of blocks: headings, paragraphs, tables and charts. The
page, the fonts, the headings and the sign-off are those of layout.py; tables carry a
caption above ("表1 …") and charts one below ("图1 …"), numbered through the document.
The texts come from the caller, already in the reader's language; the captions' 表/图
and the empty table's line are Chinese document conventions, like layout's 签发人.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date

from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Mm, Pt

from yingji.documents import chartimage, layout
from yingji.documents.layout import BODY_PT, LINE_PT, TITLE_PT, Fonts, set_font, set_spacing

TEXT_WIDTH_MM = 156  # the GB/T 9704 text block
CHART_WIDTH_CM = 15.5
CAPTION_PT = 14  # 4号
TABLE_PT = 14  # 4号, up to WIDE columns
WIDE_TABLE_PT = 12  # 小4, so that 6-8 columns fit
WIDE = 6
EMPTY = "（本期无数据）"
GRID_STYLE = "Yingji Report Grid"
# Characters XML 1.0 cannot hold (python-docx refuses them); tabs and line feeds stay.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
NUMBER = re.compile(r"[+\-−]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*[%‰％]?")
NO_FIGURE = {"—", "–", "-", "－", "——"}  # a dash standing for a missing figure


@dataclass
class Heading:
    level: int  # 1: 一、 (黑体), 2: （一） (楷体), 3: 1. (仿宋 bold); numbered by the caller
    text: str


@dataclass
class Text:
    text: str  # one body paragraph


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]  # cells already as text
    note: str = ""  # a line under the table, as given (e.g. "注：数据截至11月30日。")


@dataclass
class Chart:
    title: str
    kind: str  # one of chartimage.KINDS
    categories: list[str]
    series: list[tuple[str, list[float | None]]]  # (name, a value or None per category)


Block = Heading | Text | Table | Chart


@dataclass
class Report:
    title: str
    issuer: str  # 发文机关署名 at the end
    issued_on: date
    blocks: list[Block] = field(default_factory=list)
    number: str = ""  # e.g. 第11期, under the title
    subtitle: str = ""  # e.g. the period, under the title
    mark: str = ""  # e.g. 【演练】, top left
    note: str = ""  # 附注 after the date


def captions(report: Report) -> dict[int, str]:
    """Block index -> caption, tables and charts numbered separately in order."""
    counts = {"表": 0, "图": 0}
    result: dict[int, str] = {}
    for index, block in enumerate(report.blocks):
        if isinstance(block, Table | Chart):
            prefix = "表" if isinstance(block, Table) else "图"
            counts[prefix] += 1
            result[index] = f"{prefix}{counts[prefix]} {block.title}"
    return result


def _plain(text: str) -> str:
    return CONTROL.sub(" ", text)


def is_number(cell: str) -> bool:
    """A count, amount or percentage (or a dash in its place), set right-aligned so the
    digits line up."""
    cell = cell.strip()
    return cell in NO_FIGURE or NUMBER.fullmatch(cell) is not None


def grid(table: Table) -> tuple[list[str], list[list[str]]]:
    """The header and the rows, each cut or padded to the header's width."""
    width = len(table.columns)
    rows = [[*row[:width], *[""] * (width - len(row))] for row in table.rows]
    return list(table.columns), rows


def column_shares(table: Table) -> list[float]:
    """Each column's share of the text width, from its widest cell (a CJK character
    counting as two Latin ones), between a floor and a ceiling so that none vanishes."""
    columns, rows = grid(table)
    if not columns:
        return []
    weights = []
    for index, name in enumerate(columns):
        cells = [name, *(row[index] for row in rows)]
        widest = max(sum(2 if ord(c) > 0x2E7F else 1 for c in cell) for cell in cells)
        weights.append(min(max(widest, 4), 30))
    total = sum(weights)
    return [weight / total for weight in weights]


def table_size(table: Table) -> int:
    return WIDE_TABLE_PT if len(table.columns) >= WIDE else TABLE_PT


def _grid_style(document: DocumentObject) -> None:
    """A table style with thin black borders, defined here rather than named, since
    Word's "Table Grid" is missing from some templates."""
    style = document.styles.add_style(GRID_STYLE, WD_STYLE_TYPE.TABLE)
    properties = OxmlElement("w:tblPr")  # the last child of a new style, as the schema orders
    style.element.append(properties)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "4")  # eighths of a point
        line.set(qn("w:space"), "0")
        line.set(qn("w:color"), "000000")
        borders.append(line)
    properties.append(borders)
    # Narrower side margins than Word's 1.9 mm, so that eight columns keep their text.
    margins = OxmlElement("w:tblCellMar")
    for edge, twips in (("top", 0), ("left", 57), ("bottom", 0), ("right", 57)):
        margin = OxmlElement(f"w:{edge}")
        margin.set(qn("w:w"), str(twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties.append(margins)


def _compact(paragraph: object, size: float) -> None:
    fmt = paragraph.paragraph_format  # type: ignore[attr-defined]
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(round(size * 1.35, 1))
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(0)


def _caption(document: DocumentObject, text: str, fonts: Fonts, *, above: bool) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_spacing(paragraph)
    fmt = paragraph.paragraph_format
    if above:
        fmt.space_before = Pt(LINE_PT / 2)
        fmt.keep_with_next = True
    else:
        fmt.space_after = Pt(LINE_PT / 2)
    set_font(paragraph.add_run(_plain(text)), fonts.heading, CAPTION_PT)


def _on(tag: str) -> BaseOxmlElement:
    element = OxmlElement(tag)
    element.set(qn("w:val"), "true")
    return element


def _table(document: DocumentObject, table: Table, caption: str, fonts: Fonts) -> None:
    _caption(document, caption, fonts, above=True)
    columns, rows = grid(table)
    size = table_size(table)
    if not rows or not columns:
        empty = document.add_paragraph()
        empty.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_spacing(empty)
        set_font(empty.add_run(EMPTY), fonts.body, BODY_PT)
    else:
        shape = document.add_table(rows=1 + len(rows), cols=len(columns))
        shape.style = document.styles[GRID_STYLE]
        shape.alignment = WD_TABLE_ALIGNMENT.CENTER
        shape.autofit = False
        widths = [Mm(TEXT_WIDTH_MM * share) for share in column_shares(table)]
        for number, texts in enumerate([columns, *rows]):
            row = shape.rows[number]
            properties = row._tr.get_or_add_trPr()
            properties.append(_on("w:cantSplit"))  # a row stays on one page
            if number == 0:
                properties.append(_on("w:tblHeader"))  # repeated on each page
            for cell, text, width in zip(row.cells, texts, widths, strict=True):
                cell.width = width
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                paragraph = cell.paragraphs[0]
                _compact(paragraph, size)
                if number == 0:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                elif is_number(text):
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                set_font(paragraph.add_run(_plain(text)), fonts.body, size, bold=number == 0)
        for column, width in zip(shape.columns, widths, strict=True):
            column.width = width
    if table.note:
        note = document.add_paragraph()
        _compact(note, WIDE_TABLE_PT)
        note.paragraph_format.space_before = Pt(3)
        set_font(note.add_run(_plain(table.note)), fonts.body, WIDE_TABLE_PT)
    set_spacing(document.add_paragraph())  # keeps the next table apart, and a line of air


def _chart(document: DocumentObject, chart: Chart, caption: str, fonts: Fonts) -> None:
    picture = document.add_paragraph()
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = picture.paragraph_format
    # An exact line height, as Normal has, would crop the picture to one line.
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.space_before = Pt(LINE_PT / 2)
    fmt.space_after = Pt(0)
    fmt.keep_with_next = True
    picture.add_run().add_picture(io.BytesIO(chartimage.png(chart)), width=Cm(CHART_WIDTH_CM))
    _caption(document, caption, fonts, above=False)


def render(report: Report, fonts: Fonts | None = None) -> bytes:
    fonts = fonts or Fonts()
    document = layout.new_document(fonts)
    _grid_style(document)
    if report.mark:
        mark = document.add_paragraph()
        set_spacing(mark)
        set_font(mark.add_run(_plain(report.mark)), fonts.heading, BODY_PT, bold=True)
    title = document.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_spacing(title)
    title.paragraph_format.space_before = Pt(LINE_PT)
    last = title
    set_font(title.add_run(_plain(report.title)), fonts.title, TITLE_PT)
    for text, font in ((report.number, fonts.body), (report.subtitle, fonts.kai)):
        if text:
            line = document.add_paragraph()
            line.alignment = WD_ALIGN_PARAGRAPH.CENTER
            set_spacing(line)
            set_font(line.add_run(_plain(text)), font, BODY_PT)
            last = line
    last.paragraph_format.space_after = Pt(LINE_PT)
    numbered = captions(report)
    for index, block in enumerate(report.blocks):
        if isinstance(block, Heading):
            level = min(max(block.level, 1), 3)
            paragraph = document.add_paragraph(style=f"Heading {level}")
            set_spacing(paragraph)
            paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
            font = (fonts.heading, fonts.kai, fonts.body)[level - 1]
            set_font(paragraph.add_run(_plain(block.text)), font, BODY_PT, bold=level == 3)
        elif isinstance(block, Text):
            paragraph = document.add_paragraph()
            set_spacing(paragraph)
            paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
            set_font(paragraph.add_run(_plain(block.text)), fonts.body, BODY_PT)
        elif isinstance(block, Table):
            _table(document, block, numbered[index], fonts)
        else:
            _chart(document, block, numbered[index], fonts)
    layout.sign_off(document, fonts, _plain(report.issuer), report.issued_on, _plain(report.note))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
