"""The jurisdiction rule for petitions: a county petition bureau works across its county,
routes down but not across, and never sees an accusation against itself or its people."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests import personas
from tests.petitions.conftest import intake
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.org import services as org
from yingji.org.models import Unit
from yingji.petitions import services
from yingji.petitions.access import petitions_visible_to
from yingji.petitions.models import Assignment, Category, Petition

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau(city: personas.City) -> Unit:
    return org.create_unit(
        actor=personas.SETUP, name="白石县信访局", kind=Unit.Kind.DEPARTMENT, parent=city.baishi
    )


@pytest.fixture
def handler(bureau: Unit) -> User:
    return personas.make_user("xf_handler", bureau, Role.CASE_HANDLER, name="吴刚")


def visible(user: User) -> set[int]:
    return set(petitions_visible_to(user).values_list("pk", flat=True))


def test_the_county_bureau_sees_every_township_case_of_its_county_only(
    city: personas.City, handler: User, township_clerk: User
) -> None:
    actor = Actor(user=township_clerk)
    here = services.register(intake(), office=city.baishizhen, actor=actor).petition
    hexi_clerk = personas.make_user("hexi_clerk", city.hexi, Role.INTAKE_CLERK)
    there = services.register(intake(), office=city.hexi, actor=Actor(user=hexi_clerk)).petition
    assert here.pk in visible(handler)
    assert there.pk not in visible(handler)


def test_assigning_goes_only_down_and_transferring_goes_anywhere(
    city: personas.City, township_clerk: User
) -> None:
    actor = Actor(user=township_clerk)
    petition = services.register(intake(), office=city.baishizhen, actor=actor).petition
    with pytest.raises(ValidationError) as error:
        services.assign(petition, actor=actor, lead=city.qingxi)
    assert "清溪区" in error.value.message_dict["lead"][0]
    assert "转送" in error.value.message_dict["lead"][0]
    with pytest.raises(ValidationError):
        services.assign(petition, actor=actor, lead=city.baishicun, cooperating=[city.liulin])
    assert not Assignment.objects.filter(petition=petition).exists()
    services.assign(petition, actor=actor, lead=city.baishicun)
    moved = services.assign(petition, actor=actor, lead=city.qingxi, kind=Assignment.Kind.TRANSFER)
    assert moved.unit == city.qingxi
    assert Assignment.objects.get(petition=petition, unit=city.qingxi).kind == "transfer"
    # Sent on to another area, the case is 清溪区's to route: 白石镇 may not take it back
    # (it was recorded as 清溪区 routing it to 白石村).
    with pytest.raises(ValidationError) as taken:
        services.assign(moved, actor=actor, lead=city.baishicun)
    assert "清溪区" in taken.value.message_dict["lead"][0]
    assert not Assignment.objects.filter(petition=petition, from_unit=city.qingxi).exists()


def test_an_accused_bureau_never_sees_the_accusation_though_its_area_holds_the_case(
    city: personas.City, bureau: Unit, handler: User
) -> None:
    city_bureau = org.create_unit(
        actor=personas.SETUP, name="安澜市信访局", kind=Unit.Kind.DEPARTMENT, parent=city.city
    )
    supervisor = personas.make_user("city_sv", city_bureau, Role.SUPERVISOR)
    actor = Actor(user=supervisor)
    accusation = services.register(
        intake(category=Category.objects.get(code="discipline"), accused_unit=bureau),
        office=city_bureau,
        actor=actor,
    ).petition
    # Sent down to the county government, above the accused bureau: the law allows it.
    services.assign(accusation, actor=actor, lead=city.baishi)
    accusation.refresh_from_db()
    assert accusation.unit == city.baishi
    county_user = personas.make_user("county_clerk", city.baishi, Role.INTAKE_CLERK)
    assert accusation.pk in visible(county_user)
    assert accusation.pk not in visible(handler)  # the accused bureau, whose area holds it
    assert accusation.pk in visible(supervisor)


def test_an_accusation_naming_a_person_is_hidden_from_that_person(
    city: personas.City, bureau: Unit, handler: User, township_clerk: User
) -> None:
    accusation = services.register(
        intake(category=Category.objects.get(code="discipline"), accused_person="吴刚"),
        office=city.baishizhen,
        actor=Actor(user=township_clerk),
    ).petition
    colleague = personas.make_user("xf_other", bureau, Role.CASE_HANDLER, name="李明")
    assert accusation.pk in visible(colleague)
    assert accusation.pk not in visible(handler)  # 吴刚 himself
    assert Petition.objects.filter(pk=accusation.pk).exists()
