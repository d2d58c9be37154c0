"""Who reaches the warnings app's objects where the permission matrix
(tests/test_permission_matrix.py) does not say it: a draft of a unit above stays that unit's
until it is issued, a township's inspector reads the checklists of its district's bureau,
a finding's photo follows its round, and anonymous readers get the issued real warnings
only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import signed_in
from yingji import demo
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.org.models import Unit
from yingji.warnings import demo as warnings_demo
from yingji.warnings.models import Checklist, Inspection, Signal, WarningMessage
from yingji.warnings.services import alerts, checklists, findings, inspections, risks

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def people() -> dict[str, User]:
    """The plain demo's logins by name."""
    demo.load()
    return {u.username: u for u in User.objects.all()}


def _rain() -> WarningMessage:
    """The city bureau's rainstorm warning in force (its adjustment to orange)."""
    found = (
        WarningMessage.objects.filter(
            state=WarningMessage.State.ISSUED, event_type__code="natural.weather"
        )
        .order_by("-issued_at", "-pk")
        .first()
    )
    assert found is not None
    return found


def _qingxi_draft(people: dict[str, User]) -> WarningMessage:
    """清溪区应急管理局's draft over 河西街道 and 望湖街道, by its duty officer."""
    return alerts.draft(
        warnings_demo.rain_alert(timezone.now() + timedelta(days=1)),
        actor=Actor(user=people["duty"]),
        unit=Unit.objects.get(name="清溪区应急管理局"),
    )


def test_a_draft_of_the_unit_above_reaches_the_township_when_issued(
    people: dict[str, User],
) -> None:
    member = signed_in(people["member"])  # 河西街道, a place the draft names
    draft = _qingxi_draft(people)
    for url in (f"/warnings/{draft.pk}/", f"/api/v1/warnings/{draft.pk}"):
        assert member.get(url).status_code == 404, url
    assert f'href="/warnings/{draft.pk}/"' not in member.get("/warnings/").content.decode()
    # The drafting unit and the levels above it see it.
    assert signed_in(people["duty"]).get(f"/warnings/{draft.pk}/").status_code == 200
    assert signed_in(people["leader"]).get(f"/warnings/{draft.pk}/").status_code == 200
    alerts.submit(draft, actor=Actor(user=people["duty"]))
    assert member.get(f"/warnings/{draft.pk}/").status_code == 404
    # The city's leader signs it (上级审核签发): now it is the township's to read.
    issued = alerts.issue(draft, actor=Actor(user=people["leader"]))
    assert member.get(f"/warnings/{issued.pk}/").status_code == 200
    assert member.get(f"/api/v1/warnings/{issued.pk}").status_code == 200


def test_a_warning_s_chain_shows_the_township_only_what_it_sees(
    people: dict[str, User],
) -> None:
    rain = _rain()
    lift = alerts.draft_lift(
        rain, {"note": "降雨减弱，拟解除预警。"}, actor=Actor(user=people["planner"])
    )
    page = signed_in(people["member"]).get(f"/warnings/{rain.pk}/").content.decode()
    assert f'href="/warnings/{rain.pk}/"' in page
    assert f'href="/warnings/{lift.pk}/"' not in page
    page = signed_in(people["leader"]).get(f"/warnings/{rain.pk}/").content.decode()
    assert f'href="/warnings/{lift.pk}/"' in page


def test_a_township_inspector_reads_its_district_bureau_s_checklists(
    people: dict[str, User],
) -> None:
    member = people["member"]  # 河西街道, in 清溪区
    qingxi = Checklist.objects.get(title=warnings_demo.CHECKLIST["title"])  # 清溪区应急管理局's
    baishi = checklists.save_checklist(
        {**warnings_demo.CHECKLIST, "unit": Unit.objects.get(name="白石县应急管理局").pk},
        actor=Actor.system("tests"),
    )
    seen = checklists.visible_checklists(member)
    assert seen.filter(pk=qingxi.pk).exists()
    assert not seen.filter(pk=baishi.pk).exists()  # another county's
    client = signed_in(member)
    # Seen, but kept by the bureau: 403 with a message, not 404.
    assert client.get(f"/warnings/inspections/checklists/{qingxi.pk}/").status_code == 403
    assert client.get(f"/warnings/inspections/checklists/{baishi.pk}/").status_code == 404


