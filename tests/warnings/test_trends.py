"""Early warning from petition trends: signals about matters and places, never persons."""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tests import personas
from yingji import crypto
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.clock import calendars
from yingji.petitions.models import Category, Petition
from yingji.petitions.services.similar import index_text
from yingji.timeline.services import events_for
from yingji.warnings.models import Signal
from yingji.warnings.services import matters, surges, trend_rules, trends

pytestmark = pytest.mark.django_db
SERIAL = itertools.count(1)
UNRELATED = itertools.count(1)
TOWNSHIP, COUNTY = "980121100", "980121"
# Unrelated matters: no two cases tell one matter.
THINGS = (
    "水泥厂粉尘", "菜市场占道", "幼儿园收费", "养猪场异味", "加油站选址", "卫生所药价",
    "停车场收费", "垃圾站搬迁", "路灯不亮", "桥梁裂缝", "渡口停运", "水库漏水", "果园被毁",
    "茶园补偿", "鱼塘污染", "林场承包", "砖厂噪声", "公交停运", "广场舞扰民", "低保资格",
    "医保报销", "宅基地确权", "危房改造", "自来水断供", "网络信号",
)  # fmt: skip
PLACES = ("东湾", "南岭", "北岗", "西坝", "上洲", "下寨", "前沟", "后源", "长田", "青桥", "红塘")


@dataclass
class World:
    city: personas.City
    supervisor: User  # 白石县's petitions supervisor
    outsider: User  # 清溪区's
    category: Category
    other: Category


@pytest.fixture
def world(city: personas.City) -> World:
    categories = list(Category.objects.filter(parent__isnull=False).order_by("pk")[:2])
    return World(
        city=city,
        supervisor=personas.make_user("sup", city.baishi, Role.SUPERVISOR, name="督查员"),
        outsider=personas.make_user("qx", city.qingxi, Role.SUPERVISOR, name="清溪督查"),
        category=categories[0],
        other=categories[1],
    )


def petition(
    world: World,
    *,
    days_ago: float,
    who: int,
    text: str = "",
    region: str = "980121100201",
    category: Category | None = None,
    collective: bool = False,
    drill: bool = False,
) -> Petition:
    serial = next(SERIAL)
    unrelated = next(UNRELATED) if not text else 0
    name = f"张{'伟芳明'[who % 3]}{who}"
    phone = f"139{who:08d}"
    made = Petition.objects.create(
        number=f"T{serial:06d}",
        receipt_hash=f"{serial:064x}",
        office=world.city.baishizhen,
        unit=world.city.baishizhen,
        channel="visit",
        received_at=timezone.now() - timedelta(days=days_ago),
        petitioner_kind="person",
        name_enc=crypto.encrypt(name),
        name_masked=crypto.mask_name(name),
        phone_enc=crypto.encrypt(phone),
        phone_masked=crypto.mask_phone(phone),
        phone_hash=crypto.lookup_hash("phone", phone),
        request=text or THINGS[unrelated % len(THINGS)],
        facts=text or f"{PLACES[unrelated % len(PLACES)]}的{THINGS[unrelated % len(THINGS)]}",
        category=category or world.category,
        region_code=region,
        place="白石村",
        stage="registered",
        people_count=30 if collective else 1,
        is_collective=collective,
        is_drill=drill,
    )
    with transaction.atomic():
        index_text(made)
    return made


def quiet_baseline(world: World) -> None:
    for n in range(3):
        petition(world, days_ago=10 + n * 12, who=900 + n)


def surge(world: World, *, people: int = 8, drill: bool = False, same: bool = False) -> None:
    for n in range(people):
        text = "要求解决本人承包鱼塘被淹的补偿" if same else ""
        petition(world, days_ago=0.1 + n * 0.2, who=1 if same else 100 + n, drill=drill, text=text)


MATTER = (
    "要求青坪置业有限公司退还东坪家园购房定金",
    "东坪家园项目停工，青坪置业有限公司拒不退还定金，业主多次交涉无果。",
)


def cluster(world: World, *, cases: int = 6, same: bool = False) -> None:
    # One early case, the rest in the window's second half: growing.
    days = [25, *[8 - n for n in range(cases - 1)]]
    for n, day in enumerate(days):
        request, facts = MATTER
        petition(world, days_ago=day, who=1 if same else 200 + n, text=f"{request}。{facts}")
    for n in range(6):  # unrelated matters of the same place and category
        petition(world, days_ago=5 + n, who=300 + n)


