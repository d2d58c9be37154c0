"""The list stops at a page: search finds newest first, the overdue longest overdue first.

Whatever the path (the search index walked down, the deadline index walked up, the
received-time index), a page holds exactly what the whole filtered set holds in that
place, on both databases.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests import personas
from tests.petitions.conftest import intake
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.petitions import lists, services
from yingji.petitions.access import petitions_visible_to
from yingji.petitions.models import Category, Petition
from yingji.search import services as search

pytestmark = pytest.mark.django_db


def drain(take: Any, size: int = 100) -> list[Any]:
    """Everything a stream gives, asked for ``size`` at a time."""
    found: list[Any] = []
    while True:
        ids, ended = take(size)
        found += ids
        if ended:
            return found


def every_page(scope: Any, filters: lists.Filters, size: int) -> list[list[int]]:
    """The list's pages, ``size`` rows each, followed until there is no next one."""
    pages, offset, more = [], 0, True
    while more:
        items, more = lists.page(scope, filters, offset=offset, limit=size)
        pages.append([p.pk for p in items])
        offset += size
    return pages


TEXTS = [
    ("请求支付拖欠的三个月工资", "本人在白石化工有限公司工作，工资未发放。"),
    ("请求修复村道", "东坪村的村道损毁，雨天无法通行。"),
    ("要求支付拖欠工资", "在望湖置业有限公司做保洁，老板拖欠工资半年。"),
    ("要求停止夜间施工", "工地每晚施工到凌晨，噪声扰民。"),
    ("请求落实工资待遇", "工厂拖欠加班费和工资。"),
    ("请求公开村务账目", "村集体土地出租收入去向不明。"),
    ("要求按标准补偿", "房屋征收补偿低于周边，拖欠安置费。"),
]


@pytest.fixture
def registered_cases(city: personas.City, township_clerk: User) -> list[Petition]:
    """Seven cases received a day apart, registered in a shuffled order."""
    actor = Actor(user=township_clerk)
    now = timezone.now()
    cases = []
    for index in (3, 0, 6, 1, 5, 2, 4):
        request, facts = TEXTS[index]
        cases.append(
            services.register(
                intake(request=request, facts=facts, received_at=now - timedelta(days=index + 1)),
                office=city.baishizhen,
                actor=actor,
            ).petition
        )
    return sorted(cases, key=lambda p: p.received_at, reverse=True)


@pytest.mark.parametrize("query", ["拖欠 工资", "拖欠", "有限公司", "村道损毁", "的", "没有的词"])
def test_search_walks_the_same_finds_newest_first(
    registered_cases: list[Petition], query: str
) -> None:
    whole = list(
        services.search_petitions(Petition.objects.all(), query)
        .order_by("-received_at")
        .values_list("pk", flat=True)
    )
    # Chunks of one entry: the walk crosses many chunk boundaries.
    assert drain(search.newest_first(Petition, query), 1) == whole
    assert drain(search.newest_first(Petition, query), 2) == whole
    assert (len(whole) > 0) == (query != "没有的词")


def test_pages_follow_on_without_gaps_or_repeats(
    registered_cases: list[Petition], township_clerk: User
) -> None:
    scope = petitions_visible_to(township_clerk)
    expected = [
        p.pk for p in registered_cases if "拖欠" in p.request + p.facts and "工资" in p.facts
    ]
    assert len(expected) >= 3
    pages = every_page(scope, lists.Filters(q="拖欠 工资"), 2)
    assert [pk for page in pages for pk in page] == expected
    assert all(len(page) == 2 for page in pages[:-1])
    plain, more = lists.page(scope, lists.Filters(), offset=0, limit=7)
    assert [p.pk for p in plain] == [p.pk for p in registered_cases] and more is False


def test_a_search_with_other_filters_starts_at_their_newest_case(
    registered_cases: list[Petition], township_clerk: User
) -> None:
    """The walk skips newer finds the filters refuse, and finds what the whole set finds."""
    scope = petitions_visible_to(township_clerk)
    third = timezone.localdate(registered_cases[2].received_at)
    # The fourth newest case is the only collective one: the walk starts there.
    Petition.objects.filter(pk=registered_cases[3].pk).update(is_collective=True, people_count=6)
    cases = [
        lists.Filters(q="拖欠", until=third),
        lists.Filters(q="工资", since=third - timedelta(days=2), until=third),
        lists.Filters(q="有限公司", channel="visit", until=third),
        lists.Filters(q="村", collective=True),
        lists.Filters(q="拖欠 工资", stage="closed"),  # nothing is closed
    ]
    for filters in cases:
        whole = [p.pk for p in lists.narrowed(scope, filters)]
        for size in (1, 2, 50):
            pages = every_page(scope, filters, size)
            assert [pk for page in pages for pk in page] == whole, filters
    assert [p.pk for p in lists.narrowed(scope, cases[0])]
    assert not list(lists.narrowed(scope, cases[-1]))
    newest_kept = registered_cases[2].received_at
    assert drain(search.newest_first(Petition, "拖欠", until=newest_kept)) == [
        p.pk for p in registered_cases[2:] if "拖欠" in p.request + p.facts
    ]


