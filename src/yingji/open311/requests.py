"""Service requests: a petition filed through Open311, and what its system may read back.

A request becomes a petition through the same online intake as the public form
(petitions.services.online), so it meets the same rules. What is read back names the
case, its stage, who handles it and the statutory deadline, and nothing of the petitioner:
no name, contact, address or words of the petition.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from yingji import fields
from yingji.audit.services import Actor
from yingji.clock import kinds
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.open311 import catalogue
from yingji.open311.formats import moment
from yingji.open311.models import ApiKey, Filed
from yingji.org.models import Unit
from yingji.petitions.models import Petition
from yingji.petitions.services import online

# The stages where the office has finished, unless the petitioner asks for more.
CLOSED_STAGES = frozenset(
    {
        Petition.Stage.NOT_ACCEPTED,
        Petition.Stage.REFERRED,
        Petition.Stage.REPLIED,
        Petition.Stage.REVIEWED,
        Petition.Stage.FINAL,
        Petition.Stage.LINKED,
        Petition.Stage.CLOSED,
    }
)
# The office's own statutory deadlines, in the order a case meets them.
OFFICE_DEADLINES = (
    "petition.acceptance_notice",
    "petition.handling",
    "petition.review_decision",
    "petition.recheck_decision",
)
# The petitioner's: what they may still ask for.
PETITIONER_DEADLINES = ("petition.review_request", "petition.recheck_request")
# Open311's default and widest window for listing requests.
WINDOW = timedelta(days=90)
MAX_LISTED = 1000
# The specification's limit for a description.
MAX_DESCRIPTION = 4000


class Refused(Exception):
    """A request the specification answers with an error: its status and messages."""

    def __init__(self, status: int, messages: list[str]) -> None:
        super().__init__(messages)
        self.status = status
        self.messages = messages


def _one(params: Mapping[str, list[str]], name: str) -> str:
    values = params.get(name) or [""]
    return values[0]


def _text(
    params: Mapping[str, list[str]], name: str, most: int, problems: list[str], label: str = ""
) -> str:
    value = _one(params, name).strip()
    if len(value) > most:
        problems.append(f"{label or name}: " + _("Enter at most %(n)s characters.") % {"n": most})
    elif fields.has_control(value.replace("\n", "").replace("\r", "").replace("\t", "")):
        problems.append(f"{label or name}: {fields.control_message()}")
    return value


def jurisdiction(params: Mapping[str, list[str]], *, required: bool) -> Unit | None:
    code = _one(params, "jurisdiction_id").strip()
    if not code:
        if required:
            raise Refused(400, [_("jurisdiction_id: give the division code of the office.")])
        return None
    office = online.office_by_code(code[:12])
    if office is None:
        raise Refused(404, [_("jurisdiction_id: no office has this division code.")])
    return office


def _coordinate(raw: str, name: str, bound: float, problems: list[str]) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > bound:
        problems.append(f"{name}: " + _("Enter a number from -%(n)s to %(n)s.") % {"n": bound})
        return None
    return value


def _place(params: Mapping[str, list[str]], problems: list[str]) -> str:
    """The location the specification asks for, as the petition's place."""
    address = _text(params, "address_string", 200, problems)
    address_id = _text(params, "address_id", 100, problems)
    lat, long = _one(params, "lat").strip(), _one(params, "long").strip()
    if lat or long:
        if not (lat and long):
            problems.append(_("lat, long: send both or neither."))
        else:
            y = _coordinate(lat, "lat", 90, problems)
            x = _coordinate(long, "long", 180, problems)
            if not address and y is not None and x is not None:
                address = f"{y:.6f}, {x:.6f}"
    if not (address or address_id or (lat and long)):
        problems.append(_("A location is needed: lat and long, address_string or address_id."))
    return address or address_id


# The intake's field names → the parameter a client sent.
PARAMETERS = {
    "office_code": "jurisdiction_id",
    "region_code": "jurisdiction_id",
    "category": "service_code",
    "name": "first_name, last_name",
    "address": "attribute[petitioner_address]",
    "request": "attribute[request]",
    "facts": "description",
    "consent": "attribute[consent]",
    "petitioner_kind": "attribute[petitioner_kind]",
    "phone": "phone",
    "id_number": "attribute[id_number]",
    "place": "address_string",
    "accused_unit_code": "attribute[accused_unit_code]",
    "accused_person": "attribute[accused_person]",
    "accused_unit": "attribute[accused_unit_code]",
}


