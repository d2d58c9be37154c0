"""The report form's event types: the tree in order, siblings by their order (issue 21,
item 5, the same fault: they came by code), each under its parent."""

from __future__ import annotations

import pytest

from tests.incidents.conftest import Township
from tests.tree_options import assert_tree_in_order, options
from yingji.plans.models import EventType

pytestmark = pytest.mark.django_db


def test_the_report_form_lists_event_types_as_a_tree(township: Township, client_for) -> None:
    social = EventType.objects.get(code="social")
    EventType.objects.filter(code="social.mass").update(sort=99)  # last of its siblings now
    page = client_for(township.officer).get("/incidents/new/").content.decode()
    shown = options(page, "id_event_type")
    assert_tree_in_order(shown, EventType.objects.filter(is_active=True), name=str)
    below = [o for o in shown if EventType.objects.get(pk=o.value).parent_id == social.pk]
    assert below[-1].label.strip() == "群体性事件"
