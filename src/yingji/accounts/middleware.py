"""Second factor: holders of roles that require it reach nothing until they pass it.
Idle sign-out: only what a person does keeps their session alive."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

EXEMPT_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/i18n/", "/api/")


def needs_second_factor(request: HttpRequest) -> bool:
    """True while a signed-in user who must (or chose to) use TOTP has not passed it.

    Kept on the request: the middleware, the navigation and the API all ask.
    """
    cached = getattr(request, "_yingji_second_factor_pending", None)
    if cached is None:
        cached = _pending(request)
        request._yingji_second_factor_pending = cached  # type: ignore[attr-defined]
    return bool(cached)


def _pending(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    if getattr(user, "is_verified", lambda: False)():
        return False
    if user.needs_two_factor:
        return True
    from yingji.accounts.services import totp_device

    return totp_device(user) is not None


def two_factor_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        # The API answers for itself (401 from its session auth); pages redirect.
        if not request.path.startswith(EXEMPT_PREFIXES) and needs_second_factor(request):
            target = reverse("accounts:two_factor")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return get_response(request)

    return middleware


# A request the browser makes by itself: a live stream, or a refresh a stream triggered.
PASSIVE_HEADER = "HTTP_X_YINGJI_PASSIVE"
# How often activity is written to the session: each write moves its expiry forward.
ACTIVITY_STEP_SECONDS = 60
ACTIVE_AT = "_yingji_active_at"


def is_passive(request: HttpRequest, response: HttpResponse) -> bool:
    if request.META.get(PASSIVE_HEADER) == "1":
        return True
    return str(response.get("Content-Type", "")).startswith("text/event-stream")


def idle_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """The session expires ``SESSION_COOKIE_AGE`` after the last thing the person did.

    Django would save the session (and so move its expiry) on every request, and a tab
    left open keeps a notification stream reconnecting: the idle sign-out never came.
    Here the session is saved, at most once a minute, only for requests a person made.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated:
            return response
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            # Signed in without a session (an API token): marking activity would write a
            # new session row on every call, never to be used again.
            return response
        if is_passive(request, response):
            return response
        now = int(time.time())
        if now - int(session.get(ACTIVE_AT, 0)) >= ACTIVITY_STEP_SECONDS:
            session[ACTIVE_AT] = now
        return response

    return middleware
