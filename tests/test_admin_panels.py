"""The system administrator's workbench panels: the health checks, calendar years not
confirmed, failed deliveries and the audit chain's last checkpoint."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import personas
from tests.audit.tampering import drop_guards, execute
from yingji import health, workbench
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit import services as audit
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.clock.holidays import PACKAGE_YEARS
from yingji.notify import services as notify
from yingji.notify.models import Delivery
from yingji.org import jurisdiction

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")


def build(key: str, user: User) -> workbench.Panel:
    return workbench.SOURCES[key].build(user)


def test_system_health_reports_what_the_health_endpoint_checks(
    city_admin: User, admin_client_for, monkeypatch, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(1):  # the database check's own SELECT 1
        panel = build("system.health", city_admin)
    assert panel.url == "/api/v1/health" and panel.count == 0
    assert [(e.url, e.tone) for e in panel.entries] == [("/api/v1/health", "")] * 2
    assert admin_client_for(city_admin).get(panel.url).status_code == 200

    monkeypatch.setattr(health, "_queue_ok", lambda: False)
    failing = build("system.health", city_admin)
    assert failing.count == 1
    assert [e.tone for e in failing.entries] == ["", "overdue"]


def test_calendar_years_entered_unconfirmed_and_the_coming_years_without_a_calendar(
    city_admin: User, admin_client_for, django_assert_max_num_queries
) -> None:
    this = timezone.localdate().year
    uncovered = [year for year in (this, this + 1) if year not in PACKAGE_YEARS]
    clock.set_year(this + 5, actor=SYSTEM, reference="", confirmed=False)
    clock.set_year(this + 6, actor=SYSTEM, reference="国办发明电〔2031〕1号", confirmed=True)

    with django_assert_max_num_queries(1):
        panel = build("system.calendars", city_admin)

    expected = [*uncovered, this + 5]
    assert [e.label for e in panel.entries] == [str(year) for year in expected]
    assert [e.url for e in panel.entries] == [f"/clock/calendar/{year}/" for year in expected]
    assert [e.tone for e in panel.entries] == [
        "overdue" if year <= this else "soon" for year in expected
    ]
    assert panel.entries[-1].note == "日历未确认"
    assert panel.count == len(expected) and panel.url == panel.entries[0].url
    assert admin_client_for(city_admin).get(panel.url).status_code == 200

    # Entering the coming years' notices, and confirming the other, empties the panel.
    for year in [*uncovered, this + 5]:
        clock.set_year(year, actor=SYSTEM, reference="国办发明电", confirmed=True)
    assert build("system.calendars", city_admin).count == 0


def failed(user: User, title: str, *, urgent: bool = False) -> Delivery:
    note = notify.notify(user, "test.panel", title, urgent=urgent)
    return Delivery.objects.create(
        notification=note,
        channel=Delivery.Channel.EMAIL,
        state=Delivery.State.FAILED,
        attempts=5,
        next_attempt_at=timezone.now(),
        last_error="ConnectionRefusedError",
    )


def test_failed_deliveries_of_the_units_the_user_administers(
    city: personas.City, admin_client_for, django_assert_max_num_queries
) -> None:
    county_admin = personas.make_user("bs_admin", city.baishi, Role.SYSADMIN, name="韩管理")
    township = personas.make_user("clerk", city.baishizhen, Role.INTAKE_CLERK, name="周婷")
    elsewhere = personas.make_user("hexi", city.hexi, Role.TEAM_MEMBER, name="李强")
    failed(township, "白石镇防汛会商通知")
    failed(township, "白石镇紧急集合通知", urgent=True)
    failed(elsewhere, "河西街道防汛会商通知")  # not administered by 白石县
    sent = notify.notify(township, "test.panel", "已送达的通知")
    sent.deliveries.update(state=Delivery.State.SENT)

    jurisdiction.of(county_admin)
    with django_assert_max_num_queries(1):
        panel = build("system.failures", county_admin)

    assert [(e.label, e.tone) for e in panel.entries] == [
        ("白石镇紧急集合通知", "overdue"),
        ("白石镇防汛会商通知", ""),
    ]
    assert {e.url for e in panel.entries} == {"/notifications/failures/"}
    assert panel.url == "/notifications/failures/" and panel.count == 2
    page = admin_client_for(county_admin).get(panel.url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "白石镇防汛会商通知" in text and "河西街道防汛会商通知" not in text


def test_the_audit_chain_panel_shows_the_last_checkpoint_and_what_went_wrong(
    city: personas.City, city_admin: User, admin_client_for, monkeypatch
) -> None:
    waiting = build("system.audit", city_admin)  # none taken yet, the log is young
    assert [e.tone for e in waiting.entries] == ["soon"] and waiting.count == 0
    assert waiting.url == "/admin/audit/checkpoint/"
    assert admin_client_for(city_admin).get(waiting.url).status_code == 200

    checkpoint = audit.take_checkpoint()
    ok = build("system.audit", city_admin)
    assert ok.count == 0 and [e.tone for e in ok.entries] == [""]
    taken = timezone.localtime(checkpoint.taken_at)
    assert ok.entries[0].note == f"{taken:%Y-%m-%d %H:%M} · #{checkpoint.last_id}"

    # The daily job failed (it stores no checkpoint then) or stopped: a day later, red.
    later = timezone.now() + timedelta(hours=26)
    monkeypatch.setattr(timezone, "now", lambda: later)
    stale = build("system.audit", city_admin)
    assert stale.count == 1 and [e.tone for e in stale.entries] == ["overdue"]
    monkeypatch.undo()

    # Entries cut off after the checkpoint, the head rewound with them.
    drop_guards("audit_entry_no_delete", "audit_head_no_rewind")
    kept = AuditEntry.objects.get(id=checkpoint.last_id - 2)
    execute("DELETE FROM audit_auditentry WHERE id > %s", [kept.id])
    execute("UPDATE audit_chainhead SET last_id = %s, last_hash = %s", [kept.id, kept.hash])
    cut = build("system.audit", city_admin)
    assert cut.count == 1 and [e.tone for e in cut.entries] == ["", "overdue"]
    assert cut.entries[1].note == f"#{kept.id} < #{checkpoint.last_id}"


def test_the_audit_chain_panel_reads_at_most_two_rows(
    city: personas.City, city_admin: User, django_assert_max_num_queries
) -> None:
    audit.take_checkpoint()
    with django_assert_max_num_queries(2):
        build("system.audit", city_admin)


def test_the_home_page_shows_the_system_panels_to_administrators_only(
    city: personas.City, city_admin: User, admin_client_for, client_for
) -> None:
    keys = [f'data-panel="system.{k}"' for k in ("health", "calendars", "failures", "audit")]
    home = admin_client_for(city_admin).get("/").content.decode()
    assert all(key in home for key in keys)
    assert 'class="error"' not in home  # every panel read
    assert 'href="/api/v1/health"' in home and 'href="/admin/audit/checkpoint/"' in home
    planner = personas.make_user("planner", city.bureau, Role.PLAN_MANAGER)
    leader = personas.make_user("leader", city.city, Role.DUTY_LEADER)
    for other in (planner, leader):
        page = client_for(other).get("/").content.decode()
        assert not any(key in page for key in keys)


def test_the_audit_panel_leads_to_checkpoints_an_administrator_may_open(
    city, admin_client_for
) -> None:
    from tests import personas
    from yingji.accounts.roles import Role

    admin = personas.make_user("root", city.city, Role.SYSADMIN)
    client = admin_client_for(admin)
    assert client.get("/admin/audit/checkpoint/").status_code == 200
