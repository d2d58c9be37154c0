"""Reads of the drill calendar, the annual drill programme (年度演练计划) of a unit, the
plan's drill cycle and the iCalendar feed of a person's drills. Nothing here writes.

A plan's drill cycle is its open ``drill.cycle`` deadline on the clock (started when a
version takes effect, met by an evaluated drill). The programme lists the plans whose
cycle falls due in its year or is overdue, and whether a drill is planned for each in
time: a drill counts for a cycle when it exercises a version of the plan, starts after
the cycle began (an earlier drill counted for the last one), and is being held or still to
come (a cancelled one is not; an evaluated one met the last cycle and started this one).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yingji.accounts.models import User
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.drills import access
from yingji.drills.models import Drill
from yingji.duty import ical
from yingji.duty import services as duty
from yingji.org import lines
from yingji.org.models import Unit
from yingji.plans.access import plans_visible_to
from yingji.plans.models import Plan, PlanVersion

DRILL_MARK = "【演练】"
CYCLE_KIND = "drill.cycle"
# Years a calendar or programme may be asked for; anything else is not a year of drills.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Drills starting this soon are highlighted on the calendar.
SOON = timedelta(days=7)
# A year of one jurisdiction's drills is a few hundred at most; the pages stop here.
MOST = 1000
# The feed: what a calendar app keeps in view.
FEED_PAST, FEED_AHEAD = timedelta(days=90), timedelta(days=365)
SCENARIO_CHARS = 200


def year_message() -> str:
    return _("Give a year from %(first)d to %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR}


def this_year() -> int:
    return timezone.localtime(timezone.now(), clock.office_zone()).year


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The year as office time: 1 January 00:00 to the next 1 January 00:00."""
    zone = clock.office_zone()
    return (
        datetime(year, 1, 1, tzinfo=zone),
        datetime(year + 1, 1, 1, tzinfo=zone),
    )


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment, clock.office_zone()).date()


def _with_plans(drills: QuerySet[Drill]) -> QuerySet[Drill]:
    return drills.select_related("unit").prefetch_related(
        Prefetch(
            "plan_versions",
            queryset=PlanVersion.objects.select_related("plan").order_by("plan__title", "number"),
        )
    )


# --- the calendar ----------------------------------------------------------------------


def calendar_drills(
    user: User, *, year: int, unit: Unit | None = None, state: str = ""
) -> QuerySet[Drill]:
    """The drills the user sees that start in ``year`` (office time), soonest first;
    narrowed to those organised by ``unit`` or in ``state``."""
    first, last = year_bounds(year)
    drills = access.drills_visible_to(user).filter(starts_at__gte=first, starts_at__lt=last)
    if unit is not None:
        drills = drills.filter(unit=unit)
    if state:
        drills = drills.filter(state=state)
    return _with_plans(drills).order_by("starts_at", "pk")


def organisers_for(user: User) -> QuerySet[Unit]:
    """The units that organise a drill the user sees: the calendar's unit filter."""
    return (
        Unit.objects.filter(pk__in=access.drills_visible_to(user).values("unit"))
        .order_by("path")
        .only("pk", "name", "path")
    )


@dataclass
class Month:
    number: int  # 1–12
    drills: list[Drill] = field(default_factory=list)


def by_month(drills: Iterable[Drill]) -> list[Month]:
    """The drills in months of office time, only the months that have one."""
    months: dict[int, Month] = {}
    for drill in drills:
        number = timezone.localtime(drill.starts_at, clock.office_zone()).month
        months.setdefault(number, Month(number)).drills.append(drill)
    return [months[n] for n in sorted(months)]


def is_soon(drill: Drill, now: datetime) -> bool:
    """Starts within the next seven days (and has not been cancelled)."""
    return drill.state != Drill.State.CANCELLED and now <= drill.starts_at < now + SOON


def plans_of(drill: Drill) -> list[PlanVersion]:
    """The plan versions the drill exercises, from the prefetch of ``_with_plans``."""
    return list(drill.plan_versions.all())


