"""Early warning from petition trends (信访风险预警): signals about matters and places.

A scan (the hourly job, or at once when asked) looks at the petitions received lately
and raises or updates three kinds of signal, with thresholds from ``settings.TREND``:

- **surge** (同类激增): for each category and place (a township: the first 9 digits of
  the case's division code; a county: the first 6), the count of new cases in the last
  ``window_days`` days against the place's own baseline, the ``baseline_days`` days
  before the window. The expected count is the baseline's daily rate times the window;
  the test is Poisson's upper tail, P(X >= count | expected), which must fall below
  ``surge_alpha_per_10k`` / 10000, with at least ``surge_min_cases`` cases and at least
  ``SURGE_RATIO`` times the expected count. The rate has
  a floor of ``RATE_FLOOR`` cases per baseline period, so that a place without history
  is judged against a small rate, not against nothing. A county whose surge is one of
  its townships' (the township raised for the same category in the same scan, and the
  county's count without it would not fire) is left to the township's signal.
- **cluster** (同一事项聚集): within ``cluster_days`` days, in one township and category,
  cases of one matter: two cases are of one matter when they share at least
  ``SHARED_RARE`` words that the category's cases elsewhere seldom hold (the names of a
  company, an estate, a road; one such word in common happens by chance) and their
  words are alike by the similar-case detection's measure and threshold. A matter is a
  signal with ``cluster_cases`` cases or more (each petitioner's first
  ``PER_PETITIONER`` count) from ``cluster_petitioners`` distinct petitioners or more
  (distinct by the keyed hashes, counted, never shown), while it grows: more cases in
  the second half of the window than in the first, or cases its open signal does not
  hold yet.
- **collective** (集体访): ``collective_visits`` or more collective visits (to the office,
  by several people) in ``collective_days`` days about one matter in one township and
  category; one rare word in common suffices there, collective visits being few.

One person petitioning often is never a signal: a surge counts each petitioner of the
window once, and a matter counts distinct petitioners and at most ``PER_PETITIONER`` cases
of each. Drill cases never count. A signal holds
the category, the place, counts and the cases, and nothing that names or counts a
petitioner beyond that one number.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import rjieba
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case as Choose
from django.db.models import Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Length, NullIf, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock.services import office_zone
from yingji.fields import read_text
from yingji.notify import escalation
from yingji.notify import services as notify
from yingji.org import jurisdiction, lines
from yingji.org.models import Unit
from yingji.petitions.models import Category, Petition
from yingji.petitions.services.similar import SIMILAR_THRESHOLD
from yingji.search import services as search
from yingji.search import text
from yingji.timeline import services as timeline
from yingji.warnings.models import Risk, Signal

RATE_FLOOR = 0.5  # cases per baseline period: the least a place's baseline is taken as
# A surge is at least this many times the expected count: in a busy place the week's
# rhythm and the season move counts by more than Poisson's spread, and a third more
# cases on a Monday than the baseline's average day is no surge.
SURGE_RATIO = 2.0
MAX_CASES = 200  # cases a signal links (the evidence's counts hold them all)
MAX_GROUP = 2000  # cases of one place and category read for clusters in one scan
RARE_ONE_IN = 200  # a word held by more of the category's cases elsewhere is not rare
RARE_LEAST = 2  # however few the cases elsewhere, a word in two of them may still be rare
SHARED_RARE = 2  # rare words two cases of one matter share at least
PER_PETITIONER = 2  # a petitioner's cases that count towards a matter's cases
MAX_REFERENCE = 1000  # cases of a category whose words weigh the words (rarity)
REASON_MAX = 500
LABEL_WORDS = 3
NOTIFY_KIND = "warnings.signal"
SYSTEM = "trend scan"
PERSON_TAGS = frozenset({"nr", "nrfg", "nrt"})


@dataclass
class Found:
    """What a detector found: one signal's content before it is written."""

    kind: str
    category_id: int
    place: str  # division code, 9 or 6 digits
    count: int
    window_start: date
    window_end: date
    rule: str
    evidence: dict[str, Any]
    petition_ids: list[int] = field(default_factory=list)
    matter: str = ""
    baseline: float | None = None
    limit: float | None = None

    @property
    def key(self) -> str:
        parts = [self.kind, str(self.category_id), self.place]
        if self.matter:
            parts.append(self.matter)
        return ":".join(parts)[:200]


# --- the test --------------------------------------------------------------------------------


