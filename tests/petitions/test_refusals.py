"""Issue 21: a refused action on the case page shows the service's message, keeps what
the user typed and changes nothing; and the page offers a form only to those the rules
let take the action."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from tests import personas
from tests.petitions.conftest import intake
from tests.petitions.test_reviews import through_review
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.clock.models import Deadline
from yingji.petitions import services
from yingji.petitions.access import no_hearing_message
from yingji.petitions.models import Assignment, Petition

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(city: personas.City) -> dict[str, User]:
    return {
        "clerk": personas.make_user("county_clerk", city.baishi, Role.INTAKE_CLERK),
        "leader": personas.make_user("county_leader", city.baishi, Role.DUTY_LEADER),
    }


@pytest.fixture
def accepted(city: personas.City, county: dict[str, User]) -> Petition:
    actor = Actor(user=county["clerk"])
    petition = services.register(
        intake(received_at=timezone.now() - timedelta(days=2)), office=city.baishi, actor=actor
    ).petition
    return services.decide(petition, actor=actor, decision="accept")


def refused(response, *messages: str) -> str:
    """The case page again, with status 400 and the messages in an alert."""
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary" role="alert"' in page
    for message in messages:
        assert message in page, message
    return page


def handling(petition: Petition) -> Deadline:
    deadline = services.open_deadline(petition, "petition.handling")
    assert deadline is not None
    return deadline


def test_an_extension_by_one_who_may_not_approve_it_says_why(
    accepted: Petition, county: dict[str, User], client_for
) -> None:
    clerk: Client = client_for(county["clerk"])
    response = clerk.post(f"/petitions/{accepted.pk}/extend/", {"days": "10", "reason": "复杂"})
    refused(response, "只有领导可以批准延期。")
    assert handling(accepted).extension == 0


def test_an_extension_past_30_days_says_how_much_is_granted_beside_the_days(
    accepted: Petition, county: dict[str, User], client_for
) -> None:
    leader: Client = client_for(county["leader"])
    first = leader.post(f"/petitions/{accepted.pk}/extend/", {"days": "20", "reason": "会商"})
    assert first.status_code == 302
    response = leader.post(f"/petitions/{accepted.pk}/extend/", {"days": "15", "reason": "再议"})
    page = refused(response, "延期合计不得超过 30，已批准 20。")
    assert 'id="id_days_error"' in page  # beside the field
    assert 'value="再议"' in page  # the user's input is kept
    assert handling(accepted).extension == 20


def test_accepting_a_case_already_referred_says_it_is_decided(
    registered, township_clerk: User, client_for
) -> None:
    petition = services.decide(
        registered.petition,
        actor=Actor(user=township_clerk),
        decision="refer",
        referred_to="县人社局",
    )
    clerk: Client = client_for(township_clerk)
    response = clerk.post(f"/petitions/{petition.pk}/decide/", {"decision": "accept"})
    refused(response, "该信访事项已作出决定。")
    petition.refresh_from_db()
    assert petition.stage == "referred"


def test_clarifying_a_clear_name_says_it_is_clear(
    registered, township_clerk: User, client_for
) -> None:
    clerk: Client = client_for(township_clerk)
    response = clerk.post(
        f"/petitions/{registered.petition.pk}/clarify/", {"name": "李四", "address": ""}
    )
    refused(response, "姓名和住址已经清楚。")
    assert not Petition.objects.get(pk=registered.petition.pk).identity_unclear


def test_answering_a_routing_twice_says_it_is_answered(
    accepted: Petition, city: personas.City, county: dict[str, User], client_for
) -> None:
    services.assign(
        accepted, actor=Actor(user=county["clerk"]), lead=city.baishizhen, cooperating=[]
    )
    handler = personas.make_user("town_handler", city.baishizhen, Role.CASE_HANDLER)
    assignment = Assignment.objects.get(petition=accepted, role="lead")
    services.respond(assignment, actor=Actor(user=handler), accept=True)
    response = client_for(handler).post(
        f"/petitions/{accepted.pk}/assignments/{assignment.pk}/answer/", {"accept": "1"}
    )
    refused(response, "该交办已经答复。")


def under_recheck(city: personas.City, clerk: User) -> Petition:
    """A case of 白石村 through 复查 at 白石镇, its 复核 at 白石县."""
    actor = Actor(user=clerk)
    petition = through_review(city, clerk)
    review = services.decide_review(
        petition.reviews.get(), actor=actor, outcome="uphold", opinion="原处理意见并无不当。"
    )
    assert review.decided_at is not None
    services.deliver_review(review, actor=actor, delivered_at=review.decided_at, method="邮寄")
    services.request_recheck(Petition.objects.get(pk=petition.pk), actor=actor, reasons="不服")
    return Petition.objects.get(pk=petition.pk)


def test_ending_a_hearing_that_never_started_says_so(
    city: personas.City, township_clerk: User, county_handler: User, client_for
) -> None:
    petition = under_recheck(city, township_clerk)
    response = client_for(county_handler).post(
        f"/petitions/{petition.pk}/hearing/", {"action": "end"}
    )
    refused(response, "目前没有进行中的听证。")


def test_a_hearing_is_offered_only_to_the_body_deciding_the_recheck(
    city: personas.City, township_clerk: User, county_handler: User, client_for
) -> None:
    petition = under_recheck(city, township_clerk)
    action = f'action="/petitions/{petition.pk}/hearing/"'
    clerk: Client = client_for(township_clerk)
    assert action not in clerk.get(f"/petitions/{petition.pk}/").content.decode()
    started = clerk.post(f"/petitions/{petition.pk}/hearing/", {"action": "start"})
    with translation.override("zh-hans"):
        refused(started, no_hearing_message())
    assert handling_paused(petition) is False
    assert action in client_for(county_handler).get(f"/petitions/{petition.pk}/").content.decode()


def handling_paused(petition: Petition) -> bool:
    period = services.open_deadline(petition, "petition.recheck_decision")
    assert period is not None
    return period.state == Deadline.State.PAUSED


def test_a_review_decision_form_only_for_the_body_that_decides_it(
    city: personas.City, township_clerk: User, county_handler: User, client_for
) -> None:
    """复查 of a case 白石镇 handles goes to 白石县: the township's clerk sees the case
    but not the form; the county's handler sees both."""
    actor = Actor(user=township_clerk)
    registered = services.register(
        intake(received_at=timezone.now() - timedelta(days=50)),
        office=city.baishizhen,
        actor=actor,
    )
    petition = services.decide(registered.petition, actor=actor, decision="accept")
    written = services.reply(
        petition,
        actor=actor,
        outcome="explain",
        findings="查明",
        opinion="答复",
        legal_basis="规定",
    )
    services.deliver(written, actor=actor, delivered_at=written.issued_at, method="邮寄")
    review = services.request_review(petition, actor=actor, reasons="不服")
    assert review.unit == city.baishi
    town_handler = personas.make_user("town_handler", city.baishizhen, Role.CASE_HANDLER)
    action = f'action="/petitions/{petition.pk}/reviews/{review.pk}/decide/"'
    for user in (township_clerk, town_handler):
        page = client_for(user).get(f"/petitions/{petition.pk}/")
        assert page.status_code == 200
        assert action not in page.content.decode(), user.username
    assert action in client_for(county_handler).get(f"/petitions/{petition.pk}/").content.decode()


def test_the_extension_form_only_for_one_who_may_approve_it(
    accepted: Petition, county: dict[str, User], client_for
) -> None:
    action = f'action="/petitions/{accepted.pk}/extend/"'
    clerk_page = client_for(county["clerk"]).get(f"/petitions/{accepted.pk}/").content.decode()
    assert "出具信访处理意见书" in clerk_page and action not in clerk_page
    leader_page = client_for(county["leader"]).get(f"/petitions/{accepted.pk}/").content.decode()
    assert action in leader_page
