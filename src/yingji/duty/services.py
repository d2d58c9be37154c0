"""Duty roster use cases: generating rotations, and who is on duty now.

Shifts follow the official calendar: a shift that begins on an official holiday is a
holiday shift, one inside a special period a special shift; both need a leader on duty
and more officers (YINGJI_DUTY_HOLIDAY_LEADER, YINGJI_DUTY_HOLIDAY_OFFICERS), and one
person is never both their leader and an officer. A roster never overlaps the unit's
existing shifts and leaves no gap, inside the period it covers or beside the shifts
already made: offices keep 24-hour duty. Long runs of 24-hour shifts for one person are
a warning (``warnings_for``), not a refusal.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import calendars
from yingji.clock import services as clock
from yingji.duty import ical
from yingji.duty.models import (
    ChangeRequest,
    FeedToken,
    Handover,
    OpenMatter,
    Shift,
    ShiftMember,
    SpecialPeriod,
)
from yingji.notify import services as notify
from yingji.org.models import Person, Unit

Role = ShiftMember.Role
Errors = dict[str, list[str]]


@dataclass
class Rotation:
    """How a roster turns: people take shifts in list order, day by day or week by week."""

    starts: time = time(8, 30)
    hours: int = 24
    period: str = "daily"  # or "weekly": the same people for seven days
    leaders: Sequence[Person] = field(default_factory=list)
    officers: Sequence[Person] = field(default_factory=list)
    officers_per_shift: int = 1
    backups: Sequence[Person] = field(default_factory=list)


def _special(unit: Unit, day: date) -> SpecialPeriod | None:
    above = Unit.objects.ancestors_of(unit)
    return (
        SpecialPeriod.objects.filter(starts_on__lte=day, ends_on__gte=day)
        .filter(Q(unit__isnull=True) | Q(unit__in=above))
        .first()
    )


def _kind(unit: Unit, day: date) -> tuple[str, str]:
    reason, _holiday = calendars.current().rest_reason(day)
    special = _special(unit, day)
    if special is not None:
        return Shift.Kind.SPECIAL, special.name
    if reason == "holiday":
        return Shift.Kind.HOLIDAY, ""
    return Shift.Kind.REGULAR, ""


def _validate(unit: Unit, first: date, last: date, rotation: Rotation) -> Errors:
    errors: Errors = {}
    if last < first:
        errors["last"] = [_("The last day must not be before the first.")]
    elif (last - first).days > 366:
        errors["last"] = [_("Generate at most a year at a time.")]
    if rotation.period not in ("daily", "weekly"):
        errors["period"] = [_("Choose daily or weekly.")]
    if rotation.period == "daily" and rotation.hours != 24:
        errors["hours"] = [_("Daily shifts must last 24 hours, so that duty has no gap.")]
    if rotation.period == "weekly" and rotation.hours != 24 * 7:
        errors["hours"] = [_("Weekly shifts must last 168 hours, so that duty has no gap.")]
    if not rotation.officers:
        errors["officers"] = [_("Name at least one duty officer.")]
    if rotation.officers_per_shift < 1:
        errors["officers_per_shift"] = [_("At least one officer per shift.")]
    elif rotation.officers_per_shift > len(rotation.officers) and rotation.officers:
        errors["officers_per_shift"] = [_("There are fewer officers than places in a shift.")]
    people = [*rotation.leaders, *rotation.officers, *rotation.backups]
    outside = [
        p
        for p in people
        if p.unit_id not in set(Unit.objects.subtree(unit).values_list("pk", flat=True))
    ]
    if outside:
        errors["people"] = [
            _("%(names)s do not work in this unit.") % {"names": "、".join(p.name for p in outside)}
        ]
    return errors


@transaction.atomic
def generate(
    unit: Unit, first: date, last: date, rotation: Rotation, *, actor: Actor
) -> list[Shift]:
    """Shifts from ``first`` to ``last`` (the day each starts), all or none."""
    errors = _validate(unit, first, last, rotation)
    if errors:
        raise ValidationError(errors)
    zone = clock.office_zone()
    step = timedelta(days=1 if rotation.period == "daily" else 7)
    plans: list[tuple[datetime, datetime, str, str, list[tuple[Person, str]]]] = []
    day, index = first, 0
    needed = settings.DUTY_HOLIDAY_OFFICERS
    while day <= last:
        starts = datetime.combine(day, rotation.starts, tzinfo=zone)
        ends = starts + timedelta(hours=rotation.hours)
        kinds = [_kind(unit, day + timedelta(days=d)) for d in range(step.days)]
        strict = [k for k in kinds if k[0] != Shift.Kind.REGULAR]
        kind, note = strict[0] if strict else kinds[0]
        count = rotation.officers_per_shift
        if strict:
            if settings.DUTY_HOLIDAY_LEADER and not rotation.leaders:
                errors.setdefault("leaders", []).append(
                    _("A leader must be on duty on %(day)s (a holiday or special period).")
                    % {"day": day.isoformat()}
                )
            if len(rotation.officers) < needed:
                errors.setdefault("officers", []).append(
                    _("%(day)s needs %(n)d duty officers (a holiday or special period).")
                    % {"day": day.isoformat(), "n": needed}
                )
            count = max(count, needed)
        members: list[tuple[Person, str]] = []
        if rotation.leaders:
            members.append((rotation.leaders[index % len(rotation.leaders)], Role.LEADER))
        for k in range(min(count, len(rotation.officers))):
            officer = rotation.officers[
                (index * rotation.officers_per_shift + k) % len(rotation.officers)
            ]
            members.append((officer, Role.OFFICER))
        if rotation.backups:
            members.append((rotation.backups[index % len(rotation.backups)], Role.BACKUP))
        if strict:
            leading = {p.pk for p, r in members if r == Role.LEADER}
            for person, role in members:
                if role == Role.OFFICER and person.pk in leading:
                    errors.setdefault("officers", []).append(_both_message(day, person))
        unique: list[tuple[Person, str]] = []
        for person, role in members:
            if all(person.pk != other.pk for other, _role in unique):
                unique.append((person, role))
        members = unique
        plans.append((starts, ends, kind, note, members))
        day += step
        index += 1
    if plans:
        overlap = (
            Shift.objects.filter(unit=unit, starts_at__lt=plans[-1][1], ends_at__gt=plans[0][0])
            .order_by("starts_at")
            .first()
        )
        if overlap is not None:
            errors["first"] = [
                _("These shifts overlap the roster already made, from %(start)s.")
                % {"start": _local(overlap.starts_at)}
            ]
        else:
            errors.update(_gaps(unit, plans[0][0], plans[-1][1]))
    if errors:
        raise ValidationError(errors)
    shifts = []
    for starts, ends, kind, note, members in plans:
        shift = Shift.objects.create(
            unit=unit, starts_at=starts, ends_at=ends, kind=kind, note=note
        )
        ShiftMember.objects.bulk_create(
            ShiftMember(shift=shift, person=p, role=r, sort=i) for i, (p, r) in enumerate(members)
        )
        shifts.append(shift)
    audit.record(
        actor=actor,
        action="duty.roster.generate",
        obj=unit,
        after={"first": first.isoformat(), "last": last.isoformat(), "shifts": len(shifts)},
    )
    return shifts


def _local(moment: datetime) -> str:
    return timezone.localtime(moment, clock.office_zone()).strftime("%Y-%m-%d %H:%M")


def _both_message(day: date, person: Person) -> str:
    return _(
        "On %(day)s (a holiday or special period) %(name)s cannot be both the leader on "
        "duty and a duty officer."
    ) % {"day": day.isoformat(), "name": person.name}


def _gaps(unit: Unit, starts: datetime, ends: datetime) -> Errors:
    """The gaps new shifts from ``starts`` to ``ends`` would leave beside the unit's
    roster: offices keep 24-hour duty, so a roster continues the one before it and meets
    the one after it. Only a side where the unit has shifts counts."""
    errors: Errors = {}
    message = _("These shifts leave a gap in the roster from %(start)s to %(end)s.")
    before = Shift.objects.filter(unit=unit, ends_at__lte=starts).order_by("-ends_at").first()
    if before is not None and before.ends_at < starts:
        errors["first"] = [message % {"start": _local(before.ends_at), "end": _local(starts)}]
    after = Shift.objects.filter(unit=unit, starts_at__gte=ends).order_by("starts_at").first()
    if after is not None and after.starts_at > ends:
        errors["last"] = [message % {"start": _local(ends), "end": _local(after.starts_at)}]
    return errors


LONG_RUN = 2  # more consecutive 24-hour shifts than this for one person is a warning
RUN_REACH = timedelta(days=31)  # how far beside new shifts a run is followed


def warnings_for(unit: Unit, shifts: Sequence[Shift]) -> list[str]:
    """Warnings, not refusals, about ``shifts`` (just made) in the unit's roster: a
    person on more than two 24-hour shifts in a row, counted across the shifts before
    and after them. Backups are on call, not on site, and do not count."""
    if not shifts:
        return []
    new = {s.pk for s in shifts}
    first = min(s.starts_at for s in shifts) - RUN_REACH
    last = max(s.ends_at for s in shifts) + RUN_REACH
    roster = (
        Shift.objects.filter(unit=unit, starts_at__gte=first, starts_at__lt=last)
        .prefetch_related("members__person")
        .order_by("starts_at")
    )
    day = timedelta(hours=24)
    # person pk -> [person, shifts in the run so far, end of the last one]
    runs: dict[int, list[Any]] = {}
    found: list[tuple[Person, list[Shift]]] = []

    def close(pk: int) -> None:
        person, run, _end = runs.pop(pk)
        if len(run) > LONG_RUN and any(s.pk in new for s in run):
            found.append((person, run))

    for shift in roster:
        on = {
            m.person_id: m.person
            for m in shift.members.all()
            if m.role != Role.BACKUP and shift.ends_at - shift.starts_at == day
        }
        for pk in list(runs):
            if pk not in on or runs[pk][2] != shift.starts_at:
                close(pk)
        for pk, person in on.items():
            if pk in runs:
                runs[pk][1].append(shift)
                runs[pk][2] = shift.ends_at
            else:
                runs[pk] = [person, [shift], shift.ends_at]
    for pk in list(runs):
        close(pk)
    return [
        _("%(name)s is on %(n)d 24-hour shifts in a row, from %(start)s to %(end)s.")
        % {
            "name": person.name,
            "n": len(run),
            "start": _local(run[0].starts_at),
            "end": _local(run[-1].ends_at),
        }
        for person, run in sorted(found, key=lambda f: (f[1][0].starts_at, f[0].name))
    ]


@dataclass
class OnDuty:
    unit: Unit  # the unit whose shift answers (the asked one, or one above it)
    shift: Shift
    leader: Person | None
    officers: list[Person]
    backup: Person | None


def on_duty(unit: Unit, at: datetime | None = None) -> OnDuty | None:
    """Who is on duty at ``at`` for ``unit``: its own shift, or the nearest unit above."""
    at = at or timezone.now()
    chain = list(Unit.objects.ancestors_of(unit).order_by("-path"))
    for candidate in [unit, *[u for u in chain if u.pk != unit.pk]]:
        shift = (
            Shift.objects.filter(unit=candidate, starts_at__lte=at, ends_at__gt=at)
            .prefetch_related("members__person")
            .first()
        )
        if shift is not None:
            members = list(shift.members.all())
            return OnDuty(
                unit=candidate,
                shift=shift,
                leader=next((m.person for m in members if m.role == Role.LEADER), None),
                officers=[m.person for m in members if m.role == Role.OFFICER],
                backup=next((m.person for m in members if m.role == Role.BACKUP), None),
            )
    return None


# --- iCalendar feeds -------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@transaction.atomic
def new_feed_token(*, actor: Actor, person: Person | None = None, unit: Unit | None = None) -> str:
    """A new secret for a feed URL, replacing the old one; shown once."""
    if (person is None) == (unit is None):
        raise ValidationError({"owner": [_("A feed belongs to one person or one unit.")]})
    FeedToken.objects.filter(person=person, unit=unit).delete()
    token = secrets.token_urlsafe(24)
    feed = FeedToken.objects.create(person=person, unit=unit, token_hash=_hash(token))
    audit.record(actor=actor, action="duty.feed.create", obj=feed)
    return token


FEED_PAST, FEED_AHEAD = timedelta(days=30), timedelta(days=180)


def feed_token(token: str) -> FeedToken | None:
    """The feed a secret opens, or None: the drills feed opens with the same secret."""
    if not token.isascii():
        return None
    return (
        FeedToken.objects.filter(token_hash=_hash(token)).select_related("person", "unit").first()
    )


def feed_for(token: str) -> str | None:
    """The iCalendar text a feed token opens, or None for an unknown token."""
    feed = feed_token(token)
    if feed is None:
        return None
    now = timezone.now()
    shifts = (
        Shift.objects.filter(starts_at__lt=now + FEED_AHEAD, ends_at__gt=now - FEED_PAST)
        .select_related("unit")
        .prefetch_related("members__person")
    )
    if feed.person is not None:
        shifts = shifts.filter(members__person=feed.person).distinct()
        name = _("Duty: %(name)s") % {"name": feed.person.name}
    else:
        assert feed.unit is not None
        shifts = shifts.filter(unit=feed.unit)
        name = _("Duty roster: %(unit)s") % {"unit": feed.unit.name}
    roles = dict(Role.choices)
    events = []
    for shift in shifts.order_by("starts_at"):
        members = list(shift.members.all())
        mine = [m for m in members if feed.person is not None and m.person_id == feed.person.pk]
        summary = (
            _("%(role)s, %(unit)s") % {"role": roles[mine[0].role], "unit": shift.unit.name}
            if mine
            else _("Duty, %(unit)s") % {"unit": shift.unit.name}
        )
        description = "\n".join(f"{roles[m.role]}：{m.person.name}" for m in members)
        events.append(
            ical.Event(
                uid=f"shift-{shift.pk}@yingji",
                starts=shift.starts_at,
                ends=shift.ends_at,
                summary=summary,
                description=description,
            )
        )
    return ical.calendar(name, events, now=now)


# --- swaps, overrides and handovers ----------------------------------------------------


def _is_leader(actor: Actor) -> bool:
    return actor.user is not None and actor.user.has_perm("duty.approve_change")


@transaction.atomic
def request_change(
    shift: Shift, *, member: ShiftMember, replacement: Person, reason: str, actor: Actor
) -> ChangeRequest:
    """Ask for someone else to take a member's place on a shift."""
    errors: Errors = {}
    if member.shift_id != shift.pk:
        errors["member"] = [_("Choose a member of this shift.")]
    if shift.ends_at <= timezone.now():
        errors["shift"] = [_("This shift is over.")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason.")]
    if shift.members.filter(person=replacement).exists():
        errors["replacement"] = [_already_on(shift, member, replacement)]
    elif not Unit.objects.subtree(shift.unit).filter(pk=replacement.unit_id).exists():
        errors["replacement"] = [_("Choose someone who works in this unit.")]
    if errors:
        raise ValidationError(errors)
    change = ChangeRequest.objects.create(
        shift=shift,
        member=member,
        person=member.person,
        replacement=replacement,
        reason=reason.strip(),
        requested_by=actor.user,
    )
    audit.record(
        actor=actor, action="duty.change.request", obj=change, after=audit.snapshot(change)
    )
    title = _("Change of duty to approve: %(unit)s, %(day)s") % {
        "unit": shift.unit.name,
        "day": timezone.localtime(shift.starts_at, clock.office_zone()).strftime("%Y-%m-%d"),
    }
    body = _("%(change)s. Reason: %(reason)s") % {
        "change": change.wording,
        "reason": change.reason,
    }
    for leader in _approvers(shift.unit, exclude=actor.user):
        notify.notify(
            leader, "duty.change", title, body, subject=change, link=reverse("duty:changes")
        )
    return change


def _already_on(shift: Shift, member: ShiftMember, replacement: Person) -> str:
    """Why ``replacement`` cannot take ``member``'s place: they are on the shift already,
    and taking a leader's place as an officer (or the reverse) would make one person both."""
    roles = {member.role, *shift.members.filter(person=replacement).values_list("role", flat=True)}
    if roles == {Role.LEADER, Role.OFFICER}:
        day = timezone.localtime(shift.starts_at, clock.office_zone()).date()
        if shift.kind != Shift.Kind.REGULAR:
            return _both_message(day, replacement)
        return _("On %(day)s %(name)s would be both the leader on duty and a duty officer.") % {
            "day": day.isoformat(),
            "name": replacement.name,
        }
    return _("This person is already on the shift.")


def _day_of(shift: Shift) -> str:
    return timezone.localtime(shift.starts_at, clock.office_zone()).strftime("%Y-%m-%d")


def _approvers(unit: Unit, *, exclude: User | None) -> list[User]:
    """The leaders who may approve a change on ``unit``'s roster: those of the unit itself,
    else of the nearest unit above that has any."""
    current: Unit | None = unit
    while current is not None:
        found = [
            user
            for user in User.objects.filter(unit=current, is_active=True).prefetch_related(
                "role_grants"
            )
            if user.has_perm("duty.approve_change") and user != exclude
        ]
        if found:
            return found
        current = current.parent
    return []


@transaction.atomic
def decide_change(change: ChangeRequest, *, approve: bool, actor: Actor) -> ChangeRequest:
    """A leader approves (the replacement takes the place) or refuses. Nobody approves
    their own request."""
    current = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    errors: Errors = {}
    if current.state != ChangeRequest.State.PENDING:
        errors["state"] = [_("This request has been decided already.")]
    if not _is_leader(actor):
        errors["approver"] = [_("Only a leader may approve a change of duty.")]
    elif actor.user is not None and current.requested_by_id == actor.user.pk:
        errors["approver"] = [_("Someone else must approve your own request.")]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(current)
    current.state = ChangeRequest.State.APPROVED if approve else ChangeRequest.State.REFUSED
    current.decided_by = actor.user
    current.decided_at = timezone.now()
    current.save()
    if approve:
        member = ShiftMember.objects.select_for_update().get(pk=current.member_id)
        if current.shift.members.filter(person=current.replacement).exists():
            raise ValidationError(
                {"replacement": [_already_on(current.shift, member, current.replacement)]}
            )
        if current.person_id is None:
            current.person_id = member.person_id
            current.save(update_fields=["person"])
        member.person = current.replacement
        member.save(update_fields=["person"])
    audit.record_update(actor=actor, action="duty.change.decide", obj=current, before=before)
    if current.requested_by is not None and current.requested_by != actor.user:
        title = (
            _("Change of duty approved: %(unit)s, %(day)s")
            if approve
            else _("Change of duty refused: %(unit)s, %(day)s")
        ) % {"unit": current.shift.unit.name, "day": _day_of(current.shift)}
        notify.notify(
            current.requested_by,
            "duty.change",
            title,
            current.wording,
            subject=current,
            link=reverse("duty:changes"),
        )
    taker = getattr(current.replacement, "user", None)
    if approve and taker is not None and taker.is_active and taker != actor.user:
        notify.notify(
            taker,
            "duty.change",
            _("You take a shift: %(unit)s, %(day)s")
            % {"unit": current.shift.unit.name, "day": _day_of(current.shift)},
            _("%(change)s. Reason: %(reason)s")
            % {"change": current.wording, "reason": current.reason},
            subject=current,
            link=reverse("duty:changes"),
        )
    return current


@transaction.atomic
def hand_over(
    shift: Shift,
    *,
    summary: str,
    open_matters: Sequence[str],
    actor: Actor,
    closed: Sequence[int] = (),
) -> Handover:
    """Close a shift with its log. Matters still open from the shift before are carried
    on unless ``closed`` names them; ``open_matters`` adds new ones."""
    errors: Errors = {}
    if not summary.strip():
        errors["summary"] = [_("Say what happened on this shift (or that nothing did).")]
    if Handover.objects.filter(shift=shift).exists():
        errors["shift"] = [_("This shift has been handed over already.")]
    if errors:
        raise ValidationError(errors)
    handover = Handover.objects.create(shift=shift, summary=summary.strip(), written_by=actor.user)
    for matter in carried_over(shift):
        OpenMatter.objects.create(
            handover=handover,
            text=matter.text,
            carried_from=matter,
            closed=matter.pk in set(closed),
        )
    OpenMatter.objects.bulk_create(
        OpenMatter(handover=handover, text=text.strip()) for text in open_matters if text.strip()
    )
    audit.record(actor=actor, action="duty.handover", obj=handover, after={"shift": shift.pk})
    return handover


def carried_over(shift: Shift) -> list[OpenMatter]:
    """The matters the previous shift of the unit left open."""
    previous = (
        Shift.objects.filter(unit=shift.unit, ends_at__lte=shift.starts_at)
        .order_by("-ends_at")
        .first()
    )
    if previous is None:
        return []
    return list(OpenMatter.objects.filter(handover__shift=previous, closed=False))
