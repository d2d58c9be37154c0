"""The register's pages and API: the list with its filters, counts and map, a risk's page,
the forms refused per field and never a 500, Excel out and in, and the API's 422s."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests import personas
from tests.incidents.conftest import Township
from tests.warnings.test_risk_excel import row, workbook
from tests.warnings.test_risks import risk_data
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.clock.models import Deadline
from yingji.warnings.models import Risk
from yingji.warnings.services import risks

pytestmark = pytest.mark.django_db


def form(town: Township, **extra: Any) -> dict[str, Any]:
    data = risk_data(town, **extra)
    return {k: "" if v is None else str(v) for k, v in data.items()}


def test_the_list_filters_counts_by_level_and_maps_the_risks(
    township: Township, client_for: Any
) -> None:
    town = township
    risks.register(risk_data(town), actor=Actor(town.officer))
    risks.register(
        risk_data(town, title="油库渗漏", level="major", event_type="accident.fire"),
        actor=Actor(town.officer),
    )
    client = client_for(town.officer)
    page = client.get(reverse("warnings:risks"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "东坪村后山滑坡隐患" in text and "油库渗漏" in text
    assert page.context["counts"][0]["count"] == 1  # major
    assert page.context["counts"][1]["count"] == 1  # large
    assert len(page.context["markers"]) == 2
    assert page.context["markers"][0]["color"]
    only = client.get(reverse("warnings:risks"), {"level": "major"})
    assert "油库渗漏" in only.content.decode()
    assert "东坪村后山滑坡隐患" not in only.content.decode()
    # The counts stay those of all levels under the other filters.
    assert only.context["counts"][1]["count"] == 1
    from yingji.plans.models import EventType

    accidents = EventType.objects.get(code="accident")
    by_category = client.get(reverse("warnings:risks"), {"category": accidents.pk})
    assert [r["risk"].title for r in by_category.context["page"]] == ["油库渗漏"]
    odd = client.get(
        reverse("warnings:risks"),
        {"level": "x", "unit": "abc", "state": "q", "category": "9" * 30, "overdue": "?"},
    )
    assert odd.status_code == 200 and len(odd.context["page"]) == 2
    assert client.get(reverse("warnings:risks"), {"overdue": "1"}).context["page"].items == []


def test_the_list_exports_the_filtered_register(township: Township, client_for: Any) -> None:
    town = township
    risks.register(risk_data(town), actor=Actor(town.officer))
    risks.register(risk_data(town, title="油库渗漏", level="major"), actor=Actor(town.officer))
    answer = client_for(town.officer).get(reverse("warnings:risk_export"), {"level": "major"})
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[2]][2] == "油库渗漏" and sheet.max_row == 2


@pytest.mark.parametrize(
    ("username", "role", "status"),
    [
        ("o2", Role.DUTY_OFFICER, 200),
        ("l2", Role.DUTY_LEADER, 200),
        ("p2", Role.PLAN_MANAGER, 200),
        ("m2", Role.TEAM_MEMBER, 200),
        ("c2", Role.INTAKE_CLERK, 403),
        ("s2", Role.SUPERVISOR, 403),
    ],
)
def test_pages_render_for_the_roles(
    township: Township, client_for: Any, username: str, role: Role, status: int
) -> None:
    town = township
    risk = risks.register(risk_data(town), actor=Actor(town.officer))
    user = personas.make_user(username, town.city.baishizhen, role)
    client = client_for(user)
    assert client.get(reverse("warnings:risks")).status_code == status
    assert client.get(risk.get_absolute_url()).status_code == (200 if status == 200 else 404)
    keeper = role in (Role.DUTY_OFFICER, Role.DUTY_LEADER, Role.PLAN_MANAGER)
    expected = 200 if keeper else 403
    assert client.get(reverse("warnings:risk_new")).status_code == expected
    assert client.get(reverse("warnings:risk_import")).status_code == expected
    edit = client.get(reverse("warnings:risk_edit", args=[risk.pk])).status_code
    assert edit == (200 if keeper else 403 if status == 200 else 404)


def test_the_risk_page_shows_its_deadline_and_timeline(township: Township, client_for: Any) -> None:
    town = township
    risk = risks.register(risk_data(town), actor=Actor(town.officer))
    page = client_for(town.leader).get(risk.get_absolute_url())
    text = page.content.decode()
    assert risk.number in text and page.context["deadline"] is not None
    assert page.context["may_close"] and page.context["explanation"]
    assert [e.kind for e in page.context["events"] if e.kind.startswith("risk.")] == [
        "risk.registered"
    ]
    far = personas.make_user("hexi2", town.city.hexi, Role.DUTY_OFFICER)
    assert client_for(far).get(risk.get_absolute_url()).status_code == 404


def test_the_new_form_registers_and_refuses_per_field(township: Township, client_for: Any) -> None:
    town = township
    client = client_for(town.officer)
    bad = client.post(
        reverse("warnings:risk_new"),
        form(town, title="", level="x", latitude="999", found_on="2026-13-01"),
    )
    assert bad.status_code == 400
    assert set(bad.context["errors"]) == {"title", "level", "latitude", "found_on"}
    assert bad.context["values"]["description"]  # what was typed comes back
    assert not Risk.objects.exists()
    made = client.post(reverse("warnings:risk_new"), form(town))
    risk = Risk.objects.get()
    assert made.status_code == 302 and made["Location"] == risk.get_absolute_url()


def test_the_edit_form_records_progress_and_a_new_date(township: Township, client_for: Any) -> None:
    town = township
    risk = risks.register(risk_data(town), actor=Actor(town.officer))
    client = client_for(town.officer)
    values = risks.form_data(risk)
    shown = client.get(reverse("warnings:risk_edit", args=[risk.pk]))
    assert shown.context["values"]["title"] == risk.title
    later = (risks.today() + timedelta(days=20)).isoformat()
    done = client.post(
        reverse("warnings:risk_edit", args=[risk.pk]),
        {**values, "measures": "完成一期加固", "state": "remedying", "due_on": later},
    )
    assert done.status_code == 302
    risk.refresh_from_db()
    assert risk.state == "remedying" and risk.measures == "完成一期加固"
    assert Deadline.objects.filter(kind="risk.remediation", state="cancelled").count() == 1
    bad = client.post(
        reverse("warnings:risk_edit", args=[risk.pk]), {**values, "state": "closed", "unit": "x"}
    )
    assert bad.status_code == 400 and set(bad.context["errors"]) == {"state", "unit"}


def test_close_and_reopen_forms(township: Township, client_for: Any) -> None:
    town = township
    risk = risks.register(risk_data(town), actor=Actor(town.officer))
    leader = client_for(town.leader)
    bad = leader.post(reverse("warnings:risk_close", args=[risk.pk]), {"note": ""})
    assert bad.status_code == 400 and list(bad.context["errors"]) == ["note"]
    officer = client_for(town.officer)
    assert (
        officer.post(reverse("warnings:risk_close", args=[risk.pk]), {"note": "x"}).status_code
        == 403
    )
    ok = leader.post(reverse("warnings:risk_close", args=[risk.pk]), {"note": "已整改完毕"})
    assert ok.status_code == 302
    risk.refresh_from_db()
    assert risk.state == "closed"
    bad = leader.post(
        reverse("warnings:risk_reopen", args=[risk.pk]), {"reason": "x", "due_on": "soon"}
    )
    assert bad.status_code == 400 and list(bad.context["errors"]) == ["due_on"]
    again = leader.post(reverse("warnings:risk_reopen", args=[risk.pk]), {"reason": "复查不合格"})
    assert again.status_code == 302
    risk.refresh_from_db()
    assert risk.state == "open"


def test_the_import_page_names_the_bad_row_and_imports_nothing(
    township: Township, client_for: Any
) -> None:
    town = township
    client = client_for(town.officer)
    content = workbook([row(), row(region="110101")])
    upload = SimpleUploadedFile("台账.xlsx", content)
    refused = client.post(reverse("warnings:risk_import"), {"file": upload})
    assert refused.status_code == 400
    [message] = refused.context["errors"]
    assert "3" in message and "所在区划" in message
    assert not Risk.objects.exists()
    empty = client.post(reverse("warnings:risk_import"), {})
    assert empty.status_code == 400
    done = client.post(
        reverse("warnings:risk_import"),
        {"file": SimpleUploadedFile("台账.xlsx", workbook([row()]))},
    )
    assert done.status_code == 302 and Risk.objects.count() == 1


# --- the API ----------------------------------------------------------------------------


def body(town: Township, **extra: Any) -> dict[str, Any]:
    data = risk_data(town, **extra)
    data["latitude"], data["longitude"] = 28.123456, 113.123456
    return data


def test_the_api_registers_reads_changes_closes_and_reopens(
    township: Township, client_for: Any
) -> None:
    town = township
    client = client_for(town.officer)
    made = client.post("/api/v1/risks", json.dumps(body(town)), "application/json")
    assert made.status_code == 201, made.content
    risk = made.json()
    assert risk["number"].endswith("YH0001") and risk["due_on"] and not risk["overdue"]
    pk = risk["id"]
    listed = client.get("/api/v1/risks", {"level": "large", "state": "active"})
    assert [r["id"] for r in listed.json()["items"]] == [pk]
    assert client.get("/api/v1/risks", {"level": "major"}).json()["items"] == []
    assert client.get(f"/api/v1/risks/{pk}").json()["title"] == "东坪村后山滑坡隐患"
    changed = client.patch(
        f"/api/v1/risks/{pk}", json.dumps({"state": "remedying"}), "application/json"
    )
    assert changed.status_code == 200 and changed.json()["state"] == "remedying"
    leader = client_for(town.leader)
    closed = leader.post(
        f"/api/v1/risks/{pk}/close", json.dumps({"note": "已整改"}), "application/json"
    )
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    reopened = leader.post(
        f"/api/v1/risks/{pk}/reopen", json.dumps({"reason": "复查不合格"}), "application/json"
    )
    assert reopened.status_code == 200 and reopened.json()["state"] == "open"
    from yingji.plans.models import EventType

    fire = EventType.objects.get(code="accident.fire").pk
    by_id = client.post(
        "/api/v1/risks", json.dumps(body(town, event_type=fire)), "application/json"
    )
    assert by_id.status_code == 201 and by_id.json()["event_type_code"] == "accident.fire"
    too_long = client.post(
        "/api/v1/risks", json.dumps(body(town, event_type="x" * 61)), "application/json"
    )
    assert too_long.status_code == 422
    exported = client.get("/api/v1/risks/export.xlsx")
    assert exported.status_code == 200 and exported.content.startswith(b"PK")


def test_the_api_refuses_with_422_per_field(township: Township, client_for: Any) -> None:
    town = township
    client = client_for(town.officer)

    def fields_of(answer: Any) -> set[str]:
        assert answer.status_code == 422, answer.content
        return {e["field"] for e in answer.json()["errors"]}

    post = client.post
    assert fields_of(
        post("/api/v1/risks", json.dumps(body(town, region_code="110101")), "application/json")
    ) == {"region_code"}
    assert fields_of(
        post("/api/v1/risks", json.dumps(body(town, level="huge")), "application/json")
    ) == {"level"}
    assert fields_of(
        post("/api/v1/risks", json.dumps(body(town, title="x\x00")), "application/json")
    ) == {"title"}
    assert fields_of(
        post(
            "/api/v1/risks",
            json.dumps(body(town, found_on=(timezone.localdate() + timedelta(days=5)).isoformat())),
            "application/json",
        )
    ) == {"found_on"}
    assert fields_of(
        post("/api/v1/risks", json.dumps(body(town, unit=town.city.hexi.pk)), "application/json")
    ) == {"unit"}
    assert not Risk.objects.exists()
    assert client.get("/api/v1/risks", {"limit": "0"}).status_code == 422
    assert client.get("/api/v1/risks/999999").status_code == 404
    made = post("/api/v1/risks", json.dumps(body(town)), "application/json").json()
    assert fields_of(
        client.patch(
            f"/api/v1/risks/{made['id']}", json.dumps({"due_on": "1999-01-01"}), "application/json"
        )
    ) == {"due_on"}
    assert (
        post(
            f"/api/v1/risks/{made['id']}/close", json.dumps({"note": "x"}), "application/json"
        ).status_code
        == 403
    )


def test_the_api_import_names_each_bad_row(township: Township, client_for: Any) -> None:
    town = township
    client = client_for(town.officer)
    content = workbook([row(), row(region="110101")])
    refused = client.post("/api/v1/risks/import", {"file": SimpleUploadedFile("a.xlsx", content)})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["rows[3].region_code"]
    assert not Risk.objects.exists()
    done = client.post(
        "/api/v1/risks/import", {"file": SimpleUploadedFile("a.xlsx", workbook([row()]))}
    )
    assert done.status_code == 201 and done.json()["imported"] == 1
    clerk = client_for(personas.make_user("c3", town.city.baishizhen, Role.INTAKE_CLERK))
    assert clerk.get("/api/v1/risks").status_code == 403
    assert (
        clerk.post(
            "/api/v1/risks/import", {"file": SimpleUploadedFile("a.xlsx", workbook([row()]))}
        ).status_code
        == 403
    )


def test_the_list_and_the_api_list_take_as_many_queries_for_many_risks(
    township: Township, client_for: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    town = township
    client = client_for(town.officer)

    def counted(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    risks.register(risk_data(town), actor=Actor(town.officer))
    few = counted(reverse("warnings:risks")), counted("/api/v1/risks")
    for n in range(5):
        risks.register(risk_data(town, title=f"隐患{n}"), actor=Actor(town.officer))
    assert (counted(reverse("warnings:risks")), counted("/api/v1/risks")) == few
