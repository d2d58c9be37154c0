"""The JSON API at /api/v1/: one NinjaAPI, one error shape, Chinese kept as UTF-8.

Every error, whatever raised it, reaches the client as
``{"errors": [{"field": ..., "code": ..., "message": ...}]}`` with messages in the
client's language (see middleware.choose_language).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import APIKeyCookie, HttpBearer

from yingji import fields
from yingji.accounts.services import user_for_token
from yingji.clock import moments


class Utf8Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            # The services act as Actor.from_request(request): the token's user, not
            # an anonymous one, so rules, audit entries and timelines name them.
            request.user = user
        return user


class Session(APIKeyCookie):
    """The browser's session, once its second factor (if any) is passed."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a session cookie there is no session a cross-site request could borrow:
        # the client is not signed in (401), not one that failed the check (403).
        if self.param_name not in request.COOKIES:
            return None
        try:
            return super()._get_key(request)
        except HttpError as exc:  # ninja's refusal says it in English only
            raise PermissionDenied(
                _(
                    "The page was open too long, or it came from another address. "
                    "Go back, reload the page and send the form again."
                )
            ) from exc

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        from yingji.accounts.middleware import needs_second_factor

        user = request.user
        if user.is_authenticated and user.is_active and not needs_second_factor(request):
            return user
        return None


api = NinjaAPI(
    title="yingji API",
    version="1",
    description="yingji 应急: emergency response and petition cases.",
    urls_namespace="api",
    renderer=Utf8Renderer(),
    auth=[BearerToken(), Session()],
)


def error_response(status: int, items: list[dict[str, Any]]) -> HttpResponse:
    body = json.dumps({"errors": items}, ensure_ascii=False, cls=NinjaJSONEncoder)
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def one_error(status: int, code: str, message: str, field: str | None = None) -> HttpResponse:
    return error_response(status, [{"field": field, "code": code, "message": message}])


