"""Issue 21 in a real browser: a leader extends a case by 20 days, then asks for 15 more;
the case page comes back saying how much is granted, beside the days and at the top."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from tests import personas
from tests.browser import chromium
from tests.petitions.conftest import intake
from tests.petitions.test_journey_browser import new_page, sign_in
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.petitions import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_a_refused_extension_shows_the_services_message(
    browser: Browser, live_server, city, reference_data: None
) -> None:
    leader = personas.make_user("county_leader", city.baishi, Role.DUTY_LEADER, name="县领导")
    actor = Actor(user=leader)
    petition = services.register(
        intake(received_at=timezone.now() - timedelta(days=2)), office=city.baishi, actor=actor
    ).petition
    services.decide(petition, actor=actor, decision="accept")
    services.extend_handling(petition, actor=actor, days=20, reason="需多部门会商")
    base = live_server.url

    page = new_page(browser)
    sign_in(page, base, "county_leader")
    page.goto(f"{base}/petitions/{petition.pk}/")
    page.get_by_text("延长办理期限", exact=False).click()
    page.locator("input[name=days]").fill("15")
    page.locator("form[action$='/extend/'] input[name=reason]").fill("仍需调查")
    page.get_by_role("button", name="延期", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("延期合计不得超过 30，已批准 20。")
    expect(page.locator("#id_days_error")).to_have_text("延期合计不得超过 30，已批准 20。")
    expect(page.locator("form[action$='/extend/'] input[name=reason]")).to_have_value("仍需调查")
