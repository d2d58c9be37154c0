"""The drill calendar, a unit's annual drill programme (年度演练计划) with its Excel copy,
the iCalendar feed of a person's drills, and the plan's drill cycle on the plan page
(issue 23, items 1 and 8)."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from tests import personas
from tests.drills.conftest import DrillWorld, plan_data
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.drills import programme
from yingji.drills.models import Drill
from yingji.drills.services import planning
from yingji.duty import ical
from yingji.duty import services as duty

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


def move(drill: Drill, starts_at: datetime, **extra: Any) -> Drill:
    Drill.objects.filter(pk=drill.pk).update(starts_at=starts_at, **extra)
    drill.refresh_from_db()
    return drill


def cycle_of(world: DrillWorld) -> Deadline:
    deadline = clock.open_deadline(world.version.plan, "drill.cycle")
    assert deadline is not None
    return deadline


def set_due(world: DrillWorld, due_at: datetime, **extra: Any) -> None:
    Deadline.objects.filter(pk=cycle_of(world).pk).update(due_at=due_at, **extra)


def another_drill(world: DrillWorld, **extra: Any) -> Drill:
    data = plan_data(
        world.town, world.version, controller=world.controller, evaluator=world.evaluator
    )
    return planning.plan_drill({**data, **extra}, actor=Actor(world.planner))


# --- the annual programme ------------------------------------------------------------------

NOW = at(2030, 1, 15)


def test_the_programme_lists_the_year_s_drills_by_month_and_the_plans_due(
    drill_world: DrillWorld,
) -> None:
    town = drill_world.town
    drill = move(drill_world.drill, at(2030, 5, 10))
    set_due(drill_world, at(2030, 6, 30))
    found = programme.programme(drill_world.planner, town.city.baishizhen, 2030, now=NOW)
    assert [(m.number, m.drills) for m in found.months] == [(5, [drill])]
    [row] = found.due
    assert row.plan == drill_world.version.plan and row.due_on.isoformat() == "2030-06-30"
    assert row.drill == drill and row.in_time and row.drill_visible and not row.overdue
    # The county reads the township's programme as part of its own.
    county = programme.programme(town.county_officer, town.city.baishi, 2030, now=NOW)
    assert county.months[0].drills == [drill] and row.plan in [r.plan for r in county.due]
    assert all(r.plan.owner.is_within(town.city.baishi) for r in county.due)


def test_a_drill_after_the_due_date_is_shown_as_late(drill_world: DrillWorld) -> None:
    move(drill_world.drill, at(2030, 8, 1))
    set_due(drill_world, at(2030, 6, 30))
    [row] = programme.plans_due(
        drill_world.planner, drill_world.town.city.baishizhen, 2030, now=NOW
    )
    assert row.drill == drill_world.drill and not row.in_time


def test_a_plan_due_in_another_year_is_left_out_unless_overdue(drill_world: DrillWorld) -> None:
    baishizhen = drill_world.town.city.baishizhen
    move(drill_world.drill, at(2030, 5, 10))
    set_due(drill_world, at(2031, 3, 1))
    assert programme.plans_due(drill_world.planner, baishizhen, 2030, now=NOW) == []
    [row] = programme.plans_due(drill_world.planner, baishizhen, 2031, now=NOW)
    assert row.drill is not None and row.in_time
    # Overdue, it is in every year's programme, in red; a drill left planned after its
    # start never ran and is not the drill for it.
    set_due(drill_world, at(2029, 12, 1), state=Deadline.State.MISSED)
    move(drill_world.drill, at(2029, 11, 1))
    [row] = programme.plans_due(drill_world.planner, baishizhen, 2030, now=NOW)
    assert row.overdue and row.drill is None
    # Held in time, it is (its evaluation will meet the deadline).
    move(drill_world.drill, at(2029, 11, 1), state=Drill.State.ENDED)
    [row] = programme.plans_due(drill_world.planner, baishizhen, 2030, now=NOW)
    assert row.drill == drill_world.drill and row.in_time
    # Evaluated, it met that cycle and started the next one: it is not this cycle's.
    Drill.objects.filter(pk=drill_world.drill.pk).update(state=Drill.State.EVALUATED)
    set_due(
        drill_world, at(2030, 11, 1), state=Deadline.State.RUNNING, started_at=at(2029, 11, 1, 0)
    )
    [row] = programme.plans_due(drill_world.planner, baishizhen, 2030, now=NOW)
    assert row.drill is None and not row.overdue


def test_a_cancelled_drill_is_not_in_the_programme_and_does_not_count(
    drill_world: DrillWorld,
) -> None:
    move(drill_world.drill, at(2030, 5, 10), state=Drill.State.CANCELLED)
    set_due(drill_world, at(2030, 6, 30))
    found = programme.programme(
        drill_world.planner, drill_world.town.city.baishizhen, 2030, now=NOW
    )
    assert found.months == [] and found.due[0].drill is None


def test_a_drill_before_the_cycle_began_counted_for_the_last_one(
    drill_world: DrillWorld,
) -> None:
    move(drill_world.drill, at(2030, 5, 10))
    set_due(drill_world, at(2030, 12, 30), started_at=at(2030, 6, 1))
    [row] = programme.plans_due(
        drill_world.planner, drill_world.town.city.baishizhen, 2030, now=NOW
    )
    assert row.drill is None


def test_the_programme_page_shows_the_unit_s_programme(drill_world: DrillWorld, client_for) -> None:
    drill = drill_world.drill
    year = programme.local_day(drill.starts_at).year
    set_due(drill_world, drill.starts_at + timedelta(days=2))
    page = client_for(drill_world.planner).get(f"/drills/programme/?year={year}")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="/drills/{drill.pk}/"' in html
    assert f'href="/plans/{drill_world.version.plan.pk}/"' in html
    assert "programme.xlsx" in html and "print-button" in html


def test_the_programme_of_a_unit_outside_the_jurisdiction_is_not_found(
    drill_world: DrillWorld, client_for
) -> None:
    city = drill_world.town.city
    client = client_for(drill_world.planner)  # 白石镇
    assert client.get(f"/drills/programme/?unit={city.qingxi.pk}").status_code == 404
    assert client.get(f"/drills/programme/?unit={city.baishi.pk}").status_code == 404
    assert client.get("/drills/programme/?unit=abc").status_code == 404
    assert client.get("/drills/programme/?unit=99999999").status_code == 404
    assert client.get(f"/drills/programme/programme.xlsx?unit={city.qingxi.pk}").status_code == 404
    # A year that is not one: this year, with a message, never a 500.
    page = client.get("/drills/programme/?year=abc")
    assert page.status_code == 200 and 'aria-invalid="true"' in page.content.decode()
    assert client.get("/drills/programme/?year=99999999999").status_code == 200


def test_the_programme_exports_to_excel(drill_world: DrillWorld, client_for) -> None:
    drill = move(drill_world.drill, at(2030, 5, 10))
    Drill.objects.filter(pk=drill.pk).update(place="=HYPERLINK(1)")
    set_due(drill_world, at(2030, 6, 30))
    city = drill_world.town.city
    answer = client_for(drill_world.planner).get(
        f"/drills/programme/programme.xlsx?unit={city.baishizhen.pk}&year=2030"
    )
    assert answer.status_code == 200
    assert "attachment" in answer["Content-Disposition"]
    book = load_workbook(io.BytesIO(answer.content))
    drills, due = book.worksheets
    values = [row for row in drills.iter_rows(values_only=True)]
    assert "白石镇" in values[0][0] and "2030" in values[0][0]
    assert values[2][0] == 5 and values[2][1] == "2030-05-10 09:00"
    assert values[2][2] == f"【演练】{drill.title}"
    # A place a spreadsheet would evaluate is written as text (documents.excel).
    assert values[2][7] == "'=HYPERLINK(1)"
    plans = [row for row in due.iter_rows(values_only=True)]
    assert plans[1][0] == drill_world.version.plan.title and plans[1][2] == "2030-06-30"


# --- the calendar ---------------------------------------------------------------------------


def test_the_calendar_shows_the_drills_the_user_sees_with_the_coming_week_highlighted(
    drill_world: DrillWorld, client_for
) -> None:
    drill = move(drill_world.drill, timezone.now() + timedelta(days=2))
    later = move(
        another_drill(drill_world, title="第二次推演"), timezone.now() + timedelta(days=30)
    )
    year = programme.local_day(drill.starts_at).year
    client = client_for(drill_world.planner)
    html = client.get(f"/drills/?year={year}").content.decode()
    soon = re.search(rf'<tr class="soon">.*?href="/drills/{drill.pk}/"', html, re.S)
    assert soon is not None and "</tr>" not in soon.group(0)
    if programme.local_day(later.starts_at).year == year:
        assert f'href="/drills/{later.pk}/"' in html
        assert not re.search(rf'<tr class="soon">[^\n]*?href="/drills/{later.pk}/"', html)
    assert "东坪村集体上访桌面推演" in html and drill_world.version.plan.title in html
    assert 'href="/drills/new/"' in html  # the planner may plan a drill
    evaluator = client_for(drill_world.evaluator).get(f"/drills/?year={year}").content.decode()
    assert f'href="/drills/{drill.pk}/"' in evaluator and 'href="/drills/new/"' not in evaluator
    # Another county's people do not see the township's drill.
    stranger = personas.make_user("stranger", drill_world.town.city.qingxi, Role.PLAN_MANAGER)
    other = client_for(stranger).get(f"/drills/?year={year}").content.decode()
    assert f'href="/drills/{drill.pk}/"' not in other


def test_the_calendar_filters_by_year_unit_and_state(drill_world: DrillWorld, client_for) -> None:
    drill = drill_world.drill
    year = programme.local_day(drill.starts_at).year
    city = drill_world.town.city
    client = client_for(drill_world.planner)
    link = f'href="/drills/{drill.pk}/"'

    def shown(query: str) -> bool:
        page = client.get(f"/drills/?{query}")
        assert page.status_code == 200
        return link in page.content.decode()

    assert shown(f"year={year}&unit={city.baishizhen.pk}&state=planned")
    assert not shown(f"year={year + 1}")
    assert not shown(f"year={year}&state=cancelled")
    # Values that are no unit, state or year are ignored, never a 500.
    assert shown(f"year={year}&unit=abc&state=nonsense")
    page = client.get("/drills/?year=20x6")
    assert page.status_code == 200 and 'aria-invalid="true"' in page.content.decode()


def test_the_calendar_costs_the_same_queries_however_many_drills(
    drill_world: DrillWorld, client_for, django_assert_max_num_queries
) -> None:
    year = programme.local_day(drill_world.drill.starts_at).year
    client = client_for(drill_world.planner)
    client.get(f"/drills/?year={year}")  # the session and the permission caches
    with CaptureQueriesContext(connection) as one:
        client.get(f"/drills/?year={year}")
    for n in range(3):
        another_drill(drill_world, title=f"推演{n}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(f"/drills/?year={year}")
    assert page.content.decode().count("推演") >= 4


# --- the iCalendar feed ---------------------------------------------------------------------


def token_of(user: Any) -> str:
    return duty.new_feed_token(actor=Actor(user), person=user.person)


def cycle_part(html: str) -> str:
    """The plan page's drill cycle, up to the end of its ``<dd>``."""
    start = html.index('id="drill-cycle"')
    return html[start : html.index("</dd>", start)]


