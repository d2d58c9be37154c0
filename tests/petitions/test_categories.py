"""The category tree (issue 21, item 5): a filter on a category covers every category
below it, and every dropdown lists the tree in order, each child under its parent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests import personas, tree_options
from tests.petitions.conftest import intake
from tests.tree_options import INDENT, Option, options
from yingji import trees
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.petitions import lists, services
from yingji.petitions.access import petitions_visible_to
from yingji.petitions.models import Category, Petition

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(city: personas.City, township_clerk: User) -> dict[str, Petition]:
    """A case in 拖欠工资, one in a category below it, one in its sibling 社会保险 and one
    elsewhere, received a day apart (newest first as listed)."""
    wages = Category.objects.get(code="labour.wages")
    Category.objects.create(
        parent=wages, code="labour.wages.builders", name="工程建设领域欠薪", sort=1
    )
    now = timezone.now()
    made = {}
    for days, (name, code) in enumerate(
        [
            ("builders", "labour.wages.builders"),
            ("road", "transport.roads"),
            ("wages", "labour.wages"),
            ("insurance", "labour.insurance"),
        ],
        start=1,
    ):
        made[name] = services.register(
            intake(
                category=Category.objects.get(code=code),
                received_at=now - timedelta(days=days),
            ),
            office=city.baishizhen,
            actor=Actor(user=township_clerk),
        ).petition
    return made


def every_page(scope, filters: lists.Filters, size: int) -> list[int]:
    found, offset, more = [], 0, True
    while more:
        items, more = lists.page(scope, filters, offset=offset, limit=size)
        found += [p.pk for p in items]
        offset += size
    return found


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("labour", ["builders", "wages", "insurance"]),  # a parent: children, grandchildren
        ("labour.wages", ["builders", "wages"]),
        ("labour.wages.builders", ["builders"]),
        ("labour.relations", []),
        ("transport", ["road"]),
    ],
)
def test_a_category_filter_covers_the_categories_below_it(
    cases: dict[str, Petition], township_clerk: User, code: str, expected: list[str]
) -> None:
    scope = petitions_visible_to(township_clerk)
    wanted = [cases[name].pk for name in expected]
    chosen = Category.objects.get(code=code)
    for filters in (lists.Filters(category_id=chosen.pk), lists.Filters(category_code=code)):
        assert [p.pk for p in lists.narrowed(scope, filters)] == wanted
        for size in (1, 2, 50):  # the walks of each category merged, page after page
            assert every_page(scope, filters, size) == wanted, (filters, size)
    both = lists.Filters(category_id=chosen.pk, category_code="labour.wages")
    assert [p.pk for p in lists.narrowed(scope, both)] == [
        pk for pk in wanted if pk in (cases["builders"].pk, cases["wages"].pk)
    ]


def test_a_parent_category_with_the_other_filters(
    cases: dict[str, Petition], township_clerk: User
) -> None:
    scope = petitions_visible_to(township_clerk)
    labour = Category.objects.get(code="labour").pk
    Petition.objects.filter(pk__in=[cases["insurance"].pk, cases["road"].pk]).update(
        is_collective=True, people_count=6
    )
    collective = lists.Filters(category_id=labour, collective=True)
    assert every_page(scope, collective, 1) == [cases["insurance"].pk]
    single = lists.Filters(category_id=labour, collective=False)
    assert every_page(scope, single, 1) == [cases["builders"].pk, cases["wages"].pk]
    searched = lists.Filters(category_id=labour, q="拖欠工资")
    assert every_page(scope, searched, 1) == [
        cases["builders"].pk,
        cases["wages"].pk,
        cases["insurance"].pk,
    ]
    assert every_page(scope, lists.Filters(category_code="no.such.code"), 5) == []


def test_the_list_and_the_api_filter_by_a_parent_category(
    cases: dict[str, Petition], township_clerk: User, client_for
) -> None:
    """Issue 21: 劳动和社会保障 found none of its children's cases."""
    client = client_for(township_clerk)
    labour = Category.objects.get(code="labour")
    page = client.get("/petitions/", {"category": labour.pk}).content.decode()
    listed = [cases[name].number for name in ("builders", "wages", "insurance")]
    assert all(number in page for number in listed)
    assert cases["road"].number not in page
    body = client.get("/api/v1/petitions", {"category": "labour"}).json()
    assert [item["number"] for item in body["items"]] == listed


def assert_tree_in_order(shown: list[Option]) -> None:
    """Every active category once, each under its parent, siblings in their order."""
    tree_options.assert_tree_in_order(shown, Category.objects.filter(is_active=True))


def test_every_category_dropdown_lists_the_tree_in_order(
    city: personas.City, township_clerk: User, client_for
) -> None:
    """Issue 21: children of different parents were interleaved, the parents last."""
    Category.objects.create(
        parent=Category.objects.get(code="labour.wages"),
        code="labour.wages.builders",
        name="工程建设领域欠薪",
        sort=1,
    )
    listed = options(client_for(township_clerk).get("/petitions/").content.decode(), "f-category")
    assert_tree_in_order(listed)
    labels = [o.label for o in listed]
    at = labels.index("劳动和社会保障")
    assert labels[at + 1 : at + 5] == [
        INDENT + "拖欠工资",
        INDENT * 2 + "工程建设领域欠薪",
        INDENT + "社会保险",
        INDENT + "劳动关系",
    ]
    intake_page = client_for(township_clerk).get("/petitions/new/").content.decode()
    assert_tree_in_order(options(intake_page, "id_category"))
    public = Client().get("/public/petition/").content.decode()
    assert_tree_in_order(options(public, "id_category"))


def test_the_tree_order_keeps_every_node() -> None:
    @dataclass
    class Node:
        pk: int
        parent_id: int | None
        sort: int
        code: str

    nodes = [
        Node(1, None, 20, "b"),
        Node(2, 1, 2, "b.x"),
        Node(3, 1, 1, "b.y"),  # its order first, whatever its code
        Node(4, None, 10, "a"),
        Node(5, 3, 0, "b.y.z"),
        Node(6, 99, 0, "gone.child"),  # its parent is not offered: shown at the top
        Node(7, 8, 0, "loop.one"),
        Node(8, 7, 0, "loop.two"),
    ]
    ordered = [(node.code, depth) for node, depth in trees.in_tree_order(nodes)]
    assert ordered == [
        ("gone.child", 0),
        ("a", 0),
        ("b", 0),
        ("b.y", 1),
        ("b.y.z", 2),
        ("b.x", 1),
        ("loop.one", 0),
        ("loop.two", 0),
    ]
