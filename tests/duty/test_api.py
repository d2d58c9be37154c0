"""The roster over the API."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from tests import personas
from yingji.accounts.roles import Role

pytestmark = pytest.mark.django_db


def post(client, url: str, body: object):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_a_leader_makes_a_rotation_and_anyone_in_scope_reads_it(
    city: personas.City, client_for
) -> None:
    boss = personas.make_user("boss", city.baishizhen, Role.DUTY_LEADER, name="钱镇长")
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER, name="孙晓")
    today = timezone.localdate()
    body = {
        "unit_id": city.baishizhen.pk,
        "first": str(today - timedelta(days=1)),
        "last": str(today + timedelta(days=1)),
        "leader_ids": [boss.person.pk],
        "officer_ids": [officer.person.pk],
    }
    assert post(client_for(officer), "/api/v1/duty/rotations", body).status_code == 403
    made = post(client_for(boss), "/api/v1/duty/rotations", body)
    assert made.status_code == 201 and len(made.json()) == 3
    again = post(client_for(boss), "/api/v1/duty/rotations", body)
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "first"
    reader = client_for(personas.make_user("county", city.baishi, Role.DUTY_OFFICER))
    shifts = reader.get(
        "/api/v1/duty/shifts",
        {"unit": city.baishizhen.pk, "since": str(today - timedelta(days=1)), "until": str(today)},
    ).json()
    assert len(shifts) == 2 and {m["name"] for m in shifts[0]["members"]} == {"钱镇长", "孙晓"}
    now = reader.get(f"/api/v1/duty/now/{city.baishicun.pk}").json()
    assert now["unit_id"] == city.baishizhen.pk
    sibling = client_for(personas.make_user("sib", city.liulin, Role.DUTY_OFFICER))
    assert sibling.get(f"/api/v1/duty/now/{city.baishizhen.pk}").status_code == 404
    link = post(client_for(officer), "/api/v1/duty/feeds", {}).json()["url"]
    feed = Calendar.from_ical(Client().get(link.replace("http://testserver", "")).content)
    assert len(list(feed.walk("VEVENT"))) == 3


def test_a_swap_by_api_is_approved_by_a_leader(city: personas.City, client_for) -> None:
    boss = personas.make_user("boss", city.baishizhen, Role.DUTY_LEADER, name="钱镇长")
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER, name="孙晓")
    stand_in = personas.person("丙", city.baishizhen)
    today = timezone.localdate()
    made = post(
        client_for(boss),
        "/api/v1/duty/rotations",
        {
            "unit_id": city.baishizhen.pk,
            "first": str(today + timedelta(days=1)),
            "last": str(today + timedelta(days=1)),
            "leader_ids": [boss.person.pk],
            "officer_ids": [officer.person.pk],
        },
    ).json()
    shift_id = made[0]["id"]
    asked = post(
        client_for(officer),
        f"/api/v1/duty/shifts/{shift_id}/changes",
        {"person_id": officer.person.pk, "replacement_id": stand_in.pk, "reason": "病假"},
    )
    assert asked.status_code == 201 and asked.json()["state"] == "pending"
    change_id = asked.json()["id"]
    own = post(client_for(officer), f"/api/v1/duty/changes/{change_id}/decision", {"approve": True})
    assert own.status_code == 422 and own.json()["errors"][0]["field"] == "approver"
    done = post(client_for(boss), f"/api/v1/duty/changes/{change_id}/decision", {"approve": True})
    assert done.json()["state"] == "approved"
    shifts = (
        client_for(boss)
        .get(
            "/api/v1/duty/shifts",
            {
                "unit": city.baishizhen.pk,
                "since": str(today + timedelta(days=1)),
                "until": str(today + timedelta(days=1)),
            },
        )
        .json()
    )
    assert "丙" in {m["name"] for m in shifts[0]["members"]}
    bad = post(
        client_for(officer),
        f"/api/v1/duty/shifts/{shift_id}/changes",
        {"person_id": 99999, "replacement_id": stand_in.pk, "reason": "x"},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "person_id"
