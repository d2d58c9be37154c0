"""Matters: growing same-matter clusters (同一事项聚集) and collective visits about one
matter (集体访), found by the words the similar-case detection indexes (see ``trends``
for the whole scan)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import rjieba
from django.db.models import Count, Min, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from yingji.petitions.models import Petition
from yingji.petitions.services.similar import SIMILAR_THRESHOLD
from yingji.search import services as search
from yingji.search import text
from yingji.warnings.models import Signal
from yingji.warnings.services.trend_rules import (
    LABEL_WORDS,
    MAX_CASES,
    MAX_GROUP,
    MAX_REFERENCE,
    NAME_ALPHA,
    NAME_FLOOR,
    PER_PETITIONER,
    PERSON_TAGS,
    RARE_LEAST,
    RARE_ONE_IN,
    READ_CHUNK,
    REFERENCE_DAYS,
    Found,
    _by_place,
    _cases,
    _daily,
    _day,
    _names,
    _who,
    poisson_tail,
    trend,
)

# --- clusters and collective visits --------------------------------------------------------


@dataclass
class Case:
    pk: int
    received_at: datetime
    who: str  # the keyed hash that tells petitioners apart (never shown)
    masked: str
    words: list[str]


def _groups(cases: QuerySet[Petition], least: int) -> list[tuple[int, str]]:
    """The (category, township) groups holding at least ``least`` cases."""
    grouped = (
        _by_place(cases, 9)
        .annotate(n=Count("pk"))
        .filter(n__gte=least)
        .values_list("category_id", "spot")
    )
    return list(grouped)


def _read(
    cases: QuerySet[Petition], groups: list[tuple[int, str]]
) -> dict[tuple[int, str], list[Case]]:
    """Each group's cases (the newest ``MAX_GROUP``) with their indexed words, without the
    words of their number and address: those tell a case or a village, not a matter.
    Read a category at a time, in a few statements however many places it has."""
    spots: dict[int, set[str]] = defaultdict(set)
    for category_id, spot in groups:
        spots[category_id].add(spot)
    read: dict[tuple[int, str], list[Case]] = {}
    for category_id, wanted in spots.items():
        rows: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        found = (
            cases.filter(category_id=category_id)
            .annotate(who=_who(), spot=Substr("region_code", 1, 9))
            .filter(spot__in=sorted(wanted))
            .order_by("-received_at", "-pk")
            .values_list("pk", "received_at", "who", "name_masked", "number", "place", "spot")
        )
        for row in found.iterator(chunk_size=READ_CHUNK):
            if len(rows[row[6]]) < MAX_GROUP:
                rows[row[6]].append(row)
        ids = [row[0] for group in rows.values() for row in group]
        words: dict[int, tuple[int | None, list[str]]] = {}
        for at in range(0, len(ids), READ_CHUNK):
            words.update(search.words_of(Petition, ids[at : at + READ_CHUNK]))
        for spot, group in rows.items():
            read[(category_id, spot)] = [
                Case(pk, at, who, masked, _matter_words(words.get(pk), number, address))
                for pk, at, who, masked, number, address, _spot in group
            ]
    return read


def _matter_words(
    indexed: tuple[int | None, list[str]] | None, number: str, address: str
) -> list[str]:
    own = set(text.index_tokens(f"{number}\n{address}"))
    return [w for w in (indexed or (None, []))[1] if w not in own]


def _rarity(now: datetime, category_id: int) -> Counter[str]:
    """How many of the category's recent cases, in every place and over up to a year
    (the newest ``MAX_REFERENCE``), hold each word: the document frequencies that weigh
    words. Counted over more than one place and more than the scan's window, so that
    the category's usual wording, and words only repeat visits use ("上次来访"), weigh
    little even where the window holds few cases."""
    ids = (
        _cases(now)
        .filter(category_id=category_id, received_at__gte=now - timedelta(days=REFERENCE_DAYS))
        .order_by("-received_at")
        .values_list("pk", flat=True)[:MAX_REFERENCE]
    )
    df: Counter[str] = Counter()
    for _key, found in search.words_of(Petition, list(ids)).values():
        df.update(set(found))
    df[""] = len(ids)  # the number of cases counted
    return df


def matters(cases: list[Case], reference: Counter[str] | None = None) -> list[list[Case]]:
    """The cases grouped into matters (see ``named``), without their names."""
    return [members for _name, members in named(cases, reference)]


def named(cases: list[Case], reference: Counter[str] | None = None) -> list[tuple[str, list[Case]]]:
    """The cases grouped into matters. A matter is told by a name: a word that the
    category's cases elsewhere seldom hold (a company, an estate, a road), not the
    category's usual wording (held by more than one case in ``RARE_ONE_IN`` of the
    reference, beyond the place's own cases). Its cases all hold that word and read
    alike: by the similar-case detection's measure (TF-IDF cosine over the indexed words,
    at its threshold) with the case most like the others. The word held by the most
    cases goes first, and a case belongs to one matter only, so two matters that share
    a case's other names stay apart."""
    n = len(cases)
    if n < 2:
        return [("", [c]) for c in cases]
    local: Counter[str] = Counter()
    for case in cases:
        local.update(set(case.words))
    df: Counter[str] = Counter(reference or {})
    counted = df.pop("", 0)
    if not counted:
        df, counted = Counter(local), n
    idf = {word: math.log((counted + 1) / (df[word] + 1)) + 1 for word in local}
    vectors = [Counter({w: tf * idf[w] for w, tf in Counter(case.words).items()}) for case in cases]
    lengths = [text.length(vector) for vector in vectors]  # once each, not once a pair
    elsewhere = max(0, counted - n)
    rare = max(RARE_LEAST, elsewhere // RARE_ONE_IN)
    postings: dict[str, set[int]] = defaultdict(set)
    for index, case in enumerate(cases):
        for word in set(case.words):
            if local[word] >= 2 and max(0, df[word] - local[word]) <= rare:
                postings[word].add(index)
    left = set(range(n))
    groups: list[tuple[str, list[Case]]] = []
    alike: dict[tuple[int, int], bool] = {}

    def near(a: int, b: int) -> bool:
        key = (a, b) if a < b else (b, a)
        if key not in alike:
            cosine = text.cosine(vectors[a], vectors[b], lengths[a], lengths[b])
            alike[key] = cosine >= SIMILAR_THRESHOLD
        return alike[key]

    while postings:
        word = max(postings, key=lambda w: (len(postings[w]), -df[w], len(w), w))
        members = postings.pop(word) & left
        if len(members) < 2:
            continue
        centre = max(sorted(members), key=lambda i: sum(near(i, j) for j in members if j != i))
        star = {centre} | {j for j in members if j != centre and near(centre, j)}
        if len(star) < 2:
            continue
        left -= star
        for other in postings.values():
            other -= star
        groups.append((word, [cases[i] for i in sorted(star)]))
    return groups


def label(members: list[Case], others: Iterable[Case]) -> str:
    """The matter's name: the words most of its cases share and few other cases of the
    place and category hold, without a person's name (jieba's name tag, or a word shaped
    like one of the cases' masked names: its surname and length)."""
    inside: Counter[str] = Counter()
    for case in members:
        inside.update(set(case.words))
    outside: Counter[str] = Counter()
    rest = 0
    for case in others:
        outside.update(set(case.words))
        rest += 1
    shapes = {(m[0], len(m)) for m in (c.masked for c in members) if m}
    half = len(members) / 2
    chosen: list[str] = []
    for word, count in sorted(inside.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0])):
        if count < half or len(word) < 2:
            continue
        if rest and outside[word] > rest / 20:
            continue  # the category's usual wording
        if (word[0], len(word)) in shapes or _is_name(word):
            continue
        if any(word in other or other in word for other in chosen):
            continue
        chosen.append(word)
        if len(chosen) == LABEL_WORDS:
            break
    return "、".join(chosen)


