"""Second factor: holders of roles that require it reach nothing until they pass it."""

from __future__ import annotations

from collections.abc import Callable

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
