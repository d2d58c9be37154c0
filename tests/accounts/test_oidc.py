"""Single sign-on against identity providers running on loopback (tests/accounts/
oidc_provider.py): the real oidc-provider-mock for the flow, and a provider whose tokens a
test shapes for the answers a provider should never give."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import translation
from django.utils.html import escape
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import personas
from tests.accounts import oidc_provider
from tests.accounts.oidc_provider import ShapedProvider
from yingji.accounts import oidc, oidc_views
from yingji.accounts.middleware import ACTIVE_AT
from yingji.accounts.models import SingleSignOnUnit, User
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.config import OidcConfig

pytestmark = pytest.mark.django_db

CLIENT_ID = "yingji"


def shown(message: object) -> str:
    """A message as the sign-in page shows it, in Chinese once it is translated."""
    with translation.override("zh-hans"):
        return escape(str(message))


NO_ACCOUNT = shown(oidc.NO_ACCOUNT)
NOT_VERIFIED = shown(oidc.NOT_VERIFIED)
BUTTON = shown(oidc.DEFAULT_LABEL)


def configured(issuer: str, **options: str) -> override_settings:
    oidc.forget_providers()
    return override_settings(
        OIDC=OidcConfig(issuer=issuer, client_id=CLIENT_ID, client_secret="s3cret", **options)
    )


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with oidc_provider.mock_provider() as started:
        yield started


@pytest.fixture
def sso(issuer: str) -> Iterator[str]:
    with configured(issuer, unit_claim="unit_code"):
        yield issuer


@pytest.fixture
def shaped() -> Iterator[ShapedProvider]:
    with ShapedProvider(CLIENT_ID).running() as provider, configured(provider.issuer):
        yield provider


def signed_in_user(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_a_mapped_user_signs_in_through_the_provider(
    sso: str, township_clerk: User, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    answer = oidc_provider.sign_in(
        client, sso, "u-1001", {"preferred_username": "clerk"}, next_url="/petitions/"
    )
    assert answer.status_code == 302 and answer["Location"] == "/petitions/"
    assert signed_in_user(client) == str(township_clerk.pk)
    assert client.session[ACTIVE_AT] > 0
    entry = AuditEntry.objects.get(action="accounts.login", object_id=str(township_clerk.pk))
    assert entry.note == "single sign-on"
    page = client.get("/").content.decode()
    assert "周婷" in page


def test_it_matches_by_email_when_so_configured(issuer: str, township_clerk: User) -> None:
    township_clerk.email = "zhou.ting@example.gov.cn"
    township_clerk.save(update_fields=["email"])
    client = Client()
    with configured(issuer, claim="email"):
        oidc_provider.sign_in(client, issuer, "u-1002", {"email": "Zhou.Ting@example.gov.cn"})
    assert signed_in_user(client) == str(township_clerk.pk)


def test_it_refuses_an_unknown_identity_and_logs_no_claim_value(
    sso: str, township_clerk: User, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    with caplog.at_level(logging.WARNING, logger="yingji.accounts.oidc"):
        answer = oidc_provider.sign_in(client, sso, "u-2001", {"preferred_username": "stranger"})
    assert answer.status_code == 403
    assert NO_ACCOUNT in answer.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.filter(username="stranger").exists()
    assert "unknown_identity" in caplog.text and "stranger" not in caplog.text


def test_it_refuses_an_inactive_user(sso: str, township_clerk: User) -> None:
    township_clerk.is_active = False
    township_clerk.save(update_fields=["is_active"])
    client = Client()
    answer = oidc_provider.sign_in(client, sso, "u-1001", {"preferred_username": "clerk"})
    assert answer.status_code == 403 and signed_in_user(client) is None


def test_it_creates_a_user_without_roles_where_an_administrator_allowed_it(
    sso: str, city: personas.City
) -> None:
    SingleSignOnUnit.objects.create(unit=city.baishizhen, create_accounts=True)
    client = Client()
    answer = oidc_provider.sign_in(
        client,
        sso,
        "u-3001",
        {"preferred_username": "liming", "name": "李明", "unit_code": "980121100"},
    )
    assert answer.status_code == 302
    user = User.objects.get(username="liming")
    assert user.unit == city.baishizhen and user.is_active
    assert user.role_codes == frozenset() and not user.has_usable_password()
    assert user.display_name == "李明" and user.email == ""
    assert signed_in_user(client) == str(user.pk)
    assert AuditEntry.objects.filter(action="accounts.user.create", object_id=str(user.pk))


@pytest.mark.parametrize("allowed", [False, None])
def test_it_creates_nobody_where_it_is_not_allowed(
    sso: str, city: personas.City, allowed: bool | None
) -> None:
    if allowed is not None:
        SingleSignOnUnit.objects.create(unit=city.baishizhen, create_accounts=allowed)
    client = Client()
    answer = oidc_provider.sign_in(
        client, sso, "u-3002", {"preferred_username": "wangfang", "unit_code": "980121100"}
    )
    assert answer.status_code == 403 and NO_ACCOUNT in answer.content.decode()
    assert not User.objects.filter(username="wangfang").exists()


def test_it_refuses_a_callback_with_a_state_it_did_not_issue(
    sso: str, township_clerk: User, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    oidc_provider.set_claims(sso, "u-1001", {"preferred_username": "clerk"})
    back = oidc_provider.authorize(oidc_provider.start(client), "u-1001")
    forged = back.replace("state=", "state=x")
    with caplog.at_level(logging.WARNING, logger="yingji.accounts.oidc"):
        answer = client.get(forged)
    assert answer.status_code == 400 and shown(oidc.BAD_REQUEST) in answer.content.decode()
    assert signed_in_user(client) is None
    assert "bad_state" in caplog.text


def test_it_refuses_a_replayed_callback(sso: str, township_clerk: User) -> None:
    client = Client()
    oidc_provider.set_claims(sso, "u-1001", {"preferred_username": "clerk"})
    back = oidc_provider.authorize(oidc_provider.start(client), "u-1001")
    assert client.get(back).status_code == 302
    client.post("/accounts/logout/")
    assert signed_in_user(client) is None
    assert client.get(back).status_code == 400
    assert signed_in_user(client) is None


def test_it_refuses_a_callback_in_another_browser(sso: str, township_clerk: User) -> None:
    oidc_provider.set_claims(sso, "u-1001", {"preferred_username": "clerk"})
    back = oidc_provider.authorize(oidc_provider.start(Client()), "u-1001")
    other = Client()
    assert other.get(back).status_code == 400 and signed_in_user(other) is None


def test_it_refuses_what_the_provider_denied(sso: str) -> None:
    client = Client()
    location = oidc_provider.start(client)
    import requests

    denied = requests.post(location, data={"action": "deny"}, allow_redirects=False, timeout=5)
    back = denied.headers["Location"].split("testserver", 1)[1]
    answer = client.get(back)
    assert answer.status_code == 400 and signed_in_user(client) is None


def test_an_administrator_through_sso_still_passes_totp(sso: str, city_admin: User) -> None:
    device = TOTPDevice.objects.create(user=city_admin, name="phone", confirmed=True)
    client = Client()
    answer = oidc_provider.sign_in(client, sso, "u-4001", {"preferred_username": "admin"})
    assert answer.status_code == 302 and signed_in_user(client) == str(city_admin.pk)
    page = client.get("/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/2fa/")
    assert client.get("/admin/").status_code == 302
    passed = client.post("/accounts/2fa/", {"code": f"{totp(device.bin_key):06d}", "next": "/"})
    assert passed.status_code == 302
    assert client.get("/").status_code == 200


def test_an_expired_token_from_the_real_provider_is_refused(township_clerk: User) -> None:
    with (
        oidc_provider.mock_provider(token_max_age=timedelta(seconds=0)) as issuer,
        configured(issuer),
    ):
        client = Client()
        answer = oidc_provider.sign_in(client, issuer, "u-1001", {"preferred_username": "clerk"})
    assert answer.status_code == 400 and NOT_VERIFIED in answer.content.decode()
    assert signed_in_user(client) is None


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"aud": "another-client"}, "wrong_audience"),
        ({"aud": ["another-client", "third"]}, "wrong_audience"),
        ({"exp": 1_000_000_000, "iat": 999_999_000}, "token_expired"),
        ({"exp": int(time.time()) - 5}, "token_expired"),
        ({"iss": "http://127.0.0.1:1"}, "wrong_issuer"),
        ({"nonce": "not-the-one-sent"}, "bad_nonce"),
        ({"nonce": None}, "bad_nonce"),
        ({"exp": None}, "token_claim_missing"),
        ({"iat": 4_000_000_000, "exp": 4_000_000_300}, "token_not_yet_valid"),
    ],
)
def test_it_refuses_a_token_it_should_not_trust(
    shaped: ShapedProvider,
    township_clerk: User,
    caplog: pytest.LogCaptureFixture,
    claims: dict[str, object],
    reason: str,
) -> None:
    shaped.claims = claims
    client = Client()
    with caplog.at_level(logging.WARNING, logger="yingji.accounts.oidc"):
        answer = shaped.sign_in(client)
    assert answer.status_code == 400 and NOT_VERIFIED in answer.content.decode()
    assert signed_in_user(client) is None
    assert reason in caplog.text


def test_it_refuses_a_token_signed_with_a_key_the_provider_does_not_publish(
    shaped: ShapedProvider, township_clerk: User, caplog: pytest.LogCaptureFixture
) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    shaped.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client = Client()
    with caplog.at_level(logging.WARNING, logger="yingji.accounts.oidc"):
        answer = shaped.sign_in(client)
    assert answer.status_code == 400 and signed_in_user(client) is None
    assert "bad_signature" in caplog.text


def test_the_shaped_provider_signs_in_when_nothing_is_wrong(
    shaped: ShapedProvider, township_clerk: User
) -> None:
    client = Client()
    assert shaped.sign_in(client).status_code == 302
    assert signed_in_user(client) == str(township_clerk.pk)


def test_an_unreachable_provider_shows_a_message_not_an_error(
    township_clerk: User, caplog: pytest.LogCaptureFixture
) -> None:
    with configured("http://127.0.0.1:9"), caplog.at_level(logging.WARNING):
        answer = Client().get("/accounts/oidc/authenticate/")
    assert answer.status_code == 503
    assert shown(oidc.UNAVAILABLE) in answer.content.decode()
    assert "discovery_unavailable" in caplog.text


def test_a_provider_naming_another_issuer_is_not_used(
    shaped: ShapedProvider, caplog: pytest.LogCaptureFixture
) -> None:
    shaped.announced_issuer = "https://idp.example.gov.cn"
    with caplog.at_level(logging.WARNING):
        answer = Client().get("/accounts/oidc/authenticate/")
    assert answer.status_code == 503 and "discovery_issuer_mismatch" in caplog.text


def test_the_login_page_offers_single_sign_on(sso: str) -> None:
    page = Client().get("/accounts/login/?next=/petitions/").content.decode()
    assert BUTTON in page
    assert "/accounts/oidc/authenticate/?next=%2Fpetitions%2F" in page
    assert 'name="password"' in page


def test_the_button_can_be_named(issuer: str) -> None:
    with configured(issuer, label="政务统一身份认证"):
        page = Client().get("/accounts/login/").content.decode()
    assert "政务统一身份认证" in page


def test_without_an_issuer_the_routes_are_not_there_and_the_page_is_as_before() -> None:
    with override_settings(OIDC=None):
        client = Client()
        assert client.get("/accounts/oidc/authenticate/").status_code == 404
        assert client.get("/accounts/oidc/callback/?code=a&state=b").status_code == 404
        page = client.get("/accounts/login/").content.decode()
    assert "/accounts/oidc/" not in page and 'name="password"' in page


class TestPasswordSignInSwitchedOff:
    @pytest.fixture(autouse=True)
    def password_off(self, sso: str) -> Iterator[None]:
        with override_settings(PASSWORD_LOGIN=False):
            yield

    def test_the_page_shows_only_single_sign_on_and_the_administrators_link(self) -> None:
        page = Client().get("/accounts/login/").content.decode()
        assert BUTTON in page and 'name="password"' not in page
        assert "?admin=1" in page
        admin_page = Client().get("/accounts/login/?admin=1").content.decode()
        assert 'name="password"' in admin_page

    def test_it_refuses_a_password_for_someone_not_an_administrator(
        self, township_clerk: User
    ) -> None:
        client = Client()
        answer = client.post(
            "/accounts/login/", {"username": "clerk", "password": personas.PASSWORD}
        )
        assert (
            answer.status_code == 403 and shown(oidc_views.PASSWORD_OFF) in answer.content.decode()
        )
        assert signed_in_user(client) is None

    def test_an_administrator_keeps_password_and_totp(self, city_admin: User) -> None:
        client = Client()
        answer = client.post(
            "/accounts/login/", {"username": "admin", "password": personas.PASSWORD}
        )
        assert answer.status_code == 302 and signed_in_user(client) == str(city_admin.pk)
        assert client.get("/")["Location"].startswith("/accounts/2fa/")


def test_an_administrator_allows_account_creation_only_for_their_own_units(
    city: personas.City, admin_client_for, client_for
) -> None:
    county_admin = personas.make_user("county_admin", city.baishi, Role.SYSADMIN)
    SingleSignOnUnit.objects.create(unit=city.qingxi, create_accounts=True)
    client = admin_client_for(county_admin)
    listing = client.get("/admin/accounts/singlesignonunit/").content.decode()
    assert "清溪区" not in listing
    outside = client.post(
        "/admin/accounts/singlesignonunit/add/",
        {"unit": city.hexi.pk, "create_accounts": "on"},
    )
    assert outside.status_code == 200
    assert not SingleSignOnUnit.objects.filter(unit=city.hexi).exists()
    inside = client.post(
        "/admin/accounts/singlesignonunit/add/",
        {"unit": city.baishizhen.pk, "create_accounts": "on"},
    )
    assert inside.status_code == 302
    assert SingleSignOnUnit.objects.get(unit=city.baishizhen).create_accounts
    clerk = personas.make_user("clerk", city.baishizhen, Role.INTAKE_CLERK)
    assert client_for(clerk).get("/admin/accounts/singlesignonunit/").status_code in {302, 403}


def test_the_request_to_the_provider_carries_state_nonce_and_a_pkce_challenge(sso: str) -> None:
    from urllib.parse import parse_qs, urlsplit

    location = urlsplit(oidc_provider.start(Client()))
    query = {name: values[0] for name, values in parse_qs(location.query).items()}
    assert f"{location.scheme}://{location.netloc}" == sso
    assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert query["redirect_uri"] == "http://testserver/accounts/oidc/callback/"


def test_it_sends_nobody_to_another_site_after_signing_in(sso: str, township_clerk: User) -> None:
    client = Client()
    answer = oidc_provider.sign_in(
        client, sso, "u-1001", {"preferred_username": "clerk"}, next_url="https://evil.example/"
    )
    assert answer.status_code == 302 and answer["Location"] == "/"


def test_a_provider_clock_a_little_ahead_is_tolerated(
    shaped: ShapedProvider, township_clerk: User
) -> None:
    shaped.claims = {"iat": int(time.time()) + 20, "nbf": int(time.time()) + 20}
    client = Client()
    assert shaped.sign_in(client).status_code == 302
    assert signed_in_user(client) == str(township_clerk.pk)