def _is_name(word: str) -> bool:
    tagged = rjieba.tag(word)
    return any(tag in PERSON_TAGS for _w, tag in tagged)


def _counted(members: list[Case]) -> int:
    """The cases that count towards a matter: each petitioner's first ``PER_PETITIONER``,
    so that one person writing often does not make a matter of many cases."""
    per: Counter[str] = Counter(c.who for c in members)
    return sum(min(count, PER_PETITIONER) for count in per.values())


def _growing(members: list[Case], start: datetime, end: datetime, held: set[int]) -> bool:
    middle = start + (end - start) / 2
    second = sum(1 for c in members if c.received_at >= middle)
    if second > len(members) - second:
        return True
    return bool(held) and any(c.pk not in held for c in members)


def clusters(now: datetime) -> list[Found]:
    cfg = trend()
    days = cfg["cluster_days"]
    start = now - timedelta(days=days)
    cases = _cases(now).filter(received_at__gte=start)
    found = []
    rarity: dict[int, Counter[str]] = {}
    groups = _groups(cases, cfg["cluster_cases"])
    read = _read(cases, groups)
    history = _history(start, groups)
    for category_id, place in groups:
        group = read.get((category_id, place), [])
        if category_id not in rarity:
            rarity[category_id] = _rarity(now, category_id)
        for name, members in named(group, rarity[category_id]):
            counted = _counted(members)
            if counted < cfg["cluster_cases"]:
                continue
            petitioners = len({c.who for c in members})
            if petitioners < cfg["cluster_petitioners"]:
                continue
            held = _held(Signal.Kind.CLUSTER, category_id, place, members)
            if not _growing(members, start, now, held):
                continue
            burst = _burst(name, counted, (category_id, place), start, days, history)
            if burst is None:
                continue
            matter = _matter(
                Signal.Kind.CLUSTER,
                now,
                start,
                category_id,
                place,
                members,
                group,
                cfg,
                petitioners=petitioners,
            )
            matter.evidence.update(burst)
            found.append(matter)
    return found


