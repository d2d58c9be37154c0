"""Incident statistics as the duty office uses them: the figures equal the incidents
counted directly (drills and warning periods never), the intervals against the clock's
deadlines, each count linking to exactly the incidents behind it, the page, the export
and the API agreeing, and bad input refused per field (an area outside: 404)."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tests import personas
from tests.conftest import signed_in
from tests.incidents.conftest import Township, gate_visit, township  # noqa: F401
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.clock import queries as clock_queries
from yingji.clock import services as clock
from yingji.incidents import services
from yingji.incidents.models import Incident
from yingji.insights import incident_rollups, rollups
from yingji.insights.incident_rollups import TASK
from yingji.insights.models import IncidentFigures
from yingji.insights.rollups import local_day
from yingji.plans.models import EventType, PlanVersion

pytestmark = pytest.mark.django_db


def _plan() -> PlanVersion:
    return PlanVersion.objects.get(
        plan__title="白石镇群体性上访事件应急预案", status=PlanVersion.Status.IN_FORCE
    )


def _today() -> str:
    return local_day(timezone.now()).isoformat()


def _period() -> str:
    return f"since={_today()}&until={_today()}"


def _report(t: Township, *, drill: bool = False, **extra: Any) -> Incident:
    return services.report_incident(
        gate_visit(**extra), actor=Actor(user=t.officer), unit=t.city.baishizhen, is_drill=drill
    )


@pytest.fixture
def today(township: Township) -> dict[str, Any]:  # noqa: F811
    """Today at 白石镇: one incident graded IV and its response started, one only
    reported, a drill and a warning period (neither counts)."""
    leader = Actor(user=township.leader)
    responding = _report(township, deaths="1", injuries="3")
    services.grade(responding, 4, version=_plan(), actor=leader, reason="现场已控制")
    services.activate(responding, _plan(), actor=leader)
    reported = _report(township, title="河道漂浮物")
    drill = _report(township, drill=True, title="演练：集体上访")
    warning = _report(township, title="大风预警期")
    warning.source = Incident.Source.WARNING
    warning.save()
    rollups.refresh()
    return {"responding": responding, "reported": reported, "drill": drill, "warning": warning}


def _numbers(client: Client, url: str) -> set[str]:
    page = client.get(url)
    assert page.status_code == 200
    return set(re.findall(r"980121100-\d{4}-SJ\d{4}", page.content.decode()))


def test_the_figures_equal_the_incidents_counted_without_drills_or_warning_periods(
    township: Township,  # noqa: F811
    today: dict[str, Any],
) -> None:
    counted = incident_rollups.counted(Incident.objects.all())
    assert set(counted) == {today["responding"], today["reported"]}
    api = signed_in(township.leader).get(f"/api/v1/insights/incidents?{_period()}").json()
    assert api["totals"] == {"incidents": 2, "deaths": 1, "injuries": 3}
    assert [(i["key"], i["value"]) for i in api["by_level"]] == [("4", 1), ("0", 1)]
    assert {i["key"] for i in api["by_stage"]} == {"responding", "reported"}
    assert sum(i["value"] for i in api["by_type"]) == 2
    assert sum(i["value"] for i in api["series"]) == 2


def test_the_count_links_to_exactly_the_incidents_counted(
    township: Township,  # noqa: F811
    today: dict[str, Any],
) -> None:
    client = signed_in(township.leader)
    api = client.get(f"/api/v1/insights/incidents?{_period()}").json()
    expected = {today["responding"].number, today["reported"].number}
    assert _numbers(client, api["url"]) == expected
    graded = next(i for i in api["by_level"] if i["key"] == "4")
    assert _numbers(client, graded["url"]) == {today["responding"].number}
    for item in api["by_type"]:
        assert len(_numbers(client, item["url"])) == item["value"]


def test_intervals_are_measured_and_judged_by_their_deadlines(
    township: Township,  # noqa: F811
    today: dict[str, Any],
) -> None:
    client = signed_in(township.leader)
    intervals = {
        i["kind"]: i
        for i in client.get(f"/api/v1/insights/incidents?{_period()}").json()["intervals"]
    }
    assert set(intervals) == {"incident.first_report", "activation", "incident.task"}
    activation = intervals["activation"]
    assert activation["measured"] == 1 and activation["has_limit"] is False
    assert activation["rate"] is None and activation["mean_minutes"] is not None
    report = intervals["incident.first_report"]
    assert report["running"] == 2 and report["overdue"] == 0 and report["measured"] == 0
    # The tasks with a deadline of their own (one waiting for a group's lead has none).
    tasks = len(clock_queries.latest_deadline_of_each(list(today["responding"].tasks.all()), TASK))
    assert tasks > 0 and intervals["incident.task"]["running"] == tasks
    # A day later every first report and task is overdue.
    clock.check(timezone.now() + timedelta(days=2), actor=Actor.system("tests"))
    rollups.refresh()
    intervals = {
        i["kind"]: i
        for i in client.get(f"/api/v1/insights/incidents?{_period()}").json()["intervals"]
    }
    report = intervals["incident.first_report"]
    assert report["overdue"] == 2 and report["running"] == 0 and report["rate"] == 0.0
    assert _numbers(client, report["url_overdue"]) == {
        today["responding"].number,
        today["reported"].number,
    }
    assert intervals["incident.task"]["overdue"] == tasks
    assert _numbers(client, intervals["incident.task"]["url_overdue"]) == {
        today["responding"].number
    }


def test_page_export_and_api_give_the_same_figures(
    township: Township,  # noqa: F811
    today: dict[str, Any],
) -> None:
    client = signed_in(township.leader)
    page = client.get(f"/insights/incidents/?{_period()}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "突发事件统计" in html or "Incident statistics" in html
    assert 'id="block-intervals"' in html and "<details" in html
    book = load_workbook(
        io.BytesIO(client.get(f"/insights/incidents/export.xlsx?{_period()}").content)
    )
    rows = [[c.value for c in r] for r in book.worksheets[0].iter_rows()]
    assert any(r[1] == 2 for r in rows if r and r[1] is not None and not isinstance(r[1], str))


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=2026-13-01", "since"),
        ("since=2026-03-10&until=2026-03-01", "until"),
        ("since=1899-01-01", "since"),
        ("event_type=999999", "event_type"),
        ("event_type=abc", "event_type"),
    ],
)
def test_bad_filters_are_refused_per_field(
    township: Township,  # noqa: F811
    query: str,
    field: str,
) -> None:
    client = signed_in(township.leader)
    page = client.get(f"/insights/incidents/?{query}")
    assert page.status_code == 400
    assert page.context["errors"][field]
    api = client.get(f"/api/v1/insights/incidents?{query}")
    assert api.status_code == 422
    assert any(e["field"] == field for e in api.json()["errors"])


def test_an_area_outside_the_jurisdiction_is_not_found(
    township: Township,  # noqa: F811
) -> None:
    client = signed_in(township.officer)  # 白石镇's duty officer: 河西街道 is not theirs
    hexi = township.city.hexi.pk
    assert client.get(f"/insights/incidents/?area={hexi}").status_code == 404
    assert client.get(f"/api/v1/insights/incidents?area={hexi}").status_code == 404
    assert client.get(f"/insights/incidents/?area={township.city.baishizhen.pk}").status_code == 200


def test_petition_staff_may_not_see_the_figures(city: personas.City) -> None:
    clerk: User = personas.make_user("clerk_x", city.baishizhen, Role.INTAKE_CLERK)
    client = signed_in(clerk)
    assert client.get("/insights/incidents/").status_code == 403
    assert client.get("/insights/incidents/export.xlsx").status_code == 403
    assert client.get("/api/v1/insights/incidents").status_code == 403


def test_an_event_type_covers_the_types_below_it(
    township: Township,  # noqa: F811
    today: dict[str, Any],
) -> None:
    social = EventType.objects.get(code="social")
    other = EventType.objects.exclude(code__startswith="social").filter(parent=None).first()
    assert other is not None
    client = signed_in(township.leader)
    api = client.get(f"/api/v1/insights/incidents?{_period()}&event_type={social.pk}").json()
    assert api["totals"]["incidents"] == 2
    api = client.get(f"/api/v1/insights/incidents?{_period()}&event_type={other.pk}").json()
    assert api["totals"]["incidents"] == 0


@pytest.mark.django_db(transaction=True)
def test_rollups_follow_committed_changes(
    reference_data: None,
    township: Township,  # noqa: F811
) -> None:
    incident = _report(township)
    rollups.refresh()
    day = local_day(incident.reported_at)
    assert IncidentFigures.objects.get(grain="d", day=day).incidents == 1
    incident.is_drill = True
    incident.save()
    rollups.refresh()
    assert not IncidentFigures.objects.filter(grain="d", day=day).exists()
    assert not IncidentFigures.objects.filter(grain="m").exists()
