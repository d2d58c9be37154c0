"""Pages of trend signals, under /warnings/signals/: the list (open first, filtered by
kind and state) and a signal with its evidence (the rule that fired, the daily counts
as a table and a small chart, the baseline and the limit, the cases as links) and the
forms to dismiss it with a reason or turn it into a risk or a warning draft. Thin:
services/trends.py validates and writes. No page shows any petitioner field."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.clock import moments
from yingji.warnings.models import Risk, Signal, WarningMessage
from yingji.warnings.services import trends

PER_PAGE = 50
CHART_WIDTH, CHART_HEIGHT = 600, 120


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
def signal_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.has_perm("warnings.view_signal"):
        raise PermissionDenied
    found = trends.visible_signals(user).select_related("unit", "category")
    kind = request.GET.get("kind", "")
    state = request.GET.get("state", "")
    if kind in Signal.Kind.values:
        found = found.filter(kind=kind)
    if state in Signal.State.values:
        found = found.filter(state=state)
    page = Paginator(trends.open_first(found), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "warnings/signals.html",
        {
            "page": page,
            "kinds": Signal.Kind.choices,
            "states": Signal.State.choices,
            "chosen": {"kind": kind, "state": state},
            "query_without_page": query.urlencode(),
            "may_scan": user.has_perm("warnings.decide_signal"),
        },
    )


def chart(daily: list[list[Any]], window_start: str, baseline_until: str = "") -> dict[str, Any]:
    """The daily counts as bars of an inline SVG, the window's days marked, and the days
    after the baseline's end but before a shorter window (counted in neither) apart."""
    if not daily:
        return {"bars": [], "width": CHART_WIDTH, "height": CHART_HEIGHT}
    most = max(int(count) for _day, count in daily) or 1
    step = CHART_WIDTH / len(daily)
    bars = []
    for index, (day, count) in enumerate(daily):
        height = round(int(count) / most * (CHART_HEIGHT - 10), 1)
        bars.append(
            {
                "x": round(index * step, 1),
                "y": round(CHART_HEIGHT - height, 1),
                "w": max(1.0, round(step - 1, 1)),
                "h": height,
                "day": day,
                "count": count,
                "recent": str(day) >= window_start,
                "between": bool(baseline_until) and baseline_until <= str(day) < window_start,
            }
        )
    gap = any(bar["between"] for bar in bars)
    return {"bars": bars, "width": CHART_WIDTH, "height": CHART_HEIGHT, "most": most, "gap": gap}


def _chance(value: Any) -> str:
    """A probability as the evidence shows it: three decimals, or the power of ten of a
    small one (a surge's p is often below a millionth)."""
    if not isinstance(value, int | float):
        return ""
    return f"{value:.3f}" if value >= 0.001 else f"{value:.1e}"


def _detail(
    request: HttpRequest,
    signal: Signal,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, Any] | None = None,
) -> HttpResponse:
    user = _user(request)
    daily = signal.evidence.get("daily", [])
    context = {
        "signal": signal,
        "cases": list(trends.cases_of(signal)),
        "daily": daily,
        "chart": chart(
            daily, signal.window_start.isoformat(), signal.evidence.get("baseline_until", "")
        ),
        "evidence": signal.evidence,
        "chances": {
            name: _chance(signal.evidence.get(key))
            for name, key in (("p", "p_value"), ("family", "family_p"), ("alpha", "alpha"))
        },
        "may_decide": signal.state == Signal.State.OPEN and trends.may_decide(user, signal),
        "may_warn": signal.state == Signal.State.OPEN and trends.may_draft_warning(user, signal),
        "risk_levels": Risk.Level.choices,
        "warning_levels": WarningMessage.Level.choices,
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "warnings/signal.html", context, status=400 if errors else 200)


@login_required
def signal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, trends.signal_for(_user(request), pk))


def _decide(request: HttpRequest, pk: int, how: str) -> HttpResponse:
    user = _user(request)
    signal = trends.signal_for(user, pk)
    allowed = trends.may_draft_warning if how == "warning" else trends.may_decide
    if not allowed(user, signal):
        raise PermissionDenied  # before the form is read: a refusal, whatever was sent
    actor = Actor.from_request(request)
    post = request.POST
    try:
        if how == "dismiss":
            trends.dismiss(signal, actor=actor, reason=post.get("reason", ""))
            messages.success(request, _("The signal is dismissed."))
        elif how == "risk":
            risk = trends.to_risk(signal, _risk_data(post), actor=actor)
            messages.success(
                request, _("The risk %(number)s is registered.") % {"number": risk.number}
            )
        else:
            trends.to_warning(signal, _warning_data(post), actor=actor)
            messages.success(request, _("A warning draft is made for the leader to sign."))
    except ValidationError as error:
        return _detail(request, signal, error.message_dict, post.dict())
    return redirect(signal.get_absolute_url())


def _risk_data(post: Any) -> dict[str, Any]:
    return {
        "level": post.get("level", ""),
        "title": post.get("title", ""),
        "measures": post.get("measures", ""),
    }


def _warning_data(post: Any) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {
        "level": post.get("warning_level", ""),
        "headline": post.get("headline", ""),
        "instruction": post.get("instruction", ""),
    }
    if post.get("expires_at"):
        data["expires_at"] = moments.read(post.get("expires_at"), "expires_at", errors)
    if errors:
        raise ValidationError(errors)
    return data


@login_required
@require_POST
def signal_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "dismiss")


@login_required
@require_POST
def signal_to_risk(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "risk")


@login_required
@require_POST
def signal_to_warning(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "warning")


@login_required
@require_POST
def signal_scan(request: HttpRequest) -> HttpResponse:
    if not _user(request).has_perm("warnings.decide_signal"):
        raise PermissionDenied
    written = trends.scan_now()
    messages.success(request, _("Scan done: %(n)d signals raised or updated.") % {"n": written})
    return redirect("warnings:signals")


routes = [
    path("signals/", signal_list, name="signals"),
    path("signals/scan/", signal_scan, name="signal_scan"),
    path("signals/<id:pk>/", signal_detail, name="signal"),
    path("signals/<id:pk>/dismiss/", signal_dismiss, name="signal_dismiss"),
    path("signals/<id:pk>/to-risk/", signal_to_risk, name="signal_to_risk"),
    path("signals/<id:pk>/to-warning/", signal_to_warning, name="signal_to_warning"),
]
