"""The page shell: Chinese by default, an English switch, links only to what exists."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from yingji.accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_login_page_is_chinese_by_default_even_for_an_english_browser(db: None) -> None:
    page = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    assert 'lang="zh-Hans"' in page
    assert "登录" in page
    assert '<label for="id_username">' in page


def test_the_language_switch_turns_the_pages_english(township_clerk: User, client_for) -> None:
    client = client_for(township_clerk)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert 'lang="en"' in page
    assert "Petition intake clerk" in page and "Sign out" in page


def test_every_link_on_the_home_page_leads_somewhere(township_clerk: User, client_for) -> None:
    client = client_for(township_clerk)
    page = client.get("/").content.decode()
    links = set(re.findall(r'href="(/[^"]*)"', page)) - {"/static/yingji/style.css"}
    assert "/admin/" not in links  # not an administrator
    assert links
    for link in links:
        assert client.get(link, follow=True).status_code == 200, link


def test_an_administrator_sees_the_administration_link(city_admin: User) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(city_admin)
    device = TOTPDevice.objects.create(user=city_admin, name="d", confirmed=True)
    from django_otp.oath import totp

    client.post("/accounts/2fa/", {"code": f"{totp(device.bin_key):06d}"})
    page = client.get("/").content.decode()
    assert 'href="/admin/"' in page
    assert client.get("/admin/org/unit/").status_code == 200


def test_search_answers_htmx_with_rows_only(township_clerk: User, client_for) -> None:
    response = client_for(township_clerk).get(
        "/org/units/", {"q": "白石村"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body and "白石村" in body
