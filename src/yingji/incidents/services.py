"""Incident use cases: intake, grading, upward reports, activation, tasks, releases, the
end of response and the after-action draft.

Every call is one transaction that writes its audit entry and its timeline event. The
deadlines (reports, tasks) come from the clock; notifications go through the outbox, so
their escalation follows the notify chains. A drill incident is marked on everything it
makes and follows the drill rules for notifications.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yingji import crypto
from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import kinds
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.duty import services as duty
from yingji.incidents.models import (
    AfterAction,
    Command,
    Grading,
    Incident,
    NumberSequence,
    Release,
    Report,
    ResourceRequest,
    Task,
    TaskNote,
    TeamGroup,
)
from yingji.notify import escalation
from yingji.notify import services as notify
from yingji.org import jurisdiction, lines
from yingji.org.models import Person, Unit
from yingji.plans import labels as plan_labels
from yingji.plans import services as plans
from yingji.plans.models import EventType, PlanVersion, Step
from yingji.plans.triggers import LevelResult
from yingji.timeline import services as timeline

Errors = dict[str, list[str]]
LEVELS = (1, 2, 3, 4)
FACT_FIELDS = ("people_involved", "deaths", "injuries", "missing")
FLAG_FIELDS = ("blocks_traffic", "key_facility")
CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock may run a little ahead
# What the audit log keeps of an incident's changes: never the reporter's contact.
AUDITED = (
    "stage",
    "level",
    "graded_at",
    "activated_at",
    "ended_at",
    "commander",
    *("people_involved", "deaths", "injuries", "missing", "economic_loss"),
    *("blocks_traffic", "key_facility"),
)


def level_label(level: int | None) -> str:
    return plan_labels.level_label(level) if level else ""


# --- reading --------------------------------------------------------------------------------


def visible_to(user: User) -> models.QuerySet[Incident]:
    """The jurisdiction rule (org.jurisdiction) for emergency work: incidents of units in
    the user's area, and those whose groups they serve in."""
    units = Unit.objects.visible_to(user, lines.EMERGENCY)
    return Incident.objects.filter(
        models.Q(unit__in=units) | models.Q(groups__members=user) | models.Q(groups__lead=user)
    ).distinct()


def reporter(incident: Incident, *, actor: Actor, reason: str) -> dict[str, str]:
    """The reporter's contact for one deliberate look, audited with its reason."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why you need to see the reporter's contact.")]})
    values = {
        "name": crypto.decrypt(incident.reporter_name_enc) if incident.reporter_name_enc else "",
        "phone": crypto.decrypt(incident.reporter_phone_enc) if incident.reporter_phone_enc else "",
    }
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="incidents.incident.reveal",
            obj=incident,
            object_repr=incident.number,
            fields=["reporter_name", "reporter_phone"],
            note=reason.strip(),
        )
    return values


# --- intake (接报) ---------------------------------------------------------------------------


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


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def _count(data: Mapping[str, Any], name: str, errors: Errors) -> int | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        errors[name] = [_("Enter a whole number of zero or more.")]
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        errors[name] = [_("Enter a whole number of zero or more.")]
        return None
    if number < 0:
        errors[name] = [_("Enter a whole number of zero or more.")]
        return None
    return number


def _flag(data: Mapping[str, Any], name: str, errors: Errors) -> bool | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    if str(value).lower() in {"true", "yes", "1", "on"}:
        return True
    if str(value).lower() in {"false", "no", "0"}:
        return False
    errors[name] = [_("Choose yes or no.")]
    return None


def _decimal(
    data: Mapping[str, Any], name: str, errors: Errors, low: float, high: float
) -> Decimal | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors[name] = [_("Enter a number.")]
        return None
    if not number.is_finite() or not low <= number <= high:
        errors[name] = [_("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}]
        return None
    return number


def _moment(data: Mapping[str, Any], name: str, errors: Errors) -> datetime | None:
    value = data.get(name)
    if value in (None, ""):
        errors[name] = [_("This field is required.")]
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            errors[name] = [_("Enter a date and time.")]
            return None
    if not isinstance(value, datetime):
        errors[name] = [_("Enter a date and time.")]
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, clock.office_zone())
    return value


def clean_facts(data: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    """The trigger facts of a form or API payload, each refused by name when malformed."""
    clean: dict[str, Any] = {name: _count(data, name, errors) for name in FACT_FIELDS}
    clean["economic_loss"] = _decimal(data, "economic_loss", errors, 0, 10**9)
    for name in FLAG_FIELDS:
        clean[name] = _flag(data, name, errors)
    return clean


def clean_report(data: Mapping[str, Any], *, now: datetime | None = None) -> dict[str, Any]:
    """Validate a new incident in full before anything is written."""
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
            if str(event_type).isdigit():
                lookup |= models.Q(pk=int(str(event_type)))
            found = EventType.objects.filter(lookup, is_active=True).first()
        if found is None:
            errors["event_type"] = [_("Choose an event type from the list.")]
        clean["event_type"] = found
    source = _text(data, "source")
    if source not in Incident.Source.values:
        errors["source"] = [_("Choose a source from the list.")]
    clean["source"] = source
    region = _text(data, "region_code")
    if region and (not region.isdigit() or len(region) not in (6, 9, 12)):
        errors["region_code"] = [_("Enter a division code of 6, 9 or 12 digits.")]
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


def covering_plans(incident: Incident) -> list[PlanVersion]:
    """The versions in force whose event types include the incident's type (or a type
    above it) and whose owner is the incident's unit or a unit above it: the nearest
    owner first, so a township's own plan comes before the county's."""
    codes = [incident.event_type.code]
    parts = incident.event_type.code.split(".")
    codes += [".".join(parts[:n]) for n in range(1, len(parts))]
    owners = [*list(Unit.objects.ancestors_of(incident.unit)), incident.unit]
    depth = {unit.pk: len(unit.path) for unit in owners}
    versions = (
        PlanVersion.objects.filter(
            status=PlanVersion.Status.IN_FORCE,
            plan__owner__in=owners,
            event_types__code__in=codes,
        )
        .select_related("plan__owner")
        .distinct()
    )
    return sorted(versions, key=lambda v: (-depth.get(v.plan.owner_id, 0), v.plan.title))


@dataclass
class Assessment:
    version: PlanVersion
    levels: list[LevelResult]
    suggested: int | None  # the most serious level whose triggers hold

    @property
    def holding(self) -> list[LevelResult]:
        return [lv for lv in self.levels if lv.holds]


@dataclass
class Overview:
    assessments: list[Assessment] = field(default_factory=list)

    @property
    def suggested(self) -> int | None:
        found = [a.suggested for a in self.assessments if a.suggested is not None]
        return min(found) if found else None


def assess(incident: Incident) -> Overview:
    """For the commander: each covering plan, every level with its reasons, and the level
    the triggers suggest."""
    overview = Overview()
    for version in covering_plans(incident):
        levels = plans.evaluate_levels(version, incident.facts)
        held = [lv.level for lv in levels if lv.holds]
        overview.assessments.append(Assessment(version, levels, min(held) if held else None))
    return overview


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
    clean = clean_report(data)
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


@transaction.atomic
def update_facts(incident: Incident, data: Mapping[str, Any], *, actor: Actor) -> Incident:
    """New figures from the scene (more people, casualties): the levels are re-read from
    them; a changed level is still the commander's decision."""
    current = Incident.objects.select_for_update().select_related("unit").get(pk=incident.pk)
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty may change the facts."),
        incident=current,
    )
    if not current.is_open:
        raise ValidationError({"stage": [_("The response has ended; the facts are closed.")]})
    errors: Errors = {}
    present = {k: v for k, v in data.items() if k in (*FACT_FIELDS, "economic_loss", *FLAG_FIELDS)}
    clean = clean_facts(present, errors)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(current, AUDITED)
    changed = {}
    for name in present:
        if getattr(current, name) != clean[name]:
            changed[name] = str(clean[name])
            setattr(current, name, clean[name])
    if not changed:
        return current
    current.save()
    audit.record_update(actor=actor, action="incidents.incident.facts", obj=current, before=before)
    timeline.record(
        current,
        "incident.facts",
        _("Facts updated"),
        actor=actor,
        data=changed,
        is_drill=current.is_drill,
    )
    return current