def _attributes(
    params: Mapping[str, list[str]], node: online.CategoryNode, problems: list[str]
) -> dict[str, str]:
    values: dict[str, str] = {}
    for attribute in catalogue.attributes(node):
        name = f"attribute[{attribute.code}]"
        given = (params.get(name) or params.get(name + "[]") or [""])[0].strip()
        if attribute.required and not given:
            problems.append(f"{name}: " + _("This attribute is required."))
        elif attribute.values and given and given not in {k for k, _v in attribute.values}:
            choices = ", ".join(k for k, _v in attribute.values)
            problems.append(f"{name}: " + _("Choose one of: %(choices)s.") % {"choices": choices})
        elif attribute.most and len(given) > attribute.most:
            problems.append(
                f"{name}: " + _("Enter at most %(n)s characters.") % {"n": attribute.most}
            )
        elif fields.has_control(given.replace("\n", "").replace("\r", "")):
            problems.append(f"{name}: {fields.control_message()}")
        values[attribute.code] = given
    return values


def create(params: Mapping[str, list[str]], *, key: ApiKey, address: str | None) -> Petition:
    """File the request as an online petition, or refuse it whole (nothing is saved)."""
    office = jurisdiction(params, required=True)
    assert office is not None
    code = _one(params, "service_code").strip()
    if not code:
        raise Refused(400, [_("service_code: give the code of a service.")])
    found = catalogue.nodes().get(code[:100])
    if found is None:
        raise Refused(404, [_("service_code: there is no service with this code.")])
    problems: list[str] = []
    values = _attributes(params, found[0], problems)
    place = _place(params, problems)
    first = _text(params, "first_name", 30, problems)
    last = _text(params, "last_name", 30, problems)
    phone = _text(params, "phone", 30, problems)
    description = _text(params, "description", MAX_DESCRIPTION, problems)
    media = _text(params, "media_url", 500, problems)
    if media and not media.startswith(("http://", "https://")):
        problems.append("media_url: " + _("Enter an http or https address."))
    if problems:
        raise Refused(400, problems)
    facts = description
    if media:
        facts = f"{facts}\n\n" + _("Material: %(url)s") % {"url": media}
    submission = online.Submission(
        office_code=office.code,
        category=code,
        # A Chinese name is written surname first, without a space.
        name=f"{last}{first}" if _is_chinese(last + first) else f"{first} {last}".strip(),
        address=values["petitioner_address"],
        request=values["request"],
        facts=facts.strip(),
        consent=values["consent"] == "true",
        petitioner_kind=values.get("petitioner_kind") or Petition.PetitionerKind.PERSON,
        phone=phone,
        id_number=values.get("id_number", ""),
        place=place,
        accused_unit_code=values.get("accused_unit_code", ""),
        accused_person=values.get("accused_person", ""),
    )
    actor = Actor(
        user=None,
        address=address,
        label=_("online petitioner, through %(system)s") % {"system": key.name},
    )
    try:
        with transaction.atomic():
            registered = online.submit(submission, actor=actor)
            Filed.objects.create(petition=registered.petition, key=key)
    except ValidationError as error:
        raise Refused(400, _messages(error)) from error
    return registered.petition


