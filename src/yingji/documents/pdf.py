"""Documents as PDF, for printing and for phones. No Django in here.

The text is set in a TrueType Chinese font embedded in the file (a subset of the
glyphs used), so every reader shows the same characters: the PDF standard's
non-embedded STSong-Light left readers without the Adobe-GB1 language pack showing
nothing, and others a box for characters such as "·" that their substitute font maps
differently. The first of FONT_FILES found on the server is used (Debian:
fonts-arphic-uming), a character it lacks set in the first of FALLBACK_FILES that has
it; without any, STSong-Light is named as before. The layout follows
documents/layout.py where a PDF can: A4, GB/T 9704 margins, a 2号 title and 3号 text on
a 22-line grid, paragraphs indented two characters.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import (
    CondPageBreak,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from yingji.documents import chartimage
from yingji.documents import report as reports
from yingji.documents.layout import BODY_PT, LINE_PT, TITLE_PT, Outline, chinese_date

logger = logging.getLogger(__name__)

# TrueType (glyf) fonts covering GB 2312 and its punctuation, as (file, index in a
# collection). OpenType fonts with PostScript outlines (Noto CJK, Source Han) cannot be
# embedded by reportlab, so they are not listed.
FONT_FILES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),  # AR PL UMing CN, a 宋体
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("C:/Windows/Fonts/simsun.ttc", 0),
)

# For the characters the Chinese font lacks (symbols, letters of other scripts): these,
# then any other font of FONT_FILES found, each tried in turn for a character.
FALLBACK_FILES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),  # Debian: fonts-dejavu-core
    ("C:/Windows/Fonts/seguisym.ttf", 0),
)
FALLBACK = "STSong-Light"


def _load(path: str, index: int, name: str) -> TTFont | None:
    if not Path(path).is_file():
        return None
    try:
        font = TTFont(name, path, subfontIndex=index)
    except (TTFError, OSError):
        logger.warning("cannot embed the font %s", path, exc_info=True)
        return None
    pdfmetrics.registerFont(font)
    return font


def _register() -> tuple[str, TTFont | None, list[TTFont]]:
    """The font name the styles use, the embedded font behind it and its fallbacks."""
    chinese = [
        font
        for number, (path, index) in enumerate(FONT_FILES)
        if (font := _load(path, index, f"YingjiCJK{number}")) is not None
    ]
    if not chinese:
        logger.warning("no embeddable Chinese font found; PDFs name %s unembedded", FALLBACK)
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
        return FALLBACK, None, []
    others = [
        font
        for number, (path, index) in enumerate(FALLBACK_FILES)
        if (font := _load(path, index, f"YingjiFallback{number}")) is not None
    ]
    return chinese[0].fontName, chinese[0], others + chinese[1:]


FONT, EMBEDDED, FALLBACKS = _register()


def _font_for(character: str) -> TTFont | None:
    """The first embedded font with a glyph for ``character``, None if none has one."""
    for font in (EMBEDDED, *FALLBACKS):
        if font is not None and ord(character) in font.face.charToGlyph:
            return font
    return None


def missing_glyphs(text: str) -> set[str]:
    """The characters of ``text`` no embedded font has a glyph for (printed as a box);
    empty when no font is embedded, there being no glyphs to check then."""
    if EMBEDDED is None:
        return set()
    return {c for c in set(text) if not c.isspace() and _font_for(c) is None}


def _markup(text: str) -> str:
    """``text`` as paragraph markup, each run of characters the Chinese font lacks set
    in the first fallback font that has them."""
    if EMBEDDED is None:
        return escape(text)
    parts: list[str] = []
    run: list[str] = []
    current: TTFont | None = EMBEDDED

    def flush() -> None:
        if not run:
            return
        chunk = escape("".join(run))
        if current is EMBEDDED or current is None:
            parts.append(chunk)
        else:
            parts.append(f'<font name="{current.fontName}">{chunk}</font>')
        run.clear()

    for character in text:
        font = EMBEDDED if character.isspace() else (_font_for(character) or EMBEDDED)
        if font is not current:
            flush()
            current = font
        run.append(character)
    flush()
    return "".join(parts)


TITLE = ParagraphStyle(
    "title",
    fontName=FONT,
    fontSize=TITLE_PT,
    leading=TITLE_PT * 1.6,
    alignment=1,
    wordWrap="CJK",
    spaceAfter=LINE_PT / 2,
)
SUBTITLE = ParagraphStyle(
    "subtitle",
    fontName=FONT,
    fontSize=BODY_PT,
    leading=LINE_PT,
    alignment=1,
    wordWrap="CJK",
    spaceAfter=LINE_PT,
)
BODY = ParagraphStyle(
    "body",
    fontName=FONT,
    fontSize=BODY_PT,
    leading=LINE_PT,
    firstLineIndent=BODY_PT * 2,
    wordWrap="CJK",
)
HEADINGS = {
    1: ParagraphStyle("h1", parent=BODY, fontSize=BODY_PT + 1, spaceBefore=LINE_PT / 3),
    2: ParagraphStyle("h2", parent=BODY, spaceBefore=LINE_PT / 4),
    3: ParagraphStyle("h3", parent=BODY),
    4: ParagraphStyle("h4", parent=BODY),
}
MARK = ParagraphStyle("mark", parent=BODY, firstLineIndent=0)


def _footer(canvas: object, document: object) -> None:
    canvas.saveState()  # type: ignore[attr-defined]
    canvas.setFont(FONT, 14)  # type: ignore[attr-defined]
    number = canvas.getPageNumber()  # type: ignore[attr-defined]
    canvas.drawCentredString(A4[0] / 2, 20 * mm, f"— {number} —")  # type: ignore[attr-defined]
    canvas.restoreState()  # type: ignore[attr-defined]


def _template(buffer: io.BytesIO, title: str, author: str) -> SimpleDocTemplate:
    """A4 with the GB/T 9704 margins."""
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        topMargin=37 * mm,
        leftMargin=28 * mm,
        rightMargin=26 * mm,
        bottomMargin=35 * mm,
        title=title,
        author=author,
    )


def render(outlines: list[Outline], *, author: str = "") -> bytes:
    """Each outline starts on a new page (a plan is one; role cards are one each)."""
    buffer = io.BytesIO()
    document = _template(buffer, outlines[0].title if outlines else "", author)
    story: list[object] = []
    for index, outline in enumerate(outlines):
        if index:
            story.append(PageBreak())
        if outline.mark:
            story.append(Paragraph(_markup(outline.mark), MARK))
        story.append(Paragraph(_markup(outline.title), TITLE))
        if outline.subtitle:
            story.append(Paragraph(_markup(outline.subtitle), SUBTITLE))
        else:
            story.append(Spacer(1, LINE_PT / 2))
        for depth, text in outline.blocks:
            story.append(Paragraph(_markup(text), HEADINGS.get(depth, BODY)))
    document.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()


CAPTION = ParagraphStyle(
    "caption",
    parent=BODY,
    fontSize=reports.CAPTION_PT,
    leading=reports.CAPTION_PT * 1.5,
    firstLineIndent=0,
    alignment=1,
)
TABLE_CAPTION = ParagraphStyle(
    "table-caption", parent=CAPTION, spaceBefore=LINE_PT / 2, spaceAfter=4
)
FIGURE_CAPTION = ParagraphStyle("figure-caption", parent=CAPTION, spaceAfter=LINE_PT / 2)
EMPTY = ParagraphStyle("empty", parent=BODY, firstLineIndent=0, alignment=1)
SIGN_OFF = ParagraphStyle(
    "sign-off", parent=BODY, firstLineIndent=0, alignment=2, rightIndent=BODY_PT * 4
)
GREY = colors.Color(0.92, 0.92, 0.92)


def _cell_styles(size: int) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        f"cell-{size}", parent=BODY, fontSize=size, leading=size * 1.35, firstLineIndent=0
    )
    return {
        "text": base,
        "number": ParagraphStyle(f"cell-{size}-number", parent=base, alignment=2),
        "header": ParagraphStyle(f"cell-{size}-header", parent=base, alignment=1),
    }


def _table(table: reports.Table, caption: str) -> list[object]:
    """The caption, then the table with its header row repeated on each page (or the
    line saying there is nothing this period), then its note."""
    # Room for the caption, the header and a few rows, else a new page: keepWithNext
    # would move a table longer than the rest of the page whole to the next one.
    story: list[object] = [CondPageBreak(LINE_PT * 4), Paragraph(_markup(caption), TABLE_CAPTION)]
    columns, rows = reports.grid(table)
    if not rows or not columns:
        story.append(Paragraph(_markup(reports.EMPTY), EMPTY))
    else:
        styles = _cell_styles(reports.table_size(table))
        data = [[Paragraph(_markup(name), styles["header"]) for name in columns]]
        for row in rows:
            data.append(
                [
                    Paragraph(
                        _markup(cell), styles["number" if reports.is_number(cell) else "text"]
                    )
                    for cell in row
                ]
            )
        widths = [reports.TEXT_WIDTH_MM * mm * share for share in reports.column_shares(table)]
        shape = Table(data, colWidths=widths, repeatRows=1, hAlign="CENTER")
        shape.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("BACKGROUND", (0, 0), (-1, 0), GREY),  # the header, there being no bold
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        story.append(shape)
    if table.note:
        size = reports.WIDE_TABLE_PT
        note = ParagraphStyle("table-note", parent=_cell_styles(size)["text"], spaceBefore=3)
        story.append(Paragraph(_markup(table.note), note))
    story.append(Spacer(1, LINE_PT / 2))
    return story


def _chart(chart: reports.Chart, caption: str) -> object:
    width, height = 1600, 900
    content = io.BytesIO(chartimage.png(chart, width=width, height=height))
    shown = reports.CHART_WIDTH_CM * 10 * mm
    image = Image(content, width=shown, height=shown * height / width)
    return KeepTogether(
        [Spacer(1, LINE_PT / 2), image, Paragraph(_markup(caption), FIGURE_CAPTION)]
    )


def render_report(report: reports.Report) -> bytes:
    """The report as documents/report.py sets it in Word: captions numbered the same."""
    buffer = io.BytesIO()
    document = _template(buffer, report.title, report.issuer)
    story: list[object] = []
    if report.mark:
        story.append(Paragraph(_markup(report.mark), MARK))
    story.append(Paragraph(_markup(report.title), TITLE))
    lines = [(report.number, SUBTITLE), (report.subtitle, SUBTITLE)]
    shown = [(text, style) for text, style in lines if text]
    for index, (text, style) in enumerate(shown):
        last = index == len(shown) - 1
        story.append(
            Paragraph(_markup(text), style if last else ParagraphStyle("n", style, spaceAfter=0))
        )
    if not shown:
        story.append(Spacer(1, LINE_PT / 2))
    captions = reports.captions(report)
    for index, block in enumerate(report.blocks):
        if isinstance(block, reports.Heading):
            level = min(max(block.level, 1), 3)
            story.append(Paragraph(_markup(block.text), HEADINGS[level]))
        elif isinstance(block, reports.Text):
            story.append(Paragraph(_markup(block.text), BODY))
        elif isinstance(block, reports.Table):
            story.extend(_table(block, captions[index]))
        else:
            story.append(_chart(block, captions[index]))
    story.append(Spacer(1, LINE_PT))
    for text in (report.issuer, chinese_date(report.issued_on)):
        story.append(Paragraph(_markup(text), SIGN_OFF))
    if report.note:
        story.append(Paragraph(_markup(f"（{report.note}）"), BODY))
    document.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()
