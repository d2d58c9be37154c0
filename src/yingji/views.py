"""The page shell: home page and what every page's frame needs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def navigation(request: HttpRequest) -> list[dict[str, Any]]:
    """Links to the areas that exist and that this user may open."""
    from yingji.accounts.middleware import needs_second_factor

    user = request.user
    # Before the second factor is passed every link would only lead back to it.
    if not user.is_authenticated or needs_second_factor(request):
        return []
    items = [
        {"url": reverse("home"), "label": _("Home")},
        {"url": reverse("org:unit_list"), "label": _("Units")},
        {"url": reverse("org:person_list"), "label": _("Directory")},
        {"url": reverse("accounts:user_list"), "label": _("Users")},
        {"url": reverse("petitions:list"), "label": _("Petitions")},
        {"url": reverse("incidents:list"), "label": _("Incidents")},
        {"url": reverse("plans:list"), "label": _("Plans")},
        {"url": reverse("resources:dashboard"), "label": _("Resources")},
        {"url": reverse("duty:board"), "label": _("Duty")},
        {"url": reverse("clock:deadlines"), "label": _("Deadlines")},
        {"url": reverse("clock:calendar_today"), "label": _("Calendar")},
    ]
    if user.is_staff and user.has_module_perms("org"):
        items.append({"url": reverse("admin:index"), "label": _("Administration")})
    return items


def shell_context(request: HttpRequest) -> dict[str, Any]:
    from yingji.notify.services import unread_count

    items = navigation(request)
    unread = unread_count(request.user) if items else 0  # type: ignore[arg-type]
    return {"nav_items": items, "unread_notifications": unread}


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
