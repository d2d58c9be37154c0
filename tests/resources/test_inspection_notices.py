"""An overdue inspection of equipment or a vehicle reaches the storekeepers of the owning
unit through the notify app, once (issue 21, item 17): the inspection deadline names a
storekeeper as responsible, and notify turns the clock's overdue event into one urgent
notification however often the periodic checks run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.resources.conftest import Store
from yingji.clock import services as clock
from yingji.notify import deadlines
from yingji.notify.models import Notification
from yingji.resources import equipment

pytestmark = pytest.mark.django_db


def test_an_overdue_inspection_tells_the_storekeeper_once(store: Store) -> None:
    pump = equipment.add_equipment(
        {
            "name": "抽水泵",
            "kind": "equipment",
            "inspection_days": "30",
            "last_inspected_on": timezone.localdate() - timedelta(days=40),
        },
        unit=store.city.baishizhen,
        actor=store.actor,
    )
    for _run in range(3):  # the clock's and notify's periodic tasks, minute after minute
        clock.check()
        deadlines.notify_deadline_events()
    [note] = Notification.objects.filter(recipient=store.keeper, kind="deadline.overdue")
    assert note.urgent and "抽水泵" in note.title
    assert note.subject_id == str(pump.pk)


def test_an_inspection_done_in_time_tells_no_one_it_is_overdue(store: Store) -> None:
    pump = equipment.add_equipment(
        {"name": "抽水泵", "kind": "equipment", "inspection_days": "30"},
        unit=store.city.baishizhen,
        actor=store.actor,
    )
    equipment.inspected(pump, actor=store.actor)
    clock.check()
    deadlines.notify_deadline_events()
    assert not Notification.objects.filter(kind="deadline.overdue").exists()
