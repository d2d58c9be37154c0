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


@transaction.atomic
def add_team(data: Mapping[str, Any], *, unit: Unit, actor: Actor) -> Team:
    require(actor, "resources.keep_teams", _("Only storekeepers and plan managers keep teams."))
    require_area(actor, unit)
    errors: Errors = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    size_raw = str(data.get("size") or "").strip()
    size = int(size_raw) if size_raw.isdecimal() else 0
    if not 1 <= size <= fields.MAX_COUNT:  # past it the PositiveIntegerField overflows
        errors["size"] = [_("Enter the number of members: one or more.")]
    readiness = str(data.get("readiness") or Team.Readiness.READY)
    if readiness not in Team.Readiness.values:
        errors["readiness"] = [_("Choose from the list.")]
    if errors:
        raise ValidationError(errors)
    contact = _contact(str(data.get("contact_name") or ""), str(data.get("contact_phone") or ""))
    team = Team.objects.create(
        name=name[:80],
        unit=unit,
        size=size,
        skills=str(data.get("skills") or "").strip()[:200],
        readiness=readiness,
        contact_name_enc=contact["name_enc"],
        contact_name_masked=contact["name_masked"],
        contact_phone_enc=contact["phone_enc"],
        contact_phone_masked=contact["phone_masked"],
    )
    audit.record(actor=actor, action="resources.team.add", obj=team, after={"name": team.name})
    return team


@transaction.atomic
def add_expert(data: Mapping[str, Any], *, unit: Unit, actor: Actor) -> Expert:
    require(actor, "resources.keep_teams", _("Only storekeepers and plan managers keep experts."))
    require_area(actor, unit)
    errors: Errors = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    field = str(data.get("field") or "")
    if field not in dict(Expert.FIELDS):
        errors["field"] = [_("Choose a field from the list.")]
    if errors:
        raise ValidationError(errors)
    contact = _contact(name, str(data.get("phone") or ""))
    expert = Expert.objects.create(
        name_enc=contact["name_enc"],
        name_masked=contact["name_masked"],
        phone_enc=contact["phone_enc"],
        phone_masked=contact["phone_masked"],
        field=field,
        title=str(data.get("title") or "").strip()[:80],
        unit=unit,
        is_available=bool(data.get("is_available", True)),
    )
    audit.record(actor=actor, action="resources.expert.add", obj=expert, after={"field": field})
    return expert


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
