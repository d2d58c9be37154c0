"""The duty log (值班记录): every call and message the duty office handles, and what an
entry became — an incident (立为突发事件) or a petition (登记为信访件) — with one action.

An entry belongs to the unit whose office took it and falls in the shift answering for
that unit when it was received (its own roster, or the nearest one above). Its caller may
be a private person: the caller's name and phone stay out of the audit log's text and out
of the application's logs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji import fields
from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import moments
from yingji.clock import services as clock
from yingji.duty import services
from yingji.duty.models import LogEntry
from yingji.org import lines
from yingji.org.models import Unit

Errors = dict[str, list[str]]

CLOCK_SKEW = timedelta(minutes=5)  # a phone's or PC's clock a little ahead of the server
FIELDS = ("received_at", "channel", "caller", "caller_phone", "matter", "action_taken", "handed_to")
LIMITS = {"caller": 80, "caller_phone": 40, "matter": 2000, "action_taken": 2000, "handed_to": 120}
REQUIRED = ("caller", "matter")
# How a log entry's channel reads as an incident's source and a petition's channel.
INCIDENT_SOURCE = {
    LogEntry.Channel.PHONE: "phone",
    LogEntry.Channel.FAX: "unit",
    LogEntry.Channel.MESSAGE: "other",
    LogEntry.Channel.VISIT: "other",
    LogEntry.Channel.SYSTEM: "api",
}
PETITION_CHANNELS = ("phone", "visit")


# --- who may --------------------------------------------------------------------------


def log_units(user: User) -> QuerySet[Unit]:
    """The units whose log ``user`` reads: their jurisdiction in emergency work (a unit
    its own, a level above those of its area)."""
    return Unit.objects.visible_to(user, lines.EMERGENCY)


def keeper_units(user: User) -> QuerySet[Unit]:
    """The units whose log ``user`` writes: those they act for, not those they oversee."""
    return Unit.objects.acting_for(user, lines.EMERGENCY)


def entries_for(user: User) -> QuerySet[LogEntry]:
    return LogEntry.objects.filter(unit__in=log_units(user))


def may_keep(user: Any, unit: Unit) -> bool:
    return bool(
        user is not None
        and user.has_perm("duty.keep_log")
        and keeper_units(user).filter(pk=unit.pk).exists()
    )


def may_edit(user: Any, entry: LogEntry) -> bool:
    """Its author, or a leader on duty of a unit keeping the log."""
    if not may_keep(user, entry.unit):
        return False
    return entry.recorded_by_id == user.pk or user.has_perm("duty.approve_change")


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise ValidationError(
            {"__all__": [_("Only the duty officers and leaders of this unit keep its log.")]}
        )


# --- validation ------------------------------------------------------------------------


def _text(data: Mapping[str, Any], name: str, errors: Errors) -> str:
    raw = data.get(name)
    value = "" if raw is None else str(raw).strip()
    if fields.has_control(value):
        errors[name] = [fields.control_message()]
    elif len(value) > LIMITS[name]:
        errors[name] = [_("Keep it within %(n)d characters.") % {"n": LIMITS[name]}]
    elif not value and name in REQUIRED:
        errors[name] = [_("This field is required.")]
    return value


def _received(data: Mapping[str, Any], now: datetime, errors: Errors) -> datetime | None:
    raw = data.get("received_at")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return now
    value = moments.read(raw, "received_at", errors)
    if value is None:
        return None
    if value > now + CLOCK_SKEW:
        errors["received_at"] = [_("This time is in the future.")]
        return None
    return value


def clean_entry(data: Mapping[str, Any], *, now: datetime | None = None) -> dict[str, Any]:
    """An entry's fields from a form or the API, every problem named at once."""
    errors: Errors = {}
    clean: dict[str, Any] = {"received_at": _received(data, now or timezone.now(), errors)}
    channel = data.get("channel")
    if channel not in LogEntry.Channel.values:
        errors["channel"] = [_("Choose a channel from the list.")]
    clean["channel"] = channel
    for name in LIMITS:
        clean[name] = _text(data, name, errors)
    if errors:
        raise ValidationError(errors)
    return clean


def _shift_of(unit: Unit, at: datetime) -> Any:
    found = services.on_duty(unit, at)
    return found.shift if found is not None else None


# --- use cases -------------------------------------------------------------------------


@transaction.atomic
def record_entry(unit: Unit, data: Mapping[str, Any], *, actor: Actor) -> LogEntry:
    """Write down a call or message the duty office of ``unit`` handled."""
    clean = clean_entry(data)
    if actor.user is not None:
        _refuse_unless(may_keep(actor.user, unit))
    entry = LogEntry.objects.create(
        unit=unit,
        recorded_by=actor.user,
        shift=_shift_of(unit, clean["received_at"]),
        **clean,
    )
    audit.record(
        actor=actor,
        action="duty.log.record",
        obj=entry,
        after={"unit": unit.pk, "channel": entry.channel, **_digestible(entry)},
    )
    return entry


