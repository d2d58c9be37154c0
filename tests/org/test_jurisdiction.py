"""The jurisdiction rule (org.jurisdiction): regions act for their subtree, departments
for their region in their lines of work, and a level above oversees but does not edit."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import personas
from yingji import demo
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.org import jurisdiction, lines, services
from yingji.org.models import Unit
from yingji.petitions.models import Petition
from yingji.plans.models import PlanVersion

pytestmark = pytest.mark.django_db


def names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


def department(name: str, parent: Unit, **values) -> Unit:
    return services.create_unit(
        actor=personas.SETUP, name=name, kind=Unit.Kind.DEPARTMENT, parent=parent, **values
    )


def test_new_departments_take_their_lines_from_their_names(city: personas.City) -> None:
    assert city.bureau.work_lines == [lines.EMERGENCY]
    assert department("白石县信访局", city.baishi).work_lines == [lines.PETITIONS]
    assert department("白石县人力资源和社会保障局", city.baishi).work_lines == []
    assert department("某办公室", city.baishi, work_lines=[lines.PETITIONS]).work_lines == [
        lines.PETITIONS
    ]


def test_it_rejects_lines_on_regions_and_unknown_lines(city: personas.City) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.update_unit(city.baishi, actor=personas.SETUP, work_lines=[lines.PETITIONS])
    assert "work_lines" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        department("白石县某局", city.baishi, work_lines=["weather"])
    assert "work_lines" in error.value.message_dict
    with pytest.raises(ValidationError):
        department("白石县某局", city.baishi, work_lines="petitions")


def test_a_bureau_acts_for_its_whole_region_in_its_line_only(city: personas.City) -> None:
    bureau = department("白石县信访局", city.baishi)
    user = personas.make_user("xf", bureau, Role.CASE_HANDLER)
    assert names(Unit.objects.visible_to(user, lines.PETITIONS)) == {
        "白石县",
        "白石镇",
        "白石村",
        "柳林乡",
        "白石县信访局",
    }
    assert names(Unit.objects.visible_to(user, lines.EMERGENCY)) == {"白石县信访局"}
    # It acts as its government at its own level, not as the townships below.
    assert names(Unit.objects.acting_for(user, lines.PETITIONS)) == {"白石县", "白石县信访局"}
    assert not jurisdiction.acts_as(user, city.baishizhen, lines.PETITIONS)
    assert jurisdiction.oversees(user, city.baishizhen, lines.PETITIONS)


def test_an_ordinary_department_sees_only_itself(city: personas.City) -> None:
    office = department("白石县住房和城乡建设局", city.baishi)
    user = personas.make_user("zj", office, Role.CASE_HANDLER)
    for line in (lines.PETITIONS, lines.EMERGENCY, None):
        assert names(Unit.objects.visible_to(user, line)) == {"白石县住房和城乡建设局"}


def test_a_section_inherits_its_bureaus_lines(city: personas.City) -> None:
    section = department("值班室", city.bureau)
    user = personas.make_user("zb", section, Role.DUTY_OFFICER)
    assert "白石镇" in names(Unit.objects.visible_to(user, lines.EMERGENCY))
    assert "白石镇" not in names(Unit.objects.visible_to(user, lines.PETITIONS))


def test_changing_a_units_lines_is_audited_and_reaches_its_users_at_once(
    city: personas.City,
) -> None:
    office = department("安澜市社会工作部", city.city)
    user = personas.make_user("sg", office, Role.SUPERVISOR)
    assert names(Unit.objects.visible_to(user, lines.PETITIONS)) == {"安澜市社会工作部"}
    services.update_unit(office, actor=personas.SETUP, work_lines=[lines.PETITIONS])
    assert AuditEntry.objects.filter(action="org.unit.update", object_id=str(office.pk)).exists()
    fresh = User.objects.get(pk=user.pk)  # the next request's user
    assert "柳林乡" in names(Unit.objects.visible_to(fresh, lines.PETITIONS))


def test_offices_acting_as_a_region_are_its_bureaus_of_that_line(city: personas.City) -> None:
    petitions_bureau = department("安澜市信访局", city.city)
    section = department("督查科", petitions_bureau)
    found = set(jurisdiction.offices_acting_as(city.city, lines.PETITIONS))
    assert found == {city.city.pk, petitions_bureau.pk, section.pk}
    assert set(jurisdiction.offices_acting_as(city.city, lines.EMERGENCY)) == {
        city.city.pk,
        city.bureau.pk,
    }


# --- the demo city, as its users meet it -----------------------------------------------------


@pytest.fixture
def demo_city(db: None) -> None:
    demo.load()


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_city_leader_sees_the_county_incidents_and_plans(demo_city: None) -> None:
    client = signed_in("leader")
    incidents = client.get("/api/v1/incidents").json()
    assert {i["title"] for i in incidents["items"]} >= {
        "白石县政府门前群众聚集",
        "河西街道滨河路段积水",
    }
    plans = client.get("/plans/").content.decode()
    assert "白石县突发事件总体应急预案" in plans or "白石县" in plans
    assert client.get("/api/v1/plans").json()["items"]


def test_the_city_supervisor_sees_and_supervises_township_cases(demo_city: None) -> None:
    client = signed_in("supervisor")
    township = Petition.objects.get(office__name="白石镇", category__code="labour.wages")
    assert client.get(f"/petitions/{township.pk}/").status_code == 200
    response = client.post(
        f"/petitions/{township.pk}/supervise/", {"kind": "supervise", "note": "请于5日内报告"}
    )
    assert response.status_code == 302
    assert township.supervisions.count() == 1
    # Supervising is the level above's act; handling stays with the township.
    refused = client.post(f"/petitions/{township.pk}/extend/", {"days": "10", "reason": "情况复杂"})
    assert refused.status_code == 403
    assert "白石村" in refused.content.decode()


def test_the_city_decides_the_review_sent_to_it(demo_city: None) -> None:
    client = signed_in("supervisor")
    case = Petition.objects.get(stage=Petition.Stage.UNDER_REVIEW)
    review = case.reviews.get()
    assert review.unit.name == "安澜市"
    page = client.get(f"/petitions/{case.pk}/").content.decode()
    assert f"/petitions/{case.pk}/reviews/{review.pk}/decide/" in page
    # The county handler sees the case but is not the reviewing body.
    handler = signed_in("handler")
    assert (
        f"/reviews/{review.pk}/decide/"
        not in handler.get(f"/petitions/{case.pk}/").content.decode()
    )
    refused = handler.post(
        f"/petitions/{case.pk}/reviews/{review.pk}/decide/",
        {"outcome": "revoke", "opinion": "撤销"},
    )
    assert refused.status_code == 404
    response = client.post(
        f"/petitions/{case.pk}/reviews/{review.pk}/decide/",
        {"outcome": "uphold", "opinion": "原处理意见认定事实清楚，予以维持。"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Petition.Stage.REVIEWED


def test_the_township_clerk_sees_only_its_township_and_not_the_accusation(
    demo_city: None,
) -> None:
    client = signed_in("clerk")
    body = client.get("/api/v1/petitions", {"limit": 100}).json()
    offices = {Petition.objects.get(pk=p["id"]).office.name for p in body["items"]}
    assert offices == {"白石镇"}
    accusation = Petition.objects.get(category__is_accusation=True)
    assert client.get(f"/petitions/{accusation.pk}/").status_code == 404
    liulin = Petition.objects.get(office__name="柳林乡")
    assert client.get(f"/petitions/{liulin.pk}/").status_code == 404
    # The county bureau sees the accusation and every township's cases.
    handler = signed_in("handler")
    assert handler.get(f"/petitions/{accusation.pk}/").status_code == 200
    assert handler.get(f"/petitions/{liulin.pk}/").status_code == 200


def test_the_planner_sees_the_city_library_and_answers_the_filings(demo_city: None) -> None:
    client = signed_in("planner")
    library = client.get("/api/v1/plans", {"limit": 50}).json()["items"]
    assert {p["owner"] for p in library} >= {"白石县", "白石镇"}
    filings = client.get("/api/v1/plan-filings").json()["items"]
    assert [f["owner"] for f in filings] == ["白石县"]
    assert filings[0]["filing_state"] == "pending"
    page = client.get("/plans/filings/").content.decode()
    assert "白石县" in page
    version_id = filings[0]["version_id"]
    empty = client.post(
        f"/api/v1/plan-filings/{version_id}/answer",
        {"answer": "return"},
        content_type="application/json",
    )
    assert empty.status_code == 422
    for bad in ({"answer": "return", "text": "退回\x00理由"}, {"answer": "delete"}):
        refused = client.post(
            f"/api/v1/plan-filings/{version_id}/answer", bad, content_type="application/json"
        )
        assert refused.status_code == 422, bad
    assert client.get("/api/v1/plan-filings", {"state": "pending"}).json()["items"]
    done = client.post(
        f"/api/v1/plan-filings/{version_id}/answer",
        {"answer": "acknowledge", "text": "已备案。"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["filing_state"] == "acknowledged"
    again = client.post(
        f"/api/v1/plan-filings/{version_id}/answer",
        {"answer": "return", "text": "补充附件"},
        content_type="application/json",
    )
    assert again.status_code == 422
    # The city oversees the county plan but does not edit it.
    version = PlanVersion.objects.get(pk=version_id)
    assert client.post(f"/plans/{version.plan_id}/new-version/").status_code == 403


def test_the_county_storekeeper_sees_the_county_plan_in_force(demo_city: None) -> None:
    page = signed_in("storekeeper").get("/resources/").content.decode()
    assert "您的管辖范围内没有现行预案" not in page
    assert "白石县" in page


def test_a_bureau_starts_plans_for_its_government_but_not_for_the_county(
    demo_city: None,
) -> None:
    client = signed_in("planner")
    city = Unit.objects.get(name="安澜市")
    county = Unit.objects.get(name="白石县")
    form = client.get("/plans/new/").content.decode()
    assert "安澜市" in form and f'value="{county.pk}"' not in form
    refused = client.post(
        "/plans/new/", {"title": "县级预案", "kind": "overall", "owner": county.pk}
    )
    assert refused.status_code == 400
    created = client.post(
        "/plans/new/", {"title": "安澜市防汛应急预案", "kind": "special", "owner": city.pk}
    )
    assert created.status_code == 302
    assert PlanVersion.objects.get(plan__title="安澜市防汛应急预案").plan.owner == city
