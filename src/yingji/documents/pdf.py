"""Documents as PDF, for printing and for phones. No Django in here.

The text is set in a TrueType Chinese font embedded in the file (a subset of the
glyphs used), so every reader shows the same characters: the PDF standard's
non-embedded STSong-Light left readers without the Adobe-GB1 language pack showing
nothing, and others a box for characters such as "·" that their substitute font maps
differently. The first of FONT_FILES found on the server is used (Debian:
fonts-arphic-uming); without any, STSong-Light is named as before. The layout follows
documents/layout.py where a PDF can: A4, GB/T 9704 margins, a 2号 title and 3号 text on
a 22-line grid, paragraphs indented two characters.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

from yingji.documents.layout import BODY_PT, LINE_PT, TITLE_PT, Outline

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
FALLBACK = "STSong-Light"


def _register() -> tuple[str, TTFont | None]:
    for path, index in FONT_FILES:
        if not Path(path).is_file():
            continue
        try:
            font = TTFont("YingjiCJK", path, subfontIndex=index)
        except (TTFError, OSError):
            logger.warning("cannot embed the font %s", path, exc_info=True)
            continue
        pdfmetrics.registerFont(font)
        return font.fontName, font
    logger.warning("no embeddable Chinese font found; PDFs name %s unembedded", FALLBACK)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    return FALLBACK, None


FONT, EMBEDDED = _register()


def missing_glyphs(text: str) -> set[str]:
    """The characters of ``text`` the embedded font has no glyph for (shown as a box);
    empty when no font is embedded, there being no glyphs to check then."""
    if EMBEDDED is None:
        return set()
    have = EMBEDDED.face.charToGlyph
    return {c for c in text if not c.isspace() and ord(c) not in have}


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


def render(outlines: list[Outline], *, author: str = "") -> bytes:
    """Each outline starts on a new page (a plan is one; role cards are one each)."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        topMargin=37 * mm,
        leftMargin=28 * mm,
        rightMargin=26 * mm,
        bottomMargin=35 * mm,
        title=outlines[0].title if outlines else "",
        author=author,
    )
    story: list[object] = []
    for index, outline in enumerate(outlines):
        if index:
            story.append(PageBreak())
        if outline.mark:
            story.append(Paragraph(escape(outline.mark), MARK))
        story.append(Paragraph(escape(outline.title), TITLE))
        if outline.subtitle:
            story.append(Paragraph(escape(outline.subtitle), SUBTITLE))
        else:
            story.append(Spacer(1, LINE_PT / 2))
        for depth, text in outline.blocks:
            story.append(Paragraph(escape(text), HEADINGS.get(depth, BODY)))
    document.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()