def physical_lines(text: str) -> list[str]:
    assert text.endswith("\r\n")
    body = text[: -len("\r\n")]
    assert "\n" not in body.replace("\r\n", "")  # every line ends in CRLF
    return body.split("\r\n")


def test_the_feed_gives_the_person_s_drills_in_rfc_5545(
    drill_world: DrillWorld, client_for
) -> None:
    scenario = "东坪村约60名村民因征地补偿问题聚集; 情绪激动, 要求见镇长。" * 20
    drill = move(
        drill_world.drill,
        timezone.now() + timedelta(days=3),
        scenario=scenario,
        place="白石镇政府三楼会议室, 东侧; 二号门",
    )
    answer = client_for(drill_world.planner).get(
        f"/drills/feed/{token_of(drill_world.planner)}.ics"
    )
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/calendar")
    text = answer.content.decode()
    for line in physical_lines(text):
        assert len(line.encode()) <= 75, line
    assert "LOCATION:白石镇政府三楼会议室\\, 东侧\\; 二号门" in text.replace("\r\n ", "")
    [event] = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["UID"]) == f"drill-{drill.pk}@yingji"
    assert str(event["SUMMARY"]) == f"【演练】{drill.title}"
    assert event.decoded("DTSTART") == drill.starts_at.replace(microsecond=0)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=90)
    assert str(event["LOCATION"]) == "白石镇政府三楼会议室, 东侧; 二号门"
    assert str(event["STATUS"]) == "CONFIRMED"
    description = str(event["DESCRIPTION"]).split("\n")
    assert len(description) == 5 and drill_world.version.plan.title in description[3]
    assert scenario[:200] in description[4] and scenario[:201] not in description[4]


