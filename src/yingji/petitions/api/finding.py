"""A returning petitioner's cases, by name, phone or ID number: the search of the page
(petitions/finding.py), through the same service, so that it compares keyed hashes only,
is audited with its reason and answers with masked data."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Schema

from yingji.audit.services import Actor
from yingji.fields import Text
from yingji.petitions import finding
from yingji.petitions.access import petitions_visible_to
from yingji.petitions.api.common import WRITE_ERRORS, PetitionOut, op, out, require, router


class PetitionerSearchIn(Schema):
    who: Text = Field(
        ..., max_length=50, description="the whole name, phone number or ID number, as given"
    )
    reason: Text = Field(..., max_length=300, description="why you look (kept in the audit log)")


class PetitionerSearchOut(Schema):
    kind: str = Field(..., description="what was searched for: name, phone or id")
    masked: str = Field(..., description="the value searched for, masked")
    items: list[PetitionOut] = Field(..., description="newest first, within your sight")
    more: bool = Field(..., description="more cases than the search lists were found")


@router.post(
    "/petitions/search/by-petitioner",
    response={200: PetitionerSearchOut, **WRITE_ERRORS},
    summary="A returning petitioner's cases, by name, phone or ID number (audited)",
    operation_id=op("search_by_petitioner"),
)
def search_by_petitioner(request: HttpRequest, payload: PetitionerSearchIn) -> PetitionerSearchOut:
    user = request.auth  # type: ignore[attr-defined]
    require(user, "petitions.reveal_petitioner")
    found = finding.search_by_petitioner(
        payload.who,
        reason=payload.reason,
        actor=Actor.from_request(request),
        within=petitions_visible_to(user),
    )
    return PetitionerSearchOut(
        kind=found.kind,
        masked=found.masked,
        items=[PetitionOut(**out(p)) for p in found.cases],
        more=found.more,
    )
