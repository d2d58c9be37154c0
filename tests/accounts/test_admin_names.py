"""In the admin, unit drop-downs show the tree and Chinese names read surname first."""

from __future__ import annotations

import re

import pytest

from tests import personas
from yingji.accounts.models import User
from yingji.org.models import Unit

pytestmark = pytest.mark.django_db


def test_the_unit_drop_down_of_a_user_is_the_tree_in_order(
    city: personas.City, city_admin: User, admin_client_for
) -> None:
    page = admin_client_for(city_admin).get("/admin/accounts/user/add/").content.decode()
    select = re.search(r'<select name="unit"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None
    labels = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', select.group(1))
    units = list(Unit.objects.administered_by(city_admin).order_by("path"))
    assert labels == ["\u3000" * u.depth + u.name for u in units]
    assert any(label.startswith("\u3000\u3000") for label in labels)


def test_a_chinese_name_reads_surname_first_without_a_space() -> None:
    assert User(first_name="磊", last_name="王").get_full_name() == "王磊"
    assert User(first_name="Lei", last_name="Wang").get_full_name() == "Lei Wang"
    assert User(username="wl", first_name="磊", last_name="王").display_name == "王磊"