def _digestible(entry: LogEntry) -> dict[str, Any]:
    # The audit log keeps digests of these, never the text.
    return {name: str(getattr(entry, name)) for name in FIELDS}


@transaction.atomic
def update_entry(entry: LogEntry, data: Mapping[str, Any], *, actor: Actor) -> LogEntry:
    """Correct an entry's fields (its author or a leader); what it became stays."""
    current = LogEntry.objects.select_for_update().get(pk=entry.pk)
    clean = clean_entry(data)
    if actor.user is not None and not may_edit(actor.user, current):
        raise ValidationError(
            {"__all__": [_("Only the entry's author or a leader on duty may correct it.")]}
        )
    before = _digestible(current)
    for name, value in clean.items():
        setattr(current, name, value)
    current.shift = _shift_of(current.unit, current.received_at)
    current.save(update_fields=[*FIELDS, "shift", "updated_at"])
    audit.record(
        actor=actor,
        action="duty.log.update",
        obj=current,
        before=before,
        after=_digestible(current),
        fields=[name for name in FIELDS if before[name] != _digestible(current)[name]],
    )
    return current


def _locked(entry: LogEntry, actor: Actor) -> LogEntry:
    current = (
        LogEntry.objects.select_for_update(of=("self",)).select_related("unit").get(pk=entry.pk)
    )
    if actor.user is not None:
        _refuse_unless(may_keep(actor.user, current.unit))
    return current


def incident_prefill(entry: LogEntry) -> dict[str, Any]:
    """What the log already says of the incident: the form starts from it, and an empty
    field sent falls back to it."""
    received = timezone.localtime(entry.received_at, clock.office_zone())
    moment = received.strftime("%Y-%m-%dT%H:%M")
    return {
        "description": entry.matter,
        "reporter_name": entry.caller,
        "reporter_phone": entry.caller_phone,
        "reported_at": moment,
        "happened_at": moment,
        "source": INCIDENT_SOURCE.get(entry.channel, "other"),  # type: ignore[call-overload]
    }


@transaction.atomic
def to_incident(entry: LogEntry, data: Mapping[str, Any], *, actor: Actor) -> Any:
    """The entry becomes an incident (立为突发事件), taken by the entry's unit; the entry
    links to it. The incident's title, place and type come from ``data``; the matter,
    caller and time from the entry unless ``data`` gives them."""
    from yingji.incidents import services as incidents

    current = _locked(entry, actor)
    if current.incident_id is not None:
        raise ValidationError({"incident": [_("This entry has become an incident already.")]})
    merged = dict(incident_prefill(current))
    merged.update({k: v for k, v in data.items() if v not in (None, "")})
    merged.pop("is_drill", None)  # a call in the log is real
    incident = incidents.report_incident(merged, actor=actor, unit=current.unit)
    current.incident = incident
    current.save(update_fields=["incident", "updated_at"])
    audit.record(
        actor=actor,
        action="duty.log.to_incident",
        obj=current,
        after={"incident": incident.pk, "number": incident.number},
    )
    return incident


def petition_channel(entry: LogEntry) -> str:
    return "visit" if entry.channel == LogEntry.Channel.VISIT else "phone"


@transaction.atomic
def to_petition(entry: LogEntry, data: Any, *, actor: Actor) -> Any:
    """The entry becomes a petition (登记为信访件), registered by the petitions app's own
    service with the entry's unit as the office; the entry links to it. ``data`` is the
    registration (``petitions.services.Intake``); its facts and time default to the
    entry's. Returns the registration, whose receipt code is shown once."""
    from yingji.petitions import services as petitions

    current = _locked(entry, actor)
    if current.petition_id is not None:
        raise ValidationError({"petition": [_("This entry has become a petition already.")]})
    if not isinstance(data, petitions.Intake):
        raise ValidationError({"__all__": [_("Fill in the petition's registration.")]})
    if data.channel not in PETITION_CHANNELS:
        raise ValidationError(
            {"channel": [_("A call or a visit to the duty office: choose phone or visit.")]}
        )
    intake = dataclasses.replace(
        data,
        facts=data.facts or current.matter,
        received_at=data.received_at or current.received_at,
    )
    registered = petitions.register(intake, office=current.unit, actor=actor)
    current.petition = registered.petition
    current.save(update_fields=["petition", "updated_at"])
    audit.record(
        actor=actor,
        action="duty.log.to_petition",
        obj=current,
        after={"petition": registered.petition.pk, "number": registered.petition.number},
    )
    return registered