def poisson_tail(count: int, expected: float) -> float:
    """P(X >= count) for X ~ Poisson(expected), summed from ``count`` upwards (no
    cancellation for the small probabilities that matter)."""
    if count <= 0:
        return 1.0
    if expected <= 0:
        return 0.0
    term = math.exp(-expected + count * math.log(expected) - math.lgamma(count + 1))
    total, k = 0.0, count
    while term > total * 1e-15 and k < count + 10_000:
        total += term
        k += 1
        term *= expected / k
    return min(1.0, total)


def _p_text(p: float) -> str:
    return "p<0.001" if p < 0.001 else f"p={p:.3f}"


def trend() -> dict[str, int]:
    return dict(settings.TREND)


# --- the scan --------------------------------------------------------------------------------


def scan(now: datetime | None = None) -> int:
    """Look for every kind of signal; the number of signals raised or updated."""
    now = now or timezone.now()
    found = [*surges(now), *clusters(now), *collective_visits(now)]
    written = 0
    for item in found:
        if _write(item, now):
            written += 1
    return written


def _cases(now: datetime) -> QuerySet[Petition]:
    return Petition.objects.filter(is_drill=False, received_at__lt=now)


def _day(moment: datetime) -> date:
    return moment.astimezone(office_zone()).date()


def surges(now: datetime) -> list[Found]:
    """The surges: one aggregated statement over the baseline and the window."""
    cfg = trend()
    window, base_days = cfg["window_days"], cfg["baseline_days"]
    alpha = cfg["surge_alpha_per_10k"] / 10000
    window_from = now - timedelta(days=window)
    base_from = window_from - timedelta(days=base_days)
    rows: dict[tuple[int, str], tuple[int, int]] = {}
    recent = Q(received_at__gte=window_from)
    cases = _cases(now).filter(received_at__gte=base_from)
    for digits in (9, 6):
        grouped = (
            cases.annotate(length=Length("region_code"))
            .filter(length__gte=digits)
            .annotate(spot=Substr("region_code", 1, digits))
            .values("category_id", "spot")
            .annotate(
                total=Count("pk"),
                recent=Count("pk", filter=recent),
                people=Count(_who(), filter=recent, distinct=True),
            )
            .filter(people__gte=cfg["surge_min_cases"])
            .values_list("category_id", "spot", "total", "recent", "people")
        )
        for category_id, place, total, in_window, people in grouped:
            rows[(category_id, place)] = (total - in_window, people)
    fired: dict[tuple[int, str], tuple[int, float, float]] = {}
    for (category_id, place), (before, in_window) in rows.items():
        expected = max(before, RATE_FLOOR) / base_days * window
        p = poisson_tail(in_window, expected)
        if p < alpha and in_window >= SURGE_RATIO * expected:
            fired[(category_id, place)] = (in_window, expected, p)
    # A county's surge made by one of its townships is that township's signal.
    for (category_id, place), (in_window, _expected, _p) in list(fired.items()):
        if len(place) != 6:
            continue
        townships = [
            key
            for key in fired
            if key[0] == category_id and len(key[1]) == 9 and key[1][:6] == place
        ]
        if not townships:
            continue
        rest = in_window - sum(fired[key][0] for key in townships)
        before = rows[(category_id, place)][0] - sum(rows[key][0] for key in townships)
        expected = max(before, RATE_FLOOR) / base_days * window
        if (
            rest < cfg["surge_min_cases"]
            or rest < SURGE_RATIO * expected
            or poisson_tail(rest, expected) >= alpha
        ):
            del fired[(category_id, place)]
    found = []
    for (category_id, place), (people, expected, p) in fired.items():
        found.append(_surge(now, category_id, place, people, expected, p, cfg))
    return found


