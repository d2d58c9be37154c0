"""The incidents API: the cycle end to end, and its refusals with the field or reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.incidents.conftest import Township, gate_visit
from tests.incidents.test_response import ELEMENTS, township_plan
from tests.timeline.sse import Reader
from yingji.incidents.models import Incident, Report, TaskNote

pytestmark = pytest.mark.django_db


def payload(**extra: object) -> dict[str, object]:
    data = {**gate_visit(), "people_involved": 60, "latitude": 28.123456, "longitude": 113.1}
    data.update(extra)
    return data


def test_the_cycle_over_the_api(township: Township, client_for) -> None:
    officer = client_for(township.officer)
    made = officer.post("/api/v1/incidents", payload(), content_type="application/json")
    assert made.status_code == 201, made.content
    incident = made.json()
    assert incident["reporter"] == "李** 1******8000" and incident["stage"] == "reported"
    pk = incident["id"]

    leader = client_for(township.leader)
    assessment = leader.get(f"/api/v1/incidents/{pk}/assessment").json()
    township_view = next(a for a in assessment if a["plan_version_id"] == township_plan().pk)
    assert township_view["suggested"] == 4
    plan = township_plan().pk
    outside = leader.post(
        f"/api/v1/incidents/{pk}/grading",
        {"level": 1, "plan_version_id": plan, "reason": "x"},
        content_type="application/json",
    )
    assert outside.status_code == 422 and outside.json()["errors"][0]["field"] == "level"
    graded = leader.post(
        f"/api/v1/incidents/{pk}/grading",
        {"level": 4, "plan_version_id": plan},
        content_type="application/json",
    )
    assert graded.json()["level"] == 4
    tasks = leader.post(
        f"/api/v1/incidents/{pk}/activation",
        {"plan_version_id": plan},
        content_type="application/json",
    ).json()
    scene = next(t for t in tasks if t["group"] == "现场处置组")

    # Someone outside the group is refused with the reason, and nothing is written.
    outsider = client_for(township.outsider)
    refused = outsider.post(
        f"/api/v1/tasks/{scene['id']}/state",
        {"action": "acknowledge"},
        content_type="application/json",
    )
    assert refused.status_code in (403, 404)
    police = client_for(township.police)
    assert [t["id"] for t in police.get("/api/v1/tasks/mine").json()] == [scene["id"]]
    done = police.post(
        f"/api/v1/tasks/{scene['id']}/state",
        {"action": "acknowledge"},
        content_type="application/json",
    )
    assert done.json()["state"] == "acknowledged"
    note = {"text": "现场秩序平稳", "client_key": "abc"}
    assert (
        police.post(
            f"/api/v1/tasks/{scene['id']}/notes", note, content_type="application/json"
        ).status_code
        == 201
    )
    police.post(f"/api/v1/tasks/{scene['id']}/notes", note, content_type="application/json")
    assert TaskNote.objects.count() == 1

    missing = officer.post(
        f"/api/v1/incidents/{pk}/reports",
        {"stage": "first", **ELEMENTS, "trend": "", "submit": True},
        content_type="application/json",
    )
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["trend"]
    assert not Report.objects.exists()
    sent = officer.post(
        f"/api/v1/incidents/{pk}/reports",
        {"stage": "first", **ELEMENTS, "submit": True},
        content_type="application/json",
    ).json()
    assert sent["state"] == "submitted" and sent["sent_to_id"] == township.city.baishi.pk

    release = leader.post(
        f"/api/v1/incidents/{pk}/releases",
        {"text": "现场秩序平稳。"},
        content_type="application/json",
    )
    assert release.status_code == 201
    ended = leader.post(
        f"/api/v1/incidents/{pk}/end", {"confirm_open": True}, content_type="application/json"
    )
    assert ended.json()["stage"] == "recovery"
    kinds = [e["kind"] for e in leader.get(f"/api/v1/incidents/{pk}/timeline").json()]
    for kind in (
        "incident.reported",
        "incident.graded",
        "incident.activated",
        "task.acknowledged",
        "task.note",
        "report.submitted",
        "release.published",
        "incident.ended",
    ):
        assert kind in kinds


def test_bad_input_is_refused_per_field_and_writes_nothing(township: Township, client_for) -> None:
    officer = client_for(township.officer)
    bad = officer.post(
        "/api/v1/incidents",
        payload(
            title="",
            event_type="nope",
            happened_at=(timezone.now() + timedelta(hours=3)).isoformat(),
        ),
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"title", "event_type", "happened_at"}
    assert all(e["message"] for e in bad.json()["errors"])
    assert not Incident.objects.exists()
    made = officer.post("/api/v1/incidents", payload(), content_type="application/json").json()
    leader = client_for(township.leader)
    early = leader.post(
        f"/api/v1/incidents/{made['id']}/activation",
        {"plan_version_id": township_plan().pk},
        content_type="application/json",
    )
    assert early.status_code == 422 and early.json()["errors"][0]["field"] == "stage"
    # Someone in a sibling township does not see the incident at all.
    from tests import personas
    from yingji.accounts.roles import Role

    stranger = client_for(personas.make_user("liulin", township.city.liulin, Role.DUTY_LEADER))
    assert stranger.get(f"/api/v1/incidents/{made['id']}").status_code == 404


def test_the_stream_replays_after_the_last_event(township: Township, client_for) -> None:
    officer = client_for(township.officer)
    made = officer.post("/api/v1/incidents", payload(), content_type="application/json").json()
    events = officer.get(f"/api/v1/incidents/{made['id']}/timeline").json()
    response = officer.get(f"/api/v1/incidents/{made['id']}/stream", {"after": "0"})
    assert response["Content-Type"].startswith("text/event-stream")
    reader = Reader()
    for chunk in response.streaming_content:
        if any(m.event == "timeline" for m in reader.feed(chunk)):
            break
    first = next(m for m in reader.messages if m.event == "timeline")
    assert first.id == str(events[0]["id"]) and first.data["kind"] == "incident.reported"
    response.close()


def test_an_api_token_acts_as_its_user(township: Township, client) -> None:
    from yingji.accounts import services as accounts
    from yingji.audit.services import Actor
    from yingji.timeline.services import events_for

    officer_token = accounts.create_token(township.officer, actor=Actor.system("t"))[1]
    made = client.post(
        "/api/v1/incidents",
        payload(),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {officer_token}",
    )
    assert made.status_code == 201
    event = events_for(Incident.objects.get()).get(kind="incident.reported")
    assert event.actor == township.officer
    assert event.actor_label == township.officer.display_name != "officer"
