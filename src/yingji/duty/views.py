"""Duty pages: today's board, a unit's month, generating a rotation, the handover form.
The iCalendar feed needs no login: its URL carries a secret, issued from the board."""

from __future__ import annotations

import calendar as months
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from yingji import fields
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.duty import services
from yingji.duty.forms import ChangeForm, HandoverForm, RotationForm
from yingji.duty.models import ChangeRequest, FeedToken, Shift
from yingji.forms import apply_errors
from yingji.org import lines
from yingji.org.models import Person, Unit


def feed_url(request: HttpRequest, token: str) -> str:
    """The full address of a feed, as a calendar app subscribes to it."""
    return request.build_absolute_uri(reverse("duty:feed", args=[token]))


def feed(request: HttpRequest, token: str) -> HttpResponse:
    text = services.feed_for(token)
    if text is None:
        raise Http404
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """Today's duty board: who answers now for each unit of the user's jurisdiction."""
    now = timezone.now()
    rows = []
    area = Unit.objects.visible_to(request.user, lines.EMERGENCY)  # type: ignore[arg-type]
    for unit in area.order_by("path")[:200]:
        on = services.on_duty(unit, now)
        rows.append({"unit": unit, "on": on, "own": on is not None and on.unit.pk == unit.pk})
    person = request.user.person  # type: ignore[union-attr]
    link = FeedToken.objects.filter(person=person).first() if person is not None else None
    context = {"rows": rows, "now": now, "person": person, "link": link, **_feed_span()}
    return render(request, "duty/board.html", context)


def _feed_span() -> dict[str, int]:
    return {"past_days": services.FEED_PAST.days, "ahead_days": services.FEED_AHEAD.days}


@login_required
@require_POST
@never_cache
def my_feed(request: HttpRequest) -> HttpResponse:
    """Issue (or renew) the signed-in person's calendar feed link and show it, once: only
    its hash is kept, so the page is not stored and a lost link is renewed."""
    person = request.user.person  # type: ignore[union-attr]
    if person is None:
        messages.error(
            request,
            _(
                "Your account is not linked to a person in the directory, so it has no "
                "shifts to subscribe to. Ask your administrator to link it."
            ),
        )
        return redirect("duty:board")
    token = services.new_feed_token(actor=Actor.from_request(request), person=person)
    context = {"url": feed_url(request, token), **_feed_span()}
    return render(request, "duty/feed_link.html", context)


def _unit_for(request: HttpRequest, pk: int) -> Unit:
    return get_object_or_404(Unit.objects.visible_to(request.user, lines.EMERGENCY), pk=pk)  # type: ignore[arg-type]


def _roster_keeper_of(request: HttpRequest) -> QuerySet[Unit]:
    """Rosters are kept by the unit and those acting as it; a level above reads them."""
    return Unit.objects.acting_for(request.user, lines.EMERGENCY)  # type: ignore[arg-type]


def _keeps_roster(request: HttpRequest, unit_pk: int) -> bool:
    return _roster_keeper_of(request).filter(pk=unit_pk).exists()


