"""Official documents in the GB/T 9704-2012 layout, as DOCX. No Django in here.

A4; top margin 37 mm, binding (left) margin 28 mm, a 156 × 225 mm text block; 22
lines of 28 characters; body in 3号 (16 pt) 仿宋, title in 2号 (22 pt) 小标宋; each
paragraph indented two characters; the date right-aligned four characters in; page
numbers in 4号 as "— 1 —" below the text block. The standard names font classes, not
vendor fonts, so the fonts are passed in (YINGJI_DOCUMENT_FONTS); without that setting
the GB/T 9704 fonts are named when the server has them, else Noto CJK.

The title and the headings use Word's own Title and Heading 1-3 styles (标题, 标题 1-3
in a Chinese Word), restyled to the look above, so Word's navigation pane and an
inserted table of contents find them; the text is in Normal.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.run import Run

BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
PAGE_NUMBER_PT = 14  # 4号
LINE_PT = 28.9  # 225 mm / 22 lines


# The font classes GB/T 9704 names, as the fonts that carry them on Chinese desktops,
# in order of preference, then the Noto CJK face used where none is installed.
PREFERRED: dict[str, tuple[str, ...]] = {
    "body": ("仿宋_GB2312", "仿宋", "FangSong", "Noto Serif CJK SC"),
    "title": ("方正小标宋简体", "方正小标宋_GBK", "华文中宋", "Noto Serif CJK SC"),
    "heading": ("黑体", "SimHei", "Noto Sans CJK SC"),
    "kai": ("楷体_GB2312", "楷体", "KaiTi", "Noto Serif CJK SC"),
}


@functools.cache
def installed_families() -> frozenset[str]:
    """The font family names fontconfig knows on this server (empty without it)."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return frozenset()
    try:
        listing = subprocess.run(  # noqa: S603 - a fixed program, no user input
            [fc_list, ":", "family"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(
        name.strip() for line in listing.splitlines() for name in line.split(",") if name.strip()
    )


def preferred(role: str) -> str:
    """The first of the role's GB/T 9704 fonts installed here, else its Noto CJK face."""
    choices = PREFERRED[role]
    have = installed_families()
    return next((name for name in choices if name in have), choices[-1])


@dataclass(frozen=True)
class Fonts:
    body: str = field(default_factory=lambda: preferred("body"))  # 仿宋: text, levels 3-4
    title: str = field(default_factory=lambda: preferred("title"))  # 小标宋: the title
    heading: str = field(default_factory=lambda: preferred("heading"))  # 黑体: level 1
    kai: str = field(default_factory=lambda: preferred("kai"))  # 楷体: level 2


@dataclass
class Letter:
    """The parts of a document addressed to one recipient (a notice, a written reply)."""

    title: str
    paragraphs: list[str]
    issuer: str
    issued_on: date
    recipient: str = ""
    number: str = ""  # 发文字号 or the case number
    headings: dict[int, str] = field(default_factory=dict)  # paragraph index -> heading text
    mark: str = ""  # e.g. 【演练】 on drill documents
    signer: str = ""  # 签发人 of an upward document, set top right
    note: str = ""  # 附注 below the date, e.g. the contact person and phone


def set_font(run: Run, name: str, size: float, *, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    # Without the East Asian font attribute Word ignores the font for Chinese text.
    properties = run._element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.append(fonts)
    for attribute in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attribute), name)


THEME_FONTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _restyle(document: DocumentObject, fonts: Fonts) -> None:
    """Normal, Title and Heading 1-3 in the official look: Word's template gives them
    theme fonts, colours, a rule under the title and their own spacing; each gets one
    font for Chinese and Latin, its size, black, and the 22-line grid instead."""
    looks = {
        "Normal": (fonts.body, BODY_PT, False),
        "Title": (fonts.title, TITLE_PT, False),
        "Heading 1": (fonts.heading, BODY_PT, False),
        "Heading 2": (fonts.kai, BODY_PT, False),
        "Heading 3": (fonts.body, BODY_PT, True),
    }
    for name, (font, size, bold) in looks.items():
        style = document.styles[name]
        properties = style.element.get_or_add_rPr()
        for tag in ("w:rFonts", "w:color", "w:i", "w:iCs", "w:b", "w:bCs", "w:spacing", "w:szCs"):
            for element in properties.findall(qn(tag)):
                properties.remove(element)
        rfonts = OxmlElement("w:rFonts")
        for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            rfonts.set(qn(attribute), font)
        properties.insert(0, rfonts)
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = False
        paragraph = style.element.get_or_add_pPr()
        for tag in ("w:pBdr", "w:contextualSpacing"):
            for element in paragraph.findall(qn(tag)):
                paragraph.remove(element)
        fmt = style.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(LINE_PT)
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)
        if name.startswith("Heading"):
            fmt.first_line_indent = Pt(BODY_PT * 2)
            fmt.keep_with_next = True
        if name == "Title":
            fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER


def set_spacing(paragraph: object) -> None:
    fmt = paragraph.paragraph_format  # type: ignore[attr-defined]
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PT)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def _page_number(section: object, fonts: Fonts) -> None:
    footer = section.footer  # type: ignore[attr-defined]
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(paragraph.add_run("— "), fonts.body, PAGE_NUMBER_PT)
    run = paragraph.add_run()
    set_font(run, fonts.body, PAGE_NUMBER_PT)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._element.append(element)
    set_font(paragraph.add_run(" —"), fonts.body, PAGE_NUMBER_PT)


