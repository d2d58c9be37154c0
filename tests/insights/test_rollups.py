"""The figures kept as cases change: every count the dashboard adds up equals the same
count made directly from the cases, for any period (whole months from the month rows,
the days around them from the day rows), after registrations, decisions, ratings,
deadlines met late or missed, drills and a rebuild."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Sum

from tests import personas
from tests.petitions.conftest import intake
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.insights import petition_rollups, rollups
from yingji.insights import petitions as figures
from yingji.insights.models import (
    DAY,
    MONTH,
    WEEK,
    DeadlineOutcome,
    PetitionFlow,
    PetitionStage,
    Stale,
)
from yingji.insights.scope import Period, period_of, scope_for
from yingji.org import lines
from yingji.org import services as org
from yingji.org.models import Unit
from yingji.petitions import services
from yingji.petitions.models import Category, FollowUp, Petition

TZ = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(city: personas.City) -> User:
    bureau = org.create_unit(
        actor=personas.SETUP, name="安澜市信访局", kind=Unit.Kind.DEPARTMENT, parent=city.city
    )
    return personas.make_user("city_sv", bureau, Role.SUPERVISOR)


def register(clerk: User, office: Unit, at: datetime, **overrides: object) -> Petition:
    return services.register(
        intake(received_at=at, **overrides), office=office, actor=Actor(user=clerk)
    ).petition


def counted(table: type, period: Period, field: str = "cases", **where: object) -> int:
    rows = table.objects.filter(period.rows(), **where)
    return rows.aggregate(n=Sum(field))["n"] or 0


def test_a_registration_marks_its_day_and_the_refresh_counts_it(
    city: personas.City, township_clerk: User
) -> None:
    at = datetime(2026, 9, 20, 23, 30, tzinfo=TZ)  # 15:30 UTC: the office's day counts
    petition = register(township_clerk, city.baishizhen, at)
    assert Stale.objects.filter(topic=petition_rollups.PETITIONS, day=date(2026, 9, 20)).exists()
    assert rollups.refresh() == 1
    assert not Stale.objects.filter(topic=petition_rollups.PETITIONS).exists()
    row = PetitionFlow.objects.get(grain=DAY)
    assert (row.day, row.unit_id, row.category_id, row.channel, row.cases) == (
        date(2026, 9, 20),
        petition.unit_id,
        petition.category_id,
        "visit",
        1,
    )
    month = PetitionFlow.objects.get(grain=MONTH)
    assert (month.day, month.cases) == (date(2026, 9, 1), 1)
    week = PetitionFlow.objects.get(grain=WEEK)  # 2026-09-20 is a Sunday
    assert (week.day, week.cases) == (date(2026, 9, 14), 1)
    stage = PetitionStage.objects.get(grain=DAY)
    assert (stage.stage, stage.cases) == ("registered", 1)
    notice = DeadlineOutcome.objects.get(grain=DAY, kind="petition.acceptance_notice")
    assert (notice.running, notice.on_time, notice.overdue) == (1, 0, 0)


def test_a_decision_moves_the_case_between_stages_and_meets_the_notice(
    city: personas.City, township_clerk: User
) -> None:
    petition = register(township_clerk, city.baishizhen, datetime(2026, 9, 20, 10, tzinfo=TZ))
    rollups.refresh()
    services.decide(
        petition,
        actor=Actor(user=township_clerk),
        decision="accept",
        at=datetime(2026, 9, 22, 10, tzinfo=TZ),
    )
    rollups.refresh()
    stages = dict(PetitionStage.objects.filter(grain=DAY).values_list("stage", "cases"))
    assert stages == {"accepted": 1}
    notice = DeadlineOutcome.objects.get(grain=DAY, kind="petition.acceptance_notice")
    assert (notice.on_time, notice.running) == (1, 0)
    handling = DeadlineOutcome.objects.get(grain=DAY, kind="petition.handling")
    assert handling.running == 1


def test_late_and_missed_deadlines_count_against_their_unit(
    city: personas.City, township_clerk: User
) -> None:
    actor = Actor(user=township_clerk)
    received = datetime(2026, 3, 2, 10, tzinfo=TZ)
    late = register(township_clerk, city.baishizhen, received)
    missed = register(township_clerk, city.baishizhen, received)
    services.decide(late, actor=actor, decision="accept", at=received + timedelta(days=40))
    clock.check(received + timedelta(days=60), actor=Actor.system("tests"))
    rollups.refresh()
    notice = DeadlineOutcome.objects.get(grain=DAY, kind="petition.acceptance_notice")
    assert (notice.on_time, notice.late, notice.overdue, notice.unit_id) == (
        0,
        1,
        1,
        city.baishizhen.pk,
    )
    assert Deadline.objects.get(subject_id=str(missed.pk), kind=notice.kind).state == "missed"


def test_the_newest_rating_counts_and_drills_never_count(
    city: personas.City, township_clerk: User
) -> None:
    at = datetime(2026, 5, 6, 9, tzinfo=TZ)
    rated = register(township_clerk, city.baishizhen, at)
    drill = register(township_clerk, city.baishizhen, at)
    drill.is_drill = True
    drill.save(update_fields=["is_drill"])
    for rating in ("unsatisfied", "basically"):
        FollowUp.objects.create(
            petition=rated, by="staff", rating=rating, at=at, staff=township_clerk
        )
    rollups.refresh()
    row = PetitionFlow.objects.get(grain=DAY)
    assert (row.cases, row.basically, row.unsatisfied) == (1, 1, 0)


def test_period_rows_add_up_whole_months_and_the_days_around_them(
    city: personas.City, township_clerk: User
) -> None:
    rng = random.Random(4)  # noqa: S311 - a fixed sample, not a secret
    start = datetime(2025, 12, 20, 9, tzinfo=TZ)
    received = []
    for _ in range(40):
        at = start + timedelta(days=rng.randrange(110), hours=rng.randrange(14))
        register(township_clerk, rng.choice([city.baishizhen, city.hexi]), at)
        received.append(at.date())
    rollups.refresh()
    for _ in range(60):
        first = date(2025, 12, 15) + timedelta(days=rng.randrange(120))
        last = first + timedelta(days=rng.randrange(100))
        period = Period(first, last)
        expected = sum(first <= day <= last for day in received)
        assert counted(PetitionFlow, period) == expected, period
        assert counted(PetitionStage, period) == expected, period


def test_a_rebuild_writes_what_the_refreshes_wrote(
    city: personas.City, township_clerk: User, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(9)  # noqa: S311 - a fixed sample, not a secret
    for index in range(12):
        at = datetime(2026, 1, 28, 9, tzinfo=TZ) + timedelta(days=index * 3)
        p = register(township_clerk, city.baishizhen, at, channel=rng.choice(["visit", "letter"]))
        if index % 3 == 0:
            services.decide(p, actor=Actor(user=township_clerk), decision="accept", at=at)
    rollups.refresh()

    def snapshot() -> set[tuple[object, ...]]:
        rows: set[tuple[object, ...]] = set()
        for table, (keys, sums) in petition_rollups.TOPIC.tables.items():
            fields = ["grain", "day", *keys, *sums]
            rows |= {(table.__name__, *r) for r in table.objects.values_list(*fields)}
        return rows

    before = snapshot()
    PetitionFlow.objects.filter(grain=DAY).delete()  # figures lost: the rebuild restores them
    call_command("insights", "rebuild")
    assert "rewritten" in capsys.readouterr().out
    assert snapshot() == before


def test_figures_add_up_the_scope_and_compare_with_earlier_periods(
    city: personas.City, township_clerk: User, supervisor: User
) -> None:
    for day in (3, 4, 20):
        register(township_clerk, city.baishizhen, datetime(2026, 4, day, 9, tzinfo=TZ))
    register(township_clerk, city.hexi, datetime(2026, 4, 5, 9, tzinfo=TZ), channel="letter")
    register(township_clerk, city.baishizhen, datetime(2026, 3, 10, 9, tzinfo=TZ))
    register(township_clerk, city.baishizhen, datetime(2025, 4, 10, 9, tzinfo=TZ))
    rollups.refresh()
    scope = scope_for(supervisor, lines.PETITIONS, period_of("2026-04-01", "2026-04-30"))
    found = figures.figures(scope)
    assert (found.totals.cases, found.previous.cases, found.last_year.cases) == (4, 1, 1)
    assert {i.key: i.value for i in found.by_channel} == {"visit": 3, "letter": 1}
    assert sum(i.value for i in found.series) == 4
    assert [t.kind for t in found.timeliness] == ["petition.acceptance_notice"]
    township = scope_for(supervisor, lines.PETITIONS, scope.period, area=city.baishi.pk)
    assert figures.figures(township).totals.cases == 3
    wages = Category.objects.get(code="labour.wages")
    assert (
        figures.figures(
            scope_for(supervisor, lines.PETITIONS, scope.period, category=wages.pk)
        ).totals.cases
        == 4
    )


@pytest.mark.django_db(transaction=True)
def test_writers_marking_a_day_and_auditing_in_either_order_do_not_deadlock() -> None:
    """Two transactions: one marks today stale and then writes an audit entry, the other
    writes an audit entry and then marks the same day. With one locked row per day they
    waited for each other (a deadlock on PostgreSQL, 75 errors in issue 28's load run);
    marks are now rows of their own, so both commit."""
    import threading

    from django.db import connection, transaction

    from yingji.audit import services as audit

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: no two transactions interleave")
    day = date(2026, 12, 5)
    both_inside = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def mark_then_audit() -> None:
        try:
            with transaction.atomic():
                rollups.mark(day, petition_rollups.PETITIONS, schedule=False)
                both_inside.wait()
                audit.record(actor=Actor.system("one"), action="tests.one", object_type="t")
        except BaseException as error:  # reported to the test's thread
            errors.append(error)
        finally:
            connection.close()

    def audit_then_mark() -> None:
        try:
            with transaction.atomic():
                audit.record(actor=Actor.system("two"), action="tests.two", object_type="t")
                both_inside.wait()
                rollups.mark(day, petition_rollups.PETITIONS, schedule=False)
        except BaseException as error:  # reported to the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=mark_then_audit), threading.Thread(target=audit_then_mark)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert rollups.pending(petition_rollups.PETITIONS) == 1
    assert Stale.objects.filter(topic=petition_rollups.PETITIONS, day=day).count() == 2
    rollups.refresh()
    assert rollups.pending(petition_rollups.PETITIONS) == 0
