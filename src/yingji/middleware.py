"""Language choice (Chinese unless the person chose otherwise), and the security headers
every answer carries."""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from yingji import fields

SUPPORTED = {code for code, _ in settings.LANGUAGES}


def choose_language(request: HttpRequest) -> str:
    """The language cookie wins; API clients (the JSON API, Open311) may ask with
    Accept-Language; else zh-hans.

    Pages ignore the browser's Accept-Language on purpose: the offices work in Chinese,
    and an English browser should not turn a shared duty-room screen English.
    """
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in SUPPORTED:
        return chosen
    if request.path.startswith(("/api/", "/open311/")):
        header = request.headers.get("Accept-Language", "")
        for part in header.split(","):
            tag = part.split(";")[0].strip().lower()
            if tag.startswith("en"):
                return "en"
            if tag.startswith("zh"):
                return "zh-hans"
    return settings.LANGUAGE_CODE


def language_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        language = choose_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response

    return middleware


@functools.lru_cache(maxsize=4)
def content_security_policy(map_tiles: str | None) -> str:
    """Scripts only from this site: no inline script anywhere in the pages. Inline
    style attributes stay allowed (the unit tree's indentation and the map's height are
    set per row), and the tile server, when one is configured, may serve images."""
    images = ["'self'", "data:", "blob:"]
    if map_tiles:
        parts = urlsplit(map_tiles.replace("{s}", "a"))
        if parts.scheme and parts.hostname:
            host = parts.hostname.replace("a.", "*.", 1) if "{s}" in map_tiles else parts.hostname
            images.append(f"{parts.scheme}://{host}")
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src " + " ".join(images),
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        policy = content_security_policy(settings.MAP_TILES)
        response.headers.setdefault("Content-Security-Policy", policy)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/"):
            # Pages and answers for a signed-in person may hold personal data: no copy
            # is kept by the browser or a proxy once the person has gone.
            patch_cache_control(response, no_store=True, private=True)
        return response

    return middleware


def strip(text: str) -> str:
    return fields.CONTROL.sub("", text)


def clean_query_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Control characters (``fields.CONTROL``, the set every input refuses) mean nothing in
    an address's query (a search, a filter): they are taken out before any view reads it.
    PostgreSQL refuses a NUL in any string, so one in ``q`` was a server error on every
    list that searches."""

    def middleware(request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if query and fields.has_control(unquote(query)):
            cleaned = QueryDict(mutable=True)
            for name, values in request.GET.lists():
                cleaned.setlist(strip(name), [strip(value) for value in values])
            cleaned._mutable = False
            request.GET = cleaned  # type: ignore[assignment]
        return get_response(request)

    return middleware
