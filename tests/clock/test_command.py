"""`yingji deadline KIND START` and GET /api/v1/clock/due, for people and scripts."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from yingji.accounts.models import User

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("deadline", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_due_time_and_why_in_chinese(db: None) -> None:
    output = run("petition.handling", "2026-09-20T10:00")
    assert output.startswith("petition.handling: 2026-11-19T23:59:59+08:00")
    assert "信访工作条例 第三十四条" in output
    assert "不计入" in output


def test_json_for_scripts(db: None) -> None:
    body = json.loads(run("petition.acceptance_notice", "2026-09-20T10:00+08:00", "--json"))
    assert body["due_at"] == "2026-10-08T23:59:59+08:00"
    assert body["calendar_confirmed"] is True
    assert any("国庆" in line for line in body["explanation"])


def test_a_2027_date_is_marked_unconfirmed(db: None) -> None:
    body = json.loads(run("petition.registration", "2027-03-01", "--json", "--language", "en"))
    assert body["calendar_confirmed"] is False
    assert any("Calendar not confirmed for 2027" in line for line in body["explanation"])


def test_report_hours_by_level_and_profiles(db: None) -> None:
    first = json.loads(
        run("incident.first_report", "2026-10-01T03:00", "--param", "level=1", "--json")
    )
    assert first["due_at"] == "2026-10-01T04:00:00+08:00"  # level I: 60 minutes
    zhejiang = json.loads(
        run("petition.registration", "2026-09-28", "--profile", "zhejiang", "--json")
    )
    assert zhejiang["due_at"] == "2026-10-10T23:59:59+08:00"  # the worked Saturday counts


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["petition.nothing", "2026-01-01"], "unknown kind 'petition.nothing'"),
        (["petition.handling", "yesterday"], "cannot read the start 'yesterday'"),
        (["petition.handling", "2026-01-01", "--extension", "-3"], "cannot be negative"),
        (["incident.first_report", "2026-01-01"], "--param level: 此项为必填项"),
        (["incident.first_report", "2026-01-01", "--param", "level=9"], "--param level"),
        (["resources.inspection", "2026-01-01", "--param", "days=-3"], "--param days"),
    ],
)
def test_it_names_bad_input(db: None, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_the_due_endpoint(township_clerk: User, client_for) -> None:
    client = client_for(township_clerk)
    body = client.get(
        "/api/v1/clock/due", {"kind": "petition.objection", "start": "2026-02-10T09:00:00"}
    ).json()
    assert body["due_at"] == "2026-02-24T23:59:59+08:00"
    assert any("春节" in line for line in body["explanation"])
    bad = client.get("/api/v1/clock/due", {"kind": "petition.nothing", "start": "x"})
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"start"}
    unknown = client.get(
        "/api/v1/clock/due", {"kind": "petition.nothing", "start": "2026-01-01T00:00"}
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "kind"
    kinds = client.get("/api/v1/clock/kinds").json()
    assert "petition.handling" in {k["code"] for k in kinds}


def test_a_period_of_the_cases_own_can_be_given_as_a_parameter(db: None) -> None:
    """``--param days=30`` is text: the rule took only an int, so no inspection or task
    due time could be computed from the command."""
    body = json.loads(
        run("resources.inspection", "2026-03-02T09:00", "--param", "days=30", "--json")
    )
    assert body["due_at"].startswith("2026-04-01")


def test_a_kind_that_needs_a_parameter_names_it_in_chinese(township_clerk: User, client_for):
    """The rule's English words under a field "params" the endpoint does not have were
    the answer (found by schemathesis)."""
    client = client_for(township_clerk)
    for kind, name in (
        ("incident.first_report", "level"),
        ("resources.inspection", "days"),
        ("incident.task", "minutes"),
    ):
        response = client.get("/api/v1/clock/due", {"kind": kind, "start": "2026-03-02T09:00"})
        assert response.status_code == 422, kind
        assert response.json()["errors"] == [
            {"field": name, "code": "invalid", "message": "此项为必填项。"}
        ]


def test_the_due_endpoint_takes_a_period_of_the_cases_own(township_clerk: User, client_for):
    client = client_for(township_clerk)
    start = "2026-03-02T09:00"
    task = client.get("/api/v1/clock/due", {"kind": "incident.task", "start": start, "minutes": 90})
    assert task.status_code == 200
    assert task.json()["due_at"] == "2026-03-02T10:30:00+08:00"
    inspection = client.get(
        "/api/v1/clock/due", {"kind": "resources.inspection", "start": start, "days": 30}
    )
    assert inspection.status_code == 200
    assert inspection.json()["due_at"].startswith("2026-04-01")
