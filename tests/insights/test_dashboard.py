"""The petition dashboard, its Excel export and its API, as a supervisor uses them: the
on-time rates per unit with the overdue cases one click away, the figures equal in the
page, the export and the API, and bad input refused per field (an area outside the
jurisdiction: 404)."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests import personas
from tests.conftest import signed_in
from tests.petitions.conftest import intake
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.insights import rollups
from yingji.org import services as org
from yingji.org.models import Unit
from yingji.petitions import services
from yingji.petitions.models import Petition

TZ = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db
PERIOD = "since=2026-03-01&until=2026-03-31"


@pytest.fixture
def supervisor(city: personas.City) -> User:
    bureau = org.create_unit(
        actor=personas.SETUP, name="安澜市信访局", kind=Unit.Kind.DEPARTMENT, parent=city.city
    )
    return personas.make_user("city_sv", bureau, Role.SUPERVISOR)


@pytest.fixture
def march(city: personas.City, township_clerk: User) -> dict[str, list[Petition]]:
    """Four cases received in March 2026 at 白石镇, one at 河西街道: two of 白石镇's
    acceptance notices met in time, one late, one missed; 河西街道's in time."""
    hexi_clerk = personas.make_user("hexi_clerk", city.hexi, Role.INTAKE_CLERK)
    received = datetime(2026, 3, 2, 10, tzinfo=TZ)
    made: dict[str, list[Petition]] = {"on_time": [], "late": [], "missed": [], "hexi": []}
    for key, decided_after in (("on_time", 3), ("on_time", 5), ("late", 30), ("missed", None)):
        petition = services.register(
            intake(received_at=received), office=city.baishizhen, actor=Actor(user=township_clerk)
        ).petition
        if decided_after is not None:
            services.decide(
                petition,
                actor=Actor(user=township_clerk),
                decision="accept",
                at=received + timedelta(days=decided_after),
            )
        made[key].append(petition)
    hexi = services.register(
        intake(received_at=received, channel="letter"),
        office=city.hexi,
        actor=Actor(user=hexi_clerk),
    ).petition
    services.decide(hexi, actor=Actor(user=hexi_clerk), decision="accept", at=received)
    made["hexi"].append(hexi)
    clock.check(received + timedelta(days=60), actor=Actor.system("tests"))
    rollups.refresh()
    return made


def test_the_supervisor_sees_each_townships_on_time_rate_and_opens_its_overdue_cases(
    city: personas.City, supervisor: User, march: dict[str, list[Petition]]
) -> None:
    client = signed_in(supervisor)
    page = client.get(f"/insights/petitions/?{PERIOD}")
    assert page.status_code == 200
    html = page.content.decode()
    by_unit = page.context["figures"].by_unit
    rates = {(t.unit_name, t.kind): (t.rate, t.overdue) for t in by_unit}
    assert rates[("白石镇", "petition.acceptance_notice")] == (50.0, 1)
    assert rates[("河西街道", "petition.acceptance_notice")] == (100.0, 0)
    baishizhen = next(
        t for t in by_unit if t.unit_name == "白石镇" and t.kind == "petition.acceptance_notice"
    )
    assert baishizhen.url_overdue.replace("&", "&amp;") in html
    behind = client.get(baishizhen.url_overdue)
    assert behind.status_code == 200
    listed = set(re.findall(r'href="/petitions/(\d+)/"', behind.content.decode()))
    assert listed == {str(march["missed"][0].pk)}
    late = client.get(baishizhen.url_late)
    assert set(re.findall(r'href="/petitions/(\d+)/"', late.content.decode())) == {
        str(march["late"][0].pk)
    }


def test_the_new_cases_link_lists_exactly_the_cases_counted(
    supervisor: User, march: dict[str, list[Petition]]
) -> None:
    client = signed_in(supervisor)
    found = client.get(f"/insights/petitions/?{PERIOD}").context["figures"]
    assert found.totals.cases == 5
    listed = re.findall(r'href="/petitions/(\d+)/"', client.get(found.url).content.decode())
    assert len(listed) == 5
    letters = next(i for i in found.by_channel if i.key == "letter")
    assert re.findall(r'href="/petitions/(\d+)/"', client.get(letters.url).content.decode()) == [
        str(march["hexi"][0].pk)
    ]


def test_page_export_and_api_give_the_same_figures(
    supervisor: User, march: dict[str, list[Petition]]
) -> None:
    client = signed_in(supervisor)
    api = client.get(f"/api/v1/insights/petitions?{PERIOD}").json()
    assert api["totals"]["cases"] == 5
    notice = next(t for t in api["by_unit"] if t["unit_name"] == "白石镇")
    assert (notice["rate"], notice["on_time"], notice["late"], notice["overdue"]) == (
        50.0,
        2,
        1,
        1,
    )
    export = client.get(f"/insights/petitions/export.xlsx?{PERIOD}")
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    summary = book.worksheets[0]
    values = [row for row in summary.iter_rows(values_only=True)]
    assert any(row[0] == "新增信访件" and row[1] == 5 for row in values), values
    assert len(book.worksheets) >= 8


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("since=2026-03-10&until=2026-03-01", "until", "结束日期早于开始日期"),
        ("since=2026-02-30", "since", "日期"),
        ("since=1899-01-01", "since", "2000"),
        ("category=999999", "category", "类别"),
    ],
)
def test_bad_filters_are_refused_per_field_in_chinese(
    supervisor: User, query: str, field: str, message: str
) -> None:
    client = signed_in(supervisor)
    page = client.get(f"/insights/petitions/?{query}")
    assert page.status_code == 400
    assert message in page.context["errors"][field][0]
    api = client.get(f"/api/v1/insights/petitions?{query}")
    assert api.status_code == 422
    errors = api.json()["errors"]
    assert any(e["field"] == field for e in errors), errors


def test_an_area_outside_the_jurisdiction_is_not_found(
    city: personas.City, township_clerk: User, supervisor: User
) -> None:
    client = signed_in(township_clerk)  # 白石镇's clerk: 河西街道 is not theirs
    assert client.get(f"/insights/petitions/?area={city.hexi.pk}").status_code == 404
    assert client.get(f"/api/v1/insights/petitions?area={city.hexi.pk}").status_code == 404
    assert client.get(f"/insights/petitions/?area={city.baishizhen.pk}").status_code == 200
    assert client.get("/insights/petitions/?area=abc").status_code == 404


def test_a_period_without_cases_says_so(supervisor: User) -> None:
    page = signed_in(supervisor).get("/insights/petitions/?since=2024-01-01&until=2024-01-31")
    assert page.status_code == 200
    assert "本期没有信访件" in page.content.decode()


def test_staff_outside_petition_work_may_not_see_the_figures(city: personas.City) -> None:
    officer = personas.make_user("duty_x", city.baishi, Role.DUTY_OFFICER)
    client: Client = signed_in(officer)
    assert client.get("/insights/petitions/").status_code == 403
    assert client.get("/api/v1/insights/petitions").status_code == 403
