"""API tokens: stored hashed, bound to one user, revocable."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests import personas
from yingji.accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db


def create_token(username: str) -> str:
    out = StringIO()
    call_command("token", "create", username, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_token_acts_as_its_own_user_only(
    township_clerk: User, county_handler: User, city: personas.City
) -> None:
    secret = create_token("clerk")
    client = Client()
    me = client.get("/api/v1/me", **bearer(secret))
    assert me.status_code == 200
    assert me.json()["username"] == "clerk"
    assert me.json()["unit"]["name"] == "白石镇"
    # The county handler may see 柳林乡; the clerk's token may not.
    assert client.get(f"/api/v1/units/{city.liulin.pk}", **bearer(secret)).status_code == 404
    other = create_token("handler")
    assert client.get(f"/api/v1/units/{city.liulin.pk}", **bearer(other)).status_code == 200


def test_only_the_hash_of_a_token_is_stored(township_clerk: User) -> None:
    secret = create_token("clerk")
    token = ApiToken.objects.get(user=township_clerk)
    assert secret not in (token.key_hash, token.prefix)
    assert secret.startswith(token.prefix)


def test_a_revoked_token_no_longer_works(township_clerk: User) -> None:
    secret = create_token("clerk")
    client = Client()
    assert client.get("/api/v1/me", **bearer(secret)).status_code == 200
    call_command("token", "revoke", secret[:10], stdout=StringIO())
    response = client.get("/api/v1/me", **bearer(secret))
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "unauthenticated"


def test_a_made_up_or_missing_token_is_refused(township_clerk: User) -> None:
    client = Client()
    assert client.get("/api/v1/me", **bearer("yj_not-a-real-token")).status_code == 401
    assert client.get("/api/v1/me").status_code == 401


def test_a_token_of_a_deactivated_user_stops_working(township_clerk: User) -> None:
    secret = create_token("clerk")
    User.objects.filter(pk=township_clerk.pk).update(is_active=False)
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 401


def test_it_names_an_unknown_user(db: None) -> None:
    with pytest.raises(CommandError, match="no user named 'ghost'"):
        call_command("token", "create", "ghost", stdout=StringIO())


def test_a_token_with_days_lapses_by_itself(township_clerk: User) -> None:
    from datetime import timedelta

    from django.utils import timezone

    out = StringIO()
    call_command("token", "create", "clerk", "--days", "30", stdout=out, stderr=StringIO())
    secret = out.getvalue().strip()
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 401
    with pytest.raises(CommandError):
        call_command("token", "create", "clerk", "--days", "0", stdout=StringIO())


def test_an_account_that_must_use_a_second_factor_gets_no_token_without_one(
    city_admin: User,
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with pytest.raises(CommandError, match="TOTP"):
        call_command("token", "create", "admin", stdout=StringIO(), stderr=StringIO())
    TOTPDevice.objects.create(user=city_admin, name="phone", confirmed=True)
    assert Client().get("/api/v1/me", **bearer(create_token("admin"))).status_code == 200
