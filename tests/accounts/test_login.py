"""Signing in: argon2, password policy, lockout, idle expiry, logout, TOTP for admins."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import personas
from yingji.accounts import services
from yingji.accounts.middleware import ACTIVE_AT
from yingji.accounts.models import User
from yingji.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str = personas.PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_a_user_signs_in_and_sees_their_unit_and_role(township_clerk: User) -> None:
    client = Client()
    response = sign_in(client, "clerk")
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/").content.decode()
    assert "周婷" in page and "白石镇" in page and "信访接待员" in page
    assert township_clerk.password.startswith("argon2")
    assert AuditEntry.objects.filter(action="accounts.login", object_id=str(township_clerk.pk))


def test_it_rejects_a_wrong_password_in_chinese(township_clerk: User) -> None:
    response = sign_in(Client(), "clerk", "wrong-password-1")
    assert response.status_code == 400
    assert "请输入一个正确的" in response.content.decode()


def test_it_locks_out_after_five_failures_even_with_the_right_password(
    township_clerk: User,
) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "clerk", "wrong-password-1")
    response = sign_in(client, "clerk")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_lockout_for_one_user_does_not_lock_another(
    township_clerk: User, county_handler: User
) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "clerk", "wrong-password-1")
    assert sign_in(client, "handler").status_code == 302


@pytest.mark.parametrize("password", ["short-1", "password123", "1234567890123"])
def test_it_refuses_weak_passwords_and_creates_no_user(city: personas.City, password: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.create_user(
            actor=personas.SETUP, username="newbie", password=password, unit=city.liulin
        )
    assert "password" in caught.value.message_dict
    assert not User.objects.filter(username="newbie").exists()


def test_each_action_pushes_the_idle_expiry_forward(township_clerk: User) -> None:
    client = Client()
    sign_in(client, "clerk")
    key = client.session.session_key
    session = client.session
    session[ACTIVE_AT] = 0  # the last action was more than a minute ago
    session.save()
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )
    assert client.get("/").status_code == 200
    expiry = Session.objects.get(session_key=key).expire_date
    assert expiry > timezone.now() + timedelta(minutes=settings.SESSION_COOKIE_AGE // 60 - 1)


def test_a_session_idle_past_its_limit_is_signed_out(township_clerk: User) -> None:
    client = Client()
    sign_in(client, "clerk")
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_logout_ends_the_session(township_clerk: User) -> None:
    client = Client()
    sign_in(client, "clerk")
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/accounts/logout/").status_code == 405


def test_an_administrator_must_enrol_a_second_factor_before_anything_else(
    city_admin: User,
) -> None:
    client = Client()
    assert sign_in(client, "admin").status_code == 302
    response = client.get("/org/units/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/")
    enrol = client.get(response["Location"])
    assert "<svg" in enrol.content.decode()
    assert client.get("/api/v1/me").status_code == 401
    device = TOTPDevice.objects.get(user=city_admin, confirmed=False)
    bad = client.post("/accounts/2fa/", {"code": "000000", "next": "/org/units/"})
    assert bad.status_code == 400 and "验证码不正确" in bad.content.decode()
    good = client.post(
        "/accounts/2fa/", {"code": f"{totp(device.bin_key):06d}", "next": "/org/units/"}
    )
    assert good.status_code == 302 and good["Location"] == "/org/units/"
    assert client.get("/org/units/").status_code == 200
    assert client.get("/admin/").status_code == 200
    assert client.get("/api/v1/me").json()["username"] == "admin"


def test_an_enrolled_administrator_passes_the_code_at_each_sign_in(city_admin: User) -> None:
    device = TOTPDevice.objects.create(user=city_admin, name="default", confirmed=True)
    client = Client()
    sign_in(client, "admin")
    assert client.get("/").status_code == 302
    response = client.post("/accounts/2fa/", {"code": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_two_factor_is_optional_for_other_roles(township_clerk: User) -> None:
    client = Client()
    sign_in(client, "clerk")
    assert client.get("/org/units/").status_code == 200
    assert client.get("/accounts/2fa/").status_code == 200


def test_a_spray_of_names_from_one_address_is_stopped(township_clerk: User, settings: Any) -> None:
    """django-axes locks a name at an address; many names from one address were never
    throttled (200 failures over 50 names went through)."""
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    spray = Client(REMOTE_ADDR="10.9.9.9")
    for index in range(12):
        assert sign_in(spray, f"guess{index}", "wrong-password-1").status_code == 400
    refused = sign_in(spray, "clerk")  # even the right password, from that address
    assert refused.status_code == 429
    assert "此地址" in refused.content.decode() or "this address" in refused.content.decode()
    assert sign_in(Client(REMOTE_ADDR="10.9.9.10"), "clerk").status_code == 302


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(settings: Any) -> None:
    from django.test import RequestFactory

    from yingji.http import client_address

    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    settings.BEHIND_PROXY = False
    assert client_address(request) == "127.0.0.1"
    settings.BEHIND_PROXY = True
    assert client_address(request) == "203.0.113.7"  # not the browser's own claim
