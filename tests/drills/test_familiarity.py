"""The plan familiarity check (熟悉预案测验): questions from the plan's own data, answered
once, scored by group and unit, and seen by the person and their leaders only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import personas
from tests.drills.conftest import DrillWorld
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.config import ConfigError, load
from yingji.drills import familiarity
from yingji.drills.familiarity import Kind
from yingji.drills.models import Check, Drill
from yingji.org.models import Unit
from yingji.plans.models import Group, Post, Step
from yingji.resources.models import Category, Item, Lot, Movement, Warehouse
from yingji.timeline.models import Event

pytestmark = pytest.mark.django_db


def _holder(username: str, unit: Unit, position: str, name: str, *roles: Role) -> User:
    user = personas.make_user(username, unit, *(roles or (Role.TEAM_MEMBER,)), name=name)
    assert user.person is not None
    user.person.position = position
    user.person.save()
    return user


def _stock(unit: Unit, warehouse: str, item: str, hundredths: int = 400) -> Warehouse:
    """A warehouse of ``unit`` holding ``item`` (0: holding nothing)."""
    place, _made = Warehouse.objects.get_or_create(unit=unit, name=warehouse)
    if hundredths:
        category = Category.objects.order_by("pk").first() or Category.objects.create(
            code="test", name="测试"
        )
        thing, _made = Item.objects.get_or_create(
            name=item, defaults={"category": category, "measure": "个"}
        )
        lot = Lot.objects.create(warehouse=place, item=thing, code=f"T-{place.pk}")
        Movement.objects.create(lot=lot, kind="receive", hundredths=hundredths, at=timezone.now())
    return place


def _kinds(check: Check) -> list[str]:
    return [q["kind"] for q in check.questions]


def _question(check: Check, kind: str) -> dict[str, Any]:
    return next(q for q in check.questions if q["kind"] == kind)


def _right(question: dict[str, Any]) -> Any:
    return question["options"][question["answer"]]


def _start(world: DrillWorld, user: User) -> Check:
    return familiarity.start_check(world.drill, actor=Actor(user))


def _rights(check: Check) -> list[int]:
    return [q["answer"] for q in check.questions]


def _wrongs(check: Check) -> list[int]:
    return [(q["answer"] + 1) % len(q["options"]) for q in check.questions]


# --- generation ---------------------------------------------------------------------------


def test_a_group_member_is_asked_about_their_own_group(drill_world: DrillWorld) -> None:
    police = drill_world.town.police  # leads 现场处置组
    check = _start(drill_world, police)
    assert check.version == drill_world.version
    assert check.group is not None and check.group.name == "现场处置组"
    assert check.unit == drill_world.town.city.baishizhen
    assert check.total == len(check.questions)
    assert _kinds(check)[:3] == [Kind.GROUP, Kind.DUTIES, Kind.LIMIT]
    group = _question(check, Kind.GROUP)
    assert _right(group) == "现场处置组"
    assert len(group["options"]) == 4 and len(set(group["options"])) == 4
    names = set(Group.objects.filter(version=drill_world.version).values_list("name", flat=True))
    assert set(group["options"]) <= names
    duties = _question(check, Kind.DUTIES)
    assert _right(duties).startswith("维护现场秩序")
    assert len(set(duties["options"])) == len(duties["options"]) == 4
    limit = _question(check, Kind.LIMIT)
    step = Step.objects.get(
        level__version=drill_world.version,
        group=check.group,
        action__startswith=limit["about"]["action"][:10],
    )
    assert _right(limit) == step.within_minutes == 30
    assert len(set(limit["options"])) == 4
    # Without a holder of the command body's head post or any stock in the township,
    # neither whom to report to nor where a supply is can be asked: nothing is invented.
    assert Kind.REPORT not in _kinds(check)
    assert Kind.SUPPLY not in _kinds(check)


def test_whom_to_report_to_and_where_supplies_are_come_from_real_data(
    drill_world: DrillWorld,
) -> None:
    town = drill_world.town
    _holder("secretary", town.city.baishizhen, "镇党委书记", "李书记")
    store = _stock(town.city.baishizhen, "白石镇应急物资库", "扩音器")
    _stock(town.city.baishizhen, "白石镇东坪村物资点", "扩音器", hundredths=0)
    # Stock outside the plan owner's area is no answer and no option.
    _stock(town.city.liulin, "柳林乡物资库", "扩音器")
    check = _start(drill_world, town.police)
    report = _question(check, Kind.REPORT)
    # A group's lead reports to the command body's head, named by post and name.
    assert _right(report) == "白石镇群体性上访事件应急处置领导小组组长 李书记"
    assert "现场处置组组长 郑所长" not in report["options"]
    assert len(report["options"]) >= 2
    supply = _question(check, Kind.SUPPLY)
    assert supply["about"] == {"supply": "扩音器"}
    assert _right(supply) == store.name
    assert set(supply["options"]) == {"白石镇应急物资库", "白石镇东坪村物资点"}
    assert "扩音器" in familiarity.prompt(supply)


def test_a_member_reports_to_their_group_lead(drill_world: DrillWorld) -> None:
    town = drill_world.town
    site = Group.objects.get(version=drill_world.version, name="现场处置组")
    Post.objects.create(version=drill_world.version, group=site, title="成员", position="民警")
    member = _holder("constable", town.city.baishizhen, "民警", "赵民警")
    check = _start(drill_world, member)
    assert check.group == site
    assert _right(_question(check, Kind.REPORT)) == "现场处置组组长 郑所长"


def test_a_participant_without_a_post_gets_questions_that_need_none(
    drill_world: DrillWorld,
) -> None:
    outsider = drill_world.town.outsider
    drill_world.drill.participants.add(outsider)
    check = _start(drill_world, outsider)
    assert check.group is None
    assert _kinds(check) == [Kind.STEP_GROUP, Kind.GROUP_DUTIES, Kind.LIMIT]
    step_group = _question(check, Kind.STEP_GROUP)
    # The steps of the groups the drill exercises are asked about.
    assert _right(step_group) in {"现场处置组", "疏导劝解组"}
    duties = _question(check, Kind.GROUP_DUTIES)
    group = Group.objects.get(version=drill_world.version, name=duties["about"]["group"])
    assert _right(duties) == " ".join(group.duties.split())[: familiarity.DUTIES_SHOWN]


def test_the_same_check_is_generated_for_the_same_person(drill_world: DrillWorld) -> None:
    first = _start(drill_world, drill_world.town.police)
    questions = first.questions
    assert _start(drill_world, drill_world.town.police).pk == first.pk
    first.delete()
    assert _start(drill_world, drill_world.town.police).questions == questions


def test_someone_not_taking_part_is_refused(drill_world: DrillWorld) -> None:
    for user in (drill_world.controller, drill_world.town.outsider):
        with pytest.raises(PermissionDenied):
            _start(drill_world, user)
    assert not Check.objects.exists()


@pytest.mark.parametrize("state", [Drill.State.CANCELLED, Drill.State.EVALUATED])
def test_a_cancelled_or_evaluated_drills_check_cannot_be_started(
    drill_world: DrillWorld, state: str
) -> None:
    Drill.objects.filter(pk=drill_world.drill.pk).update(state=state)
    with pytest.raises(ValidationError) as refused:
        _start(drill_world, drill_world.town.police)
    assert "state" in refused.value.message_dict
    assert not Check.objects.exists()


def test_a_check_can_be_taken_while_the_drill_runs(drill_world: DrillWorld) -> None:
    Drill.objects.filter(pk=drill_world.drill.pk).update(state=Drill.State.RUNNING)
    assert _start(drill_world, drill_world.town.police).total >= 3


# --- taking it ----------------------------------------------------------------------------


def test_answers_are_scored_once_audited_and_on_the_timeline(drill_world: DrillWorld) -> None:
    police = drill_world.town.police
    check = _start(drill_world, police)
    answers = _rights(check)
    answers[0] = _wrongs(check)[0]
    taken = familiarity.take_check(drill_world.drill, answers, actor=Actor(police))
    assert taken.score == check.total - 1 and taken.total == check.total
    assert taken.taken_at is not None and taken.answers == answers
    entry = AuditEntry.objects.get(action="drills.check.take")
    assert entry.object_id == str(check.pk)
    event = Event.objects.get(kind="check.taken")
    assert event.is_drill and event.subject_id == str(drill_world.drill.pk)
    assert "郑所长" in event.summary
    assert str(taken.score) not in event.summary and "score" not in event.data
    with pytest.raises(ValidationError) as again:
        familiarity.take_check(drill_world.drill, _rights(check), actor=Actor(police))
    assert "cannot be taken again" in str(again.value) or "不能再" in str(again.value)
    check.refresh_from_db()
    assert check.score == taken.score
    assert AuditEntry.objects.filter(action="drills.check.take").count() == 1


def test_bad_answers_are_refused_per_question_and_nothing_is_saved(
    drill_world: DrillWorld,
) -> None:
    police = drill_world.town.police
    check = _start(drill_world, police)
    assert check.total >= 3
    bad: list[Any] = [99, "abc", None, *([True] * (check.total - 3))]
    with pytest.raises(ValidationError) as refused:
        familiarity.take_check(drill_world.drill, bad, actor=Actor(police))
    errors = refused.value.message_dict
    for i in range(check.total):
        assert f"answers[{i}]" in errors, i
    for wrong in ("1,2", {"0": 1}, [0] * (check.total + 1), [1.5] * check.total, [-1]):
        with pytest.raises(ValidationError):
            familiarity.take_check(drill_world.drill, wrong, actor=Actor(police))
    # A missing answer is named by its question.
    with pytest.raises(ValidationError) as short:
        familiarity.take_check(drill_world.drill, _rights(check)[:-1], actor=Actor(police))
    assert list(short.value.message_dict) == [f"answers[{check.total - 1}]"]
    check.refresh_from_db()
    assert check.taken_at is None and check.score is None and check.answers == []
    assert not AuditEntry.objects.filter(action="drills.check.take").exists()


def test_answers_as_form_strings_are_read(drill_world: DrillWorld) -> None:
    police = drill_world.town.police
    check = _start(drill_world, police)
    taken = familiarity.take_check(
        drill_world.drill, [str(a) for a in _rights(check)], actor=Actor(police)
    )
    assert taken.score == taken.total


def test_a_later_plan_change_does_not_change_a_past_score(drill_world: DrillWorld) -> None:
    police = drill_world.town.police
    check = _start(drill_world, police)
    familiarity.take_check(drill_world.drill, _rights(check), actor=Actor(police))
    questions = Check.objects.get(pk=check.pk).questions
    Group.objects.filter(version=drill_world.version).update(duties="新的职责")
    Step.objects.filter(level__version=drill_world.version).update(within_minutes=5)
    check.refresh_from_db()
    assert check.questions == questions
    scores = familiarity.scores_for(drill_world.drill)
    assert [p.percent for p in scores.people if p.user_id == police.pk] == [100.0]


# --- scores ---------------------------------------------------------------------------------


def _two_taken(world: DrillWorld) -> tuple[Check, Check]:
    police, deputy = world.town.police, world.town.deputy
    first = _start(world, police)
    familiarity.take_check(world.drill, _rights(first), actor=Actor(police))
    second = _start(world, deputy)
    familiarity.take_check(world.drill, _wrongs(second), actor=Actor(deputy))
    return first, second


def test_scores_by_group_and_unit_and_who_needs_training(drill_world: DrillWorld) -> None:
    outsider = drill_world.town.outsider
    drill_world.drill.participants.add(outsider)
    _two_taken(drill_world)
    scores = familiarity.scores_for(drill_world.drill)
    assert scores.pass_percent == 60
    groups = {f.name: f for f in scores.by_group}
    assert groups["现场处置组"].average_percent == 100.0 and groups["现场处置组"].taken == 1
    assert groups["疏导劝解组"].average_percent == 0.0
    nobody = scores.by_group[-1]
    assert nobody.key is None and nobody.taken == 0 and nobody.not_taken == 1
    (unit,) = scores.by_unit
    assert unit.name == "白石镇" and unit.taken == 2 and unit.not_taken == 1
    assert unit.average_percent == 50.0
    assert scores.overall.taken == 2 and scores.overall.not_taken == 1
    assert [p.name for p in scores.needs_training] == ["王副书记"]
    assert [p.name for p in scores.not_taken] == ["路人"]


def test_the_pass_mark_is_a_setting(drill_world: DrillWorld, settings: Any) -> None:
    _two_taken(drill_world)
    settings.DRILL_CHECK_PASS_PERCENT = 0
    assert familiarity.scores_for(drill_world.drill).needs_training == []


def test_the_pass_mark_setting_is_bounded(tmp_path: Path) -> None:
    env = {"YINGJI_VAR_DIR": str(tmp_path)}
    assert load(env).drill_check_pass_percent == 60
    assert load({**env, "YINGJI_DRILL_CHECK_PASS_PERCENT": "75"}).drill_check_pass_percent == 75
    with pytest.raises(ConfigError, match="YINGJI_DRILL_CHECK_PASS_PERCENT"):
        load({**env, "YINGJI_DRILL_CHECK_PASS_PERCENT": "101"})
    with pytest.raises(ConfigError, match="YINGJI_DRILL_CHECK_PASS_PERCENT"):
        load({**env, "YINGJI_DRILL_CHECK_PASS_PERCENT": "sixty"})


def test_scores_cost_the_same_queries_however_many_take_part(drill_world: DrillWorld) -> None:
    _two_taken(drill_world)

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            familiarity.scores_for(drill_world.drill)
        return len(queries)

    before = cost()
    for i in range(4):
        user = personas.make_user(f"extra{i}", drill_world.town.city.baishizhen, Role.TEAM_MEMBER)
        drill_world.drill.participants.add(user)
        if i % 2:
            check = _start(drill_world, user)
            familiarity.take_check(drill_world.drill, _rights(check), actor=Actor(user))
    assert cost() == before


# --- privacy, both ways --------------------------------------------------------------------


def test_a_leader_sees_the_people_of_their_jurisdiction(drill_world: DrillWorld) -> None:
    first, second = _two_taken(drill_world)
    leader = drill_world.town.leader  # 白石镇's leader on duty
    seen = familiarity.scores_visible_to(drill_world.drill, leader)
    assert seen is not None
    assert {p.name for p in seen.people} == {"郑所长", "王副书记"}
    assert [p.name for p in seen.needs_training] == ["王副书记"]
    assert all(f.average_percent is not None for f in seen.by_group)
    assert familiarity.may_see_result(leader, first)
    # A county leader leads the township too.
    county = personas.make_user("county_leader", drill_world.town.city.baishi, Role.DUTY_LEADER)
    assert familiarity.may_see_result(county, second)


def test_a_leader_elsewhere_sees_no_one(drill_world: DrillWorld) -> None:
    first, _second = _two_taken(drill_world)
    other = personas.make_user("liulin_leader", drill_world.town.city.liulin, Role.DUTY_LEADER)
    assert not familiarity.may_see_result(other, first)
    seen = familiarity.scores_visible_to(drill_world.drill, other)
    assert seen is not None and seen.people == []
    # Figures of one person would be that person's score: hidden from who may not see it.
    assert all(f.average_percent is None and f.hidden for f in seen.by_group)


def test_controllers_and_evaluators_see_figures_without_names(drill_world: DrillWorld) -> None:
    first, _second = _two_taken(drill_world)
    for user in (drill_world.controller, drill_world.evaluator, drill_world.planner):
        seen = familiarity.scores_visible_to(drill_world.drill, user)
        assert seen is not None, user
        assert seen.people == [] and seen.needs_training == []
        assert not familiarity.may_see_result(user, first)
        assert [f.taken for f in seen.by_group] == [1, 1]
        assert all(f.hidden for f in seen.by_group)


def test_figures_of_enough_people_are_shown_without_names(drill_world: DrillWorld) -> None:
    town = drill_world.town
    site = Group.objects.get(version=drill_world.version, name="现场处置组")
    for i in range(3):
        Post.objects.create(
            version=drill_world.version, group=site, title="成员", position=f"队员{i}"
        )
        member = _holder(f"member{i}", town.city.baishizhen, f"队员{i}", f"队员{i}号")
        check = _start(drill_world, member)
        familiarity.take_check(drill_world.drill, _rights(check), actor=Actor(member))
    seen = familiarity.scores_visible_to(drill_world.drill, drill_world.controller)
    assert seen is not None and seen.people == []
    groups = {f.name: f for f in seen.by_group}
    assert groups["现场处置组"].taken == 3 and groups["现场处置组"].average_percent == 100.0
    # 郑所长 and 王副书记 have not taken it: counted, not named.
    assert groups["现场处置组"].not_taken == 1 and groups["疏导劝解组"].not_taken == 1


def test_a_participant_sees_their_own_result_only(drill_world: DrillWorld) -> None:
    first, second = _two_taken(drill_world)
    deputy = drill_world.town.deputy
    assert familiarity.may_see_result(deputy, second)
    assert not familiarity.may_see_result(deputy, first)
    assert familiarity.scores_visible_to(drill_world.drill, deputy) is None


# --- the transaction ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_taking_the_check_commits_with_its_audit_entry(
    reference_data: None, drill_world: DrillWorld
) -> None:
    police = drill_world.town.police
    check = _start(drill_world, police)
    familiarity.take_check(drill_world.drill, _rights(check), actor=Actor(police))
    assert Check.objects.get(pk=check.pk).score == check.total
    assert AuditEntry.objects.filter(action="drills.check.take").count() == 1
    assert Event.objects.filter(kind="check.taken", is_drill=True).count() == 1


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- pages and the API ----------------------------------------------------------------------


def test_the_check_page_takes_the_answers_once(drill_world: DrillWorld) -> None:
    police = drill_world.town.police
    client = _client(police)
    url = f"/drills/{drill_world.drill.pk}/check/"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    check = Check.objects.get(user=police)
    assert 'name="q0"' in body and familiarity.prompt(check.questions[0]) in body
    assert 'type="radio"' in body and "【演练】" in body
    # One answer missing and one out of range: a message per question, nothing saved.
    data = {f"q{i}": str(a) for i, a in enumerate(_rights(check))}
    data.pop("q1")
    data["q0"] = "7"
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert refused.content.decode().count('class="error"') == 2
    assert Check.objects.get(pk=check.pk).taken_at is None
    data["q0"], data["q1"] = str(check.questions[0]["answer"]), str(check.questions[1]["answer"])
    done = client.post(url, data, follow=True)
    assert done.status_code == 200 and 'id="check-result"' in done.content.decode()
    assert Check.objects.get(pk=check.pk).score == check.total
    again = client.post(url, data)
    assert again.status_code == 400 and 'type="radio"' not in again.content.decode()
    assert "cannot be taken again" in again.content.decode() or "不能再" in again.content.decode()
    assert AuditEntry.objects.filter(action="drills.check.take").count() == 1
    assert "✓" not in again.content.decode()
    Drill.objects.filter(pk=drill_world.drill.pk).update(state=Drill.State.ENDED)
    assert "✓" in client.get(url).content.decode()


def test_the_check_page_refuses_who_takes_no_part(drill_world: DrillWorld) -> None:
    url = f"/drills/{drill_world.drill.pk}/check/"
    assert _client(drill_world.controller).get(url).status_code == 403
    other = personas.make_user("stranger", drill_world.town.city.liulin, Role.TEAM_MEMBER)
    assert _client(other).get(url).status_code == 404
    Drill.objects.filter(pk=drill_world.drill.pk).update(state=Drill.State.CANCELLED)
    refused = _client(drill_world.town.police).get(url)
    assert refused.status_code == 400 and not Check.objects.exists()


def test_the_scores_page_names_people_to_their_leaders_only(drill_world: DrillWorld) -> None:
    _two_taken(drill_world)
    url = f"/drills/{drill_world.drill.pk}/scores/"
    for user in (drill_world.controller, drill_world.evaluator):
        page = _client(user).get(url)
        assert page.status_code == 200
        body = page.content.decode()
        assert "现场处置组" in body and "郑所长" not in body and "王副书记" not in body
    leader = _client(drill_world.town.leader).get(url).content.decode()
    assert "郑所长" in leader and "王副书记" in leader
    assert _client(drill_world.town.deputy).get(url).status_code == 403


def test_the_drill_page_offers_the_check_and_shows_my_result(drill_world: DrillWorld) -> None:
    url = f"/drills/{drill_world.drill.pk}/"
    police = _client(drill_world.town.police)
    assert f'href="/drills/{drill_world.drill.pk}/check/"' in police.get(url).content.decode()
    check = _start(drill_world, drill_world.town.police)
    familiarity.take_check(drill_world.drill, _rights(check), actor=Actor(drill_world.town.police))
    body = police.get(url).content.decode()
    assert 'id="my-check"' in body and f"{check.total}" in body
    assert f"/drills/{drill_world.drill.pk}/scores/" not in body
    leader = _client(drill_world.town.leader).get(url).content.decode()
    assert f"/drills/{drill_world.drill.pk}/scores/" in leader
    assert 'id="my-check"' not in leader


def test_the_api_gives_my_check_without_the_answers_then_scores_it(
    drill_world: DrillWorld,
) -> None:
    police = _client(drill_world.town.police)
    url = f"/api/v1/drills/{drill_world.drill.pk}/check"
    got = police.get(url)
    assert got.status_code == 200
    body = got.json()
    assert body["taken"] is False and body["score"] is None
    assert all(q["right"] is None for q in body["questions"])
    assert "answer" not in got.content.decode().replace('"answers"', "")
    check = Check.objects.get(user=drill_world.town.police)
    bad = police.post(
        url, {"answers": ["x", 9, *_rights(check)[2:]]}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"answers[0]", "answers[1]"}
    assert police.post(url, {"answers": "1"}, content_type="application/json").status_code == 422
    done = police.post(url, {"answers": _rights(check)}, content_type="application/json")
    assert done.status_code == 200
    assert done.json()["score"] == check.total
    # The right answers only once the drill has ended: none to pass on before.
    assert all(q["right"] is None for q in done.json()["questions"])
    again = police.post(url, {"answers": _rights(check)}, content_type="application/json")
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "check"
    assert police.get("/api/v1/drills/abc/check").status_code in (404, 422)
    assert _client(drill_world.controller).get(url).status_code == 403
    Drill.objects.filter(pk=drill_world.drill.pk).update(state=Drill.State.ENDED)
    ended = police.get(url).json()
    assert [q["right"] for q in ended["questions"]] == _rights(check)
    assert [q["chosen"] for q in ended["questions"]] == _rights(check)


def test_the_api_scores_keep_names_for_leaders(drill_world: DrillWorld) -> None:
    _two_taken(drill_world)
    url = f"/api/v1/drills/{drill_world.drill.pk}/scores"
    leader = _client(drill_world.town.leader).get(url).json()
    assert {p["name"] for p in leader["people"]} == {"郑所长", "王副书记"}
    assert [p["name"] for p in leader["needs_training"]] == ["王副书记"]
    controller = _client(drill_world.controller).get(url)
    assert controller.status_code == 200
    assert controller.json()["people"] == [] and controller.json()["needs_training"] == []
    assert "郑所长" not in controller.content.decode()
    assert [f["taken"] for f in controller.json()["by_group"]] == [1, 1]
    assert _client(drill_world.town.deputy).get(url).status_code == 403