def _history(start: datetime, groups: list[tuple[int, str]]) -> dict[tuple[int, str], datetime]:
    """The first case of each group's category and township within the year before
    ``start``, in one statement: how far back the place's history of it goes."""
    wanted = set(groups)
    if not wanted:
        return {}
    past = _cases(start).filter(
        category_id__in={c for c, _p in wanted},
        received_at__gte=start - timedelta(days=REFERENCE_DAYS),
    )
    firsts = (
        _by_place(past, 9)
        .annotate(first=Min("received_at"))
        .values_list("category_id", "spot", "first")
    )
    return {(c, p): first for c, p, first in firsts if (c, p) in wanted}


def _burst(
    name: str,
    counted: int,
    group: tuple[int, str],
    start: datetime,
    days: int,
    history: Mapping[tuple[int, str], datetime],
) -> dict[str, Any] | None:
    """The name's cases in the window against its own rate in the place's past year of
    the category (at least ``NAME_FLOOR`` a year), by Poisson's upper tail below
    ``NAME_ALPHA``: a name the place's cases often hold (its 卫生院, its main road) makes
    a matter only with more cases than it usually has. The rate is over the days the
    place's cases of the category go back (``history``: the first of them), when less
    than a year (a new installation, a new place), so that a short history does not make
    a usual name look rare. None when it is no burst."""
    category_id, place = group
    past = _cases(start).filter(
        category_id=category_id,
        region_code__startswith=place,
        received_at__gte=start - timedelta(days=REFERENCE_DAYS),
    )
    before = search.holding(Petition, past.values("pk"), name)
    first = history.get(group)
    covered = REFERENCE_DAYS if first is None else (start - first) / timedelta(days=1)
    covered = min(REFERENCE_DAYS, max(float(days), covered))
    expected = max(before / covered, NAME_FLOOR / REFERENCE_DAYS) * days
    p = poisson_tail(counted, expected)
    if p >= NAME_ALPHA:
        return None
    return {
        "name": name,
        "name_past_year": before,
        "name_past_days": round(covered),
        "name_expected": round(expected, 3),
    }


