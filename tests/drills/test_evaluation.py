"""Measured evaluation of a drill (issue 23, item 4): the intervals come from the drill
incident's timeline, the evaluators rate the objectives on the HSEEP scale, and the
participants give feedback once the drill has ended."""

from __future__ import annotations

import io
import time
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from tests.drills.conftest import DrillWorld
from tests.incidents.test_response import township_plan
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.documents import services as documents
from yingji.drills import evaluation, measures
from yingji.drills.models import Drill, Feedback, Inject, Rating
from yingji.drills.services import conduct
from yingji.incidents import services as incidents
from yingji.incidents.models import Task
from yingji.timeline.models import Event
from yingji.timeline.services import events_for

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def running(w: DrillWorld) -> Drill:
    """The drill started, graded and activated on its incident, the first inject
    delivered, acknowledged and answered by the duty officer, the second delivered."""
    drill = conduct.start(w.drill, actor=Actor(w.controller))
    assert drill.incident is not None
    leader = Actor(w.town.leader)
    incidents.grade(drill.incident, 4, version=township_plan(), actor=leader)
    incidents.activate(drill.incident, township_plan(), actor=leader)
    conduct.deliver_due()
    first = drill.injects.get(number=1)
    conduct.acknowledge(first, actor=Actor(w.town.officer))
    conduct.answer(first, "已登记并报告带班领导", actor=Actor(w.town.officer))
    conduct.deliver_due()
    drill.refresh_from_db()
    return drill


def ended(w: DrillWorld) -> Drill:
    drill = running(w)
    return conduct.end(drill, actor=Actor(w.controller))


def event(drill: Drill, kind: str, **data: object) -> Event:
    assert drill.incident is not None
    found = [
        e
        for e in events_for(drill.incident).filter(kind=kind)
        if all(e.data.get(k) == v for k, v in data.items())
    ]
    return found[0]


# --- the measured intervals ------------------------------------------------------------


def test_the_measures_are_the_timelines_differences_exactly(drill_world: DrillWorld) -> None:
    w = drill_world
    drill = running(w)
    assert drill.incident is not None
    task = drill.incident.tasks.filter(group__lead=w.town.police).order_by("pk").first()
    assert task is not None
    incidents.move_task(task, "acknowledge", actor=Actor(w.town.police))
    incidents.move_task(task, "done", actor=Actor(w.town.police))
    first = drill.injects.get(number=1)

    found = measures.measure(drill)

    by = {(m.kind, tuple(sorted(m.subject.items()))): m for m in found.all}
    delivered = event(drill, "inject.delivered", inject=first.pk).happened_at
    acknowledged = event(drill, "inject.acknowledged", inject=first.pk).happened_at
    answered = event(drill, "inject.answered", inject=first.pk).happened_at
    subject = (("inject", first.pk), ("number", 1))
    assert by[(measures.Kind.INJECT_ACK, subject)].length == acknowledged - delivered
    assert by[(measures.Kind.INJECT_ANSWER, subject)].length == answered - delivered
    person = tuple(sorted({"inject": first.pk, "number": 1, "user": w.town.officer.pk}.items()))
    assert by[(measures.Kind.DELIVERY_ACK, person)].length == acknowledged - delivered
    activation = next(m for m in found.response if m.kind == measures.Kind.ACTIVATION)
    assert (
        activation.length
        == event(drill, "incident.activated").happened_at
        - event(drill, "incident.graded").happened_at
    )
    done = next(
        m for m in found.tasks if m.kind == measures.Kind.TASK_DONE and m.subject["task"] == task.pk
    )
    taken = next(
        m for m in found.tasks if m.kind == measures.Kind.TASK_ACK and m.subject["task"] == task.pk
    )
    assert done.end == event(drill, "task.done", task=task.pk).happened_at
    assert taken.end == event(drill, "task.acknowledged", task=task.pk).happened_at
    assert done.start == task.created_at and done.met is True and taken.met is True
    # Within the inject's limit (10 minutes), and the answer within it too.
    assert by[(measures.Kind.INJECT_ANSWER, subject)].met is True


