"""Single sign-on in a real browser: Chromium goes from yingji's sign-in page to the
oidc-provider-mock on loopback, authorizes there as the clerk, and lands back signed in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings
from playwright.sync_api import Browser, expect

from tests import personas
from tests.accounts import oidc_provider
from tests.browser import chromium
from yingji.accounts import oidc
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.config import OidcConfig

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LABEL = "政务统一身份认证登录"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def issuer() -> Iterator[str]:
    with oidc_provider.mock_provider() as started:
        oidc.forget_providers()
        config = OidcConfig(issuer=started, client_id="yingji", client_secret="s", label=LABEL)
        with override_settings(OIDC=config):
            yield started


@pytest.fixture
def clerk(city: personas.City) -> User:
    return personas.make_user("clerk", city.baishizhen, Role.INTAKE_CLERK, name="周婷")


def test_the_clerk_signs_in_through_the_identity_provider(
    browser: Browser, live_server, issuer: str, clerk: User, tmp_path
) -> None:
    """The two screenshots (the sign-in page, the welcome page) are for looking at."""
    oidc_provider.set_claims(issuer, "zhouting-0001", {"preferred_username": "clerk"})
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        button = page.get_by_role("link", name=LABEL)
        expect(button).to_be_visible()
        page.screenshot(path=str(tmp_path / "oidc-login.png"), full_page=True)
        button.click()
        # The provider's own page: who to sign in as.
        expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
        assert page.url.startswith(issuer)
        page.get_by_placeholder("sub").fill("zhouting-0001")
        page.get_by_role("button", name="Authorize").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("欢迎")
        expect(page.get_by_role("heading", level=1)).to_contain_text("周婷")
        assert page.url.startswith(live_server.url)
        page.screenshot(path=str(tmp_path / "oidc-signed-in.png"), full_page=True)
    finally:
        context.close()