def test_the_feed_marks_a_cancelled_drill_and_keeps_to_its_window(
    drill_world: DrillWorld,
) -> None:
    token = token_of(drill_world.planner)
    move(drill_world.drill, timezone.now() - timedelta(days=10), state=Drill.State.CANCELLED)
    far = move(another_drill(drill_world), timezone.now() + timedelta(days=400))
    old = move(another_drill(drill_world), timezone.now() - timedelta(days=100))
    text = programme.feed_for(token)
    assert text is not None
    events = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert [str(e["STATUS"]) for e in events] == ["CANCELLED"]
    assert f"drill-{far.pk}@" not in text and f"drill-{old.pk}@" not in text


def test_the_feed_has_only_the_drills_its_person_sees(drill_world: DrillWorld) -> None:
    stranger = personas.make_user("stranger", drill_world.town.city.qingxi, Role.PLAN_MANAGER)
    text = programme.feed_for(token_of(stranger))
    assert text is not None and "BEGIN:VEVENT" not in text
    # A participant elsewhere sees the drill they take part in.
    drill_world.drill.participants.add(stranger)
    assert f"drill-{drill_world.drill.pk}@yingji" in (programme.feed_for(token_of(stranger)) or "")


def test_an_unknown_or_unit_secret_opens_no_drills_feed(drill_world: DrillWorld, client) -> None:
    unit_token = duty.new_feed_token(
        actor=Actor(drill_world.planner), unit=drill_world.town.city.baishizhen
    )
    assert client.get(f"/drills/feed/{unit_token}.ics").status_code == 404
    assert client.get("/drills/feed/not-a-token.ics").status_code == 404
    assert client.get("/drills/feed/密钥.ics").status_code == 404
    assert client.get("/duty/feed/密钥.ics").status_code == 404
    # The person's secret opens both feeds.
    token = token_of(drill_world.planner)
    assert client.get(f"/drills/feed/{token}.ics").status_code == 200
    assert client.get(f"/duty/feed/{token}.ics").status_code == 200
    # A person whose login is switched off has no drills feed.
    drill_world.planner.is_active = False
    drill_world.planner.save(update_fields=["is_active"])
    assert client.get(f"/drills/feed/{token}.ics").status_code == 404


