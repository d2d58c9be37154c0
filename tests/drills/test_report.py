"""The after-action report and improvement plan of a drill (issue 23, items 6 and 7): the
draft in the four sections offices use, generated from the measures, ratings, feedback
and familiarity scores; saved, approved by a leader, made a GB/T 9704 document; problems
turned into corrective actions; and approval meeting the plans' drill cycle."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from docx import Document as Docx

from tests.drills.conftest import DrillWorld
from tests.drills.test_evaluation import ANSWERS, ended, event, participant, running
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.documents import services as documents
from yingji.drills import evaluation, measures, report
from yingji.drills.models import Check, CorrectiveAction, Drill
from yingji.drills.services import conduct
from yingji.timeline.models import Event
from yingji.timeline.services import events_for

pytestmark = pytest.mark.django_db


def rated(w: DrillWorld) -> Drill:
    """Ended, the step objective rated U with an observation, the group one P, one
    participant unhappy with the information flow, the first inject answered late."""
    drill = ended(w)
    step, group = drill.objectives.order_by("sort", "pk")
    evaluation.rate(
        drill,
        [
            {"objective": step.pk, "rating": "U", "observations": "现场处置组未按时到场"},
            {"objective": group.pk, "rating": "P"},
        ],
        actor=Actor(w.evaluator),
    )
    evaluation.give_feedback(drill, ANSWERS, actor=Actor(participant(drill)))  # type: ignore[arg-type]
    first = drill.injects.get(number=1)
    delivered = event(drill, "inject.delivered", inject=first.pk).happened_at
    Event.objects.filter(kind="inject.answered", data__inject=first.pk).update(
        happened_at=delivered + timedelta(minutes=18)
    )
    return drill


def test_the_draft_has_the_four_sections_from_the_record(drill_world: DrillWorld) -> None:
    w = drill_world
    drill = rated(w)
    with translation.override("en"):
        texts = report.draft(drill)
    assert set(texts) == {"basic", "results", "problems", "improvements"}
    assert drill.title in texts["basic"] and drill.place in texts["basic"]
    assert "白石镇群体性上访事件应急预案" in texts["basic"] and "Tabletop" in texts["basic"]
    # 成效: the objective rated P, the intervals within their limits.
    assert "疏导劝解组熟悉职责" in texts["results"] and "within the limit" in texts["results"]
    # 存在的问题: the objective rated U with the observation, the late answer, the feedback.
    problems = texts["problems"]
    assert "现场处置组在时限内到场" in problems and "现场处置组未按时到场" in problems
    assert "Inject 1: delivered → answered: 18 minutes, limit 10 minutes" in problems
    assert "Information flow" in problems and str(ANSWERS["information_note"]) in problems
    # 改进措施: one line per problem.
    assert len(texts["improvements"].splitlines()) == len(problems.splitlines())


def test_the_reports_figures_are_the_timelines(drill_world: DrillWorld) -> None:
    w = drill_world
    drill = rated(w)
    first = drill.injects.get(number=1)
    with translation.override("en"):
        answered = next(
            m
            for m in measures.measure(drill).injects
            if m.kind == measures.Kind.INJECT_ANSWER and m.subject["inject"] == first.pk
        )
        assert answered.sentence in report.draft(drill)["problems"]
    length = (
        event(drill, "inject.answered", inject=first.pk).happened_at
        - event(drill, "inject.delivered", inject=first.pk).happened_at
    )
    assert answered.length == length


def test_familiarity_below_the_pass_mark_is_a_problem(drill_world: DrillWorld) -> None:
    w = drill_world
    drill = rated(w)
    version = drill.plan_versions.get()
    # Three people of one group and unit: an average of fewer would be a person's own
    # score, which the report (read by more than their leaders) leaves out.
    for person in (w.town.police, w.town.deputy, w.town.outsider):
        Check.objects.create(
            drill=drill,
            user=person,
            version=version,
            group=drill.groups.order_by("pk").first(),
            unit=w.town.city.baishizhen,
            score=1,
            total=5,
            taken_at=timezone.now(),
        )
    with translation.override("en"):
        problems = report.draft(drill)["problems"]
    assert "Plan familiarity of" in problems and "20.0%" in problems


def test_a_familiarity_figure_of_one_person_is_left_out(drill_world: DrillWorld) -> None:
    drill = rated(drill_world)
    Check.objects.create(
        drill=drill,
        user=drill_world.town.police,
        version=drill.plan_versions.get(),
        group=drill.groups.order_by("pk").first(),
        unit=drill_world.town.city.baishizhen,
        score=1,
        total=5,
        taken_at=timezone.now(),
    )
    with translation.override("en"):
        assert "Plan familiarity of" not in report.draft(drill)["problems"]


def test_the_problems_carry_what_an_action_would_concern(drill_world: DrillWorld) -> None:
    drill = rated(drill_world)
    step = drill.objectives.order_by("sort", "pk").first()
    assert step is not None
    found = report.problems_of(report.gather(drill))
    objective = found[0]
    assert objective.need == "plan" and objective.version == step.version_id
    assert objective.part == f"step:{step.clause_id}"
    assert {p.need for p in found[1:]} >= {"training"}


# --- saving and approval --------------------------------------------------------------


def test_the_report_is_saved_and_a_section_not_sent_keeps_the_draft(
    drill_world: DrillWorld,
) -> None:
    w = drill_world
    drill = rated(w)
    draft = report.draft(drill)
    saved = report.save_report(drill, {"results": "成效良好"}, actor=Actor(w.planner))
    assert saved.report_results == "成效良好" and saved.report_problems == draft["problems"]
    assert saved.report_saved_at is not None
    assert report.sections(saved)["results"] == "成效良好"
    assert AuditEntry.objects.filter(action="drills.report.save").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"results": "a\x00b"}, "results"),
        ({"problems": "问" * 20001}, "problems"),
        ({"basic": 12}, "basic"),
    ],
)
def test_it_rejects_bad_report_text_and_saves_nothing(
    drill_world: DrillWorld, data: dict[str, object], field: str
) -> None:
    w = drill_world
    drill = rated(w)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        report.save_report(drill, data, actor=Actor(w.planner))
    assert field in refused.value.message_dict
    drill.refresh_from_db()
    assert drill.report_saved_at is None and drill.report_results == ""


def test_the_report_waits_for_the_end_and_its_organisers(drill_world: DrillWorld) -> None:
    w = drill_world
    drill = running(w)
    with pytest.raises(ValidationError):
        report.save_report(drill, {"results": "x"}, actor=Actor(w.planner))
    drill = conduct.end(drill, actor=Actor(w.controller))
    with pytest.raises(PermissionDenied):
        report.save_report(drill, {"results": "x"}, actor=Actor(w.town.officer))
    with pytest.raises(PermissionDenied):
        report.approve(drill, actor=Actor(w.planner))  # a plan manager, not a leader
    drill.refresh_from_db()
    assert drill.state == Drill.State.ENDED and drill.report_saved_at is None


def test_approval_evaluates_the_drill_makes_the_document_and_restarts_the_cycle(
    drill_world: DrillWorld,
) -> None:
    w = drill_world
    drill = rated(w)
    plan = w.version.plan
    before = clock.open_deadline(plan, "drill.cycle")
    assert before is not None

    approved = report.approve(drill, actor=Actor(w.town.leader))

    assert approved.state == Drill.State.EVALUATED
    assert approved.report_approved_by == w.town.leader and approved.report_approved_at
    assert approved.report_problems  # the draft, saved as it was approved
    before.refresh_from_db()
    assert before.state == "met" and before.met_at == approved.ended_at
    after = clock.open_deadline(plan, "drill.cycle")
    assert after is not None and after.pk != before.pk
    held = timezone.localtime(approved.started_at, clock.office_zone()).date()
    assert timezone.localtime(after.started_at, clock.office_zone()).date() == held
    assert after.params["version"] == w.version.number
    document = report.document_of(approved)
    assert document is not None and document.is_drill
    text = "\n".join(
        p.text
        for p in Docx(io.BytesIO(documents.read(document, actor=Actor(w.town.leader)))).paragraphs
    )
    assert "【演练】" in text and "一、" in text and "现场处置组未按时到场" in text
    assert events_for(approved).filter(kind="drill.evaluated", is_drill=True).exists()
    # Approved, the evaluation is closed.
    with pytest.raises(ValidationError):
        report.save_report(approved, {"results": "x"}, actor=Actor(w.planner))
    with pytest.raises(ValidationError):
        evaluation.give_feedback(approved, ANSWERS, actor=Actor(participant(approved)))  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        report.approve(approved, actor=Actor(w.town.leader))


@pytest.mark.django_db(transaction=True)
def test_saving_and_approving_are_one_transaction_each(
    reference_data: None, drill_world: DrillWorld
) -> None:
    w = drill_world
    drill = ended(w)
    report.save_report(drill, {"results": "成效"}, actor=Actor(w.planner))
    approved = report.approve(drill, actor=Actor(w.town.leader))
    assert approved.state == Drill.State.EVALUATED
    assert AuditEntry.objects.filter(action="drills.report.approve").exists()
    assert report.document_of(approved) is not None


# --- pages -----------------------------------------------------------------------------


def test_the_report_page_prefills_saves_and_approves(drill_world: DrillWorld) -> None:
    w = drill_world
    drill = rated(w)
    url = reverse("drills:report", args=[drill.pk])
    planner = Client()
    planner.force_login(w.planner)
    page = planner.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="measures"' in body and "现场处置组未按时到场" in body
    assert reverse("drills:report_approve", args=[drill.pk]) not in body
    bad = planner.post(url, {"basic": "x", "results": "y\x01", "problems": "", "improvements": ""})
    assert bad.status_code == 400
    drill.refresh_from_db()
    assert drill.report_saved_at is None
    good = planner.post(
        url, {"basic": "基本", "results": "成效", "problems": "问题", "improvements": "措施"}
    )
    assert good.status_code == 302

    leader = Client()
    leader.force_login(w.town.leader)
    assert reverse("drills:report_approve", args=[drill.pk]) in leader.get(url).content.decode()
    leader.post(reverse("drills:report_approve", args=[drill.pk]))
    drill.refresh_from_db()
    assert drill.state == Drill.State.EVALUATED and drill.report_basic == "基本"
    download = leader.get(reverse("drills:report_document", args=[drill.pk]))
    assert download.status_code == 200 and download.content[:2] == b"PK"


def test_outsiders_do_not_see_the_report(drill_world: DrillWorld) -> None:
    w = drill_world
    drill = ended(w)
    client = Client()
    client.force_login(w.town.outsider)
    assert client.get(reverse("drills:report", args=[drill.pk])).status_code in (403, 404)
    assert client.post(reverse("drills:report_approve", args=[drill.pk])).status_code in (403, 404)


def test_problems_become_corrective_actions_from_the_report_page(
    drill_world: DrillWorld,
) -> None:
    w = drill_world
    drill = rated(w)
    client = Client()
    client.force_login(w.town.leader)
    url = reverse("drills:report", args=[drill.pk])
    assert 'id="actions-form"' in client.get(url).content.decode()
    problem = report.problems_of(report.gather(drill))[0]
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    row = {
        "take_0": "1",
        "problem_0": problem.text,
        "action_0": problem.improvement,
        "need_0": problem.need,
        "version_0": str(problem.version),
        "part_0": problem.part,
        "owner_unit_0": str(w.town.city.baishizhen.pk),
        "owner_0": str(w.town.police.pk),
        "due_on_0": due,
    }
    # No owner: refused, nothing set.
    client.post(reverse("drills:report_actions", args=[drill.pk]), {**row, "owner_0": ""})
    assert not CorrectiveAction.objects.exists()
    client.post(reverse("drills:report_actions", args=[drill.pk]), row)
    action = CorrectiveAction.objects.get()
    assert action.drill == drill and action.clause == "step" and action.owner == w.town.police


# --- the API ---------------------------------------------------------------------------


def test_the_api_gives_the_evaluation_and_takes_ratings_feedback_and_the_report(
    drill_world: DrillWorld,
) -> None:
    w = drill_world
    drill = ended(w)
    step = drill.objectives.order_by("sort", "pk").first()
    assert step is not None
    base = f"/api/v1/drills/{drill.pk}"
    evaluator = Client()
    evaluator.force_login(w.evaluator)

    refused = evaluator.put(
        f"{base}/ratings",
        json.dumps({"ratings": [{"objective": step.pk, "rating": "Z"}]}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "ratings[0].rating"
    assert "未达到" in refused.json()["errors"][0]["message"]
    bad_id = evaluator.put(
        f"{base}/ratings",
        json.dumps({"ratings": [{"objective": "abc", "rating": "P"}]}),
        content_type="application/json",
    )
    assert bad_id.status_code == 422
    rated = evaluator.put(
        f"{base}/ratings",
        json.dumps({"ratings": [{"objective": step.pk, "rating": "M", "observations": "迟到"}]}),
        content_type="application/json",
    )
    assert rated.status_code == 200 and rated.json()[0]["rating"] == "M"

    person = Client()
    person.force_login(participant(drill))  # type: ignore[arg-type]
    too_high = person.post(
        f"{base}/feedback", json.dumps({**ANSWERS, "care": 9}), content_type="application/json"
    )
    assert too_high.status_code == 422
    given = person.post(f"{base}/feedback", json.dumps(ANSWERS), content_type="application/json")
    assert given.status_code == 200 and given.json()["information"] == 2

    read = evaluator.get(f"{base}/evaluation")
    assert read.status_code == 200
    body = read.json()
    assert body["objectives"][0]["worst"] == "M" and body["feedback"]["answered"] == 1
    kinds = {m["kind"] for m in body["measures"]}
    assert {"inject.first_ack", "inject.answer", "report.first", "activation"} <= kinds
    assert person.get(f"{base}/evaluation").status_code == 403

    planner = Client()
    planner.force_login(w.planner)
    draft = planner.get(f"{base}/report").json()
    assert draft["state"] == "draft" and "迟到" in draft["problems"]
    saved = planner.put(
        f"{base}/report", json.dumps({"results": "成效"}), content_type="application/json"
    )
    assert saved.status_code == 200 and saved.json()["state"] == "saved"
    assert planner.post(f"{base}/report/approve").status_code == 403
    leader = Client()
    leader.force_login(w.town.leader)
    approved = leader.post(f"{base}/report/approve")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert approved.json()["document_id"] is not None
    assert leader.get(f"/api/v1/drills/{drill.pk}x/report").status_code == 422
