"""Similar cases while typing: the intake page asks, before registering, which existing
cases the petition so far resembles (issue 21, item 9)."""

from __future__ import annotations

import pytest

from tests import personas
from tests.petitions.conftest import intake
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.petitions import services
from yingji.petitions.models import Category

pytestmark = pytest.mark.django_db
URL = "/petitions/new/similar/"


def _earlier(clerk: User, **changes: object) -> str:
    return services.register(
        intake(**changes), office=clerk.unit, actor=Actor(user=clerk)
    ).petition.number


def test_the_same_petitioner_and_the_same_matter_show_before_registering(
    city: personas.City, township_clerk: User, sibling_clerk: User, client_for
) -> None:
    same_phone = _earlier(township_clerk, request="请求解决孩子入学问题", facts="学校不接收")
    same_matter = _earlier(township_clerk, phone="13900000000")  # the conftest's wage matter
    elsewhere = _earlier(sibling_clerk)  # the same matter, at a unit the clerk cannot see
    client = client_for(township_clerk)

    by_phone = client.post(URL, {"phone": "138 1234 1234"}).content.decode()
    assert same_phone in by_phone and same_matter not in by_phone
    assert "13812341234" not in by_phone and "张三丰" not in by_phone

    wages = Category.objects.get(code="labour.wages")
    typed = {
        "request": "请求支付拖欠的三个月工资",
        "facts": "在白石化工有限公司工作，工资一直未发放",
        "category": str(wages.pk),
    }
    by_matter = client.post(URL, typed).content.decode()
    assert same_matter in by_matter and elsewhere not in by_matter


def test_too_little_typed_waits_and_bad_input_is_refused_without_error(
    city: personas.City, township_clerk: User, client_for
) -> None:
    client = client_for(township_clerk)
    waiting = client.post(URL, {"request": "工资"})
    assert waiting.status_code == 200 and "<li>" not in waiting.content.decode()
    for bad in ({"category": "²"}, {"request": "拖欠\x00工资工资工资"}, {"phone": "1" * 40}):
        assert client.post(URL, bad).status_code == 400, bad
    assert client.get(URL).status_code == 405  # personal data only in a POST body


def test_only_those_who_register_petitions_may_ask(city: personas.City, client_for) -> None:
    duty = personas.make_user("duty-similar", city.baishi, Role.DUTY_OFFICER)
    assert client_for(duty).post(URL, {"phone": "13812341234"}).status_code == 403
