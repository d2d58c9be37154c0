"""Reports as offices send them (issue 22, item 4): the phone report (电话快报) and the
written first report on their own clocks by level, the 签发人, contact and recipients of a
written report, each recipient's receipt (签收) and its chase when overdue, and a refused
submission that leaves nothing behind."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from docx import Document as Docx

from tests import personas
from tests.incidents.conftest import SETUP, Township
from tests.incidents.test_response import ELEMENTS, graded, report, township_plan
from yingji import config
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.documents import services as documents
from yingji.duty import services as duty
from yingji.incidents import services
from yingji.incidents.models import PhoneReport, Report, ReportRecipient
from yingji.incidents.services import reports
from yingji.notify import deadlines
from yingji.notify.models import Notification
from yingji.timeline.services import events_for

pytestmark = pytest.mark.django_db

WRITTEN = {k: v for k, v in ELEMENTS.items() if k not in reports.PEOPLE}


@pytest.fixture
def bureau_officer(township: Township) -> User:
    """The duty officer of 安澜市应急管理局, the bureau above, on duty today."""
    officer = personas.make_user(
        "bureau_officer", township.city.bureau, Role.DUTY_OFFICER, name="周市值"
    )
    today = timezone.localdate()
    assert officer.person is not None
    duty.generate(
        township.city.bureau,
        today - timedelta(days=1),
        today + timedelta(days=1),
        duty.Rotation(leaders=[], officers=[officer.person]),
        actor=SETUP,
    )
    return officer


def _two(t: Township) -> list[int]:
    return [t.city.baishi.pk, t.city.bureau.pk]


def _sent(t: Township, **extra: Any) -> Report:
    incident = graded(t)
    officer = Actor(user=t.officer)
    draft = services.save_report(
        incident, "first", {**ELEMENTS, "recipients": _two(t), **extra}, actor=officer
    )
    return services.submit_report(draft, actor=officer)


# --- limits ---------------------------------------------------------------------------------


def test_phone_and_written_limits_come_from_settings_per_level(
    township: Township, settings: Any
) -> None:
    settings.CLOCK_PHONE_REPORT_MINUTES = (10, 15, 20, 25)
    settings.CLOCK_FIRST_REPORT_MINUTES = (40, 50, 60, 300)
    incident = report(township)
    phone = clock.open_deadline(incident, "incident.phone_report")
    first = clock.open_deadline(incident, "incident.first_report")
    assert phone is not None and first is not None
    assert phone.params == {"level": "4"} == first.params
    assert phone.due_at == incident.reported_at + timedelta(minutes=25)
    assert first.due_at == incident.reported_at + timedelta(minutes=300)
    # Regrading to 较大 (III) recounts both from the report time.
    leader = Actor(user=township.leader)
    services.grade(incident, 4, version=township_plan(), actor=leader)
    services.grade(incident, 3, version=township_plan(), actor=leader, reason="人数增加")
    phone = clock.open_deadline(incident, "incident.phone_report")
    first = clock.open_deadline(incident, "incident.first_report")
    assert phone is not None and first is not None
    assert phone.due_at == incident.reported_at + timedelta(minutes=20)
    assert first.due_at == incident.reported_at + timedelta(minutes=60)


def test_the_limits_are_read_from_the_environment(tmp_path: Path) -> None:
    base = {"YINGJI_VAR_DIR": str(tmp_path)}
    default = config.load(base)
    assert default.phone_report_minutes == (30, 30, 30, 30)
    assert default.first_report_minutes == (60, 60, 60, 240)  # IV: FIRST_REPORT_HOURS
    assert default.report_receipt_minutes == 30
    assert config.load({**base, "YINGJI_FIRST_REPORT_HOURS": "2,2,4,6"}).first_report_minutes == (
        60,
        60,
        60,
        360,
    )
    chosen = config.load(
        {
            **base,
            "YINGJI_PHONE_REPORT_MINUTES": "15,15,20,30",
            "YINGJI_FIRST_REPORT_MINUTES": "30,45,60,120",
            "YINGJI_REPORT_RECEIPT_MINUTES": "20",
        }
    )
    assert chosen.phone_report_minutes == (15, 15, 20, 30)
    assert chosen.first_report_minutes == (30, 45, 60, 120)
    assert chosen.report_receipt_minutes == 20
    for name, bad in (
        ("YINGJI_PHONE_REPORT_MINUTES", "30,30,30"),
        ("YINGJI_FIRST_REPORT_MINUTES", "60,abc,60,60"),
        ("YINGJI_REPORT_RECEIPT_MINUTES", "0"),
    ):
        with pytest.raises(config.ConfigError) as refused:
            config.load({**base, name: bad})
        assert name.removeprefix("YINGJI_") in str(refused.value)


def test_the_phone_report_is_recorded_and_meets_its_clock(township: Township) -> None:
    incident = report(township)
    officer = Actor(user=township.officer)
    called = timezone.now() - timedelta(minutes=5)
    phone = reports.record_phone_report(
        incident,
        {
            "called_at": called.isoformat(),
            "to_unit": str(township.city.baishi.pk),
            "taken_by": "县总值班室 吴县值",
            "summary": "东坪村约60人在县政府门口聚集，镇带班领导已赶赴现场。",
        },
        actor=officer,
    )
    assert phone.made_by == township.officer and phone.to_unit == township.city.baishi
    deadline = next(d for d in clock.deadlines_for(incident) if d.kind == "incident.phone_report")
    assert deadline.state == "met" and deadline.met_at == called
    assert events_for(incident).filter(kind="report.phoned").exists()
    assert AuditEntry.objects.filter(action="incidents.report.phone").count() == 1


def test_bad_phone_reports_are_refused_per_field_and_write_nothing(township: Township) -> None:
    incident = report(township)
    officer = Actor(user=township.officer)
    with pytest.raises(ValidationError) as refused:
        reports.record_phone_report(
            incident,
            {
                "called_at": (timezone.now() + timedelta(hours=2)).isoformat(),
                "to_unit": "abc",
                "taken_by": "",
                "summary": "x\x00",
            },
            actor=officer,
        )
    assert set(refused.value.message_dict) == {"called_at", "to_unit", "taken_by", "summary"}
    with pytest.raises(ValidationError) as sibling:
        reports.record_phone_report(
            incident,
            {"to_unit": township.city.liulin.pk, "taken_by": "某", "summary": "情况"},
            actor=officer,
        )
    assert set(sibling.value.message_dict) == {"to_unit"}
    with pytest.raises(ValidationError) as unknown:
        reports.record_phone_report(
            incident, {"to_unit": 987654321, "taken_by": "某", "summary": "情况"}, actor=officer
        )
    assert set(unknown.value.message_dict) == {"to_unit"}
    with pytest.raises(PermissionDenied):
        reports.record_phone_report(
            incident,
            {"to_unit": township.city.baishi.pk, "taken_by": "某", "summary": "情况"},
            actor=Actor(user=township.outsider),
        )
    assert not PhoneReport.objects.exists()
    assert clock.open_deadline(incident, "incident.phone_report") is not None


# --- written reports and receipts -----------------------------------------------------------


def test_a_report_goes_to_two_recipients_and_each_signs_for_it(
    township: Township, bureau_officer: User
) -> None:
    sent = _sent(township)
    recipients = list(sent.recipients.all())
    assert [r.unit for r in recipients] == [township.city.baishi, township.city.bureau]
    assert sent.sent_to == township.city.baishi  # the first recipient
    assert sent.submitted_at is not None
    for r in recipients:
        assert r.due_at == sent.submitted_at + timedelta(minutes=30)
        assert clock.open_deadline(r, "incident.report_receipt") is not None
    # Each recipient unit's duty hears of it, with the report's page and the document.
    for person, unit in (
        (township.county_officer, township.city.baishi),
        (bureau_officer, township.city.bureau),
    ):
        note = Notification.objects.get(recipient=person, kind="incident.report")
        assert note.link == f"/incidents/{sent.incident_id}/reports/{sent.pk}/view/"
        assert f"report-{sent.pk}.docx" in note.body
        assert f"/incidents/{sent.incident_id}/reports/{sent.pk}/document/" in note.body
        assert note.unit == unit
        assert note.attachment == sent.document  # the e-mail carries the DOCX

    # Not a recipient's: refused, nothing written.
    with pytest.raises(ValidationError) as stranger:
        reports.receive_report(sent, township.city.baishi, actor=Actor(user=township.officer))
    assert set(stranger.value.message_dict) == {"unit"}
    with pytest.raises(ValidationError) as not_recipient:
        reports.receive_report(sent, township.city.liulin.pk, actor=Actor(user=township.leader))
    assert set(not_recipient.value.message_dict) == {"unit"}
    with pytest.raises(ValidationError) as bad_id:
        reports.receive_report(sent, "abc", actor=Actor(user=township.county_officer))
    assert set(bad_id.value.message_dict) == {"unit"}
    assert not ReportRecipient.objects.filter(received_at__isnull=False).exists()

    county = reports.receive_report(
        sent, township.city.baishi.pk, actor=Actor(user=township.county_officer)
    )
    assert county.received_by == township.county_officer and county.received_at is not None
    with pytest.raises(ValidationError) as twice:
        reports.receive_report(
            sent, township.city.baishi.pk, actor=Actor(user=township.county_officer)
        )
    assert set(twice.value.message_dict) == {"unit"}
    # The county does not sign for the bureau above.
    with pytest.raises(ValidationError):
        reports.receive_report(
            sent, township.city.bureau.pk, actor=Actor(user=township.county_officer)
        )
    reports.receive_report(sent, township.city.bureau, actor=Actor(user=bureau_officer))
    assert not ReportRecipient.objects.filter(received_at__isnull=True).exists()
    for r in sent.recipients.all():
        assert [d.state for d in clock.deadlines_for(r)] == ["met"]
    assert events_for(sent.incident).filter(kind="report.received").count() == 2
    assert AuditEntry.objects.filter(action="incidents.report.receive").count() == 2


def test_an_overdue_receipt_is_chased_at_the_recipient_units_duty(
    township: Township, bureau_officer: User
) -> None:
    sent = _sent(township)
    county = sent.recipients.get(unit=township.city.baishi)
    reports.receive_report(sent, county.unit, actor=Actor(user=township.county_officer))
    bureau = sent.recipients.get(unit=township.city.bureau)
    assert bureau.due_at is not None
    clock.check(bureau.due_at + timedelta(minutes=1))
    deadlines.notify_deadline_events()
    chase = Notification.objects.get(recipient=bureau_officer, kind="deadline.overdue")
    assert chase.urgent and chase.unit == township.city.bureau
    assert sent.incident.title in chase.title
    assert chase.link == f"/incidents/{sent.incident_id}/reports/{sent.pk}/view/"
    # The county signed in time: nothing chases it.
    assert not Notification.objects.filter(
        recipient=township.county_officer, kind="deadline.overdue", title__contains="签收"
    ).exists()
    assert not Notification.objects.filter(
        recipient=township.county_officer,
        kind="deadline.overdue",
        subject_id=str(county.pk),
    ).exists()


def test_submitting_needs_the_signer_contact_and_a_recipient(township: Township) -> None:
    incident = graded(township)
    officer = Actor(user=township.officer)
    draft = services.save_report(incident, "first", {**WRITTEN, "recipients": []}, actor=officer)
    with pytest.raises(ValidationError) as refused:
        services.submit_report(draft, actor=officer)
    assert set(refused.value.message_dict) == {
        "signer",
        "contact_name",
        "contact_phone",
        "recipients",
    }
    draft.refresh_from_db()
    assert draft.state == Report.State.DRAFT and draft.document is None
    # A new draft without recipients named gets the usual ones.
    usual = services.save_report(incident, "first", WRITTEN, actor=officer)
    assert [r.unit for r in usual.recipients.all()] == reports.recipient_suggestions(incident)
    assert reports.recipient_suggestions(incident) == [township.city.baishi]


def test_the_signer_is_a_leader_from_the_list_or_a_name(township: Township) -> None:
    incident = graded(township)
    officer = Actor(user=township.officer)
    assert township.leader in reports.signer_choices(incident)
    assert township.officer not in reports.signer_choices(incident)
    chosen = services.save_report(
        incident, "first", {**WRITTEN, "signer": str(township.leader.pk)}, actor=officer
    )
    assert chosen.signer == township.leader and chosen.signer_name == "钱镇长"
    for bad in ("abc", str(township.officer.pk), "987654321", "1.5"):
        with pytest.raises(ValidationError) as refused:
            services.save_report(incident, "first", {**WRITTEN, "signer": bad}, actor=officer)
        assert set(refused.value.message_dict) == {"signer"}
    for bad_recipients in (["abc"], [987654321], [township.city.liulin.pk], "1,abc"):
        with pytest.raises(ValidationError) as refused:
            services.save_report(
                incident, "first", {**WRITTEN, "recipients": bad_recipients}, actor=officer
            )
        assert set(refused.value.message_dict) == {"recipients"}
    with pytest.raises(ValidationError) as phone:
        services.save_report(
            incident, "first", {**WRITTEN, "contact_phone": "call me"}, actor=officer
        )
    assert set(phone.value.message_dict) == {"contact_phone"}
    assert Report.objects.count() == 1  # only the first, good draft


def test_the_document_shows_the_signer_the_recipients_and_the_contact(
    township: Township,
) -> None:
    sent = _sent(township)
    assert sent.document is not None
    content = documents.read(sent.document, actor=Actor(user=township.officer))
    text = [p.text for p in Docx(io.BytesIO(content)).paragraphs]
    assert "签发人：钱镇长" in text
    assert "白石县、安澜市应急管理局：" in text  # 主送
    assert any("孙晓" in line and "0999-33100" in line for line in text[-3:])


# --- pages ------------------------------------------------------------------------------------


def test_a_refused_submission_from_the_form_leaves_no_draft(township: Township, client_for) -> None:
    incident = graded(township)
    officer = client_for(township.officer)
    url = f"/incidents/{incident.pk}/reports/new/first/"
    page = officer.get(url).content.decode()
    assert "钱镇长" in page and "签发人" in page  # the leaders to choose from
    refused = officer.post(url, {**WRITTEN, "recipients": [township.city.baishi.pk], "submit": "1"})
    assert refused.status_code == 400
    assert not Report.objects.exists()
    bad = officer.post(url, {**ELEMENTS, "recipients": ["abc"], "signer": "abc", "submit": "1"})
    assert bad.status_code == 400 and not Report.objects.exists()
    sent = officer.post(
        url,
        {**ELEMENTS, "recipients": _two(township), "signer": township.leader.pk, "submit": "1"},
    )
    assert sent.status_code == 302
    report_ = Report.objects.get()
    assert report_.state == "submitted" and report_.signer == township.leader
    assert sent["Location"] == f"/incidents/{incident.pk}/reports/{report_.pk}/view/"


def test_recipients_sign_on_the_reports_page(
    township: Township, bureau_officer: User, client_for
) -> None:
    sent = _sent(township)
    page = f"/incidents/{sent.incident_id}/reports/{sent.pk}/view/"
    receipt = f"/incidents/{sent.incident_id}/reports/{sent.pk}/receipt/"
    # The bureau above sees the report sent to it, though the incident is outside its area.
    bureau = client_for(bureau_officer)
    shown = bureau.get(page)
    assert shown.status_code == 200 and "安澜市应急管理局" in shown.content.decode()
    assert (
        bureau.get(f"/incidents/{sent.incident_id}/reports/{sent.pk}/document/").status_code == 200
    )
    assert bureau.post(receipt, {"unit": "abc"}).status_code == 400
    assert bureau.post(receipt, {"unit": township.city.baishi.pk}).status_code == 400
    assert bureau.post(receipt, {"unit": township.city.bureau.pk}).status_code == 302
    assert bureau.post(receipt, {"unit": township.city.bureau.pk}).status_code == 400
    # Someone of neither unit, outside the area, does not see the report.
    stranger = personas.make_user("qx", township.city.qingxi, Role.DUTY_OFFICER, name="某")
    assert client_for(stranger).get(page).status_code == 404
    county = client_for(township.county_officer)
    assert "签收" in county.get(page).content.decode()
    county.post(receipt, {"unit": township.city.baishi.pk})
    assert not sent.recipients.filter(received_at__isnull=True).exists()
    listing = client_for(township.officer).get(f"/incidents/{sent.incident_id}/reports/")
    assert listing.status_code == 200 and "安澜市应急管理局" in listing.content.decode()


def test_the_phone_report_page(township: Township, client_for) -> None:
    incident = report(township)
    officer = client_for(township.officer)
    url = f"/incidents/{incident.pk}/phone-report/"
    assert officer.get(url).status_code == 200
    assert (
        officer.post(url, {"to_unit": "abc", "taken_by": "某", "summary": "情况"}).status_code
        == 400
    )
    assert officer.post(url, {"to_unit": township.city.baishi.pk}).status_code == 400
    assert not PhoneReport.objects.exists()
    done = officer.post(
        url, {"to_unit": township.city.baishi.pk, "taken_by": "吴县值", "summary": "已到现场"}
    )
    assert done.status_code == 302 and PhoneReport.objects.count() == 1


# --- API ----------------------------------------------------------------------------------------


def test_api_round_trip(township: Township, bureau_officer: User, client_for) -> None:
    incident = graded(township)
    officer = client_for(township.officer)
    url = f"/api/v1/incidents/{incident.pk}/reports"
    missing = officer.post(
        url,
        {"stage": "first", **WRITTEN, "recipients": _two(township), "submit": True},
        content_type="application/json",
    )
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} == {
        "signer",
        "contact_name",
        "contact_phone",
    }
    assert not Report.objects.exists()
    not_ids = officer.post(
        url,
        {"stage": "first", **ELEMENTS, "recipients": ["abc"], "submit": True},
        content_type="application/json",
    )
    assert not_ids.status_code == 422 and not Report.objects.exists()
    sent = officer.post(
        url,
        {
            "stage": "first",
            **ELEMENTS,
            "signer": township.leader.pk,
            "recipients": _two(township),
            "submit": True,
        },
        content_type="application/json",
    )
    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert body["signer_name"] == "钱镇长" and body["state"] == "submitted"
    assert [r["unit_id"] for r in body["recipients"]] == _two(township)
    receipt = f"{url}/{body['id']}/receipt"

    bureau = client_for(bureau_officer)
    pending = bureau.get("/api/v1/report-receipts").json()
    assert [(p["report_id"], p["unit_id"]) for p in pending] == [
        (body["id"], township.city.bureau.pk)
    ]
    assert bureau.get("/api/v1/report-receipts?report=abc").status_code == 422
    assert bureau.get("/api/v1/report-receipts?unit=abc").status_code == 422
    assert bureau.post(receipt, {"unit": "abc"}, content_type="application/json").status_code == 422
    wrong = bureau.post(receipt, {"unit": township.city.baishi.pk}, content_type="application/json")
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "unit"
    signed = bureau.post(
        receipt, {"unit": township.city.bureau.pk}, content_type="application/json"
    )
    assert signed.status_code == 200
    received = {r["unit_id"]: r["received_at"] for r in signed.json()["recipients"]}
    assert received[township.city.bureau.pk] is not None
    assert received[township.city.baishi.pk] is None
    again = bureau.post(receipt, {"unit": township.city.bureau.pk}, content_type="application/json")
    assert again.status_code == 422
    assert bureau.get("/api/v1/report-receipts").json() == []

    phone_url = f"/api/v1/incidents/{incident.pk}/phone-reports"
    bad = officer.post(
        phone_url,
        {"to_unit": "abc", "taken_by": "吴县值", "summary": "情况"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    made = officer.post(
        phone_url,
        {"to_unit": township.city.baishi.pk, "taken_by": "吴县值", "summary": "情况"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["to_unit_id"] == township.city.baishi.pk
    assert [p["id"] for p in officer.get(phone_url).json()] == [made.json()["id"]]


# --- in a real transaction --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_submitting_and_signing_in_a_real_transaction(
    reference_data: None, township: Township, bureau_officer: User
) -> None:
    incident = graded(township)
    officer = Actor(user=township.officer)
    with pytest.raises(ValidationError):
        reports.save_and_submit(
            incident, "first", {**WRITTEN, "recipients": _two(township)}, actor=officer
        )
    assert not Report.objects.exists()  # all or nothing
    sent = reports.save_and_submit(
        incident, "first", {**ELEMENTS, "recipients": _two(township)}, actor=officer
    )
    assert AuditEntry.objects.filter(action="incidents.report.submit").count() == 1
    reports.receive_report(sent, township.city.bureau, actor=Actor(user=bureau_officer))
    assert AuditEntry.objects.filter(action="incidents.report.receive").count() == 1
    reports.record_phone_report(
        incident,
        {"to_unit": township.city.baishi.pk, "taken_by": "吴县值", "summary": "情况"},
        actor=officer,
    )
    assert AuditEntry.objects.filter(action="incidents.report.phone").count() == 1
