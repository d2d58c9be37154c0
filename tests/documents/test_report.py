"""Periodic reports with tables and charts, as DOCX (GB/T 9704), PDF and chart PNGs."""

from __future__ import annotations

import io
import itertools
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn
from PIL import Image
from pypdf import PdfReader

from tests.documents import pdfcheck
from yingji.documents import chartimage, layout, pdf
from yingji.documents import report as r

FONTS = layout.Fonts(body="仿宋_GB2312", title="方正小标宋简体", heading="黑体", kai="楷体_GB2312")


def _report(**changes: object) -> r.Report:
    values: dict[str, object] = {
        "title": "安澜市信访局2026年11月信访工作月报",
        "issuer": "安澜市信访局",
        "issued_on": date(2026, 12, 1),
        "number": "第11期",
        "subtitle": "（2026年11月1日至11月30日）",
        "blocks": [
            r.Heading(1, "一、总体情况"),
            r.Text("本月共受理信访事项128件，同比下降12.5%。"),
            r.Table(
                "新增信访件按渠道",
                ["渠道", "件数", "占比"],
                [["网上", "80", "62.5%"], ["来信", "20", "15.6%"], ["来访", "28", "21.9%"]],
                note="注：数据截至11月30日。",
            ),
            r.Chart("新增信访件按渠道", "bar", ["网上", "来信", "来访"], [("本期", [80, 20, 28])]),
            r.Heading(2, "（一）按地区"),
            r.Table("按地区", ["地区", "件数"], []),
            r.Heading(3, "1. 重点地区"),
            r.Chart("按期办结率", "hpercent", ["白石镇", "青山乡"], [("率", [87.5, None])]),
        ],
    }
    values.update(changes)
    return r.Report(**values)  # type: ignore[arg-type]


def _body_texts(document) -> list[str]:
    """Paragraph and cell texts in document order."""
    texts = []
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            texts.append("".join(t.text or "" for t in element.iter(qn("w:t"))))
        elif element.tag == qn("w:tbl"):
            for cell in element.iter(qn("w:tc")):
                texts.append("".join(t.text or "" for t in cell.iter(qn("w:t"))))
    return [text for text in texts if text]


def test_the_docx_holds_every_text_in_order() -> None:
    document = Document(io.BytesIO(r.render(_report(mark="【演练】", note="联系人：王五"), FONTS)))
    texts = _body_texts(document)
    expected = [
        "【演练】",
        "安澜市信访局2026年11月信访工作月报",
        "第11期",
        "（2026年11月1日至11月30日）",
        "一、总体情况",
        "本月共受理信访事项128件，同比下降12.5%。",
        "表1 新增信访件按渠道",
        *("渠道", "件数", "占比", "网上", "80", "62.5%", "来信", "20", "15.6%"),
        *("来访", "28", "21.9%"),
        "注：数据截至11月30日。",
        "图1 新增信访件按渠道",
        "（一）按地区",
        "表2 按地区",
        "（本期无数据）",
        "1. 重点地区",
        "图2 按期办结率",
        "安澜市信访局",
        "2026年12月1日",
        "（联系人：王五）",
    ]
    assert texts == expected
    styles = {p.text: p.style.name for p in document.paragraphs}
    assert styles["安澜市信访局2026年11月信访工作月报"] == "Title"
    assert styles["一、总体情况"] == "Heading 1"
    assert styles["（一）按地区"] == "Heading 2"
    assert styles["1. 重点地区"] == "Heading 3"


def test_each_chart_is_a_picture_155_mm_wide() -> None:
    document = Document(io.BytesIO(r.render(_report(), FONTS)))
    shapes = document.inline_shapes
    assert len(shapes) == 2
    assert all(round(shape.width.mm) == 155 for shape in shapes)
    images = [
        Image.open(io.BytesIO(part.blob))
        for part in document.part.package.parts
        if part.partname.startswith("/word/media/")
    ]
    assert [image.format for image in images] == ["PNG", "PNG"]


def test_the_header_row_repeats_and_numbers_are_right_aligned() -> None:
    rows = [[f"白石镇第{i}村", str(i), f"{i / 3:.1f}%"] for i in range(80)]
    report = _report(blocks=[r.Table("长表", ["村", "件数", "占比"], rows)])
    document = Document(io.BytesIO(r.render(report, FONTS)))
    table = document.tables[0]
    assert len(table.rows) == 81
    header = table.rows[0]._tr.trPr
    assert header.find(qn("w:tblHeader")) is not None
    assert table.rows[1]._tr.trPr.find(qn("w:tblHeader")) is None
    assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)
    name, count, share = table.rows[5].cells
    assert name.paragraphs[0].alignment is None  # text reads from the left
    assert count.paragraphs[0].alignment == 2 and share.paragraphs[0].alignment == 2
    assert table.style.name == r.GRID_STYLE
    borders = document.styles[r.GRID_STYLE].element.find(qn("w:tblPr")).find(qn("w:tblBorders"))
    assert borders.find(qn("w:insideH")).get(qn("w:val")) == "single"


