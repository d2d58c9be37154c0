"""Event types in the plans' dropdowns (issue 21, item 5, the same fault): the tree in
order, each type under its parent and indented by its depth; the plan list's filter on a
type covers the types below it, and only those."""

from __future__ import annotations

import pytest

from tests import personas
from tests.plans.sample import petition_plan
from tests.tree_options import INDENT, assert_tree_in_order, options
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.plans import services
from yingji.plans.models import EventType, Plan

pytestmark = pytest.mark.django_db


def by_code(node: EventType) -> str:
    return node.code


def test_the_editor_and_the_library_list_event_types_as_a_tree(
    city: personas.City, planner: User, client_for
) -> None:
    version = services.create_plan(
        actor=Actor(user=planner),
        title="白石镇群体性上访事件应急预案",
        kind=Plan.Kind.LOCAL,
        owner=city.baishizhen,
        content=petition_plan(),
    )
    client = client_for(planner)
    active = EventType.objects.filter(is_active=True)
    editor = client.get(f"/plans/versions/{version.pk}/edit/").content.decode()
    shown = options(editor, "e-types")
    assert_tree_in_order(shown, active, value=by_code, name=str)
    labels = [o.label for o in shown]
    at = labels.index("社会安全事件")
    assert labels[at + 1 : at + 3] == [INDENT + "群体性事件", INDENT * 2 + "群体性上访"]
    library = client.get("/plans/").content.decode()
    assert_tree_in_order(options(library, "f-category"), active, value=by_code, name=str)


def test_the_library_filter_covers_the_types_below_and_no_namesake(
    city: personas.City, planner: User, client_for
) -> None:
    EventType.objects.create(code="social_media", name="网络舆情", sort=9)
    content = petition_plan()
    services.create_plan(
        actor=Actor(user=planner),
        title="白石镇群体性上访事件应急预案",
        kind=Plan.Kind.LOCAL,
        owner=city.baishizhen,
        content=content,
    )
    services.create_plan(
        actor=Actor(user=planner),
        title="白石镇网络舆情应急预案",
        kind=Plan.Kind.LOCAL,
        owner=city.baishizhen,
        content={**content, "event_types": ["social_media"]},
    )
    client = client_for(planner)

    def listed(category: str) -> set[str]:
        page = client.get("/plans/", {"category": category}).content.decode()
        return {t for t in ("上访事件应急预案", "舆情应急预案") if t in page}

    assert listed("social") == {"上访事件应急预案"}  # social_media only begins alike
    assert listed("social.mass") == {"上访事件应急预案"}
    assert listed("social.mass.petition") == {"上访事件应急预案"}
    assert listed("social_media") == {"舆情应急预案"}
    assert listed("natural") == set()


def test_the_admin_offers_a_parent_from_the_tree_in_order(
    city_admin: User, admin_client_for
) -> None:
    User.objects.filter(pk=city_admin.pk).update(is_superuser=True)  # no role configures it
    city_admin.refresh_from_db()
    page = admin_client_for(city_admin).get("/admin/plans/eventtype/add/").content.decode()
    shown = options(page, "id_parent")
    assert_tree_in_order(shown, EventType.objects.all(), name=str)
