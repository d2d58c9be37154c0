"""Running a drill on the live engine: the drill incident, injects on schedule to the
right people, acknowledgements and answers on the timeline, pause, skip, live additions
and the end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.drills.conftest import DrillWorld
from yingji.audit.services import Actor
from yingji.drills.models import Drill, Inject
from yingji.drills.services import conduct
from yingji.notify.models import Delivery as NotifyDelivery
from yingji.notify.models import Notification
from yingji.plans.models import PlanVersion
from yingji.timeline import services as timeline

pytestmark = pytest.mark.django_db


def _started(world: DrillWorld) -> Drill:
    drill = conduct.start(world.drill, actor=Actor(world.controller))
    conduct.deliver_due()
    drill.refresh_from_db()
    return drill


def test_start_creates_a_drill_incident_and_delivers_the_first_inject(
    drill_world: DrillWorld,
) -> None:
    drill = _started(drill_world)
    assert drill.state == Drill.State.RUNNING
    assert drill.incident is not None and drill.incident.is_drill
    first, second = drill.injects.all()
    assert first.state == Inject.State.DELIVERED
    assert second.state == Inject.State.PENDING  # it follows the first's answer
    # The duty officer on duty in 白石镇 receives it, marked as a drill.
    assert [d.user for d in first.deliveries.all()] == [drill_world.town.officer]
    note = Notification.objects.get(kind="drill.inject", recipient=drill_world.town.officer)
    assert note.title.startswith("【演练】") and note.is_drill
    # Nothing leaves the system.
    assert (
        not NotifyDelivery.objects.filter(
            notification__is_drill=True, state=NotifyDelivery.State.SENT
        )
        .exclude(channel=NotifyDelivery.Channel.INAPP)
        .exists()
    )
    kinds = [e.kind for e in timeline.events_for(drill.incident)]
    assert "incident.reported" in kinds and "inject.delivered" in kinds


def test_answering_an_inject_delivers_the_one_that_follows(drill_world: DrillWorld) -> None:
    drill = _started(drill_world)
    first, second = drill.injects.all()
    officer = drill_world.town.officer
    conduct.acknowledge(first, actor=Actor(officer))
    conduct.answer(first, "已登记并报告带班领导", actor=Actor(officer))
    conduct.deliver_due()
    second.refresh_from_db()
    assert second.state == Inject.State.DELIVERED
    # 现场处置组: its lead post is held by the police chief.
    assert drill_world.town.police in [d.user for d in second.deliveries.all()]
    first.refresh_from_db()
    delivery = first.deliveries.get()
    events = {
        e.kind: e.happened_at
        for e in timeline.events_for(drill.incident)
        if e.data.get("inject") == first.pk
    }
    assert events["inject.delivered"] == first.delivered_at
    assert events["inject.acknowledged"] == delivery.acknowledged_at
    assert events["inject.answered"] == first.answered_at


def test_an_acknowledgement_made_from_the_bell_is_noted(drill_world: DrillWorld) -> None:
    from yingji.notify import services as notify

    drill = _started(drill_world)
    first = drill.injects.get(number=1)
    note = first.deliveries.get().notification
    assert note is not None
    notify.acknowledge(note, actor=Actor(drill_world.town.officer))
    assert conduct.sync_acknowledgements() == 1
    note.refresh_from_db()
    assert first.deliveries.get().acknowledged_at == note.acknowledged_at


def test_only_a_recipient_or_controller_answers(drill_world: DrillWorld) -> None:
    drill = _started(drill_world)
    first = drill.injects.get(number=1)
    with pytest.raises(ValidationError):
        conduct.answer(first, "x", actor=Actor(drill_world.town.outsider))
    with pytest.raises(ValidationError) as caught:
        conduct.answer(first, "  ", actor=Actor(drill_world.town.officer))
    assert "answer" in caught.value.message_dict


def test_pause_holds_timed_injects(drill_world: DrillWorld) -> None:
    drill = _started(drill_world)
    actor = Actor(drill_world.controller)
    live = conduct.add_inject(
        drill,
        {
            "offset_minutes": 30,
            "recipient": "role",
            "role": "duty_leader",
            "channel": "sms",
            "content": "围观群众增多",
            "expected_action": "带班领导决定是否启动响应",
            "limit_minutes": 5,
        },
        actor=actor,
    )
    assert live.number == 3 and live.added_live
    conduct.pause(drill, actor=actor)
    later = timezone.now() + timedelta(minutes=40)
    Drill.objects.filter(pk=drill.pk).update(started_at=timezone.now() - timedelta(minutes=40))
    conduct.deliver_due(later)
    live.refresh_from_db()
    assert live.state == Inject.State.PENDING  # paused: nothing is delivered
    conduct.resume(drill, actor=actor)
    conduct.deliver_due()
    live.refresh_from_db()
    # The pause is left out of the drill's time: 40 minutes in, but paused for ~0.
    assert live.state == Inject.State.DELIVERED
    assert [d.user for d in live.deliveries.all()] == [drill_world.town.leader]
    assert "模拟短信" in live.deliveries.get().notification.body or "Simulated SMS" in (
        live.deliveries.get().notification.body
    )


def test_skip_and_end(drill_world: DrillWorld) -> None:
    drill = _started(drill_world)
    actor = Actor(drill_world.controller)
    second = drill.injects.get(number=2)
    conduct.skip(second, actor=actor)
    second.refresh_from_db()
    assert second.state == Inject.State.SKIPPED
    with pytest.raises(ValidationError):
        conduct.skip(second, actor=actor)
    ended = conduct.end(drill, actor=actor)
    assert ended.state == Drill.State.ENDED and ended.ended_at is not None
    from yingji.clock import services as clock
    from yingji.clock.models import Deadline

    assert ended.incident is not None
    running = [d for d in clock.deadlines_for(ended.incident) if d.state == Deadline.State.RUNNING]
    assert running == []


def test_starting_twice_is_refused(drill_world: DrillWorld) -> None:
    _started(drill_world)
    with pytest.raises(ValidationError) as caught:
        conduct.start(drill_world.drill, actor=Actor(drill_world.controller))
    assert "state" in caught.value.message_dict


def test_a_superseded_version_is_not_drilled(drill_world: DrillWorld) -> None:
    PlanVersion.objects.filter(pk=drill_world.version.pk).update(
        status=PlanVersion.Status.SUPERSEDED
    )
    with pytest.raises(ValidationError) as caught:
        conduct.start(drill_world.drill, actor=Actor(drill_world.controller))
    assert "plan_versions" in caught.value.message_dict
    assert Drill.objects.get(pk=drill_world.drill.pk).incident is None


def test_only_a_controller_starts(drill_world: DrillWorld) -> None:
    with pytest.raises(ValidationError):
        conduct.start(drill_world.drill, actor=Actor(drill_world.town.outsider))


@pytest.mark.django_db(transaction=True)
def test_start_delivers_through_the_job_queue(
    reference_data: None, drill_world: DrillWorld
) -> None:
    drill = conduct.start(drill_world.drill, actor=Actor(drill_world.controller))
    # The job queued after commit (run at once in tests) delivered the first inject.
    assert drill.injects.get(number=1).state == Inject.State.DELIVERED


def test_material_goes_with_the_inject(drill_world: DrillWorld) -> None:
    first = drill_world.drill.injects.get(number=1)
    actor = Actor(drill_world.controller)
    pdf = b"%PDF-1.4\n% scene map\n"
    kept = conduct.attach(first, "现场示意图.pdf", pdf, actor=actor)
    assert kept.is_drill
    for name, content in (("x.exe", b"MZ"), ("fake.pdf", b"not a pdf"), ("empty.png", b"")):
        with pytest.raises(ValidationError) as caught:
            conduct.attach(first, name, content, actor=actor)
        assert "file" in caught.value.message_dict
    # A Word file that unpacks far beyond its size is refused before anything opens it.
    import io
    import zipfile

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", b"0" * (120 * 1024 * 1024))
    with pytest.raises(ValidationError):
        conduct.attach(first, "bomb.docx", bomb.getvalue(), actor=actor)
    drill = _started(drill_world)
    note = drill.injects.get(number=1).deliveries.get().notification
    assert note is not None and note.attachment == kept
