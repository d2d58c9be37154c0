"""The plan pages: library, version with its lifecycle, triggers, comparison, role cards."""

from __future__ import annotations

import pytest

from tests import personas
from tests.plans.sample import petition_plan
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.plans import services
from yingji.plans.models import Plan, PlanVersion

pytestmark = pytest.mark.django_db


def make(city: personas.City, planner: User) -> PlanVersion:
    return services.create_plan(
        actor=Actor(user=planner),
        title="白石镇群体性上访事件应急预案",
        kind=Plan.Kind.LOCAL,
        owner=city.baishizhen,
        content=petition_plan(),
    )


def test_the_library_and_a_plan_page_in_chinese(
    city: personas.City, planner: User, client_for
) -> None:
    version = make(city, planner)
    client = client_for(planner)
    library = client.get("/plans/").content.decode()
    assert "白石镇群体性上访事件应急预案" in library and "草稿" in library
    assert (
        "白石镇群体性上访事件应急预案"
        not in client.get("/plans/", {"kind": "overall"}).content.decode()
    )
    assert client.get("/plans/", {"category": "social"}).content.decode().count("白石镇群体性") == 1
    page = client.get(f"/plans/{version.plan.pk}/", follow=True).content.decode()
    for text in (
        "现场处置组",
        "疏导劝解组",
        "Ⅳ级（一般）",
        "涉及人数 ≥ 30",
        "堵塞交通",
        "冲击党政机关的",
    ):
        assert text in page, text
    assert "提交审核" in page


def test_the_lifecycle_from_the_page_with_errors_beside_the_fields(
    city: personas.City, planner: User, leader: User, client_for
) -> None:
    version = make(city, planner)
    manager, boss = client_for(planner), client_for(leader)
    assert manager.post(f"/plans/versions/{version.pk}/do/submit/").status_code == 302
    bad = boss.post(
        f"/plans/versions/{version.pk}/do/approve/",
        {"document_number": "", "approved_on": "2026-09-21"},
    )
    assert bad.status_code == 400 and "此项为必填项。" in bad.content.decode()
    assert (
        manager.post(
            f"/plans/versions/{version.pk}/do/approve/",
            {"document_number": "1号", "approved_on": "2026-09-21"},
        ).status_code
        == 400
    )
    ok = boss.post(
        f"/plans/versions/{version.pk}/do/approve/",
        {"document_number": "白政发〔2026〕12号", "approved_on": "2026-09-21"},
    )
    assert ok.status_code == 302
    page = manager.get(f"/plans/versions/{version.pk}/").content.decode()
    assert "白政发〔2026〕12号" in page and "备案" in page
    filed = manager.post(
        f"/plans/versions/{version.pk}/do/file/",
        {"filed_with": city.baishi.pk, "filed_on": "2026-10-09"},
    )
    assert filed.status_code == 302
    assert (
        manager.post(
            f"/plans/versions/{version.pk}/do/in_force/", {"from_date": "2026-10-10"}
        ).status_code
        == 302
    )
    version.refresh_from_db()
    assert version.status == PlanVersion.Status.IN_FORCE
    started = manager.post(f"/plans/{version.plan.pk}/new-version/", follow=True)
    assert "v2" in started.content.decode()
    second = PlanVersion.objects.get(plan=version.plan, number=2)
    compare = manager.get(f"/plans/versions/{version.pk}/compare/{second.pk}/").content.decode()
    assert "两个版本内容相同" in compare


