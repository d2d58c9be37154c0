"""The drill calendar (the app's home), a unit's annual drill programme (年度演练计划) with
its Excel copy, and the iCalendar feed of a person's drills.

The feed needs no login: calendar apps cannot sign in. It opens with the person's duty
calendar secret (duty.FeedToken), so one link renewal serves both feeds.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from yingji import fields
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.drills import access, programme
from yingji.drills.models import Drill
from yingji.duty import services as duty
from yingji.duty.models import FeedToken
from yingji.org.models import Unit


def _year(raw: str | None) -> tuple[int, str]:
    """The year asked for, or this year with a message for one that is not a year."""
    if not raw:
        return programme.this_year(), ""
    year = fields.whole_number(raw, most=programme.LAST_YEAR)
    if year is None or year < programme.FIRST_YEAR:
        return programme.this_year(), programme.year_message()
    return year, ""


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def feed_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("drills:feed", args=[token]))


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """The drills the user sees in a year, by month: soonest first, the coming week's
    highlighted; filtered by organising unit and state."""
    user = _user(request)
    year, year_error = _year(request.GET.get("year"))
    organisers = programme.organisers_for(user)
    unit_id = fields.id_of(request.GET.get("unit"))
    unit = next((u for u in organisers if u.pk == unit_id), None) if unit_id else None
    state = request.GET.get("state", "")
    if state not in Drill.State.values:
        state = ""
    found = list(
        programme.calendar_drills(user, year=year, unit=unit, state=state)[: programme.MOST]
    )
    now = timezone.now()
    months = [
        {
            "number": month.number,
            "rows": [
                {
                    "drill": drill,
                    "soon": programme.is_soon(drill, now),
                    "versions": programme.plans_of(drill),
                }
                for drill in month.drills
            ],
        }
        for month in programme.by_month(found)
    ]
    person = user.person
    context: dict[str, Any] = {
        "year": year,
        "year_error": year_error,
        "previous_year": year - 1 if year > programme.FIRST_YEAR else None,
        "next_year": year + 1 if year < programme.LAST_YEAR else None,
        "first_year": programme.FIRST_YEAR,
        "last_year": programme.LAST_YEAR,
        "months": months,
        "count": len(found),
        "more": len(found) >= programme.MOST,
        "organisers": organisers,
        "states": Drill.State.choices,
        "chosen": {"unit": unit.pk if unit else None, "state": state},
        "may_plan": access.may_plan(user),
        "person": person,
        "link": FeedToken.objects.filter(person=person).first() if person is not None else None,
        "past_days": programme.FEED_PAST.days,
        "ahead_days": programme.FEED_AHEAD.days,
    }
    return render(request, "drills/calendar.html", context)


def _programme_of(request: HttpRequest) -> programme.Programme:
    """The programme asked for: a unit of the user's emergency jurisdiction (their own
    unless named; 404 for one outside it) and a year."""
    user = _user(request)
    raw = request.GET.get("unit")
    if raw:
        unit_id = fields.id_of(raw)
        if unit_id is None:
            raise Http404
        unit: Unit | None = get_object_or_404(programme.programme_units(user), pk=unit_id)
    else:
        unit = programme.default_unit(user)
        if unit is None or not programme.programme_units(user).filter(pk=unit.pk).exists():
            raise Http404
    assert unit is not None
    year, _error = _year(request.GET.get("year"))
    return programme.programme(user, unit, year)


@login_required
def programme_page(request: HttpRequest) -> HttpResponse:
    """A unit's annual drill programme: its drills of the year by month and its plans
    whose drill falls due that year or is overdue. Prints as it shows."""
    found = _programme_of(request)
    _year_value, year_error = _year(request.GET.get("year"))
    user = _user(request)
    context = {
        "programme": found,
        "year_error": year_error,
        "units": programme.programme_units(user)
        .order_by("path")
        .only("pk", "name", "path")[: programme.MOST],
        "first_year": programme.FIRST_YEAR,
        "last_year": programme.LAST_YEAR,
        "previous_year": found.year - 1 if found.year > programme.FIRST_YEAR else None,
        "next_year": found.year + 1 if found.year < programme.LAST_YEAR else None,
        "may_plan": access.may_plan(user, unit=found.unit),
    }
    return render(request, "drills/programme.html", context)


@login_required
def programme_xlsx(request: HttpRequest) -> HttpResponse:
    found = _programme_of(request)
    response = HttpResponse(
        programme.to_xlsx(found),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"{found.unit.name}-{found.year}年度演练计划.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@require_POST
@never_cache
def my_feed(request: HttpRequest) -> HttpResponse:
    """Issue (or renew) the signed-in person's calendar secret and show the drills feed's
    address once, with the duty feed's: the secret is the same, so the old links of both
    stop working."""
    person = _user(request).person
    if person is None:
        messages.error(
            request,
            _(
                "Your account is not linked to a person in the directory, so it has no "
                "calendar link. Ask your administrator to link it."
            ),
        )
        return redirect("drills:calendar")
    token = duty.new_feed_token(actor=Actor.from_request(request), person=person)
    context = {
        "url": feed_url(request, token),
        "duty_url": request.build_absolute_uri(reverse("duty:feed", args=[token])),
        "past_days": programme.FEED_PAST.days,
        "ahead_days": programme.FEED_AHEAD.days,
    }
    return render(request, "drills/feed_link.html", context)


def feed(request: HttpRequest, token: str) -> HttpResponse:
    text = programme.feed_for(token)
    if text is None:
        raise Http404
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


routes = [
    path("", calendar, name="calendar"),
    path("programme/", programme_page, name="programme"),
    path("programme/programme.xlsx", programme_xlsx, name="programme_xlsx"),
    path("feed/mine/", my_feed, name="my_feed"),
    path("feed/<str:token>.ics", feed, name="feed"),
]