def test_a_wide_table_is_set_smaller_and_fills_the_text_width() -> None:
    columns = [f"第{i}列" for i in range(8)]
    report = _report(blocks=[r.Table("宽表", columns, [["1"] * 8, ["很长的单位名称"] + ["2"] * 6])])
    document = Document(io.BytesIO(r.render(report, FONTS)))
    table = document.tables[0]
    run = table.rows[1].cells[0].paragraphs[0].runs[0]
    assert run.font.size.pt == r.WIDE_TABLE_PT
    widths = [cell.width for cell in table.rows[0].cells]
    assert abs(sum(w.mm for w in widths) - r.TEXT_WIDTH_MM) < 1
    assert widths[0] > widths[1]  # the column with the long name gets more room
    assert table.rows[2].cells[7].text == ""  # a short row is padded


def test_captions_number_tables_and_figures_separately() -> None:
    blocks = [
        r.Chart("甲", "pie", ["a"], [("n", [1])]),
        r.Table("乙", ["a"], [["1"]]),
        r.Text("正文"),
        r.Table("丙", ["a"], []),
        r.Chart("丁", "line", ["a"], [("n", [1])]),
    ]
    assert r.captions(_report(blocks=blocks)) == {
        0: "图1 甲",
        1: "表1 乙",
        3: "表2 丙",
        4: "图2 丁",
    }


def test_a_report_without_blocks_still_renders() -> None:
    document = Document(io.BytesIO(r.render(_report(blocks=[], number="", subtitle=""))))
    assert _body_texts(document) == [
        "安澜市信访局2026年11月信访工作月报",
        "安澜市信访局",
        "2026年12月1日",
    ]


@pytest.mark.parametrize(
    ("cell", "number"),
    [("12", True), ("1,234", True), ("-3", True), ("87.5%", True), ("+2.0 %", True), ("—", True)],
)
def test_it_recognises_numbers(cell: str, number: bool) -> None:
    assert r.is_number(cell) is number


@pytest.mark.parametrize("cell", ["白石镇", "12件", "2026-11-30", "1.2.3", "", "%"])
def test_it_leaves_other_cells_as_text(cell: str) -> None:
    assert not r.is_number(cell)


def test_the_pdf_holds_the_title_cells_and_captions_in_an_embedded_font() -> None:
    content = pdf.render_report(_report(mark="【演练】", note="联系人：王五"))
    read = pdfcheck.read(content)
    text = read.text.replace(" ", "")
    for expected in (
        "安澜市信访局2026年11月信访工作月报",
        "第11期",
        "表1新增信访件按渠道",
        "62.5%",
        "注：数据截至11月30日。",
        "图1新增信访件按渠道",
        "表2按地区",
        "（本期无数据）",
        "图2按期办结率",
        "2026年12月1日",
        "（联系人：王五）",
    ):
        assert expected in text, expected
    assert text.index("表1") < text.index("图1") < text.index("表2") < text.index("图2")
    if pdf.EMBEDDED is not None:
        assert read.boxes == 0 and not read.unembedded
    assert PdfReader(io.BytesIO(content)).metadata.title == "安澜市信访局2026年11月信访工作月报"


def test_a_long_pdf_table_repeats_its_header_on_each_page() -> None:
    rows = [[f"白石镇第{i}村", str(i)] for i in range(120)]
    content = pdf.render_report(_report(blocks=[r.Table("长表", ["村名", "件数"], rows)]))
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]
    assert len(pages) >= 3
    with_rows = [page for page in pages if "白石镇第" in page]
    assert len(with_rows) >= 3 and all("村名" in page for page in with_rows)
    assert "白石镇第119村" in pages[-1] or "白石镇第119村" in pages[-2]


def test_a_pdf_report_without_blocks_still_renders() -> None:
    content = pdf.render_report(_report(blocks=[], number="", subtitle=""))
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    assert "安澜市信访局2026年11月信访工作月报" in reader.pages[0].extract_text()


def test_markup_and_control_characters_are_only_text() -> None:
    blocks = [
        r.Text("<b>加粗</b>&amp;\x01"),
        r.Table("<i>表</i>", ["<br/>"], [['<font name="x">1</font>\x00']]),
        r.Chart("<b>图</b>", "bar", ["<b>甲</b>\x07"], [("<i>", [1.0])]),
    ]
    report = _report(title="标题\x0b<b>", blocks=blocks)
    texts = _body_texts(Document(io.BytesIO(r.render(report, FONTS))))
    assert texts[0] == "标题 <b>"
    assert "<b>加粗</b>&amp; " in texts and '<font name="x">1</font> ' in texts
    assert "表1 <i>表</i>" in texts and "图1 <b>图</b>" in texts
    text = PdfReader(io.BytesIO(pdf.render_report(report))).pages[0].extract_text()
    assert "<b>加粗</b>&amp;" in text and '<font name="x">1</font>' in text


