"""Plan familiarity scores by group and by unit, and who sees what of them: a person's
result is for them and their leaders; figures carry no names, and a figure of fewer
than ``MIN_SHOWN`` people shows no average to someone who may not see each of them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import NoReturn

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from yingji.accounts.models import User
from yingji.drills.models import Check, Drill
from yingji.org import lines
from yingji.org.models import Unit

MIN_SHOWN = 3  # a figure of fewer takers shows its average only to who may see each


def pass_percent() -> int:
    return int(getattr(settings, "DRILL_CHECK_PASS_PERCENT", 60))


def percent(score: int | None, total: int | None) -> float | None:
    if score is None or not total:
        return None
    return round(score * 100 / total, 1)


# --- scores by group and by unit -----------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One group's or unit's figures: how many took the check, how many participants
    have not, and the average of the takers' percentages (None: nobody took it, or too
    few for this reader to see)."""

    key: int | None
    name: str
    taken: int
    not_taken: int
    average_percent: float | None
    hidden: bool = False  # the average exists but would tell a person's score
    takers: tuple[int, ...] = field(default=(), repr=False)

    @property
    def small(self) -> bool:
        """Too few took it for the average to be shown without names: it would be a
        person's score (``scores_visible_to`` hides it from who may not see them)."""
        return 0 < self.taken < MIN_SHOWN


@dataclass(frozen=True)
class PersonResult:
    user_id: int
    name: str
    unit_id: int | None
    unit_name: str
    group_id: int | None
    group_name: str
    score: int | None
    total: int | None
    percent: float | None
    taken_at: datetime | None

    @property
    def taken(self) -> bool:
        return self.taken_at is not None


@dataclass(frozen=True)
class Scores:
    drill_id: int
    pass_percent: int
    overall: Figure
    by_group: list[Figure]
    by_unit: list[Figure]
    # Every participant (and anyone who took the check), taken or not. Personal: only
    # for the person and their leaders (scores_visible_to filters it).
    people: list[PersonResult]

    @property
    def needs_training(self) -> list[PersonResult]:
        """Who scored below the pass mark (YINGJI_DRILL_CHECK_PASS_PERCENT)."""
        return [p for p in self.people if p.percent is not None and p.percent < self.pass_percent]

    @property
    def not_taken(self) -> list[PersonResult]:
        return [p for p in self.people if not p.taken]


def _figure(key: int | None, name: str, rows: list[PersonResult]) -> Figure:
    done = [r for r in rows if r.percent is not None]
    average = round(sum(r.percent or 0 for r in done) / len(done), 1) if done else None
    return Figure(
        key=key,
        name=name,
        taken=len(done),
        not_taken=len(rows) - len(done),
        average_percent=average,
        takers=tuple(sorted(r.user_id for r in done)),
    )


def _grouped(rows: list[PersonResult], by: str) -> list[Figure]:
    buckets: dict[int | None, tuple[str, list[PersonResult]]] = {}
    for row in rows:
        key = row.group_id if by == "group" else row.unit_id
        name = row.group_name if by == "group" else row.unit_name
        buckets.setdefault(key, (name, []))[1].append(row)
    figures = [_figure(key, name, found) for key, (name, found) in buckets.items()]
    # Named ones by name, the "no group"/"no unit" row last.
    return sorted(figures, key=lambda f: (f.key is None, f.name))