def new_document(fonts: Fonts) -> DocumentObject:
    """An empty A4 document with the GB/T 9704 margins, page numbers and styles."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.left_margin = Mm(37), Mm(28)
    section.right_margin, section.bottom_margin = Mm(26), Mm(35)
    _page_number(section, fonts)
    _restyle(document, fonts)
    return document


def sign_off(
    document: DocumentObject, fonts: Fonts, issuer: str, issued_on: date, note: str = ""
) -> None:
    """The issuer and the date, right-aligned four characters in after an empty line,
    then the 附注 if any."""
    document.add_paragraph()
    for text in (issuer, chinese_date(issued_on)):
        line = document.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        line.paragraph_format.right_indent = Pt(BODY_PT * 4)
        set_spacing(line)
        set_font(line.add_run(text), fonts.body, BODY_PT)
    if note:
        # 附注: two characters in, in brackets, on the line below the date (GB/T 9704 7.3.6).
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        set_spacing(paragraph)
        set_font(paragraph.add_run(f"（{note}）"), fonts.body, BODY_PT)


def render(letter: Letter, fonts: Fonts | None = None) -> bytes:
    fonts = fonts or Fonts()
    document = new_document(fonts)

    if letter.mark:
        mark = document.add_paragraph()
        set_spacing(mark)
        set_font(mark.add_run(letter.mark), fonts.heading, BODY_PT, bold=True)
    if letter.signer:
        signer = document.add_paragraph()
        signer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        signer.paragraph_format.right_indent = Pt(BODY_PT)
        set_spacing(signer)
        set_font(signer.add_run("签发人："), fonts.body, BODY_PT)
        set_font(signer.add_run(letter.signer), fonts.kai, BODY_PT)
    title = document.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_spacing(title)
    title.paragraph_format.space_before = Pt(LINE_PT)
    title.paragraph_format.space_after = Pt(LINE_PT)
    set_font(title.add_run(letter.title), fonts.title, TITLE_PT)
    if letter.number:
        number = document.add_paragraph()
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_spacing(number)
        set_font(number.add_run(letter.number), fonts.body, BODY_PT)
    if letter.recipient:
        recipient = document.add_paragraph()
        set_spacing(recipient)
        set_font(recipient.add_run(f"{letter.recipient}："), fonts.body, BODY_PT)
    for index, text in enumerate(letter.paragraphs):
        if index in letter.headings:
            heading = document.add_paragraph(style="Heading 1")
            set_spacing(heading)
            heading.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
            set_font(heading.add_run(letter.headings[index]), fonts.heading, BODY_PT)
        paragraph = document.add_paragraph()
        set_spacing(paragraph)
        paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        set_font(paragraph.add_run(text), fonts.body, BODY_PT)
    sign_off(document, fonts, letter.issuer, letter.issued_on, letter.note)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@dataclass
class Outline:
    """A long document with numbered headings (a plan): blocks of (depth, text), where
    depth 1-3 is a heading (一、 / （一） / 1., numbered by the caller, in Heading 1-3),
    4 a numbered item under one (（1）, set like a level-four heading but not in the
    navigation) and 0 a paragraph."""

    title: str
    blocks: list[tuple[int, str]]
    subtitle: str = ""  # e.g. the document number and version
    mark: str = ""


def render_outline(outline: Outline, fonts: Fonts | None = None) -> bytes:
    """GB/T 9704 heading styles: 黑体, 楷体, then 仿宋 bold and 仿宋, all in 3号; levels
    1-3 in Word's Heading 1-3."""
    fonts = fonts or Fonts()
    document = new_document(fonts)
    if outline.mark:
        mark = document.add_paragraph()
        set_spacing(mark)
        set_font(mark.add_run(outline.mark), fonts.heading, BODY_PT, bold=True)
    title = document.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_spacing(title)
    title.paragraph_format.space_before = Pt(LINE_PT)
    title.paragraph_format.space_after = Pt(LINE_PT if not outline.subtitle else 0)
    set_font(title.add_run(outline.title), fonts.title, TITLE_PT)
    if outline.subtitle:
        subtitle = document.add_paragraph()
        subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_spacing(subtitle)
        subtitle.paragraph_format.space_after = Pt(LINE_PT)
        set_font(subtitle.add_run(outline.subtitle), fonts.kai, BODY_PT)
    styles = {
        1: (fonts.heading, False),
        2: (fonts.kai, False),
        3: (fonts.body, True),
        4: (fonts.body, False),
        0: (fonts.body, False),
    }
    for depth, text in outline.blocks:
        paragraph = document.add_paragraph(style=f"Heading {depth}" if 1 <= depth <= 3 else None)
        set_spacing(paragraph)
        paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        name, bold = styles.get(depth, styles[0])
        set_font(paragraph.add_run(text), name, BODY_PT, bold=bold)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def chinese_date(day: date) -> str:
    """成文日期: the full year, month and day in Arabic numerals, no leading zeros."""
    return f"{day.year}年{day.month}月{day.day}日"
