"""A registration's cost on the request path, and the search entry written after it.

A registration writes its case, audit entries, timeline events, deadline and figures'
mark in one transaction; the search entry is written by a job after the commit
(search/indexing.py). The number of statements a registration through the API makes is
pinned here: a change that adds one to every registration should be a decision.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import personas
from tests.petitions.conftest import intake
from yingji.accounts import services as accounts
from yingji.accounts.models import User
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.clock.models import Deadline
from yingji.petitions import services
from yingji.petitions.models import Petition
from yingji.search import indexing
from yingji.search import services as search
from yingji.search.models import SearchEntry

pytestmark = pytest.mark.django_db(transaction=False)


def road() -> services.Intake:
    return intake(request="请求修复村道", facts="东坪村的村道损毁。")


# The statements of one registration through the API after the first (which fills the
# process's caches): token, user, unit, person, roles; the category; the office's
# number and the check that no imported case holds it; the repeat check; the case; the
# chain head, entry and head move of two audit entries; two timeline events; the
# calendar's version; the deadline; the figures' mark; and the transaction's BEGIN and
# COMMIT.
REGISTRATION_STATEMENTS = 23


@pytest.fixture
def queued_jobs() -> Iterator[None]:
    """Jobs queued, as in service, instead of run at once as the other tests run them."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = False
    yield
    HUEY.immediate = True


@pytest.fixture(autouse=True)
def index_complete(db: None) -> None:
    """Start from a complete index: another process of the test run (a benchmark's
    server) may have left cases behind, which would count here."""
    indexing.check(repair=True)


