"""Administrators keep units, people and users in the admin, within their own subtree."""

from __future__ import annotations

import pytest

from tests import personas
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.org.models import Person, Unit

pytestmark = pytest.mark.django_db


def unit_form(**values: object) -> dict[str, object]:
    return {
        "name": "",
        "short_name": "",
        "kind": "department",
        "region_level": "",
        "code": "",
        "parent": "",
        "phone": "",
        "email": "",
        "address": "",
        "is_active": "on",
        **values,
    }


def test_an_administrator_adds_a_unit_and_the_audit_log_says_who(
    city_admin: User, city: personas.City, admin_client_for
) -> None:
    client = admin_client_for(city_admin)
    response = client.post(
        "/admin/org/unit/add/",
        unit_form(name="白石县水利局", parent=city.baishi.pk),
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    unit = Unit.objects.get(name="白石县水利局")
    assert unit.is_within(city.baishi)
    entry = AuditEntry.objects.get(action="org.unit.create", object_id=str(unit.pk))
    assert entry.actor_id == city_admin.pk
    assert entry.client_address == "10.1.2.3"


def test_a_bad_unit_gets_messages_per_field_and_nothing_is_written(
    city_admin: User, city: personas.City, admin_client_for
) -> None:
    client = admin_client_for(city_admin)
    before = Unit.objects.count()
    response = client.post(
        "/admin/org/unit/add/",
        unit_form(name="", kind="region", region_level="village", parent=city.baishizhen.pk),
    )
    assert response.status_code == 200
    assert "此项为必填项。" in response.content.decode()
    bad_code = client.post(
        "/admin/org/unit/add/",
        unit_form(
            name="某村", kind="region", region_level="village", code="12", parent=city.baishizhen.pk
        ),
    )
    assert bad_code.status_code == 200
    assert "该级别的区划代码为 12 位数字。" in bad_code.content.decode()
    assert Unit.objects.count() == before


def test_a_county_administrator_manages_only_the_county(
    city: personas.City, admin_client_for
) -> None:
    county_admin = personas.make_user("county_admin", city.baishi, Role.SYSADMIN)
    personas.person("河西人员", city.hexi)
    client = admin_client_for(county_admin)
    listing = client.get("/admin/org/unit/").content.decode()
    assert "柳林乡" in listing and "河西街道" not in listing
    assert client.get(f"/admin/org/unit/{city.hexi.pk}/change/").status_code == 302
    people = client.get("/admin/org/person/").content.decode()
    assert "河西人员" not in people
    response = client.post("/admin/org/unit/add/", unit_form(name="顶级单位"))
    assert response.status_code == 200
    assert not Unit.objects.filter(name="顶级单位").exists()


def test_an_administrator_adds_a_user_with_a_role_through_the_service(
    city_admin: User, city: personas.City, admin_client_for
) -> None:
    client = admin_client_for(city_admin)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newclerk",
            "first_name": "",
            "last_name": "",
            "email": "",
            "unit": city.liulin.pk,
            "person": "",
            "is_active": "on",
            "roles": ["intake_clerk"],
            "new_password": "Liulin-river-2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newclerk")
    assert user.role_codes == {"intake_clerk"}
    assert user.check_password("Liulin-river-2026")
    assert AuditEntry.objects.filter(action="accounts.user.create", object_id=str(user.pk))
    weak = client.post(
        "/admin/accounts/user/add/",
        {"username": "weak", "unit": city.liulin.pk, "new_password": "12345"},
    )
    assert weak.status_code == 200
    assert not User.objects.filter(username="weak").exists()
    assert Person.objects.count() >= 1


def test_an_administrator_sets_a_departments_lines_and_its_users_see_the_area_at_once(
    city_admin: User, city: personas.City, admin_client_for
) -> None:
    from yingji.org import lines

    client = admin_client_for(city_admin)
    added = client.post(
        "/admin/org/unit/add/", unit_form(name="白石县信访局", parent=city.baishi.pk)
    )
    assert added.status_code == 302
    bureau = Unit.objects.get(name="白石县信访局")
    assert bureau.work_lines == [lines.PETITIONS]  # from its name
    handler = personas.make_user("xf", bureau, Role.CASE_HANDLER)
    assert Unit.objects.visible_to(handler, lines.EMERGENCY).count() == 1
    changed = client.post(
        f"/admin/org/unit/{bureau.pk}/change/",
        unit_form(
            name="白石县信访局",
            parent=city.baishi.pk,
            work_lines=[lines.PETITIONS, lines.EMERGENCY],
        ),
    )
    assert changed.status_code == 302
    entry = AuditEntry.objects.filter(action="org.unit.update", object_id=str(bureau.pk)).last()
    assert entry is not None and entry.actor_id == city_admin.pk
    fresh = User.objects.get(pk=handler.pk)
    assert Unit.objects.visible_to(fresh, lines.EMERGENCY).filter(pk=city.liulin.pk).exists()
    refused = client.post(
        f"/admin/org/unit/{city.baishi.pk}/change/",
        unit_form(
            name="白石县",
            kind="region",
            region_level="county",
            code="980121",
            parent=city.city.pk,
            work_lines=[lines.PETITIONS],
        ),
    )
    assert refused.status_code == 200
    assert "只有部门设业务条线" in refused.content.decode()
