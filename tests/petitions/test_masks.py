"""A petitioner's short phone number is masked like a long one (issue 19), when a case
is registered and for cases stored under the old rule."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from tests import personas
from tests.petitions.conftest import intake
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.petitions import services
from yingji.petitions.models import Petition, Representative

pytestmark = pytest.mark.django_db


def test_a_seven_digit_phone_is_not_shown_whole(
    city: personas.City, township_clerk: User, client_for
) -> None:
    petition = services.register(
        intake(
            phone="654-3210",
            representatives=[("李四", "87654321")],
            is_collective=True,
            people_count=3,
        ),
        office=city.baishizhen,
        actor=Actor(user=township_clerk),
    ).petition
    assert petition.phone_masked == "****210"
    assert petition.representatives.get().phone_masked == "****4321"
    client = client_for(township_clerk)
    for body in (
        client.get(f"/petitions/{petition.pk}/").content.decode(),
        client.get(f"/api/v1/petitions/{petition.pk}").content.decode(),
    ):
        assert "****210" in body and "6543210" not in body and "654-3210" not in body


def test_masks_stored_under_the_old_rule_are_written_again(
    city: personas.City, township_clerk: User
) -> None:
    petition = services.register(
        intake(
            phone="6543210",
            representatives=[("李四", "87654321")],
            is_collective=True,
            people_count=3,
        ),
        office=city.baishizhen,
        actor=Actor(user=township_clerk),
    ).petition
    Petition.objects.filter(pk=petition.pk).update(phone_masked="6543210")
    Representative.objects.filter(petition=petition).update(phone_masked="876*4321")

    importlib.import_module("yingji.petitions.migrations.0012_masks_hide_half").remask(apps, None)

    petition.refresh_from_db()
    assert petition.phone_masked == "****210"
    assert petition.id_number_masked == "1101**********002X"
    assert petition.representatives.get().phone_masked == "****4321"
