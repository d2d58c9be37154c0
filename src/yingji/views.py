"""The page shell: home page and what every page's frame needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.accounts.roles import Role


@dataclass(frozen=True)
class Link:
    name: str  # URL name
    label: str | Promise
    perm: str = ""  # the permission the page needs, when not every signed-in user has it


@dataclass(frozen=True)
class Group:
    label: str | Promise
    roles: frozenset[str]  # who works in it; empty: everybody
    links: tuple[Link, ...]
    admin: bool = False  # ends with Django's administration, for staff who may use it


PETITION_ROLES = frozenset(
    {Role.INTAKE_CLERK, Role.CASE_HANDLER, Role.SUPERVISOR, Role.DUTY_LEADER}
)
EMERGENCY_ROLES = frozenset(
    {Role.DUTY_OFFICER, Role.DUTY_LEADER, Role.TEAM_MEMBER, Role.PLAN_MANAGER}
)
MENU = (
    Group(
        "",
        frozenset(),
        (
            Link("home", _("Workbench")),
            Link("clock:deadlines", _("Deadlines")),
            Link("notify:list", _("Notifications")),
        ),
    ),
    Group(
        pgettext_lazy("menu", "Petitions"),
        PETITION_ROLES,
        (
            Link("petitions:list", _("Petition cases")),
            Link("petitions:new", _("Register a petition"), "petitions.add_petition"),
            Link("petitions:import", _("Import a ledger"), "petitions.add_petition"),
            Link("insights:petitions", _("Petition statistics"), "insights.view_petition_figures"),
            Link("insights:reports", _("Periodic reports"), "insights.view_petition_figures"),
        ),
    ),
    Group(
        pgettext_lazy("menu", "Emergency response"),
        EMERGENCY_ROLES,
        (
            Link("incidents:list", _("Incidents")),
            Link("incidents:my_tasks", _("My tasks")),
            Link("plans:list", _("Plans")),
            Link("plans:filings", _("Plan filings")),
            Link("drills:calendar", _("Drills"), "drills.view_drill"),
            Link("insights:incidents", _("Incident statistics"), "insights.view_emergency_figures"),
            Link("insights:readiness", _("Readiness"), "insights.view_emergency_figures"),
        ),
    ),
    Group(
        pgettext_lazy("menu", "Prevention and warnings"),
        EMERGENCY_ROLES | {Role.SUPERVISOR, Role.CASE_HANDLER, Role.INTAKE_CLERK},
        (
            Link("warnings:list", _("Warnings"), "warnings.view_warning"),
            Link("warnings:risks", _("Risks and hazards"), "warnings.view_risk"),
            Link("warnings:inspections", _("Inspection rounds"), "warnings.inspect"),
            Link("warnings:signals", _("Petition trend signals"), "warnings.view_signal"),
        ),
    ),
    Group(
        pgettext_lazy("menu", "Duty"),
        frozenset({Role.DUTY_OFFICER, Role.DUTY_LEADER}),
        (
            Link("duty:board", _("Duty roster")),
            Link("duty:changes", _("Shift changes")),
            Link("duty:log", _("Duty log")),
            Link("insights:reports", _("Periodic reports"), "insights.view_duty_reports"),
        ),
    ),
    Group(
        pgettext_lazy("menu", "Supplies"),
        frozenset({Role.STOREKEEPER, Role.PLAN_MANAGER, Role.DUTY_OFFICER, Role.DUTY_LEADER}),
        (
            Link("resources:dashboard", _("Stock")),
            Link("resources:teams", _("Teams")),
            Link("resources:experts", _("Experts")),
            Link("resources:equipment", _("Equipment")),
            Link("resources:items", _("Catalogue")),
        ),
    ),
    Group(
        pgettext_lazy("menu", "Organisation and system"),
        frozenset(),
        (
            Link("org:unit_list", _("Units")),
            Link("org:person_list", _("Directory")),
            Link("clock:calendar_today", _("Calendar")),
            Link("accounts:user_list", _("Users"), "accounts.change_user"),
            Link("notify:failures", _("Failed deliveries"), "notify.view_failures"),
        ),
        admin=True,
    ),
)


def navigation(request: HttpRequest) -> list[dict[str, Any]]:
    """The menu: the groups of the user's lines of work (every group for a superuser),
    each with the pages this user may open."""
    from yingji.accounts.middleware import needs_second_factor

    user = request.user
    # Before the second factor is passed every link would only lead back to it.
    if not user.is_authenticated or needs_second_factor(request):
        return []
    roles = user.role_codes
    groups = []
    for group in MENU:
        if group.roles and not (group.roles & roles) and not user.is_superuser:
            continue
        links = [
            {"url": reverse(link.name), "label": link.label}
            for link in group.links
            if not link.perm or user.has_perm(link.perm)
        ]
        if group.admin and user.is_staff and user.has_module_perms("org"):
            links.append({"url": reverse("admin:index"), "label": _("Administration")})
        if links:
            groups.append({"label": group.label, "links": links})
    return groups


def breadcrumb(path: str, groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Workbench › group › page, for the menu page that the current address falls under
    (the longest menu address it begins with)."""
    best: tuple[int, dict[str, Any], dict[str, Any]] | None = None
    for group in groups:
        for link in group["links"]:
            url = link["url"]
            if url != "/" and path.startswith(url) and (best is None or len(url) > best[0]):
                best = (len(url), group, link)
    if best is None:
        return []
    _length, group, link = best
    trail = [{"url": reverse("home"), "label": _("Workbench")}]
    if group["label"]:
        trail.append({"url": "", "label": group["label"]})
    trail.append({"url": "" if link["url"] == path else link["url"], "label": link["label"]})
    return trail


def shell_context(request: HttpRequest) -> dict[str, Any]:
    from yingji.notify.services import unread_count

    groups = navigation(request)
    unread = unread_count(request.user) if groups else 0  # type: ignore[arg-type]
    return {
        "nav_groups": groups,
        "nav_items": groups,  # any menu at all: the bell and the menu button need one
        "breadcrumb": breadcrumb(request.path, groups),
        "unread_notifications": unread,
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The workbench (工作台): the panels of work of each of the user's roles."""
    from yingji import workbench

    user = request.user
    context = {
        "panels": workbench.panels_for(user),  # type: ignore[arg-type]
        "no_unit": user.unit is None,  # type: ignore[union-attr]
        "no_role": not user.role_codes,  # type: ignore[union-attr]
    }
    return render(request, "home.html", context)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form that fails the cross-site check, in the reader's language: an expired page
    or, behind an HTTPS proxy, a public address (YINGJI_SITE_URL) that does not match."""
    return render(request, "403_csrf.html", status=403)
