"""Use cases of the deadline clock: calendars, and deadlines from start to end.

Every deadline in yingji is started, paused, resumed, extended, met or cancelled here;
each call is one transaction with its audit entry and its subject's timeline event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import calendars, kinds, notices, queries
from yingji.clock.models import (
    CalendarDay,
    CalendarYear,
    Deadline,
    DeadlineEvent,
    DeadlinePause,
)
from yingji.clock.periods import Calendar, Due, Pause, compute
from yingji.org.models import Unit
from yingji.timeline import services as timeline

State = Deadline.State

# The reads (queries.py), passed on where the services' callers ask for them.
OPEN_STATES = queries.OPEN_STATES
deadlines_for = queries.deadlines_for
deadlines_for_each = queries.deadlines_for_each
events_except = queries.events_except
latest_deadline = queries.latest_deadline
missed_subjects = queries.missed_subjects
open_deadline = queries.open_deadline
open_deadline_of_each = queries.open_deadline_of_each
open_deadlines = queries.open_deadlines
with_missed_deadline = queries.with_missed_deadline
with_open_deadline_before = queries.with_open_deadline_before


def unknown_kind_message(kind: str) -> str:
    return _("Unknown deadline kind: %(kind)s") % {"kind": kind}


def year_range_message() -> str:
    return _("Choose a year from 2004 to 2100.")


def office_zone() -> Any:
    return timezone.get_default_timezone()


def due_for(
    kind_code: str,
    start: datetime,
    *,
    params: Mapping[str, Any] | None = None,
    profile: str | None = None,
    pauses: tuple[Pause, ...] = (),
    extension: int = 0,
    calendar: Calendar | None = None,
) -> Due:
    """Compute a due time without storing anything (the `yingji deadline` command, the API)."""
    kind = kinds.get(kind_code)
    chosen = kinds.profile(profile)
    try:
        rule = kind.resolve(params or {}, chosen)
    except kinds.ParamError as error:
        raise ValidationError({error.name: [str(error)]}) from None
    return compute(
        start=start,
        rule=rule,
        calendar=calendar or calendars.current(),
        tz=office_zone(),
        profile=chosen,
        pauses=pauses,
        extension=extension,
        source=kind.code,
    )


def _steps(due: Due) -> list[dict[str, Any]]:
    return [asdict(step) for step in due.steps]


def _closed_pauses(deadline: Deadline) -> tuple[Pause, ...]:
    if deadline.pk is None:
        return ()
    return tuple(
        Pause(p.started_at, p.ended_at, p.reason)
        for p in deadline.pauses.all()
        if p.ended_at is not None
    )


def _apply(deadline: Deadline, calendar: Calendar | None = None) -> Due:
    due = due_for(
        deadline.kind,
        deadline.started_at,
        params=deadline.params,
        profile=deadline.profile,
        pauses=_closed_pauses(deadline),
        extension=deadline.extension,
        calendar=calendar,
    )
    deadline.due_at = due.due_at
    deadline.calendar_confirmed = due.confirmed
    deadline.explanation = _steps(due)
    return due


def _event(
    deadline: Deadline,
    kind: str,
    actor: Actor,
    note: str = "",
    *,
    subject: models.Model | None = None,
    **data: Any,
) -> None:
    subject = subject if subject is not None else deadline.subject
    if subject is None:
        return
    timeline.record(
        subject,
        f"deadline.{kind}",
        note,
        actor=actor,
        data={"deadline": deadline.pk, "kind": deadline.kind, **data},
        is_drill=deadline.is_drill,
    )


def start(
    subject: models.Model,
    kind_code: str,
    *,
    actor: Actor,
    unit: Unit,
    started_at: datetime | None = None,
    params: Mapping[str, Any] | None = None,
    responsible: User | None = None,
    profile: str | None = None,
    is_drill: bool = False,
) -> Deadline:
    try:
        kinds.get(kind_code)
    except kinds.UnknownKind:
        raise ValidationError(
            {"kind": [_("Unknown deadline kind: %(kind)s") % {"kind": kind_code}]}
        ) from None
    deadline = Deadline(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        kind=kind_code,
        params=dict(params or {}),
        profile=kinds.profile(profile).name,
        unit=unit,
        responsible=responsible,
        started_at=started_at or timezone.now(),
        state=State.RUNNING,
        is_drill=is_drill,
    )
    _apply(deadline)  # refuses missing or bad parameters before anything is written
    return _save_started(deadline, subject, actor)


# No savepoint of its own: a deadline starts inside its subject's change, which fails
# whole if this fails (two statements fewer on every registration). What a caller may
# catch (an unknown kind, a missing parameter) is refused before.
@transaction.atomic(savepoint=False)
def _save_started(deadline: Deadline, subject: models.Model, actor: Actor) -> Deadline:
    deadline.save(force_insert=True)
    audit.record(
        actor=actor, action="clock.deadline.start", obj=deadline, after=audit.snapshot(deadline)
    )
    # The subject is at hand: the event need not load it again through the generic key
    # (a whole petition row, on every intake).
    _event(deadline, "started", actor, subject=subject, due_at=deadline.due_at.isoformat())
    return deadline


def _locked(deadline: Deadline) -> Deadline:
    return Deadline.objects.select_for_update().get(pk=deadline.pk)


def _require_open(deadline: Deadline, *allowed: str) -> None:
    if deadline.state not in allowed:
        raise ValidationError(
            {"state": [_("This deadline is %(state)s.") % {"state": deadline.get_state_display()}]}
        )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason.")]})
    return reason


@transaction.atomic
def pause(deadline: Deadline, *, actor: Actor, reason: str, at: datetime | None = None) -> Deadline:
    current = _locked(deadline)
    kind = kinds.get(current.kind)
    if not kind.pausable:
        raise ValidationError({"kind": [_("This kind of deadline cannot be paused.")]})
    _require_open(current, State.RUNNING)
    reason = _reason(reason)
    before = audit.snapshot(current)
    at = at or timezone.now()
    DeadlinePause.objects.create(deadline=current, started_at=at, reason=reason)
    current.state = State.PAUSED
    current.save(update_fields=["state", "updated_at"])
    audit.record_update(actor=actor, action="clock.deadline.pause", obj=current, before=before)
    _event(current, "paused", actor, reason)
    return current


@transaction.atomic
def resume(deadline: Deadline, *, actor: Actor, at: datetime | None = None) -> Deadline:
    current = _locked(deadline)
    _require_open(current, State.PAUSED)
    before = audit.snapshot(current)
    at = at or timezone.now()
    open_pause = current.pauses.filter(ended_at__isnull=True).get()
    if at < open_pause.started_at:
        raise ValidationError({"at": [_("A pause cannot end before it began.")]})
    open_pause.ended_at = at
    open_pause.save(update_fields=["ended_at"])
    current.state = State.RUNNING
    _apply(current)
    current.save()
    audit.record_update(actor=actor, action="clock.deadline.resume", obj=current, before=before)
    _event(current, "resumed", actor, due_at=current.due_at.isoformat())
    return current


def may_approve_extension(user: User | None, kind: kinds.DeadlineKind) -> bool:
    if user is None or not user.is_active:
        return False
    return user.is_superuser or bool(user.role_codes & kind.extension_roles)


@transaction.atomic
def extend(deadline: Deadline, *, actor: Actor, by: int, reason: str) -> Deadline:
    current = _locked(deadline)
    kind = kinds.get(current.kind)
    errors: dict[str, list[str]] = {}
    if kind.max_extension is None:
        errors["by"] = [_("This kind of deadline cannot be extended.")]
    elif by <= 0:
        errors["by"] = [_("Enter a positive number.")]
    elif current.extension + by > kind.max_extension:
        errors["by"] = [
            _("The extension may total at most %(limit)d; %(used)d already granted.")
            % {"limit": kind.max_extension, "used": current.extension}
        ]
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason.")]
    if not may_approve_extension(actor.user, kind):
        errors["approver"] = [_("Only a leader may approve an extension.")]
    if current.state not in (State.RUNNING, State.PAUSED, State.MISSED):
        errors["state"] = [
            _("This deadline is %(state)s.") % {"state": current.get_state_display()}
        ]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(current)
    current.extension += by
    current.extension_reason = reason.strip()
    current.extension_approver = actor.user
    current.extended_at = timezone.now()
    _apply(current)
    if current.state == State.MISSED and current.due_at > timezone.now():
        current.state = State.RUNNING
    current.save()
    audit.record_update(actor=actor, action="clock.deadline.extend", obj=current, before=before)
    _event(current, "extended", actor, reason.strip(), by=by, due_at=current.due_at.isoformat())
    return current


@transaction.atomic
def meet(deadline: Deadline, *, actor: Actor, at: datetime | None = None) -> Deadline:
    current = _locked(deadline)
    _require_open(current, *OPEN_STATES)
    before = audit.snapshot(current)
    current.met_at = at or timezone.now()
    current.state = State.MET
    if current.pauses.filter(ended_at__isnull=True).exists():
        current.pauses.filter(ended_at__isnull=True).update(ended_at=current.met_at)
    current.save(update_fields=["met_at", "state", "updated_at"])
    audit.record_update(actor=actor, action="clock.deadline.meet", obj=current, before=before)
    _event(current, "met", actor, late=current.is_late)
    return current


@transaction.atomic
def cancel(deadline: Deadline, *, actor: Actor, reason: str) -> Deadline:
    current = _locked(deadline)
    _require_open(current, *OPEN_STATES)
    reason = _reason(reason)
    before = audit.snapshot(current)
    current.state = State.CANCELLED
    current.save(update_fields=["state", "updated_at"])
    audit.record_update(actor=actor, action="clock.deadline.cancel", obj=current, before=before)
    _event(current, "cancelled", actor, reason)
    return current


def recompute_between(first: date, last: date, *, actor: Actor) -> int:
    """Recompute every open deadline whose period touches ``first``..``last``."""
    zone = office_zone()
    window_start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    window_end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    candidates = Deadline.objects.filter(
        state__in=OPEN_STATES, started_at__lt=window_end, due_at__gte=window_start
    ).values_list("pk", flat=True)
    changed = 0
    calendar = calendars.current()
    for pk in list(candidates.iterator()):
        if _recompute_one(pk, calendar, actor=actor):
            changed += 1
    return changed


@transaction.atomic
def _recompute_one(pk: int, calendar: Calendar, *, actor: Actor) -> bool:
    current = Deadline.objects.select_for_update().get(pk=pk)
    before = audit.snapshot(current)
    old_due = current.due_at
    _apply(current, calendar)
    if current.due_at == old_due and current.calendar_confirmed == before["calendar_confirmed"]:
        return False
    if current.state == State.MISSED and current.due_at > timezone.now():
        current.state = State.RUNNING
    current.save()
    audit.record_update(actor=actor, action="clock.deadline.recompute", obj=current, before=before)
    _event(
        current,
        "recomputed",
        actor,
        _("The official calendar changed."),
        old_due_at=old_due.isoformat(),
        due_at=current.due_at.isoformat(),
    )
    return True


# --- calendars ------------------------------------------------------------------------

PROBLEM_MESSAGES = {
    "header": lambda f: _("The first line must be the header date,kind,name."),
    "yaml": lambda f: _("This is not a notice in the documented YAML form."),
    "date": lambda f: _("%(value)s is not a date such as 2027-01-01.") % f,
    "kind": lambda f: _("%(value)s is not a kind: use holiday (休) or workday (班).") % f,
    "range": lambda f: _("The range %(value)s is longer than a holiday period can be.") % f,
    "empty": lambda f: _("The file lists no days."),
    "year": lambda f: _("%(value)s is too far from the notice year %(year)s.") % f,
    "weekday_workday": lambda f: (
        _("%(value)s is a weekday: a make-up working day is a Saturday or Sunday.") % f
    ),
    "contradiction": lambda f: (
        _("%(value)s is listed both as a holiday and as a working day (also in row %(other)s).") % f
    ),
    "duplicate": lambda f: _("%(value)s is listed twice (also in row %(other)s).") % f,
}


def notice_problems(notice: notices.Notice) -> list[str]:
    return [
        _("Row %(row)s: %(problem)s") % {"row": row, "problem": PROBLEM_MESSAGES[code](facts)}
        for row, code, facts in notice.problems
    ]


@transaction.atomic
def import_notice(notice: notices.Notice, *, actor: Actor) -> CalendarYear:
    """Replace a year's official calendar with a notice; all of it or nothing."""
    problems = notice_problems(notice)
    if problems:
        raise ValidationError({"file": problems})
    assert notice.year is not None
    touched = {notice.year} | {d.day.year for d in notice.days}
    before = _calendar_as_now(touched)
    entry, _created = CalendarYear.objects.update_or_create(
        year=notice.year, defaults={"reference": notice.reference[:120], "confirmed": True}
    )
    CalendarDay.objects.filter(Q(year=entry) | Q(date__in=[d.day for d in notice.days])).delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(year=entry, date=d.day, kind=d.kind, name=d.name[:40]) for d in notice.days
    )
    # Touch the years whose dates moved, so every process rebuilds its cached calendar.
    CalendarYear.objects.filter(year__in=touched).update(updated_at=timezone.now())
    audit.record(
        actor=actor,
        action="clock.calendar.import",
        obj=entry,
        after={"days": [(d.day.isoformat(), d.kind, d.name) for d in notice.days]},
    )
    _queue_recompute(before, touched)
    return entry


