"""What every part of the petitions API shares: the routers, the case's output schemas and
the small checks each handler repeats.

Operation ids are part of the API's contract (clients generate code from them). They were
derived from the one module the router lived in, ``yingji.petitions.api``; ``op`` keeps
them so now that the handlers live in several modules.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from ninja import Field, Router, Schema

from yingji.api_errors import READ_ERRORS, ErrorOut
from yingji.clock.explain import explain
from yingji.petitions import services
from yingji.petitions.models import Petition

router = Router(tags=["petitions"])
public_router = Router(tags=["public"])


class TooMany(Exception):
    """A rate limit was reached; the API answers 429."""


WRITE_ERRORS = {**READ_ERRORS, 400: ErrorOut, 403: ErrorOut}


def op(name: str) -> str:
    """The operation id of the handler ``name``, as it has always been."""
    return f"yingji_petitions_api_{name}"


class PetitionOut(Schema):
    id: int
    number: str
    channel: str
    stage: str
    received_at: datetime
    category: str
    unit_id: int
    office_id: int
    petitioner_kind: str
    name: str = Field(..., description="masked, e.g. 张**")
    phone: str = Field(..., description="masked, e.g. 1******1234")
    people_count: int
    is_collective: bool
    is_accusation: bool


class PetitionDeadlineOut(Schema):
    kind: str
    state: str
    due_at: datetime
    calendar_confirmed: bool
    explanation: list[str]


class PetitionDetailOut(PetitionOut):
    request: str
    facts: str
    id_number: str = Field(..., description="masked")
    address: str = Field(..., description="masked")
    identity_unclear: bool
    region_code: str
    place: str
    decision: str
    decision_reason: str
    referred_to: str
    deadlines: list[PetitionDeadlineOut]


def out(p: Petition) -> dict[str, Any]:
    return {
        "id": p.pk,
        "number": p.number,
        "channel": p.channel,
        "stage": p.stage,
        "received_at": p.received_at,
        "category": p.category.code,
        "unit_id": p.unit_id,
        "office_id": p.office_id,
        "petitioner_kind": p.petitioner_kind,
        "name": p.name_masked,
        "phone": p.phone_masked,
        "people_count": p.people_count,
        "is_collective": p.is_collective,
        "is_accusation": p.category.is_accusation,
    }


def detail(p: Petition) -> PetitionDetailOut:
    return PetitionDetailOut(
        **out(p),
        request=p.request,
        facts=p.facts,
        id_number=p.id_number_masked,
        address=p.address_masked,
        identity_unclear=p.identity_unclear,
        region_code=p.region_code,
        place=p.place,
        decision=p.decision,
        decision_reason=p.decision_reason,
        referred_to=p.referred_to,
        deadlines=[
            PetitionDeadlineOut(
                kind=d.kind,
                state=d.state,
                due_at=d.due_at,
                calendar_confirmed=d.calendar_confirmed,
                explanation=explain(d.explanation),
            )
            for d in services.deadlines_of(p)
        ],
    )


def fresh(pk: int) -> PetitionDetailOut:
    """The case as it stands after an act, read again."""
    return detail(Petition.objects.select_related("category").get(pk=pk))


def require(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied
