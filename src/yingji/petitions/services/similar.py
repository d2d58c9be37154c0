"""Similar cases and search: the existing cases a petition repeats or resembles, and the
words the search index holds for each case. Apart from the use cases because it never
changes a case and is tuned for speed against the benchmarks (docs/benchmarks.md); its
constants bound how much it reads, so a test that changes one changes it here, in the
module that reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models import Q
from django.db.models.expressions import RawSQL

from yingji.petitions.models import (
    Petition,
)
from yingji.search import indexing, text
from yingji.search import services as search

SIMILAR_THRESHOLD = 0.3


@dataclass(frozen=True)
class Similar:
    petition: Petition
    score: float
    same_petitioner: bool


SIMILAR_WINDOW = timedelta(days=730)
SIMILAR_BEFORE, SIMILAR_AFTER = 150, 40  # the place's nearest cases before / after the case
SIMILAR_BY_WORDS = 150  # and more of the place's cases that share its rarest words
SIMILAR_RARE_WORDS = 4
SIMILAR_WORDS_WINDOW = timedelta(days=120)


def similar_cases(
    petition: Petition, within: models.QuerySet[Petition], limit: int = 5
) -> list[Similar]:
    """Existing cases like this one: same petitioner (by keyed hash) or same place and topic.

    Candidates come from indexed lookups: the same petitioner's cases, and the cases of
    the same category and place nearest in time to this one, before it (where its
    earlier rounds are) and after it (where its repeats are). In a busy place those
    nearest cases cover a few weeks, so the place's cases further away that share the
    case's rarest words among them (the names of a company, an estate, a person) are
    looked up too, through the word index. All are compared by the words their search
    entries already hold, weighted by how rare each word is among them, so no text is
    segmented again and no table is decrypted or scanned whole. The nearest lookups are
    one subquery of the statement that reads their words, and the rare-word lookup one
    of a second; only the best few are then loaded.
    """
    hashes = Q(pk__in=[])
    if petition.phone_hash:
        hashes |= Q(phone_hash=petition.phone_hash)
    if petition.id_number_hash:
        hashes |= Q(id_number_hash=petition.id_number_hash)
    place = Q(category=petition.category_id)
    if petition.region_code:
        place &= Q(region_code=petition.region_code)
    at = petition.received_at
    others = within.exclude(pk=petition.pk)
    ids = others.values_list("pk", flat=True)
    lookups = [
        ids.filter(hashes).order_by("-received_at")[:SIMILAR_BEFORE],
        ids.filter(place, received_at__lte=at, received_at__gte=at - SIMILAR_WINDOW).order_by(
            "-received_at"
        )[:SIMILAR_BEFORE],
        ids.filter(place, received_at__gt=at, received_at__lte=at + SIMILAR_WINDOW).order_by(
            "received_at"
        )[:SIMILAR_AFTER],
    ]
    # One subquery: the case itself and each lookup (wrapped: a compound statement may
    # not hold a LIMIT on SQLite). Put together from the ORM's own SQL, whose values stay
    # parameters; the ORM's union would look every row up again by its primary key.
    parts, params = ["SELECT %s"], [petition.pk]
    for number, lookup in enumerate(lookups):
        try:
            sql, lookup_params = lookup.query.sql_with_params()
        except EmptyResultSet:  # nothing to look up (no phone or id number, no scope)
            continue
        parts.append(f"SELECT * FROM ({sql}) AS lookup{number}")  # noqa: S608
        params.extend(lookup_params)
    pool = RawSQL(" UNION ".join(parts), params)  # noqa: S611
    entries = search.words_of(Petition, pool)
    own_entry = entries.pop(petition.pk, None)
    if own_entry is not None:
        mine = own_entry[1]
    else:  # not indexed (yet): its words as the index would hold them
        mine = text.index_tokens(f"{petition.request}\n{petition.facts}")
    words = {found_pk: found for found_pk, (_key, found) in entries.items()}
    unread = _unread_range(at, [key for key, _found in entries.values()])
    if unread is not None:
        own = set(text.index_tokens(petition.number))  # no other case holds its number
        rare = text.rarest(
            [word for word in mine if word not in own], words.values(), limit=SIMILAR_RARE_WORDS
        )
        if rare:
            further = ids.filter(
                place,
                received_at__gte=unread[0],
                received_at__lte=unread[1],
                pk__in=search.with_any_word(Petition, rare, between=unread),
            ).order_by("-received_at")[:SIMILAR_BY_WORDS]
            for found_pk, (_key, more) in search.words_of(Petition, further).items():
                words.setdefault(found_pk, more)
    scored = text.weighted_matches(
        mine,
        sorted(words.items(), reverse=True),  # newest first, so that ties go to the newer
        threshold=SIMILAR_THRESHOLD,
        limit=limit,
    )
    fields = ("pk", "number", "phone_hash", "id_number_hash", "stage", "received_at")
    loaded = others.only(*fields).in_bulk([pk for pk, _score in scored])
    result = []
    for pk, score in scored:
        candidate = loaded.get(pk)
        if candidate is None:  # gone since
            continue
        same = bool(
            (petition.phone_hash and candidate.phone_hash == petition.phone_hash)
            or (petition.id_number_hash and candidate.id_number_hash == petition.id_number_hash)
        )
        result.append(Similar(candidate, round(score, 2), same))
    return result


def _unread_range(at: datetime, keys: list[int | None]) -> tuple[datetime, datetime] | None:
    """The part of the rare-word window around ``at`` that the nearest lookups may not
    have read whole, given the candidates' sort keys; None when they read it all.

    A side (before the case, after it) was read whole when fewer candidates fall in it
    than its lookup takes: a lookup cut short inside the side would have left that many
    there. The same petitioner's cases only add to the count, and the case's own second
    counts on both sides, so a side is never taken as read when it was not.
    """
    start, end = at - SIMILAR_WORDS_WINDOW, at + SIMILAR_WORDS_WINDOW
    second = timedelta(seconds=1)
    low, middle = search.time_key(start), search.time_key(at)
    next_second, high = search.time_key(at + second), search.time_key(end + second)
    before = sum(1 for key in keys if key is None or low <= key < next_second)
    after = sum(1 for key in keys if key is None or middle <= key < high)
    if before >= SIMILAR_BEFORE:
        return start, (end if after >= SIMILAR_AFTER else at)
    if after >= SIMILAR_AFTER:
        return at, end
    return None


def search_text(petition: Petition) -> str:
    """What search finds a petition by: its number, place, request, facts and reasons."""
    return "\n".join([petition.number, petition.place, petition.request, petition.facts])


# What search_text and the entry's time read: all a batch of the indexing job loads.
SEARCH_FIELDS = ("number", "place", "request", "facts", "received_at", "registered_at")


def index_text(petition: Petition) -> None:
    """Write the petition's search entry now, in the caller's transaction."""
    indexing.index_now(petition)


def search_petitions(petitions: models.QuerySet[Petition], query: str) -> models.QuerySet[Petition]:
    return petitions.filter(pk__in=search.matching_ids(Petition, query))
