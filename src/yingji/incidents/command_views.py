"""The commander's acts beyond the plan, from the board: a task for anyone the incident
reaches, and a leader's instruction (领导批示). A refusal shows the board again with the
typed values and the errors beside their fields."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji import fields
from yingji.audit.services import Actor
from yingji.incidents import services
from yingji.incidents.command_forms import InstructionForm, InviteForm, TaskForm
from yingji.incidents.models import Incident, TeamGroup
from yingji.incidents.services import tasking
from yingji.incidents.views import _board_form, _errors_to_messages, _incident


@login_required
@require_POST
def add_task(request: HttpRequest, pk: int) -> HttpResponse:
    """The commander gives a task beyond the plan."""
    incident = _incident(request, pk)
    form = TaskForm(request.POST, holders=tasking.holders_for(incident))
    return _board_form(
        request,
        incident,
        form,
        "task_form",
        lambda data: services.add_task(incident, data, actor=Actor.from_request(request)),
        _("The task is given; its holder is told."),
    )


@login_required
@require_POST
def add_instruction(request: HttpRequest, pk: int) -> HttpResponse:
    """A leader's instruction (领导批示), recorded and given as a task."""
    incident = _incident(request, pk)
    form = InstructionForm(request.POST, holders=tasking.holders_for(incident))
    return _board_form(
        request,
        incident,
        form,
        "instruction_form",
        lambda data: services.record_instruction(incident, data, actor=Actor.from_request(request)),
        _("The instruction is recorded and given as a task."),
    )


def invite_form(incident: Incident, data: Any = None) -> InviteForm:
    units = tasking.reach(incident).order_by("path")[:300]
    return InviteForm(
        data,
        groups=[(str(g.pk), g.name) for g in incident.groups.all()],
        units=[(str(u.pk), u.name) for u in units],
    )


@login_required
@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Someone outside yingji, invited by phone or e-mail into a group."""
    incident = _incident(request, pk)
    form = invite_form(incident, request.POST)

    def act(data: dict[str, Any]) -> object:
        group = incident.groups.get(pk=int(data["group"]))
        return services.invite(group, data, actor=Actor.from_request(request))

    return _board_form(
        request,
        incident,
        form,
        "invite_form",
        act,
        _("They are in the group and told by SMS and e-mail."),
    )


@login_required
@require_POST
def group_people(request: HttpRequest, pk: int) -> HttpResponse:
    """The commander names a group's lead and members."""
    from yingji.accounts.models import User

    group = get_object_or_404(TeamGroup, pk=pk)
    incident = _incident(request, group.incident_id)
    users = User.objects.filter(is_active=True)
    lead_id = (request.POST.get("lead") or "").strip()
    lead = users.filter(pk=lead_pk).first() if (lead_pk := fields.id_of(lead_id)) else None
    ids = fields.ids_of(request.POST.getlist("members"))
    members = list(users.filter(pk__in=ids))
    if (lead_id and lead is None) or len(members) != len(set(ids)):
        # Someone who does not exist (or left): nothing changes, the commander chooses again.
        messages.error(request, _("Choose the lead and members from the list."))
        return redirect("incidents:board", incident.pk)
    try:
        services.set_group_people(
            group,
            lead=lead,
            members=members,
            actor=Actor.from_request(request),
        )
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, _("The group's people are saved."))
    return redirect("incidents:board", incident.pk)
