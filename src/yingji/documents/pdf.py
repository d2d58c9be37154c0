"""Documents as PDF, for printing and for phones. No Django in here.

The text is set in the PDF standard's Chinese font (Adobe-GB1 STSong-Light), which
every PDF reader supplies, so nothing has to be embedded and no font file is needed on
the server. The layout follows documents/layout.py where a PDF can: A4, GB/T 9704
margins, a 2号 title and 3号 text on a 22-line grid, paragraphs indented two characters.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

from yingji.documents.layout import BODY_PT, LINE_PT, TITLE_PT, Outline

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

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