def test_a_late_acknowledgement_on_the_timeline_is_over_its_limit(
    drill_world: DrillWorld,
) -> None:
    w = drill_world
    drill = running(w)
    first = drill.injects.get(number=1)
    delivered = event(drill, "inject.delivered", inject=first.pk)
    late = delivered.happened_at + timedelta(minutes=25)
    Event.objects.filter(kind="inject.answered", data__inject=first.pk).update(happened_at=late)

    answer = next(
        m
        for m in measures.measure(drill).injects
        if m.kind == measures.Kind.INJECT_ANSWER and m.subject["inject"] == first.pk
    )

    assert answer.minutes == 25 and answer.met is False
    assert answer.over_by == timedelta(minutes=15)
    with translation.override("en"):
        assert "over the limit by 15 minutes" in answer.sentence


def test_an_inject_not_answered_when_the_drill_ended_counts_as_over_its_limit(
    drill_world: DrillWorld,
) -> None:
    w = drill_world
    drill = ended(w)
    second = drill.injects.get(number=2)
    assert second.state == Inject.State.DELIVERED and second.delivered_at is not None
    Drill.objects.filter(pk=drill.pk).update(ended_at=second.delivered_at + timedelta(hours=1))
    drill.refresh_from_db()

    answer = next(
        m
        for m in measures.measure(drill).injects
        if m.kind == measures.Kind.INJECT_ANSWER and m.subject["inject"] == second.pk
    )

    assert answer.end is None and answer.met is False


def test_the_first_report_is_measured_against_its_hour_limit(drill_world: DrillWorld) -> None:
    drill = ended(drill_world)
    assert drill.incident is not None

    report = next(m for m in measures.measure(drill).response if m.kind == "report.first")

    # Level IV: 4 hours from the report; ending the drill cancelled the deadline, its
    # limit still stands.
    assert report.start == drill.incident.reported_at and report.limit == timedelta(hours=4)
    assert report.end is None and report.met is None


def test_a_drill_not_started_has_no_measures(drill_world: DrillWorld) -> None:
    assert measures.measure(drill_world.drill).all == []


# --- ratings ---------------------------------------------------------------------------


def test_an_evaluator_rates_each_objective_with_observations_and_photos(
    drill_world: DrillWorld,
) -> None:
    w = drill_world
    drill = running(w)
    step, group = drill.objectives.order_by("sort", "pk")

    saved = evaluation.rate(
        drill,
        [
            {
                "objective": step.pk,
                "rating": "M",
                "observations": "现场处置组25分钟才到场",
                "photos": [("gate.jpg", JPEG)],
            },
            {"objective": str(group.pk), "rating": "p"},
        ],
        actor=Actor(w.evaluator),
    )

    assert [r.rating for r in saved] == ["M", "P"]
    photos = evaluation.photos_of(saved[0])
    assert len(photos) == 1 and documents.read(photos[0], actor=Actor(w.evaluator)) == JPEG
    assert photos[0].is_drill
    assert AuditEntry.objects.filter(action="drills.rating.save").count() == 2
    assert events_for(drill).filter(kind="drill.rated", is_drill=True).exists()
    # Rated again: the rating is changed, not doubled.
    evaluation.rate(drill, [{"objective": step.pk, "rating": "S"}], actor=Actor(w.evaluator))
    assert list(Rating.objects.filter(objective=step).values_list("rating", flat=True)) == ["S"]


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"rating": "X"}, "ratings[0].rating"),
        ({"rating": ""}, "ratings[0].rating"),
        ({"rating": 5}, "ratings[0].rating"),
        ({"objective": "abc", "rating": "P"}, "ratings[0].objective"),
        ({"objective": 99999999, "rating": "P"}, "ratings[0].objective"),
        ({"rating": "P", "observations": "a\x00b"}, "ratings[0].observations"),
        ({"rating": "P", "observations": "很" * 5001}, "ratings[0].observations"),
        ({"rating": "P", "photos": [("x.gif", b"GIF89a")]}, "ratings[0].photos"),
    ],
)
def test_it_rejects_a_rating_off_the_scale_or_bad_input_and_saves_nothing(
    drill_world: DrillWorld, item: dict[str, object], field: str
) -> None:
    w = drill_world
    drill = running(w)
    objective = drill.objectives.first()
    assert objective is not None
    good = {"objective": objective.pk, "rating": "P"}
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        evaluation.rate(drill, [{**good, **item}], actor=Actor(w.evaluator))
    assert field in refused.value.message_dict
    assert not Rating.objects.exists()


