"""Similar cases while typing: the intake page asks, before registering, which existing
cases the petition so far resembles (issue 21, item 9)."""

from __future__ import annotations

import pytest

from tests import personas
from tests.petitions.conftest import intake
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
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


SEARCH = "/petitions/by-petitioner/"


def test_a_returning_petitioner_is_found_by_name_phone_or_id_number_and_audited(
    city: personas.City, township_clerk: User, sibling_clerk: User, client_for
) -> None:
    mine = _earlier(township_clerk)  # 张三丰, 13812341234, 11010519491231002X
    other = _earlier(township_clerk, name="李四", phone="13900000000", id_number="")
    hidden = _earlier(sibling_clerk)  # the same petitioner at a unit the clerk cannot see
    client = client_for(township_clerk)
    assert "/petitions/by-petitioner/" in client.get("/petitions/").content.decode()
    for who in ("张 三丰", "138-1234-1234", "11010519491231002x"):
        page = client.post(SEARCH, {"who": who, "reason": "来访人称曾反映过"})
        assert page.status_code == 200, who
        shown = page.content.decode()
        assert mine in shown and other not in shown and hidden not in shown, who
        assert "张三丰" not in shown and "13812341234" not in shown  # masked only
    entries = AuditEntry.objects.filter(action="petitions.petitioner.search")
    assert entries.count() == 3
    assert {e.note for e in entries} == {"来访人称曾反映过"}
    logged = " ".join(e.object_repr for e in entries)
    assert "张三丰" not in logged and "13812341234" not in logged and "张**" in logged


def test_a_search_needs_a_reason_and_a_role_that_may_see_petitioners(
    city: personas.City, township_clerk: User, client_for
) -> None:
    client = client_for(township_clerk)
    refused = client.post(SEARCH, {"who": "张三丰", "reason": " "})
    assert refused.status_code == 400
    for bad in (
        {"who": "", "reason": "核实"},
        {"who": "1" * 60, "reason": "核实"},
        {"who": "张\x00三", "reason": "核实"},
        {"who": "123", "reason": "核实"},
    ):
        assert client.post(SEARCH, bad).status_code == 400, bad
    assert not AuditEntry.objects.filter(action="petitions.petitioner.search").exists()
    duty = personas.make_user("duty-search", city.baishi, Role.DUTY_OFFICER)
    assert client_for(duty).get(SEARCH).status_code == 403


def test_a_name_completed_later_is_found(
    city: personas.City, township_clerk: User, client_for
) -> None:
    actor = Actor(user=township_clerk)
    unclear = services.register(intake(name="", address=""), office=city.baishizhen, actor=actor)
    services.clarify_identity(unclear.petition, actor=actor, name="王五", address="白石镇")
    page = client_for(township_clerk).post(SEARCH, {"who": "王五", "reason": "核实"})
    assert unclear.petition.number in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_search_outside_a_test_transaction_is_recorded(
    reference_data: None, city: personas.City, township_clerk: User, client_for
) -> None:
    """As a server runs it, with no transaction around the request: the audit entry is
    written in the search's own (it answered 500 before)."""
    number = _earlier(township_clerk)
    page = client_for(township_clerk).post(SEARCH, {"who": "13812341234", "reason": "核实"})
    assert page.status_code == 200 and number in page.content.decode()
    assert AuditEntry.objects.filter(action="petitions.petitioner.search").count() == 1
