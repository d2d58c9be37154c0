"""Language choice: Chinese unless the person chose otherwise."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

SUPPORTED = {code for code, _ in settings.LANGUAGES}


def choose_language(request: HttpRequest) -> str:
    """The language cookie wins; API clients may ask with Accept-Language; else zh-hans.

    Pages ignore the browser's Accept-Language on purpose: the offices work in Chinese,
    and an English browser should not turn a shared duty-room screen English.
    """
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in SUPPORTED:
        return chosen
    if request.path.startswith("/api/"):
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
