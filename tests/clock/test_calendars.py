"""Official calendars: the office's notices, all-or-nothing imports, recomputation."""

from __future__ import annotations

from datetime import date, datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from tests import personas
from yingji.audit.models import AuditEntry
from yingji.clock import calendars, services
from yingji.clock.models import CalendarDay, CalendarYear
from yingji.timeline.services import events_for

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")

NOTICE_2027 = """\
year: 2027
reference: 国办发明电〔2026〕7号
holidays:
  - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
  - {name: 春节, from: 2027-02-05, to: 2027-02-12}
  - {name: 国庆节, from: 2027-10-01, to: 2027-10-07}
workdays:
  - {name: 春节调休, date: 2027-02-20}
  - {name: 国庆调休, date: 2027-10-09}
"""


def import_file(tmp_path: Path, name: str, text: str, *args: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("calendar", "import", str(path), *args, stdout=out)
    return out.getvalue()


def test_2027_is_unconfirmed_until_its_notice_is_imported(tmp_path: Path) -> None:
    calendar = calendars.current()
    assert not calendar.year(2027).confirmed
    assert not calendar.is_working_day(date(2027, 2, 5))  # statutory 除夕
    assert calendar.is_working_day(date(2027, 2, 10))  # 初五: not statutory
    output = import_file(tmp_path, "2027.yaml", NOTICE_2027)
    assert "imported 20 days for 2027" in output
    calendar = calendars.current()
    assert calendar.year(2027).confirmed
    assert not calendar.is_working_day(date(2027, 2, 10))
    assert calendar.is_working_day(date(2027, 2, 20))  # a Saturday worked
    assert not calendar.is_working_day(date(2027, 10, 7))
    assert AuditEntry.objects.filter(action="clock.calendar.import").count() == 1


def test_a_csv_notice_in_the_documented_form(tmp_path: Path) -> None:
    text = "date,kind,name\n2027-01-01,休,元旦\n2027-01-02,holiday,元旦\n2027-02-20,班,春节调休\n"
    import_file(tmp_path, "2027.csv", text, "--reference", "测试通知")
    year = CalendarYear.objects.get(year=2027)
    assert year.reference == "测试通知"
    assert set(CalendarDay.objects.values_list("kind", flat=True)) == {"holiday", "workday"}


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("2027-13-01,holiday,x", "Row 3: 2027-13-01 is not a date"),
        ("2027-01-02,rest,x", "Row 3: rest is not a kind"),
        ("2027-01-01,workday,调休", "Row 3: 2027-01-01 is listed both as a holiday and as a"),
        ("2027-02-22,workday,调休", "Row 3: 2027-02-22 is a weekday"),
    ],
)
def test_a_bad_file_is_refused_whole_with_the_row_named(
    tmp_path: Path, rows: str, message: str
) -> None:
    text = f"date,kind,name\n2027-01-01,holiday,元旦\n{rows}\n"
    with pytest.raises(CommandError) as caught:
        import_file(tmp_path, "bad.csv", text, "--language", "en")
    assert message in str(caught.value)
    assert "nothing imported" in str(caught.value)
    assert not CalendarYear.objects.exists()
    assert not CalendarDay.objects.exists()


def test_a_file_without_the_header_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Row 1: The first line must be the header"):
        import_file(tmp_path, "bad.csv", "when,what\n2027-01-01,x\n", "--language", "en")


def test_bad_rows_are_named_in_chinese_by_default(tmp_path: Path) -> None:
    text = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-01,workday,x\n"
    with pytest.raises(CommandError) as caught:
        import_file(tmp_path, "bad.csv", text)
    assert "第 3 行" in str(caught.value)


def test_a_calendar_change_recomputes_running_deadlines_and_says_so(
    tmp_path: Path, city: personas.City, django_capture_on_commit_callbacks
) -> None:
    subject = city.baishizhen
    # 60 days from 1 December 2026 end on 30 January 2027, a Saturday: due 1 February.
    deadline = services.start(
        subject,
        "petition.handling",
        actor=personas.SETUP,
        unit=city.baishizhen,
        started_at=datetime(2026, 12, 1, 10, tzinfo=TZ),
    )
    assert deadline.due_at == datetime(2027, 2, 1, 23, 59, 59, tzinfo=TZ)
    assert not deadline.calendar_confirmed
    notice = NOTICE_2027.replace(
        "  - {name: 春节调休, date: 2027-02-20}", "  - {name: 调休, date: 2027-01-30}"
    ).replace(
        "  - {name: 元旦, from: 2027-01-01, to: 2027-01-03}", "  - {name: 元旦, date: 2027-02-01}"
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_file(tmp_path, "2027.yaml", notice)
    deadline.refresh_from_db()
    # 30 January is now a working Saturday: the period ends there, and is confirmed.
    assert deadline.due_at == datetime(2027, 1, 30, 23, 59, 59, tzinfo=TZ)
    assert deadline.calendar_confirmed
    kinds_seen = [e.kind for e in events_for(subject)]
    assert kinds_seen == ["deadline.started", "deadline.recomputed"]


def test_the_calendar_page_shows_a_year_and_whether_it_is_confirmed(
    township_clerk, client_for
) -> None:
    client = client_for(township_clerk)
    page = client.get("/clock/calendar/2026/").content.decode()
    assert "春节" in page and "2026-02-14" in page
    unconfirmed = client.get("/clock/calendar/2027/").content.decode()
    assert "日历未确认" in unconfirmed
    assert client.get("/clock/calendar/1999/").status_code == 404


def test_the_calendar_api(township_clerk, client_for) -> None:
    body = client_for(township_clerk).get("/api/v1/clock/calendar/2026").json()
    assert body["confirmed"] is True and body["source"] == "package"
    workdays = [d["date"] for d in body["days"] if d["kind"] == "workday"]
    assert workdays == [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ]
