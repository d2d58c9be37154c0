"""Schemathesis over every operation of the API (issue 19).

For each operation of the OpenAPI document the API publishes, a bounded number of
generated requests, valid and invalid (schemathesis's coverage cases: boundaries, wrong
types, missing fields, other methods; then hypothesis examples), sent by a signed-in user
who holds every role at the city and by an anonymous client (no credentials of its own;
schemathesis may make up a token or session cookie). The test fails on:

- any server error (5xx);
- an answer with a documented status whose body does not match its documented schema;
- an error whose message is not in Chinese (the language a client gets unless it asks
  for English): bad input gets a clear message per field, never English from a library.

Statuses the operation does not document (400, 403, 405, 409 ...) are not faults. The
requests go through the WSGI application, every middleware included, in the test's own
database transaction. About half the generated requests have their ids and codes
replaced by ones that exist (the permission matrix's demo world), their required text by
words and their dates by days near today, so that requests get past 404 and the first
refusal and into the services.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests import personas
from tests.test_permission_matrix import build_world
from yingji.accounts import services as accounts
from yingji.accounts.roles import Role
from yingji.api import api
from yingji.audit.services import Actor
from yingji.wsgi import application

# Hypothesis examples per operation and client, after the coverage cases: with the two
# clients over ~90 operations this takes about two minutes on a two-core machine.
EXAMPLES = 10

schema = schemathesis.openapi.from_dict(
    api.get_openapi_schema(),
    config=schemathesis.Config.from_dict(
        {"generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True}}
    ),
)
schema.app = application

CJK = re.compile(r"[\u4e00-\u9fff]")

# What exists, by the name of the path parameter, query parameter or body field that
# takes it: filled in by the ``world`` fixture before any request is generated.
KNOWN: dict[str, list[Any]] = {}


@dataclass
class World:
    headers: dict[str, dict[str, str]]


def _known() -> dict[str, list[Any]]:
    from yingji.accounts.models import User
    from yingji.clock.kinds import all_kinds
    from yingji.duty.models import ChangeRequest, Shift
    from yingji.incidents.models import Incident, Report, ResourceRequest, Task
    from yingji.notify.models import Notification
    from yingji.org.models import Person, Unit
    from yingji.petitions.models import Assignment, Petition
    from yingji.petitions.models import Category as PetitionCategory
    from yingji.plans.models import EventType, Plan, PlanVersion
    from yingji.resources.models import Category as SupplyCategory
    from yingji.resources.models import Expert, Item, Lot, Team, Warehouse

    def ids(model: Any) -> list[int]:
        return list(model.objects.order_by("pk").values_list("pk", flat=True))

    def codes(model: Any) -> list[str]:
        return list(model.objects.order_by("pk").values_list("code", flat=True))

    units, people, plans, versions = ids(Unit), ids(Person), ids(Plan), ids(PlanVersion)
    known: dict[str, list[Any]] = {
        **dict.fromkeys(
            ["unit_id", "lead_unit_id", "accused_unit_id", "cooperating_unit_ids"], units
        ),
        **dict.fromkeys(["owner_id", "filed_with_id", "unit", "under", "root", "owner"], units),
        **dict.fromkeys(
            ["person_id", "replacement_id", "leader_ids", "officer_ids", "backup_ids"], people
        ),
        **dict.fromkeys(["plan_id", "parent_id"], plans),
        **dict.fromkeys(["version_id", "other_id", "plan_version_id"], versions),
        **dict.fromkeys(["warehouse_id", "to_warehouse_id"], ids(Warehouse)),
        "petition_id": ids(Petition),
        "assignment_id": ids(Assignment),
        "notification_id": ids(Notification),
        "shift_id": ids(Shift),
        "change_id": ids(ChangeRequest),
        "incident_id": ids(Incident),
        "report_id": ids(Report),
        "task_id": ids(Task),
        "request_id": ids(ResourceRequest),
        "item_id": ids(Item),
        "lot_id": ids(Lot),
        "team_id": ids(Team),
        "expert_id": ids(Expert),
        "user_id": ids(User),
        "category": codes(PetitionCategory),
        "supply_category": codes(SupplyCategory),
        "event_type": codes(EventType),
        "source": [choice for choice, _ in Incident.Source.choices],
        "field": [choice for choice, _ in Expert.FIELDS],
        "kind": [kind.code for kind in all_kinds()],
        "office_code": list(Unit.objects.exclude(code="").values_list("code", flat=True)),
    }
    return {name: found for name, found in known.items() if found}


# Plausible values for the fields whose generated values the services nearly always
# refuse (blank text, a word that is no choice), so that requests also get past them.
WORDS: dict[str, tuple[Any, ...]] = {
    **dict.fromkeys(
        ["title", "address", "description", "reason", "text", "facts", "request", "note"],
        ("白石镇河道水位上涨", "约六十人聚集，已疏散"),
    ),
    **dict.fromkeys(["name", "what"], ("冲锋舟", "张伟")),
    "document_number": ("安政办发〔2026〕12号",),
    "method": ("邮寄", "当面送达"),
    "quantity": ("1", "2.5", "20"),
    "stage": ("first", "followup", "final"),
    "milestone": ("on_site", "controlled"),
    "action": ("acknowledge", "start", "done", "block"),
    "state": ("approved", "refused", "delivered"),
    "consent": (True,),
}
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T")


def _near_today(value: Any) -> st.SearchStrategy[str] | None:
    """For a generated date or time (hypothesis draws them from any century, which the
    inputs refuse), one within a few weeks of today."""
    if not isinstance(value, str):
        return None
    today = timezone.localdate()
    days = st.dates(today - timedelta(days=30), today + timedelta(days=30))
    if MOMENT.match(value):
        return days.map(lambda d: f"{d.isoformat()}T09:30:00+08:00")
    if DAY.fullmatch(value):
        return days.map(date.isoformat)
    return None


def _sometimes_known(context: schemathesis.HookContext, values: Any) -> st.SearchStrategy[Any]:
    """The generated values, or the same with every id and code field set to ones that
    exist (a list field to a few of them), text and choices to plausible ones and dates
    near today."""
    if not isinstance(values, dict):
        return st.just(values)
    supplies = context.operation is not None and "/resources/" in context.operation.path
    real: dict[str, st.SearchStrategy[Any]] = {}
    for name, value in values.items():
        known = KNOWN.get("supply_category" if supplies and name == "category" else name)
        if known:
            one = st.sampled_from(known)
            real[name] = st.lists(one, max_size=3, unique=True) if name.endswith("_ids") else one
        elif name in WORDS:
            real[name] = st.sampled_from(WORDS[name])
        elif (near := _near_today(value)) is not None:
            real[name] = near
    if not real:
        return st.just(values)
    return st.one_of(st.just(values), st.fixed_dictionaries(real).map(lambda r: {**values, **r}))


@schema.hook
def flatmap_path_parameters(context: schemathesis.HookContext, path_parameters: Any) -> Any:
    return _sometimes_known(context, path_parameters)


@schema.hook
def flatmap_query(context: schemathesis.HookContext, query: Any) -> Any:
    return _sometimes_known(context, query)


@schema.hook
def flatmap_body(context: schemathesis.HookContext, body: Any) -> Any:
    return _sometimes_known(context, body)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The permission matrix's demo world and a chief who holds every role at the city
    (the second factor set up, as an administrator's token requires), built once for the
    module in a transaction rolled back at its end; each operation's test runs in a
    savepoint inside it, so what one operation changes the next does not see."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            # build_world sets these through pytest-django's settings; here they apply
            # while it builds the rosters only.
            with override_settings(DUTY_HOLIDAY_LEADER=False, DUTY_HOLIDAY_OFFICERS=1):
                ids = build_world(SimpleNamespace())
            from yingji.org.models import Unit

            city = Unit.objects.get(pk=ids["unit_city"])
            chief = personas.make_user("chief", city, *Role, name="全权测试员")
            TOTPDevice.objects.create(user=chief, name="phone", confirmed=True)
            _, secret = accounts.create_token(chief, actor=Actor.system("tests"))
            _more_to_act_on(chief, ids)
            KNOWN.update(_known())
            yield World(headers={"chief": {"Authorization": f"Bearer {secret}"}, "anonymous": {}})
        finally:
            KNOWN.clear()
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _more_to_act_on(chief: Any, ids: dict[str, Any]) -> None:
    """What the demo world lacks for some operations to get past "not in this state": a
    draft of every plan, a resource request and an urgent notification for the chief."""
    from yingji.incidents import services as incidents
    from yingji.incidents.models import Incident
    from yingji.notify import services as notify
    from yingji.plans import services as plans
    from yingji.plans.models import Plan

    as_chief = Actor(user=chief)
    for plan in Plan.objects.order_by("pk"):
        if not plan.versions.filter(status__in=["draft", "under_review"]).exists():
            plans.new_version(plan, actor=as_chief)
    gate = Incident.objects.get(pk=ids["gate"])
    incidents.request_resources(gate, {"what": "冲锋舟", "quantity": "2"}, actor=as_chief)
    notify.notify(chief, "test.fuzz", "请确认收到", urgent=True)


@pytest.fixture
def in_process(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Requests served in this thread keep the test's connection (and its transaction)
    open, as Django's test client does. The public limits are raised so that requests
    reach the public endpoints instead of their 429, and a live stream sends its
    keep-alive often, so that reading it stops at the request's timeout."""
    settings.PUBLIC_PETITIONS_PER_HOUR = 1_000_000
    settings.PUBLIC_STATUS_PER_HOUR = 1_000_000
    settings.PUBLIC_INCIDENT_PAGES_PER_HOUR = 1_000_000
    monkeypatch.setattr("yingji.timeline.streams.KEEPALIVE_SECONDS", 0.05)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def errors_in_chinese(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """Every error message of a 4xx answer is in Chinese."""
    if not 400 <= response.status_code < 500:
        return
    try:
        errors = response.json().get("errors", [])
    except (ValueError, AttributeError):
        return
    english = [e.get("message") for e in errors if not CJK.search(str(e.get("message", "")))]
    assert not english, f"error messages not in Chinese: {english}"


@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
@pytest.mark.parametrize("client", ["chief", "anonymous"])
def test_no_operation_fails(case: Any, client: str, world: World, db: None, in_process: None):
    response = case.call(headers=world.headers[client], timeout=0.5)
    # Neither would be a fault of the operation, but either would mean the request never
    # reached it: the limits are raised, and the chief's token is good.
    assert response.status_code != 429, "rate limited although the limits are raised"
    assert client != "chief" or response.status_code != 401, "the chief's token was refused"
    case.validate_response(
        response, checks=[not_a_server_error, response_schema_conformance, errors_in_chinese]
    )