def test_a_surge_in_one_township_is_raised_with_its_evidence_and_cases(world: World) -> None:
    quiet_baseline(world)
    surge(world)
    written = trends.scan()
    signal = Signal.objects.get(kind=Signal.Kind.SURGE)
    assert written >= 1
    assert signal.region_code == TOWNSHIP and signal.unit == world.city.baishizhen
    assert signal.key == f"surge:{world.category.pk}:{TOWNSHIP}"
    assert signal.count == 8 and signal.petitions.count() == 8
    evidence = signal.evidence
    assert evidence["count"] == 8 and evidence["petitioners"] == 8
    assert evidence["p_value"] < evidence["alpha"] and evidence["expected"] < 1
    assert sum(count for _day, count in evidence["daily"]) == 11  # baseline and window
    assert signal.limit is not None and signal.count >= signal.limit
    assert "白石镇" in signal.rule and world.category.name in signal.rule
    # The county's count is its township's surge: one signal, not two.
    assert not Signal.objects.filter(region_code=COUNTY).exists()
    assert AuditEntry.objects.filter(action="warnings.signal.raise").count() == 1
    assert [e.kind for e in events_for(signal)] == ["signal.raised"]


def test_a_slow_rise_is_judged_over_the_longest_window(world: World) -> None:
    # Seven petitioners over five days: no single day stands out, the five days do.
    quiet_baseline(world)
    for n in range(7):
        petition(world, days_ago=0.3 + n * 0.7, who=700 + n)
    trends.scan()
    signal = Signal.objects.get(kind=Signal.Kind.SURGE, region_code=TOWNSHIP)
    evidence = signal.evidence
    assert evidence["window_days"] == evidence["windows_tested"] == 5
    assert signal.count == 7 and evidence["petitioners"] == 7
    # The scan's chance of a false surge is split over every place tested; a place's
    # windows are judged together, by the chance that any of them is as unlikely.
    tested = evidence["places_tested"]
    assert evidence["alpha"] == pytest.approx(evidence["false_per_scan"] / tested)
    assert evidence["p_value"] <= evidence["family_p"] < evidence["alpha"]
    assert evidence["family_p"] < evidence["windows_tested"] * evidence["p_value"]


def test_the_windows_chance_is_exact() -> None:
    # Three nested windows of 0.4 cases a day: every way the three days can fall,
    # summed where some window reaches its threshold for p.
    expected, p, least = [0.4, 0.8, 1.2], 0.01, 2
    thresholds = [surges._threshold(p, mean, least) for mean in expected]
    pmf = [math.exp(-0.4) * 0.4**k / math.factorial(k) for k in range(25)]
    brute = 0.0
    for a, b, c in itertools.product(range(25), repeat=3):
        if a >= thresholds[0] or a + b >= thresholds[1] or a + b + c >= thresholds[2]:
            brute += pmf[a] * pmf[b] * pmf[c]
    assert surges._family_p(p, expected, least) == pytest.approx(brute, rel=1e-9)
    bonferroni = sum(map(trend_rules.poisson_tail, thresholds, expected))
    assert p <= brute < bonferroni


SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_days_weigh_rest_days_by_the_ratio(db: None) -> None:
    days = surges.Days(0.25)
    friday_noon = datetime(2026, 11, 27, 12, tzinfo=SHANGHAI)
    assert days.weight(friday_noon, friday_noon + timedelta(days=1)) == pytest.approx(0.5 + 0.125)
    # National Day's holidays are rest days, a Friday among them.
    holiday = datetime(2026, 10, 2, tzinfo=SHANGHAI)
    assert days.weight(holiday, holiday + timedelta(days=2)) == pytest.approx(0.5)


def at(moment: datetime) -> float:
    return (timezone.now() - moment) / timedelta(days=1)