def collective_visits(now: datetime) -> list[Found]:
    cfg = trend()
    start = now - timedelta(days=cfg["collective_days"])
    cases = _cases(now).filter(
        received_at__gte=start, is_collective=True, channel=Petition.Channel.VISIT
    )
    found = []
    least = cfg["collective_visits"]
    groups = _groups(cases, least)
    read = _read(cases, groups)
    rarity: dict[int, Counter[str]] = {}
    for category_id, place in groups:
        group = read.get((category_id, place), [])
        if category_id not in rarity:
            rarity[category_id] = _rarity(now, category_id)
        told = matters(group, rarity[category_id]) if least > 1 else [[c] for c in group]
        for members in told:
            if len(members) < least:
                continue
            found.append(
                _matter(Signal.Kind.COLLECTIVE, now, start, category_id, place, members, group, cfg)
            )
    return found


def _held(kind: str, category_id: int, place: str, members: list[Case]) -> set[int]:
    """The cases the open signal of this matter already holds (empty when none)."""
    signal = _open_for(kind, category_id, place, [c.pk for c in members])
    if signal is None:
        return set()
    return set(signal.petitions.values_list("pk", flat=True))


def _open_for(kind: str, category_id: int, place: str, ids: list[int]) -> Signal | None:
    """The open signal of the same kind, category and place holding any of these cases:
    the same matter, however its name has shifted as cases came."""
    return (
        Signal.objects.filter(
            kind=kind,
            state=Signal.State.OPEN,
            category_id=category_id,
            region_code=place,
            petitions__in=ids,
        )
        .order_by("pk")
        .first()
    )


def _matter(
    kind: str,
    now: datetime,
    start: datetime,
    category_id: int,
    place: str,
    members: list[Case],
    group: list[Case],
    cfg: Mapping[str, int],
    *,
    petitioners: int | None = None,
) -> Found:
    ids = {c.pk for c in members}
    name = label(members, [c for c in group if c.pk not in ids]) or _("unnamed matter")
    names = _names(category_id, place)
    days = (now - start).days
    daily = _daily(Petition.objects.filter(pk__in=ids), start, now)
    middle = start + (now - start) / 2
    evidence: dict[str, Any] = {
        "daily": daily,
        "days": days,
        "count": len(members),
        "first_half": sum(1 for c in members if c.received_at < middle),
        "second_half": sum(1 for c in members if c.received_at >= middle),
        "similarity_threshold": SIMILAR_THRESHOLD,
    }
    if kind == Signal.Kind.CLUSTER:
        evidence.update(
            petitioners=petitioners,
            min_cases=cfg["cluster_cases"],
            min_petitioners=cfg["cluster_petitioners"],
        )
        rule = _(
            "%(place)s: %(count)d petitions of «%(category)s» about one matter (%(matter)s) "
            "from %(people)d petitioners in %(days)d days (%(first)d in the first half, "
            "%(second)d in the second)"
        ) % {
            "place": names[1],
            "count": len(members),
            "category": names[0],
            "matter": name,
            "people": petitioners or 0,
            "days": days,
            "first": evidence["first_half"],
            "second": evidence["second_half"],
        }
        least = cfg["cluster_cases"]
    else:
        evidence.update(min_visits=cfg["collective_visits"])
        rule = _(
            "%(place)s: %(count)d collective visits about one matter (%(matter)s) of "
            "«%(category)s» in %(days)d days"
        ) % {
            "place": names[1],
            "count": len(members),
            "matter": name,
            "category": names[0],
            "days": days,
        }
        least = cfg["collective_visits"]
    newest = sorted(members, key=lambda c: c.received_at, reverse=True)
    return Found(
        kind,
        category_id,
        place,
        len(members),
        _day(start),
        _day(now),
        rule,
        evidence,
        [c.pk for c in newest][:MAX_CASES],
        matter=name[:200],
        limit=float(least),
    )
