"""Finding the cases a new petition may repeat, while the clerk is still typing it.

The intake page sends what its form holds so far (the request and facts, the category,
place, phone and ID number) and shows the existing cases like it, before anything is
registered: the same lookup the case page shows after registering
(``services.similar_cases``), over the cases the clerk may see. Personal data goes in a
POST body, never a URL, and only as keyed hashes into the lookup; the answer names cases
by number, category and place, never a petitioner.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yingji import crypto
from yingji.petitions import services
from yingji.petitions.access import petitions_visible_to
from yingji.petitions.forms import SimilarQueryForm
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