def scores_for(drill: Drill) -> Scores:
    """The drill's familiarity scores, unfiltered: for the evaluation and the report.
    A page or the API shows them through ``scores_visible_to``."""
    from yingji.drills.familiarity import Roster  # who takes the check

    roster = Roster(drill)
    checks = {
        c.user_id: c
        for c in Check.objects.filter(drill=drill).select_related("user__person", "group", "unit")
    }
    people: dict[int, User] = dict(roster.people)
    for user_id, found in checks.items():
        people.setdefault(user_id, found.user)
    units = {u.pk: u for u in Unit.objects.filter(pk__in={u.unit_id for u in people.values()})}
    no_group, no_unit = _("Not in a working group"), _("No unit")
    rows = []
    for user_id, user in people.items():
        check = checks.get(user_id)
        if check is not None:
            group, unit = check.group, check.unit
        else:
            seat = roster.seat(user)
            group = seat.group if seat is not None else None
            unit = units.get(user.unit_id) if user.unit_id else None
        taken = check is not None and check.taken_at is not None
        rows.append(
            PersonResult(
                user_id=user_id,
                name=user.display_name,
                unit_id=unit.pk if unit is not None else None,
                unit_name=unit.name if unit is not None else str(no_unit),
                group_id=group.pk if group is not None else None,
                group_name=group.name if group is not None else str(no_group),
                score=check.score if taken and check is not None else None,
                total=check.total if taken and check is not None else None,
                percent=percent(check.score, check.total) if taken and check is not None else None,
                taken_at=check.taken_at if check is not None else None,
            )
        )
    rows.sort(key=lambda r: (r.unit_name, r.group_name, r.name, r.user_id))
    return Scores(
        drill_id=drill.pk,
        pass_percent=pass_percent(),
        overall=_figure(None, _("All participants"), rows),
        by_group=_grouped(rows, "group"),
        by_unit=_grouped(rows, "unit"),
        people=rows,
    )


# --- who sees what -------------------------------------------------------------------------


def is_leader(user: User) -> bool:
    return user.is_authenticated and user.has_perm("drills.view_scores")


def _led(user: User, rows: Iterable[PersonResult]) -> set[int]:
    """The people of ``rows`` whose result the user may see: their own, and as a leader
    those whose unit is in the user's emergency jurisdiction."""
    rows = list(rows)
    visible = {r.user_id for r in rows if r.user_id == user.pk}
    if is_leader(user):
        area = set(
            Unit.objects.visible_to(user, lines.EMERGENCY)
            .filter(pk__in={r.unit_id for r in rows if r.unit_id is not None})
            .values_list("pk", flat=True)
        )
        visible |= {r.user_id for r in rows if r.unit_id in area}
    return visible


def may_see_result(user: User, check: Check) -> bool:
    """A person's result: themselves, and their leaders."""
    if check.user_id == user.pk:
        return True
    if not is_leader(user) or check.unit_id is None:
        return False
    return Unit.objects.visible_to(user, lines.EMERGENCY).filter(pk=check.unit_id).exists()


def may_see_figures(user: User, drill: Drill) -> bool:
    """Figures by group and by unit: those who run, evaluate or plan the drill, and
    leaders. Other participants see their own result only."""
    from yingji.drills.access import may_control, may_evaluate

    return is_leader(user) or may_control(user, drill) or may_evaluate(user, drill)


def refuse_figures() -> NoReturn:
    """The answer to someone who may not see the figures (a participant: their own
    result is on their check's page)."""
    raise PermissionDenied(
        _(
            "The familiarity scores are for the drill's controllers, evaluators and "
            "leaders. Your own result is on your check's page."
        )
    )


def _masked(figure: Figure, visible: set[int]) -> Figure:
    if figure.average_percent is None or figure.taken >= MIN_SHOWN:
        return figure
    if set(figure.takers) <= visible:
        return figure
    return replace(figure, average_percent=None, hidden=True)


def scores_visible_to(drill: Drill, user: User) -> Scores | None:
    """The scores as ``user`` may see them (None: they may see no figures): the people
    they lead (and themselves) by name, every figure without names, and a small figure's
    average only when they may see each person in it."""
    if not may_see_figures(user, drill):
        return None
    scores = scores_for(drill)
    visible = _led(user, scores.people)
    return replace(
        scores,
        overall=_masked(scores.overall, visible),
        by_group=[_masked(f, visible) for f in scores.by_group],
        by_unit=[_masked(f, visible) for f in scores.by_unit],
        people=[p for p in scores.people if p.user_id in visible],
    )