def _pydantic_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    messages = {
        "missing": _("This field is required."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "float_parsing": _("Enter a number."),
        "bool_parsing": _("Enter true or false."),
        "string_type": _("Enter text."),
        "json_invalid": _("The request body is not valid JSON."),
        "model_attributes_type": _("Send a JSON object."),
        "dict_type": _("Send a JSON object."),
        "list_type": _("Send a list."),
        "datetime_parsing": _("Enter a date and time such as 2026-05-01T08:30:00+08:00."),
        "date_parsing": _("Enter a date such as 2026-05-01."),
        "uuid_parsing": _("Enter a valid identifier."),
        "extra_forbidden": _("This field is not accepted here."),
    }
    if kind in messages:
        return str(messages[kind])
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == fields.NO_CONTROL_PATTERN:
        return fields.control_message()
    if kind == "date_out_of_range":
        return moments.range_message()
    if kind in {"decimal_max_digits", "decimal_whole_digits"}:
        return _("Enter a number with fewer digits.")
    if kind == "decimal_max_places":
        return _("Enter at most %(n)s decimals.") % {"n": ctx.get("decimal_places")}
    if kind == "decimal_parsing":
        return _("Enter a number.")
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Enter a value of at least %(limit)s.") % {"limit": ctx.get("ge", ctx.get("gt"))}
    if kind in {"less_than_equal", "less_than"}:
        return _("Enter a value of at most %(limit)s.") % {"limit": ctx.get("le", ctx.get("lt"))}
    if kind == "string_too_long":
        return _("Enter at most %(n)s characters.") % {"n": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("Enter at least %(n)s characters.") % {"n": ctx.get("min_length")}
    if kind in {"literal_error", "enum"}:
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    return _("Enter a valid value.")


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str | None:
    parts = list(loc)
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        source = parts.pop(0)
        if source == "body" and len(parts) > 1:
            parts.pop(0)  # the handler's parameter name, not part of the payload
    return ".".join(str(p) for p in parts) or None


@api.exception_handler(NinjaValidationError)
def on_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    if any(error.get("type") == "unknown_id" for error in exc.errors):
        # A path id no row can have (fields.PathId): the same answer as an unknown one.
        return one_error(404, "not_found", _("Not found."))
    items = [
        {
            "field": _field_name(error.get("loc", ())),
            "code": str(error.get("type", "invalid")),
            "message": _pydantic_message(error),
        }
        for error in exc.errors
    ]
    return error_response(422, items)


@api.exception_handler(DjangoValidationError)
def on_rejected(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    items: list[dict[str, Any]] = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                items.extend(
                    {
                        "field": None if field == "__all__" else field,
                        "code": error.code or "invalid",
                        "message": message,
                    }
                    for message in error.messages
                )
    else:
        items = [{"field": None, "code": "invalid", "message": m} for m in exc.messages]
    return error_response(422, items)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return one_error(401, "unauthenticated", _("Sign in or send a valid API token."))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return one_error(404, "not_found", _("Not found."))


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    # A service that refuses with a reason says it; a bare refusal gets the general words.
    return one_error(403, "forbidden", str(exc) or _("You may not do this."))


@api.exception_handler(RequestDataTooBig)
def on_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    return one_error(
        413, "too_large", _("The request body is larger than %(n)d MB.") % {"n": limit}
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and isinstance(exc.__cause__, (ValueError, RecursionError)):
        # ninja's "Cannot parse request body": the body is not JSON, not UTF-8, or nested
        # deeper than the parser goes.
        return one_error(400, "json_invalid", _("The request body is not valid JSON."))
    return one_error(exc.status_code, "error", str(exc))


def unknown_endpoint(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Anything under /api/v1/ that no route matches: a JSON 404, not an HTML page."""
    return JsonResponse(
        {"errors": [{"field": None, "code": "not_found", "message": _("Not found.")}]},
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )


def _register_routers() -> None:
    from yingji import health
    from yingji.accounts.api import router as accounts_router
    from yingji.clock.api import router as clock_router
    from yingji.drills import check_api, evaluation_api  # noqa: F401 - join drills_router
    from yingji.drills.action_api import router as actions_router
    from yingji.drills.api import router as drills_router
    from yingji.duty.api import router as duty_router
    from yingji.incidents import command_api, report_api  # noqa: F401 - join incidents_router
    from yingji.incidents.api import router as incidents_router
    from yingji.insights.api import router as insights_router
    from yingji.notify.api import router as notify_router
    from yingji.org.api import router as org_router
    from yingji.petitions.api import TooMany, public_router
    from yingji.petitions.api import router as petitions_router
    from yingji.plans.api import router as plans_router
    from yingji.resources.api import router as resources_router
    from yingji.warnings.cap_api import router as cap_router
    from yingji.warnings.inspection_api import router as inspections_router
    from yingji.warnings.risk_api import router as risks_router
    from yingji.warnings.signal_api import router as signals_router
    from yingji.warnings.warning_api import router as warnings_router

    api.add_router("", health.router)
    api.add_router("", accounts_router)
    api.add_router("", org_router)
    api.add_router("", clock_router)
    api.add_router("", petitions_router)
    api.add_router("", plans_router)
    api.add_router("", notify_router)
    api.add_router("", duty_router)
    api.add_router("", incidents_router)
    api.add_router("", resources_router)
    api.add_router("", drills_router)
    api.add_router("", actions_router)
    api.add_router("", warnings_router)
    api.add_router("", cap_router)
    api.add_router("", risks_router)
    api.add_router("", inspections_router)
    api.add_router("", signals_router)
    api.add_router("", insights_router)
    api.add_router("", public_router)

    @api.exception_handler(TooMany)
    def on_too_many(request: HttpRequest, exc: TooMany) -> HttpResponse:
        return one_error(429, "rate_limited", _("Too many requests from this address; try later."))


_register_routers()
