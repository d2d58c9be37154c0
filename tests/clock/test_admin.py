"""Administrators keep the official calendar in the admin, through the clock's services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests import personas
from yingji.accounts.models import User
from yingji.audit.models import AuditEntry
from yingji.clock import calendars, services
from yingji.clock.models import CalendarDay, CalendarYear
from yingji.clock.tasks import check_deadlines

pytestmark = pytest.mark.django_db


def test_an_administrator_adds_a_make_up_working_day(
    city_admin: User, admin_client_for, django_capture_on_commit_callbacks
) -> None:
    client = admin_client_for(city_admin)
    assert not calendars.current().is_working_day(date(2027, 2, 13))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/clock/calendarday/add/",
            {"date": "2027-02-13", "kind": "workday", "name": "春节调休"},
        )
    assert response.status_code == 302
    assert calendars.current().is_working_day(date(2027, 2, 13))
    assert CalendarYear.objects.filter(year=2027).exists()
    assert AuditEntry.objects.filter(action="clock.calendar.set_day").exists()


def test_a_weekday_cannot_be_a_make_up_working_day(city_admin: User, admin_client_for) -> None:
    client = admin_client_for(city_admin)
    response = client.post(
        "/admin/clock/calendarday/add/",
        {"date": "2027-02-10", "kind": "workday", "name": "x"},
    )
    assert response.status_code == 200
    assert "调休上班日只能是周六或周日" in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_the_periodic_job_marks_missed_deadlines(city: personas.City) -> None:
    deadline = services.start(
        city.liulin,
        "petition.registration",
        actor=personas.SETUP,
        unit=city.liulin,
        started_at=timezone.now() - timedelta(days=40),
    )
    check_deadlines()
    deadline.refresh_from_db()
    assert deadline.state == "missed"
