"""Finding cases: those a new petition may repeat, while the clerk is still typing it,
and a returning petitioner's cases by name, phone or ID number.

The intake page sends what its form holds so far (the request and facts, the category,
place, phone and ID number) and shows the existing cases like it, before anything is
registered: the same lookup the case page shows after registering
(``services.similar_cases``), over the cases the clerk may see. Personal data goes in a
POST body, never a URL, and only as keyed hashes into the lookup; the answer names cases
by number, category and place, never a petitioner.

The search by petitioner compares keyed hashes (crypto.lookup_hash): no name, phone or ID
number is decrypted or compared in clear, and each search is in the audit log with its
reason and the masked value, like a reveal; its results show masked data only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji import crypto
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.forms import apply_errors
from yingji.petitions import services
from yingji.petitions.access import petitions_visible_to
from yingji.petitions.forms import PetitionerSearchForm, SimilarQueryForm
from yingji.petitions.models import Petition

# Too little to compare: fewer characters of request and facts than this and no phone
# or ID number.
LEAST_TEXT = 6
SHOWN = 8


@login_required
@permission_required("petitions.add_petition", raise_exception=True)
@require_POST
def similar_while_typing(request: HttpRequest) -> HttpResponse:
    form = SimilarQueryForm(request.POST)
    if not form.is_valid():
        return render(
            request, "petitions/_similar_typing.html", {"form": form, "similar": []}, status=400
        )
    data = form.cleaned_data
    phone = crypto.normal_phone(data["phone"])
    id_number = crypto.normal_id_number(data["id_number"])
    text = f"{data['request']}\n{data['facts']}".strip()
    if len(text) < LEAST_TEXT and not phone and not id_number:
        return render(request, "petitions/_similar_typing.html", {"similar": [], "waiting": True})
    draft = Petition(
        number="",
        request=data["request"],
        facts=data["facts"],
        category=data["category"],
        region_code=data["region_code"].strip(),
        place=data["place"].strip(),
        phone_hash=crypto.lookup_hash("phone", phone),
        id_number_hash=crypto.lookup_hash("id", id_number),
        received_at=timezone.now(),
    )
    visible = petitions_visible_to(request.user)  # type: ignore[arg-type]
    # Alike in matter means the same category (and place, when given): without a
    # category only the same petitioner's cases can be found.
    alike = len(text) >= LEAST_TEXT and data["category"] is not None
    similar = services.similar_cases(draft, visible) if alike else []
    # The same petitioner's latest cases come first, alike or not: a returning petitioner
    # is what the counter most needs to know.
    same = Q(pk__in=[])
    if draft.phone_hash:
        same |= Q(phone_hash=draft.phone_hash)
    if draft.id_number_hash:
        same |= Q(id_number_hash=draft.id_number_hash)
    theirs = list(
        visible.filter(same).order_by("-received_at").values_list("pk", flat=True)[:SHOWN]
    )
    scores = {s.petition.pk: s.score for s in similar}
    order = list(dict.fromkeys([*theirs, *scores]))[:SHOWN]
    found = visible.select_related("category__parent").in_bulk(order)
    shown = [
        {"petition": found[pk], "score": scores.get(pk), "same_petitioner": pk in theirs}
        for pk in order
        if pk in found
    ]
    context = {"similar": shown, "category_chosen": data["category"] is not None}
    return render(request, "petitions/_similar_typing.html", context)


FOUND_AT_MOST = 200


@dataclass(frozen=True)
class PetitionerSearch:
    kind: str  # "name", "phone" or "id"
    masked: str
    cases: list[Petition]
    more: bool


def _kind_of(who: str) -> tuple[str, str, str]:
    """What was typed, as (kind, normal value, mask): an ID number's 15 or 18 characters,
    a phone number's digits, or else a name."""
    id_number = crypto.normal_id_number(unicodedata.normalize("NFKC", who))
    if re.fullmatch(r"\d{15}|\d{17}[\dX]", id_number):
        return "id", id_number, crypto.mask_id_number(id_number)
    if re.fullmatch(r"[\d\s()+-]+", unicodedata.normalize("NFKC", who)):
        phone = crypto.normal_phone(unicodedata.normalize("NFKC", who))
        return "phone", phone, crypto.mask_phone(phone)
    name = crypto.normal_name(who)
    return "name", name, crypto.mask_name(name)


@transaction.atomic
def search_by_petitioner(
    who: str, *, reason: str, actor: Actor, within: QuerySet[Petition]
) -> PetitionerSearch:
    """The cases within sight whose petitioner has this name, phone or ID number, newest
    first, by their keyed hashes; audited with the reason and the masked value."""
    errors: dict[str, list[str]] = {}
    kind, value, masked = _kind_of(who)
    if not value:
        errors["who"] = [_("Enter a name, a phone number or an ID number.")]
    elif kind == "phone" and not 7 <= len(value) <= 15:
        errors["who"] = [_("A phone number has 7 to 15 digits.")]
    if not reason.strip():
        errors["reason"] = [_("Say why you are looking for this petitioner's cases.")]
    if errors:
        raise ValidationError(errors)
    column = {"name": "name_hash", "phone": "phone_hash", "id": "id_number_hash"}[kind]
    found = list(
        within.filter(**{column: crypto.lookup_hash(kind, value)})
        .select_related("category__parent", "unit")
        .order_by("-received_at", "-pk")[: FOUND_AT_MOST + 1]
    )
    audit.record(
        actor=actor,
        action="petitions.petitioner.search",
        object_type="petitions.petition",
        object_repr=_("%(who)s: %(count)d found")
        % {"who": masked, "count": min(len(found), FOUND_AT_MOST)},
        fields=[{"name": "name_hash", "phone": "phone_hash", "id": "id_number_hash"}[kind]],
        note=reason.strip()[:300],
    )
    return PetitionerSearch(kind, masked, found[:FOUND_AT_MOST], len(found) > FOUND_AT_MOST)


@login_required
@permission_required("petitions.reveal_petitioner", raise_exception=True)
def petitioner_search(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: the search (the name or number stays out of URLs and logs)."""
    form = PetitionerSearchForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = search_by_petitioner(
                form.cleaned_data["who"],
                reason=form.cleaned_data["reason"],
                actor=Actor.from_request(request),
                within=petitions_visible_to(request.user),  # type: ignore[arg-type]
            )
        except ValidationError as error:
            apply_errors(form, error.message_dict)
    status = 400 if request.method == "POST" and result is None else 200
    context = {"form": form, "result": result}
    return render(request, "petitions/petitioner_search.html", context, status=status)