def test_a_rating_keeps_a_bounded_number_of_photos(drill_world: DrillWorld) -> None:
    w = drill_world
    drill = running(w)
    objective = drill.objectives.first()
    assert objective is not None
    five = [(f"{n}.jpg", JPEG) for n in range(evaluation.PHOTOS_MAX)]
    item = {"objective": objective.pk, "rating": "S", "photos": five}
    for _round in range(evaluation.PHOTOS_TOTAL // evaluation.PHOTOS_MAX):
        evaluation.rate(drill, [item], actor=Actor(w.evaluator))
    with pytest.raises(ValidationError) as refused:
        evaluation.rate(drill, [{**item, "photos": five[:1]}], actor=Actor(w.evaluator))
    assert "ratings[0].photos" in refused.value.message_dict
    with pytest.raises(ValidationError):
        evaluation.rate(drill, [{**item, "photos": [*five, five[0]]}], actor=Actor(w.evaluator))
    assert len(evaluation.photos_of(Rating.objects.get())) == evaluation.PHOTOS_TOTAL


def test_the_scale_message_is_chinese(drill_world: DrillWorld) -> None:
    w = drill_world
    drill = running(w)
    objective = drill.objectives.first()
    assert objective is not None
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        evaluation.rate(
            drill, [{"objective": objective.pk, "rating": "A"}], actor=Actor(w.evaluator)
        )
    message = refused.value.message_dict["ratings[0].rating"][0]
    assert "达到" in message and "基本达到" in message


def test_only_the_drills_evaluators_rate(drill_world: DrillWorld) -> None:
    w = drill_world
    drill = running(w)
    objective = drill.objectives.first()
    assert objective is not None
    for someone in (w.controller, w.town.leader, w.town.officer):
        with pytest.raises(PermissionDenied):
            evaluation.rate(
                drill, [{"objective": objective.pk, "rating": "P"}], actor=Actor(someone)
            )
    assert not Rating.objects.exists()


def test_ratings_wait_for_the_start_and_stop_at_approval(drill_world: DrillWorld) -> None:
    w = drill_world
    objective = w.drill.objectives.first()
    assert objective is not None
    item = [{"objective": objective.pk, "rating": "P"}]
    with pytest.raises(ValidationError) as refused:
        evaluation.rate(w.drill, item, actor=Actor(w.evaluator))
    assert "state" in refused.value.message_dict
    drill = ended(w)
    evaluation.rate(drill, item, actor=Actor(w.evaluator))  # after the end: still open
    Drill.objects.filter(pk=drill.pk).update(
        state=Drill.State.EVALUATED, report_approved_at=timezone.now()
    )
    drill.refresh_from_db()
    with pytest.raises(ValidationError):
        evaluation.rate(
            drill, [{"objective": objective.pk, "rating": "U"}], actor=Actor(w.evaluator)
        )
    assert Rating.objects.get().rating == "P"


@pytest.mark.django_db(transaction=True)
def test_rating_is_one_transaction(reference_data: None, drill_world: DrillWorld) -> None:
    w = drill_world
    drill = running(w)
    step, group = drill.objectives.order_by("sort", "pk")
    evaluation.rate(
        drill,
        [{"objective": step.pk, "rating": "U"}, {"objective": group.pk, "rating": "S"}],
        actor=Actor(w.evaluator),
    )
    assert Rating.objects.count() == 2
    with pytest.raises(ValidationError):
        evaluation.rate(
            drill,
            [{"objective": step.pk, "rating": "P"}, {"objective": group.pk, "rating": "Z"}],
            actor=Actor(w.evaluator),
        )
    assert Rating.objects.get(objective=step).rating == "U"


# --- feedback --------------------------------------------------------------------------

ANSWERS: dict[str, object] = {
    "information": "2",
    "information_note": "派出所和镇党政办之间信息没有及时传递",
    "supplies": 4,
    "supplies_note": "",
    "care": "3",
    "care_note": "",
    "other": "希望多组织",
}


def participant(drill: Drill) -> object:
    person = drill.participants.order_by("pk").first()
    assert person is not None
    return person


def test_a_participant_answers_once_after_the_end_and_may_change_it(
    drill_world: DrillWorld,
) -> None:
    drill = ended(drill_world)
    person = participant(drill)

    evaluation.give_feedback(drill, ANSWERS, actor=Actor(person))  # type: ignore[arg-type]
    evaluation.give_feedback(drill, {**ANSWERS, "care": 1}, actor=Actor(person))  # type: ignore[arg-type]

    row = Feedback.objects.get()
    assert (row.information, row.supplies, row.care) == (2, 4, 1)
    summary = evaluation.feedback_summary(drill)
    information = summary.aspects[0]
    assert summary.answered == 1 and information.is_low
    assert information.low_words == [ANSWERS["information_note"]]
    assert events_for(drill).filter(kind="drill.feedback").count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"information": "6"}, "information"),
        ({"supplies": "0"}, "supplies"),
        ({"care": "abc"}, "care"),
        ({"care": None}, "care"),
        ({"care": True}, "care"),
        ({"other": "x\x07"}, "other"),
        ({"supplies_note": "多" * 2001}, "supplies_note"),
    ],
)
def test_it_rejects_feedback_off_its_scale(
    drill_world: DrillWorld, change: dict[str, object], field: str
) -> None:
    drill = ended(drill_world)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        evaluation.give_feedback(drill, {**ANSWERS, **change}, actor=Actor(participant(drill)))  # type: ignore[arg-type]
    assert field in refused.value.message_dict
    assert not Feedback.objects.exists()