def test_category_and_collective_filters_together(
    registered_cases: list[Petition], township_clerk: User
) -> None:
    """On SQLite the category is matched without its index then; the answers stay."""
    scope = petitions_visible_to(township_clerk)
    wages = registered_cases[0].category
    other = Category.objects.exclude(pk=wages.pk).first()
    assert other is not None
    collective = [registered_cases[1].pk, registered_cases[4].pk, registered_cases[5].pk]
    Petition.objects.filter(pk__in=collective).update(is_collective=True, people_count=6)
    Petition.objects.filter(pk=registered_cases[4].pk).update(category=other)
    cases = Petition.objects.order_by("-received_at", "-pk")
    for category, flag in [(wages, True), (wages, False), (other, True)]:
        filters = lists.Filters(category_id=category.pk, collective=flag)
        expected = [p.pk for p in cases if p.category_id == category.pk and p.is_collective == flag]
        assert expected
        pages = every_page(scope, filters, 1)
        assert [pk for page in pages for pk in page] == expected, filters
        assert [p.pk for p in lists.narrowed(scope, filters)] == expected


def test_rare_finds_beyond_the_walking_window_are_collected(
    city: personas.City, township_clerk: User
) -> None:
    """Fewer than one find in WALK_PER_FIND entries: the walk gives up and sorts."""
    actor = Actor(user=township_clerk)
    now = timezone.now()
    old = [
        services.register(
            intake(request="请求修复落霞村道", received_at=now - timedelta(days=400 + n)),
            office=city.baishizhen,
            actor=actor,
        ).petition
        for n in range(3)
    ]
    for n in range(search.WALK_PER_FIND + 5):
        services.register(
            intake(received_at=now - timedelta(days=n)), office=city.baishizhen, actor=actor
        )
    assert drain(search.newest_first(Petition, "落霞"), 1) == [p.pk for p in old]
    assert drain(search.newest_first(Petition, "落霞"), 2) == [p.pk for p in old]
    assert drain(search.newest_first(Petition, "落霞村道"), 1) == [p.pk for p in old]


def test_a_re_indexed_case_is_found_once_and_keeps_its_place(
    registered_cases: list[Petition], township_clerk: User
) -> None:
    case = registered_cases[2]
    Petition.objects.filter(pk=case.pk).update(facts="拖欠工资，另有补充。")
    case.refresh_from_db()
    services.index_text(case)
    services.index_text(case)
    assert drain(search.newest_first(Petition, "补充")) == [case.pk]
    all_wages = drain(search.newest_first(Petition, "工资"))
    assert all_wages.count(case.pk) == 1
    received = {p.pk: p.received_at for p in registered_cases}
    assert [received[pk] for pk in all_wages] == sorted(
        (received[pk] for pk in all_wages), reverse=True
    )


def test_overdue_only_lists_the_longest_overdue_first_within_scope(
    city: personas.City, township_clerk: User, sibling_clerk: User, client_for
) -> None:
    actor = Actor(user=township_clerk)
    now = timezone.now()
    ages = [40, 90, 60, 1]  # days since receipt; the 15-day notice is missed after ~21
    cases = {
        age: services.register(
            intake(received_at=now - timedelta(days=age)), office=city.baishizhen, actor=actor
        ).petition
        for age in ages
    }
    elsewhere = services.register(
        intake(received_at=now - timedelta(days=120)),
        office=sibling_clerk.unit,  # type: ignore[arg-type]
        actor=Actor(user=sibling_clerk),
    ).petition
    clock.check()
    scope = petitions_visible_to(township_clerk)
    items, more = lists.page(scope, lists.Filters(overdue=True), offset=0, limit=50)
    assert [p.pk for p in items] == [cases[90].pk, cases[60].pk, cases[40].pk]
    assert more is False and elsewhere.pk not in [p.pk for p in items]
    first, more = lists.page(scope, lists.Filters(overdue=True), offset=0, limit=2)
    second, last = lists.page(scope, lists.Filters(overdue=True), offset=2, limit=2)
    assert [p.pk for p in first + second] == [p.pk for p in items] and more and not last
    body = client_for(township_clerk).get("/api/v1/petitions", {"overdue": "true"}).json()
    assert body["order"] == "most_overdue" and body["has_more"] is False
    assert [i["number"] for i in body["items"]] == [p.number for p in items]
    page = client_for(township_clerk).get("/petitions/", {"overdue": "1"}).content.decode()
    assert "超期最久的在前" in page


def test_the_list_pages_without_counting(
    registered_cases: list[Petition], township_clerk: User, client_for
) -> None:
    client = client_for(township_clerk)
    body = client.get("/api/v1/petitions", {"limit": 3}).json()
    assert body["has_more"] is True and body["order"] == "newest" and "count" not in body
    assert [i["number"] for i in body["items"]] == [p.number for p in registered_cases[:3]]
    rest = client.get("/api/v1/petitions", {"limit": 10, "offset": 3}).json()
    assert rest["has_more"] is False
    assert [i["number"] for i in rest["items"]] == [p.number for p in registered_cases[3:]]