def _surge(
    now: datetime,
    category_id: int,
    place: str,
    people: int,
    expected: float,
    p: float,
    cfg: Mapping[str, int],
) -> Found:
    """The surge's evidence. The test counts each petitioner of the window once (one
    person writing twenty times is one), against the baseline's cases."""
    window, base_days = cfg["window_days"], cfg["baseline_days"]
    window_from = now - timedelta(days=window)
    base_from = window_from - timedelta(days=base_days)
    alpha = cfg["surge_alpha_per_10k"] / 10000
    limit = _limit(expected, alpha, cfg["surge_min_cases"])
    cases = _cases(now).filter(category_id=category_id, region_code__startswith=place)
    daily = _daily(cases.filter(received_at__gte=base_from), base_from, now)
    in_window = cases.filter(received_at__gte=window_from)
    count = in_window.count()
    ids = list(in_window.order_by("-received_at").values_list("pk", flat=True)[:MAX_CASES])
    names = _names(category_id, place)
    rule = _(
        "%(place)s: %(count)d petitions of «%(category)s» from %(people)d petitioners in "
        "the last %(days)d days, %(expected).1f expected from the baseline; Poisson test %(p)s"
    ) % {
        "place": names[1],
        "count": count,
        "people": people,
        "category": names[0],
        "days": window,
        "expected": expected,
        "p": _p_text(p),
    }
    evidence = {
        "daily": daily,
        "window_days": window,
        "baseline_days": base_days,
        "baseline_cases": round(expected / window * base_days, 3),
        "expected": round(expected, 3),
        "count": count,
        "petitioners": people,
        "p_value": p,
        "limit": limit,
        "alpha": alpha,
        "min_cases": cfg["surge_min_cases"],
        "min_ratio": SURGE_RATIO,
        "rate_floor": RATE_FLOOR,
        "test": "poisson_upper_tail",
    }
    return Found(
        Signal.Kind.SURGE,
        category_id,
        place,
        count,
        _day(window_from),
        _day(now),
        rule,
        evidence,
        ids,
        baseline=round(expected, 3),
        limit=limit,
    )


def _limit(expected: float, alpha: float, least: int) -> int:
    """The smallest count that fires: the control limit shown beside the count."""
    count = max(1, least, math.ceil(SURGE_RATIO * expected))
    while poisson_tail(count, expected) >= alpha and count < 100_000:
        count += 1
    return count


def _daily(cases: QuerySet[Petition], start: datetime, end: datetime) -> list[list[Any]]:
    """Cases per office day from ``start`` to ``end``, as [ISO date, count] pairs."""
    counts: Counter[date] = Counter(_day(at) for at in cases.values_list("received_at", flat=True))
    first, last = _day(start), _day(end)
    days = []
    day = first
    while day <= last:
        days.append([day.isoformat(), counts.get(day, 0)])
        day += timedelta(days=1)
    return days


def _names(category_id: int, place: str) -> tuple[str, str]:
    category = Category.objects.filter(pk=category_id).first()
    unit = jurisdiction.place_unit(place)
    return (category.name if category else "", unit.name if unit else place)


# --- clusters and collective visits --------------------------------------------------------


@dataclass
class Case:
    pk: int
    received_at: datetime
    who: str  # the keyed hash that tells petitioners apart (never shown)
    masked: str
    words: list[str]


def _who() -> Coalesce:
    """The petitioner as a keyed hash (id number, else phone, else name); a case with
    none counts as a petitioner of its own."""
    return Coalesce(
        NullIf("id_number_hash", Value("")),
        NullIf("phone_hash", Value("")),
        NullIf("name_hash", Value("")),
        "number",
    )


def _groups(cases: QuerySet[Petition], least: int) -> list[tuple[int, str]]:
    """The (category, township) groups holding at least ``least`` cases."""
    grouped = (
        cases.annotate(length=Length("region_code"))
        .filter(length__gte=9)
        .annotate(spot=Substr("region_code", 1, 9))
        .values("category_id", "spot")
        .annotate(n=Count("pk"))
        .filter(n__gte=least)
        .values_list("category_id", "spot")
    )
    return list(grouped)


def _read(cases: QuerySet[Petition]) -> list[Case]:
    """The cases' indexed words, without the words of their number and address: those
    tell a case or a village, not a matter."""
    rows = list(
        cases.annotate(who=_who())
        .order_by("-received_at")
        .values_list("pk", "received_at", "who", "name_masked", "number", "place")[:MAX_GROUP]
    )
    words = search.words_of(Petition, [r[0] for r in rows])
    read = []
    for pk, at, who, masked, number, address in rows:
        own = set(text.index_tokens(f"{number}\n{address}"))
        found = [w for w in words.get(pk, (None, []))[1] if w not in own]
        read.append(Case(pk, at, who, masked, found))
    return read


