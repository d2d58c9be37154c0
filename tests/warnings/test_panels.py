"""Prevention on the workbench and the incident board: the warnings in force in the
user's area, those awaiting a leader's signature, and the warnings over an incident's
place."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.incidents.conftest import Township, gate_visit
from tests.warnings.test_alerts import issued, orange, with_outline
from yingji.audit.services import Actor
from yingji.incidents import services as incidents
from yingji.warnings import panels
from yingji.warnings.services import alerts

pytestmark = pytest.mark.django_db


def test_the_workbench_shows_warnings_in_force_and_those_to_sign(township: Township) -> None:
    world = with_outline(township)
    message = issued(world)
    waiting = alerts.draft(
        orange(headline="待签发的预警"), actor=Actor(world.officer), unit=world.city.baishizhen
    )
    alerts.submit(waiting, actor=Actor(world.officer))
    shown = panels.in_force(world.officer)
    assert [e.url for e in shown.entries] == [message.get_absolute_url()]
    assert "橙色" in shown.entries[0].label or "Orange" in shown.entries[0].label
    to_sign = panels.to_sign(world.leader)
    assert [e.url for e in to_sign.entries] == [waiting.get_absolute_url()]
    assert panels.to_sign(world.officer).entries == []


def test_the_board_of_an_incident_in_the_area_lists_the_warning(
    township: Township, client: Client
) -> None:
    world = with_outline(township)
    message = issued(world)
    incident = incidents.report_incident(
        gate_visit(region_code=world.city.baishicun.code),
        actor=Actor(world.officer),
        unit=world.city.baishizhen,
    )
    assert panels.in_force_at(world.city.baishicun.code) == [message]
    assert panels.in_force_at(world.city.hexi.code) == []
    client.force_login(world.officer)
    page = client.get(reverse("incidents:board", args=[incident.pk]))
    assert page.status_code == 200
    assert message.headline in page.content.decode()
    # The warning period's own record names its warning.
    assert message.operation is not None
    period = client.get(reverse("incidents:board", args=[message.operation.pk]))
    assert period.status_code == 200
    assert reverse("warnings:warning", args=[message.pk]) in period.content.decode()
