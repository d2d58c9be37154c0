from __future__ import annotations

import base64
import time
from typing import Any

import segno
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from yingji.accounts import oidc_views, services
from yingji.accounts.forms import TotpCodeForm
from yingji.accounts.middleware import ACTIVE_AT
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.http import client_address, render_page
from yingji.search import services as search


def address_failures(request: HttpRequest) -> int:
    """Failed sign-ins from the request's address within the cool-off, over every name:
    django-axes locks a name at one address; spraying many names needs this too."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    found = AccessAttempt.objects.filter(
        ip_address=client_address(request), attempt_time__gte=since
    ).aggregate(total=Sum("failures_since_start"))
    return int(found["total"] or 0)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        next_url = oidc_views.safe_next(self.request, context.get("next"))
        context.update(oidc_views.sign_in_context(self.request, next_url=next_url))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return address_locked_out(request)
        if not settings.PASSWORD_LOGIN and not _may_use_password(request.POST.get("username")):
            return oidc_views.password_refused(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        # Signing in is activity: saved with the new session, not on the next request.
        self.request.session[ACTIVE_AT] = int(time.time())
        services.record_login(form.get_user(), actor=Actor.from_request(self.request))
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


def _may_use_password(username: object) -> bool:
    """With password sign-in off, administrators (who must pass TOTP) keep it: their way
    in when the identity provider is down. Decided before the password is checked, so
    the form tells nothing about other accounts' passwords."""
    if not isinstance(username, str) or not username:
        return False
    user = User.objects.filter(username=username, is_active=True).first()
    return user is not None and user.needs_two_factor


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes calls this for a locked-out user name and address."""
    form = AuthenticationForm(request, data=request.POST or None)
    form.errors.clear()
    form.add_error(
        None,
        _(
            "Too many failed sign-in attempts. This account is locked from this address "
            "for %(minutes)d minutes."
        )
        % {"minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
    )
    return render(request, "accounts/login.html", {"form": form}, status=429)


def address_locked_out(request: HttpRequest) -> HttpResponse:
    form = AuthenticationForm(request, data=request.POST or None)
    form.errors.clear()
    form.add_error(
        None,
        _("Too many failed sign-in attempts from this address. Try again in %(minutes)d minutes.")
        % {"minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
    )
    return render(request, "accounts/login.html", {"form": form}, status=429)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.record_logout(request.user, actor=Actor.from_request(request))
    auth.logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@login_required
def two_factor(request: HttpRequest) -> HttpResponseBase:
    """Enrol a TOTP authenticator, or pass the second factor after signing in."""
    user: User = request.user  # type: ignore[assignment]
    actor = Actor.from_request(request)
    device = services.totp_device(user)
    verified = user.is_verified()  # type: ignore[attr-defined]
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if device is not None:
            if device.verify_token(code):
                otp_login(request, device)
                return redirect(_safe_next(request))
            form.add_error("code", _("That code is not right. Enter the current one."))
        else:
            try:
                device = services.confirm_totp(user, code, actor=actor)
            except ValidationError as error:
                for message in error.message_dict.get("code", []):
                    form.add_error("code", message)
            else:
                otp_login(request, device)
                return redirect(_safe_next(request))
    context: dict[str, Any] = {
        "form": form,
        "next": _safe_next(request),
        "enrolled": device is not None,
        "verified": verified,
        "required": user.needs_two_factor,
    }
    if device is None:
        pending = services.start_totp(user, actor=actor)
        qr = segno.make(pending.config_url, error="m")
        context["qr_svg"] = qr.svg_inline(scale=4, dark="#111", light="#fff")
        context["secret"] = base64.b32encode(pending.bin_key).decode("ascii").rstrip("=")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/two_factor.html", context, status=status)


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    users = (
        User.objects.visible_to(request.user)
        .filter(is_active=True)
        .select_related("unit", "person")
        .prefetch_related("role_grants")
        .order_by("unit__path", "username")
    )
    if query:
        users = users.filter(
            search.every_term(
                query, "username__icontains", "person__name__icontains", "unit__name__icontains"
            )
        )
    return render_page(
        request,
        "accounts/user_list.html",
        "accounts/_user_rows.html",
        {"users": users[:500], "query": query},
    )
