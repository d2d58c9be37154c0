"""Lists show each row's next deadline, linked to its case or object, and documents and
ledgers have a print button."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import override

from tests import personas
from tests.conftest import signed_in
from yingji.clock import due
from yingji.clock import services as clock

pytestmark = pytest.mark.django_db


def test_a_case_in_the_list_shows_its_next_deadline_linked_to_the_case(
    registered, township_clerk
) -> None:
    petition = registered.petition
    page = signed_in(township_clerk).get("/petitions/").content.decode()
    running = (
        clock.open_deadline(petition, "petition.registration") or (clock.deadlines_for(petition)[0])
    )
    cell = re.search(r'<a class="due-cell ([a-z]*)" href="([^"]+)">(.*?)</a>', page, re.S)
    assert cell is not None, page
    assert cell.group(2) == f"/petitions/{petition.pk}/#deadlines"
    assert timezone.localtime(running.due_at).strftime("%Y-%m-%d %H:%M") in cell.group(3)
    assert 'id="deadlines"' in signed_in(township_clerk).get(cell.group(2)).content.decode()
    assert "data-print" in page


def test_the_next_deadline_is_the_one_due_first(registered) -> None:
    petition = registered.petition
    first = min(
        (d for d in clock.deadlines_for(petition) if d.state in due.NEXT_STATES),
        key=lambda d: d.due_at,
    )
    assert due.next_of_each([petition])[petition.pk] == first


def test_a_cell_words_the_time_left_or_overdue_and_its_tone(registered) -> None:
    deadline = clock.deadlines_for(registered.petition)[0]
    now = deadline.due_at - timedelta(days=2)
    with override("zh-hans"):
        soon = due.cell(deadline, "/x/", now)
        assert soon.note == "还剩 2 天" and soon.tone == "soon"
        late = due.cell(deadline, "/x/", deadline.due_at + timedelta(hours=5))
        assert late.note == "已超期 5 小时" and late.tone == "overdue"
    assert due.next_of_each([]) == {}


def test_lists_without_deadlines_show_a_dash(city: personas.City, township_clerk) -> None:
    page = signed_in(township_clerk).get("/plans/").content.decode()
    assert "due-cell" not in page


def test_the_list_filters_by_handling_unit_from_the_tree_the_user_sees(
    registered, county_handler
) -> None:
    petition = registered.petition
    client = signed_in(county_handler)
    page = client.get("/petitions/").content.decode()
    select = re.search(r'<select id="f-unit" name="unit">(.*?)</select>', page, re.S)
    assert select is not None and f'<option value="{petition.unit_id}">' in select.group(1)
    mine = client.get("/petitions/", {"unit": petition.unit_id}).content.decode()
    assert petition.number in mine
    other = client.get("/petitions/", {"unit": county_handler.unit_id}).content.decode()
    assert petition.number not in other
