"""Every PDF yingji writes carries its font, and that font has a glyph for every
character of the text (issue 21, item 13: role cards printed a box for "·").

Each PDF the system writes is made here from realistic Chinese content, through the
pages that offer it; a new caller of the PDF writer fails the first test until it is
added to WRITERS and made below."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

import yingji
from tests import personas
from tests.documents import pdfcheck
from tests.plans.sample import petition_plan
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.documents import layout, pdf
from yingji.org import services as org
from yingji.plans import services as plans
from yingji.plans.models import Plan

# Every function in src/yingji that calls the PDF writer, as (module, function).
WRITERS = {("plans/export.py", "plan_pdf"), ("plans/export.py", "cards_pdf")}
# The punctuation of Chinese official writing, and the middle dot of names.
PUNCTUATION = "·、，。“”‘’《》〔〕（）【】：；—…！？≥"


def _callers() -> set[tuple[str, str]]:
    root = Path(yingji.__file__).parent
    found = set()
    for path in root.rglob("*.py"):
        if path == root / "documents" / "pdf.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "render"
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "pdf"
                ):
                    found.add((path.relative_to(root).as_posix(), function.name))
    return found


def _check(name: str, outlines: list[layout.Outline], content: bytes) -> None:
    """Fails naming the characters the embedded font has no glyph for."""
    text = "".join(
        "".join((o.mark, o.title, o.subtitle, *(t for _depth, t in o.blocks))) for o in outlines
    )
    assert pdf.EMBEDDED is not None, (
        "no embeddable Chinese TrueType font on this machine (Debian: fonts-arphic-uming)"
    )
    missing = pdf.missing_glyphs(text)
    assert not missing, f"{name}: the font {pdf.FONT} has no glyph for {''.join(sorted(missing))}"
    report = pdfcheck.read(content)
    assert not report.unembedded, f"{name}: fonts not embedded: {report.unembedded}"
    assert report.boxes == 0, f"{name}: {report.boxes} characters print as a box"
    for character in PUNCTUATION:
        if character in text:
            assert character in report.text, f"{name}: {character} lost"


def test_the_writers_checked_here_are_all_the_pdf_writers() -> None:
    assert _callers() == WRITERS


def test_a_symbol_the_chinese_font_lacks_is_set_in_a_fallback_font() -> None:
    outline = layout.Outline(title="值班表·白石镇", blocks=[(0, "天气：雪☃，已处置✓")])
    report = pdfcheck.read(pdf.render([outline]))
    assert report.boxes == 0 and not report.unembedded and len(report.fonts) == 2
    assert "雪☃，已处置✓" in report.text


def test_the_check_finds_a_character_without_a_glyph_and_an_unembedded_font() -> None:
    nothing = "\U000f0000"  # a private-use code point: no font draws it
    outline = layout.Outline(title="值班表·白石镇", blocks=[(0, f"天气晴{nothing}")])
    report = pdfcheck.read(pdf.render([outline]))
    assert report.boxes == 1 and not report.unembedded
    assert pdf.missing_glyphs(f"值班表·白石镇{nothing}") == {nothing}
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    sheet.setFont("STSong-Light", 16)
    sheet.drawString(100, 700, "岗位职责卡·白石镇")
    sheet.save()
    assert pdfcheck.read(buffer.getvalue()).unembedded == {"/STSong-Light"}


@pytest.mark.django_db
def test_every_pdf_has_a_glyph_for_every_character(
    city: personas.City, client_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    planner = personas.make_user("planner", city.baishizhen, Role.PLAN_MANAGER, name="孙敏")
    actor = Actor(user=planner)
    uyghur = org.create_person(
        actor=actor,
        name="阿不都·热合曼",
        unit=city.baishizhen,
        position="司法所所长",
        phone="0571-8888 6666",
    )
    content = petition_plan()
    content.update(
        purpose="及时、有效处置群体性上访事件（含“集体访”“重复访”），维护社会稳定……",
        legal_basis="《信访工作条例》（中发〔2022〕5号）；《中华人民共和国突发事件应对法》",
        office_duties="设在镇综治中心·值班室：负责日常工作——信息汇总、报送。",
    )
    content["groups"][0]["duties"] = "控制现场秩序；防止事态扩大！必要时请求县公安局支援？"
    content["posts"].append(
        {"group": "疏导劝解组", "title": "成员", "position": "司法所所长", "person": uyghur.pk}
    )
    content["levels"][0]["steps"][0]["action"] = "领导小组组长赶赴现场，人数≥100人时报县“两办”"
    content["contacts"].append({"name": "县信访局", "role": "《来信》办理科", "phone": "12345"})
    version = plans.create_plan(
        actor=actor,
        title="白石镇“两会”期间群体性上访事件应急预案",
        kind=Plan.Kind.LOCAL,
        owner=city.baishizhen,
        content=content,
    )
    written: list[tuple[list[layout.Outline], bytes]] = []
    render = pdf.render

    def spy(outlines: list[layout.Outline], **options: str) -> bytes:
        written.append((outlines, render(outlines, **options)))
        return written[-1][1]

    monkeypatch.setattr(pdf, "render", spy)
    client = client_for(planner)
    pages = {
        "plan_pdf": f"/plans/versions/{version.pk}/plan.pdf",
        "cards_pdf": f"/plans/versions/{version.pk}/cards/?format=pdf",
    }
    assert set(pages) == {function for _module, function in WRITERS}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        outlines, content_bytes = written.pop()
        assert content_bytes == response.content
        _check(name, outlines, content_bytes)
    cards = pdfcheck.read(response.content).text
    assert "阿不都·热合曼（司法所所长）" in cards
