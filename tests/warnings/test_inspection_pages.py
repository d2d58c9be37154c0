"""Inspection rounds' pages: a checklist written one item a line, a round planned with the
form, the phone page recording findings (a problem opening a hazard with photos, sent
twice landing once), refusals shown beside their fields, and who may open what."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import signed_in
from tests.incidents.conftest import Township
from yingji.audit.services import Actor
from yingji.warnings.models import Checklist, Finding, Inspection, Risk
from yingji.warnings.services import checklists, inspections, risks

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def planned(township: Township) -> Inspection:
    town = township
    checklist = checklists.save_checklist(
        {
            "unit": town.city.baishizhen.pk,
            "title": "地质灾害隐患点排查表",
            "event_type": "natural.geological",
            "items": "坡体有无新裂缝\n排水沟是否通畅",
        },
        actor=Actor(town.officer),
    )
    return inspections.plan(
        {
            "unit": town.city.baishizhen.pk,
            "checklist": checklist.pk,
            "title": "东坪村后山汛前排查",
            "region_code": "980121100",
            "address": "白石镇东坪村后山",
            "inspector": town.police.pk,
            "planned_on": risks.today().isoformat(),
        },
        actor=Actor(town.officer),
    )


def test_a_checklist_is_written_one_item_a_line(township: Township) -> None:
    town = township
    client = signed_in(town.officer)
    assert client.get("/warnings/inspections/checklists/new/").status_code == 200
    from yingji.plans.models import EventType

    fire = EventType.objects.get(code="accident.fire")
    answer = client.post(
        "/warnings/inspections/checklists/new/",
        {
            "unit": town.city.baishizhen.pk,
            "title": "消防安全排查表",
            "event_type": fire.pk,
            "items": "灭火器在有效期内\n\n安全出口畅通\n",
            "is_active": "1",
        },
    )
    assert answer.status_code == 302
    saved = Checklist.objects.get()
    assert [i.text for i in saved.items.all()] == ["灭火器在有效期内", "安全出口畅通"]
    listing = client.get("/warnings/inspections/checklists/").content.decode()
    assert "消防安全排查表" in listing
    refused = client.post(
        f"/warnings/inspections/checklists/{saved.pk}/",
        {"title": "", "event_type": fire.pk, "items": ""},
    )
    assert refused.status_code == 400
    assert refused.content.decode().count('class="error"') >= 2


def test_a_round_is_planned_with_the_form(township: Township, planned: Inspection) -> None:
    town = township
    client = signed_in(town.officer)
    page = client.get("/warnings/inspections/new/").content.decode()
    assert "郑所长" in page and "地质灾害隐患点排查表" in page
    data = {
        "unit": town.city.baishizhen.pk,
        "checklist": planned.checklist_id,
        "title": "白石村排查",
        "region_code": "980121100201",
        "address": "白石村",
        "inspector": town.police.pk,
        "planned_on": risks.today().isoformat(),
    }
    answer = client.post("/warnings/inspections/new/", data)
    assert answer.status_code == 302
    assert Inspection.objects.count() == 2
    refused = client.post(
        "/warnings/inspections/new/", {**data, "region_code": "980121200", "planned_on": "x"}
    )
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "柳林乡" in text and Inspection.objects.count() == 2
    listing = signed_in(town.police).get("/warnings/inspections/").content.decode()
    assert "东坪村后山汛前排查" in listing and "白石村排查" in listing


def test_the_phone_page_records_a_problem_with_photos_once(
    township: Township, planned: Inspection
) -> None:
    town = township
    client = signed_in(town.police)
    url = f"/warnings/inspections/{planned.pk}/field/"
    page = client.get(url).content.decode()
    assert 'capture="environment"' in page and "坡体有无新裂缝" in page
    assert "yingji/inspect.js" in page
    item = planned.checklist.items.all()[0]
    data = {
        "item": item.pk,
        "result": "problem",
        "note": "坡体中部新增裂缝。",
        "risk_action": "new",
        "level": "large",
        "client_key": "phone-1",
        "written_at": "",
    }
    answer = client.post(
        url,
        {**data, "photos": [SimpleUploadedFile("a.jpg", JPEG, "image/jpeg")]},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 200, answer.content
    again = client.post(url, data, headers={"Accept": "application/json"})
    assert again.json()["id"] == answer.json()["id"]
    finding = Finding.objects.get()
    assert finding.photos.count() == 1 and finding.risk is not None
    assert Risk.objects.get().source == "inspection"
    detail = client.get(f"/warnings/inspections/{planned.pk}/").content.decode()
    assert finding.risk.number in detail
    photo = re.search(r'src="(/warnings/inspections/\d+/photos/\d+/)"', detail)
    assert photo is not None
    shown = client.get(photo.group(1))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"


def test_the_phone_page_shows_refusals_beside_the_fields(
    township: Township, planned: Inspection
) -> None:
    town = township
    client = signed_in(town.police)
    url = f"/warnings/inspections/{planned.pk}/field/"
    item = planned.checklist.items.all()[0]
    bad = {"item": item.pk, "result": "problem", "note": "", "risk_action": "new", "level": ""}
    answer = client.post(
        url, {**bad, "photos": [SimpleUploadedFile("a.pdf", b"%PDF-1.4", "application/pdf")]}
    )
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "JPEG" in text and text.count('<p class="error">') >= 3
    as_json = client.post(url, bad, headers={"Accept": "application/json"})
    assert as_json.status_code == 400
    assert {e["field"] for e in as_json.json()["errors"]} >= {"note", "level"}
    assert not Finding.objects.exists()


def test_only_the_inspector_opens_the_phone_page_and_finishes(
    township: Township, planned: Inspection
) -> None:
    town = township
    url = f"/warnings/inspections/{planned.pk}/field/"
    assert signed_in(town.officer).get(url).status_code == 403
    assert signed_in(town.officer).get(f"/warnings/inspections/{planned.pk}/").status_code == 200
    # The county's duty officer oversees the round but does not inspect.
    assert signed_in(town.county_officer).get(url).status_code == 403
    client = signed_in(town.police)
    client.post(f"/warnings/inspections/{planned.pk}/start/")
    planned.refresh_from_db()
    assert planned.state == "in_progress"
    answer = client.post(f"/warnings/inspections/{planned.pk}/finish/", {"summary": "无异常。"})
    assert answer.status_code == 302
    planned.refresh_from_db()
    assert planned.state == "done"
    page = client.get(url).content.decode()
    assert "finding-form" not in page


def test_staff_outside_emergency_work_do_not_see_rounds(
    township: Township, planned: Inspection
) -> None:
    from tests import personas
    from yingji.accounts.roles import Role

    clerk = signed_in(personas.make_user("clerk", township.city.baishizhen, Role.INTAKE_CLERK))
    assert clerk.get(f"/warnings/inspections/{planned.pk}/").status_code == 404
    assert clerk.get("/warnings/inspections/").status_code == 403
    assert clerk.get("/api/v1/inspections").status_code == 403