def test_triggers_role_cards_and_scope(city: personas.City, planner: User, client_for) -> None:
    version = make(city, planner)
    client = client_for(planner)
    tried = client.get(
        f"/plans/versions/{version.pk}/evaluate/", {"people_involved": "120"}
    ).content.decode()
    assert "涉及人数 ≥ 100：成立（120）" in tried and "冲击重点部位或设施：未报告" in tried
    # Every fact a trigger can name can be tried, the event type from its tree.
    form = client.get(f"/plans/versions/{version.pk}/evaluate/").content.decode()
    for name in ("event_type", "casualties", "missing", "economic_loss", "key_facility"):
        assert f'name="{name}"' in form, name
    mass = client.get(
        f"/plans/versions/{version.pk}/evaluate/",
        {"event_type": "social.mass", "economic_loss": "12.5", "key_facility": "true"},
    )
    assert mass.status_code == 200 and "冲击重点部位或设施：成立（是）" in mass.content.decode()
    refused = client.get(f"/plans/versions/{version.pk}/evaluate/", {"deaths": "99999999999"})
    assert refused.status_code == 200 and "确保该值小于或等于10000000" in refused.content.decode()
    cards = client.get(f"/plans/versions/{version.pk}/cards/").content.decode()
    # The command body's, its office's, 3 groups' and the 2 posts the groups have.
    assert cards.count('<article class="card"') == 7
    assert "领导小组组长赶赴现场" in cards and "派出所所长" in cards
    sibling = personas.make_user("sib", city.liulin)
    assert client_for(sibling).get(f"/plans/versions/{version.pk}/").status_code == 404
    county_user = personas.make_user("county", city.baishi)
    assert client_for(county_user).get(f"/plans/versions/{version.pk}/").status_code == 200
    assert services.in_force(version.plan) is None


def test_the_plan_exports_as_a_word_document_with_its_groups(
    city: personas.City, planner: User, client_for
) -> None:
    import io

    from docx import Document
    from docx.oxml.ns import qn

    version = make(city, planner)
    response = client_for(planner).get(f"/plans/versions/{version.pk}/plan.docx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "白石镇群体性上访事件应急预案"
    assert "一、总则" in texts and "二、组织机构及职责" in texts
    for group in ("1. 现场处置组", "2. 疏导劝解组", "3. 信息发布组"):
        assert group in texts
    assert "（一）Ⅲ级（较大）" in texts and "（1）涉及人数 ≥ 100" in texts
    heading = document.paragraphs[texts.index("一、总则")].runs[0]
    fonts = heading._element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "Noto Sans CJK SC"  # 黑体 class for level one


def test_the_plan_and_its_role_cards_as_pdf(city: personas.City, planner: User, client_for) -> None:
    import io

    from pypdf import PdfReader

    version = make(city, planner)
    client = client_for(planner)
    whole = client.get(f"/plans/versions/{version.pk}/plan.pdf")
    assert whole.status_code == 200 and whole["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(whole.content)).pages)
    for expected in ("白石镇群体性上访事件应急预案", "现场处置组", "疏导劝解组", "Ⅳ级（一般）"):
        assert expected in text, expected
    cards = client.get(f"/plans/versions/{version.pk}/cards/", {"format": "pdf"})
    pages = PdfReader(io.BytesIO(cards.content)).pages
    # The command body's, its office's, then each group's followed by its posts'.
    assert len(pages) == 7
    command = pages[0].extract_text()
    assert "群体性上访事件应急处置领导小组" in command and "【现场处置组】" in command
    assert "领导小组办公室" in pages[1].extract_text()
    first = pages[2].extract_text()
    assert "现场处置组" in first and "领导小组组长赶赴现场" in first and "启动后 30 分钟内" in first
    assert "现场处置组组长" in pages[3].extract_text()
    assert "疏导劝解组" in pages[4].extract_text()


def test_a_step_the_version_has_moved_past_says_why_at_the_top(
    city: personas.City, planner: User, leader: User, client_for
) -> None:
    """Issue 21: approving again (a second tab) came back with no message, the approval
    form being gone from the page."""
    version = make(city, planner)
    manager, boss = client_for(planner), client_for(leader)
    assert manager.post(f"/plans/versions/{version.pk}/do/submit/").status_code == 302
    data = {"document_number": "白政发〔2026〕12号", "approved_on": "2026-09-21"}
    assert boss.post(f"/plans/versions/{version.pk}/do/approve/", data).status_code == 302
    again = boss.post(f"/plans/versions/{version.pk}/do/approve/", data)
    text = again.content.decode()
    assert again.status_code == 400
    assert 'role="alert"' in text and "现在不能进行此操作" in text
    returned = boss.post(f"/plans/versions/{version.pk}/do/return/", {"reason": "再改"})
    assert returned.status_code == 400 and "现在不能进行此操作" in returned.content.decode()
    version.refresh_from_db()
    assert version.status == PlanVersion.Status.APPROVED