def test_the_calendar_offers_the_feed_link_and_shows_it_once(
    drill_world: DrillWorld, client_for
) -> None:
    client = client_for(drill_world.planner)
    assert 'action="/drills/feed/mine/"' in client.get("/drills/").content.decode()
    assert client.get("/drills/feed/mine/").status_code == 405
    page = client.post("/drills/feed/mine/")
    html = page.content.decode()
    found = re.search(r'value="http://testserver/drills/feed/([^"]+)\.ics"', html)
    assert page.status_code == 200 and found is not None
    assert f"/duty/feed/{found.group(1)}.ics" in html
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    assert client.get(f"/drills/feed/{found.group(1)}.ics").status_code == 200


def test_a_login_without_a_person_gets_no_feed_link(drill_world: DrillWorld, client_for) -> None:
    user = drill_world.planner
    user.person = None
    user.save(update_fields=["person"])
    answer = client_for(user).post("/drills/feed/mine/", follow=True)
    assert answer.redirect_chain[-1][0] == "/drills/"


def test_the_writer_escapes_and_folds_text_values() -> None:
    moment = datetime(2030, 5, 10, 1, 0, tzinfo=SHANGHAI)
    text = ical.calendar(
        "演练",
        [
            ical.Event(
                uid="x@yingji",
                starts=moment,
                ends=moment + timedelta(hours=1),
                summary="a,b;c\\d",
                description="第一行\r\n第二行\r第三行" + "长" * 60,
                location="会议室",
                status="CANCELLED",
            )
        ],
        now=moment,
        product="drills",
    )
    lines = physical_lines(text)
    assert "PRODID:-//yingji//drills//ZH" in lines and "STATUS:CANCELLED" in lines
    assert "SUMMARY:a\\,b\\;c\\\\d" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    [event] = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["DESCRIPTION"]) == "第一行\n第二行\n第三行" + "长" * 60