def test_feedback_is_for_participants_after_the_end(drill_world: DrillWorld) -> None:
    w = drill_world
    drill = running(w)
    with pytest.raises(ValidationError):
        evaluation.give_feedback(drill, ANSWERS, actor=Actor(participant(drill)))  # type: ignore[arg-type]
    drill = conduct.end(drill, actor=Actor(w.controller))
    with pytest.raises(PermissionDenied):
        evaluation.give_feedback(drill, ANSWERS, actor=Actor(w.town.outsider))
    assert not Feedback.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_feedback_is_one_transaction(reference_data: None, drill_world: DrillWorld) -> None:
    drill = ended(drill_world)
    person = participant(drill)
    evaluation.give_feedback(drill, ANSWERS, actor=Actor(person))  # type: ignore[arg-type]
    assert Feedback.objects.count() == 1 and AuditEntry.objects.filter(
        action="drills.feedback.save"
    )


# --- pages -----------------------------------------------------------------------------


def test_the_evaluators_phone_page_rates_and_keeps_photos(drill_world: DrillWorld) -> None:
    w = drill_world
    drill = running(w)
    step, group = drill.objectives.order_by("sort", "pk")
    client = Client()
    client.force_login(w.evaluator)
    url = reverse("drills:evaluate", args=[drill.pk])

    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "data-offline-key" in body and step.text in body and "yingji/drills.js" in body

    photo = io.BytesIO(JPEG)
    photo.name = "scene.jpg"
    answer = client.post(
        url,
        {
            f"rating_{step.pk}": "U",
            f"observations_{step.pk}": "未到场",
            f"photo_{step.pk}": photo,
            f"rating_{group.pk}": "",
        },
    )
    assert answer.status_code == 302
    rating = Rating.objects.get()
    assert rating.rating == "U" and len(evaluation.photos_of(rating)) == 1
    shown = client.get(url).content.decode()
    assert (
        reverse("drills:rating_photo", args=[drill.pk, evaluation.photos_of(rating)[0].pk]) in shown
    )


