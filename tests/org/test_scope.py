"""The scope rule: a user sees their own unit's subtree, and nothing else exists for them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import personas
from yingji.accounts.models import User
from yingji.org.models import Unit

pytestmark = pytest.mark.django_db


def test_subtree_and_ancestors_are_single_queries(city: personas.City) -> None:
    with CaptureQueriesContext(connection) as queries:
        below_baishi = {u.name for u in Unit.objects.subtree(city.baishi)}
    assert len(queries) == 1
    assert below_baishi == {"白石县", "白石镇", "白石村", "柳林乡"}
    with CaptureQueriesContext(connection) as queries:
        above = [u.name for u in Unit.objects.ancestors_of(city.baishicun)]
    assert len(queries) == 1
    assert above == ["安澜市", "白石县", "白石镇"]


def test_a_township_clerk_cannot_see_a_sibling_townships_units(
    township_clerk: User, sibling_clerk: User, city: personas.City, client_for
) -> None:
    client = client_for(township_clerk)
    visible = set(Unit.objects.visible_to(township_clerk).values_list("name", flat=True))
    assert visible == {"白石镇", "白石村"}
    assert client.get(f"/org/units/{city.liulin.pk}/").status_code == 404
    assert client.get(f"/org/units/{city.baishi.pk}/").status_code == 404
    assert client.get(f"/api/v1/units/{city.liulin.pk}").status_code == 404
    page = client.get("/org/units/").content.decode()
    assert "白石村" in page and "柳林乡" not in page


def test_a_township_clerk_cannot_see_a_sibling_townships_users(
    township_clerk: User, sibling_clerk: User, client_for
) -> None:
    client = client_for(township_clerk)
    page = client.get("/accounts/users/").content.decode()
    assert "clerk" in page
    assert "liulin_clerk" not in page
    directory = client.get("/org/people/").content.decode()
    assert "周婷" in directory and "冯洁" not in directory


def test_a_county_user_sees_its_townships_and_their_users(
    county_handler: User, township_clerk: User, sibling_clerk: User, city: personas.City, client_for
) -> None:
    client = client_for(county_handler)
    assert client.get(f"/org/units/{city.liulin.pk}/").status_code == 200
    assert client.get(f"/org/units/{city.baishicun.pk}/").status_code == 200
    assert client.get(f"/org/units/{city.hexi.pk}/").status_code == 404
    assert client.get(f"/org/units/{city.city.pk}/").status_code == 404
    users = client.get("/accounts/users/").content.decode()
    assert "liulin_clerk" in users and "周婷" in users
    body = client.get("/api/v1/units", {"limit": 50}).json()
    assert {u["name"] for u in body["items"]} == {"白石县", "白石镇", "白石村", "柳林乡"}
    assert body["count"] == 4


def test_unit_detail_shows_only_ancestors_within_scope(
    township_clerk: User, city: personas.City, client_for
) -> None:
    body = client_for(township_clerk).get(f"/api/v1/units/{city.baishicun.pk}").json()
    assert [a["name"] for a in body["ancestors"]] == ["白石镇"]


def test_an_unknown_unit_is_a_plain_404(township_clerk: User, client_for) -> None:
    client = client_for(township_clerk)
    assert client.get("/org/units/999999/").status_code == 404
    assert client.get("/no/such/page/").status_code == 404


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


LIST_URLS = ["/org/units/", "/org/people/", "/accounts/users/", "/api/v1/units"]


def test_list_pages_keep_a_fixed_number_of_queries(
    city_leader: User, city: personas.City, client_for
) -> None:
    client = client_for(city_leader)
    before = {url: count_queries(client, url) for url in LIST_URLS}
    for index in range(30):
        personas.person(f"人员{index}", city.baishizhen)
        personas.make_user(f"user{index}", city.liulin)
        personas.region(f"村{index}", "village", f"980121200{index + 300:03d}", city.liulin)
    after = {url: count_queries(client, url) for url in LIST_URLS}
    assert after == before
    assert max(after.values()) <= 12
