"""The warning pages: drafted on the form (a refusal shows the form again with a message
per field, nothing saved), signed on its page, adjusted and lifted by their forms."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from tests import personas
from tests.conftest import signed_in
from tests.warnings.conftest import Township
from tests.warnings.test_alerts import INSIDE, issued, orange, with_outline
from yingji.accounts.roles import Role
from yingji.warnings.models import WarningMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(township: Township) -> Township:
    return with_outline(township)


def _local(value: str) -> str:
    return timezone.localtime(datetime.fromisoformat(value)).strftime("%Y-%m-%dT%H:%M")


def _form(**change: str) -> dict[str, str]:
    data = orange()
    post = {k: str(v) for k, v in data.items() if k not in ("region_codes",)}
    post["region_codes"] = "980121100"
    post["effective_at"] = _local(data["effective_at"])
    post["expires_at"] = _local(data["expires_at"])
    post.update(change)
    return post


def test_drafted_on_the_form_then_issued_on_its_page(world: Township) -> None:
    officer = signed_in(world.officer)
    page = officer.get("/warnings/new/")
    assert page.status_code == 200
    assert b'name="polygon"' in page.content and b"warning-map" in page.content

    refused = officer.post("/warnings/new/", _form(expires_at="", region_codes="980121"))
    assert refused.status_code == 422
    assert set(refused.context["errors"]) == {"expires_at", "region_codes"}
    assert WarningMessage.objects.count() == 0

    done = officer.post("/warnings/new/", _form(polygon=INSIDE))
    assert done.status_code == 302
    message = WarningMessage.objects.get()
    assert officer.post(f"/warnings/{message.pk}/submit/").status_code == 302

    leader = signed_in(world.leader)
    page = leader.get(f"/warnings/{message.pk}/")
    assert b"/issue/" in page.content and b"/return/" in page.content
    assert leader.post(f"/warnings/{message.pk}/issue/").status_code == 302
    message.refresh_from_db()
    assert message.state == WarningMessage.State.ISSUED

    page = officer.get(f"/warnings/{message.pk}/")
    assert f"/api/v1/warnings/{message.pk}/cap".encode() in page.content
    assert b"/adjust/" in page.content and b"/lift/" in page.content
    listing = officer.get("/warnings/")
    assert listing.status_code == 200
    assert message in listing.context["in_force"]


def test_adjusted_and_lifted_on_their_forms(world: Township) -> None:
    first = issued(world)
    officer = signed_in(world.officer)
    assert officer.get(f"/warnings/{first.pk}/adjust/").status_code == 200
    refused = officer.post(f"/warnings/{first.pk}/adjust/", {**_form(level="1"), "note": ""})
    assert refused.status_code == 422 and "note" in refused.context["errors"]
    done = officer.post(f"/warnings/{first.pk}/adjust/", {**_form(level="1"), "note": "升级"})
    assert done.status_code == 302
    update = WarningMessage.objects.get(msg_type=WarningMessage.MsgType.UPDATE)
    assert update.references == first and update.level == 1

    assert officer.get(f"/warnings/{first.pk}/lift/").status_code == 200
    done = officer.post(
        f"/warnings/{first.pk}/lift/",
        {"headline": "解除预警", "description": "风险已消除", "note": "矛盾已化解"},
    )
    assert done.status_code == 302
    lift = WarningMessage.objects.get(msg_type=WarningMessage.MsgType.CANCEL)
    leader = signed_in(world.leader)
    assert leader.post(f"/warnings/{lift.pk}/issue/").status_code == 302
    # The adjustment drafted before the lift can no longer be issued.
    refused = leader.post(f"/warnings/{update.pk}/issue/")
    assert refused.status_code == 422
    update.refresh_from_db()
    assert update.state == WarningMessage.State.DRAFT


def test_outside_the_jurisdiction_is_not_found(world: Township) -> None:
    message = issued(world)
    other = personas.make_user("hexi_officer", world.city.hexi, Role.DUTY_OFFICER)
    client = signed_in(other)
    assert client.get(f"/warnings/{message.pk}/").status_code == 404
    assert client.get(f"/warnings/{message.pk}/adjust/").status_code == 404
    assert signed_in(world.outsider).get("/warnings/new/").status_code == 403
