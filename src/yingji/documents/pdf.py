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
