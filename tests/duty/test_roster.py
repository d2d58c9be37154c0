"""The duty roster: rotations over the official calendar, who is on duty, feeds."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from icalendar import Calendar

from tests import personas
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.duty import services
from yingji.duty.models import Shift, SpecialPeriod
from yingji.org.models import Person

pytestmark = pytest.mark.django_db
SETUP = Actor.system("tests")


def staff(city: personas.City) -> dict[str, list[Person]]:
    return {
        "leaders": [personas.person(n, city.baishizhen) for n in ("钱镇长", "孙书记")],
        "officers": [personas.person(n, city.baishizhen) for n in ("甲", "乙", "丙")],
        "backups": [personas.person("丁", city.baishizhen)],
    }


def local(shift: Shift) -> datetime:
    return shift.starts_at.astimezone(clock.office_zone())


def test_a_daily_rotation_across_national_day_is_stricter_on_the_holiday(
    city: personas.City,
) -> None:
    people = staff(city)
    rotation = services.Rotation(officers_per_shift=1, **people)
    shifts = services.generate(
        city.baishizhen, date(2026, 9, 28), date(2026, 10, 9), rotation, actor=SETUP
    )
    assert len(shifts) == 12
    by_day = {local(s).date(): s for s in shifts}
    assert local(shifts[0]).time() == time(8, 30)
    assert all(a.ends_at == b.starts_at for a, b in itertools.pairwise(shifts))
    for day in range(1, 8):  # 国庆: 1-7 October 2026
        shift = by_day[date(2026, 10, day)]
        roles = [m.role for m in shift.members.all()]
        assert shift.kind == Shift.Kind.HOLIDAY, day
        assert roles.count("leader") == 1 and roles.count("officer") == 2, day
    regular = by_day[date(2026, 9, 29)]
    assert regular.kind == Shift.Kind.REGULAR
    assert [m.role for m in regular.members.all()].count("officer") == 1
    # The leaders alternate day by day.
    leaders = [s.members.get(role="leader").person.name for s in shifts[:4]]
    assert leaders == ["钱镇长", "孙书记", "钱镇长", "孙书记"]


def test_holidays_without_a_leader_or_enough_officers_are_refused(city: personas.City) -> None:
    people = staff(city)
    rotation = services.Rotation(officers=people["officers"][:1])
    with pytest.raises(ValidationError) as refused:
        services.generate(
            city.baishizhen, date(2026, 9, 30), date(2026, 10, 2), rotation, actor=SETUP
        )
    assert set(refused.value.message_dict) == {"leaders", "officers"}
    assert "2026-10-01" in refused.value.message_dict["leaders"][0]
    assert not Shift.objects.exists()
    with override_settings(DUTY_HOLIDAY_LEADER=False, DUTY_HOLIDAY_OFFICERS=1):
        services.generate(
            city.baishizhen, date(2026, 9, 30), date(2026, 10, 2), rotation, actor=SETUP
        )
    assert Shift.objects.count() == 3


def test_a_special_period_counts_as_strict(city: personas.City) -> None:
    SpecialPeriod.objects.create(
        name="重要会议保障期",
        starts_on=date(2026, 11, 3),
        ends_on=date(2026, 11, 4),
        unit=city.baishi,
    )
    rotation = services.Rotation(**staff(city))
    shifts = services.generate(
        city.baishizhen, date(2026, 11, 2), date(2026, 11, 5), rotation, actor=SETUP
    )
    assert [s.kind for s in shifts] == ["regular", "special", "special", "regular"]
    assert shifts[1].note == "重要会议保障期"


def test_overlaps_gaps_and_strangers_are_refused_with_the_field(city: personas.City) -> None:
    rotation = services.Rotation(**staff(city))
    services.generate(city.baishizhen, date(2026, 11, 2), date(2026, 11, 5), rotation, actor=SETUP)
    with pytest.raises(ValidationError) as refused:
        services.generate(
            city.baishizhen, date(2026, 11, 5), date(2026, 11, 8), rotation, actor=SETUP
        )
    assert "first" in refused.value.message_dict
    with pytest.raises(ValidationError) as gap:
        services.generate(
            city.baishizhen,
            date(2026, 12, 1),
            date(2026, 12, 3),
            services.Rotation(hours=12, **staff(city)),
            actor=SETUP,
        )
    assert "hours" in gap.value.message_dict
    stranger = personas.person("外人", city.liulin)
    with pytest.raises(ValidationError) as outside:
        services.generate(
            city.baishizhen,
            date(2026, 12, 1),
            date(2026, 12, 3),
            services.Rotation(officers=[stranger]),
            actor=SETUP,
        )
    assert "people" in outside.value.message_dict
    assert Shift.objects.count() == 4


def test_who_is_on_duty_now_and_up_the_tree(city: personas.City) -> None:
    people = staff(city)
    services.generate(
        city.baishizhen,
        date(2026, 11, 2),
        date(2026, 11, 3),
        services.Rotation(**people),
        actor=SETUP,
    )
    zone = clock.office_zone()
    at = datetime(2026, 11, 3, 9, 0, tzinfo=zone)
    duty = services.on_duty(city.baishizhen, at)
    assert duty is not None and duty.unit == city.baishizhen
    assert duty.leader is not None and duty.leader.name == "孙书记"
    assert [p.name for p in duty.officers] == ["乙"] and duty.backup is not None
    # 白石村 keeps no roster: the township answers for it.
    village = services.on_duty(city.baishicun, at)
    assert village is not None and village.unit == city.baishizhen
    assert services.on_duty(city.baishicun, datetime(2026, 11, 3, 8, 0, tzinfo=zone)) is not None
    assert services.on_duty(city.liulin, at) is None


def test_the_icalendar_feeds_parse_and_need_their_secret(city: personas.City) -> None:
    from django.utils import timezone

    people = staff(city)
    today = timezone.localdate()
    services.generate(
        city.baishizhen,
        today,
        date.fromordinal(today.toordinal() + 6),
        services.Rotation(**people),
        actor=SETUP,
    )
    token = services.new_feed_token(actor=SETUP, person=people["officers"][0])
    response = Client().get(f"/duty/feed/{token}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    parsed = Calendar.from_ical(response.content)
    events = list(parsed.walk("VEVENT"))
    assert events and all("值班员" in str(e["SUMMARY"]) for e in events)
    assert all(e["DTEND"].dt > e["DTSTART"].dt for e in events)
    unit_token = services.new_feed_token(actor=SETUP, unit=city.baishizhen)
    unit_feed = Calendar.from_ical(Client().get(f"/duty/feed/{unit_token}.ics").content)
    assert len(list(unit_feed.walk("VEVENT"))) == 7
    assert "带班领导" in str(next(iter(unit_feed.walk("VEVENT")))["DESCRIPTION"])
    assert Client().get("/duty/feed/not-the-secret.ics").status_code == 404
    replaced = services.new_feed_token(actor=SETUP, person=people["officers"][0])
    assert Client().get(f"/duty/feed/{token}.ics").status_code == 404
    assert Client().get(f"/duty/feed/{replaced}.ics").status_code == 200
