"""Publication: which warnings are in force (each chain's newest issued message, not a
lift, not expired, real unless asked), the public page, each message's page and the Atom
feed, all without login; drills, drafts, lifted and expired warnings never listed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from lxml import etree

from tests import personas
from tests.warnings.test_cap import Chain, chain, issued  # noqa: F401 - the fixture
from yingji.org.models import Unit
from yingji.plans.models import EventType
from yingji.warnings import cap, publication
from yingji.warnings.models import WarningMessage

ATOM = {"a": "http://www.w3.org/2005/Atom", "cap": "urn:oasis:names:tc:emergency:cap:1.2"}
MsgType = WarningMessage.MsgType


def adjust(previous: WarningMessage, **fields: object) -> WarningMessage:
    values: dict[str, object] = {
        "msg_type": MsgType.UPDATE,
        "references": previous,
        "issued_at": timezone.now(),
    }
    values.update(fields)
    return issued(previous.unit, **values)


# --- which warnings are in force ------------------------------------------------------


@pytest.mark.django_db
def test_the_newest_issued_message_of_a_chain_is_in_force(city: personas.City) -> None:
    now = timezone.now()
    alert = issued(city.baishizhen, issued_at=now - timedelta(hours=2))
    assert list(publication.current()) == [alert]
    assert publication.in_force(alert)
    update = adjust(alert, level=1, issued_at=now - timedelta(hours=1))
    assert list(publication.current()) == [update]
    assert not publication.in_force(alert)
    assert publication.in_force(update)
    # A later draft or withdrawn message changes nothing.
    adjust(update, state=WarningMessage.State.DRAFT, issued_at=None)
    adjust(update, state=WarningMessage.State.WITHDRAWN, issued_at=None)
    assert list(publication.current()) == [update]


@pytest.mark.django_db
def test_a_lift_or_the_expiry_ends_a_warning(city: personas.City) -> None:
    now = timezone.now()
    lifted = issued(city.baishizhen, issued_at=now - timedelta(hours=2))
    lift = adjust(lifted, msg_type=MsgType.CANCEL, issued_at=now - timedelta(hours=1))
    expired = issued(
        city.liulin,
        region_codes=[city.liulin.code],
        effective_at=now - timedelta(days=2),
        expires_at=now - timedelta(minutes=1),
        issued_at=now - timedelta(days=2),
    )
    assert list(publication.current()) == []
    for message in (lifted, lift, expired):
        assert not publication.in_force(message)
    # At a moment before the expiry and the lift, both were in force.
    before = now - timedelta(hours=1, minutes=30)
    assert set(publication.current(before)) == {lifted, expired}


@pytest.mark.django_db
def test_drills_only_when_asked(city: personas.City) -> None:
    drill = issued(city.baishi, is_drill=True, region_codes=[city.baishi.code])
    real = issued(city.baishizhen)
    assert list(publication.current()) == [real]
    assert set(publication.current(drills=True)) == {drill, real}
    assert publication.in_force(drill)


@pytest.mark.django_db
def test_current_is_one_query_in_order_of_gravity(
    city: personas.City, django_assert_num_queries: object
) -> None:
    now = timezone.now()
    for level in (4, 1, 3):
        message = issued(city.baishizhen, level=level, issued_at=now - timedelta(hours=3))
        adjust(message, level=level, issued_at=now - timedelta(hours=2))
    with django_assert_num_queries(1):  # type: ignore[operator]
        shown = [(m.level, m.unit.name, m.event_type.code) for m in publication.current()]
    assert [level for level, _, _ in shown] == [1, 3, 4]


@pytest.mark.django_db(transaction=True)
def test_current_on_freshly_seeded_reference_data(reference_data: None) -> None:
    city = personas.build_city()
    assert EventType.objects.filter(code="natural.weather").exists()
    alert = issued(city.baishizhen)
    assert publication.in_force(alert)
    assert list(publication.current()) == [alert]


# --- the public page, the message's page, the feed ------------------------------------


@pytest.fixture
def shown(city: personas.City, chain: Chain) -> WarningMessage:  # noqa: F811
    """A warning in force besides the fixture chain (lifted) and drill."""
    return issued(
        city.liulin,
        region_codes=[city.liulin.code],
        headline="柳林乡发布森林火险黄色预警",
        level=3,
        event_type=EventType.objects.get(code="natural.forest_fire"),
    )


@pytest.mark.django_db
def test_the_public_page_lists_warnings_in_force_without_login(
    chain: Chain,  # noqa: F811
    shown: WarningMessage,
) -> None:
    response = Client().get("/public/warnings/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "柳林乡发布森林火险黄色预警" in page
    assert f"/public/warnings/{shown.identifier}/" in page
    assert "Cache-Control" in response and "private" in response["Cache-Control"]
    assert 'type="application/atom+xml"' in page
    for gone in (chain.alert, chain.update, chain.cancel, chain.drill):
        assert gone.headline not in page, gone.headline


@pytest.mark.django_db
def test_nothing_in_force_says_so(city: personas.City) -> None:
    response = Client().get("/public/warnings/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "当前没有生效的预警。" in response.content.decode()


@pytest.mark.django_db
def test_each_message_has_a_public_page(chain: Chain, shown: WarningMessage) -> None:  # noqa: F811
    anonymous = Client()
    by_identifier = anonymous.get(f"/public/warnings/{shown.identifier}/")
    by_id = anonymous.get(f"/public/warnings/{shown.pk}/")
    assert by_identifier.status_code == by_id.status_code == 200
    page = by_identifier.content.decode()
    assert shown.headline in page
    assert f"/api/v1/warnings/{shown.pk}/cap" in page
    # A superseded or lifted message's page stays, and says where it stands.
    update = anonymous.get(
        f"/public/warnings/{chain.update.identifier}/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert update.status_code == 200
    text = update.content.decode()
    assert "已解除" in text
    assert "Rainstorm warning for Baishi raised to red" in text
    assert chain.alert.identifier in text and chain.cancel.identifier in text


@pytest.mark.django_db
def test_drills_drafts_and_unknown_keys_are_not_public(
    chain: Chain,  # noqa: F811
    city: personas.City,
) -> None:
    draft = WarningMessage.objects.create(
        unit=city.baishizhen,
        event_type=chain.alert.event_type,
        level=3,
        region_codes=[city.baishizhen.code],
        headline="草稿",
        description="草稿",
        effective_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    anonymous = Client()
    for key in (
        chain.drill.identifier,
        str(chain.drill.pk),
        str(draft.pk),
        "nothing_like_this",
        "9" * 30,
        "x" * 200,
    ):
        assert anonymous.get(f"/public/warnings/{key}/").status_code == 404, key


@pytest.mark.django_db
def test_the_feed_is_atom_with_cap_links(chain: Chain, shown: WarningMessage) -> None:  # noqa: F811
    response = Client().get("/public/warnings/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "public" in response["Cache-Control"]
    feed = etree.fromstring(response.content)
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    # RFC 4287: a feed has an id, a title, an updated time, and an author (here the feed's).
    for required in ("a:id", "a:title", "a:updated", "a:author/a:name"):
        assert feed.findtext(required, namespaces=ATOM), required
    assert feed.find("a:link[@rel='self']", ATOM) is not None
    entries = feed.findall("a:entry", ATOM)
    assert len(entries) == 1
    entry = entries[0]
    for required in ("a:id", "a:title", "a:updated", "a:author/a:name", "a:summary"):
        assert entry.findtext(required, namespaces=ATOM), required
    assert entry.findtext("a:title", namespaces=ATOM) == shown.headline
    assert entry.findtext("a:author/a:name", namespaces=ATOM) == shown.unit.signing_name
    cap_link = entry.find("a:link[@type='application/cap+xml']", ATOM)
    assert cap_link is not None and cap_link.get("rel") == "alternate"
    assert cap_link.get("href", "").endswith(f"/api/v1/warnings/{shown.pk}/cap")
    page_link = entry.find("a:link[@type='text/html']", ATOM)
    assert page_link is not None
    assert page_link.get("href", "").endswith(f"/public/warnings/{shown.identifier}/")
    assert entry.findtext("cap:identifier", namespaces=ATOM) == shown.identifier
    assert entry.findtext("cap:status", namespaces=ATOM) == "Actual"
    assert entry.findtext("cap:severity", namespaces=ATOM) == "Moderate"
    updated = entry.findtext("a:updated", namespaces=ATOM) or ""
    assert updated == cap.cap_time(shown.issued_at or timezone.now())


@pytest.mark.django_db
def test_an_empty_feed_is_still_a_feed(city: personas.City) -> None:
    feed = etree.fromstring(Client().get("/public/warnings/feed.atom").content)
    assert feed.findtext("a:id", namespaces=ATOM)
    assert feed.findall("a:entry", ATOM) == []


@pytest.mark.django_db
def test_public_reads_are_limited_per_address(city: personas.City, settings: object) -> None:
    settings.PUBLIC_WARNING_READS_PER_HOUR = 2  # type: ignore[attr-defined]
    anonymous = Client()
    assert anonymous.get("/public/warnings/").status_code == 200
    assert anonymous.get("/public/warnings/feed.atom").status_code == 200
    assert anonymous.get("/public/warnings/").status_code == 429
    assert anonymous.get("/public/warnings/feed.atom").status_code == 429


@pytest.mark.django_db
def test_the_map_shows_drawn_polygons_or_the_divisions_outlines(
    chain: Chain,  # noqa: F811
    shown: WarningMessage,
    city: personas.City,
) -> None:
    square = {
        "type": "Polygon",
        "coordinates": [[[113.0, 27.0], [113.2, 27.0], [113.2, 27.2], [113.0, 27.0]]],
    }
    Unit.objects.filter(pk=city.liulin.pk).update(outline=square)
    drawn = issued(
        city.baishizhen,
        headline="白石镇地质灾害气象风险预警",
        polygon=[[27.1, 113.1], [27.1, 113.3], [27.3, 113.3], [27.1, 113.1]],
    )
    response = Client().get("/public/warnings/areas.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    features = response.json()["features"]
    by_id = {f["properties"]["id"]: f for f in features}
    assert set(by_id) == {drawn.pk, shown.pk}  # the lifted chain and the drill are not shown
    assert by_id[drawn.pk]["geometry"] == {
        "type": "Polygon",
        "coordinates": [[[113.1, 27.1], [113.3, 27.1], [113.3, 27.3], [113.1, 27.1]]],
    }
    assert by_id[shown.pk]["geometry"] == square
    page = Client().get("/public/warnings/").content.decode()
    assert 'data-outlines="/public/warnings/areas.geojson"' in page


@pytest.mark.django_db
def test_the_area_is_named_by_its_divisions_when_not_described(
    city: personas.City, django_assert_max_num_queries: Any
) -> None:
    for n in range(3):
        issued(
            city.liulin,
            region_codes=[city.liulin.code, city.baishizhen.code],
            area_description="",
            headline=f"柳林乡预警{n}",
        )
    page = Client().get("/public/warnings/").content.decode()
    assert page.count("柳林乡、白石镇") == 3
    with django_assert_max_num_queries(12):
        feed = etree.fromstring(Client().get("/public/warnings/feed.atom").content)
    assert [e.findtext("cap:areaDesc", namespaces=ATOM) for e in feed.findall("a:entry", ATOM)] == [
        "柳林乡、白石镇"
    ] * 3


@pytest.mark.django_db
def test_readers_may_ask_head_but_not_post(city: personas.City) -> None:
    anonymous = Client()
    assert anonymous.head("/public/warnings/feed.atom").status_code == 200
    assert anonymous.post("/public/warnings/feed.atom").status_code == 405
