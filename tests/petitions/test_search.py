"""Chinese search over request and facts: the same answers on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import personas
from tests.petitions.conftest import intake
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.petitions import services
from yingji.petitions.models import Category, Petition
from yingji.search import services as search
from yingji.search import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(city: personas.City, township_clerk: User) -> dict[str, Petition]:
    actor = Actor(user=township_clerk)
    return {
        "wages": services.register(intake(), office=city.baishizhen, actor=actor).petition,
        "road": services.register(
            intake(request="请求修复村道", facts="东坪村的村道损毁，雨天无法通行，学生上学困难。"),
            office=city.baishizhen,
            actor=actor,
        ).petition,
        "noise": services.register(
            intake(request="要求停止夜间施工", facts="工地每晚施工到凌晨，噪声扰民。"),
            office=city.baishizhen,
            actor=actor,
        ).petition,
    }


def found(query: str) -> set[str]:
    return set(
        services.search_petitions(Petition.objects.all(), query).values_list("number", flat=True)
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("拖欠", {"wages"}),  # a two-character word: the word index
        ("化工有限公司", {"wages"}),  # a phrase: the trigram index
        ("村道损毁", {"road"}),  # words, and a substring too
        ("雨天 上学", {"road"}),  # every word must be there
        ("施工噪声", {"noise"}),  # both words, not adjacent in the text
        ("工资", {"wages"}),  # a sub-word of 月工资
        ("拖欠工资", {"wages"}),  # one word to rjieba, its two sub-words apart in the text
        ("拖欠 工资", {"wages"}),
        ("物业费", set()),  # 物业 alone does not cover it: the whole word is wanted
        ("的村道", {"road"}),  # a phrase with a function word: the trigram index
        ("退休金", set()),
    ],
)
def test_search_finds_by_words_and_by_substring(
    cases: dict[str, Petition], query: str, expected: set[str]
) -> None:
    assert found(query) == {cases[name].number for name in expected}


def test_a_query_without_spaces_finds_what_it_finds_with_them(
    city: personas.City, township_clerk: User, cases: dict[str, Petition]
) -> None:
    """Issue 21: 拖欠工资 found nothing where 拖欠 工资 found both wage cases."""
    other = services.register(
        intake(request="请求解决工资问题", facts="包工头拖欠我们班组十二人的工资。"),
        office=city.baishizhen,
        actor=Actor(user=township_clerk),
    ).petition
    both = {cases["wages"].number, other.number}
    assert found("拖欠 工资") == both
    assert found("拖欠工资") == both
    assert found("化工公司") == found("化工 公司") == {cases["wages"].number}


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("拖欠工资", ["拖欠", "工资"]),  # covered by its sub-words: they stand for it
        ("拖欠 工资", ["拖欠", "工资"]),
        ("物业费", ["物业", "物业费"]),  # 费 is in no sub-word: the word stays
        ("白石化工有限公司", ["白石", "化工", "有限", "公司"]),
        ("的村道", ["村道"]),  # function words dropped, as in the index
        ("Wage ARREARS", ["wage", "arrears"]),
    ],
)
def test_a_query_is_segmented_as_the_index_segments_a_text(query: str, words: list[str]) -> None:
    assert text.query_tokens(query) == words
    assert set(words) <= set(text.index_tokens(query))  # a text equal to the query matches


def test_search_through_the_list_and_the_api(
    cases: dict[str, Petition], township_clerk: User, client_for
) -> None:
    client = client_for(township_clerk)
    page = client.get("/petitions/", {"q": "村道"}).content.decode()
    assert cases["road"].number in page and cases["wages"].number not in page
    body = client.get("/api/v1/petitions", {"q": "噪声"}).json()
    assert [item["number"] for item in body["items"]] == [cases["noise"].number]


def test_the_accused_never_gets_an_accusation_as_a_search_hit(
    city: personas.City, client_for
) -> None:
    county_clerk = personas.make_user("county_clerk", city.baishi, Role.INTAKE_CLERK)
    accusation = services.register(
        intake(
            category=Category.objects.get(code="discipline"),
            accused_unit=city.baishizhen,
            request="举报镇干部收受贿赂",
            facts="镇干部在低保审批中收受贿赂。",
        ),
        office=city.baishi,
        actor=Actor(user=county_clerk),
    ).petition
    Petition.objects.filter(pk=accusation.pk).update(unit=city.baishicun)
    accused = personas.make_user("accused", city.baishizhen, Role.SUPERVISOR)
    client = client_for(accused)
    assert accusation.number not in client.get("/petitions/", {"q": "收受贿赂"}).content.decode()
    assert client.get("/api/v1/petitions", {"q": "收受贿赂"}).json()["items"] == []
    county = client_for(county_clerk).get("/api/v1/petitions", {"q": "收受贿赂"}).json()
    assert [item["number"] for item in county["items"]] == [accusation.number]


def test_postgres_text_indexes_take_new_entries_at_once() -> None:
    """No pending list for every search to read through (search migration 0004)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's FTS5 tables have no pending list")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname IN "
            "('search_entry_trigrams', 'search_entry_words_tsv') ORDER BY relname"
        )
        options = cursor.fetchall()
    assert options == [
        ("search_entry_trigrams", ["fastupdate=off"]),
        ("search_entry_words_tsv", ["fastupdate=off"]),
    ]


def test_rows_with_any_of_some_words_within_a_time_range(cases: dict[str, Petition]) -> None:
    def numbers(words: list[str], **range_: object) -> set[str]:
        ids = search.with_any_word(Petition, words, **range_)  # type: ignore[arg-type]
        return set(Petition.objects.filter(pk__in=ids).values_list("number", flat=True))

    wages, noise = cases["wages"], cases["noise"]
    assert numbers(["拖欠", "噪声"]) == {wages.number, noise.number}
    assert numbers(['噪"声', "'", "|", "退休金"]) == set()  # no word is read as syntax
    assert numbers([]) == set()
    at = wages.received_at
    assert numbers(["拖欠"], between=(at, at)) == {wages.number}
    assert numbers(["拖欠"], between=(at + timedelta(seconds=1), at + timedelta(days=9))) == set()
    assert numbers(["拖欠"], between=(at - timedelta(days=9), at - timedelta(seconds=1))) == set()


@pytest.mark.parametrize(
    ("candidates", "limit", "expected"),
    [
        # 白石 is in every candidate, 化工 in one of twenty, 拖欠工资 in none: rarest first.
        ([["白石", "化工"]] + [["白石"]] * 19, 5, ["拖欠工资", "化工"]),
        ([["白石", "化工"]] * 2 + [["白石"]] * 18, 5, ["拖欠工资"]),  # two in twenty: common
        ([["白石"]] * 20, 1, ["拖欠工资"]),  # as rare as 化工, and longer
        ([], 5, ["拖欠工资", "化工", "白石"]),  # nothing to compare with: all are rare
    ],
)
def test_the_rarest_words_of_a_case_among_its_candidates(
    candidates: list[list[str]], limit: int, expected: list[str]
) -> None:
    words = ["拖欠工资", "白石", "化工", "拖欠工资"]
    assert text.rarest(words, candidates, limit=limit) == expected
