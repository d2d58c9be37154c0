"""Word documents in Word's own heading styles, in the GB/T 9704 look, with the fonts
the setting or the server offers (issue 21, item 14)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from yingji.documents import layout
from yingji.documents import services as documents

FONTS = layout.Fonts(body="仿宋_GB2312", title="方正小标宋简体", heading="黑体", kai="楷体_GB2312")
OUTLINE = layout.Outline(
    title="白石镇群体性上访事件应急预案",
    subtitle="白政发〔2026〕12号",
    blocks=[
        (1, "一、总则"),
        (2, "（一）编制目的"),
        (0, "及时、有效处置群体性上访事件。"),
        (3, "1. 现场处置组"),
        (4, "（1）涉及人数 ≥ 100"),
    ],
)


def _east_asian(style) -> str:
    return style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def test_headings_are_words_heading_styles_in_the_official_look() -> None:
    document = Document(io.BytesIO(layout.render_outline(OUTLINE, FONTS)))
    styles = {p.text: p.style for p in document.paragraphs}
    assert styles["白石镇群体性上访事件应急预案"].name == "Title"
    assert styles["一、总则"].name == "Heading 1"
    assert styles["（一）编制目的"].name == "Heading 2"
    assert styles["1. 现场处置组"].name == "Heading 3"
    # Text and numbered items stay in Normal, out of the navigation pane.
    assert styles["及时、有效处置群体性上访事件。"].name == "Normal"
    assert styles["（1）涉及人数 ≥ 100"].name == "Normal"
    expected = {
        "Normal": ("仿宋_GB2312", 16, False),
        "Title": ("方正小标宋简体", 22, False),
        "Heading 1": ("黑体", 16, False),
        "Heading 2": ("楷体_GB2312", 16, False),
        "Heading 3": ("仿宋_GB2312", 16, True),
    }
    for name, (font, size, bold) in expected.items():
        style = document.styles[name]
        fonts = style.element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == font and fonts.get(qn("w:ascii")) == font, name
        assert fonts.get(qn("w:eastAsiaTheme")) is None, name  # a theme font would win
        assert style.font.size == Pt(size) and bool(style.font.bold) is bold, name
        assert style.element.rPr.find(qn("w:color")) is None, name  # black, not blue
        assert style.paragraph_format.line_spacing == Pt(layout.LINE_PT), name
    for level in (1, 2, 3):
        outline = document.styles[f"Heading {level}"].element.pPr.find(qn("w:outlineLvl"))
        assert outline.get(qn("w:val")) == str(level - 1)  # what the navigation pane reads
    assert document.styles["Title"].element.pPr.find(qn("w:pBdr")) is None


def test_a_letters_headings_are_heading_one() -> None:
    letter = layout.Letter(
        title="信访事项受理告知书",
        paragraphs=["你（单位）反映的问题已受理。", "如不服，可申请复查。"],
        issuer="白石镇人民政府",
        issued_on=date(2026, 9, 21),
        recipient="张三",
        headings={1: "二、救济途径"},
    )
    document = Document(io.BytesIO(layout.render(letter, FONTS)))
    styles = {p.text: p.style.name for p in document.paragraphs}
    assert styles["信访事项受理告知书"] == "Title" and styles["二、救济途径"] == "Heading 1"
    assert styles["你（单位）反映的问题已受理。"] == "Normal"
    assert _east_asian(document.styles["Heading 1"]) == "黑体"


def test_it_names_the_gb_fonts_the_server_has_and_noto_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(layout, "installed_families", lambda: frozenset({"仿宋", "黑体"}))
    fonts = layout.Fonts()
    assert (fonts.body, fonts.heading) == ("仿宋", "黑体")
    assert (fonts.title, fonts.kai) == ("Noto Serif CJK SC", "Noto Serif CJK SC")
    monkeypatch.setattr(layout, "installed_families", lambda: frozenset())
    assert layout.Fonts().heading == "Noto Sans CJK SC"


def test_the_setting_names_the_fonts(settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layout, "installed_families", lambda: frozenset())
    settings.DOCUMENT_FONTS = {"body": "仿宋_GB2312", "title": "方正小标宋简体"}
    fonts = documents.fonts()
    assert (fonts.body, fonts.title, fonts.heading) == (
        "仿宋_GB2312",
        "方正小标宋简体",
        "Noto Sans CJK SC",
    )
    document = Document(io.BytesIO(layout.render_outline(OUTLINE, fonts)))
    assert _east_asian(document.styles["Normal"]) == "仿宋_GB2312"
    assert _east_asian(document.styles["Title"]) == "方正小标宋简体"