# --- the plan's drill cycle -----------------------------------------------------------------


def test_the_plan_page_shows_when_the_next_drill_is_due(
    drill_world: DrillWorld, client_for
) -> None:
    version = drill_world.version
    client = client_for(drill_world.planner)
    due = cycle_of(drill_world).due_at
    html = client.get(f"/plans/versions/{version.pk}/").content.decode()
    cycle = cycle_part(html)
    assert programme.local_day(due).isoformat() in cycle
    assert "overdue-text" not in cycle
    # The drill planned for next week is the next one.
    assert f'href="/drills/{drill_world.drill.pk}/"' in cycle


def test_the_plan_page_shows_an_overdue_drill_in_red_and_the_last_drill_held(
    drill_world: DrillWorld, client_for
) -> None:
    set_due(drill_world, timezone.now() - timedelta(days=3), state=Deadline.State.MISSED)
    held = move(
        drill_world.drill, timezone.now() - timedelta(days=400), state=Drill.State.EVALUATED
    )
    html = client_for(drill_world.planner).get(
        f"/plans/{drill_world.version.plan.pk}/", follow=True
    )
    page = html.content.decode()
    cycle = cycle_part(page)
    assert 'class="overdue-text"' in cycle
    assert f'href="/drills/{held.pk}/"' in cycle
    assert held.starts_at.astimezone(SHANGHAI).date().isoformat() in cycle


def test_the_plan_cycle_names_the_next_planned_drill_and_not_a_past_one(
    drill_world: DrillWorld,
) -> None:
    move(drill_world.drill, timezone.now() - timedelta(days=1))
    upcoming = move(another_drill(drill_world), timezone.now() + timedelta(days=20))
    cycle = programme.plan_cycle(drill_world.version.plan, drill_world.planner)
    assert cycle.next == upcoming and cycle.next_visible and cycle.last is None
    stranger = personas.make_user("stranger", drill_world.town.city.qingxi, Role.PLAN_MANAGER)
    assert not programme.plan_cycle(drill_world.version.plan, stranger).next_visible


# --- the menu -------------------------------------------------------------------------------


def test_the_menu_leads_emergency_staff_to_the_drill_calendar(
    drill_world: DrillWorld, client_for
) -> None:
    menu = client_for(drill_world.evaluator).get("/").content.decode()
    nav = menu[menu.index('<nav id="menu"') :]
    assert 'href="/drills/"' in nav[: nav.index("</nav>")]
    clerk = personas.make_user("clerk", drill_world.town.city.baishizhen, Role.INTAKE_CLERK)
    page = client_for(clerk).get("/").content.decode()
    nav = page[page.index('<nav id="menu"') :]
    assert 'href="/drills/"' not in nav[: nav.index("</nav>")]


def test_the_programme_costs_the_same_queries_however_many_drills(
    drill_world: DrillWorld, client_for, django_assert_max_num_queries
) -> None:
    drill = drill_world.drill
    year = programme.local_day(drill.starts_at).year
    set_due(drill_world, drill.starts_at + timedelta(days=2))
    client = client_for(drill_world.planner)
    url = f"/drills/programme/?year={year}"
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(3):
        another_drill(drill_world, title=f"推演{n}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count('href="/drills/') >= 5