def test_a_rise_on_a_rest_day_is_judged_against_rest_days(world: World) -> None:
    # Five cases each working day and one every other rest day over the baseline: a rest
    # day is a tenth of a working day. Six on a Sunday are then a surge, though fewer
    # than two working days' worth.
    now = datetime(2026, 11, 29, 20, tzinfo=SHANGHAI)  # a Sunday
    calendar = calendars.current()
    day, who, rest_days = date(2026, 9, 29), itertools.count(1000), 0
    while day < date(2026, 11, 24):
        noon = datetime.combine(day, time(10), tzinfo=SHANGHAI)
        if calendar.is_working_day(day):
            for n in range(5):
                petition(world, days_ago=at(noon + timedelta(minutes=n)), who=next(who))
        else:
            if rest_days % 2:
                petition(world, days_ago=at(noon), who=next(who))
            rest_days += 1
        day += timedelta(days=1)
    for n in range(6):
        moment = datetime(2026, 11, 29, 9 + n, tzinfo=SHANGHAI)
        petition(world, days_ago=at(moment), who=2000 + n)
    found = [f for f in surges.surges(now) if f.place == TOWNSHIP]
    assert len(found) == 1
    evidence = found[0].evidence
    assert evidence["window_days"] == 1 and evidence["count"] == 6
    assert evidence["rest_day_ratio"] == pytest.approx(0.1, abs=0.02)
    # Without the calendar the day would expect a 56th of the baseline: no surge.
    assert trend_rules.SURGE_RATIO * evidence["baseline_cases"] / 56 > 6


def test_a_short_history_does_not_make_a_usual_name_rare(world: World) -> None:
    # The place's cases of the category go back 30 days before the window, two of them
    # naming 东坪家园: its rate is two a month, not two a year, and six cases in the
    # window's month are three times that, no burst. A year of history makes the same
    # two rare.
    start = timezone.now() - timedelta(days=30)
    request, facts = MATTER
    for n, day in enumerate((45, 60)):
        petition(world, days_ago=day, who=800 + n, text=f"{request}。{facts}")
    word = "东坪"
    assert trend_rules.poisson_tail(6, 2 / 30 * 30) > trend_rules.NAME_ALPHA
    group = (world.category.pk, TOWNSHIP)
    history = matters._history(start, [group])
    burst = matters._burst(word, 6, group, start, 30, history)
    assert burst is None
    petition(world, days_ago=360, who=810)  # an unrelated case a year ago
    history = matters._history(start, [group])
    burst = matters._burst(word, 6, group, start, 30, history)
    assert burst is not None and burst["name_past_year"] == 2
    assert burst["name_past_days"] == 330


def test_the_poisson_tail_is_right() -> None:
    assert trend_rules.poisson_tail(0, 2.0) == 1.0
    assert trend_rules.poisson_tail(1, 2.0) == pytest.approx(1 - 2.718281828**-2)
    assert trend_rules.poisson_tail(5, 0.1) == pytest.approx(7.66e-8, rel=0.01)


def test_one_person_petitioning_twenty_times_is_no_signal(world: World) -> None:
    quiet_baseline(world)
    surge(world, people=20, same=True)
    cluster(world, cases=8, same=True)
    trends.scan()
    assert list(Signal.objects.values_list("rule", flat=True)) == []


def test_a_growing_cluster_from_several_petitioners_is_a_matter(world: World) -> None:
    cluster(world)
    trends.scan()
    signal = Signal.objects.get(kind=Signal.Kind.CLUSTER)
    assert signal.count == 6 and signal.evidence["petitioners"] == 6
    assert signal.evidence["second_half"] > signal.evidence["first_half"]
    assert signal.matter and "张" not in signal.matter
    assert "青坪" in signal.matter or "东坪" in signal.matter or "定金" in signal.matter


