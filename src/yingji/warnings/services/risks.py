"""The risk and hazard register (风险隐患台账): registering a risk, changing it, closing it
when remedied (销号) and reopening it.

Every field is checked before anything is written, and a refusal names each bad field.
The remediation deadline is the clock's kind ``risk.remediation``: calendar days from the
day the risk was found to the date chosen (by default the office's days for the level,
settings.RISK_REMEDIATION_DAYS), due at the end of that day; a rest day moves it as the
clock moves every day-counted deadline, and the risk's ``due_on``/``due_at`` are the
clock's, so the register, the lists and the overdue notices agree. A missed deadline
tells the responsible person (or the unit's duty) urgently, and the notice climbs the
duty chain until someone acknowledges it (notify.deadlines, escalation).

A risk is numbered per responsible unit and year: ``{unit code}-{year}-YH0001``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Length
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji import crypto, fields, maps
from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import kinds
from yingji.clock import services as clock
from yingji.org import jurisdiction, lines, tree
from yingji.org.models import Unit
from yingji.petitions import validation
from yingji.plans.models import EventType
from yingji.timeline import services as timeline
from yingji.warnings.models import Risk
from yingji.warnings.registry import REMEDIATION

Errors = dict[str, list[str]]
Level = Risk.Level
State = Risk.State
Source = Risk.Source

# The order of settings.RISK_REMEDIATION_DAYS.
LEVELS = (Level.MAJOR, Level.LARGE, Level.GENERAL, Level.LOW)
TITLE_MAX = 120
ADDRESS_MAX = 200
DESCRIPTION_MAX = 5000
MEASURES_MAX = 5000
NAME_MAX = 40
PHONE_MAX = 30
NOTE_MAX = 2000
REASON_MAX = 2000
# A register older than this is not a register of today's risks.
FIRST_DAY = date(2000, 1, 1)
YEARS_AHEAD = 2
NUMBER_TRIES = 5
KEYS = (
    "kind",
    "title",
    "event_type",
    "level",
    "region_code",
    "address",
    "latitude",
    "longitude",
    "description",
    "measures",
    "unit",
    "responsible_name",
    "responsible_phone",
    "responsible",
    "found_on",
    "due_on",
)
COORDINATE = Decimal("0.000001")


# --- who sees and who acts ------------------------------------------------------------


def visible_risks(user: User) -> QuerySet[Risk]:
    """The risks of units in the user's emergency jurisdiction, and those the user
    answers for."""
    if not user.is_authenticated or not user.is_active:
        return Risk.objects.none()
    if not user.has_perm("warnings.view_risk"):
        return Risk.objects.filter(responsible=user)
    if user.is_superuser and user.unit is None:
        return Risk.objects.all()
    units = Unit.objects.visible_to(user, lines.EMERGENCY)
    return Risk.objects.filter(Q(unit__in=units) | Q(responsible=user))


def risk_for(user: User, pk: int) -> Risk:
    """The risk, or 404 when the user may not see it."""
    return get_object_or_404(
        visible_risks(user).select_related("unit", "event_type", "responsible", "closed_by"),
        pk=pk,
    )


def units_for(user: User) -> QuerySet[Unit]:
    """The units whose risks ``user`` keeps: those they act for in emergency work."""
    return Unit.objects.acting_for(user, lines.EMERGENCY).filter(is_active=True)


def _permission(source: str) -> tuple[str, ...]:
    """Who may put a risk on the register: the register's keepers, and an inspector or a
    trend signal's decider through their own work."""
    if source == Source.INSPECTION:
        return ("warnings.change_risk", "warnings.inspect")
    if source == Source.SIGNAL:
        return ("warnings.change_risk", "warnings.decide_signal")
    return ("warnings.change_risk",)


def _acts_for(user: User | None, unit: Unit, source: str) -> bool:
    if user is None:
        return True  # a job or a command on its own account
    if jurisdiction.acts_as(user, unit, lines.EMERGENCY):
        return True
    # A petition office turns its trend signal into a risk of a unit of its area.
    return source == Source.SIGNAL and jurisdiction.oversees(user, unit, lines.PETITIONS)