@pytest.fixture
def scheduled(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """The indexing jobs asked for, recorded instead of queued (another process of the
    test run could be taking jobs from the same queue)."""
    from yingji.search import tasks

    asked: list[dict[str, object]] = []
    monkeypatch.setattr(tasks.index_pending, "schedule", lambda **kwargs: asked.append(kwargs))
    return asked


def body(**overrides: object) -> str:
    values: dict[str, object] = {
        "channel": "visit",
        "name": "张三丰",
        "phone": "13812341234",
        "address": "白石县白石镇幸福路8号",
        "request": "请求支付拖欠的三个月工资",
        "facts": "本人在白石化工有限公司工作，工资未发放。",
        "category": "labour.wages",
        "region_code": "990121100",
    }
    values.update(overrides)
    return json.dumps(values, ensure_ascii=False)


def register_through_api(client: Client, secret: str, **overrides: object) -> int:
    answer = client.post(
        "/api/v1/petitions",
        data=body(**overrides),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert answer.status_code == 201, answer.content
    return int(answer.json()["id"])


def test_a_registration_through_the_api_makes_a_fixed_number_of_statements(
    reference_data: None, city: personas.City, township_clerk: User, queued_jobs: None
) -> None:
    # Real transactions (transactional_db), as in service: each registration commits.
    _token, secret = accounts.create_token(township_clerk, actor=Actor.system("test"))
    client = Client()
    register_through_api(client, secret)  # caches filled, the year's number row made
    with CaptureQueriesContext(connection) as captured:
        pk = register_through_api(client, secret, request="请求修复村道")
    statements = [q["sql"] for q in captured.captured_queries]
    assert len(statements) == REGISTRATION_STATEMENTS, "\n".join(statements)
    # Nothing of search's on the request path, and no session written for a token.
    assert not any(
        table in s
        for s in statements
        for table in ("search_searchentry", "search_words", "search_trigrams")
    )
    assert not any("django_session" in s for s in statements)
    # Still audited and deadlined in the same transaction; the entry comes later.
    assert AuditEntry.objects.filter(
        action="petitions.petition.register", object_id=str(pk)
    ).exists()
    assert Deadline.objects.filter(subject_id=str(pk), kind="petition.acceptance_notice").exists()
    assert Petition.objects.get(pk=pk).search_pending


def test_the_search_entry_is_written_by_a_job_after_the_commit(
    city: personas.City,
    township_clerk: User,
    queued_jobs: None,
    scheduled: list[dict[str, object]],
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        petition = services.register(
            intake(), office=city.baishizhen, actor=Actor(user=township_clerk)
        ).petition
    assert callbacks  # the job is asked for once the registration commits
    assert scheduled == [{"delay": indexing.DEBOUNCE_SECONDS}]
    assert not SearchEntry.objects.filter(subject_id=petition.pk).exists()
    found = services.search_petitions(Petition.objects.all(), "拖欠")
    assert petition not in found

    assert indexing.index_pending() == 1
    petition.refresh_from_db()
    assert not petition.search_pending
    assert petition in services.search_petitions(Petition.objects.all(), "拖欠")
    assert indexing.index_pending() == 0


def test_commits_close_together_share_one_job(
    city: personas.City,
    township_clerk: User,
    queued_jobs: None,
    scheduled: list[dict[str, object]],
    django_capture_on_commit_callbacks,
) -> None:
    actor = Actor(user=township_clerk)
    for facts in ("工资未发放。", "村道损毁。", "噪声扰民。"):
        with django_capture_on_commit_callbacks(execute=True):
            services.register(intake(facts=facts), office=city.baishizhen, actor=actor)
    assert len(scheduled) == 1
    assert indexing.index_pending() == 3


def test_a_job_cut_off_part_way_leaves_its_cases_for_the_next_run(
    city: personas.City,
    township_clerk: User,
    queued_jobs: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    actor = Actor(user=township_clerk)
    first = services.register(intake(), office=city.baishizhen, actor=actor).petition
    second = services.register(
        intake(request="请求修复村道", facts="东坪村的村道损毁。"),
        office=city.baishizhen,
        actor=actor,
    ).petition
    real_index = search.index
    calls = []

    def dies_on_the_second(subject, content, *, at=None):  # type: ignore[no-untyped-def]
        calls.append(subject.pk)
        if len(calls) == 2:
            raise RuntimeError("the worker was killed")
        real_index(subject, content, at=at)

    monkeypatch.setattr(search, "index", dies_on_the_second)
    with pytest.raises(RuntimeError):
        indexing.index_pending()
    # The batch's transaction was rolled back whole: neither case lost its flag.
    assert set(Petition.objects.filter(search_pending=True).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert not SearchEntry.objects.filter(subject_id__in=[first.pk, second.pk]).exists()

    monkeypatch.setattr(search, "index", real_index)
    assert indexing.index_pending() == 2
    assert not Petition.objects.filter(search_pending=True).exists()


def test_search_check_finds_and_repairs_what_the_index_lacks(
    city: personas.City, township_clerk: User, queued_jobs: None
) -> None:
    actor = Actor(user=township_clerk)
    indexed = services.register(intake(), office=city.baishizhen, actor=actor).petition
    indexing.index_pending()
    waiting = services.register(
        intake(request="请求修复村道", facts="东坪村的村道损毁。"),
        office=city.baishizhen,
        actor=actor,
    ).petition
    # A job that never ran: the case has waited past the limit.
    Petition.objects.filter(pk=waiting.pk).update(
        registered_at=timezone.now() - indexing.STALE_AFTER - timedelta(minutes=1)
    )
    # An entry lost (a restore of part of the data, a hand edit).
    SearchEntry.objects.filter(
        subject_type=ContentType.objects.get_for_model(Petition), subject_id=indexed.pk
    ).delete()

    out = StringIO()
    with pytest.raises(CommandError, match="search check --repair"):
        call_command("search", "check", stdout=out)
    assert "petitions.petition: 1 waiting for a job (1 for over 5 minutes), 1 with no entry" in (
        out.getvalue()
    )

    out = StringIO()
    call_command("search", "check", "--repair", stdout=out)
    assert "2 indexed now" in out.getvalue()
    assert set(services.search_petitions(Petition.objects.all(), "村道")) == {waiting}
    assert indexed in services.search_petitions(Petition.objects.all(), "拖欠")

    out = StringIO()
    call_command("search", "check", stdout=out)
    assert "0 waiting for a job (0 for over 5 minutes), 0 with no entry" in out.getvalue()


def test_an_api_token_writes_no_session(city: personas.City, township_clerk: User) -> None:
    from django.contrib.sessions.models import Session

    _token, secret = accounts.create_token(township_clerk, actor=Actor.system("test"))
    for _ in range(3):
        client = Client()  # a new client each time: an integration keeps no cookies
        answer = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert answer.status_code == 200
        assert "sessionid" not in answer.cookies
    assert Session.objects.count() == 0
