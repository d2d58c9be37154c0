"""The organ that signs a unit's letters (机关全称) and its document code (机关代字)."""

from __future__ import annotations

import pytest

from tests import personas
from tests.org.test_admin import unit_form
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.org.models import Unit

pytestmark = pytest.mark.django_db


def test_the_admin_keeps_the_organ_name_and_document_code_and_the_api_shows_them(
    city_admin: User, city: personas.City, admin_client_for, client_for
) -> None:
    client = admin_client_for(city_admin)
    form = unit_form(
        name="石门镇",
        kind="region",
        region_level="township",
        code="980121300",
        parent=city.baishi.pk,
        organ_name="石门镇人民政府",
        document_code="石镇",
    )
    refused = client.post("/admin/org/unit/add/", {**form, "document_code": "石镇〔2026〕"})
    assert (
        refused.status_code == 200 and "document_code" in refused.context["adminform"].form.errors
    )
    assert not Unit.objects.filter(code="980121300").exists()
    saved = client.post("/admin/org/unit/add/", form)
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    unit = Unit.objects.get(code="980121300")
    assert unit.signing_name == "石门镇人民政府" and unit.document_prefix == "石镇"
    viewer = personas.make_user("viewer", city.city, Role.CASE_HANDLER)
    body = client_for(viewer).get(f"/api/v1/units/{unit.pk}").json()
    assert body["organ_name"] == "石门镇人民政府" and body["document_code"] == "石镇"


def test_blank_codes_fall_back_to_the_names(city: personas.City) -> None:
    bureau = Unit.objects.get(pk=city.bureau.pk)
    assert bureau.signing_name == bureau.name and bureau.document_prefix == bureau.name
    bureau.short_name = "应急局"
    assert bureau.document_prefix == "应急局"