def _rarity(cases: QuerySet[Petition], category_id: int) -> Counter[str]:
    """How many of the category's recent cases, in every place, hold each word: the
    document frequencies that weigh words, counted over more than one place's cases so
    that the category's usual wording weighs little even where cases are few."""
    ids = (
        cases.filter(category_id=category_id)
        .order_by("-received_at")
        .values_list("pk", flat=True)[:MAX_REFERENCE]
    )
    df: Counter[str] = Counter()
    for _key, found in search.words_of(Petition, list(ids)).values():
        df.update(set(found))
    df[""] = len(ids)  # the number of cases counted
    return df


def matters(
    cases: list[Case], reference: Counter[str] | None = None, *, shared_least: int = SHARED_RARE
) -> list[list[Case]]:
    """The cases grouped into matters: alike by the similar-case detection's measure
    (TF-IDF cosine over the indexed words, at its threshold), each matter a case and the
    cases like it (a star, not a chain, so two matters sharing a word stay apart)."""
    n = len(cases)
    if n < 2:
        return [[c] for c in cases]
    local: Counter[str] = Counter()
    for case in cases:
        local.update(set(case.words))
    df: Counter[str] = Counter(reference or {})
    counted = df.pop("", 0)
    if not counted:
        df, counted = Counter(local), n
    idf = {word: math.log((counted + 1) / (df[word] + 1)) + 1 for word in local}
    vectors = [Counter({w: tf * idf[w] for w, tf in Counter(case.words).items()}) for case in cases]
    # Only cases sharing a word that the category's cases elsewhere seldom hold are
    # compared: the names a matter is told by (a company, an estate, a road), not the
    # category's usual wording (in more than one case in ``RARE_ONE_IN`` elsewhere).
    elsewhere = max(0, counted - n)
    rare = max(RARE_LEAST, elsewhere // RARE_ONE_IN)
    postings: dict[str, list[int]] = defaultdict(list)
    for index, case in enumerate(cases):
        for word in set(case.words):
            if local[word] >= 2 and max(0, df[word] - local[word]) <= rare:
                postings[word].append(index)
    shared: Counter[tuple[int, int]] = Counter()
    for members in postings.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                shared[(a, b)] += 1
    near: dict[int, set[int]] = defaultdict(set)
    for (a, b), words in shared.items():
        # One such word in common happens by chance (two matters in one hamlet).
        if words < shared_least:
            continue
        if text.cosine(vectors[a], vectors[b]) >= SIMILAR_THRESHOLD:
            near[a].add(b)
            near[b].add(a)
    left = set(range(n))
    groups: list[list[Case]] = []
    while True:
        best = max(
            (i for i in left if near[i]), key=lambda i: (len(near[i] & left), -i), default=None
        )
        if best is None or not near[best] & left:
            break
        star = {best} | (near[best] & left)
        left -= star
        groups.append([cases[i] for i in sorted(star)])
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
    for category_id, place in _groups(cases, cfg["cluster_cases"]):
        group = _read(cases.filter(category_id=category_id, region_code__startswith=place))
        if category_id not in rarity:
            rarity[category_id] = _rarity(cases, category_id)
        for members in matters(group, rarity[category_id]):
            if _counted(members) < cfg["cluster_cases"]:
                continue
            petitioners = len({c.who for c in members})
            if petitioners < cfg["cluster_petitioners"]:
                continue
            held = _held(Signal.Kind.CLUSTER, category_id, place, members)
            if not _growing(members, start, now, held):
                continue
            found.append(
                _matter(
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
            )
    return found


def collective_visits(now: datetime) -> list[Found]:
    cfg = trend()
    start = now - timedelta(days=cfg["collective_days"])
    cases = _cases(now).filter(
        received_at__gte=start, is_collective=True, channel=Petition.Channel.VISIT
    )
    found = []
    least = cfg["collective_visits"]
    for category_id, place in _groups(cases, least):
        group = _read(cases.filter(category_id=category_id, region_code__startswith=place))
        reference = _rarity(_cases(now).filter(received_at__gte=start), category_id)
        # Collective visits are few: one rare word in common is no longer chance.
        groups = matters(group, reference, shared_least=1) if least > 1 else [[c] for c in group]
        for members in groups:
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


# --- writing signals -------------------------------------------------------------------------


@transaction.atomic
def _write(item: Found, now: datetime) -> bool:
    """Raise the signal, or update the open one of the same key or matter; False when
    nothing changed or its place is not in the directory."""
    unit = jurisdiction.place_unit(item.place)
    if unit is None:
        return False
    signal = (
        Signal.objects.select_for_update().filter(key=item.key, state=Signal.State.OPEN).first()
    )
    if signal is None and item.matter:
        signal = _open_for(item.kind, item.category_id, item.place, item.petition_ids)
    actor = Actor.system(_("Trend scan"))
    if signal is not None:
        held = set(signal.petitions.values_list("pk", flat=True))
        if signal.count == item.count and held == set(item.petition_ids):
            return False
        for name, value in (
            ("count", item.count),
            ("rule", item.rule[:300]),
            ("evidence", item.evidence),
            ("window_start", item.window_start),
            ("window_end", item.window_end),
            ("baseline", item.baseline),
            ("limit", item.limit),
        ):
            setattr(signal, name, value)
        signal.save(
            update_fields=[
                "count",
                "rule",
                "evidence",
                "window_start",
                "window_end",
                "baseline",
                "limit",
                "updated_at",
            ]
        )
        signal.petitions.set(item.petition_ids)
        return True
    signal = Signal.objects.create(
        kind=item.kind,
        key=item.key,
        unit=unit,
        region_code=item.place,
        category_id=item.category_id,
        matter=item.matter,
        window_start=item.window_start,
        window_end=item.window_end,
        count=item.count,
        baseline=item.baseline,
        limit=item.limit,
        rule=item.rule[:300],
        evidence=item.evidence,
        raised_at=now,
    )
    signal.petitions.set(item.petition_ids)
    audit.record(actor=actor, action="warnings.signal.raise", obj=signal, after={"key": item.key})
    timeline.record(signal, "signal.raised", signal.rule, actor=actor)
    _tell(signal)
    return True


def _tell(signal: Signal) -> None:
    """The duty of the petition office acting for the place, else its supervisors."""
    title = _("Trend signal: %(rule)s") % {"rule": signal.rule}
    offices = jurisdiction.offices_acting_as(signal.unit, lines.PETITIONS)
    for office in Unit.objects.filter(pk__in=offices).order_by("-depth", "pk"):
        if escalation.notify_duty(office, NOTIFY_KIND, title, subject=signal) is not None:
            return
    supervisors = User.objects.filter(
        is_active=True, role_grants__role=Role.SUPERVISOR, unit__in=offices
    ).distinct()
    for user in supervisors:
        notify.notify(user, NOTIFY_KIND, title, subject=signal)


# --- who sees and decides ----------------------------------------------------------------------


def visible_signals(user: User) -> QuerySet[Signal]:
    if not user.has_perm("warnings.view_signal"):
        return Signal.objects.none()
    return Signal.objects.filter(unit__in=Unit.objects.visible_to(user, lines.PETITIONS))


def may_decide(user: User, signal: Signal) -> bool:
    return bool(
        user.has_perm("warnings.decide_signal")
        and jurisdiction.oversees(user, signal.unit, lines.PETITIONS)
    )


def _decidable(signal: Signal, actor: Actor) -> Signal:
    if actor.user is None or not may_decide(actor.user, signal):
        raise PermissionDenied
    locked = Signal.objects.select_for_update().get(pk=signal.pk)
    if locked.state != Signal.State.OPEN:
        raise ValidationError({"state": [_("This signal has already been decided.")]})
    return locked


def _decided(signal: Signal, state: str, actor: Actor, action: str, code: str, text_: str) -> None:
    before = audit.snapshot(signal, ["state", "reason", "risk", "warning"])
    signal.state = state
    signal.decided_by = actor.user
    signal.decided_at = timezone.now()
    signal.save(update_fields=["state", "decided_by", "decided_at", "reason", "risk", "warning"])
    audit.record_update(actor=actor, action=action, obj=signal, before=before)
    timeline.record(signal, code, text_, actor=actor)


@transaction.atomic
def dismiss(signal: Signal, *, actor: Actor, reason: str) -> Signal:
    errors: dict[str, list[str]] = {}
    reason = read_text({"reason": reason}, "reason", errors, most=REASON_MAX)
    if errors:
        raise ValidationError(errors)
    signal = _decidable(signal, actor)
    signal.reason = reason
    _decided(
        signal,
        Signal.State.DISMISSED,
        actor,
        "warnings.signal.dismiss",
        "signal.dismissed",
        _("Dismissed: %(reason)s") % {"reason": reason},
    )
    return signal


def describe(signal: Signal) -> str:
    """The signal as words for a risk or a warning: the rule, the window and the cases'
    numbers, nothing about any petitioner."""
    lines_ = [
        signal.rule,
        _("Window: %(start)s to %(end)s; cases in the window: %(count)d.")
        % {"start": signal.window_start, "end": signal.window_end, "count": signal.count},
    ]
    if signal.baseline is not None:
        lines_.append(_("Baseline expectation: %(n).1f cases.") % {"n": signal.baseline})
    numbers = list(signal.petitions.order_by("received_at").values_list("number", flat=True)[:20])
    if numbers:
        lines_.append(_("Cases: %(numbers)s") % {"numbers": "、".join(numbers)})
    return "\n".join(lines_)


def _title(signal: Signal) -> str:
    category = signal.category.name if signal.category else ""
    what = signal.matter or category
    return (_("%(place)s: %(what)s petitions") % {"place": signal.unit.name, "what": what})[:120]


@transaction.atomic
def to_risk(signal: Signal, data: Mapping[str, Any], *, actor: Actor) -> Risk:
    """Put the signal's matter on the risk register (H3's register), and mark it."""
    from yingji.warnings.services import risks

    signal = _decidable(signal, actor)
    given = {k: v for k, v in data.items() if v not in (None, "")}
    values: dict[str, Any] = {
        "kind": Risk.Kind.RISK,
        "title": _title(signal),
        "event_type": "social.mass.petition",
        "region_code": signal.region_code,
        "description": describe(signal),
        "unit": signal.unit_id,
        "found_on": timezone.localdate(),
        **given,
    }
    risk = risks.register(values, actor=actor, source=Risk.Source.SIGNAL)
    signal.risk = risk
    _decided(
        signal,
        Signal.State.TO_RISK,
        actor,
        "warnings.signal.to_risk",
        "signal.to_risk",
        _("Turned into the risk %(number)s") % {"number": risk.number},
    )
    return risk


@transaction.atomic
def to_warning(signal: Signal, data: Mapping[str, Any], *, actor: Actor) -> Any:
    """Draft a warning from the signal (H1's drafts) for a leader to sign, and mark it."""
    from yingji.plans.models import EventType
    from yingji.warnings.services import alerts

    signal = _decidable(signal, actor)
    event_type = EventType.objects.filter(code="social.mass.petition").first()
    now = timezone.now()
    given = {k: v for k, v in data.items() if v not in (None, "")}
    values: dict[str, Any] = {
        "event_type": event_type.pk if event_type else None,
        "region_codes": [signal.region_code],
        "area_description": signal.unit.name,
        "headline": _title(signal),
        "description": describe(signal),
        "effective_at": now,
        "expires_at": now + timedelta(days=3),
        **given,
    }
    user = actor.user
    unit = signal.unit
    if user is not None and not jurisdiction.acts_as(user, unit, lines.EMERGENCY) and user.unit:
        unit = user.unit
    message = alerts.draft(values, actor=actor, unit=unit)
    signal.warning = message
    _decided(
        signal,
        Signal.State.TO_WARNING,
        actor,
        "warnings.signal.to_warning",
        "signal.to_warning",
        _("Turned into a warning draft: %(headline)s") % {"headline": message.headline},
    )
    return message


def signal_for(user: User, pk: int) -> Signal:
    """The signal, or 404 when the user may not see it."""
    from django.shortcuts import get_object_or_404

    found = visible_signals(user).select_related("unit", "category", "risk", "warning")
    return get_object_or_404(found, pk=pk)


def cases_of(signal: Signal) -> QuerySet[Petition]:
    """The signal's cases as the evidence shows them: no petitioner field is read."""
    return (
        signal.petitions.select_related("category")
        .only("pk", "number", "category__name", "region_code", "place", "received_at", "stage")
        .order_by("-received_at", "-pk")
    )


def open_first(signals: QuerySet[Signal]) -> QuerySet[Signal]:
    order = Choose(When(state=Signal.State.OPEN, then=0), default=1, output_field=IntegerField())
    return signals.annotate(closed=order).order_by("closed", "-raised_at", "-pk")


def scan_now() -> int:
    """A scan at once, for a person who asked; under the hourly job's lock, so that two
    scans never run together (0 when one is running). The scan reads bounded windows
    through indexes, so it answers in seconds at a million cases."""
    from huey.contrib.djhuey import HUEY
    from huey.exceptions import TaskLockedException

    try:
        with HUEY.lock_task("warnings-trends"):
            return scan()
    except TaskLockedException:
        return 0
