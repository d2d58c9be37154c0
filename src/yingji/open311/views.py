"""GeoReport v2 at /open311/v2/: discovery, services, and service requests, each in JSON
or XML by the address's extension. Every error answers in the specification's shape."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from yingji import ratelimit
from yingji.http import client_address
from yingji.open311 import catalogue, keys
from yingji.open311 import requests as service_requests
from yingji.open311.formats import FORMATS, BadBody, errors, read_body, render
from yingji.open311.models import ApiKey

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
View = Callable[..., HttpResponse]


def answers(*methods: str) -> Callable[[View], View]:
    """A GeoReport view: only ``methods``, and a refusal in the specification's shape
    whatever goes wrong with the input."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, fmt: str | None = None, **kwargs: Any) -> Any:
            # XML is the specification's required format, so the default.
            fmt = fmt if fmt in FORMATS else "xml"
            if request.method not in methods:
                response = errors(
                    fmt, 405, [_("This address takes %(m)s.") % {"m": ", ".join(methods)}]
                )
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except service_requests.Refused as refused:
                return errors(fmt, refused.status, refused.messages)
            except BadBody as bad:
                return errors(fmt, 400, [str(bad)])
            except RequestDataTooBig:
                return errors(fmt, 413, [_("The request body is too large.")])

        return wrapped

    return decorate


def _params(request: HttpRequest) -> dict[str, list[str]]:
    if request.method == "POST":
        return read_body(request.content_type or "", request.body, dict(request.POST.lists()))
    return {key: list(values) for key, values in request.GET.lists()}


def _key(params: dict[str, list[str]]) -> ApiKey:
    secret = (params.get("api_key") or [""])[0].strip()
    if not secret:
        raise service_requests.Refused(403, [_("api_key: this call needs the system's key.")])
    key = keys.check(secret)
    if key is None:
        raise service_requests.Refused(
            403, [_("api_key: the key is not valid, or has been revoked.")]
        )
    return key


@answers("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    rows = catalogue.service_rows()
    changeset = catalogue.changeset(rows)
    data = {
        "changeset": changeset,
        "contact": _("The petition office of %(site)s") % {"site": settings.SITE_URL},
        "key_service": _(
            "An administrator issues a key for each system in the admin, or with "
            "`yingji open311 key create NAME`."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": settings.SITE_URL.rstrip("/") + "/open311/v2",
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(
        data,
        fmt,
        root="discovery",
        item_names={"endpoints": "endpoint", "formats": "format"},
    )


@answers("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    service_requests.jurisdiction(_params(request), required=False)
    return render(catalogue.service_rows(), fmt, root="services", item="service")


@answers("GET")
def service(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    service_requests.jurisdiction(_params(request), required=False)
    found = catalogue.definition(code[:100])
    if found is None:
        raise service_requests.Refused(
            404, [_("service_code: there is no service with this code.")]
        )
    return render(
        found,
        fmt,
        root="service_definition",
        item_names={"attributes": "attribute", "values": "value"},
    )


@answers("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    params = _params(request)
    key = _key(params)
    if request.method == "GET":
        rows = service_requests.listed(key, params)
        return render(rows, fmt, root="service_requests", item="request")
    if not ratelimit.allow(
        f"open311:{key.pk}", limit=settings.OPEN311_REQUESTS_PER_HOUR, window_seconds=3600
    ):
        raise service_requests.Refused(
            429, [_("This system has filed too many requests this hour; try later.")]
        )
    petition = service_requests.create(params, key=key, address=client_address(request))
    told = service_requests.rows([petition])[0]
    created = [
        {
            "service_request_id": petition.number,
            "service_notice": told["service_notice"],
            "account_id": None,
        }
    ]
    return render(created, fmt, root="service_requests", item="request", status=201)


@answers("GET")
def request_one(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    params = _params(request)
    key = _key(params)
    service_requests.jurisdiction(params, required=False)
    found = service_requests.one(key, number)
    return render([found], fmt, root="service_requests", item="request")


@answers("GET")
def token(request: HttpRequest, value: str, fmt: str) -> HttpResponse:
    """Requests are filed at once and answered with their id: no token is ever issued."""
    raise service_requests.Refused(
        404, [_("token: this server issues no tokens; the request id is returned at once.")]
    )


@answers("GET", "POST")
def unknown(request: HttpRequest, rest: str = "", fmt: str = "xml") -> HttpResponse:
    raise service_requests.Refused(404, [_("There is no such GeoReport resource.")])