# --- the annual programme --------------------------------------------------------------


def programme_units(user: User) -> QuerySet[Unit]:
    """The units whose programme the user may read: their emergency jurisdiction."""
    return Unit.objects.visible_to(user, lines.EMERGENCY)


def default_unit(user: User) -> Unit | None:
    """The user's own unit, or for one without (a superuser) the top of the tree."""
    if user.unit is not None:
        return user.unit
    return programme_units(user).order_by("path").first()


@dataclass
class PlanDue:
    """A plan whose drill falls due in the programme's year or is overdue."""

    plan: Plan
    deadline: Deadline
    overdue: bool
    due_on: date
    drill: Drill | None = None  # the first drill planned or held for this cycle
    drill_visible: bool = False  # the user may open that drill

    @property
    def in_time(self) -> bool:
        return self.drill is not None and self.drill.starts_at <= self.deadline.due_at


@dataclass
class Programme:
    unit: Unit
    year: int
    months: list[Month]
    due: list[PlanDue]

    @property
    def drill_count(self) -> int:
        return sum(len(m.drills) for m in self.months)


def _area(user: User, unit: Unit) -> QuerySet[Unit]:
    """``unit`` and the units below it that are in the user's jurisdiction."""
    return programme_units(user).filter(pk__in=Unit.objects.subtree(unit).values("pk"))


def programme_drills(user: User, unit: Unit, year: int) -> QuerySet[Drill]:
    """The drills planned or held in ``year`` by ``unit`` and the units below it in the
    user's jurisdiction: a cancelled drill is in neither."""
    first, last = year_bounds(year)
    drills = (
        access.drills_visible_to(user)
        .filter(unit__in=_area(user, unit), starts_at__gte=first, starts_at__lt=last)
        .exclude(state=Drill.State.CANCELLED)
    )
    return _with_plans(drills).order_by("starts_at", "pk")


def _cycle_drills(plans: Sequence[Plan]) -> dict[int, list[Drill]]:
    """Plan pk → the drills (not cancelled) exercising any of its versions, soonest
    first: one query however many plans."""
    found: dict[int, list[Drill]] = {}
    rows = (
        Drill.objects.filter(plan_versions__plan__in=[p.pk for p in plans])
        .exclude(state=Drill.State.CANCELLED)
        .select_related("unit")
        .annotate(exercised_plan=F("plan_versions__plan"))
        .order_by("starts_at", "pk")
    )
    for drill in rows:
        listed = found.setdefault(drill.exercised_plan, [])
        if all(d.pk != drill.pk for d in listed):  # two versions of one plan
            listed.append(drill)
    return found


def _first_for_cycle(deadline: Deadline, drills: Sequence[Drill], now: datetime) -> Drill | None:
    """The first drill of this cycle, held or still to come. An evaluated drill met the
    cycle before and started this one (from the start of its day, drills.report); a
    drill left planned after its start time never ran, and meets nothing."""
    return next(
        (
            d
            for d in drills
            if d.starts_at >= deadline.started_at
            and d.state != Drill.State.EVALUATED
            and not (d.state == Drill.State.PLANNED and d.starts_at < now)
        ),
        None,
    )


def plans_due(user: User, unit: Unit, year: int, *, now: datetime | None = None) -> list[PlanDue]:
    """The plans of ``unit`` and the units below it in the user's jurisdiction whose drill
    cycle falls due in ``year`` or is overdue, most urgent first, each with the drill
    planned for this cycle, if any."""
    now = now or timezone.now()
    first, last = year_bounds(year)
    plans = list(
        plans_visible_to(user)
        .filter(owner__in=_area(user, unit))
        .select_related("owner")
        .order_by("owner__path", "title", "pk")[:MOST]
    )
    deadlines = clock.open_deadline_of_each(plans, CYCLE_KIND)
    chosen: list[tuple[Plan, Deadline, bool]] = []
    for plan in plans:
        deadline = deadlines.get(plan.pk)
        if deadline is None:
            continue
        overdue = deadline.state == Deadline.State.MISSED or deadline.due_at < now
        if overdue or first <= deadline.due_at < last:
            chosen.append((plan, deadline, overdue))
    drills = _cycle_drills([plan for plan, _d, _o in chosen])
    found = [
        PlanDue(
            plan=plan,
            deadline=deadline,
            overdue=overdue,
            due_on=local_day(deadline.due_at),
            drill=_first_for_cycle(deadline, drills.get(plan.pk, []), now),
        )
        for plan, deadline, overdue in chosen
    ]
    _mark_visible(user, [row for row in found if row.drill is not None])
    found.sort(key=lambda row: (not row.overdue, row.deadline.due_at, row.plan.title))
    return found


