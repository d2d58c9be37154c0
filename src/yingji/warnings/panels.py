"""Prevention's panels of the workbench: the warnings in force in the user's area (for
everyone in emergency work), the warnings awaiting a leader's signature, the hazards
whose remediation falls due, the user's inspection rounds, and the open trend signals
for the petition office. Each reads one list, as the workbench asks (see workbench.py),
and leads to the list behind it.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji import workbench
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.documents.services import DRILL_MARK
from yingji.org import jurisdiction, tree
from yingji.plans.labels import warning_label
from yingji.warnings import publication
from yingji.warnings.models import Inspection, Risk, Signal, WarningMessage

EMERGENCY = frozenset({Role.DUTY_OFFICER, Role.DUTY_LEADER, Role.PLAN_MANAGER, Role.TEAM_MEMBER})
STAFF = frozenset({Role.DUTY_OFFICER, Role.DUTY_LEADER, Role.PLAN_MANAGER})
LEADERS = frozenset({Role.DUTY_LEADER})
MEMBERS = frozenset({Role.TEAM_MEMBER})
# The petition office's staff who follow the trends (a leader decides signals on their page).
PETITION_WATCH = frozenset({Role.SUPERVISOR, Role.CASE_HANDLER})


def _headline(message: WarningMessage) -> str:
    mark = DRILL_MARK if message.is_drill else ""
    return f"{mark}【{warning_label(message.level)}】{message.headline}"


def in_force(user: User) -> workbench.Panel:
    """The warnings in force whose issuer or area is in the user's jurisdiction, gravest
    first, with the time left before each expires."""
    from yingji.warnings.services import alerts

    now = timezone.now()
    rows = (
        alerts.visible_warnings(user)
        .filter(pk__in=publication.current(now, drills=True).values("pk"))
        .select_related("unit")
        .order_by("level", "-issued_at", "-pk")
    )

    def entry(message: WarningMessage) -> workbench.Entry:
        note = f"{message.unit.name} · " + _("expires %(when)s") % {
            "when": f"{timezone.localtime(message.expires_at):%m-%d %H:%M}"
        }
        tone = "overdue" if message.level <= 2 else "soon"
        return workbench.Entry(_headline(message), message.get_absolute_url(), note, tone)

    return workbench.panel_of(
        rows[: workbench.CAP + 1],
        entry,
        url=reverse("warnings:list"),
        empty=gettext_lazy("No warning in force in your area."),
    )


def to_sign(user: User) -> workbench.Panel:
    """Warning messages submitted for signing (签发) that the user may issue."""
    from yingji.warnings.services import alerts

    rows = (
        alerts.visible_warnings(user)
        .filter(state=WarningMessage.State.SUBMITTED)
        .select_related("unit", "drafted_by")
        .order_by("submitted_at", "pk")
    )
    signable = [m for m in rows[: workbench.CAP + 1] if alerts.may_issue(user, m)]

    def entry(message: WarningMessage) -> workbench.Entry:
        note = f"{message.unit.name} · {message.get_msg_type_display()}"
        return workbench.Entry(_headline(message), message.get_absolute_url(), note, "soon")

    return workbench.panel_of(
        signable,
        entry,
        url=f"{reverse('warnings:list')}?{urlencode({'state': 'submitted'})}",
        empty=gettext_lazy("No warning awaits your signature."),
    )


def risks_due(user: User) -> workbench.Panel:
    """Open hazards of the user's area by their remediation deadline, overdue first."""
    from yingji.warnings.services import risks

    now = timezone.now()
    rows = (
        risks.visible_risks(user)
        .exclude(state=Risk.State.CLOSED)
        .exclude(due_at=None)
        .select_related("unit")
        .order_by("due_at", "pk")
    )

    def entry(risk: Risk) -> workbench.Entry:
        assert risk.due_at is not None
        note = f"{risk.get_level_display()} · {risk.unit.name} · " + workbench.time_note(
            risk.due_at, now, finest="hours"
        )
        tone = "overdue" if risk.due_at <= now else ""
        return workbench.Entry(risk.title, risk.get_absolute_url(), note, tone)

    return workbench.panel_of(
        rows[: workbench.CAP + 1],
        entry,
        url=reverse("warnings:risks"),
        empty=gettext_lazy("No hazard awaits remediation in your area."),
    )


def my_inspections(user: User) -> workbench.Panel:
    """The user's inspection rounds not finished yet, soonest first."""
    rows = (
        Inspection.objects.filter(inspector=user)
        .exclude(state=Inspection.State.DONE)
        .select_related("unit")
        .order_by("planned_on", "pk")
    )

    def entry(round_: Inspection) -> workbench.Entry:
        note = f"{round_.unit.name} · {round_.planned_on:%m-%d} · {round_.get_state_display()}"
        late = round_.planned_on < timezone.localdate()
        return workbench.Entry(
            round_.title,
            reverse("warnings:inspection_field", args=[round_.pk]),
            note,
            "overdue" if late else "",
        )

    return workbench.panel_of(
        rows[: workbench.CAP + 1],
        entry,
        url=reverse("warnings:inspections"),
        empty=gettext_lazy("No inspection round for you."),
    )


def signals(user: User) -> workbench.Panel:
    """Open early-warning signals from petition trends in the user's area."""
    from yingji.warnings.services import trends

    rows = (
        trends.visible_signals(user)
        .filter(state=Signal.State.OPEN)
        .select_related("unit", "category")
        .order_by("-raised_at", "-pk")
    )

    def entry(signal: Signal) -> workbench.Entry:
        note = f"{signal.get_kind_display()} · {signal.unit.name} · {signal.count}"
        return workbench.Entry(signal.rule[:80], signal.get_absolute_url(), note, "soon")

    return workbench.panel_of(
        rows[: workbench.CAP + 1],
        entry,
        url=reverse("warnings:signals"),
        empty=gettext_lazy("No open trend signal in your area."),
    )


def register() -> None:
    for key, title, roles, order, build in (
        (
            "warnings.to_sign",
            gettext_lazy("Warnings awaiting your signature"),
            LEADERS,
            105,
            to_sign,
        ),
        ("warnings.in_force", gettext_lazy("Warnings in force"), EMERGENCY, 110, in_force),
        (
            "warnings.inspections",
            gettext_lazy("My inspection rounds"),
            MEMBERS,
            150,
            my_inspections,
        ),
        ("warnings.risks", gettext_lazy("Hazards to remedy"), STAFF, 160, risks_due),
        (
            "warnings.signals",
            gettext_lazy("Petition trend signals"),
            PETITION_WATCH,
            170,
            signals,
        ),
    ):
        workbench.register(workbench.Source(key, title, roles=roles, order=order, build=build))


def in_force_at(region_code: str, *, drills: bool = False) -> list[WarningMessage]:
    """The warnings in force whose area holds the place or lies within it (a warning of
    清溪区 at an incident in 河西街道, a warning of 河西街道 at an incident of 清溪区): the
    incident board's list. Places are compared as units of the directory (a city's code
    990100 holds its districts' 9901xx). Warnings in force are few, so their areas are
    read here."""
    place = jurisdiction.place_unit(region_code) if region_code else None
    if place is None:
        return []
    found = []
    for message in publication.current(drills=drills):
        for code in message.region_codes or []:
            area = jurisdiction.place_unit(str(code))
            if area is not None and (
                tree.is_within(place.path, area.path) or tree.is_within(area.path, place.path)
            ):
                found.append(message)
                break
    return found
