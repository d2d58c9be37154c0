"""Taking a report (接报): the incident is checked in full before anything is written, then
numbered, given its first-report deadline, and the leader on duty is told. A collective
petition comes in the same way, so an incident made from a petition cannot differ from
one reported directly.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji import crypto, fields
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import moments
from yingji.clock import services as clock
from yingji.duty import services as duty
from yingji.incidents.models import Incident, NumberSequence
from yingji.incidents.services import reports
from yingji.incidents.services._common import (
    CLOCK_SKEW,
    FACT_FIELDS,
    FLAG_FIELDS,
    Errors,
    _decimal,
    _text,
    clean_facts,
)
from yingji.incidents.services.grading import assess
from yingji.notify import escalation
from yingji.notify import services as notify
from yingji.org import jurisdiction, lines
from yingji.org.models import Unit
from yingji.plans.models import EventType
from yingji.timeline import services as timeline


def _next_number(unit: Unit, moment: datetime) -> str:
    year = timezone.localtime(moment, clock.office_zone()).year
    try:
        with transaction.atomic():
            NumberSequence.objects.get_or_create(unit=unit, year=year)
    except IntegrityError:
        pass  # another intake created the row first; lock it below
    sequence = NumberSequence.objects.select_for_update().get(unit=unit, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    code = unit.code or f"U{unit.pk}"
    return f"{code}-{year}-SJ{sequence.last:04d}"


def _moment(data: Mapping[str, Any], name: str, errors: Errors) -> datetime | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        errors[name] = [_("This field is required.")]
        return None
    return moments.read(value, name, errors)


def clean_report(
    data: Mapping[str, Any], *, now: datetime | None = None, unit: Unit | None = None
) -> dict[str, Any]:
    """Validate a new incident in full before anything is written; with the reporting
    ``unit``, the place must be a division of the directory within its jurisdiction."""
    now = now or timezone.now()
    errors: Errors = {}
    clean: dict[str, Any] = {}
    for name, limit in (("title", 120), ("address", 200), ("description", 5000)):
        clean[name] = _text(data, name)
        if not clean[name]:
            errors[name] = [_("This field is required.")]
        elif len(clean[name]) > limit:
            errors[name] = [_("Keep it within %(n)d characters.") % {"n": limit}]
    event_type = data.get("event_type")
    if isinstance(event_type, EventType):
        clean["event_type"] = event_type
    else:
        found = None
        if event_type not in (None, ""):
            lookup = models.Q(code=str(event_type))
            if (type_id := fields.id_of(event_type)) is not None:
                lookup |= models.Q(pk=type_id)
            found = EventType.objects.filter(lookup, is_active=True).first()
        if found is None:
            errors["event_type"] = [_("Choose an event type from the list.")]
        clean["event_type"] = found
    source = _text(data, "source")
    if source not in Incident.Source.values:
        errors["source"] = [_("Choose a source from the list.")]
    clean["source"] = source
    region = _text(data, "region_code")
    if region and (not region.isascii() or not region.isdigit() or len(region) not in (6, 9, 12)):
        errors["region_code"] = [_("Enter a division code of 6, 9 or 12 digits.")]
    elif region and unit is not None:
        refused = jurisdiction.place_error(region, unit, lines.EMERGENCY)
        if refused:
            errors["region_code"] = [refused]
    clean["region_code"] = region
    happened = _moment(data, "happened_at", errors)
    reported = _moment(data, "reported_at", errors) if data.get("reported_at") else now
    if happened and happened > now + CLOCK_SKEW:
        errors["happened_at"] = [_("This time is in the future.")]
    if reported and reported > now + CLOCK_SKEW:
        errors["reported_at"] = [_("This time is in the future.")]
    if happened and reported and reported < happened and "happened_at" not in errors:
        errors["reported_at"] = [_("It cannot have been reported before it happened.")]
    clean["happened_at"], clean["reported_at"] = happened, reported
    clean["latitude"] = _decimal(data, "latitude", errors, -90, 90)
    clean["longitude"] = _decimal(data, "longitude", errors, -180, 180)
    if (clean["latitude"] is None) != (clean["longitude"] is None) and not (
        "latitude" in errors or "longitude" in errors
    ):
        errors["longitude" if clean["longitude"] is None else "latitude"] = [
            _("Give both coordinates, or neither.")
        ]
    clean.update(clean_facts(data, errors))
    clean["reporter_name"] = _text(data, "reporter_name")[:50]
    clean["reporter_phone"] = _text(data, "reporter_phone")[:40]
    if errors:
        raise ValidationError(errors)
    return clean


def _tell_leader(incident: Incident, title: str, body: str = "", *, urgent: bool = True) -> None:
    """Tell the leader on duty of the incident's unit (or the unit answering for it)."""
    on = duty.on_duty(incident.unit)
    leader = getattr(on.leader, "user", None) if on and on.leader else None
    link = reverse("incidents:board", args=[incident.pk])
    if leader is not None and leader.is_active:
        notify.notify(
            leader,
            "incident.reported",
            title,
            body,
            subject=incident,
            urgent=urgent,
            is_drill=incident.is_drill,
            link=link,
        )
    else:
        escalation.notify_duty(
            incident.unit,
            "incident.reported",
            title,
            body,
            subject=incident,
            urgent=urgent,
            is_drill=incident.is_drill,
            link=link,
        )