# --- grading (研判定级) -------------------------------------------------------------------


def _may(
    actor: Actor, perm: str, message: str, *, incident: Incident | None = None, above: bool = False
) -> None:
    """The role's permission, and the incident's unit: its own staff act on it (and those
    acting for it, or serving as its commander); with ``above``, so may a level whose
    area holds it (grading above the local level, 分级负责)."""
    if actor.user is None or not actor.user.has_perm(perm):
        raise PermissionDenied(message)
    if incident is not None and not may_act(actor.user, incident, above=above):
        raise PermissionDenied(not_ours_message(incident))


def may_act(user: User, incident: Incident, *, above: bool = False) -> bool:
    if incident.commander_id is not None and incident.commander_id == user.pk:
        return True
    if jurisdiction.acts_as(user, incident.unit, lines.EMERGENCY):
        return True
    return above and jurisdiction.oversees(user, incident.unit, lines.EMERGENCY)


def not_ours_message(incident: Incident) -> str:
    return _(
        "%(unit)s handles this incident. A level above follows its board and receives "
        "its reports, and may grade it; the rest is for the unit handling it."
    ) % {"unit": incident.unit.name}


@transaction.atomic
def grade(
    incident: Incident,
    level: int,
    *,
    actor: Actor,
    version: PlanVersion | None = None,
    reason: str = "",
) -> Incident:
    """The commander chooses a level. A level other than the plan's suggestion needs a
    reason; the level must be one the plan defines."""
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty may grade an incident."),
        incident=incident,
        above=True,
    )
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    errors: Errors = {}
    if not current.is_open:
        errors["stage"] = [_("The response has ended.")]
    if level not in LEVELS:
        errors["level"] = [_("Choose a level from I to IV.")]
    suggested = None
    if version is not None:
        if version.status != PlanVersion.Status.IN_FORCE:
            errors["plan_version"] = [_("Choose a plan version in force.")]
        elif not version.levels.filter(level=level).exists():
            errors["level"] = [_("This plan defines no such level.")]
        results = plans.evaluate_levels(version, current.facts)
        held = [lv.level for lv in results if lv.holds]
        suggested = min(held) if held else None
    if level in LEVELS and level != suggested and not reason.strip():
        errors["reason"] = [_("Give the reason for a level other than the plan suggests.")]
    if errors:
        raise ValidationError(errors)
    previous = current.level
    now = timezone.now()
    Grading.objects.create(
        incident=current,
        level=level,
        plan_version=version,
        suggested=suggested,
        reason=reason.strip(),
        decided_by=actor.user,
        decided_at=now,
    )
    before = audit.snapshot(current, AUDITED)
    current.level = level
    current.graded_at = current.graded_at or now
    if current.stage == Incident.Stage.REPORTED:
        current.stage = Incident.Stage.GRADED
    current.commander = current.commander or actor.user
    current.save()
    audit.record_update(actor=actor, action="incidents.incident.grade", obj=current, before=before)
    label = level_label(level)
    timeline.record(
        current,
        "incident.regraded" if previous else "incident.graded",
        (
            _("Regraded from %(old)s to %(new)s") % {"old": level_label(previous), "new": label}
            if previous
            else _("Graded %(level)s") % {"level": label}
        ),
        actor=actor,
        data={"level": level, "suggested": suggested, "reason": reason.strip()},
        is_drill=current.is_drill,
    )
    if previous != level:
        _restart_first_report(current, actor)
    return current


def _restart_first_report(incident: Incident, actor: Actor) -> None:
    """The first report's hours depend on the level: recount from the report time."""
    if incident.reports.filter(stage=Report.Stage.FIRST, state=Report.State.SUBMITTED).exists():
        return
    running = clock.open_deadline(incident, "incident.first_report")
    if running is not None:
        if running.params.get("level") == str(incident.level):
            return
        clock.cancel(running, actor=actor, reason=_("Regraded: the report hours changed."))
    clock.start(
        incident,
        "incident.first_report",
        actor=actor,
        unit=incident.unit,
        started_at=incident.reported_at,
        params={"level": str(incident.level)},
        responsible=running.responsible if running else incident.created_by,
        is_drill=incident.is_drill,
    )


