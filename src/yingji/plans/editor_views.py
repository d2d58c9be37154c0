"""The structured editor of a draft plan: the form of its rows and the rows htmx adds.

The import review (``import_views``) shows the same form for a plan read from a file.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from yingji import fields
from yingji.audit.services import Actor
from yingji.org.models import Unit
from yingji.plans import editor, labels, services, triggers
from yingji.plans.access import changeable_version
from yingji.plans.models import EventType, Level, PlanVersion, Requirement, Safeguard, Step


def _editor_context(version: PlanVersion, content: dict[str, Any], errors: Any) -> dict[str, Any]:
    return {
        "people": people(version.plan.owner),
        "version": version,
        "plan": version.plan,
        "content": content,
        "rows": editor.rows(content, errors),
        "errors": errors,
        "event_types": EventType.objects.filter(is_active=True).order_by("code"),
        "group_names": [g["name"] for g in content.get("groups", []) if g.get("name")],
        **choices(),
    }


def people(owner: Unit | None) -> list[tuple[int, str]]:
    if owner is None:
        return []
    people = services.people_for(owner).select_related("unit").order_by("unit__path", "name")
    return [(p.pk, f"{p.name} · {p.unit.name}") for p in people[:500]]


def choices() -> dict[str, Any]:
    return {
        "facts": [(code, labels.fact_label(code), kind) for code, kind in triggers.FACTS.items()],
        "operators": [
            (op, labels.operator_label(op)) for op in ("is", ">=", ">", "<=", "<", "=", "within")
        ],
        "phases": Step.Phase.choices,
        "matches": Level.Match.choices,
        "requirement_kinds": Requirement.Kind.choices,
        "safeguard_kinds": Safeguard.Kind.choices,
        "level_choices": [(n, labels.level_label(n)) for n in (1, 2, 3, 4)],
        "warning_choices": [(n, labels.warning_label(n)) for n in (1, 2, 3, 4)],
    }


@login_required
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The structured editor of a draft: rows are added and removed in the page."""
    version = changeable_version(request.user, pk)  # type: ignore[arg-type]
    if not version.editable:
        messages.error(
            request, _("Only a draft can be edited; start a new version to change this plan.")
        )
        return redirect("plans:version", version.pk)
    if request.method == "POST":
        content = editor.parse(request.POST)
        try:
            services.update_draft(version, content, actor=Actor.from_request(request))
        except ValidationError as error:
            context = _editor_context(version, content, error.message_dict)
            return render(request, "plans/editor.html", context, status=400)
        messages.success(request, _("The draft is saved."))
        return redirect("plans:version", version.pk)
    return render(
        request, "plans/editor.html", _editor_context(version, services.structure(version), {})
    )


EDITOR_ROWS = {
    "group",
    "post",
    "warning",
    "level",
    "trigger",
    "step",
    "safeguard",
    "requirement",
    "contact",
}


@login_required
def editor_row(request: HttpRequest, kind: str) -> HttpResponse:
    """An empty row for the editor (of a draft or of an import), appended by htmx."""
    if kind not in EDITOR_ROWS or not request.user.has_perm("plans.change_plan"):
        raise PermissionDenied
    level = request.GET.get("level", "")
    row = {"i": editor.new_index(), "data": {}, "errors": {}}
    context = {
        "people": people(request.user.unit),  # type: ignore[union-attr]
        "row": row,
        "level": {**row, "triggers": [], "steps": []},
        "level_index": fields.whole_number(level) or 0,
        **choices(),
    }
    return render(request, f"plans/_row_{kind}.html", context)