@login_required
def month(request: HttpRequest, pk: int, year: int, number: int) -> HttpResponse:
    unit = _unit_for(request, pk)
    if not 1 <= number <= 12 or not 2000 <= year <= 2100:
        raise Http404
    zone = clock.office_zone()
    first = date(year, number, 1)
    last = date(year, number, months.monthrange(year, number)[1])
    shifts = (
        Shift.objects.filter(
            unit=unit,
            starts_at__gte=datetime.combine(first, time.min, tzinfo=zone),
            starts_at__lt=datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone),
        )
        .prefetch_related("members__person")
        .order_by("starts_at")
    )
    by_day: dict[date, list[Shift]] = {}
    for shift in shifts:
        by_day.setdefault(timezone.localtime(shift.starts_at, zone).date(), []).append(shift)
    weeks = [
        [
            {"day": day, "shifts": by_day.get(day, [])} if day.month == number else None
            for day in week
        ]
        for week in months.Calendar().monthdatescalendar(year, number)
    ]
    may_plan = request.user.has_perm("duty.approve_change") and _keeps_roster(request, unit.pk)
    form = None
    if may_plan:
        people = Person.objects.filter(unit__in=Unit.objects.subtree(unit)).order_by("name")
        form = RotationForm(
            request.POST or None, people=people, initial={"first": first, "last": last}
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            rotation = services.Rotation(
                starts=data["starts"],
                hours=24 if data["period"] == "daily" else 24 * 7,
                period=data["period"],
                leaders=list(data["leaders"]),
                officers=list(data["officers"]),
                officers_per_shift=data["officers_per_shift"],
                backups=list(data["backups"]),
            )
            try:
                made = services.generate(
                    unit, data["first"], data["last"], rotation, actor=Actor.from_request(request)
                )
            except ValidationError as error:
                apply_errors(form, error.message_dict)
            else:
                messages.success(request, _("%(n)d shifts made.") % {"n": len(made)})
                for warning in services.warnings_for(unit, made):
                    messages.warning(request, warning)
                return redirect("duty:month", unit.pk, year, number)
    elif request.method == "POST":
        raise PermissionDenied
    previous = first - timedelta(days=1)
    following = last + timedelta(days=1)
    context: dict[str, Any] = {
        "unit": unit,
        "first": first,
        "weeks": weeks,
        "weekdays": [date(2026, 11, 2) + timedelta(days=d) for d in range(7)],
        "previous": previous,
        "following": following,
        "form": form,
        "now": timezone.now(),
        "waiting": ChangeRequest.objects.filter(
            shift__unit=unit, state=ChangeRequest.State.PENDING
        ).count(),
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "duty/month.html", context, status=status)


@login_required
def this_month(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    return redirect("duty:month", pk, today.year, today.month)


@login_required
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    shift = _visible_shift(request, pk, keep=True)
    if not request.user.has_perm("duty.change_shift"):
        raise PermissionDenied
    carried = services.carried_over(shift)
    form = HandoverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        closed = fields.ids_of(request.POST.getlist("closed"))
        try:
            services.hand_over(
                shift,
                summary=form.cleaned_data["summary"],
                open_matters=form.cleaned_data["open_matters"].splitlines(),
                closed=closed,
                actor=Actor.from_request(request),
            )
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(request, _("The shift is handed over."))
            local = timezone.localtime(shift.starts_at)
            return redirect("duty:month", shift.unit_id, local.year, local.month)
    status = 400 if form.errors else 200
    context = {"shift": shift, "form": form, "carried": carried}
    return render(request, "duty/handover.html", context, status=status)


def roster_message(unit: Unit) -> str:
    return _("%(unit)s keeps this roster; a level above reads it.") % {"unit": unit.name}


def _visible_shift(request: HttpRequest, pk: int, *, keep: bool = False) -> Shift:
    units = Unit.objects.visible_to(request.user, lines.EMERGENCY)  # type: ignore[arg-type]
    shift = get_object_or_404(Shift.objects.filter(unit__in=units), pk=pk)
    if keep and not _keeps_roster(request, shift.unit_id):
        raise PermissionDenied(roster_message(shift.unit))
    return shift


@login_required
def change(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for someone to take a member's place on a shift; a leader decides."""
    shift = _visible_shift(request, pk, keep=True)
    if not request.user.has_perm("duty.change_shift"):
        raise PermissionDenied
    people = (
        Person.objects.filter(unit__in=Unit.objects.subtree(shift.unit), is_active=True)
        .exclude(pk__in=shift.members.values("person"))
        .order_by("name")
    )
    form = ChangeForm(request.POST or None, shift=shift, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_change(
                shift,
                member=form.cleaned_data["member"],
                replacement=form.cleaned_data["replacement"],
                reason=form.cleaned_data["reason"],
                actor=Actor.from_request(request),
            )
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(request, _("The request is sent to the leaders for approval."))
            return redirect("duty:changes")
    status = 400 if form.errors else 200
    return render(request, "duty/change.html", {"shift": shift, "form": form}, status=status)


@login_required
def changes(request: HttpRequest) -> HttpResponse:
    """Changes of duty in the user's jurisdiction: those waiting, then the last decided."""
    units = Unit.objects.visible_to(request.user, lines.EMERGENCY)  # type: ignore[arg-type]
    mine = ChangeRequest.objects.filter(shift__unit__in=units).select_related(
        "shift__unit",
        "member__person",
        "person",
        "replacement",
        "requested_by",
        "decided_by",
    )
    waiting = mine.filter(state=ChangeRequest.State.PENDING).order_by("shift__starts_at", "pk")
    decided = mine.exclude(state=ChangeRequest.State.PENDING).order_by("-decided_at", "-pk")
    may_decide = request.user.has_perm("duty.approve_change")
    # A level above reads its units' changes; those who keep the roster decide them
    # (the rule decide() applies through _visible_shift).
    decidable = (
        set(waiting.filter(shift__unit__in=_roster_keeper_of(request)).values_list("pk", flat=True))
        if may_decide
        else set()
    )
    context = {
        "waiting": waiting[:200],
        "decided": decided[:30],
        "may_decide": may_decide,
        "decidable": decidable,
    }
    return render(request, "duty/changes.html", context)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    units = Unit.objects.visible_to(request.user, lines.EMERGENCY)  # type: ignore[arg-type]
    change_request = get_object_or_404(ChangeRequest.objects.filter(shift__unit__in=units), pk=pk)
    _visible_shift(request, change_request.shift_id, keep=True)
    approve = request.POST.get("decision") == "approve"
    try:
        services.decide_change(change_request, approve=approve, actor=Actor.from_request(request))
    except ValidationError as error:
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(request, _("Approved.") if approve else _("Refused."))
    return redirect("duty:changes")
