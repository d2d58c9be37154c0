"""Early warning from petition trends (信访风险预警): signals about matters and places.

A scan (the hourly job, or at once when asked) looks at the petitions received lately
and raises or updates three kinds of signal, with thresholds from ``settings.TREND``:

- **surge** (同类激增): for each category and place (a township: the first 9 digits of
  the case's division code; a county: the first 6), the count of new cases (each
  petitioner once) in the last 1, 2, ... up to ``window_days`` days against the place's
  own baseline, the ``baseline_days`` days before the longest window. The expected
  count is the baseline's rate over the window, a rest day (weekend or holiday, by the
  official calendar) weighed as the baseline's rest days were against its working
  days, city-wide; the test is Poisson's upper tail, P(X >= count | expected), with at
  least ``surge_min_cases`` cases and at least ``SURGE_RATIO`` times the expected
  count, and the window least likely by chance speaks for the place. The exact chance
  that any of the place's windows is as unlikely (the windows are nested, so it is
  computed day by day, not summed) must fall below ``surge_false_per_1000_scans`` /
  1000 divided by the number of places and categories the scan tests (Bonferroni), so
  that a scan raises a false surge with at most that chance however large the
  jurisdiction.
  The rate has a floor of ``RATE_FLOOR`` cases per baseline period, so that a place
  without history is judged against a small rate, not against nothing. A county whose
  surge is one of its townships' (the township raised for the same category in the
  same scan, and the county's count without it would not fire) is left to the
  township's signal.
- **cluster** (同一事项聚集): within ``cluster_days`` days, in one township and category,
  cases of one matter: cases that all hold one word the category's cases elsewhere
  seldom hold (the matter's name: a company, an estate, a road; rarity counted over the
  category's newest ``MAX_REFERENCE`` cases of a year) and whose words are alike by the
  similar-case detection's measure and threshold. A matter is a
  signal with ``cluster_cases`` cases or more (each petitioner's first
  ``PER_PETITIONER`` count) from ``cluster_petitioners`` distinct petitioners or more
  (distinct by the keyed hashes, counted, never shown), while it grows: more cases in
  the second half of the window than in the first, or cases its open signal does not
  hold yet.
- **collective** (集体访): ``collective_visits`` or more collective visits (to the office,
  by several people) in ``collective_days`` days about one matter in one township and
  category, grouped into matters the same way.

One person petitioning often is never a signal: a surge counts each petitioner of the
window once, and a matter counts distinct petitioners and at most ``PER_PETITIONER`` cases
of each. Drill cases never count. A signal holds
the category, the place, counts and the cases, and nothing that names or counts a
petitioner beyond that one number.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case as Choose
from django.db.models import IntegerField, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.fields import read_text
from yingji.notify import escalation
from yingji.notify import services as notify
from yingji.org import jurisdiction, lines
from yingji.org.models import Unit
from yingji.petitions.models import Petition
from yingji.timeline import services as timeline
from yingji.warnings.models import Risk, Signal
from yingji.warnings.services.matters import _open_for, clusters, collective_visits
from yingji.warnings.services.surges import surges
from yingji.warnings.services.trend_rules import NOTIFY_KIND, REASON_MAX, Found

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


def _warning_unit(user: User | None, signal: Signal) -> Unit:
    """The unit a warning drafted from the signal is issued by: the signal's, when the
    user acts for it in emergency work, else the user's own."""
    unit = signal.unit
    if user is not None and not jurisdiction.acts_as(user, unit, lines.EMERGENCY) and user.unit:
        return user.unit
    return unit


def may_draft_warning(user: User, signal: Signal) -> bool:
    """Whether the signal's decider may also draft a warning from it (a petition office's
    supervisor decides signals but drafts no warnings)."""
    from yingji.warnings.services import alerts

    return may_decide(user, signal) and alerts.may_draft(user, _warning_unit(user, signal))


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
    message = alerts.draft(values, actor=actor, unit=_warning_unit(actor.user, signal))
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