def _chart(kind: str, categories: list[str], *values: list[float | None]) -> r.Chart:
    series = [(f"系列{i}", list(v)) for i, v in enumerate(values, start=1)]
    return r.Chart("图", kind, categories, series)


CHARTS = {
    "two series": ["网上", "来信", "来访"],
    "one category": ["网上"],
    "sixty categories": [f"{i + 1}日" for i in range(60)],
    "a 200-character name": ["白石镇" * 66 + "村", "青山乡"],
}


@pytest.mark.parametrize("kind", chartimage.KINDS)
@pytest.mark.parametrize("case", list(CHARTS))
def test_each_kind_of_chart_is_a_png_of_the_size_asked(kind: str, case: str) -> None:
    categories = CHARTS[case]
    first = [float((i * 7) % 11) for i in range(len(categories))]
    second = [None if i % 4 == 1 else float(i % 5) for i in range(len(categories))]
    values = [first, second] if case == "two series" else [first]
    image = Image.open(
        io.BytesIO(chartimage.png(_chart(kind, categories, *values), width=1200, height=700))
    )
    assert image.format == "PNG" and image.size == (1200, 700)
    assert len(image.getcolors(maxcolors=1 << 20) or []) > 2  # something drawn on the white


@pytest.mark.parametrize("kind", chartimage.KINDS)
@pytest.mark.parametrize(
    "values", [[None, None, None], [0.0, 0.0, 0.0], [12.5, 100.0, 0.0]], ids=["none", "zero", "pct"]
)
def test_gaps_zeros_and_percentages_draw(kind: str, values: list[float | None]) -> None:
    content = chartimage.png(_chart(kind, ["甲", "乙", "丙"], values))
    assert Image.open(io.BytesIO(content)).size == (1600, 900)


def test_a_chart_without_categories_or_series_still_draws() -> None:
    for chart in (r.Chart("空", "bar", [], []), r.Chart("空", "line", ["甲"], [])):
        assert Image.open(io.BytesIO(chartimage.png(chart))).size == (1600, 900)


def test_it_refuses_an_unknown_kind_and_an_absurd_size() -> None:
    with pytest.raises(ValueError, match="kind"):
        chartimage.png(_chart("radar", ["甲"], [1.0]))
    with pytest.raises(ValueError, match="pixels"):
        chartimage.png(_chart("bar", ["甲"], [1.0]), width=100_000)


def test_without_a_chinese_font_it_falls_back_to_pillows_own(monkeypatch) -> None:
    monkeypatch.setattr(chartimage, "FONT_FILES", (("/nonexistent/font.ttc", 0),))
    chartimage._font.cache_clear()
    try:
        content = chartimage.png(_chart("bar", ["网上", "来信"], [3.0, 4.0], [1.0, None]))
    finally:
        chartimage._font.cache_clear()
    assert Image.open(io.BytesIO(content)).size == (1600, 900)


def test_a_series_value_axis_has_four_to_six_round_ticks() -> None:
    for high in (0.4, 1, 3, 7, 13, 99, 101, 2500, 123456):
        scale = chartimage.ticks(0, high, integers=float(high).is_integer())
        steps = {round(b - a, 9) for a, b in itertools.pairwise(scale)}
        assert 4 <= len(scale) - 1 <= 6 and scale[0] == 0 and scale[-1] >= high, high
        assert len(steps) == 1, high
    assert chartimage.ticks(0, 3, integers=True) == [0, 1, 2, 3, 4]
    assert chartimage.ticks(0, 87.5) == [0, 20, 40, 60, 80, 100]


def test_text_in_a_chart_is_drawn_as_one_line_of_characters() -> None:
    assert chartimage._clean("白石镇\n<b>青山</b>\t") == "白石镇 <b>青山</b> "


@pytest.mark.parametrize("kind", chartimage.KINDS)
def test_forty_series_at_the_smallest_size_still_draw(kind: str) -> None:
    series = [(f"系列{i}", [i * 1.5, None, 3.0]) for i in range(40)]
    chart = r.Chart("多", kind, ["甲", "乙", "丙"], series)
    content = chartimage.png(chart, width=chartimage.MIN_SIZE, height=chartimage.MIN_SIZE)
    assert Image.open(io.BytesIO(content)).size == (200, 200)
