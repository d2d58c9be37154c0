"""Trend signals over the API, at /warning-signals: the list and one signal with its
evidence, and a person's decision on it (dismiss with a reason, turn it into a risk or a
warning draft); a scan now for those who decide. Thin: services/trends.py validates.
No answer holds any petitioner field: the cases are their numbers, places and dates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from yingji import paging
from yingji.api_errors import READ_ERRORS, ErrorOut
from yingji.audit.services import Actor
from yingji.fields import Day, Id, Moment, Offset, PathId, Text
from yingji.warnings.models import Signal
from yingji.warnings.services import trends

router = Router(tags=["warning-signals"])
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}
KINDS = "^(|" + "|".join(Signal.Kind.values) + ")$"
STATES = "^(|" + "|".join(Signal.State.values) + ")$"


class SignalCaseOut(Schema):
    id: int
    number: str
    category: str
    region_code: str
    place: str
    received_at: datetime
    stage: str


class SignalOut(Schema):
    id: int
    kind: str
    state: str
    unit: int
    unit_name: str
    region_code: str
    category: int | None
    category_name: str
    matter: str
    window_start: date
    window_end: date
    count: int
    baseline: float | None
    limit: float | None
    rule: str
    raised_at: datetime
    updated_at: datetime
    reason: str
    decided_at: datetime | None
    risk: int | None
    warning: int | None


class SignalDetailOut(SignalOut):
    evidence: dict[str, Any]
    cases: list[SignalCaseOut]


class SignalPage(Schema):
    items: list[SignalOut]
    offset: int
    limit: int
    has_more: bool


class SignalFilter(Schema):
    kind: str = Field("", pattern=KINDS, max_length=12)
    state: str = Field("", pattern=STATES, max_length=10)
    offset: Offset = 0
    limit: int = Field(50, ge=1, le=200)


class SignalDismissIn(Schema):
    reason: Text = Field(..., max_length=trends.REASON_MAX)


class SignalRiskIn(Schema):
    level: str = Field(..., pattern="^(major|large|general|low)$", max_length=8)
    title: Text = Field("", max_length=120)
    measures: Text = Field("", max_length=5000)
    unit: Id | None = Field(None, description="the responsible unit; default: the place's")
    due_on: Day | None = None


class SignalWarningIn(Schema):
    level: int = Field(..., ge=1, le=4, description="1 red … 4 blue")
    headline: Text = Field("", max_length=120)
    instruction: Text = Field("", max_length=5000)
    expires_at: Moment | None = Field(None, description="default: three days from now")


class SignalScanOut(Schema):
    written: int


def _out(signal: Signal) -> dict[str, Any]:
    return {
        "id": signal.pk,
        "kind": signal.kind,
        "state": signal.state,
        "unit": signal.unit_id,
        "unit_name": signal.unit.name,
        "region_code": signal.region_code,
        "category": signal.category_id,
        "category_name": signal.category.name if signal.category else "",
        "matter": signal.matter,
        "window_start": signal.window_start,
        "window_end": signal.window_end,
        "count": signal.count,
        "baseline": signal.baseline,
        "limit": signal.limit,
        "rule": signal.rule,
        "raised_at": signal.raised_at,
        "updated_at": signal.updated_at,
        "reason": signal.reason,
        "decided_at": signal.decided_at,
        "risk": signal.risk_id,
        "warning": signal.warning_id,
    }


def _detail(signal: Signal) -> SignalDetailOut:
    cases = [
        SignalCaseOut(
            id=p.pk,
            number=p.number,
            category=p.category.name,
            region_code=p.region_code,
            place=p.place,
            received_at=p.received_at,
            stage=p.stage,
        )
        for p in trends.cases_of(signal)
    ]
    return SignalDetailOut(**_out(signal), evidence=signal.evidence, cases=cases)


def _signal(request: HttpRequest, pk: int) -> Signal:
    return trends.signal_for(request.auth, pk)  # type: ignore[attr-defined]


@router.get(
    "/warning-signals",
    response={200: SignalPage, **WRITE_ERRORS},
    summary="Trend signals in my jurisdiction, open first",
)
def list_signals(request: HttpRequest, filters: Query[SignalFilter]) -> SignalPage:
    user = request.auth  # type: ignore[attr-defined]
    if not user.has_perm("warnings.view_signal"):
        raise PermissionDenied
    found = trends.visible_signals(user).select_related("unit", "category")
    if filters.kind:
        found = found.filter(kind=filters.kind)
    if filters.state:
        found = found.filter(state=filters.state)
    rows, has_more = paging.from_queryset(trends.open_first(found), filters.offset, filters.limit)
    return SignalPage(
        items=[SignalOut(**_out(s)) for s in rows],
        offset=filters.offset,
        limit=filters.limit,
        has_more=has_more,
    )


@router.post(
    "/warning-signals/scan",
    response={200: SignalScanOut, **WRITE_ERRORS},
    summary="Scan the petition trends now (those who decide on signals)",
)
def scan_now(request: HttpRequest) -> SignalScanOut:
    if not request.auth.has_perm("warnings.decide_signal"):  # type: ignore[attr-defined]
        raise PermissionDenied
    return SignalScanOut(written=trends.scan_now())


@router.get(
    "/warning-signals/{signal_id}",
    response={200: SignalDetailOut, **READ_ERRORS},
    summary="A trend signal with its evidence: the rule, the counts and the cases",
)
def detail(request: HttpRequest, signal_id: PathId) -> SignalDetailOut:
    return _detail(_signal(request, signal_id))


@router.post(
    "/warning-signals/{signal_id}/dismiss",
    response={200: SignalDetailOut, **WRITE_ERRORS},
    summary="Dismiss a signal, with the reason",
)
def dismiss(request: HttpRequest, signal_id: PathId, payload: SignalDismissIn) -> SignalDetailOut:
    signal = _signal(request, signal_id)
    decided = trends.dismiss(signal, actor=Actor.from_request(request), reason=payload.reason)
    return _detail(trends.signal_for(request.auth, decided.pk))  # type: ignore[attr-defined]


@router.post(
    "/warning-signals/{signal_id}/to-risk",
    response={200: SignalDetailOut, **WRITE_ERRORS},
    summary="Put the signal's matter on the risk register",
)
def to_risk(request: HttpRequest, signal_id: PathId, payload: SignalRiskIn) -> SignalDetailOut:
    signal = _signal(request, signal_id)
    trends.to_risk(signal, payload.dict(), actor=Actor.from_request(request))
    return _detail(trends.signal_for(request.auth, signal.pk))  # type: ignore[attr-defined]


@router.post(
    "/warning-signals/{signal_id}/to-warning",
    response={200: SignalDetailOut, **WRITE_ERRORS},
    summary="Draft a warning from the signal, for a leader to sign",
)
def to_warning(
    request: HttpRequest, signal_id: PathId, payload: SignalWarningIn
) -> SignalDetailOut:
    signal = _signal(request, signal_id)
    data = payload.dict()
    if data.get("expires_at") is None:
        data.pop("expires_at", None)
    elif data["expires_at"] <= timezone.now():
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError({"expires_at": [_("The expiry must be in the future.")]})
    trends.to_warning(signal, data, actor=Actor.from_request(request))
    return _detail(trends.signal_for(request.auth, signal.pk))  # type: ignore[attr-defined]
