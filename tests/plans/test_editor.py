"""The structured editor: flat form fields to the structure and back, errors in place."""

from __future__ import annotations

import html
import re

import pytest

from tests import personas
from tests.plans.sample import petition_plan
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.plans import services
from yingji.plans.models import Plan, PlanVersion

pytestmark = pytest.mark.django_db


def make(city: personas.City, planner: User) -> PlanVersion:
    return services.create_plan(
        actor=Actor(user=planner),
        title="白石镇群体性上访事件应急预案",
        kind=Plan.Kind.LOCAL,
        owner=city.baishizhen,
        content=petition_plan(),
    )


def form_fields(page: str) -> dict[str, str | list[str]]:
    """What a browser would send for the editor form as rendered."""
    fields: dict[str, str | list[str]] = {}
    form = page[page.index('id="plan-editor"') :]
    for match in re.finditer(r"<input ([^>]*)>", form):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', match.group(1)))
        if "name" not in attrs:
            continue
        if attrs.get("type") == "checkbox":
            if "checked" in match.group(1):
                fields[attrs["name"]] = "on"
            continue
        fields[attrs["name"]] = html.unescape(attrs.get("value", ""))
    for match in re.finditer(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields[match.group(1)] = html.unescape(match.group(2))
    for match in re.finditer(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = [
            html.unescape(v)
            for v in re.findall(r'<option value="([^"]*)" selected>', match.group(2))
        ]
        if match.group(1) == "event_types":
            fields[match.group(1)] = chosen
        elif chosen:
            fields[match.group(1)] = chosen[0]
    return fields


def test_the_editor_round_trips_the_structure_and_saves_a_correction(
    city: personas.City, planner: User, client_for
) -> None:
    version = make(city, planner)
    client = client_for(planner)
    page = client.get(f"/plans/versions/{version.pk}/edit/").content.decode()
    fields = form_fields(page)
    assert fields["groups-0-name"] == "现场处置组"
    fields["groups-0-duties"] = "控制现场秩序，疏散围观人员。"
    saved = client.post(f"/plans/versions/{version.pk}/edit/", fields)
    assert saved.status_code == 302
    after = services.structure(version)
    before = petition_plan()
    assert after["groups"][0]["duties"] == "控制现场秩序，疏散围观人员。"
    assert [g["name"] for g in after["groups"]] == [g["name"] for g in before["groups"]]
    assert after["levels"][0]["triggers"] == before["levels"][0]["triggers"]
    assert after["levels"][1]["steps"][1]["required"] is False
    assert after["event_types"] == ["social.mass.petition"] and after["drill_cycle_years"] == 1


def test_rows_are_added_by_htmx_and_errors_show_beside_them(
    city: personas.City, planner: User, client_for
) -> None:
    version = make(city, planner)
    client = client_for(planner)
    row = client.get("/plans/editor/row/step/", {"level": "1"})
    assert row.status_code == 200
    index = re.search(r'name="levels-1-steps-(\d+)-action"', row.content.decode())
    assert index is not None
    fields = form_fields(client.get(f"/plans/versions/{version.pk}/edit/").content.decode())
    fields[f"levels-1-steps-{index.group(1)}-phase"] = "handling"
    fields[f"levels-1-steps-{index.group(1)}-action"] = "通知医护人员"
    fields[f"levels-1-steps-{index.group(1)}-group"] = ""  # no responsible group
    refused = client.post(f"/plans/versions/{version.pk}/edit/", fields)
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "请指定负责该步骤的工作组。" in body and "通知医护人员" in body
    assert len(services.structure(version)["levels"][1]["steps"]) == 2  # nothing written
    fields[f"levels-1-steps-{index.group(1)}-group"] = "疏导劝解组"
    assert client.post(f"/plans/versions/{version.pk}/edit/", fields).status_code == 302
    steps = services.structure(version)["levels"][1]["steps"]
    assert steps[-1]["action"] == "通知医护人员" and steps[-1]["group"] == "疏导劝解组"


def test_only_drafts_in_scope_are_edited(city: personas.City, planner: User, client_for) -> None:
    version = make(city, planner)
    services.submit(version, actor=Actor(user=planner))
    client = client_for(planner)
    assert client.get(f"/plans/versions/{version.pk}/edit/").status_code == 302
    other = personas.make_user("other_planner", city.liulin)
    assert client_for(other).get(f"/plans/versions/{version.pk}/edit/").status_code == 404


def test_a_post_is_held_by_a_person_from_the_directory_within_scope(
    city: personas.City, planner: User, client_for
) -> None:
    version = make(city, planner)
    client = client_for(planner)
    own = personas.person("周所长", city.baishizhen)
    above = personas.person("县领导", city.baishi)
    elsewhere = personas.person("别处人员", city.liulin)
    page = client.get(f"/plans/versions/{version.pk}/edit/").content.decode()
    assert "周所长 · 白石镇" in page and "县领导 · 白石县" in page and "别处人员" not in page
    fields = form_fields(page)
    fields["posts-2-person"] = str(own.pk)
    fields["posts-0-person"] = str(above.pk)
    assert client.post(f"/plans/versions/{version.pk}/edit/", fields).status_code == 302
    posts = services.structure(version)["posts"]
    assert posts[2]["person"] == own.pk and posts[0]["person"] == above.pk
    fields["posts-3-person"] = str(elsewhere.pk)
    refused = client.post(f"/plans/versions/{version.pk}/edit/", fields)
    assert refused.status_code == 400 and "请从通讯录中选择人员。" in refused.content.decode()
    assert services.structure(version)["posts"][3]["person"] is None
    role_cards = client.get(f"/plans/versions/{version.pk}/cards/").content.decode()
    assert "周所长" in role_cards


def test_conditions_ticked_together_form_one_clause_that_holds_only_as_a_whole(
    city: personas.City, planner: User, client_for
) -> None:
    version = make(city, planner)
    client = client_for(planner)
    fields = form_fields(client.get(f"/plans/versions/{version.pk}/edit/").content.decode())
    triggers = sorted(k for k in fields if re.fullmatch(r"levels-0-triggers-\d+-fact", k))
    last = int(triggers[-1].split("-")[3])
    for j, (op, value) in enumerate(((">=", "50"), ("<", "300")), start=last + 1):
        fields[f"levels-0-triggers-{j}-fact"] = "people_involved"
        fields[f"levels-0-triggers-{j}-op"] = op
        fields[f"levels-0-triggers-{j}-value"] = value
    fields[f"levels-0-triggers-{last + 2}-together"] = "on"
    assert client.post(f"/plans/versions/{version.pk}/edit/", fields).status_code == 302
    saved = services.structure(version)["levels"][0]["triggers"][-2:]
    assert saved[0]["clause"] == saved[1]["clause"]
    assert (saved[0]["op"], saved[1]["op"]) == (">=", "<")
    page = client.get(f"/plans/versions/{version.pk}/edit/").content.decode()
    assert f'name="levels-0-triggers-{last + 2}-together" checked' in page
    assert f'name="levels-0-triggers-{last + 1}-together" checked' not in page
    detail = client.get(f"/plans/versions/{version.pk}/").content.decode()
    assert "≥ 50 且 &lt; 300" in detail or "≥ 50 且 < 300" in detail
