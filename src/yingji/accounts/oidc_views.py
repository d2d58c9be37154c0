"""The single sign-on pages: off to the provider, and back (see oidc.py).

Both answer 404 while single sign-on is not configured. A refused sign-in shows the
sign-in page with a message, is logged with its reason, and signs nobody in.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.generic import View
from django_otp import DEVICE_ID_SESSION_KEY
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from yingji.accounts import oidc, oidc_accounts
from yingji.accounts.middleware import ACTIVE_AT
from yingji.accounts.models import User
from yingji.audit.services import Actor

logger = logging.getLogger("yingji.accounts.oidc")

NEXT_KEY = "oidc_login_next"
PASSWORD_OFF = _(
    "Password sign-in is switched off. Sign in with single sign-on; only administrators "
    "may use a password here."
)


def safe_next(request: HttpRequest, target: str | None) -> str:
    """``target`` when it is a page of this site, else the empty string."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def sign_in_context(request: HttpRequest, *, next_url: str = "") -> dict[str, Any]:
    """What the sign-in page shows besides the form: the single sign-on button, and
    whether the password form is shown (with password sign-in off, only on request,
    for the administrators' way in)."""
    context: dict[str, Any] = {
        "sso_url": "",
        "sso_label": "",
        "password_login": settings.PASSWORD_LOGIN,
        # Pages that render the template without this context (the lockout) show the form.
        "password_form_hidden": False,
    }
    if not oidc.enabled():
        return context
    target = reverse("accounts:oidc_authenticate")
    if next_url:
        target += "?" + urlencode({"next": next_url})
    context["sso_url"] = target
    context["sso_label"] = oidc.button_label()
    asked = request.GET.get("admin") == "1" or request.method == "POST"
    context["password_form_hidden"] = not settings.PASSWORD_LOGIN and not asked
    admin_query = {"admin": "1", **({"next": next_url} if next_url else {})}
    context["admin_sign_in_url"] = reverse("accounts:login") + "?" + urlencode(admin_query)
    return context


def refused(request: HttpRequest, refusal: oidc.Refused) -> HttpResponse:
    # The reason only: no claim value, code or token reaches the log.
    logger.warning("oidc: sign-in refused (%s)", refusal.reason)
    next_url = safe_next(request, request.session.get(NEXT_KEY))
    context = {
        "form": AuthenticationForm(request),
        "next": next_url,
        "sso_error": refusal.message,
        **sign_in_context(request, next_url=next_url),
    }
    return render(request, "accounts/login.html", context, status=refusal.status)


def _require_enabled() -> None:
    if not oidc.enabled():
        raise Http404


class AuthenticateView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a new state, nonce and PKCE challenge."""

    get_settings = staticmethod(oidc.library_setting)

    def __init__(self, **kwargs: Any) -> None:
        # The library reads its endpoint settings here; they come from discovery, later.
        View.__init__(self, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        _require_enabled()
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc.provider().authorization_endpoint
        except oidc.Refused as refusal:
            return refused(request, refusal)
        self.OIDC_RP_CLIENT_ID = oidc.config().client_id
        response = super().get(request)
        request.session[NEXT_KEY] = safe_next(request, request.GET.get("next"))
        return response


class CallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: checks the state, lets oidc.Backend
    exchange the code and verify the token, and signs the user in as a password
    sign-in would, except that the second factor is still to pass."""

    get_settings = staticmethod(oidc.library_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        _require_enabled()
        try:
            user = self._identify(request)
        except oidc.Refused as refusal:
            return refused(request, refusal)
        next_url = safe_next(request, request.session.get(NEXT_KEY))
        auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        # Single sign-on is one factor: an administrator still passes TOTP.
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        request.session.pop(NEXT_KEY, None)
        request.session[ACTIVE_AT] = int(time.time())
        oidc_accounts.record_sso_login(user, actor=Actor.from_request(request))
        return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))

    def _identify(self, request: HttpRequest) -> User:
        states = request.session.get("oidc_states")
        state = request.GET.get("state", "")
        entry = states.pop(state, None) if isinstance(states, dict) else None
        if entry is not None:
            # Spent at once, whatever follows: a replayed answer finds no state.
            request.session.modified = True
            request.session.save()
        if request.GET.get("error"):
            raise oidc.Refused("provider_error", oidc.CANCELLED)
        if not request.GET.get("code") or not state:
            raise oidc.Refused("code_or_state_missing", oidc.BAD_REQUEST)
        if not isinstance(entry, dict):
            raise oidc.Refused("bad_state", oidc.BAD_REQUEST)
        claims = oidc.Backend().identify(
            request, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier")
        )
        return oidc_accounts.user_for_claims(claims, request=request)


def password_refused(request: HttpRequest) -> HttpResponse:
    """A password sign-in while password sign-in is off, by someone who is not an
    administrator."""
    logger.info("password sign-in refused: password sign-in is switched off")
    form = AuthenticationForm(request, data=request.POST)
    form.errors.clear()
    form.add_error(None, PASSWORD_OFF)
    next_url = safe_next(request, request.POST.get("next"))
    context = {"form": form, "next": next_url, **sign_in_context(request, next_url=next_url)}
    return render(request, "accounts/login.html", context, status=403)
