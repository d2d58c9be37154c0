"""Warnings (预警): drafted by a duty officer or the bureau, submitted, and issued (签发)
by a leader acting for the issuing unit; adjusted (调整) or lifted (解除) by a new message
that references the previous one, so no issued message is ever edited.

Issuing opens the warning period on the incident engine (the plans' warning-phase steps
as tasks), an adjustment changes it, a lift or the expiry ends it; the duty of every unit
in the area, and of the unit above the issuer (第六十四条: reported upward), is told.
A drill's warning (演练) is marked as drills are and sends nothing outside.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.incidents.models import Incident
from yingji.incidents.services import warning_phase
from yingji.notify import escalation
from yingji.notify import services as notify
from yingji.org import jurisdiction, lines, tree
from yingji.org.models import Unit
from yingji.timeline import services as timeline
from yingji.warnings import cap, publication
from yingji.warnings.models import WarningMessage
from yingji.warnings.services import alert_checks

Errors = dict[str, list[str]]
State = WarningMessage.State
MsgType = WarningMessage.MsgType
FIELDS = (
    "event_type",
    "level",
    "region_codes",
    "polygon",
    "area_description",
    "headline",
    "description",
    "instruction",
    "headline_en",
    "description_en",
    "instruction_en",
    "effective_at",
    "expires_at",
)
AUDITED = ("state", "level", "region_codes", "headline", "expires_at", "note")
OPEN = (State.DRAFT, State.SUBMITTED)


# --- who ------------------------------------------------------------------------------


def visible_warnings(user: User) -> QuerySet[WarningMessage]:
    """The messages of the units the user acts for or oversees in emergency work, and
    the issued ones of the units above whose area names a place in the user's
    jurisdiction (a draft stays its unit's, and the levels above it, until it is issued)."""
    if (
        not user.is_authenticated
        or not user.is_active
        or not user.has_perm("warnings.view_warning")
    ):
        return WarningMessage.objects.none()
    j = jurisdiction.of(user)
    if j.everything:
        return WarningMessage.objects.all()
    area = Unit.objects.visible_to(user, lines.EMERGENCY)
    mine = Q(unit__in=area) | Q(unit__in=Unit.objects.acting_for(user, lines.EMERGENCY))
    root = j.area_root(lines.EMERGENCY)
    if root is not None:
        # Only the units above (and the offices acting for them) issue for places here
        # from outside the area; the area is kept as division codes.
        above: list[int] = []
        for unit in Unit.objects.filter(path__in=tree.ancestor_paths(root)):
            above += jurisdiction.offices_acting_as(unit, lines.EMERGENCY)
        codes = set(
            area.filter(kind=Unit.Kind.REGION).exclude(code="").values_list("code", flat=True)
        )
        ids = [
            pk
            for pk, held in WarningMessage.objects.filter(
                unit_id__in=above, state=State.ISSUED
            ).values_list("pk", "region_codes")
            if codes.intersection(held or [])
        ]
        mine |= Q(pk__in=ids)
    return WarningMessage.objects.filter(mine)


def acts_for(user: User | None, unit: Unit) -> bool:
    return user is not None and jurisdiction.acts_as(user, unit, lines.EMERGENCY)


def may_draft(user: User | None, unit: Unit) -> bool:
    return user is not None and user.has_perm("warnings.draft_warning") and acts_for(user, unit)


def may_issue(user: User | None, message: WarningMessage) -> bool:
    """A leader of the issuing unit signs (签发), or a leader of an office above it in
    emergency work (上级审核签发: a city bureau's leader for a district bureau's warning);
    the message stays the issuing unit's, and only that unit adjusts or lifts it."""
    return signs_for(user, message.unit) and message.state in OPEN


def signs_for(user: User | None, unit: Unit) -> bool:
    """Whether ``user`` may sign the warnings of ``unit`` (see may_issue)."""
    return (
        user is not None
        and user.has_perm("warnings.issue_warning")
        and (acts_for(user, unit) or jurisdiction.oversees(user, unit, lines.EMERGENCY))
    )


def may_change(user: User | None, message: WarningMessage) -> bool:
    """The draft's drafter, or anyone who may draft for its unit, while it is a draft."""
    return message.state == State.DRAFT and may_draft(user, message.unit)


def may_withdraw(user: User | None, message: WarningMessage) -> bool:
    if message.state not in OPEN or user is None:
        return False
    return message.drafted_by_id == user.pk or may_issue(user, message)


def may_return(user: User | None, message: WarningMessage) -> bool:
    return message.state == State.SUBMITTED and may_issue(user, message)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


# --- chains ---------------------------------------------------------------------------


def chain_of(message: WarningMessage) -> QuerySet[WarningMessage]:
    """Every message of the message's chain, oldest first."""
    first = message.chain_id or message.pk
    return WarningMessage.objects.filter(Q(pk=first) | Q(chain_id=first)).order_by(
        "created_at", "pk"
    )


def newest_issued(message: WarningMessage) -> WarningMessage | None:
    return chain_of(message).filter(state=State.ISSUED).order_by("-issued_at", "-pk").first()


def in_force(message: WarningMessage) -> bool:
    return publication.in_force(message)


# --- drafting -------------------------------------------------------------------------


def _write(message: WarningMessage, clean: Mapping[str, Any]) -> None:
    for name in FIELDS:
        setattr(message, name, clean[name])


def _summary(message: WarningMessage) -> str:
    return f"{message.get_level_display()} {message.headline}"


@transaction.atomic
def draft(
    data: Mapping[str, Any], *, actor: Actor, unit: Unit, is_drill: bool = False
) -> WarningMessage:
    """A new warning's draft (an Alert) for ``unit``."""
    _require(may_draft(actor.user, unit))
    errors: Errors = {}
    clean = alert_checks.clean(data, unit=unit, errors=errors)
    if errors:
        raise ValidationError(errors)
    return _create(clean, actor=actor, unit=unit, is_drill=is_drill)


def _create(
    clean: Mapping[str, Any],
    *,
    actor: Actor,
    unit: Unit,
    is_drill: bool,
    msg_type: str = MsgType.ALERT,
    previous: WarningMessage | None = None,
    note: str = "",
) -> WarningMessage:
    message = WarningMessage(
        unit=unit,
        is_drill=is_drill,
        msg_type=msg_type,
        references=previous,
        chain=(previous.chain or previous) if previous is not None else None,
        note=note,
        drafted_by=actor.user,
    )
    _write(message, clean)
    message.save()
    if message.chain_id is None:
        message.chain = message
        message.save(update_fields=["chain"])
    audit.record(
        actor=actor,
        action="warnings.warning.draft",
        obj=message,
        after=audit.snapshot(message, AUDITED),
    )
    timeline.record(
        message,
        "warning.drafted",
        _("%(type)s drafted: %(summary)s")
        % {"type": message.get_msg_type_display(), "summary": _summary(message)},
        actor=actor,
        is_drill=message.is_drill,
    )
    return message


def _locked(message: WarningMessage) -> WarningMessage:
    return WarningMessage.objects.select_for_update().get(pk=message.pk)


@transaction.atomic
def change_draft(
    message: WarningMessage, data: Mapping[str, Any], *, actor: Actor
) -> WarningMessage:
    """Change a draft; keys not in ``data`` keep their values."""
    current = _locked(message)
    _require(may_draft(actor.user, current.unit))
    if current.state != State.DRAFT:
        raise _refuse("state", _("Only a draft can be changed."))
    merged = {**alert_checks.form_data(current), **data}
    errors: Errors = {}
    clean = alert_checks.clean(merged, unit=current.unit, errors=errors)
    note = current.note
    if current.msg_type != MsgType.ALERT and "note" in data:
        note = _note(data, errors)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(current, AUDITED)
    _write(current, clean)
    current.note = note
    current.save()
    audit.record_update(actor=actor, action="warnings.warning.change", obj=current, before=before)
    return current


def _leaders(unit: Unit) -> list[User]:
    """The leaders acting for the unit in emergency work (who may sign its warnings), else
    those of the offices above it."""
    root = jurisdiction.area_root_of(unit, lines.EMERGENCY)
    found = (
        User.objects.filter(
            is_active=True,
            role_grants__role=Role.DUTY_LEADER,
            unit__path__gte=root,
            unit__path__lt=tree.successor(root),
        )
        .distinct()
        .order_by("pk")[:50]
    )
    acting = [u for u in found if jurisdiction.acts_as(u, unit, lines.EMERGENCY)]
    if acting:
        return acting
    # No leader of its own has an account: the leaders of the offices above sign.
    above = User.objects.filter(is_active=True, role_grants__role=Role.DUTY_LEADER).distinct()
    return [
        u for u in above.order_by("pk")[:200] if jurisdiction.oversees(u, unit, lines.EMERGENCY)
    ][:50]


@transaction.atomic
def submit(message: WarningMessage, *, actor: Actor) -> WarningMessage:
    """The draft goes to the unit's leaders for signing (签发)."""
    current = _locked(message)
    _require(may_draft(actor.user, current.unit))
    if current.state != State.DRAFT:
        raise _refuse("state", _("Only a draft can be submitted."))
    before = audit.snapshot(current, AUDITED)
    current.state = State.SUBMITTED
    current.submitted_at = timezone.now()
    current.returned_reason = ""
    current.save(update_fields=["state", "submitted_at", "returned_reason", "updated_at"])
    audit.record_update(actor=actor, action="warnings.warning.submit", obj=current, before=before)
    timeline.record(
        current,
        "warning.submitted",
        _("Submitted for signing: %(summary)s") % {"summary": _summary(current)},
        actor=actor,
        is_drill=current.is_drill,
    )
    for leader in _leaders(current.unit):
        if leader.pk == getattr(actor.user, "pk", None):
            continue
        notify.notify(
            leader,
            "warning.submitted",
            _("A warning awaits your signature: %(summary)s") % {"summary": _summary(current)},
            _("Drafted by %(who)s for %(unit)s.")
            % {"who": actor.display, "unit": current.unit.name},
            subject=current,
            urgent=True,
            is_drill=current.is_drill,
        )
    return current


@transaction.atomic
def return_to_drafter(message: WarningMessage, reason: str, *, actor: Actor) -> WarningMessage:
    """A leader sends the submitted draft back with the reason."""
    current = _locked(message)
    _require(may_issue(actor.user, current))
    if current.state != State.SUBMITTED:
        raise _refuse("state", _("Only a submitted draft can be returned."))
    errors: Errors = {}
    text = _reason({"reason": reason}, "reason", errors)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(current, [*AUDITED, "returned_reason"])
    current.state = State.DRAFT
    current.returned_reason = text
    current.save(update_fields=["state", "returned_reason", "updated_at"])
    audit.record_update(actor=actor, action="warnings.warning.return", obj=current, before=before)
    timeline.record(
        current,
        "warning.returned",
        _("Returned to its drafter: %(reason)s") % {"reason": text},
        actor=actor,
        is_drill=current.is_drill,
    )
    if current.drafted_by is not None and current.drafted_by.is_active:
        notify.notify(
            current.drafted_by,
            "warning.returned",
            _("Your warning draft was returned: %(headline)s") % {"headline": current.headline},
            text,
            subject=current,
            is_drill=current.is_drill,
        )
    return current


@transaction.atomic
def withdraw(message: WarningMessage, *, actor: Actor) -> WarningMessage:
    current = _locked(message)
    _require(may_withdraw(actor.user, current))
    before = audit.snapshot(current, AUDITED)
    current.state = State.WITHDRAWN
    current.save(update_fields=["state", "updated_at"])
    audit.record_update(actor=actor, action="warnings.warning.withdraw", obj=current, before=before)
    return current


def _reason(data: Mapping[str, Any], name: str, errors: Errors) -> str:
    from yingji import fields

    return fields.read_text(data, name, errors, most=500)


def _note(data: Mapping[str, Any], errors: Errors) -> str:
    return _reason(data, "note", errors)


# --- adjusting and lifting ------------------------------------------------------------


def _follower_checks(previous: WarningMessage, actor: Actor, errors: Errors) -> None:
    if not acts_for(actor.user, previous.unit):
        errors["unit"] = [_("Only the unit that issued the warning may adjust it.")]
    if previous.state != State.ISSUED or not in_force(previous):
        errors["warning"] = [_("Only a warning in force can be adjusted or lifted.")]


def _follower_defaults(previous: WarningMessage) -> dict[str, Any]:
    defaults = alert_checks.form_data(previous)
    # The new message takes effect when it is issued unless it says otherwise.
    defaults["effective_at"] = None
    return defaults


@transaction.atomic
def draft_adjustment(
    previous: WarningMessage, data: Mapping[str, Any], *, actor: Actor
) -> WarningMessage:
    """An Update of a warning in force: level, area, texts or times changed, with the
    reason; it references the previous message."""
    _require(actor.user is not None and actor.user.has_perm("warnings.draft_warning"))
    errors: Errors = {}
    _follower_checks(previous, actor, errors)
    clean = alert_checks.clean(
        {**_follower_defaults(previous), **data}, unit=previous.unit, errors=errors
    )
    note = _note(data, errors)
    if errors:
        raise ValidationError(errors)
    return _create(
        clean,
        actor=actor,
        unit=previous.unit,
        is_drill=previous.is_drill,
        msg_type=MsgType.UPDATE,
        previous=previous,
        note=note,
    )


@transaction.atomic
def draft_lift(
    previous: WarningMessage, data: Mapping[str, Any], *, actor: Actor
) -> WarningMessage:
    """A Cancel (解除) of a warning in force, with the reason; the rest is copied."""
    _require(actor.user is not None and actor.user.has_perm("warnings.draft_warning"))
    errors: Errors = {}
    if not acts_for(actor.user, previous.unit):
        errors["unit"] = [_("Only the unit that issued the warning may lift it.")]
    if previous.state != State.ISSUED or not in_force(previous):
        errors["warning"] = [_("Only a warning in force can be lifted.")]
    note = _note(data, errors)
    texts = {k: data[k] for k in ("headline", "description", "instruction") if data.get(k)}
    clean = alert_checks.clean(
        {**_follower_defaults(previous), **texts}, unit=previous.unit, errors=errors
    )
    if errors:
        raise ValidationError(errors)
    return _create(
        clean,
        actor=actor,
        unit=previous.unit,
        is_drill=previous.is_drill,
        msg_type=MsgType.CANCEL,
        previous=previous,
        note=note,
    )


# --- issuing --------------------------------------------------------------------------


def _places(codes: list[str]) -> str:
    names = []
    for code in codes:
        place = jurisdiction.place_unit(code)
        names.append(place.name if place is not None else code)
    return "、".join(names)[:200]


def _recipients(message: WarningMessage) -> list[Unit]:
    """The units in the area (each place's whole subtree) and the unit above the
    issuer (第六十四条: reported upward), each once."""
    found: dict[int, Unit] = {}
    for code in message.region_codes or []:
        place = jurisdiction.place_unit(code)
        if place is None:
            continue
        for unit in Unit.objects.subtree(place).filter(is_active=True).order_by("path")[:500]:
            found.setdefault(unit.pk, unit)
    # The level above the issuer's area (a county bureau's warning goes to the city).
    root = jurisdiction.area_root_of(message.unit, lines.EMERGENCY)
    parent = (
        Unit.objects.filter(path__in=tree.ancestor_paths(root), is_active=True)
        .order_by("-path")
        .first()
    )
    if parent is not None:
        found.setdefault(parent.pk, parent)
    return list(found.values())


def _tell_area(message: WarningMessage) -> None:
    words = {
        MsgType.ALERT: _("Warning issued"),
        MsgType.UPDATE: _("Warning adjusted"),
        MsgType.CANCEL: _("Warning lifted"),
    }[MsgType(message.msg_type)]
    title = f"{words} · {message.get_level_display()} · {message.headline}"
    body = _("%(unit)s: %(description)s\n\nArea: %(area)s\nUntil %(expires)s") % {
        "unit": message.unit.name,
        "description": message.description[:500],
        "area": message.area_description or _places(list(message.region_codes or [])),
        "expires": timezone.localtime(message.expires_at).strftime("%Y-%m-%d %H:%M"),
    }
    for unit in _recipients(message):
        escalation.notify_duty(
            unit,
            "warning.issued",
            title,
            body,
            subject=message,
            urgent=True,
            is_drill=message.is_drill,
            link=message.get_absolute_url(),
        )


def _first_of_chain(message: WarningMessage) -> WarningMessage:
    return WarningMessage.objects.select_for_update().get(pk=message.chain_id or message.pk)


def _engine(message: WarningMessage, *, actor: Actor) -> Incident | None:
    if message.msg_type == MsgType.ALERT:
        return warning_phase.open_period(
            unit=message.unit,
            event_type=message.event_type,
            title=message.headline,
            description=message.description,
            region_codes=list(message.region_codes or []),
            address=message.area_description or _places(list(message.region_codes or [])),
            level=message.level,
            issued_at=message.issued_at or timezone.now(),
            actor=actor,
            is_drill=message.is_drill,
        )
    previous = message.references
    operation = previous.operation if previous is not None else None
    if operation is None:
        return None
    if message.msg_type == MsgType.UPDATE:
        warning_phase.change_period(
            operation,
            event_type=message.event_type,
            region_codes=list(message.region_codes or []),
            level=message.level,
            actor=actor,
        )
    else:
        warning_phase.end_period(operation, actor=actor, reason=message.note or _("lifted"))
    return operation


@transaction.atomic
def issue(message: WarningMessage, *, actor: Actor) -> WarningMessage:
    """A leader signs and issues the message: its CAP identifier, the warning period on
    the incident engine, and the duty of every unit in the area told."""
    _first_of_chain(message)  # one issue at a time per chain: a concurrent lift wins
    current = _locked(message)
    _require(signs_for(actor.user, current.unit))
    if current.state not in OPEN:
        raise _refuse("state", _("Only a draft or a submitted warning can be issued."))
    if current.msg_type != MsgType.ALERT:
        previous = current.references
        if previous is None or newest_issued(previous) != previous or not in_force(previous):
            raise _refuse(
                "warning",
                _(
                    "The warning it follows is no longer in force or has been adjusted "
                    "since: draft it again from the current message."
                ),
            )
    before = audit.snapshot(current, AUDITED)
    now = timezone.now()
    current.state = State.ISSUED
    current.issued_at = now
    current.issued_by = actor.user
    current.save(update_fields=["state", "issued_at", "issued_by", "updated_at"])
    current.identifier = cap.identifier_for(current)
    current.operation = _engine(current, actor=actor)
    current.save(update_fields=["identifier", "operation", "updated_at"])
    audit.record_update(actor=actor, action="warnings.warning.issue", obj=current, before=before)
    code, words = {
        MsgType.ALERT: ("warning.issued", _("Issued: %(summary)s")),
        MsgType.UPDATE: ("warning.adjusted", _("Adjusted: %(summary)s (%(note)s)")),
        MsgType.CANCEL: ("warning.lifted", _("Lifted: %(summary)s (%(note)s)")),
    }[MsgType(current.msg_type)]
    timeline.record(
        current,
        code,
        words % {"summary": _summary(current), "note": current.note},
        actor=actor,
        data={"references": current.references_id, "operation": current.operation_id},
        is_drill=current.is_drill,
    )
    _tell_area(current)
    return current


# --- expiry ---------------------------------------------------------------------------


def expire_due(now: datetime | None = None) -> int:
    """End the warning period of each warning whose newest issued message has expired
    (not a lift); the number ended."""
    now = now or timezone.now()
    actor = Actor.system(_("Warning expiry"))
    candidates = (
        WarningMessage.objects.filter(
            state=State.ISSUED,
            expires_at__lte=now,
            operation__stage=Incident.Stage.WARNING,
        )
        .exclude(msg_type=MsgType.CANCEL)
        .order_by("pk")[:500]
    )
    ended = 0
    for message in candidates:
        with transaction.atomic():
            _first_of_chain(message)
            if newest_issued(message) != message:
                continue
            operation = message.operation
            if operation is None:
                continue
            warning_phase.end_period(operation, actor=actor, reason=_("expired"))
            audit.record(
                actor=actor,
                action="warnings.warning.expire",
                obj=message,
                after={"expires_at": message.expires_at.isoformat()},
            )
            timeline.record(
                message,
                "warning.expired",
                _("Expired: %(summary)s") % {"summary": _summary(message)},
                actor=actor,
                is_drill=message.is_drill,
            )
            ended += 1
    return ended
