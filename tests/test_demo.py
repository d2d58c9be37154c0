"""`yingji demo`: the demo city loads once and every demo role can sign in."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from yingji import demo
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.org.models import Unit

pytestmark = pytest.mark.django_db


def test_it_loads_the_city_once_and_prints_the_logins(db: None) -> None:
    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "yingji-demo-2026" in out.getvalue()
    assert "值班员" in out.getvalue()
    units = Unit.objects.count()
    call_command("demo", "--if-empty", stdout=StringIO())
    assert Unit.objects.count() == units
    assert set(User.objects.values_list("username", flat=True)) == {
        login.username for login in demo.LOGINS
    }
    assert {login.role for login in demo.LOGINS} == set(Role)
    call_command("audit", "verify", stdout=StringIO())


def test_it_leaves_a_database_with_its_own_units_alone(city) -> None:
    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "not loaded" in out.getvalue()
    assert not User.objects.filter(username="admin").exists()


def test_every_demo_role_can_sign_in(db: None) -> None:
    demo.load()
    for login in demo.LOGINS:
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": login.username, "password": demo.DEMO_PASSWORD}
        )
        assert response.status_code == 302, login.username
        landing = client.get("/")
        if login.role == Role.SYSADMIN:
            assert landing["Location"].startswith("/accounts/2fa/")
        else:
            assert landing.status_code == 200, login.username
            assert str(login.role.label) in landing.content.decode()


def test_the_demo_has_two_linked_plans_in_force_that_evaluate(db: None) -> None:
    from yingji.plans import services as plans
    from yingji.plans.models import Plan

    demo.load()
    county = Plan.objects.get(title="白石县突发事件总体应急预案")
    township = Plan.objects.get(title="白石镇群体性上访事件应急预案")
    assert township.parent == county and county.owner.name == "白石县"
    for plan in (county, township):
        version = plans.in_force(plan)
        assert version is not None and version.groups.count() >= 6
    version = plans.in_force(township)
    assert version is not None
    assert [r.level for r in plans.matching_levels(version, {"people_involved": 45})] == [4]