def may_register(user: User | None, source: str = Source.ENTERED) -> bool:
    if user is None:
        return True
    return any(user.has_perm(name) for name in _permission(source))


def may_change(user: User | None, risk: Risk, source: str = Source.ENTERED) -> bool:
    if user is None:
        return True
    return may_register(user, source) and _acts_for(user, risk.unit, source)


def may_close_any(user: User | None) -> bool:
    """Whether ``user`` closes risks at all (销号): leaders and plan managers."""
    return user is None or user.has_perm("warnings.close_risk")


def may_close(user: User | None, risk: Risk) -> bool:
    if user is None:
        return True
    return user.has_perm("warnings.close_risk") and jurisdiction.acts_as(
        user, risk.unit, lines.EMERGENCY
    )


# --- dates ----------------------------------------------------------------------------


def today() -> date:
    return timezone.localdate(timezone.now(), clock.office_zone())


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment, clock.office_zone()).date()


def latest_due(start: date) -> date:
    try:
        return start.replace(year=start.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return start.replace(year=start.year + YEARS_AHEAD, day=28)


def remediation_days(level: str) -> int:
    """The office's days to remedy a risk of ``level`` (YINGJI_RISK_REMEDIATION_DAYS)."""
    return int(settings.RISK_REMEDIATION_DAYS[LEVELS.index(Level(level))])


def default_due(found_on: date, level: str) -> date:
    return found_on + timedelta(days=remediation_days(level))


def is_overdue(risk: Risk, now: datetime | None = None) -> bool:
    if risk.state == State.CLOSED or risk.due_at is None:
        return False
    return risk.due_at < (now or timezone.now())


def overdue(risks: QuerySet[Risk]) -> QuerySet[Risk]:
    return risks.exclude(state=State.CLOSED).filter(due_at__lt=timezone.now())


def _read_day(value: object) -> date | None:
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _found_on(value: object, errors: Errors) -> date | None:
    if _empty(value):
        errors["found_on"] = [_("Give the date the risk was found.")]
        return None
    day = _read_day(value)
    if day is None:
        errors["found_on"] = [_("Enter a date such as 2026-03-31.")]
        return None
    if day > today():
        errors["found_on"] = [_("This date is in the future.")]
        return None
    if day < FIRST_DAY:
        errors["found_on"] = [_("Enter a date from 2000 on.")]
        return None
    return day


def _due_on(value: object, found_on: date | None, errors: Errors) -> date | None:
    """The chosen date, or None for the default of the level."""
    if _empty(value):
        return None
    day = _read_day(value)
    if day is None:
        errors["due_on"] = [_("Enter a date such as 2026-03-31.")]
        return None
    last = latest_due(today())
    if found_on is not None and day < found_on:
        errors["due_on"] = [_("The deadline cannot come before the date the risk was found.")]
        return None
    if day > last:
        errors["due_on"] = [
            _("Choose a deadline no later than %(last)s.") % {"last": last.isoformat()}
        ]
        return None
    return day


# --- reading input --------------------------------------------------------------------


def _choice(data: Mapping[str, Any], name: str, choices: Any, errors: Errors, message: str) -> str:
    value = data.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if text not in choices.values:
        errors[name] = [message]
    return text


def event_type_of(value: object) -> EventType | None:
    """An active event type by its id, its code or itself."""
    if isinstance(value, EventType):
        return value if value.is_active else None
    if _empty(value) or isinstance(value, bool):
        return None
    lookup = Q(code=str(value).strip())
    if (pk := fields.id_of(value)) is not None:
        lookup |= Q(pk=pk)
    return EventType.objects.filter(lookup, is_active=True).first()


def _coordinate(data: Mapping[str, Any], name: str, errors: Errors) -> Decimal | None:
    value = data.get(name)
    if _empty(value):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        errors[name] = [_("Enter a number.")]
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors[name] = [_("Enter a number.")]
        return None
    if not number.is_finite():
        errors[name] = [_("Enter a number.")]
        return None
    # The same bounds as every point on a map; one coordinate checked at a time.
    lon, lat = (float(number), 0.0) if name == "longitude" else (0.0, float(number))
    problem = maps.position_problem(lon, lat)
    if problem:
        errors[name] = [problem]
        return None
    return number.quantize(COORDINATE)


def _unit(data: Mapping[str, Any], actor: Actor, source: str, errors: Errors) -> Unit | None:
    raw = data.get("unit")
    if isinstance(raw, Unit):
        unit: Unit | None = raw
    elif _empty(raw):
        errors["unit"] = [_("Choose the responsible unit.")]
        return None
    else:
        pk = fields.id_of(raw) if not isinstance(raw, bool) else None
        unit = Unit.objects.filter(pk=pk, is_active=True).first() if pk else None
    if unit is None or not unit.is_active or not _acts_for(actor.user, unit, source):
        errors["unit"] = [_("Choose a unit you act for from the list.")]
        return None
    return unit


def people_for(unit: Unit) -> QuerySet[User]:
    """Who may answer for a risk of ``unit``: active users of the units in its area."""
    root = jurisdiction.area_root_of(unit, lines.EMERGENCY)
    return User.objects.filter(
        is_active=True, unit__path__gte=root, unit__path__lt=tree.successor(root)
    ).order_by("username")


def _responsible(data: Mapping[str, Any], unit: Unit | None, errors: Errors) -> User | None:
    raw = data.get("responsible")
    if isinstance(raw, User):
        raw = raw.pk
    if _empty(raw):
        return None
    pk = fields.id_of(raw) if not isinstance(raw, bool) else None
    if pk is None:
        errors["responsible"] = [_("Choose a person from the list.")]
        return None
    if unit is None:
        return None  # the unit's own error says what to fix first
    person = people_for(unit).filter(pk=pk).first()
    if person is None:
        errors["responsible"] = [
            _("Choose an active user of %(unit)s or of a unit in its area.") % {"unit": unit.name}
        ]
    return person


def _phone(data: Mapping[str, Any], errors: Errors) -> str:
    text = fields.read_text(data, "responsible_phone", errors, most=PHONE_MAX, required=False)
    if (
        text
        and "responsible_phone" not in errors
        and not validation.phone_ok(crypto.normal_phone(text))
    ):
        errors["responsible_phone"] = [_("Enter a phone number of 7 to 15 digits.")]
    return text


def clean_risk(
    data: Mapping[str, Any], *, actor: Actor, source: str = Source.ENTERED
) -> tuple[dict[str, Any], Errors]:
    """Every field of a risk read and checked; the errors keyed by field."""
    errors: Errors = {}
    if not isinstance(data, Mapping):
        return {}, {"__all__": [_("Give the risk as an object.")]}
    clean: dict[str, Any] = {}
    kind = data.get("kind")
    if _empty(kind):
        clean["kind"] = Risk.Kind.HAZARD
    else:
        clean["kind"] = _choice(
            data, "kind", Risk.Kind, errors, _("Choose risk (风险点) or hazard (隐患).")
        )
    for name, most, required in (
        ("title", TITLE_MAX, True),
        ("address", ADDRESS_MAX, False),
        ("description", DESCRIPTION_MAX, True),
        ("measures", MEASURES_MAX, False),
        ("responsible_name", NAME_MAX, False),
    ):
        clean[name] = fields.read_text(data, name, errors, most=most, required=required)
    clean["responsible_phone"] = _phone(data, errors)
    clean["event_type"] = event_type_of(data.get("event_type"))
    if clean["event_type"] is None:
        errors["event_type"] = [_("Choose a category from the list.")]
    clean["level"] = _choice(data, "level", Level, errors, _("Choose the level from the list."))
    clean["unit"] = _unit(data, actor, source, errors)
    region = fields.read_text(data, "region_code", errors, most=12, required=True)
    if region and "region_code" not in errors:
        refused = None
        if clean["unit"] is not None:
            refused = jurisdiction.place_error(region, clean["unit"], lines.EMERGENCY)
        elif not (region.isascii() and region.isdigit() and len(region) in (6, 9, 12)):
            refused = _("Enter a division code of 6, 9 or 12 digits.")
        if refused:
            errors["region_code"] = [refused]
    clean["region_code"] = region
    clean["latitude"] = _coordinate(data, "latitude", errors)
    clean["longitude"] = _coordinate(data, "longitude", errors)
    if (clean["latitude"] is None) != (clean["longitude"] is None) and not (
        "latitude" in errors or "longitude" in errors
    ):
        errors["longitude" if clean["longitude"] is None else "latitude"] = [
            _("Give both coordinates, or neither.")
        ]
    clean["responsible"] = _responsible(data, clean["unit"], errors)
    clean["found_on"] = _found_on(data.get("found_on"), errors)
    due_on = _due_on(data.get("due_on"), clean["found_on"], errors)
    if due_on is None and clean["found_on"] and clean["level"] in Level.values:
        due_on = default_due(clean["found_on"], clean["level"])
    clean["due_on"] = due_on
    return clean, errors


def form_data(risk: Risk) -> dict[str, Any]:
    """The risk as the data of a form or of ``change``: ids and ISO dates as text."""
    return {
        "kind": risk.kind,
        "title": risk.title,
        "event_type": str(risk.event_type_id),
        "level": risk.level,
        "region_code": risk.region_code,
        "address": risk.address,
        "latitude": "" if risk.latitude is None else str(risk.latitude),
        "longitude": "" if risk.longitude is None else str(risk.longitude),
        "description": risk.description,
        "measures": risk.measures,
        "unit": str(risk.unit_id),
        "responsible_name": risk.responsible_name,
        "responsible_phone": risk.responsible_phone,
        "responsible": "" if risk.responsible_id is None else str(risk.responsible_id),
        "found_on": risk.found_on.isoformat(),
        "due_on": risk.due_on.isoformat() if risk.due_on else "",
    }


# --- the clock ------------------------------------------------------------------------


def _start_moment(found_on: date) -> datetime:
    """The remediation runs from the day the risk was found: now for one found today,
    else the start of that day (an older ledger's risk may be overdue at once)."""
    if found_on >= today():
        return timezone.now()
    return timezone.make_aware(datetime.combine(found_on, time.min), clock.office_zone())


def _days_for(found_on: date, due_on: date) -> int:
    """The calendar days from ``found_on`` that the clock turns into ``due_on``."""
    days = (due_on - found_on).days
    return days + 1 if kinds.profile().count_start_day and days >= 0 else days


def _start_clock(risk: Risk, *, actor: Actor) -> None:
    assert risk.due_on is not None
    deadline = clock.start(
        risk,
        REMEDIATION,
        actor=actor,
        unit=risk.unit,
        responsible=risk.responsible,
        started_at=_start_moment(risk.found_on),
        params={"days": _days_for(risk.found_on, risk.due_on)},
    )
    # A chosen day that is not a working day moves as the clock moves it: one date.
    risk.due_at = deadline.due_at
    risk.due_on = timezone.localtime(deadline.due_at, clock.office_zone()).date()
    risk.save(update_fields=["due_on", "due_at", "updated_at"])


def _meet_clock(risk: Risk, *, actor: Actor, at: datetime) -> None:
    deadline = clock.open_deadline(risk, REMEDIATION)
    if deadline is not None:
        clock.meet(deadline, actor=actor, at=at)


# --- numbering ------------------------------------------------------------------------


def _prefix(unit: Unit, year: int) -> str:
    return f"{unit.code or f'U{unit.pk}'}-{year}-YH"


def _next_number(unit: Unit, year: int) -> str:
    prefix = _prefix(unit, year)
    last = (
        Risk.objects.filter(number__startswith=prefix)
        .order_by(Length("number").desc(), "-number")
        .values_list("number", flat=True)
        .first()
    )
    tail = last[len(prefix) :] if last else ""
    count = int(tail) if tail.isascii() and tail.isdigit() else 0
    return f"{prefix}{count + 1:04d}"


def _insert(risk: Risk) -> None:
    """Save a new risk under the next number of its unit and year; a number taken by a
    concurrent registration is taken again (the number is unique)."""
    year = today().year
    for attempt in range(NUMBER_TRIES):
        risk.number = _next_number(risk.unit, year)
        try:
            with transaction.atomic():
                risk.save(force_insert=True)
            return
        except IntegrityError:
            risk.pk = None
            if attempt == NUMBER_TRIES - 1:
                raise


# --- writing --------------------------------------------------------------------------


def _summary(risk: Risk) -> str:
    return _("%(number)s %(title)s (%(level)s), remedy by %(due)s") % {
        "number": risk.number,
        "title": risk.title,
        "level": risk.get_level_display(),
        "due": risk.due_on.isoformat() if risk.due_on else "—",
    }


@transaction.atomic
def register(data: Mapping[str, Any], *, actor: Actor, source: str = Source.ENTERED) -> Risk:
    """Put a risk on the register with its remediation deadline; refused whole with an
    error per field. ``source`` says whence it came (an inspection's finding, a trend
    signal, a ledger import); an inspector or a signal's decider may register through
    their own work."""
    if source not in Source.values:
        raise ValueError(source)
    if not may_register(actor.user, source):
        raise PermissionDenied(_("You may not keep the risk register."))
    clean, errors = clean_risk(data, actor=actor, source=source)
    if errors:
        raise ValidationError(errors)
    risk = Risk(**{key: clean[key] for key in KEYS}, source=source, created_by=actor.user)
    _insert(risk)
    _start_clock(risk, actor=actor)
    audit.record(actor=actor, action="warnings.risk.create", obj=risk, after=audit.snapshot(risk))
    timeline.record(
        risk,
        "risk.registered",
        _summary(risk),
        actor=actor,
        data={"source": source, "level": risk.level, "unit": risk.unit_id},
    )
    return risk


def _locked(risk: Risk) -> Risk:
    return Risk.objects.select_for_update(of=("self",)).select_related("unit").get(pk=risk.pk)


@transaction.atomic
def change(
    risk: Risk, data: Mapping[str, Any], *, actor: Actor, source: str = Source.ENTERED
) -> Risk:
    """Change any of the fields of ``register`` (those not given keep their values) and
    the state: ``state="remedying"`` once measures are under way. A new ``due_on``
    restarts the deadline; a new unit or person takes it over. A closed risk is reopened
    first. ``source=inspection`` lets an inspector record a finding on it."""
    current = _locked(risk)
    if not may_change(actor.user, current, source):
        raise PermissionDenied(_("You may not change this risk."))
    if current.state == State.CLOSED:
        raise ValidationError({"state": [_("This risk is closed; reopen it first.")]})
    if not isinstance(data, Mapping):
        raise ValidationError({"__all__": [_("Give the risk as an object.")]})
    merged = {**form_data(current), **{k: v for k, v in data.items() if k in KEYS}}
    if "due_on" not in data and (
        _read_day(data.get("found_on")) not in (None, current.found_on)
        or ("level" in data and data.get("level") != current.level)
    ):
        merged["due_on"] = ""  # the level's default from the new date or level
    clean, errors = clean_risk(merged, actor=actor, source=source)
    state = data.get("state")
    if state not in (None, "") and state not in (State.OPEN, State.REMEDYING):
        errors["state"] = [_("Choose to be remedied or being remedied; close it to finish.")]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(current)
    for key in KEYS:
        setattr(current, key, clean[key])
    if state:
        current.state = state
    current.save()
    old_due = before.get("due_on")
    new_due = clean["due_on"]
    deadline = clock.open_deadline(current, REMEDIATION)
    if deadline is None or old_due != new_due:
        if deadline is not None:
            clock.cancel(
                deadline,
                actor=actor,
                reason=_("The deadline was changed to %(day)s.") % {"day": new_due.isoformat()},
            )
        _start_clock(current, actor=actor)
    else:
        if deadline.unit_id != current.unit_id:
            deadline = clock.reassign(deadline, actor=actor, unit=current.unit)
        if deadline.responsible_id != current.responsible_id:
            clock.assign_person(deadline, actor=actor, user=current.responsible)
    changed = audit.changed(before, audit.snapshot(current))
    audit.record_update(actor=actor, action="warnings.risk.update", obj=current, before=before)
    timeline.record(
        current,
        "risk.changed",
        _summary(current),
        actor=actor,
        data={"fields": [f for f in changed if f not in ("updated_at",)]},
    )
    return current


@transaction.atomic
def close(risk: Risk, *, actor: Actor, note: str, closed_on: date | None = None) -> Risk:
    """Remedied and closed (销号) with how it was remedied; the deadline is met.
    ``closed_on`` is the day of a closing recorded afterwards (a ledger's 销号日期)."""
    current = _locked(risk)
    if not may_close(actor.user, current):
        raise PermissionDenied(_("Only a leader or a plan manager of its unit closes a risk."))
    if current.state == State.CLOSED:
        raise ValidationError({"state": [_("This risk is closed already.")]})
    errors: Errors = {}
    text = fields.read_text({"note": note}, "note", errors, most=NOTE_MAX, required=True)
    if closed_on is not None and not current.found_on <= closed_on <= today():
        errors["closed_on"] = [_("Choose a day from the day the risk was found to today.")]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(current)
    at = timezone.now()
    if closed_on is not None and closed_on < today():
        at = timezone.make_aware(datetime.combine(closed_on, time(12)), clock.office_zone())
    current.state = State.CLOSED
    current.close_note = text
    current.closed_at = at
    current.closed_by = actor.user
    current.save(update_fields=["state", "close_note", "closed_at", "closed_by", "updated_at"])
    _meet_clock(current, actor=actor, at=at)
    audit.record_update(actor=actor, action="warnings.risk.close", obj=current, before=before)
    timeline.record(
        current,
        "risk.closed",
        _("Closed: %(note)s") % {"note": text[:200]},
        actor=actor,
    )
    return current


@transaction.atomic
def reopen(risk: Risk, *, actor: Actor, reason: str, due_on: date | str | None = None) -> Risk:
    """A closed risk back on the register, with the reason; its deadline runs again, to
    ``due_on`` or, when that is not given, to its old date if still ahead, else the
    level's days from today."""
    current = _locked(risk)
    if not may_close(actor.user, current):
        raise PermissionDenied(_("Only a leader or a plan manager of its unit reopens a risk."))
    if current.state != State.CLOSED:
        raise ValidationError({"state": [_("Only a closed risk is reopened.")]})
    errors: Errors = {}
    text = fields.read_text({"reason": reason}, "reason", errors, most=REASON_MAX, required=True)
    day = _due_on(due_on, today(), errors)
    if errors:
        raise ValidationError(errors)
    if day is None:
        ahead = current.due_on is not None and current.due_on >= today()
        day = current.due_on if ahead else default_due(today(), current.level)
    assert day is not None
    before = audit.snapshot(current)
    current.state = State.OPEN
    current.closed_at = None
    current.closed_by = None
    current.due_on = day
    current.save(update_fields=["state", "closed_at", "closed_by", "due_on", "updated_at"])
    # The deadline runs from today: what was found long ago is remedied again from now.
    deadline = clock.start(
        current,
        REMEDIATION,
        actor=actor,
        unit=current.unit,
        responsible=current.responsible,
        params={"days": _days_for(today(), day)},
    )
    current.due_at = deadline.due_at
    current.due_on = timezone.localtime(deadline.due_at, clock.office_zone()).date()
    current.save(update_fields=["due_on", "due_at", "updated_at"])
    audit.record_update(actor=actor, action="warnings.risk.reopen", obj=current, before=before)
    timeline.record(
        current,
        "risk.reopened",
        _("Reopened: %(reason)s") % {"reason": text[:200]},
        actor=actor,
    )
    return current