# --- upward reports (首报 / 续报 / 终报) ---------------------------------------------------


def report_elements() -> list[tuple[str, str]]:
    return [
        (name, str(getattr(Report._meta.get_field(name), "verbose_name", name)))
        for name in Report.ELEMENTS
    ]


def prefill(incident: Incident, stage: str) -> dict[str, str]:
    """What the incident already says, as a starting text for each element."""
    local = timezone.localtime(incident.happened_at, clock.office_zone())
    people = []
    if incident.people_involved is not None:
        people.append(_("about %(n)d people involved") % {"n": incident.people_involved})
    for name, words in (
        ("deaths", _("%(n)d dead")),
        ("injuries", _("%(n)d injured")),
        ("missing", _("%(n)d missing")),
    ):
        value = getattr(incident, name)
        if value:
            people.append(words % {"n": value})
    last = incident.reports.filter(state=Report.State.SUBMITTED).order_by("-submitted_at").first()
    text = {
        "occurred": local.strftime("%Y-%m-%d %H:%M"),
        "place": incident.address,
        "source": incident.get_source_display(),
        "nature": f"{incident.event_type.name}：{incident.description}",
        "scope": "；".join(people),
        "trend": last.trend if last else "",
        "measures": last.measures if last else "",
        "next_steps": last.next_steps if last else "",
    }
    return text


@transaction.atomic
def save_report(
    incident: Incident,
    stage: str,
    data: Mapping[str, Any],
    *,
    actor: Actor,
    report: Report | None = None,
) -> Report:
    """Keep a draft; the elements may be incomplete until it is submitted."""
    _may(
        actor,
        "incidents.write_report",
        _("Only the duty staff write upward reports."),
        incident=incident,
    )
    if stage not in Report.Stage.values:
        raise ValidationError({"stage": [_("Choose first, follow-up or final.")]})
    if report is not None and report.state != Report.State.DRAFT:
        raise ValidationError({"state": [_("A submitted report is not changed; write a new one.")]})
    if report is None:
        report = Report(incident=incident, stage=stage, written_by=actor.user)
        if stage == Report.Stage.FOLLOWUP:
            report.sequence = incident.reports.filter(stage=stage).count() + 1
    for name in Report.ELEMENTS:
        if name in data:
            setattr(report, name, _text(data, name))
    report.save()
    return report


def _sequence_errors(report: Report) -> Errors:
    incident = report.incident
    submitted = incident.reports.filter(state=Report.State.SUBMITTED)
    first_sent = submitted.filter(stage=Report.Stage.FIRST).exists()
    if report.stage == Report.Stage.FIRST and first_sent:
        return {"stage": [_("The first report has been submitted; write a follow-up.")]}
    if report.stage == Report.Stage.FOLLOWUP and not first_sent:
        return {"stage": [_("Submit the first report before a follow-up.")]}
    if report.stage == Report.Stage.FINAL:
        if incident.ended_at is None:
            return {"stage": [_("The final report comes after the end of response.")]}
        if submitted.filter(stage=Report.Stage.FINAL).exists():
            return {"stage": [_("The final report has been submitted.")]}
    return {}


def _report_letter(report: Report) -> Any:
    from yingji.documents import layout

    incident = report.incident
    title = f"{incident.title} {report.get_stage_display()}"
    if report.stage == Report.Stage.FOLLOWUP:
        title = _("%(title)s: follow-up report no. %(n)d") % {
            "title": incident.title,
            "n": report.sequence,
        }
    paragraphs: list[str] = []
    headings: dict[int, str] = {}
    for index, (name, label) in enumerate(report_elements()):
        headings[len(paragraphs)] = f"{'一二三四五六七八'[index]}、{label}"
        paragraphs.append(getattr(report, name))
    level = level_label(incident.level)
    if level:
        paragraphs.append(_("Level: %(level)s") % {"level": level})
    return layout.Letter(
        title=title,
        paragraphs=paragraphs,
        issuer=incident.unit.name,
        issued_on=timezone.localdate(),
        recipient=incident.unit.parent.name if incident.unit.parent else "",
        number=incident.number,
        headings=headings,
    )


@transaction.atomic
def submit_report(report: Report, *, actor: Actor) -> Report:
    """Send a report up: every element present, in order (首报 → 续报 → 终报); it becomes a
    DOCX document, is recorded as sent to the unit above, and meets its deadline."""
    from yingji.documents import services as documents

    current = Report.objects.select_for_update().select_related("incident__unit").get(pk=report.pk)
    _may(
        actor,
        "incidents.write_report",
        _("Only the duty staff write upward reports."),
        incident=current.incident,
    )
    if current.state != Report.State.DRAFT:
        raise ValidationError({"state": [_("This report has been submitted already.")]})
    errors: Errors = {
        name: [_("The report needs this element.")]
        for name in Report.ELEMENTS
        if not getattr(current, name).strip()
    }
    errors.update(_sequence_errors(current))
    if errors:
        raise ValidationError(errors)
    incident = current.incident
    now = timezone.now()
    document = documents.issue_letter(
        current,
        kind=f"incident.report.{current.stage}",
        letter=_report_letter(current),
        actor=actor,
        is_drill=incident.is_drill,
    )
    current.state = Report.State.SUBMITTED
    current.submitted_at = now
    current.submitted_by = actor.user
    current.sent_to = incident.unit.parent
    current.document = document
    current.save()
    audit.record(
        actor=actor,
        action="incidents.report.submit",
        obj=current,
        after={"stage": current.stage, "sent_to": current.sent_to_id, "sha256": document.sha256},
    )
    timeline.record(
        incident,
        "report.submitted",
        _("%(report)s sent to %(unit)s")
        % {
            "report": current.get_stage_display(),
            "unit": current.sent_to.name if current.sent_to else _("no unit above"),
        },
        actor=actor,
        data={"report": current.pk, "stage": current.stage, "sequence": current.sequence},
        is_drill=incident.is_drill,
    )
    kind = {
        Report.Stage.FIRST: "incident.first_report",
        Report.Stage.FOLLOWUP: "incident.followup_report",
        Report.Stage.FINAL: "incident.final_report",
    }[Report.Stage(current.stage)]
    for deadline in clock.open_deadlines(incident, kind):
        clock.meet(deadline, actor=actor, at=now)
    if current.stage != Report.Stage.FINAL and incident.ended_at is None:
        clock.start(
            incident,
            "incident.followup_report",
            actor=actor,
            unit=incident.unit,
            started_at=now,
            responsible=actor.user,
            is_drill=incident.is_drill,
        )
    if current.sent_to is not None:
        escalation.notify_duty(
            current.sent_to,
            "incident.report",
            _("%(report)s from %(unit)s: %(title)s")
            % {
                "report": current.get_stage_display(),
                "unit": incident.unit.name,
                "title": incident.title,
            },
            current.nature[:300],
            subject=incident,
            is_drill=incident.is_drill,
            link=reverse("incidents:board", args=[incident.pk]),
        )
    return current


