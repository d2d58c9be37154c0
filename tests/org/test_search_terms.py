"""The short lists searched by substring find each term of a query wherever it is
(issue 21: a query is matched the way the text is, word by word)."""

from __future__ import annotations

import pytest

from tests import personas
from yingji.accounts.models import User
from yingji.accounts.roles import Role

pytestmark = pytest.mark.django_db


def rows(client, path: str, query: str) -> str:
    return client.get(path, {"q": query}, HTTP_HX_REQUEST="true").content.decode()


def test_people_are_found_by_name_and_unit_together(
    city: personas.City, township_clerk: User, client_for
) -> None:
    personas.person("李建国", city.baishicun)
    personas.person("李秀英", city.baishizhen)
    client = client_for(township_clerk)
    for query in ("李建国", "李 白石村", "白石村 李", "建国  白石村"):
        page = rows(client, "/org/people/", query)
        assert "李建国" in page and "李秀英" not in page, query
    assert "李建国" not in rows(client, "/org/people/", "李建国 白石镇")  # every term counts


def test_units_are_found_by_each_term_of_the_name(
    city: personas.City, township_clerk: User, client_for
) -> None:
    client = client_for(township_clerk)
    for query in ("白石村", "白石 村", "村 白石"):
        assert "白石村" in rows(client, "/org/units/", query), query
    assert "白石村" not in rows(client, "/org/units/", "白石 街道")
    found = client.get("/api/v1/units", {"q": "白石 村"}).json()
    assert [unit["name"] for unit in found["items"]] == ["白石村"]


def test_accounts_are_found_by_person_and_unit_together(
    city: personas.City, township_clerk: User, client_for
) -> None:
    leader = personas.make_user("leader", city.baishi, Role.SUPERVISOR, name="管理员")
    client = client_for(leader)
    page = rows(client, "/accounts/users/", "周婷 白石镇")
    assert "周婷" in page
    assert "周婷" not in rows(client, "/accounts/users/", "周婷 清溪")
