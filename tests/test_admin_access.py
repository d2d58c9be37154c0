"""Administrators configure the channels, supplies master data and event types in the
admin; a superuser signs in with a second factor like any administrator."""

from __future__ import annotations

import pytest

from tests.conftest import signed_in, signed_in_with_second_factor
from yingji.accounts.models import User

pytestmark = pytest.mark.django_db

CONFIGURATION = [
    "/admin/notify/smsgateway/",
    "/admin/notify/smsgateway/add/",
    "/admin/notify/webhook/",
    "/admin/notify/escalationchain/",
    "/admin/notify/delivery/",
    "/admin/resources/item/",
    "/admin/resources/item/add/",
    "/admin/resources/warehouse/",
    "/admin/resources/category/",
    "/admin/resources/movement/",
    "/admin/plans/eventtype/",
]


def test_the_system_administrator_opens_every_configuration_page(city_admin: User) -> None:
    city_admin.is_staff = True
    city_admin.save(update_fields=["is_staff"])
    client = signed_in_with_second_factor(city_admin)
    answers = {url: client.get(url).status_code for url in CONFIGURATION}
    assert answers == dict.fromkeys(CONFIGURATION, 200)
    index = client.get("/admin/").content.decode()
    assert "/admin/notify/" in index and "/admin/resources/" in index


def test_a_superuser_must_set_up_a_second_factor(city) -> None:
    root = User.objects.create_superuser("root", password="a-long-password-2026")
    assert root.needs_two_factor
    answer = signed_in(root).get("/admin/")
    assert answer.status_code == 302 and "/accounts/2fa/" in answer["Location"]
