"""Periodic reports: last month's 信访工作月报 states the dashboard's figures for the
same period and area, in its DOCX too; a period with no cases says so; a period not yet
ended is refused; versions are kept; sending reaches the configured recipients; the
schedule writes and sends each report once; the 值班日报 lists the incidents under way."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from docx import Document as Docx

from tests import personas
from tests.conftest import signed_in
from tests.petitions.conftest import intake
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.documents import services as documents
from yingji.insights import reports, rollups
from yingji.insights.models import Report, ReportRecipient
from yingji.insights.scope import Period
from yingji.notify.models import Notification
from yingji.org import services as org
from yingji.org.models import Unit
from yingji.petitions import services

TZ = ZoneInfo("Asia/Shanghai")
TODAY = datetime.now(tz=TZ).date()
pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau(city: personas.City) -> Unit:
    return org.create_unit(
        actor=personas.SETUP, name="安澜市信访局", kind=Unit.Kind.DEPARTMENT, parent=city.city
    )


@pytest.fixture
def supervisor(bureau: Unit) -> User:
    return personas.make_user("city_sv", bureau, Role.SUPERVISOR)


def docx_text(report: Report) -> str:
    assert report.docx is not None
    content = documents.read(report.docx, actor=Actor.system("tests"))
    document = Docx(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def test_the_monthly_report_states_the_dashboards_figures(
    city: personas.City, township_clerk: User, supervisor: User
) -> None:
    for day in (3, 9, 27):
        services.register(
            intake(received_at=datetime(2026, 3, day, 10, tzinfo=TZ)),
            office=city.baishizhen,
            actor=Actor(user=township_clerk),
        )
    rollups.refresh()
    client = signed_in(supervisor)
    page = client.post("/insights/reports/new/", {"kind": "petition_monthly", "day": "2026-03-15"})
    assert page.status_code == 302, page.content.decode()[:2000]
    report = Report.objects.get()
    assert (report.since, report.until, report.version) == (date(2026, 3, 1), date(2026, 3, 31), 1)
    dashboard = client.get("/insights/petitions/?since=2026-03-01&until=2026-03-31").context[
        "figures"
    ]
    stated = report.figures["figures"]
    assert stated["totals"] == dashboard.totals.as_dict()
    assert [(i["key"], i["value"]) for i in stated["by_channel"]] == [
        (i.key, i.value) for i in dashboard.by_channel
    ]
    assert [t["rate"] for t in stated["by_unit"]] == [t.rate for t in dashboard.by_unit]
    text = docx_text(report)
    assert "安澜市信访局" in text and "信访工作月报" in text
    assert "本期共登记信访件3件" in text
    preview = client.get(f"/insights/reports/{report.pk}/")
    assert preview.status_code == 200
    assert "本期共登记信访件3件" in preview.content.decode()
    assert client.get(f"/insights/reports/{report.pk}/report.pdf").status_code == 200
    again = reports.generate(
        "petition_monthly", report.unit, Period(report.since, report.until), actor=Actor.system("t")
    )
    assert again.version == 2


def test_a_month_without_cases_says_so(supervisor: User) -> None:
    report = reports.generate(
        "petition_monthly",
        supervisor.unit,
        Period(date(2024, 2, 1), date(2024, 2, 29)),
        actor=Actor(user=supervisor),
    )
    assert "本期没有登记信访件" in docx_text(report)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            {"kind": "petition_monthly", "day": (TODAY + timedelta(days=40)).isoformat()},
            "day",
        ),
        ({"kind": "petition_weekly", "day": TODAY.isoformat()}, "day"),
        ({"kind": "nonsense", "day": "2026-01-05"}, "kind"),
        ({"kind": "petition_monthly", "day": "2026-13-01"}, "day"),
    ],
)
def test_bad_requests_are_refused_and_write_nothing(
    supervisor: User, data: dict[str, str], field: str
) -> None:
    client = signed_in(supervisor)
    page = client.post("/insights/reports/new/", data)
    assert page.status_code == 400
    assert page.context["errors"][field]
    api = client.post("/api/v1/insights/reports", data, content_type="application/json")
    assert api.status_code == 422
    assert not Report.objects.exists()


def test_a_unit_outside_the_jurisdiction_is_not_found(
    city: personas.City, township_clerk: User
) -> None:
    writer = personas.make_user("hexi_sv", city.hexi, Role.SUPERVISOR)
    page = signed_in(writer).post(
        "/insights/reports/new/",
        {"kind": "petition_monthly", "day": "2026-01-05", "unit": city.baishizhen.pk},
    )
    assert page.status_code == 404


def test_sending_and_the_schedule_reach_the_recipients_once(supervisor: User, bureau: Unit) -> None:
    leader = personas.make_user("xf_leader", bureau, Role.SUPERVISOR)
    ReportRecipient.objects.create(unit=bureau, kind="petition_weekly", user=leader)
    monday = date(2026, 11, 30)
    assert reports.generate_due(monday) == 1
    report = Report.objects.get()
    assert (report.since, report.until) == (date(2026, 11, 23), date(2026, 11, 29))
    assert report.sent_to == ["xf_leader"]
    note = Notification.objects.get(recipient=leader)
    assert note.kind == reports.NOTIFY_KIND and note.attachment_id == report.docx_id
    assert reports.generate_due(monday) == 0  # sent already: not again
    assert Notification.objects.filter(recipient=leader).count() == 1


def test_the_daily_duty_report_lists_the_incident_under_way(
    city: personas.City,
) -> None:
    from tests.incidents.conftest import gate_visit
    from yingji.incidents import services as incidents

    duty = personas.make_user("duty_o", city.baishi, Role.DUTY_OFFICER)
    yesterday = TODAY - timedelta(days=1)
    reported = datetime.combine(yesterday, datetime.min.time(), tzinfo=TZ).replace(hour=9)
    incident = incidents.report_incident(
        gate_visit(
            title="白石镇山洪致道路中断",
            happened_at=(reported - timedelta(hours=1)).isoformat(),
            reported_at=reported.isoformat(),
        ),
        actor=Actor(user=duty),
        unit=city.baishi,
    )
    report = reports.generate(
        "duty_daily", city.baishi, Period(yesterday, yesterday), actor=Actor(user=duty)
    )
    assert incident.number in report.figures["figures"]["incidents_in_progress"]
    assert "白石镇山洪致道路中断" in docx_text(report)


def test_the_monthly_incident_report_counts_the_months_incidents(city: personas.City) -> None:
    from tests.incidents.conftest import gate_visit
    from yingji.incidents import services as incidents

    duty = personas.make_user("duty_m", city.baishi, Role.DUTY_OFFICER)
    reported = datetime(2026, 6, 10, 9, tzinfo=TZ)
    incidents.report_incident(
        gate_visit(
            happened_at=(reported - timedelta(hours=1)).isoformat(),
            reported_at=reported.isoformat(),
        ),
        actor=Actor(user=duty),
        unit=city.baishi,
    )
    rollups.refresh()
    june = Period(date(2026, 6, 1), date(2026, 6, 30))
    report = reports.generate("incident_monthly", city.baishi, june, actor=Actor(user=duty))
    assert report.figures["figures"]["totals"]["incidents"] == 1
    text = docx_text(report)
    assert "突发事件月报" in text and "东坪村村民集体上访" not in text  # counts, not cases
    assert "本期共接报突发事件1起" in text
    empty = reports.generate(
        "incident_monthly",
        city.baishi,
        Period(date(2026, 5, 1), date(2026, 5, 31)),
        actor=Actor(user=duty),
    )
    assert "本期没有接报突发事件" in docx_text(empty)
