"""Registering petitions: numbers, receipt codes, encryption, masks, the notice clock."""

from __future__ import annotations

import re
import threading
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tests import personas
from tests.petitions.conftest import TZ, intake
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.petitions import services
from yingji.petitions.models import Petition, Representative

pytestmark = pytest.mark.django_db


def test_a_visit_is_registered_with_a_number_a_receipt_code_and_the_notice_clock(
    registered: services.Registered, city: personas.City
) -> None:
    petition = registered.petition
    assert petition.number == "980121100-2026-000001"
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", registered.receipt_code)
    assert petition.number.replace("-", "") not in registered.receipt_code.replace("-", "")
    assert petition.receipt_hash == services.receipt_hash(registered.receipt_code)
    # 15 days from 20 September end on 5 October, inside 国庆: due 8 October.
    (notice,) = services.deadlines_of(petition)
    assert notice.kind == "petition.acceptance_notice"
    assert notice.due_at == datetime(2026, 10, 8, 23, 59, 59, tzinfo=TZ)
    assert AuditEntry.objects.filter(action="petitions.petition.register").count() == 1


def test_personal_data_is_encrypted_at_rest_and_masked(registered: services.Registered) -> None:
    petition = registered.petition
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM petitions_petition WHERE id = %s", [petition.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    for secret in ("张三丰", "13812341234", "11010519491231002X", "幸福路8号"):
        assert secret not in row
    assert petition.name_masked == "张**"
    assert petition.phone_masked == "1******1234"
    assert petition.id_number_masked == "1101**********002X"


def test_numbers_count_per_office_and_year(city: personas.City, township_clerk) -> None:
    actor = Actor(user=township_clerk)
    numbers = [
        services.register(intake(), office=city.baishizhen, actor=actor).petition.number,
        services.register(intake(), office=city.baishizhen, actor=actor).petition.number,
        services.register(
            intake(received_at=datetime(2025, 12, 30, 9, tzinfo=TZ)),
            office=city.baishizhen,
            actor=actor,
        ).petition.number,
        services.register(intake(), office=city.bureau, actor=actor).petition.number,
    ]
    assert numbers == [
        "980121100-2026-000001",
        "980121100-2026-000002",
        "980121100-2025-000001",
        f"980100-{city.bureau.pk}-2026-000001",
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"request": "  "}, "request"),
        ({"facts": ""}, "facts"),
        ({"phone": "12"}, "phone"),
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"channel": "pigeon"}, "channel"),
        ({"category": None}, "category"),
        ({"region_code": "1234"}, "region_code"),
        ({"is_collective": True, "people_count": 1}, "people_count"),
    ],
)
def test_bad_input_is_refused_per_field_and_nothing_is_written(
    city: personas.City, township_clerk, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.register(
            intake(**overrides), office=city.baishizhen, actor=Actor(user=township_clerk)
        )
    assert field in caught.value.message_dict
    assert not Petition.objects.exists()
    assert not AuditEntry.objects.filter(action="petitions.petition.register").exists()


def test_a_collective_visit_keeps_at_most_five_representatives(
    city: personas.City, township_clerk
) -> None:
    six = [(f"代表{i}", "13900000000") for i in range(6)]
    with pytest.raises(ValidationError) as caught:
        services.register(
            intake(is_collective=True, people_count=30, representatives=six),
            office=city.baishizhen,
            actor=Actor(user=township_clerk),
        )
    (message,) = caught.value.message_dict["representatives"]
    assert "第二十条" in message and "6" in message
    five = six[:5]
    registered = services.register(
        intake(is_collective=True, people_count=30, representatives=five),
        office=city.baishizhen,
        actor=Actor(user=township_clerk),
    )
    assert Representative.objects.filter(petition=registered.petition).count() == 5
    assert "代表" not in "".join(Representative.objects.values_list("name_enc", flat=True))


def test_an_unclear_name_or_address_pauses_the_notice_clock(
    city: personas.City, township_clerk
) -> None:
    actor = Actor(user=township_clerk)
    registered = services.register(intake(address=""), office=city.baishizhen, actor=actor)
    petition = registered.petition
    assert petition.identity_unclear
    (notice,) = services.deadlines_of(petition)
    assert notice.state == "paused"
    with pytest.raises(ValidationError):
        services.clarify_identity(petition, actor=actor)
    services.clarify_identity(petition, actor=actor, address="白石镇东坪村3组")
    notice.refresh_from_db()
    assert notice.state == "running"


def test_oral_petitions_are_recorded_as_such(city: personas.City, township_clerk) -> None:
    registered = services.register(
        intake(channel="phone", is_oral=True),
        office=city.baishizhen,
        actor=Actor(user=township_clerk),
    )
    assert registered.petition.is_oral and registered.petition.channel == "phone"


@pytest.mark.django_db(transaction=True)
def test_concurrent_intake_gives_unique_gap_free_numbers(
    city: personas.City, township_clerk, reference_data: None
) -> None:
    numbers: list[str] = []
    failures: list[BaseException] = []

    def register_one() -> None:
        try:
            registered = services.register(
                intake(), office=city.baishizhen, actor=Actor(user=township_clerk)
            )
            numbers.append(registered.petition.number)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register_one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    assert sorted(numbers) == [f"980121100-2026-{n:06d}" for n in range(1, 9)]