def test_a_finding_s_photo_follows_its_round(people: dict[str, User]) -> None:
    checklist = Checklist.objects.get(title=warnings_demo.CHECKLIST["title"])
    hexi = Unit.objects.get(name="河西街道")
    round_ = inspections.plan(
        {
            "unit": hexi.pk,
            "checklist": checklist.pk,
            "title": "河西街道汛中复查",
            "region_code": "990102001",
            "address": "河西街道滨河路",
            "inspector": people["member"].pk,
            "planned_on": risks.today().isoformat(),
        },
        actor=Actor.system("tests"),
    )
    item = checklist.items.order_by("sort", "pk")[0]
    finding = findings.record_finding(
        round_,
        {"item": item.pk, "result": "ok", "client_key": "access-1", "note": "排水通畅。"},
        actor=Actor(user=people["member"]),
        photos=[("a.jpg", JPEG)],
    )
    photo = finding.photos.get()
    url = f"/warnings/inspections/{round_.pk}/photos/{photo.pk}/"
    for name in ("member", "duty", "leader", "planner"):
        assert signed_in(people[name]).get(url).status_code == 200, name
    for name in ("clerk", "handler", "supervisor", "storekeeper"):
        assert signed_in(people[name]).get(url).status_code == 404, name
    # The photo is only reached through its own round.
    other = Inspection.objects.exclude(pk=round_.pk).get(unit=hexi)
    wrong = f"/warnings/inspections/{other.pk}/photos/{photo.pk}/"
    assert signed_in(people["member"]).get(wrong).status_code == 404


def test_anonymous_readers_get_issued_real_warnings_only(people: dict[str, User]) -> None:
    rain = _rain()
    draft = _qingxi_draft(people)
    drill = alerts.draft(
        warnings_demo.rain_alert(timezone.now() + timedelta(days=1)),
        actor=Actor(user=people["planner"]),
        unit=Unit.objects.get(name="安澜市应急管理局"),
        is_drill=True,
    )
    alerts.submit(drill, actor=Actor(user=people["planner"]))
    drill = alerts.issue(drill, actor=Actor(user=people["leader"]))
    anonymous = Client()
    for url in (
        "/public/warnings/",
        "/public/warnings/feed.atom",
        "/public/warnings/areas.geojson",
        f"/public/warnings/{rain.identifier}/",
        f"/public/warnings/{rain.pk}/",
        f"/api/v1/warnings/{rain.pk}/cap",
    ):
        assert anonymous.get(url).status_code == 200, url
    for message in (draft, drill):
        for url in (f"/public/warnings/{message.pk}/", f"/api/v1/warnings/{message.pk}/cap"):
            assert anonymous.get(url).status_code == 404, url
    # A drill's CAP is for the signed-in users who see it.
    cap = f"/api/v1/warnings/{drill.pk}/cap"
    assert signed_in(people["leader"]).get(cap).status_code == 200
    assert signed_in(people["clerk"]).get(cap).status_code == 404
    assert signed_in(people["leader"]).get(f"/api/v1/warnings/{draft.pk}/cap").status_code == 404


def test_a_signal_is_decided_only_by_those_who_may_decide_whatever_they_send(
    people: dict[str, User],
) -> None:
    signal = Signal.objects.filter(state=Signal.State.OPEN).order_by("pk").first()
    assert signal is not None  # 白石镇's, seen by its intake clerk and the county's handler
    for name in ("clerk", "handler"):
        client = signed_in(people[name])
        assert client.get(f"/warnings/signals/{signal.pk}/").status_code == 200
        for tail, data in (("dismiss", {}), ("dismiss", {"reason": "已核实，属个案。"})):
            answer = client.post(f"/warnings/signals/{signal.pk}/{tail}/", data)
            assert answer.status_code == 403, (name, data)
    signal.refresh_from_db()
    assert signal.state == Signal.State.OPEN
    answer = signed_in(people["supervisor"]).post(f"/warnings/signals/{signal.pk}/dismiss/", {})
    assert answer.status_code == 400  # may decide: the missing reason is named