def _is_chinese(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def _messages(error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    return [
        f"{PARAMETERS.get(name, name)}: {message}"
        for name, items in error.message_dict.items()
        for message in items
    ]


# --- reading back ---------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    text: str
    expected: datetime | None


def notice(petition: Petition, deadlines: list[Deadline]) -> Notice:
    """What the office owes next and by when, from the clock; once the office has
    answered, what the petitioner may still ask for."""
    open_ = {d.kind: d for d in deadlines if d.state in clock.OPEN_STATES}
    for kind in OFFICE_DEADLINES:
        deadline = open_.get(kind)
        if deadline is not None:
            described = kinds.get(kind)
            text = _("%(what)s by %(due)s (%(source)s).") % {
                "what": described.label,
                "due": timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M"),
                "source": described.source,
            }
            return Notice(text, deadline.due_at)
    for kind in PETITIONER_DEADLINES:
        deadline = open_.get(kind)
        if deadline is not None:
            described = kinds.get(kind)
            text = _("The petitioner may %(what)s until %(due)s (%(source)s).") % {
                "what": str(described.label).lower(),
                "due": timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M"),
                "source": described.source,
            }
            return Notice(text, None)
    return Notice(str(petition.get_stage_display()), None)


def row(petition: Petition, deadlines: list[Deadline], place: str) -> dict[str, Any]:
    told = notice(petition, deadlines)
    return {
        "service_request_id": petition.number,
        "status": "closed" if petition.stage in CLOSED_STAGES else "open",
        "status_notes": str(petition.get_stage_display()),
        "service_name": petition.category.label if petition.category else "",
        "service_code": petition.category.code if petition.category else "",
        # The petition's words may name people: they stay in the office. What the
        # case does not have is null (an empty element in XML), never an empty string.
        "description": None,
        "agency_responsible": petition.unit.name,
        "service_notice": told.text,
        "requested_datetime": moment(petition.received_at),
        "updated_datetime": moment(petition.updated_at),
        "expected_datetime": moment(told.expected),
        "address": place or None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def rows(petitions: list[Petition]) -> list[dict[str, Any]]:
    """The rows for ``petitions``, in two queries whatever their number."""
    by_subject = clock.deadlines_for_each(petitions)
    codes = {p.region_code for p in petitions if p.region_code}
    places = dict(
        Unit.objects.filter(code__in=codes, kind=Unit.Kind.REGION).values_list("code", "name")
    )
    return [row(p, by_subject.get(p.pk, []), places.get(p.region_code, "")) for p in petitions]


def _filed_by(key: ApiKey) -> Any:
    return Petition.objects.filter(open311__key=key).select_related("category", "unit")


def one(key: ApiKey, number: str) -> dict[str, Any]:
    petition = _filed_by(key).filter(number=number[:40]).first()
    if petition is None:
        raise Refused(404, [_("service_request_id: no request of this system has this id.")])
    return rows([petition])[0]


def _moment(params: Mapping[str, list[str]], name: str, problems: list[str]) -> datetime | None:
    raw = _one(params, name).strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw[:40])
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        problems.append(
            f"{name}: "
            + _("Enter a date and time with its zone, such as 2026-05-01T08:00:00+08:00.")
        )
        return None
    return value


def listed(key: ApiKey, params: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    """The system's requests the filters choose, newest first."""
    found = _filed_by(key)
    ids = [part.strip() for part in _one(params, "service_request_id").split(",") if part.strip()]
    if ids:
        # The specification: service_request_id overrides every other filter.
        return rows(list(found.filter(number__in=[i[:40] for i in ids[:MAX_LISTED]])))
    office = jurisdiction(params, required=False)
    if office is not None:
        found = found.filter(region_code=office.code)
    problems: list[str] = []
    start, end = _moment(params, "start_date", problems), _moment(params, "end_date", problems)
    statuses = {s.strip() for s in _one(params, "status").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        problems.append("status: " + _("Choose open, closed or both."))
    if start and end and end < start:
        problems.append(_("end_date: it comes before start_date."))
    if start and end and end - start > WINDOW:
        problems.append(_("start_date, end_date: a search may span at most 90 days."))
    if problems:
        raise Refused(400, problems)
    if end is None:
        end = start + WINDOW if start else timezone.now()
    if start is None:
        start = end - WINDOW
    found = found.filter(received_at__gte=start, received_at__lte=end)
    codes = [c.strip()[:100] for c in _one(params, "service_code").split(",") if c.strip()]
    if codes:
        found = found.filter(category__code__in=codes)
    if statuses == {"open"}:
        found = found.exclude(stage__in=CLOSED_STAGES)
    elif statuses == {"closed"}:
        found = found.filter(stage__in=CLOSED_STAGES)
    return rows(list(found.order_by("-received_at", "-pk")[:MAX_LISTED]))
