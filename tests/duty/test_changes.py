"""Swaps and overrides with a leader's approval; handovers that carry open matters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests import personas
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.duty import services
from yingji.duty.models import ChangeRequest, Shift

pytestmark = pytest.mark.django_db
SETUP = Actor.system("tests")


@pytest.fixture
def roster(city: personas.City) -> list[Shift]:
    people = {
        "leaders": [personas.person("钱镇长", city.baishizhen)],
        "officers": [personas.person(n, city.baishizhen) for n in ("甲", "乙")],
    }
    today = timezone.localdate()
    return services.generate(
        city.baishizhen,
        today + timedelta(days=1),
        today + timedelta(days=3),
        services.Rotation(**people),
        actor=SETUP,
    )


def test_a_swap_takes_effect_only_when_a_leader_approves(
    city: personas.City, roster: list[Shift]
) -> None:
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER)
    leader = personas.make_user("boss", city.baishizhen, Role.DUTY_LEADER)
    shift = roster[0]
    member = shift.members.get(role="officer")
    stand_in = personas.person("丙", city.baishizhen)
    change = services.request_change(
        shift, member=member, replacement=stand_in, reason="家中有事", actor=Actor(user=officer)
    )
    assert shift.members.get(role="officer").person.name == "甲"
    with pytest.raises(ValidationError) as refused:
        services.decide_change(change, approve=True, actor=Actor(user=officer))
    assert "approver" in refused.value.message_dict
    services.decide_change(change, approve=True, actor=Actor(user=leader))
    assert shift.members.get(role="officer").person == stand_in
    change.refresh_from_db()
    assert change.state == ChangeRequest.State.APPROVED and change.decided_by == leader
    with pytest.raises(ValidationError):
        services.decide_change(change, approve=False, actor=Actor(user=leader))


def test_bad_change_requests_name_the_field(city: personas.City, roster: list[Shift]) -> None:
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER)
    shift = roster[0]
    member = shift.members.get(role="officer")
    on_shift = shift.members.get(role="leader").person
    with pytest.raises(ValidationError) as refused:
        services.request_change(
            shift, member=member, replacement=on_shift, reason="", actor=Actor(user=officer)
        )
    assert set(refused.value.message_dict) == {"replacement", "reason"}
    outsider = personas.person("外人", city.liulin)
    with pytest.raises(ValidationError) as outside:
        services.request_change(
            shift, member=member, replacement=outsider, reason="x", actor=Actor(user=officer)
        )
    assert "replacement" in outside.value.message_dict
    assert not ChangeRequest.objects.exists()


def test_open_matters_are_carried_until_closed(city: personas.City, roster: list[Shift]) -> None:
    officer = personas.make_user("officer", city.baishizhen, Role.DUTY_OFFICER)
    actor = Actor(user=officer)
    first = services.hand_over(
        roster[0],
        summary="接报两起纠纷。",
        open_matters=["东坪村土地纠纷待回复", "  "],
        actor=actor,
    )
    assert [m.text for m in first.matters.all()] == ["东坪村土地纠纷待回复"]
    [carried] = services.carried_over(roster[1])
    second = services.hand_over(
        roster[1], summary="平稳。", open_matters=["白石村停水"], actor=actor
    )
    assert [(m.text, m.closed) for m in second.matters.all()] == [
        ("东坪村土地纠纷待回复", False),
        ("白石村停水", False),
    ]
    still = services.carried_over(roster[2])
    third = services.hand_over(
        roster[2], summary="平稳。", open_matters=[], actor=actor, closed=[still[0].pk]
    )
    assert [(m.text, m.closed) for m in third.matters.all()] == [
        ("东坪村土地纠纷待回复", True),
        ("白石村停水", False),
    ]
    assert carried.text == "东坪村土地纠纷待回复"
    with pytest.raises(ValidationError) as twice:
        services.hand_over(roster[2], summary="again", open_matters=[], actor=actor)
    assert "shift" in twice.value.message_dict
    with pytest.raises(ValidationError) as empty:
        services.hand_over(roster[1], summary=" ", open_matters=[], actor=actor)
    assert "summary" in empty.value.message_dict