def _first_report_level(incident: Incident) -> int:
    """The level whose report hours apply: the graded one, else what the plans suggest,
    else IV until someone grades it."""
    if incident.level:
        return incident.level
    return assess(incident).suggested or 4


@transaction.atomic
def report_incident(
    data: Mapping[str, Any],
    *,
    actor: Actor,
    unit: Unit,
    is_drill: bool = False,
    petition: Any = None,
) -> Incident:
    """Take a report (接报): the incident, its first-report deadline and the leader told."""
    clean = clean_report(data, unit=unit)
    incident = Incident(
        number=_next_number(unit, clean["reported_at"]),
        title=clean["title"],
        unit=unit,
        event_type=clean["event_type"],
        happened_at=clean["happened_at"],
        reported_at=clean["reported_at"],
        source=clean["source"],
        region_code=clean["region_code"],
        address=clean["address"],
        latitude=clean["latitude"],
        longitude=clean["longitude"],
        description=clean["description"],
        petition=petition,
        is_drill=is_drill,
        created_by=actor.user,
        public_key=secrets.token_urlsafe(16),
        **{name: clean[name] for name in (*FACT_FIELDS, "economic_loss", *FLAG_FIELDS)},
    )
    if clean["reporter_name"]:
        incident.reporter_name_enc = crypto.encrypt(clean["reporter_name"])
        incident.reporter_name_masked = crypto.mask_name(clean["reporter_name"])
    if clean["reporter_phone"]:
        incident.reporter_phone_enc = crypto.encrypt(clean["reporter_phone"])
        incident.reporter_phone_masked = crypto.mask_phone(clean["reporter_phone"])
    incident.save(force_insert=True)
    audit.record(
        actor=actor,
        action="incidents.incident.report",
        obj=incident,
        object_repr=incident.number,
        after={"number": incident.number, "title": incident.title, "is_drill": is_drill},
    )
    timeline.record(
        incident,
        "incident.reported",
        _("Reported: %(title)s") % {"title": incident.title},
        actor=actor,
        happened_at=incident.happened_at,
        data={"reported_at": incident.reported_at.isoformat(), "source": incident.source},
        is_drill=is_drill,
    )
    clock.start(
        incident,
        "incident.first_report",
        actor=actor,
        unit=unit,
        started_at=incident.reported_at,
        params={"level": str(_first_report_level(incident))},
        responsible=actor.user,
        is_drill=is_drill,
    )
    reports.start_phone_report(incident, actor=actor)
    _tell_leader(
        incident,
        _("New incident: %(title)s") % {"title": incident.title},
        _("%(address)s. %(description)s")
        % {"address": incident.address, "description": incident.description[:300]},
    )
    return incident


def incident_from_petition(petition: Any, data: Mapping[str, Any], *, actor: Actor) -> Incident:
    """A collective visit becomes an incident; the petition case goes on as before."""
    if not petition.is_collective:
        raise ValidationError({"petition": [_("Only a collective petition becomes an incident.")]})
    merged = {
        "title": _("Collective visit: %(number)s") % {"number": petition.number},
        "source": Incident.Source.PETITION,
        "region_code": petition.region_code,
        "address": petition.place or petition.unit.name,
        "happened_at": petition.received_at,
        "reported_at": timezone.now(),
        "people_involved": petition.people_count,
        "description": petition.request,
        **{k: v for k, v in data.items() if v not in (None, "")},
    }
    incident = report_incident(
        merged, actor=actor, unit=petition.unit, is_drill=petition.is_drill, petition=petition
    )
    return incident
