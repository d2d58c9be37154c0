"""Teams and experts, and the audited look at a contact."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.audit.services import Actor
from yingji.forms import apply_errors
from yingji.resources import people
from yingji.resources.forms import ExpertForm, TeamForm
from yingji.resources.models import Expert, Team
from yingji.resources.views.common import (
    active_unless_asked,
    home_unit,
    retired_asked,
    units_of,
)


@login_required
def teams(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            people.add_team(
                form.cleaned_data, unit=home_unit(request), actor=Actor.from_request(request)
            )
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(request, _("The team is added."))
            return redirect("resources:teams")
    context = {
        "teams": active_unless_asked(
            request, Team.objects.filter(unit__in=units_of(request)).select_related("unit")
        ),
        "retired": retired_asked(request),
        "form": form,
        "may_keep": request.user.has_perm("resources.keep_teams"),
    }
    return render(request, "resources/teams.html", context, status=400 if form.errors else 200)


@login_required
def experts(request: HttpRequest) -> HttpResponse:
    form = ExpertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            people.add_expert(
                form.cleaned_data, unit=home_unit(request), actor=Actor.from_request(request)
            )
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(request, _("The expert is added."))
            return redirect("resources:experts")
    field = request.GET.get("field", "")
    found = active_unless_asked(
        request, Expert.objects.filter(unit__in=units_of(request)).select_related("unit")
    )
    if field:
        found = found.filter(field=field)
    context = {
        "experts": found,
        "retired": retired_asked(request),
        "form": form,
        "fields": Expert.FIELDS,
        "field": field,
        "may_keep": request.user.has_perm("resources.keep_teams"),
    }
    return render(request, "resources/experts.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def reveal(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    subject: Team | Expert
    if kind == "team":
        subject = get_object_or_404(Team.objects.filter(unit__in=units_of(request)), pk=pk)
    else:
        subject = get_object_or_404(Expert.objects.filter(unit__in=units_of(request)), pk=pk)
    try:
        values = people.reveal(
            subject, actor=Actor.from_request(request), reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
        return redirect("resources:teams" if kind == "team" else "resources:experts")
    return render(request, "resources/contact.html", {"subject": subject, "values": values})