def _mark_visible(user: User, rows: Sequence[PlanDue]) -> None:
    ids = {row.drill.pk for row in rows if row.drill is not None}
    if not ids:
        return
    visible = set(access.drills_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    for row in rows:
        row.drill_visible = row.drill is not None and row.drill.pk in visible


def programme(user: User, unit: Unit, year: int, *, now: datetime | None = None) -> Programme:
    return Programme(
        unit=unit,
        year=year,
        months=by_month(programme_drills(user, unit, year)),
        due=plans_due(user, unit, year, now=now),
    )


# --- the plan's drill cycle ------------------------------------------------------------


@dataclass
class PlanCycle:
    """What the plan page shows of its drill cycle."""

    deadline: Deadline | None
    due_on: date | None
    overdue: bool
    last: Drill | None  # the last drill held and evaluated
    last_visible: bool
    next: Drill | None  # the next drill planned
    next_visible: bool

    @property
    def empty(self) -> bool:
        return self.deadline is None and self.last is None and self.next is None


def plan_cycle(plan: Plan, user: User, *, now: datetime | None = None) -> PlanCycle:
    now = now or timezone.now()
    deadline = clock.open_deadline(plan, CYCLE_KIND)
    exercising = Drill.objects.filter(plan_versions__plan=plan).distinct()
    last = (
        exercising.filter(state=Drill.State.EVALUATED)
        .order_by("-starts_at", "-pk")
        .select_related("unit")
        .first()
    )
    upcoming = (
        exercising.filter(state=Drill.State.PLANNED, starts_at__gte=now)
        .order_by("starts_at", "pk")
        .select_related("unit")
        .first()
    )
    shown = {d.pk for d in (last, upcoming) if d is not None}
    visible = (
        set(access.drills_visible_to(user).filter(pk__in=shown).values_list("pk", flat=True))
        if shown
        else set()
    )
    return PlanCycle(
        deadline=deadline,
        due_on=local_day(deadline.due_at) if deadline is not None else None,
        overdue=deadline is not None
        and (deadline.state == Deadline.State.MISSED or deadline.due_at < now),
        last=last,
        last_visible=last is not None and last.pk in visible,
        next=upcoming,
        next_visible=upcoming is not None and upcoming.pk in visible,
    )


# --- the iCalendar feed ----------------------------------------------------------------


def _description(drill: Drill) -> str:
    plans = "、".join(f"{v.plan.title}（v{v.number}）" for v in plans_of(drill))
    scenario = " ".join(drill.scenario.split())[:SCENARIO_CHARS]
    lines_ = [
        _("Type: %(kind)s") % {"kind": drill.get_kind_display()},
        _("Scope: %(scope)s") % {"scope": drill.get_scope_display()},
        _("Organising unit: %(unit)s") % {"unit": drill.unit.name},
        _("Plans exercised: %(plans)s") % {"plans": plans or "—"},
        _("Scenario: %(scenario)s") % {"scenario": scenario},
    ]
    return "\n".join(lines_)


def feed_events(drills: Iterable[Drill]) -> list[ical.Event]:
    return [
        ical.Event(
            uid=f"drill-{drill.pk}@yingji",
            starts=drill.starts_at,
            ends=drill.starts_at + timedelta(minutes=drill.duration_minutes),
            summary=f"{DRILL_MARK}{drill.title}",
            description=_description(drill),
            location=drill.place,
            status="CANCELLED" if drill.state == Drill.State.CANCELLED else "CONFIRMED",
        )
        for drill in drills
    ]


def feed_drills(user: User, *, now: datetime) -> QuerySet[Drill]:
    drills = access.drills_visible_to(user).filter(
        starts_at__gte=now - FEED_PAST, starts_at__lt=now + FEED_AHEAD
    )
    return _with_plans(drills).order_by("starts_at", "pk")[:MOST]


def feed_text(user: User, *, now: datetime | None = None) -> str:
    """The drills the user sees from ``FEED_PAST`` ago to ``FEED_AHEAD`` ahead, as an
    iCalendar (RFC 5545) text."""
    now = now or timezone.now()
    name = _("Drills: %(name)s") % {"name": str(user)}
    return ical.calendar(name, feed_events(feed_drills(user, now=now)), now=now, product="drills")


def feed_for(token: str) -> str | None:
    """The drills feed a person's calendar secret (the duty feed's, duty.FeedToken) opens,
    or None: for an unknown secret, a unit's feed (a unit has no user to see drills as),
    and a person without an active login."""
    feed = duty.feed_token(token)
    if feed is None or feed.person is None:
        return None
    user = User.objects.filter(person=feed.person, is_active=True).select_related("unit").first()
    if user is None:
        return None
    return feed_text(user)


# --- the programme as a spreadsheet -----------------------------------------------------


def _local(moment: datetime) -> str:
    return timezone.localtime(moment, clock.office_zone()).strftime("%Y-%m-%d %H:%M")


def to_xlsx(found: Programme) -> bytes:
    """The programme as an Excel workbook: the drills by month, then the plans due, made
    safe by the documents app's writer (no cell a spreadsheet would evaluate)."""
    from openpyxl.styles import Font

    from yingji.documents import excel

    book = excel.workbook()
    drills = book.active
    assert drills is not None
    drills.title = _("Drills")[:31]
    heading = _("%(unit)s annual drill programme %(year)s") % {
        "unit": found.unit.name,
        "year": found.year,
    }
    drills.append([heading])
    drills["A1"].font = Font(bold=True, size=14)
    drills.append(
        [
            _("Month"),
            _("Date and time"),
            _("Drill"),
            _("Type"),
            pgettext("drill", "Scope"),
            _("Organising unit"),
            _("Plans exercised"),
            _("Venue"),
            _("State"),
        ]
    )
    for cell in drills[2]:
        cell.font = Font(bold=True)
    for month in found.months:
        for drill in month.drills:
            drills.append(
                [
                    month.number,
                    _local(drill.starts_at),
                    f"{DRILL_MARK}{drill.title}",
                    drill.get_kind_display(),
                    drill.get_scope_display(),
                    drill.unit.name,
                    "、".join(f"{v.plan.title}（v{v.number}）" for v in plans_of(drill)),
                    drill.place,
                    drill.get_state_display(),
                ]
            )
    for column, width in zip("ABCDEFGHI", (8, 18, 36, 22, 16, 20, 44, 28, 16), strict=True):
        drills.column_dimensions[column].width = width

    due = book.create_sheet(_("Plans due for a drill")[:31])
    due.append([_("Plan"), _("Unit"), _("Drill due by"), _("Overdue"), _("Drill planned")])
    for cell in due[1]:
        cell.font = Font(bold=True)
    for row in found.due:
        if row.drill is None:
            planned = _("None planned")
        elif row.in_time:
            planned = f"{_local(row.drill.starts_at)} {row.drill.title}"
        else:
            planned = _("%(when)s %(title)s (after the due date)") % {
                "when": _local(row.drill.starts_at),
                "title": row.drill.title,
            }
        due.append(
            [
                row.plan.title,
                row.plan.owner.name,
                row.due_on.isoformat(),
                _("Yes") if row.overdue else _("No"),
                planned,
            ]
        )
    for column, width in zip("ABCDE", (44, 20, 14, 8, 50), strict=True):
        due.column_dimensions[column].width = width
    return excel.save(book)
