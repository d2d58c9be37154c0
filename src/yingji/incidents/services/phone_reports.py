"""The phone report (电话快报): the call that tells the level above within minutes, before
the written first report, on a clock of its own by level and recounted on regrading."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji import fields
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import moments
from yingji.clock import services as clock
from yingji.incidents.models import Incident, PhoneReport
from yingji.incidents.services._common import CLOCK_SKEW, Errors
from yingji.incidents.services.reading import _may
from yingji.incidents.services.reports import (
    FIRST_KIND,
    PHONE_KIND,
    _bounded_text,
    organ_name,
    recipient_choices,
)
from yingji.timeline import services as timeline

# --- the phone report (电话快报) -------------------------------------------------------------


def start_phone_report(incident: Incident, *, actor: Actor) -> None:
    """At intake: the phone report's deadline, for the level the first report's counts by
    (intake has just started that one)."""
    first = clock.open_deadline(incident, FIRST_KIND)
    level = first.params.get("level") if first is not None else None
    clock.start(
        incident,
        PHONE_KIND,
        actor=actor,
        unit=incident.unit,
        started_at=incident.reported_at,
        params={"level": str(level or incident.level or 4)},
        responsible=first.responsible if first is not None else actor.user,
        is_drill=incident.is_drill,
    )


def recount_phone_report(incident: Incident, actor: Actor) -> None:
    """Regrading: the phone report's minutes depend on the level; recount them from the
    report time unless the phone report has been made."""
    if incident.level is None or incident.phone_reports.exists():
        return
    running = clock.open_deadline(incident, PHONE_KIND)
    if running is not None:
        if running.params.get("level") == str(incident.level):
            return
        clock.cancel(running, actor=actor, reason=_("Regraded: the report minutes changed."))
    clock.start(
        incident,
        PHONE_KIND,
        actor=actor,
        unit=incident.unit,
        started_at=incident.reported_at,
        params={"level": str(incident.level)},
        responsible=running.responsible if running else incident.created_by,
        is_drill=incident.is_drill,
    )


def _called_at(data: Mapping[str, Any], incident: Incident, errors: Errors) -> datetime | None:
    raw = data.get("called_at")
    now = timezone.now()
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return now
    value = moments.read(raw, "called_at", errors)
    if value is None:
        return None
    if value > now + CLOCK_SKEW:
        errors["called_at"] = [_("The call cannot be in the future.")]
        return None
    if value < incident.happened_at:
        errors["called_at"] = [_("The call cannot be before the incident happened.")]
        return None
    return value


@transaction.atomic
def record_phone_report(
    incident: Incident, data: Mapping[str, Any], *, actor: Actor
) -> PhoneReport:
    """Record the phone report (电话快报): when, to which unit and whom, what was said;
    the phone report's deadline is met."""
    _may(
        actor,
        "incidents.write_report",
        _("Only the duty staff write upward reports."),
        incident=incident,
    )
    assert actor.user is not None
    errors: Errors = {}
    called_at = _called_at(data, incident, errors)
    raw = data.get("to_unit")
    pk = fields.id_of(raw) if not isinstance(raw, bool) else None
    to_unit = recipient_choices(incident, actor.user).filter(pk=pk).first() if pk else None
    if raw in (None, ""):
        errors["to_unit"] = [_("Choose the unit you called.")]
    elif to_unit is None:
        errors["to_unit"] = [_("A unit you chose does not exist or is not one you may report to.")]
    taken_by = _bounded_text(data, "taken_by", 40, errors)
    if not taken_by and "taken_by" not in errors:
        errors["taken_by"] = [_("Name the person who took the call.")]
    summary = _bounded_text(data, "summary", 500, errors)
    if not summary and "summary" not in errors:
        errors["summary"] = [_("Say briefly what was reported.")]
    if errors:
        raise ValidationError(errors)
    assert called_at is not None and to_unit is not None
    phone = PhoneReport.objects.create(
        incident=incident,
        called_at=called_at,
        made_by=actor.user,
        to_unit=to_unit,
        taken_by=taken_by,
        summary=summary,
    )
    audit.record(
        actor=actor,
        action="incidents.report.phone",
        obj=phone,
        after={
            "incident": incident.pk,
            "to_unit": to_unit.pk,
            "called_at": called_at.isoformat(),
        },
    )
    timeline.record(
        incident,
        "report.phoned",
        _("Phone report to %(unit)s, taken by %(person)s: %(summary)s")
        % {"unit": organ_name(to_unit), "person": taken_by, "summary": summary},
        actor=actor,
        happened_at=called_at,
        data={"phone_report": phone.pk, "to_unit": to_unit.pk},
        is_drill=incident.is_drill,
    )
    for deadline in clock.open_deadlines(incident, PHONE_KIND):
        clock.meet(deadline, actor=actor, at=called_at)
    return phone