# --- activation (启动响应) ------------------------------------------------------------------


def _user_of(person: Person | None) -> User | None:
    if person is None:
        return None
    user = getattr(person, "user", None)
    return user if user is not None and user.is_active else None


def _holder(post: Any, owner: Unit) -> User | None:
    """Who holds a plan post: the named person, else the person in the plan owner's area
    whose position in the directory is the post's position."""
    if post.person_id:
        return _user_of(post.person)
    if not post.position:
        return None
    person = (
        Person.objects.filter(
            unit__in=Unit.objects.subtree(owner), position=post.position, is_active=True
        )
        .order_by("unit__path", "pk")
        .first()
    )
    return _user_of(person)


def _copy_groups(incident: Incident, version: PlanVersion) -> dict[int, TeamGroup]:
    """The plan's groups with their people as the response's groups (by plan group id)."""
    made: dict[int, TeamGroup] = {}
    start = incident.groups.count()
    owner = version.plan.owner
    for index, group in enumerate(version.groups.all()):
        posts = list(version.posts.filter(group=group).select_related("person"))
        holders = [(post, _holder(post, owner)) for post in posts]
        lead = next((user for post, user in holders if post.is_lead and user), None)
        team = TeamGroup.objects.create(
            incident=incident,
            plan_group=group,
            name=group.name,
            duties=group.duties,
            lead=lead,
            sort=start + index,
        )
        team.members.set([user for _post, user in holders if user is not None])
        made[group.pk] = team
    return made


def _make_tasks(
    incident: Incident,
    steps: Sequence[Step],
    groups: Mapping[int, TeamGroup],
    *,
    start: datetime,
    actor: Actor,
) -> list[Task]:
    tasks = []
    base = incident.tasks.count()
    for index, step in enumerate(steps):
        team = groups.get(step.group_id)
        if team is None:
            continue
        task = Task.objects.create(
            incident=incident,
            group=team,
            phase=step.phase,
            action=step.action,
            required=step.required,
            sort=base + index,
        )
        if step.within_minutes:
            deadline = clock.start(
                task,
                "incident.task",
                actor=actor,
                unit=incident.unit,
                started_at=start,
                params={"minutes": step.within_minutes},
                responsible=team.lead,
                is_drill=incident.is_drill,
            )
            task.due_at = deadline.due_at
            task.save(update_fields=["due_at"])
        tasks.append(task)
    return tasks


def _tell_leads(incident: Incident, groups: Sequence[TeamGroup], tasks: Sequence[Task]) -> None:
    """Each group lead hears of the group's tasks and must acknowledge (urgent)."""
    for team in groups:
        mine = [t for t in tasks if t.group_id == team.pk]
        if team.lead is None or not mine:
            continue
        notify.notify(
            team.lead,
            "incident.task",
            _("Response activated: %(title)s. Your group: %(group)s")
            % {"title": incident.title, "group": team.name},
            "\n".join(f"· {t.action}" for t in mine),
            subject=incident,
            urgent=True,
            is_drill=incident.is_drill,
            link=reverse("incidents:my_tasks"),
        )