def weekend_only_message() -> str:
    return _("A make-up working day is a Saturday or Sunday.")


@transaction.atomic
def set_day(day: date, kind: str, name: str, *, actor: Actor) -> CalendarDay:
    """Add or change one day of the office's table (the admin's edit)."""
    if kind not in CalendarDay.Kind.values:
        raise ValidationError({"kind": [_("Choose holiday or make-up working day.")]})
    if kind == CalendarDay.Kind.WORKDAY and day.weekday() < 5:
        raise ValidationError({"date": [_("A make-up working day is a Saturday or Sunday.")]})
    before = _calendar_as_now({day.year})
    year, _created = CalendarYear.objects.get_or_create(year=day.year)
    entry, _created = CalendarDay.objects.update_or_create(
        date=day, defaults={"year": year, "kind": kind, "name": name[:40]}
    )
    CalendarYear.objects.filter(year=day.year).update(updated_at=timezone.now())
    audit.record(
        actor=actor, action="clock.calendar.set_day", obj=entry, after=audit.snapshot(entry)
    )
    _queue_recompute(before, {day.year})
    return entry


@transaction.atomic
def remove_day(entry: CalendarDay, *, actor: Actor) -> None:
    before = _calendar_as_now({entry.date.year})
    snapshot = audit.snapshot(entry)
    year = entry.date.year
    audit.record(actor=actor, action="clock.calendar.remove_day", obj=entry, before=snapshot)
    entry.delete()
    CalendarYear.objects.filter(year=year).update(updated_at=timezone.now())
    _queue_recompute(before, {year})


