"""GET /api/v1/warnings/{id}/cap: an issued message as CAP 1.2 XML (application/cap+xml).

Public, no login: a real (Actual) issued message is served to anyone, so that alerting
systems, broadcasters and other offices can take it. A drill's message (Exercise) is not
public: it is served only to a signed-in user (session or API token) who may see the
warning; anyone else gets the same 404 as for an unknown id, as do drafts and
withdrawn ones. Reads are limited per address like every public endpoint.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from yingji import ratelimit
from yingji.api_errors import ErrorOut
from yingji.fields import PathId
from yingji.http import client_address
from yingji.warnings import cap
from yingji.warnings.models import WarningMessage

router = Router(tags=["warnings"])

# Reads of the public CAP messages and pages from one address per hour (a setting's
# default until the deployment names one): an alerting system polling every few seconds
# stays below it; walking the ids does not.
DEFAULT_READS_PER_HOUR = 1200


def reads_per_hour() -> int:
    return int(getattr(settings, "PUBLIC_WARNING_READS_PER_HOUR", DEFAULT_READS_PER_HOUR))


def allowed(request: HttpRequest) -> bool:
    """One more public read from this address; False once the hour's limit is used."""
    key = f"public-warning:{client_address(request)}"
    return ratelimit.allow(key, limit=reads_per_hour(), window_seconds=3600)


def viewer(request: HttpRequest) -> Any:
    """The signed-in user behind a request to a public endpoint (an API token or the
    session, once its second factor is passed), or None for anyone else."""
    from yingji.accounts.middleware import needs_second_factor
    from yingji.accounts.services import user_for_token

    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        user = user_for_token(header[7:].strip())
        if user is not None:
            return user
    user = getattr(request, "user", None)
    if (
        user is not None
        and user.is_authenticated
        and user.is_active
        and not needs_second_factor(request)
    ):
        return user
    return None


def message_for(request: HttpRequest, message: WarningMessage | None) -> WarningMessage | None:
    """``message`` if this request may have it: issued, and real or seen by a signed-in
    user who may see the drill's warning."""
    if message is None or message.state != WarningMessage.State.ISSUED:
        return None
    if not message.is_drill:
        return message
    user = viewer(request)
    if user is None:
        return None
    from yingji.warnings.services.alerts import visible_warnings

    return message if visible_warnings(user).filter(pk=message.pk).exists() else None


def _not_found() -> HttpResponse:
    from yingji.api import one_error

    return one_error(404, "not_found", _("Not found."))


@router.get(
    "/warnings/{warning_id}/cap",
    auth=None,
    url_name="warning_cap",
    response={404: ErrorOut, 429: ErrorOut},
    summary="An issued warning message as CAP 1.2 XML (public; drills only to those who see them)",
    operation_id="yingji_warnings_cap",
    openapi_extra={
        "responses": {
            200: {
                "description": "the message as an OASIS CAP 1.2 alert",
                "content": {cap.MIME: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def warning_cap(request: HttpRequest, warning_id: PathId) -> HttpResponse:
    if not allowed(request):
        from yingji.api import one_error

        return one_error(429, "rate_limited", _("Too many requests from this address; try later."))
    found = WarningMessage.objects.select_related("unit", "event_type").filter(pk=warning_id)
    message = message_for(request, found.first())
    if message is None:
        return _not_found()
    response = HttpResponse(cap.to_xml(message), content_type=f"{cap.MIME}; charset=utf-8")
    response["Cache-Control"] = "private, no-store" if message.is_drill else "public, max-age=60"
    filename = f"{message.identifier or message.pk}.xml"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