@transaction.atomic
def activate(
    incident: Incident,
    version: PlanVersion,
    *,
    actor: Actor,
    command_name: str = "",
    location: str = "",
) -> Command:
    """Start the response: the on-site command, the plan's groups, and each group's tasks
    from the level's steps, due relative to now."""
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty may start a response."),
        incident=incident,
    )
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    errors: Errors = {}
    if current.stage != Incident.Stage.GRADED:
        errors["stage"] = [
            _("Grade the incident first.")
            if current.stage == Incident.Stage.REPORTED
            else _("The response has been started already.")
        ]
    if version.status != PlanVersion.Status.IN_FORCE:
        errors["plan_version"] = [_("Only a plan version in force can be activated.")]
    elif current.level and not version.levels.filter(level=current.level).exists():
        errors["plan_version"] = [_("This plan defines no response at the incident's level.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    command = Command.objects.create(
        incident=current,
        plan_version=version,
        level=current.level or 4,
        name=command_name.strip()[:80]
        or _("On-site command: %(title)s") % {"title": current.title},
        location=location.strip()[:200],
        commander=actor.user,
        set_up_at=now,
    )
    groups = _copy_groups(current, version)
    level = version.levels.get(level=current.level or 4)
    steps = list(level.steps.exclude(phase=Step.Phase.RECOVERY).order_by("sort", "pk"))
    tasks = _make_tasks(current, steps, groups, start=now, actor=actor)
    before = audit.snapshot(current, AUDITED)
    current.stage = Incident.Stage.RESPONDING
    current.activated_at = now
    current.commander = actor.user
    current.save()
    audit.record_update(
        actor=actor, action="incidents.incident.activate", obj=current, before=before
    )
    timeline.record(
        current,
        "incident.activated",
        _("%(plan)s activated at %(level)s: %(tasks)d tasks for %(groups)d groups")
        % {
            "plan": version.plan.title,
            "level": level_label(current.level),
            "tasks": len(tasks),
            "groups": len(groups),
        },
        actor=actor,
        data={"version": version.pk, "command": command.pk},
        is_drill=current.is_drill,
    )
    _tell_leads(current, list(groups.values()), tasks)
    return command


@transaction.atomic
def bring_in(incident: Incident, version: PlanVersion, *, actor: Actor) -> list[Task]:
    """Bring a linked plan (a department's, a unit's) into the running response: its
    groups and its steps at the response's level, or the nearest level it has."""
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty may bring in a plan."),
        incident=incident,
    )
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    command = Command.objects.filter(incident=current).first()
    errors: Errors = {}
    if current.stage != Incident.Stage.RESPONDING or command is None:
        errors["stage"] = [_("Bring in a plan while the response runs.")]
    if version.status != PlanVersion.Status.IN_FORCE:
        errors["plan_version"] = [_("Only a plan version in force can be activated.")]
    elif command is not None and (
        version.pk == command.plan_version_id or command.linked_versions.filter(pk=version.pk)
    ):
        errors["plan_version"] = [_("This plan is in the response already.")]
    levels = list(version.levels.order_by("level")) if not errors else []
    if not errors and not levels:
        errors["plan_version"] = [_("This plan defines no response levels.")]
    if errors:
        raise ValidationError(errors)
    assert command is not None
    wanted = current.level or 4
    level = min(levels, key=lambda lv: (abs(lv.level - wanted), -lv.level))
    groups = _copy_groups(current, version)
    steps = list(level.steps.exclude(phase=Step.Phase.RECOVERY).order_by("sort", "pk"))
    tasks = _make_tasks(current, steps, groups, start=timezone.now(), actor=actor)
    command.linked_versions.add(version)
    timeline.record(
        current,
        "incident.linked_plan",
        _("%(plan)s brought in: %(tasks)d tasks")
        % {"plan": version.plan.title, "tasks": len(tasks)},
        actor=actor,
        data={"version": version.pk},
        is_drill=current.is_drill,
    )
    _tell_leads(current, list(groups.values()), tasks)
    return tasks


@transaction.atomic
def mark(
    incident: Incident, milestone: str, *, actor: Actor, at: datetime | None = None
) -> Incident:
    """Record a milestone of the response: first on site, or under control."""
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty records milestones."),
        incident=incident,
    )
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    names = {"on_site": "first_on_site_at", "controlled": "controlled_at"}
    if milestone not in names:
        raise ValidationError({"milestone": [_("Choose a milestone from the list.")]})
    now = timezone.now()
    at = at or now
    errors: Errors = {}
    if current.stage != Incident.Stage.RESPONDING:
        errors["stage"] = [_("Milestones are recorded while the response runs.")]
    if at > now + CLOCK_SKEW or at < current.happened_at:
        errors["at"] = [_("Give a time between the event and now.")]
    if errors:
        raise ValidationError(errors)
    setattr(current, names[milestone], at)
    current.save(update_fields=[names[milestone], "updated_at"])
    timeline.record(
        current,
        f"incident.{milestone}",
        str({"on_site": _("First on site"), "controlled": _("Under control")}[milestone]),
        actor=actor,
        happened_at=at,
        is_drill=current.is_drill,
    )
    return current


# --- tasks --------------------------------------------------------------------------------


def may_work_on(user: User | None, task: Task) -> bool:
    """Group members and the lead update their tasks; the commander may update any."""
    if user is None or not user.is_active:
        return False
    if task.incident.commander_id == user.pk:
        return True
    return task.group.lead_id == user.pk or task.group.members.filter(pk=user.pk).exists()


def _locked_task(task: Task, actor: Actor) -> Task:
    current = (
        Task.objects.select_for_update(of=("self",))
        .select_related("incident", "group")
        .get(pk=task.pk)
    )
    if not may_work_on(actor.user, current):
        raise PermissionDenied(
            _("Only the members of %(group)s may update this task.") % {"group": current.group.name}
        )
    if current.incident.stage not in (Incident.Stage.RESPONDING, Incident.Stage.RECOVERY):
        raise ValidationError({"stage": [_("The response is not running.")]})
    return current


TRANSITIONS: dict[str, tuple[str, ...]] = {
    "acknowledge": (Task.State.PENDING,),
    "start": (Task.State.PENDING, Task.State.ACKNOWLEDGED, Task.State.BLOCKED),
    "done": (Task.State.ACKNOWLEDGED, Task.State.IN_PROGRESS, Task.State.BLOCKED),
    "block": (Task.State.ACKNOWLEDGED, Task.State.IN_PROGRESS),
}
TARGET = {
    "acknowledge": Task.State.ACKNOWLEDGED,
    "start": Task.State.IN_PROGRESS,
    "done": Task.State.DONE,
    "block": Task.State.BLOCKED,
}


