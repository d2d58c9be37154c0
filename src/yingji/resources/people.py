"""Teams (应急队伍) and experts (专家库): kept by storekeepers and plan managers of the
owning unit. Contacts are personal data: encrypted at rest, masked on screen, and shown
only for an audited reason."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yingji import crypto, fields
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.org.models import Unit
from yingji.resources import services
from yingji.resources.models import Expert, Team
from yingji.resources.services import Errors, require, require_area


def _contact(name: str, phone: str) -> dict[str, str]:
    values = {"name_enc": "", "name_masked": "", "phone_enc": "", "phone_masked": ""}
    if name.strip():
        values["name_enc"] = crypto.encrypt(name.strip())
        values["name_masked"] = crypto.mask_name(name.strip())
    if phone.strip():
        values["phone_enc"] = crypto.encrypt(phone.strip())
        values["phone_masked"] = crypto.mask_phone(phone.strip())
    return values


def may_keep(actor: Actor, unit: Unit, message: str = "") -> None:
    """Storekeepers and plan managers keep the teams and experts of the units they act
    for (org.jurisdiction)."""
    require(
        actor,
        "resources.keep_teams",
        message or _("Only storekeepers and plan managers keep teams and experts."),
    )
    require_area(actor, unit)


def _text(given: Mapping[str, Any], name: str, limit: int) -> str:
    return str(given.get(name) or "").strip()[:limit]


def _team_values(data: Mapping[str, Any], errors: Errors, current: Team | None) -> dict[str, Any]:
    known = None
    if current is not None:
        known = {
            "name": current.name,
            "size": current.size,
            "skills": current.skills,
            "readiness": current.readiness,
        }
    given = services.merged(data, known)
    name = _text(given, "name", 80)
    if not name:
        errors["name"] = [_("This field is required.")]
    size_raw = str(given.get("size") or "").strip()
    size = int(size_raw) if size_raw.isdecimal() else 0
    if not 1 <= size <= fields.MAX_COUNT:  # past it the PositiveIntegerField overflows
        errors["size"] = [_("Enter the number of members: one or more.")]
    readiness = str(given.get("readiness") or Team.Readiness.READY)
    if readiness not in Team.Readiness.values:
        errors["readiness"] = [_("Choose from the list.")]
    values = {
        "name": name,
        "size": size,
        "skills": _text(given, "skills", 200),
        "readiness": readiness,
    }
    # A contact left blank on an edit stays as it was: the form never shows it in full.
    contact = _contact(_text(data, "contact_name", 50), _text(data, "contact_phone", 40))
    for part in ("name", "phone"):
        if current is None or contact[f"{part}_enc"]:
            values[f"contact_{part}_enc"] = contact[f"{part}_enc"]
            values[f"contact_{part}_masked"] = contact[f"{part}_masked"]
    return values


@transaction.atomic
def add_team(data: Mapping[str, Any], *, unit: Unit, actor: Actor) -> Team:
    may_keep(actor, unit, _("Only storekeepers and plan managers keep teams."))
    errors: Errors = {}
    values = _team_values(data, errors, None)
    if errors:
        raise ValidationError(errors)
    team = Team.objects.create(unit=unit, **values)
    audit.record(actor=actor, action="resources.team.add", obj=team, after={"name": team.name})
    return team


@transaction.atomic
def edit_team(team: Team, data: Mapping[str, Any], *, actor: Actor) -> Team:
    """Change a team; a field left out (or a contact left blank) keeps its value."""
    current = Team.objects.select_for_update(of=("self",)).select_related("unit").get(pk=team.pk)
    may_keep(actor, current.unit, _("Only storekeepers and plan managers keep teams."))
    errors: Errors = {}
    values = _team_values(data, errors, current)
    if errors:
        raise ValidationError(errors)
    services.update(current, values, actor=actor, action="resources.team.edit")
    return current


@transaction.atomic
def set_team_active(team: Team, active: bool, *, actor: Actor) -> Team:
    """Retire a team (it no longer counts for any plan's readiness) or take it back."""
    current = Team.objects.select_for_update(of=("self",)).select_related("unit").get(pk=team.pk)
    may_keep(actor, current.unit, _("Only storekeepers and plan managers keep teams."))
    action = "resources.team.reactivate" if active else "resources.team.retire"
    services.set_active(current, active, actor=actor, action=action)
    return current


def _expert_values(
    data: Mapping[str, Any], errors: Errors, current: Expert | None
) -> dict[str, Any]:
    known = None
    if current is not None:
        known = {
            "field": current.field,
            "title": current.title,
            "is_available": current.is_available,
        }
    given = services.merged(data, known)
    name = _text(data, "name", 50)
    if not name and current is None:
        errors["name"] = [_("This field is required.")]
    field = str(given.get("field") or "")
    if field not in dict(Expert.FIELDS):
        errors["field"] = [_("Choose a field from the list.")]
    values = {
        "field": field,
        "title": _text(given, "title", 80),
        "is_available": bool(given.get("is_available", True)),
    }
    # The name and phone left blank on an edit stay as they were (never shown in full).
    contact = _contact(name, _text(data, "phone", 40))
    for part in ("name", "phone"):
        if current is None or contact[f"{part}_enc"]:
            values[f"{part}_enc"] = contact[f"{part}_enc"]
            values[f"{part}_masked"] = contact[f"{part}_masked"]
    return values


@transaction.atomic
def add_expert(data: Mapping[str, Any], *, unit: Unit, actor: Actor) -> Expert:
    may_keep(actor, unit, _("Only storekeepers and plan managers keep experts."))
    errors: Errors = {}
    values = _expert_values(data, errors, None)
    if errors:
        raise ValidationError(errors)
    expert = Expert.objects.create(unit=unit, **values)
    audit.record(
        actor=actor, action="resources.expert.add", obj=expert, after={"field": expert.field}
    )
    return expert


@transaction.atomic
def edit_expert(expert: Expert, data: Mapping[str, Any], *, actor: Actor) -> Expert:
    """Change an expert; a field left out (or the name or phone left blank) keeps its
    value."""
    current = (
        Expert.objects.select_for_update(of=("self",)).select_related("unit").get(pk=expert.pk)
    )
    may_keep(actor, current.unit, _("Only storekeepers and plan managers keep experts."))
    errors: Errors = {}
    values = _expert_values(data, errors, current)
    if errors:
        raise ValidationError(errors)
    services.update(current, values, actor=actor, action="resources.expert.edit")
    return current


@transaction.atomic
def set_expert_active(expert: Expert, active: bool, *, actor: Actor) -> Expert:
    """Retire an expert from the pool (out of the lists and of readiness) or take them
    back."""
    current = (
        Expert.objects.select_for_update(of=("self",)).select_related("unit").get(pk=expert.pk)
    )
    may_keep(actor, current.unit, _("Only storekeepers and plan managers keep experts."))
    action = "resources.expert.reactivate" if active else "resources.expert.retire"
    services.set_active(current, active, actor=actor, action=action)
    return current


def reveal(subject: Team | Expert, *, actor: Actor, reason: str) -> dict[str, str]:
    """A team's contact or an expert's name and phone, for one audited look."""
    require(actor, "resources.reveal_contact", _("You may not see contacts."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why you need the contact.")]})
    if isinstance(subject, Team):
        values = {
            "name": crypto.decrypt(subject.contact_name_enc) if subject.contact_name_enc else "",
            "phone": crypto.decrypt(subject.contact_phone_enc) if subject.contact_phone_enc else "",
        }
    else:
        values = {
            "name": crypto.decrypt(subject.name_enc),
            "phone": crypto.decrypt(subject.phone_enc) if subject.phone_enc else "",
        }
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="resources.contact.reveal",
            obj=subject,
            fields=["name", "phone"],
            note=reason.strip(),
        )
    return values