def test_the_phone_page_answers_a_bad_rating_with_its_message(drill_world: DrillWorld) -> None:
    w = drill_world
    drill = running(w)
    step = drill.objectives.order_by("sort", "pk").first()
    assert step is not None
    client = Client()
    client.force_login(w.evaluator)
    url = reverse("drills:evaluate", args=[drill.pk])
    page = client.post(url, {f"rating_{step.pk}": "Q"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 400 and "基本达到" in page.content.decode()
    sent = client.post(url, {f"rating_{step.pk}": "Q"}, HTTP_ACCEPT="application/json")
    assert sent.status_code == 400 and "errors" in sent.json()
    assert not Rating.objects.exists()
    # The offline resend (JSON answer) of a good rating.
    sent = client.post(url, {f"rating_{step.pk}": "S"}, HTTP_ACCEPT="application/json")
    assert sent.status_code == 200 and Rating.objects.get().rating == "S"


def test_others_cannot_open_the_evaluators_page(drill_world: DrillWorld) -> None:
    w = drill_world
    drill = running(w)
    client = Client()
    client.force_login(w.town.officer)
    assert client.get(reverse("drills:evaluate", args=[drill.pk])).status_code in (403, 404)
    assert client.get(f"/drills/{drill.pk}abc/evaluate/").status_code == 404


def test_the_feedback_page(drill_world: DrillWorld) -> None:
    drill = ended(drill_world)
    person = participant(drill)
    client = Client()
    client.force_login(person)  # type: ignore[arg-type]
    url = reverse("drills:feedback", args=[drill.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {**ANSWERS, "information": "9"})
    assert bad.status_code == 400 and not Feedback.objects.exists()
    good = client.post(url, ANSWERS)
    assert good.status_code == 302 and Feedback.objects.get().information == 2


def test_the_drill_page_links_the_evaluation(drill_world: DrillWorld) -> None:
    w = drill_world
    drill = running(w)
    client = Client()
    client.force_login(w.evaluator)
    body = client.get(reverse("drills:detail", args=[drill.pk])).content.decode()
    assert reverse("drills:evaluate", args=[drill.pk]) in body


def test_task_state_is_untouched_by_evaluation(drill_world: DrillWorld) -> None:
    """Rating reads the drill incident, it never moves its tasks."""
    w = drill_world
    drill = running(w)
    assert drill.incident is not None
    before = list(drill.incident.tasks.values_list("state", flat=True))
    measures.measure(drill)
    assert (
        list(Task.objects.filter(incident=drill.incident).values_list("state", flat=True)) == before
    )


# --- the phone page in a real browser ---------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_ratings_typed_offline_are_kept_and_sent_when_the_connection_returns(
    live_server: Any, reference_data: None, drill_world: DrillWorld
) -> None:
    from playwright.sync_api import expect

    from tests import personas
    from tests.browser import chromium

    w = drill_world
    drill = running(w)
    step = drill.objectives.order_by("sort", "pk").first()
    assert step is not None
    with chromium() as browser:
        page = browser.new_context(locale="zh-CN").new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("用户名").fill("evaluator")
        page.get_by_label("密码").fill(personas.PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("欢迎")
        page.goto(f"{live_server.url}{reverse('drills:evaluate', args=[drill.pk])}")
        page.wait_for_load_state()

        page.context.set_offline(True)
        page.locator(f'input[name="rating_{step.pk}"][value="M"]').check()
        page.locator(f'textarea[name="observations_{step.pk}"]').fill("到场晚了8分钟")
        page.locator("#rating-form button[type=submit]").click()
        expect(page.locator("#rating-status")).not_to_be_empty()
        assert not Rating.objects.exists()

        page.context.set_offline(False)
        expect(page.locator(f'input[name="rating_{step.pk}"][value="M"]')).to_be_checked(
            timeout=20_000
        )
        deadline = time.monotonic() + 20
        while not Rating.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        rating = Rating.objects.get()
        assert (rating.rating, rating.observations) == ("M", "到场晚了8分钟")
        page.context.close()