@transaction.atomic
def move_task(task: Task, action: str, *, actor: Actor, reason: str = "") -> Task:
    """pending → acknowledged → in progress → done, or blocked (with a reason) and back."""
    if action not in TRANSITIONS:
        raise ValidationError({"action": [_("Unknown action.")]})
    current = _locked_task(task, actor)
    errors: Errors = {}
    if current.state not in TRANSITIONS[action]:
        errors["state"] = [
            _("A task that is %(state)s cannot be moved this way.")
            % {"state": current.get_state_display()}
        ]
    if action == "block" and not reason.strip():
        errors["reason"] = [_("Say what blocks the task.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    before = current.state
    current.state = TARGET[action]
    if action == "acknowledge" or (action == "start" and current.acknowledged_at is None):
        current.acknowledged_at = now
        current.acknowledged_by = actor.user
    current.blocked_reason = reason.strip() if action == "block" else ""
    if action == "done":
        current.done_at = now
        deadline = clock.open_deadline(current, "incident.task")
        if deadline is not None:
            clock.meet(deadline, actor=actor, at=now)
    current.save()
    audit.record(
        actor=actor,
        action=f"incidents.task.{action}",
        obj=current,
        before={"state": before},
        after={"state": current.state},
    )
    kind = {"acknowledge": "task.acknowledged", "start": "task.started", "done": "task.done"}
    summary = {
        "acknowledge": _("%(group)s acknowledged: %(action)s"),
        "start": _("%(group)s started: %(action)s"),
        "done": _("%(group)s done: %(action)s"),
        "block": _("%(group)s blocked: %(action)s"),
    }[action] % {"group": current.group.name, "action": current.action[:120]}
    if action == "block":
        summary += _(" (reason: %(reason)s)") % {"reason": current.blocked_reason[:100]}
    timeline.record(
        current.incident,
        kind.get(action, "task.blocked"),
        summary,
        actor=actor,
        data={"task": current.pk, "state": current.state, "group": current.group_id},
        is_drill=current.incident.is_drill,
    )
    return current


@transaction.atomic
def add_note(
    task: Task,
    text: str,
    *,
    actor: Actor,
    written_at: datetime | None = None,
    client_key: str = "",
    photo: tuple[str, bytes] | None = None,
) -> TaskNote:
    """Progress from the field. A note sent again after the connection came back (same
    ``client_key``) is the same note, not a second one."""
    current = _locked_task(task, actor)
    key = client_key.strip()[:64]
    if key:
        existing = TaskNote.objects.filter(task=current, client_key=key).first()
        if existing is not None:
            return existing
    now = timezone.now()
    errors: Errors = {}
    if not text.strip() and photo is None:
        errors["text"] = [_("Write what happened, or add a photo.")]
    written = written_at or now
    if timezone.is_naive(written):
        written = timezone.make_aware(written, clock.office_zone())
    if written > now + CLOCK_SKEW:
        errors["written_at"] = [_("This time is in the future.")]
    if photo is not None:
        _name, content = photo
        if not content or len(content) > 10 * 1024 * 1024:
            errors["photo"] = [_("A photo must be between 1 byte and 10 MB.")]
        elif not (content[:3] == b"\xff\xd8\xff" or content[:8] == b"\x89PNG\r\n\x1a\n"):
            errors["photo"] = [_("Send a JPEG or PNG photo.")]
    if errors:
        raise ValidationError(errors)
    stored = None
    if photo is not None:
        from yingji.documents import services as documents

        extension = "png" if photo[1][:4] == b"\x89PNG" else "jpg"
        stored = documents.keep(
            current,
            kind="incident.photo",
            title=photo[0][:200] or _("Photo"),
            content=photo[1],
            extension=extension,
            actor=actor,
        )
    note = TaskNote.objects.create(
        task=current,
        text=text.strip(),
        photo=stored,
        author=actor.user,
        written_at=written,
        client_key=key,
    )
    timeline.record(
        current.incident,
        "task.note",
        "{}：{}".format(current.group.name, note.text[:200] or _("Photo")),
        actor=actor,
        happened_at=written,
        data={"task": current.pk, "note": note.pk, "photo": stored.pk if stored else None},
        is_drill=current.incident.is_drill,
    )
    return note


def tasks_for(user: User) -> models.QuerySet[Task]:
    """My tasks: those of the groups I lead or serve in, in running responses."""
    return (
        Task.objects.filter(
            models.Q(group__lead=user) | models.Q(group__members=user),
            incident__stage__in=(Incident.Stage.RESPONDING, Incident.Stage.RECOVERY),
        )
        .select_related("incident", "group")
        .distinct()
        .order_by("state", "due_at", "pk")
    )


# --- public information (信息发布) ----------------------------------------------------------


@transaction.atomic
def release(
    incident: Incident, text: str, *, actor: Actor, corrects: Release | None = None
) -> Release:
    """Publish approved information on the incident's public page. History is never edited:
    a correction is a new release that names the one it corrects."""
    _may(
        actor,
        "incidents.release_information",
        _("Only a leader on duty may approve public information."),
        incident=incident,
    )
    errors: Errors = {}
    if not text.strip():
        errors["text"] = [_("Write the text to release.")]
    if corrects is not None and corrects.incident_id != incident.pk:
        errors["corrects"] = [_("Choose a release of this incident.")]
    if errors:
        raise ValidationError(errors)
    assert actor.user is not None
    item = Release.objects.create(
        incident=incident,
        text=text.strip(),
        released_at=timezone.now(),
        approved_by=actor.user,
        corrects=corrects,
    )
    audit.record(actor=actor, action="incidents.release", obj=item, after={"text": item.text})
    timeline.record(
        incident,
        "release.published",
        (_("Correction released: %(text)s") if corrects else _("Released: %(text)s"))
        % {"text": item.text[:200]},
        actor=actor,
        data={"release": item.pk, "corrects": corrects.pk if corrects else None},
        is_drill=incident.is_drill,
    )
    return item


# --- resource requests (until the resources app takes them over) -------------------------


@transaction.atomic
def request_resources(
    incident: Incident, data: Mapping[str, Any], *, actor: Actor
) -> ResourceRequest:
    errors: Errors = {}
    what = _text(data, "what")
    if not what:
        errors["what"] = [_("This field is required.")]
    quantity = _decimal(data, "quantity", errors, 0, 10**9)
    if quantity is None and "quantity" not in errors:
        errors["quantity"] = [_("This field is required.")]
    elif quantity is not None and quantity <= 0:
        errors["quantity"] = [_("Enter a quantity above zero.")]
    if not incident.is_open:
        errors["stage"] = [_("The response has ended.")]
    if errors:
        raise ValidationError(errors)
    assert quantity is not None
    item = ResourceRequest.objects.create(
        incident=incident,
        what=what[:120],
        quantity=quantity,
        measure=_text(data, "measure")[:20],
        note=_text(data, "note")[:300],
        requested_by=actor.user,
    )
    timeline.record(
        incident,
        "request.created",
        _("Requested: %(what)s × %(quantity)s %(measure)s")
        % {
            "what": item.what,
            "quantity": format(item.quantity.normalize(), "f"),
            "measure": item.measure,
        },
        actor=actor,
        data={"request": item.pk},
        is_drill=incident.is_drill,
    )
    return item


@transaction.atomic
def decide_request(item: ResourceRequest, state: str, *, actor: Actor) -> ResourceRequest:
    current = (
        ResourceRequest.objects.select_for_update().select_related("incident__unit").get(pk=item.pk)
    )
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty decides requests."),
        incident=current.incident,
    )
    allowed = {
        ResourceRequest.State.REQUESTED: (
            ResourceRequest.State.APPROVED,
            ResourceRequest.State.REFUSED,
        ),
        ResourceRequest.State.APPROVED: (ResourceRequest.State.DELIVERED,),
    }
    if state not in allowed.get(ResourceRequest.State(current.state), ()):
        raise ValidationError({"state": [_("This request cannot be moved this way.")]})
    current.state = state
    current.decided_by = actor.user
    current.decided_at = timezone.now()
    current.save()
    timeline.record(
        current.incident,
        "request.decided",
        f"{current.what}：{current.get_state_display()}",
        actor=actor,
        data={"request": current.pk, "state": state},
        is_drill=current.incident.is_drill,
    )
    return current


def resources_issued(item: ResourceRequest, *, lot: Any, quantity: Decimal, actor: Actor) -> None:
    """The resources app issued stock for a request (or, in a drill, would have): the
    request is delivered and the board's timeline says from where."""
    incident = item.incident
    item.state = ResourceRequest.State.DELIVERED
    item.save(update_fields=["state"])
    text = _("%(what)s × %(quantity)s %(measure)s issued from %(warehouse)s") % {
        "what": lot.item.name,
        "quantity": format(quantity.normalize(), "f"),
        "measure": lot.item.measure,
        "warehouse": lot.warehouse.name,
    }
    if incident.is_drill:
        text = _("Drill: %(text)s (no real stock moved)") % {"text": text}
    timeline.record(
        incident,
        "request.decided",
        text,
        actor=actor,
        data={"request": item.pk, "state": item.state, "lot": lot.pk},
        is_drill=incident.is_drill,
    )


# --- end of response, recovery, closing -----------------------------------------------------


def open_tasks(incident: Incident) -> models.QuerySet[Task]:
    return incident.tasks.exclude(state=Task.State.DONE).select_related("group")


@transaction.atomic
def end_response(incident: Incident, *, actor: Actor, confirm_open: bool = False) -> Incident:
    """The commander ends the response (应急结束) after seeing the open tasks. Recovery
    tasks come from the plan's recovery phase; the final report's deadline starts."""
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty may end a response."),
        incident=incident,
    )
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    if current.stage != Incident.Stage.RESPONDING:
        raise ValidationError({"stage": [_("Only a running response can be ended.")]})
    still_open = list(open_tasks(current).exclude(phase=Task.Phase.RECOVERY))
    if still_open and not confirm_open:
        raise ValidationError(
            {
                "confirm_open": [
                    _("%(n)d tasks are still open. Confirm to end the response anyway.")
                    % {"n": len(still_open)}
                ]
            }
        )
    now = timezone.now()
    for task in still_open:
        deadline = clock.open_deadline(task, "incident.task")
        if deadline is not None:
            clock.cancel(deadline, actor=actor, reason=_("The response ended."))
    command = Command.objects.get(incident=current)
    versions = [command.plan_version, *command.linked_versions.all()]
    recovery: list[Task] = []
    for version in versions:
        level = version.levels.filter(level=current.level or 4).first() or version.levels.first()
        if level is None:
            continue
        groups = {g.plan_group_id: g for g in current.groups.filter(plan_group__version=version)}
        steps = list(level.steps.filter(phase=Step.Phase.RECOVERY).order_by("sort", "pk"))
        recovery += _make_tasks(
            current,
            steps,
            {k: v for k, v in groups.items() if k is not None},
            start=now,
            actor=actor,
        )
    before = audit.snapshot(current, AUDITED)
    current.stage = Incident.Stage.RECOVERY
    current.ended_at = now
    current.controlled_at = current.controlled_at or now
    current.save()
    audit.record_update(actor=actor, action="incidents.incident.end", obj=current, before=before)
    timeline.record(
        current,
        "incident.ended",
        _("Response ended; %(open)d tasks left open, %(recovery)d recovery tasks")
        % {"open": len(still_open), "recovery": len(recovery)},
        actor=actor,
        data={"open_tasks": [t.pk for t in still_open]},
        is_drill=current.is_drill,
    )
    for deadline in clock.open_deadlines(current, "incident.followup_report"):
        clock.cancel(
            deadline, actor=actor, reason=_("The response ended; the final report follows.")
        )
    clock.start(
        current,
        "incident.final_report",
        actor=actor,
        unit=current.unit,
        started_at=now,
        responsible=actor.user,
        is_drill=current.is_drill,
    )
    if recovery:
        _tell_leads(current, list(current.groups.all()), recovery)
    return current


