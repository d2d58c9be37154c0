"""The petition panels of the workbench: each shows the work of the user's units (or, for a
supervisor, of their area), in one query, never names a petitioner, and links to the
petition list filtered to exactly the same cases."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from tests import personas
from tests.petitions.conftest import intake
from yingji import workbench
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.org import jurisdiction
from yingji.org import services as org
from yingji.org.models import Unit
from yingji.petitions import lists, services
from yingji.petitions.access import petitions_visible_to
from yingji.petitions.models import Assignment, Category, Petition

pytestmark = pytest.mark.django_db

CASE_LINK = re.compile(r'href="/petitions/(\d+)/"')
PERSONAL = ("张三丰", "13812341234", "11010519491231002X", "幸福路8号")


def build(key: str, user: User) -> workbench.Panel:
    return workbench.SOURCES[key].build(user)


def case_ids(panel: workbench.Panel) -> list[int]:
    return [int(re.search(r"/petitions/(\d+)/", e.url).group(1)) for e in panel.entries]  # type: ignore[union-attr]


def listed(client: Any, url: str) -> list[int]:
    """The cases the list behind a panel shows, in its order."""
    response = client.get(url)
    assert response.status_code == 200, url
    return [int(pk) for pk in CASE_LINK.findall(response.content.decode())]


def register(clerk: User, days_ago: float, **changes: Any) -> Petition:
    received = timezone.now() - timedelta(days=days_ago)
    return services.register(
        intake(received_at=received, **changes), office=clerk.unit, actor=Actor(user=clerk)
    ).petition


def accept(petition: Petition, user: User) -> Petition:
    return services.decide(petition, actor=Actor(user=user), decision="accept")


def reply(petition: Petition, user: User) -> Petition:
    services.reply(
        petition,
        actor=Actor(user=user),
        outcome="explain",
        findings="已核实",
        opinion="说明如下。",
        legal_basis="相关规定",
    )
    return Petition.objects.get(pk=petition.pk)


def fresh(user: User) -> User:
    """The user as a request loads it, with what every panel of the page shares (the unit,
    the person, the jurisdiction, the petitions' content type) already read once."""
    user = User.objects.select_related("unit", "person").get(pk=user.pk)
    jurisdiction.of(user)
    ContentType.objects.get_for_model(Petition)
    return user


@pytest.fixture
def county_clerk(city: personas.City) -> User:
    return personas.make_user("county_clerk", city.baishi, Role.INTAKE_CLERK, name="孙丽")


@pytest.fixture
def supervisor(city: personas.City) -> User:
    """A supervisor of 白石县: the county and its townships, not 清溪区."""
    return personas.make_user("county_sv", city.baishi, Role.SUPERVISOR, name="郑强")


@pytest.fixture
def hexi_clerk(city: personas.City) -> User:
    return personas.make_user("hexi_clerk", city.hexi, Role.INTAKE_CLERK, name="陈静")


# --- 1. my cases by next deadline -----------------------------------------------------------


def test_my_cases_come_by_next_deadline_overdue_first_and_never_another_units(
    township_clerk: User, sibling_clerk: User, client_for
) -> None:
    later = register(township_clerk, 1)
    overdue = register(township_clerk, 30)  # the 15-day notice is missed
    handling = accept(register(township_clerk, 2), township_clerk)  # 60 days from now
    soon = register(township_clerk, 13)
    # Due in two days whatever weekend or holiday the 15 days would end on today.
    notice = Deadline.objects.filter(subject_id=str(soon.pk), kind="petition.acceptance_notice")
    notice.update(due_at=timezone.now() + timedelta(days=2))
    rejected = services.decide(
        register(township_clerk, 3),
        actor=Actor(user=township_clerk),
        decision="reject",
        reason="不属于信访事项",
    )
    elsewhere = register(sibling_clerk, 20)
    clock.check()

    panel = build("petitions.mine", township_clerk)
    assert case_ids(panel) == [overdue.pk, soon.pk, later.pk, handling.pk]
    assert [e.tone for e in panel.entries] == ["overdue", "soon", "", ""]
    assert panel.count == 4 and rejected.pk not in case_ids(panel)
    assert elsewhere.pk not in case_ids(panel)
    notice = str(clock.kinds.get("petition.acceptance_notice").label)
    assert panel.entries[0].note.startswith(notice)
    assert str(clock.kinds.get("petition.handling").label) in panel.entries[3].note
    assert panel.entries[0].label.startswith(overdue.number)
    assert not any(word in e.label + e.note for e in panel.entries for word in PERSONAL)

    client = client_for(township_clerk)
    assert panel.url == "/petitions/?mine=1&open=1"
    assert listed(client, panel.url) == case_ids(panel)  # the same cases, in the same order
    assert listed(client_for(sibling_clerk), panel.url) == [elsewhere.pk]


def test_a_county_bureau_lists_its_own_cases_not_the_townships_it_oversees(
    city: personas.City, township_clerk: User, client_for
) -> None:
    bureau = org.create_unit(
        actor=personas.SETUP, name="白石县信访局", kind=Unit.Kind.DEPARTMENT, parent=city.baishi
    )
    handler = personas.make_user("xf_handler", bureau, Role.CASE_HANDLER, name="吴刚")
    own = register(handler, 2)
    township = register(township_clerk, 2)
    client = client_for(handler)
    assert township.pk in listed(client, "/petitions/")  # seen from above
    for key in ("petitions.mine", "petitions.acceptance"):
        panel = build(key, handler)
        assert case_ids(panel) == [own.pk], key
        assert listed(client, panel.url) == [own.pk], key


def test_a_paused_notice_does_not_rank_a_case_by_a_due_time_that_waits(
    township_clerk: User,
) -> None:
    unclear = register(township_clerk, 20, address="")  # the notice clock waits (第二十三条)
    clock.check()
    panel = build("petitions.mine", township_clerk)
    assert case_ids(panel) == [unclear.pk]
    assert panel.entries[0].note == "" and panel.entries[0].tone == ""


# --- 2. waiting for acceptance ----------------------------------------------------------------


def test_waiting_for_acceptance_lists_the_undecided_cases_of_the_unit_oldest_first(
    township_clerk: User, sibling_clerk: User, client_for
) -> None:
    newer = register(township_clerk, 1)
    older = register(township_clerk, 5)
    accepted = accept(register(township_clerk, 9), township_clerk)
    elsewhere = register(sibling_clerk, 9)

    panel = build("petitions.acceptance", township_clerk)
    assert case_ids(panel) == [older.pk, newer.pk]
    assert accepted.pk not in case_ids(panel) and elsewhere.pk not in case_ids(panel)
    assert all(e.note for e in panel.entries)  # the notice's time left

    assert panel.url == "/petitions/?mine=1&stage=registered"
    assert sorted(listed(client_for(township_clerk), panel.url)) == sorted(case_ids(panel))


# --- 3. transfers waiting for our answer --------------------------------------------------------


def test_transfers_waiting_are_the_routings_to_the_unit_it_has_not_answered(
    city: personas.City,
    township_clerk: User,
    sibling_clerk: User,
    county_clerk: User,
    client_for,
) -> None:
    county = Actor(user=county_clerk)
    waiting = register(county_clerk, 3)
    services.assign(waiting, actor=county, lead=city.baishizhen)
    answered = register(county_clerk, 2)
    services.assign(answered, actor=county, lead=city.baishizhen)
    to_sibling = register(county_clerk, 4)
    services.assign(to_sibling, actor=county, lead=city.liulin)
    cooperating = register(county_clerk, 1)
    services.assign(cooperating, actor=county, lead=city.liulin, cooperating=[city.baishizhen])
    from_outside = register(township_clerk, 2, transferred_from="省信访局")
    decided = accept(register(township_clerk, 2, transferred_from="省信访局"), township_clerk)
    services.respond(
        Assignment.objects.get(petition=answered, unit=city.baishizhen),
        actor=Actor(user=township_clerk),
        accept=True,
    )

    panel = build("petitions.transfers", township_clerk)
    ids = case_ids(panel)
    assert ids == [from_outside.pk, waiting.pk, cooperating.pk]  # waiting longest first
    assert answered.pk not in ids and to_sibling.pk not in ids and decided.pk not in ids
    assert any("省信访局" in e.note for e in panel.entries)
    assert any(city.baishi.name in e.note for e in panel.entries)

    assert panel.url == "/petitions/?routed=1"
    assert sorted(listed(client_for(township_clerk), panel.url)) == sorted(ids)
    assert sorted(listed(client_for(sibling_clerk), panel.url)) == sorted(
        [to_sibling.pk, cooperating.pk]
    )
    assert case_ids(build("petitions.transfers", sibling_clerk)) == [to_sibling.pk, cooperating.pk]


# --- 4. ratings to follow up ------------------------------------------------------------------


def test_ratings_to_follow_up_are_the_replied_cases_not_rated_since_the_reply(
    township_clerk: User, sibling_clerk: User, client_for
) -> None:
    clerk = Actor(user=township_clerk)
    first = reply(accept(register(township_clerk, 30), township_clerk), township_clerk)
    second = reply(accept(register(township_clerk, 10), township_clerk), township_clerk)
    rated = reply(accept(register(township_clerk, 20), township_clerk), township_clerk)
    services.rate(rated, actor=clerk, rating="satisfied", by_petitioner=False)
    # Rated not satisfied, reopened and answered again: the new reply is rated again.
    again = reply(accept(register(township_clerk, 40), township_clerk), township_clerk)
    services.rate(again, actor=clerk, rating="unsatisfied", by_petitioner=False)
    again = reply(services.reopen(again, actor=clerk, reason="回访不满意"), township_clerk)
    open_case = accept(register(township_clerk, 5), township_clerk)
    elsewhere = reply(accept(register(sibling_clerk, 5), sibling_clerk), sibling_clerk)

    panel = build("petitions.ratings", township_clerk)
    assert case_ids(panel) == [first.pk, second.pk, again.pk]  # oldest reply first
    assert rated.pk not in case_ids(panel) and open_case.pk not in case_ids(panel)
    assert elsewhere.pk not in case_ids(panel)

    assert panel.url == "/petitions/?mine=1&unrated=1"
    assert sorted(listed(client_for(township_clerk), panel.url)) == sorted(case_ids(panel))

    services.rate(again, actor=clerk, rating="satisfied", by_petitioner=False)
    assert case_ids(build("petitions.ratings", township_clerk)) == [first.pk, second.pk]


def test_ratings_of_several_units_are_merged_longest_waiting_first(
    city: personas.City,
    township_clerk: User,
    client_for,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each unit's waiting cases are walked apart and merged (lists.longest_unrated): the
    township's and its village's cases come in one order, the same as one statement for
    all the units reads them, and the list behind the panel holds the same cases."""
    cases = [reply(accept(register(township_clerk, 9), township_clerk), township_clerk)]
    for _ in range(4):
        cases.append(reply(accept(register(township_clerk, 9), township_clerk), township_clerk))
    # Waiting since, interleaved across the two units (a village's cases are the
    # township's to act on: lists.acting_units).
    now = timezone.now()
    for n, case in enumerate(cases):
        unit = city.baishicun if n % 2 else city.baishizhen
        Petition.objects.filter(pk=case.pk).update(
            unit=unit, awaiting_rating_since=now - timedelta(days=20 - n)
        )
    assert set(lists.acting_units(township_clerk)) >= {city.baishizhen, city.baishicun}
    walked = case_ids(build("petitions.ratings", fresh(township_clerk)))
    assert walked == [case.pk for case in cases]
    monkeypatch.setattr(lists, "WALK_UNITS_AT_MOST", 1)  # one statement for all units
    assert case_ids(build("petitions.ratings", fresh(township_clerk))) == walked
    assert sorted(listed(client_for(township_clerk), "/petitions/?mine=1&unrated=1")) == sorted(
        walked
    )


def test_the_list_of_ratings_to_follow_up_holds_the_same_cases_past_the_sorted_few(
    township_clerk: User, client_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Up to lists.SORT_AT_MOST waiting cases the list reads them by key; more, down its
    own order. Both show the same cases in the same order, page by page."""
    cases = [
        reply(accept(register(township_clerk, days), township_clerk), township_clerk)
        for days in (9, 7, 5)
    ]
    url = "/petitions/?mine=1&unrated=1"
    few = listed(client_for(township_clerk), url)
    assert few == [case.pk for case in reversed(cases)]  # the list is newest first
    monkeypatch.setattr(lists, "SORT_AT_MOST", 2)
    assert listed(client_for(township_clerk), url) == few


def test_the_waiting_cases_are_read_once_under_a_parent_category(
    township_clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under a category with others below it each category is walked apart
    (lists._newest); the units' waiting cases are read once for all the walks."""
    cases = [
        reply(accept(register(township_clerk, days), township_clerk), township_clerk)
        for days in (9, 7)
    ]
    parent = Category.objects.get(code="labour.wages").parent
    assert parent is not None and parent.children.count() >= 2
    reads: list[object] = []
    waiting_ids = lists._waiting_ids

    def counted(user: User | None) -> list[int] | None:
        reads.append(user)
        return waiting_ids(user)

    monkeypatch.setattr(lists, "_waiting_ids", counted)
    filters = lists.Filters(mine=True, unrated=True, category_id=parent.pk)
    scope = petitions_visible_to(township_clerk)
    found, more = lists.page(scope, filters, offset=0, limit=20, user=township_clerk)
    assert [p.pk for p in found] == [case.pk for case in reversed(cases)] and not more
    assert len(reads) == 1


# --- 5. overdue cases by unit -------------------------------------------------------------------


def test_overdue_cases_are_counted_per_unit_of_the_area_most_first(
    city: personas.City,
    township_clerk: User,
    sibling_clerk: User,
    hexi_clerk: User,
    supervisor: User,
    client_for,
) -> None:
    town = [register(township_clerk, 20), register(township_clerk, 18)]
    register(township_clerk, 1)  # not overdue
    sibling = register(sibling_clerk, 25)
    register(hexi_clerk, 30)  # outside 白石县
    clock.check()

    panel = build("petitions.overdue_units", supervisor)
    assert [e.label for e in panel.entries] == [city.baishizhen.name, city.liulin.name]
    assert [e.tone for e in panel.entries] == ["overdue", "overdue"]
    assert panel.count == 3  # the cases, as the list behind it counts them
    assert panel.entries[0].url == f"/petitions/?overdue=1&unit={city.baishizhen.pk}"

    client = client_for(supervisor)
    assert panel.url == "/petitions/?overdue=1"
    assert sorted(listed(client, panel.url)) == sorted([*(p.pk for p in town), sibling.pk])
    assert sorted(listed(client, panel.entries[0].url)) == sorted(p.pk for p in town)
    assert listed(client, panel.entries[1].url) == [sibling.pk]


# --- 6. supervision I issued -----------------------------------------------------------------


def test_supervision_issued_lists_the_users_own_newest_first_and_whether_answered(
    township_clerk: User, supervisor: User, city: personas.City, client_for
) -> None:
    other = personas.make_user("other_sv", city.baishi, Role.SUPERVISOR)
    waiting = register(township_clerk, 20)
    decided = register(township_clerk, 19)
    services.supervise(waiting, actor=Actor(user=supervisor), kind="supervise", note="请按期办理")
    services.supervise(decided, actor=Actor(user=supervisor), kind="urge", note="请尽快受理")
    accept(decided, township_clerk)
    services.supervise(waiting, actor=Actor(user=other), kind="supervise", note="别人督办")

    panel = build("petitions.supervision", supervisor)
    assert case_ids(panel) == [decided.pk, waiting.pk]
    assert panel.entries[0].note.endswith(gettext("answered since"))
    assert panel.entries[1].note.endswith(gettext("not answered yet"))
    assert city.baishizhen.name in panel.entries[1].note
    assert not any(word in e.label + e.note for e in panel.entries for word in PERSONAL)
    assert panel.count == 2
    assert panel.url == "/petitions/?overdue=1"
    assert client_for(supervisor).get(panel.url).status_code == 200


# --- 7. on-time rate this month --------------------------------------------------------------


def month_start() -> datetime:
    today = timezone.localdate()
    return datetime(today.year, today.month, 1, tzinfo=clock.office_zone())


def _ended(
    petition: Petition, due_at: datetime, *, met_at: datetime | None = None, **changes: Any
) -> None:
    """The case's deadline, ended as the clock ends it: met (at ``met_at``) or missed."""
    deadline = Deadline.objects.get(subject_id=str(petition.pk), kind="petition.acceptance_notice")
    state = Deadline.State.MET if met_at else Deadline.State.MISSED
    Deadline.objects.filter(pk=deadline.pk).update(
        due_at=due_at, met_at=met_at, state=state, **changes
    )


def test_on_time_rate_counts_met_and_missed_deadlines_due_this_month_worst_first(
    city: personas.City,
    township_clerk: User,
    sibling_clerk: User,
    hexi_clerk: User,
    supervisor: User,
    client_for,
) -> None:
    start = month_start()
    hour = timedelta(hours=1)
    _ended(register(township_clerk, 1), start, met_at=start - hour)
    _ended(register(township_clerk, 1), start, met_at=start - hour)
    _ended(register(township_clerk, 1), start)  # missed
    _ended(register(sibling_clerk, 1), start, met_at=start + hour)  # met, but late
    _ended(register(hexi_clerk, 1), start)  # outside 白石县
    _ended(register(township_clerk, 1), start - hour)  # due last month
    _ended(register(township_clerk, 1), start, kind="petition.review_request")  # the petitioner's
    _ended(register(township_clerk, 1), start, is_drill=True)
    register(township_clerk, 1)  # running: not come due

    panel = build("petitions.on_time", supervisor)
    assert [e.label for e in panel.entries] == [city.liulin.name, city.baishizhen.name]
    assert [e.tone for e in panel.entries] == ["overdue", "overdue"]
    assert "0 / 1" in panel.entries[0].note and "2 / 3" in panel.entries[1].note
    assert "66" in panel.entries[1].note
    assert panel.entries[1].url == f"/petitions/?overdue=1&unit={city.baishizhen.pk}"
    assert panel.url == reverse("clock:deadlines")
    client = client_for(supervisor)
    assert client.get(panel.url).status_code == 200
    assert client.get(panel.entries[1].url).status_code == 200


# --- every panel: one query, and only for its roles ----------------------------------------------


@pytest.fixture
def busy_town(
    city: personas.City, township_clerk: User, county_clerk: User, supervisor: User
) -> None:
    """Several cases of each kind of work, at two units, so that a query per entry or
    per unit would show."""
    county = Actor(user=county_clerk)
    for days in (20, 13, 2):
        register(township_clerk, days)
        routed = register(county_clerk, days)
        services.assign(routed, actor=county, lead=city.baishizhen)
        replied = reply(accept(register(township_clerk, days), township_clerk), township_clerk)
        services.supervise(replied, actor=Actor(user=supervisor), kind="supervise", note="督办")
        _ended(register(township_clerk, days), month_start())
    register(county_clerk, 30)
    _ended(register(county_clerk, 1), month_start(), met_at=month_start())
    clock.check()


@pytest.mark.parametrize(
    ("key", "persona"),
    [
        ("petitions.mine", "township_clerk"),
        ("petitions.acceptance", "township_clerk"),
        ("petitions.transfers", "township_clerk"),
        ("petitions.ratings", "township_clerk"),
        ("petitions.overdue_units", "supervisor"),
        ("petitions.supervision", "supervisor"),
        ("petitions.on_time", "supervisor"),
    ],
)
def test_each_panel_reads_its_list_in_one_query(
    busy_town: None,
    key: str,
    persona: str,
    request: pytest.FixtureRequest,
    django_assert_max_num_queries,
) -> None:
    user = fresh(request.getfixturevalue(persona))
    # "My cases" first counts the units' open cases (up to lists.SORT_AT_MOST), then
    # sorts them: two queries. "Ratings" reads the user's units, walks each (two here),
    # then reads the rows it found.
    most = {"petitions.mine": 2, "petitions.ratings": 4}.get(key, 1)
    with django_assert_max_num_queries(most):
        panel = build(key, user)
    assert len(panel.entries) >= 2, key


CLERKS = {"petitions.mine", "petitions.acceptance", "petitions.transfers", "petitions.ratings"}
SUPERVISING = {"petitions.overdue_units", "petitions.supervision", "petitions.on_time"}


def shown(client: Any) -> set[str]:
    html = client.get("/").content.decode()
    return set(re.findall(r'data-panel="(petitions\.[a-z_]+)"', html))


def test_the_home_page_shows_each_role_its_petition_panels_only(
    city: personas.City,
    busy_town: None,
    township_clerk: User,
    county_handler: User,
    supervisor: User,
    client_for,
) -> None:
    duty = personas.make_user("duty", city.baishi, Role.DUTY_OFFICER)
    assert shown(client_for(township_clerk)) == CLERKS
    assert shown(client_for(county_handler)) == CLERKS
    assert shown(client_for(supervisor)) == SUPERVISING
    assert shown(client_for(duty)) == set()
    html = client_for(township_clerk).get("/").content.decode()
    assert 'class="error"' not in html  # no panel failed
    assert not any(word in html for word in PERSONAL)


def test_the_list_filters_of_the_panels_match_nothing_without_a_user(
    township_clerk: User,
) -> None:
    from yingji.petitions import lists
    from yingji.petitions.access import petitions_visible_to

    register(township_clerk, 3)
    scope = petitions_visible_to(township_clerk)
    assert lists.narrowed(scope, lists.Filters(mine=True), user=township_clerk).count() == 1
    assert not lists.narrowed(scope, lists.Filters(mine=True)).exists()
    assert not lists.narrowed(scope, lists.Filters(routed=True)).exists()


def test_my_cases_of_a_busy_unit_are_read_from_the_deadlines_in_the_same_order(
    busy_town: None, township_clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past lists.SORT_AT_MOST open cases the panel and the list walk the deadlines in due
    order instead of sorting the cases: the same cases in the same order, those with no
    deadline running (a clock paused while the address is unclear, clocks ended) after
    the others, and pages that split the same way."""
    paused = register(township_clerk, 5, address="")
    assert clock.open_deadline(paused, "petition.acceptance_notice").state == "paused"
    mine = lists.Filters(mine=True, open=True)

    def whole(user: User) -> list[int]:
        cases, more = lists.page(petitions_visible_to(user), mine, offset=0, limit=50, user=user)
        assert not more
        return [case.pk for case in cases]

    sorted_cases = whole(fresh(township_clerk))
    sorted_panel = case_ids(build("petitions.mine", fresh(township_clerk)))
    monkeypatch.setattr(lists, "SORT_AT_MOST", 1)
    user = fresh(township_clerk)
    assert whole(user) == sorted_cases
    assert paused.pk in sorted_cases[-3:]
    assert len(sorted_cases) >= 8
    assert case_ids(build("petitions.mine", user)) == sorted_panel
    page, more = lists.page(petitions_visible_to(user), mine, offset=2, limit=3, user=user)
    assert [p.pk for p in page] == sorted_cases[2:5]
    assert more