def _calendar_as_now(years: set[int]) -> Calendar:
    """The given years read before a change, to compare with after it."""
    calendar = Calendar(calendars.year_data)
    for year in years:
        calendar.year(year)
    return calendar


def _queue_recompute(before: Calendar, years: set[int]) -> None:
    after = Calendar(calendars.year_data)
    changed = calendars.working_changes(before, after, years)
    if not changed:
        return
    from yingji.clock.tasks import recompute_deadlines

    first, last = changed[0].isoformat(), changed[-1].isoformat()
    transaction.on_commit(lambda: recompute_deadlines(first, last))


# --- the periodic check -----------------------------------------------------------------


def check(now: datetime | None = None, *, actor: Actor | None = None) -> dict[str, int]:
    """Mark missed deadlines and emit "overdue" and "due soon" events, each once."""
    now = now or timezone.now()
    actor = actor or Actor.system(_("deadline checker"))
    missed = 0
    for pk in list(
        Deadline.objects.filter(state=State.RUNNING, due_at__lt=now).values_list("pk", flat=True)
    ):
        missed += _mark_missed(pk, now, actor=actor)
    soon = 0
    for kind in kinds.all_kinds():
        for threshold in kind.due_soon:
            minutes = int(threshold.total_seconds() // 60)
            pending = (
                Deadline.objects.filter(
                    kind=kind.code, state=State.RUNNING, due_at__gte=now, due_at__lt=now + threshold
                )
                .exclude(
                    events__kind=DeadlineEvent.Kind.DUE_SOON, events__threshold_minutes=minutes
                )
                .values_list("pk", flat=True)
            )
            created = DeadlineEvent.objects.bulk_create(
                [
                    DeadlineEvent(
                        deadline_id=pk,
                        kind=DeadlineEvent.Kind.DUE_SOON,
                        threshold_minutes=minutes,
                        emitted_at=now,
                    )
                    for pk in pending
                ],
                ignore_conflicts=True,
            )
            soon += len(created)
    return {"missed": missed, "due_soon": soon}


@transaction.atomic
def _mark_missed(pk: int, now: datetime, *, actor: Actor) -> int:
    current = Deadline.objects.select_for_update().get(pk=pk)
    if current.state != State.RUNNING or current.due_at >= now:
        return 0
    before = audit.snapshot(current)
    current.state = State.MISSED
    current.save(update_fields=["state", "updated_at"])
    DeadlineEvent.objects.get_or_create(
        deadline=current,
        kind=DeadlineEvent.Kind.OVERDUE,
        threshold_minutes=0,
        defaults={"emitted_at": now},
    )
    audit.record_update(actor=actor, action="clock.deadline.missed", obj=current, before=before)
    _event(current, "missed", actor, due_at=current.due_at.isoformat())
    return 1


@transaction.atomic
def set_year(year: int, *, actor: Actor, reference: str, confirmed: bool) -> CalendarYear:
    """Mark a year as taken from a notice (or not): its table then defines it wholly."""
    before = _calendar_as_now({year})
    entry, created = CalendarYear.objects.get_or_create(year=year)
    old = audit.snapshot(entry)
    entry.reference = reference[:120]
    entry.confirmed = confirmed
    entry.save()
    if created:
        audit.record(
            actor=actor, action="clock.calendar.year", obj=entry, after=audit.snapshot(entry)
        )
    else:
        audit.record_update(actor=actor, action="clock.calendar.year", obj=entry, before=old)
    _queue_recompute(before, {year})
    return entry


@transaction.atomic
def reassign(deadline: Deadline, *, actor: Actor, unit: Unit) -> Deadline:
    """Make another unit responsible for an open deadline (a case routed elsewhere)."""
    current = _locked(deadline)
    _require_open(current, *OPEN_STATES)
    if current.unit_id == unit.pk:
        return current
    before = audit.snapshot(current)
    current.unit = unit
    current.save(update_fields=["unit", "updated_at"])
    audit.record_update(actor=actor, action="clock.deadline.reassign", obj=current, before=before)
    _event(current, "reassigned", actor, unit=unit.pk)
    return current


def assign_person(deadline: Deadline, *, actor: Actor, user: User | None) -> Deadline:
    """Make another person responsible for an open deadline (a group's new lead)."""
    current = _locked(deadline)
    _require_open(current, *OPEN_STATES)
    if current.responsible_id == (user.pk if user else None):
        return current
    before = audit.snapshot(current)
    current.responsible = user
    current.save(update_fields=["responsible", "updated_at"])
    audit.record_update(actor=actor, action="clock.deadline.assign", obj=current, before=before)
    _event(current, "reassigned", actor, responsible=user.pk if user else None)
    return current