@transaction.atomic
def close(incident: Incident, *, actor: Actor) -> Incident:
    """Close the incident once the final report is sent and the review is written."""
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty may close an incident."),
        incident=incident,
    )
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    errors: Errors = {}
    if current.stage != Incident.Stage.RECOVERY:
        errors["stage"] = [_("End the response first.")]
    elif not current.reports.filter(stage=Report.Stage.FINAL, state=Report.State.SUBMITTED):
        errors["stage"] = [_("Submit the final report first.")]
    if errors:
        raise ValidationError(errors)
    current.stage = Incident.Stage.CLOSED
    current.closed_at = timezone.now()
    current.save()
    timeline.record(current, "incident.closed", _("Closed"), actor=actor, is_drill=current.is_drill)
    return current


# --- after-action draft (评估总结) -----------------------------------------------------------


@dataclass
class Interval:
    label: str
    start: datetime | None
    end: datetime | None

    @property
    def length(self) -> timedelta | None:
        if self.start is None or self.end is None:
            return None
        return self.end - self.start


@dataclass
class StepTiming:
    label: str
    due_at: datetime | None
    done_at: datetime | None
    state: str

    @property
    def late_by(self) -> timedelta | None:
        if self.due_at is None:
            return None
        end = self.done_at or timezone.now()
        return end - self.due_at if end > self.due_at else None


@dataclass
class Review:
    incident: Incident
    intervals: list[Interval]
    steps: list[StepTiming]
    missed: list[Deadline]
    sections: AfterAction


