"""The request-side helpers every app shares: client address, fragment-or-page, and the
JSON answer a phone page's script asks for (its queue sends a form again when the
connection returns and reads the refusal per field)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def client_address(request: HttpRequest) -> str | None:
    """The peer address; behind the proxy (YINGJI_BEHIND_PROXY), the address the proxy
    saw, the last one of X-Forwarded-For: earlier ones come from the browser and can be
    anything. Sign-in limits and the audit log key on it."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last[:45]
    return request.META.get("REMOTE_ADDR") or None


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def render_page(
    request: HttpRequest,
    template: str,
    fragment: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    """Render the whole page, or only ``fragment`` when htmx asks for a part of it."""
    chosen = fragment if is_htmx(request) else template
    return render(request, chosen, context, status=status)


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def errors_json(errors: dict[str, list[str]], status: int = 400) -> JsonResponse:
    """A refusal as the API writes it: a message per field."""
    return JsonResponse(
        {
            "errors": [
                {"field": name, "code": "invalid", "message": message}
                for name, found in errors.items()
                for message in found
            ]
        },
        status=status,
    )
