from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.test import Client

from tests import personas
from yingji.accounts.models import User
from yingji.accounts.roles import Role

# Playwright's sync API runs an event loop in the test thread; the live server's ORM
# calls happen in another thread, so Django's async-safety guard is a false alarm here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _remember_password_work() -> None:
    """Argon2 takes 0.1-0.3 s of CPU a hash by design, and the suite makes thousands of
    accounts with the same few passwords: much of CI's time. Hash each password once
    per run and reuse the hash; a password checked against that very hash is right
    without hashing it again. The hashes stay real Argon2, so the servers the tests start
    as separate processes sign these accounts in as production would, and every other
    check (a wrong password, an older hash) does the full work."""
    from django.contrib.auth import base_user, hashers

    known: dict[str, str] = {}

    def make_password(
        password: str | None, salt: str | None = None, hasher: str = "default"
    ) -> str:
        if not (isinstance(password, str) and salt is None and hasher == "default"):
            return hashers.make_password(password, salt, hasher)
        if password not in known:
            known[password] = hashers.make_password(password)
        return known[password]

    def check_password(password, encoded, setter=None, preferred="default"):  # type: ignore[no-untyped-def]
        if isinstance(password, str) and encoded and known.get(password) == encoded:
            return True
        return hashers.check_password(password, encoded, setter, preferred)

    base_user.make_password = make_password  # type: ignore[assignment]
    base_user.check_password = check_password  # type: ignore[assignment]


_remember_password_work()


@pytest.fixture(autouse=True)
def _stop_timeline_hub(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that opened a live stream leaves this process's timeline hub watching the
    table: stop it before the test database goes away (so, when the test has a database,
    set the database up first and tear it down after this)."""
    from yingji.timeline import live

    if request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    ):
        request.getfixturevalue("_django_db_helper")
    yield
    live.stop_process_hub()


@pytest.fixture
def city(db: None) -> personas.City:
    return personas.build_city()


@pytest.fixture
def township_clerk(city: personas.City) -> User:
    """An intake clerk in 白石镇, a township of 白石县."""
    return personas.make_user("clerk", city.baishizhen, Role.INTAKE_CLERK, name="周婷")


@pytest.fixture
def sibling_clerk(city: personas.City) -> User:
    """An intake clerk in 柳林乡, 白石镇's sibling township."""
    return personas.make_user("liulin_clerk", city.liulin, Role.INTAKE_CLERK, name="冯洁")


@pytest.fixture
def county_handler(city: personas.City) -> User:
    """A case handler at 白石县."""
    return personas.make_user("handler", city.baishi, Role.CASE_HANDLER, name="吴刚")


@pytest.fixture
def city_leader(city: personas.City) -> User:
    return personas.make_user("leader", city.city, Role.DUTY_LEADER, name="钱立军")


@pytest.fixture
def city_admin(city: personas.City) -> User:
    return personas.make_user("admin", city.city, Role.SYSADMIN, name="赵敏")


def signed_in(user: User) -> Client:
    """A client signed in as ``user``, as the sign-in page leaves it: the session already
    marked active, so the first request does not write it."""
    import time

    from yingji.accounts.middleware import ACTIVE_AT

    client = Client()
    client.force_login(user)
    session = client.session
    session[ACTIVE_AT] = int(time.time())
    session.save()
    return client


@pytest.fixture
def client_for():
    return signed_in


def signed_in_with_second_factor(user: User) -> Client:
    """A client past both password and TOTP, as an administrator must be."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client = Client()
    client.force_login(user)
    response = client.post("/accounts/2fa/", {"code": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    return client


@pytest.fixture
def admin_client_for():
    return signed_in_with_second_factor


@pytest.fixture(autouse=True)
def jobs_run_at_once():
    """Background jobs run in the test's own thread, as soon as they are queued."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """A transactional test's flush empties the trees migrations seed (petition
    categories, event types): seed them again for the transactional tests that need them."""
    import importlib

    from django.apps import apps

    from yingji.petitions.models import Category
    from yingji.plans.models import EventType

    if not Category.objects.exists():
        importlib.import_module("yingji.petitions.migrations.0002_seed_categories").seed(apps, None)
    if not EventType.objects.exists():
        importlib.import_module("yingji.plans.migrations.0002_seed_event_types").seed(apps, None)
    from yingji.resources.models import Category as SupplyCategory

    if not SupplyCategory.objects.exists():
        importlib.import_module("yingji.resources.migrations.0002_seed_categories").seed(apps, None)
