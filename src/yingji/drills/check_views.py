"""Pages of the plan familiarity check (熟悉预案测验): a participant takes their check on
a phone, and the scores by group and by unit for those who may see them (names only
for leaders, of the people they lead)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.drills import access, familiarity, familiarity_scores
from yingji.drills.models import Drill


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _page(
    request: HttpRequest,
    drill: Drill,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    return render(request, "drills/check.html", {"drill": drill, **context}, status=status)


@login_required
def check(request: HttpRequest, pk: int) -> HttpResponse:
    """The user's check: generated on first opening, answered once, then its result
    with the right answers."""
    drill = access.drill_for(_user(request), pk)
    actor = Actor.from_request(request)
    try:
        found = familiarity.start_check(drill, actor=actor)
    except ValidationError as exc:
        return _page(request, drill, {"refused": exc.messages}, status=400)
    errors: dict[str, list[str]] = {}
    chosen: dict[int, str] = {}
    if request.method == "POST":
        raw = [request.POST.get(f"q{i}") for i in range(len(found.questions))]
        chosen = {i: value for i, value in enumerate(raw) if value is not None}
        try:
            familiarity.take_check(drill, raw, actor=actor)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("Your answers are in. Your result is below."))
            return redirect("drills:check", drill.pk)
    questions = [
        {
            "shown": shown,
            "errors": errors.get(f"answers[{shown.number - 1}]", []),
            "chosen": chosen.get(shown.number - 1, ""),
        }
        for shown in familiarity.shown(found)
    ]
    general = [m for key, ms in errors.items() if not key.startswith("answers[") for m in ms]
    context = {
        "check": found,
        "questions": questions,
        "general": general,
        "has_errors": bool(errors),
        "percent": familiarity_scores.percent(found.score, found.total),
        "reveals": familiarity.reveals(found),
        "pass_percent": familiarity_scores.pass_percent(),
    }
    return _page(request, drill, context, status=400 if errors else 200)


@login_required
def scores(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    drill = access.drill_for(user, pk)
    seen = familiarity_scores.scores_visible_to(drill, user)
    if seen is None:
        familiarity_scores.refuse_figures()
    context = {
        "drill": drill,
        "scores": seen,
        "is_leader": familiarity_scores.is_leader(user),
        "min_shown": familiarity_scores.MIN_SHOWN,
    }
    return render(request, "drills/scores.html", context)


routes = [
    path("<id:pk>/check/", check, name="check"),
    path("<id:pk>/scores/", scores, name="scores"),
]
