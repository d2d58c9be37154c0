"""Teams' and experts' phones in lists: short numbers are masked like long ones (issue 19),
on the pages, over the API, and for rows stored under the old rule."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps

from tests import personas
from yingji import crypto
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.resources import people
from yingji.resources.models import Expert, Team

pytestmark = pytest.mark.django_db

# A seven-digit local number, an eight-digit one and a county landline with its area code.
PHONES = {"6543210": "****210", "87654321": "****4321", "0999-33350": "*****3350"}


def test_short_phones_of_teams_and_experts_are_masked_on_the_pages_and_the_api(
    city: personas.City, client_for
) -> None:
    keeper = personas.make_user("keeper", city.baishizhen, Role.STOREKEEPER, name="库管员")
    actor = Actor(user=keeper)
    for i, phone in enumerate(PHONES):
        people.add_team(
            {"name": f"分队{i}", "size": 5, "contact_name": "王队长", "contact_phone": phone},
            unit=city.baishizhen,
            actor=actor,
        )
        people.add_expert(
            {"name": "赵律师", "field": "法律", "phone": phone}, unit=city.baishizhen, actor=actor
        )
    client = client_for(keeper)
    pages = (
        client.get("/resources/teams/").content.decode()
        + client.get("/resources/experts/").content.decode()
    )
    api = json.dumps(
        [
            client.get("/api/v1/resources/teams").json(),
            client.get("/api/v1/resources/experts").json(),
        ]
    )
    for phone, mask in PHONES.items():
        assert pages.count(mask) == 2 and api.count(mask) == 2
        for shown in (phone, crypto.normal_phone(phone)):
            assert shown not in pages and shown not in api
    assert "876*4321" not in pages + api


def test_masks_stored_under_the_old_rule_are_written_again(city: personas.City) -> None:
    keeper = personas.make_user("keeper", city.baishizhen, Role.STOREKEEPER)
    actor = Actor(user=keeper)
    team = people.add_team(
        {"name": "分队", "size": 5, "contact_phone": "6543210"}, unit=city.baishizhen, actor=actor
    )
    expert = people.add_expert(
        {"name": "赵律师", "field": "法律", "phone": "87654321"}, unit=city.baishizhen, actor=actor
    )
    lost = people.add_expert(
        {"name": "钱医生", "field": "法律", "phone": "7654321"}, unit=city.baishizhen, actor=actor
    )
    # As the old rule stored them; the last one's ciphertext no longer opens (a lost key).
    Team.objects.filter(pk=team.pk).update(contact_phone_masked="6543210")
    Expert.objects.filter(pk=expert.pk).update(phone_masked="876*4321")
    Expert.objects.filter(pk=lost.pk).update(phone_masked="7654321", phone_enc="gAAAA-unreadable")

    importlib.import_module("yingji.resources.migrations.0003_masks_hide_half").remask(apps, None)

    team.refresh_from_db()
    expert.refresh_from_db()
    lost.refresh_from_db()
    assert team.contact_phone_masked == "****210"
    assert expert.phone_masked == "****4321"
    assert lost.phone_masked == "*******"
    assert team.contact_name_masked == "" and expert.name_masked == "赵**"