def test_a_name_the_place_often_holds_needs_more_cases_than_usual(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The township's 卫生院 is named by its medical cases all year round (two a month):
    # six cases naming it in a month are its usual share, not a new matter. In a city,
    # the category's newest cases (the rarity reference) are from other places, where
    # the name is rare: as here with a reference of the newest twelve.
    monkeypatch.setattr(matters, "MAX_REFERENCE", 12)
    usual = "反映白沙卫生院的诊疗问题"
    for n in range(24):
        petition(world, days_ago=40 + n * 13, who=500 + n, text=f"{usual}。白沙卫生院第{n}次")
    cluster(world)  # the cluster of 东坪家园, whose names the past year never held
    for n in range(6):
        petition(world, days_ago=20 - n * 3, who=600 + n, text=f"{usual}。白沙卫生院第{30 + n}次")
    trends.scan()
    signal = Signal.objects.get(kind=Signal.Kind.CLUSTER)
    assert "卫生院" not in signal.matter and signal.count == 6
    assert signal.evidence["name_past_year"] == 0
    assert signal.evidence["name_expected"] < 0.1


def test_collective_visits_about_one_matter(world: World) -> None:
    request, facts = MATTER
    for n in range(2):
        petition(world, days_ago=3 + n, who=400 + n, text=f"{request}。{facts}", collective=True)
    petition(world, days_ago=2, who=410, collective=True)  # another matter
    trends.scan()
    signal = Signal.objects.get(kind=Signal.Kind.COLLECTIVE)
    assert signal.count == 2


def test_a_second_scan_updates_rather_than_duplicates(world: World) -> None:
    quiet_baseline(world)
    surge(world)
    trends.scan()
    assert trends.scan() == 0  # nothing new
    petition(world, days_ago=0.05, who=150)
    assert trends.scan() >= 1
    signal = Signal.objects.get(kind=Signal.Kind.SURGE)
    assert signal.count == 9 and signal.petitions.count() == 9
    assert AuditEntry.objects.filter(action="warnings.signal.raise").count() == 1


def test_drill_petitions_do_not_count(world: World) -> None:
    quiet_baseline(world)
    surge(world, drill=True)
    trends.scan()
    assert not Signal.objects.exists()


def _raised(world: World) -> Signal:
    quiet_baseline(world)
    surge(world)
    trends.scan()
    return Signal.objects.get(kind=Signal.Kind.SURGE)


def test_no_petitioner_field_appears_on_the_page_or_in_the_api(
    world: World, client_for: Any
) -> None:
    signal = _raised(world)
    client = client_for(world.supervisor)
    page = client.get(reverse("warnings:signal", args=[signal.pk]))
    listed = client.get(reverse("warnings:signals"))
    api = client.get(f"/api/v1/warning-signals/{signal.pk}")
    api_list = client.get("/api/v1/warning-signals")
    assert page.status_code == 200 and api.status_code == 200
    assert listed.status_code == 200 and api_list.status_code == 200
    assert len(api.json()["cases"]) == 8
    outputs = [page.content.decode(), listed.content.decode(), api.content.decode()]
    outputs.append(api_list.content.decode())
    for case in signal.petitions.all():
        for value in (case.name_masked, case.phone_masked, case.phone_hash):
            assert all(value not in out for out in outputs), value
    assert signal.petitions.first().number in outputs[0]


def test_signals_are_invisible_outside_the_jurisdiction(world: World, client_for: Any) -> None:
    signal = _raised(world)
    assert trends.visible_signals(world.supervisor).count() == 1
    assert not trends.visible_signals(world.outsider).exists()
    client = client_for(world.outsider)
    assert client.get(reverse("warnings:signal", args=[signal.pk])).status_code == 404
    assert client.get(f"/api/v1/warning-signals/{signal.pk}").status_code == 404
    assert client.get("/api/v1/warning-signals").json()["items"] == []


def test_dismissing_needs_a_reason(world: World, client_for: Any) -> None:
    signal = _raised(world)
    actor = Actor(world.supervisor)
    with pytest.raises(ValidationError) as refused:
        trends.dismiss(signal, actor=actor, reason="  ")
    assert "reason" in refused.value.message_dict
    client = client_for(world.supervisor)
    url = f"/api/v1/warning-signals/{signal.pk}/dismiss"
    assert client.post(url, json.dumps({"reason": ""}), "application/json").status_code == 422
    too_long = json.dumps({"reason": "长" * 501})
    assert client.post(url, too_long, "application/json").status_code == 422
    page = client.post(reverse("warnings:signal_dismiss", args=[signal.pk]), {"reason": ""})
    assert page.status_code == 400
    signal.refresh_from_db()
    assert signal.state == Signal.State.OPEN
    done = client.post(
        url, json.dumps({"reason": "系同一工程款纠纷，已包案处理"}), "application/json"
    )
    assert done.status_code == 200 and done.json()["state"] == "dismissed"
    assert AuditEntry.objects.filter(action="warnings.signal.dismiss").count() == 1
    # A dismissed signal is closed; a new surge opens a new one.
    assert client.post(url, json.dumps({"reason": "再次"}), "application/json").status_code == 422


def test_only_those_who_decide_may_scan_or_decide(world: World, client_for: Any) -> None:
    signal = _raised(world)
    clerk = personas.make_user("clk", world.city.baishi, Role.INTAKE_CLERK, name="登记员")
    client = client_for(clerk)
    assert client.get(f"/api/v1/warning-signals/{signal.pk}").status_code == 200
    assert client.post("/api/v1/warning-signals/scan").status_code == 403
    url = f"/api/v1/warning-signals/{signal.pk}/dismiss"
    assert client.post(url, json.dumps({"reason": "无"}), "application/json").status_code == 403
    officer = personas.make_user("duty1", world.city.baishi, Role.DUTY_OFFICER, name="值班员")
    outside = client_for(officer)
    assert outside.get("/api/v1/warning-signals").status_code == 403
    assert outside.get(reverse("warnings:signals")).status_code == 403
    assert outside.get(f"/api/v1/warning-signals/{signal.pk}").status_code == 404
    allowed = client_for(world.supervisor).post("/api/v1/warning-signals/scan")
    assert allowed.status_code == 200 and allowed.json()["written"] == 0


def test_turning_a_signal_into_a_risk_links_the_risk(world: World) -> None:
    pytest.importorskip("yingji.warnings.services.risks")
    signal = _raised(world)
    risk = trends.to_risk(signal, {"level": "general"}, actor=Actor(world.supervisor))
    signal.refresh_from_db()
    assert signal.state == Signal.State.TO_RISK and signal.risk == risk
    assert risk.source == "signal" and risk.region_code == TOWNSHIP
    for case in signal.petitions.all():
        assert case.name_masked not in risk.description


def test_turning_a_signal_into_a_warning_makes_a_draft(world: World) -> None:
    pytest.importorskip("yingji.warnings.services.alerts")
    signal = _raised(world)
    leader = personas.make_user("ldr", world.city.baishi, Role.DUTY_LEADER, name="县领导")
    message = trends.to_warning(signal, {"level": 3}, actor=Actor(leader))
    signal.refresh_from_db()
    assert signal.state == Signal.State.TO_WARNING and signal.warning == message
    assert message.state == "draft" and TOWNSHIP in message.region_codes


def test_the_page_offers_a_warning_draft_only_to_those_who_may_draft(
    world: World, client_for: Any
) -> None:
    # A petition office's supervisor decides signals and may put them on the risk
    # register, but drafts no warnings: that form is not shown, and a post is refused.
    signal = _raised(world)
    client = client_for(world.supervisor)
    page = client.get(signal.get_absolute_url()).content.decode()
    assert reverse("warnings:signal_to_risk", args=[signal.pk]) in page
    assert reverse("warnings:signal_to_warning", args=[signal.pk]) not in page
    refused = client.post(reverse("warnings:signal_to_warning", args=[signal.pk]), {})
    assert refused.status_code == 403
    signal.refresh_from_db()
    assert signal.state == Signal.State.OPEN
    leader = personas.make_user("ldr2", world.city.baishi, Role.DUTY_LEADER, name="县领导")
    page = client_for(leader).get(signal.get_absolute_url()).content.decode()
    assert reverse("warnings:signal_to_warning", args=[signal.pk]) in page


@pytest.mark.django_db(transaction=True)
def test_the_scan_writes_in_its_own_transactions(reference_data: None) -> None:
    city = personas.build_city()
    category = Category.objects.filter(parent__isnull=False).order_by("pk").first()
    assert category is not None
    world = World(
        city,
        personas.make_user("sup", city.baishi, Role.SUPERVISOR, name="督查员"),
        personas.make_user("qx", city.qingxi, Role.SUPERVISOR, name="清溪督查"),
        category,
        category,
    )
    quiet_baseline(world)
    surge(world)
    assert trends.scan(timezone.now()) >= 1
    assert Signal.objects.filter(state="open").count() == 1
    assert isinstance(Signal.objects.get().raised_at, datetime)


def test_the_chart_sets_apart_the_days_between_the_baseline_and_a_short_window() -> None:
    from yingji.warnings import signal_views

    daily = [[f"2026-11-{day:02d}", day % 3] for day in range(20, 30)]
    drawn = signal_views.chart(daily, "2026-11-28", "2026-11-26")
    kinds = [
        ("window" if b["recent"] else "between" if b["between"] else "base") for b in drawn["bars"]
    ]
    assert kinds == ["base"] * 6 + ["between"] * 2 + ["window"] * 2 and drawn["gap"]
    assert not signal_views.chart(daily, "2026-11-26", "2026-11-26")["gap"]