def _was_missed(deadline: Deadline) -> bool:
    """Overdue now, or met only after it was due."""
    if deadline.state == Deadline.State.MISSED:
        return True
    return deadline.met_at is not None and deadline.met_at > deadline.due_at


def _reports_sent(incident: Incident) -> datetime | None:
    first = incident.reports.filter(stage=Report.Stage.FIRST, state=Report.State.SUBMITTED).first()
    return first.submitted_at if first else None


def review(incident: Incident) -> Review:
    """The computed part of the after-action review, and the team's sections (prefilled
    the first time from what the record shows)."""
    marks = [
        (pgettext("interval", "Happened"), incident.happened_at),
        (pgettext("interval", "Reported"), incident.reported_at),
        (pgettext("interval", "Graded"), incident.graded_at),
        (pgettext("interval", "Activated"), incident.activated_at),
        (pgettext("interval", "First on site"), incident.first_on_site_at),
        (pgettext("interval", "Under control"), incident.controlled_at),
        (pgettext("interval", "Response ended"), incident.ended_at),
    ]
    intervals = [Interval(f"{a[0]} → {b[0]}", a[1], b[1]) for a, b in itertools.pairwise(marks)]
    intervals.append(
        Interval(_("Reported → first report sent"), incident.reported_at, _reports_sent(incident))
    )
    steps = [
        StepTiming(f"{t.group.name}：{t.action[:60]}", t.due_at, t.done_at, t.get_state_display())
        for t in incident.tasks.select_related("group").order_by("sort", "pk")
    ]
    missed = [d for d in clock.deadlines_for(incident) if _was_missed(d)]
    for task in incident.tasks.all():
        missed += [d for d in clock.deadlines_for(task) if _was_missed(d)]
    sections = AfterAction.objects.filter(incident=incident).first()
    if sections is None:
        sections = AfterAction(incident=incident, **_prefilled(incident, steps, missed))
    return Review(incident, intervals, steps, missed, sections)


def _prefilled(
    incident: Incident, steps: list[StepTiming], missed: list[Deadline]
) -> dict[str, str]:
    done = [s for s in steps if s.done_at is not None]
    on_time = [s for s in done if s.late_by is None]
    results = [
        _("%(done)d of %(all)d tasks done, %(on_time)d of them on time.")
        % {"done": len(done), "all": len(steps), "on_time": len(on_time)}
    ]
    if incident.ended_at and incident.activated_at:
        hours = (incident.ended_at - incident.activated_at).total_seconds() / 3600
        results.append(_("The response lasted %(hours).1f hours.") % {"hours": hours})
    problems = [
        _("Missed: %(kind)s, due %(due)s.")
        % {
            "kind": kinds.get(d.kind).label,
            "due": timezone.localtime(d.due_at, clock.office_zone()).strftime("%Y-%m-%d %H:%M"),
        }
        for d in missed
    ]
    problems += [_("Late: %(step)s.") % {"step": s.label} for s in steps if s.done_at and s.late_by]
    problems += [_("Not done: %(step)s.") % {"step": s.label} for s in steps if s.done_at is None]
    return {
        "results": "\n".join(results),
        "problems": "\n".join(problems),
        "improvements": "",
    }


@transaction.atomic
def save_review(incident: Incident, data: Mapping[str, Any], *, actor: Actor) -> AfterAction:
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty edits the review."),
        incident=incident,
    )
    if incident.ended_at is None:
        raise ValidationError({"stage": [_("The review follows the end of response.")]})
    sections, _created = AfterAction.objects.get_or_create(incident=incident)
    for name in ("results", "problems", "improvements"):
        if name in data:
            setattr(sections, name, _text(data, name))
    sections.updated_by = actor.user
    sections.save()
    audit.record(actor=actor, action="incidents.review.save", obj=sections)
    return sections


# --- the groups' people ---------------------------------------------------------------------


@transaction.atomic
def set_group_people(
    group: TeamGroup, *, lead: User | None, members: Sequence[User], actor: Actor
) -> TeamGroup:
    """The commander names a group's lead and members when the plan's posts do not (a
    position nobody holds in the directory) or the day needs others."""
    current = (
        TeamGroup.objects.select_for_update().select_related("incident__unit").get(pk=group.pk)
    )
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty may change a group."),
        incident=current.incident,
    )
    assert actor.user is not None
    # A commander staffs groups from anyone in the directory of their area.
    visible = Unit.objects.visible_to(actor.user)
    errors: Errors = {}
    if not current.incident.is_open and current.incident.stage != Incident.Stage.RECOVERY:
        errors["group"] = [_("The incident is closed.")]
    people = [*members, *([lead] if lead else [])]
    if any(
        not u.is_active or u.unit_id is None or not visible.filter(pk=u.unit_id).exists()
        for u in people
    ):
        errors["members"] = [_("Choose people you can see in the directory.")]
    if errors:
        raise ValidationError(errors)
    before = {
        "lead": current.lead_id,
        "members": sorted(current.members.values_list("pk", flat=True)),
    }
    current.lead = lead
    current.save(update_fields=["lead"])
    current.members.set({u.pk for u in people})
    after = {"lead": current.lead_id, "members": sorted(u.pk for u in set(people))}
    audit.record(
        actor=actor, action="incidents.group.people", obj=current, before=before, after=after
    )
    timeline.record(
        current.incident,
        "incident.group",
        _("%(group)s: lead %(lead)s, %(n)d members")
        % {
            "group": current.name,
            "lead": lead.display_name if lead else "—",
            "n": len(set(people)),
        },
        actor=actor,
        data={"group": current.pk},
        is_drill=current.incident.is_drill,
    )
    if lead is not None and lead.pk != before["lead"]:
        open_tasks_of_group = list(current.tasks.exclude(state=Task.State.DONE))
        for task in open_tasks_of_group:
            deadline = clock.open_deadline(task, "incident.task")
            if deadline is not None:
                clock.assign_person(deadline, actor=actor, user=lead)
        _tell_leads(current.incident, [current], open_tasks_of_group)
    return current
