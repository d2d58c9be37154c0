"""The demo's prevention work: a warning in force with its adjustment, a lifted one, the
risk register with a closed and an overdue risk, an inspection round whose finding opened
a hazard, and an open trend signal raised by the scan from a real surge of petitions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from yingji import demo
from yingji.petitions.models import Petition
from yingji.warnings import cap, publication
from yingji.warnings.models import Finding, Inspection, Risk, Signal, WarningMessage
from yingji.warnings.services import risks

pytestmark = pytest.mark.django_db

MsgType = WarningMessage.MsgType


def _check(now: datetime | None = None) -> None:
    current = list(publication.current(now))
    rain = [m for m in current if m.headline.startswith("河西街道、望湖街道暴雨")]
    assert len(rain) == 1
    update = rain[0]
    assert update.msg_type == MsgType.UPDATE and update.level == WarningMessage.Level.ORANGE
    first = update.references
    assert first is not None and first.msg_type == MsgType.ALERT
    assert first.level == WarningMessage.Level.YELLOW and update.chain_id == first.pk
    assert update.note and update.polygon and update.polygon[0] == update.polygon[-1]
    assert b"<msgType>Update</msgType>" in cap.to_xml(update)
    assert first.identifier.encode() in cap.to_xml(update)

    lift = WarningMessage.objects.get(msg_type=MsgType.CANCEL, headline__contains="森林火险")
    assert lift.state == WarningMessage.State.ISSUED and lift.note
    assert lift.references is not None and lift.references.msg_type == MsgType.ALERT
    assert not publication.in_force(lift.references)
    assert all(m.pk not in (lift.pk, lift.references_id) for m in current)

    register = Risk.objects.all()
    assert register.count() >= 4
    closed = register.get(state=Risk.State.CLOSED)
    assert closed.close_note and closed.closed_at
    assert "白石化工有限公司" in register.get(level=Risk.Level.MAJOR).responsible_name
    assert risks.overdue(register).exists()
    underpass = register.get(title__contains="滨河路下穿通道")
    assert underpass.level == Risk.Level.LARGE and underpass.latitude is not None
    assert underpass.source == Risk.Source.INSPECTION

    inspection = Inspection.objects.get(state=Inspection.State.DONE)
    assert inspection.inspector.username == "member"
    finding = inspection.findings.get(result=Finding.Result.PROBLEM)
    assert finding.risk == underpass and finding.opened_risk

    signal = Signal.objects.get(state=Signal.State.OPEN, kind=Signal.Kind.SURGE)
    assert signal.unit.code == "990121100" and signal.category is not None
    assert signal.category.code == "land.acquisition"
    cases = signal.petitions.all()
    assert cases.count() >= 8
    assert set(cases.values_list("region_code", flat=True)) == {"990121100201"}
    assert Petition.objects.filter(pk__in=cases, category=signal.category).count() == cases.count()


def test_the_plain_demo_holds_the_warnings_the_register_and_a_signal(db: None) -> None:
    demo.load()
    _check()


def test_the_history_holds_them_at_their_times(db: None) -> None:
    # 07:15 in Shanghai: this morning's wind warning, drafted at 07:10, could not yet have
    # been submitted, so the history moves it to last night and it waits for a signature.
    now = datetime(2026, 6, 9, 23, 15, tzinfo=UTC)
    demo.load(history=True, now=now)
    _check(now)
    wind = WarningMessage.objects.get(headline__contains="大风")
    assert wind.state == WarningMessage.State.SUBMITTED and wind.submitted_at is not None
    assert wind.submitted_at <= now
    update = WarningMessage.objects.get(msg_type=MsgType.UPDATE, headline__contains="暴雨")
    # 清溪区's own duty officer drafted it and its leader signed it.
    assert update.unit.name == "清溪区应急管理局"
    assert update.drafted_by is not None and update.drafted_by.username == "duty"
    assert update.issued_by is not None and update.issued_by.username == "qingxi_leader"
    operation = update.operation
    assert operation is not None and operation.tasks.filter(group__isnull=False).exists()
    lift = WarningMessage.objects.get(msg_type=MsgType.CANCEL)
    assert (now - lift.issued_at).days == 9 or (now - lift.issued_at).days == 8
    overdue = Risk.objects.get(title__contains="消防通道")
    assert overdue.due_at is not None and overdue.due_at < now
    assert timezone.localdate(now) > overdue.due_on
