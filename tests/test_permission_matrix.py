"""The permission matrix: every page and API endpoint that lists or shows objects, opened by
every demo role, against the jurisdiction rule (org.jurisdiction).

The rule, as the tables below spell it out by hand (never computed by the code under test):

- a region unit (市/县/乡镇 government) acts for its own subtree in every line of work;
- a department acts for its own subtree and, in its lines of work (``Unit.work_lines``),
  for the whole subtree of the region it belongs to;
- an institution, or a department with no line, acts for its own subtree only;
- an accusation (检举控告) is never visible to the accused unit or anything below it;
- what is out of jurisdiction answers 404 (never 403), on pages and API alike; a visible
  object with a forbidden act answers 403 with a Chinese message.

Two documented additions of the plans app are part of the expected sets: a user sees the
plans of the units above their own (a township acts on its county's 总体预案), and the plans
filed (备案) with a unit they act as (plans/access.py).

The route tables are checked against Django's resolver and the OpenAPI schema: a route in
neither table fails ``test_every_route_has_a_row``, so a new endpoint needs a row here.
Where the application disagrees with the rule, the row's expectation stays the rule's and
the disagreement is listed in ``KNOWN`` (each entry must still disagree: a fixed one fails
until it is taken off the list).
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone

from yingji import demo
from yingji.accounts import services as accounts
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.documents import services as documents
from yingji.duty import log as duty_log
from yingji.duty import services as duty
from yingji.incidents import services as incidents
from yingji.incidents.models import Incident, Report
from yingji.notify import services as notify
from yingji.org import services as org
from yingji.org.models import Person, Unit
from yingji.petitions import services as petitions
from yingji.petitions.models import Petition
from yingji.plans.models import PlanVersion
from yingji.resources import catalogue, equipment, people
from yingji.resources import services as resources
from yingji.resources.models import Category as SupplyCategory

pytestmark = pytest.mark.django_db

ROLES = (
    "admin",
    "leader",
    "duty",
    "member",
    "clerk",
    "handler",
    "supervisor",
    "planner",
    "storekeeper",
)

# --- who sees what, by the rule ------------------------------------------------------------
#
# Areas in the petitions line: admin (安澜市) and supervisor (安澜市信访局) the whole city;
# handler (白石县信访局) 白石县; clerk 白石镇; member 河西街道; the emergency bureaus'
# people (leader, planner, duty, storekeeper) only their own bureau, which holds no case.
# Areas in the emergency line: admin, leader and planner (安澜市应急管理局) the whole city;
# duty 清溪区; storekeeper 白石县; member 河西街道; clerk 白石镇; the petition bureaus'
# people (handler, supervisor) only their own bureau.
# The directory of units and people (any line): admin, leader, planner, supervisor the
# city; handler and storekeeper 白石县; duty 清溪区; clerk 白石镇; member 河西街道.

CITY_EMERGENCY = frozenset({"admin", "leader", "planner"})
SEES: dict[str, frozenset[str]] = {
    # petitions
    "wages": frozenset({"admin", "clerk", "handler", "supervisor"}),  # 白石镇 → 白石村
    "contract": frozenset({"admin", "clerk", "handler", "supervisor"}),  # 白石镇
    "liulin": frozenset({"admin", "handler", "supervisor"}),  # 柳林乡
    "hexi": frozenset({"admin", "member", "supervisor"}),  # 河西街道, the other county
    "accusation": frozenset({"admin", "handler", "supervisor"}),  # against 白石镇
    "review": frozenset({"admin", "handler", "supervisor"}),  # 白石县's, reviewed by 安澜市
    # incidents
    "gate": CITY_EMERGENCY | {"storekeeper"},  # 白石县应急管理局
    "flood": CITY_EMERGENCY | {"duty"},  # 清溪区应急管理局
    # plans: the area, plus the plans of units above the user's, plus filings received
    "county_plan": CITY_EMERGENCY | {"storekeeper", "clerk", "handler"},  # 白石县's
    "township_plan": CITY_EMERGENCY | {"storekeeper", "clerk"},  # 白石镇's
    # readiness is the area's stock against a plan in force of the area (no units above)
    "county_readiness": CITY_EMERGENCY | {"storekeeper"},
    "township_readiness": CITY_EMERGENCY | {"storekeeper", "clerk"},
    # filings (备案) are answered by the body a plan is filed with, and those acting as it
    "county_filing": CITY_EMERGENCY,  # filed with 安澜市
    "township_filing": frozenset({"admin", "storekeeper"}),  # filed with 白石县
    # resources and rosters
    "baishi_store": CITY_EMERGENCY | {"storekeeper"},  # warehouse, lot, team, expert of 白石县
    "qingxi_store": CITY_EMERGENCY | {"duty"},  # warehouse of 清溪区
    "qingxi_roster": CITY_EMERGENCY | {"duty"},  # 清溪区应急管理局's shifts
    "baishi_roster": CITY_EMERGENCY | {"storekeeper"},  # 白石县's shifts
    # a unit's annual drill programme: the units of the emergency area
    "baishizhen_programme": CITY_EMERGENCY | {"storekeeper", "clerk"},  # 白石镇's
    # drills of 安澜市应急管理局, in which the storekeeper takes part
    "drill": CITY_EMERGENCY | {"storekeeper"},
    # the directory
    "unit_baishizhen": frozenset(
        {"admin", "leader", "planner", "supervisor", "handler", "storekeeper", "clerk"}
    ),
    "unit_hexi": frozenset({"admin", "leader", "planner", "supervisor", "duty", "member"}),
    "unit_city": frozenset({"admin", "leader", "planner", "supervisor"}),
    # one's own notifications
    "clerk_note": frozenset({"clerk"}),
    # prevention (warnings app). A warning is seen where its unit is (the issuing unit and
    # the levels above it), and an issued one also by the units of the places it names
    # (the city bureau's rainstorm warning over 河西街道 and 望湖街道: 清溪区, 河西街道);
    # a draft is its unit's until it is issued.
    "rain_warning": CITY_EMERGENCY | {"duty", "member"},
    "qingxi_draft": CITY_EMERGENCY | {"duty"},  # 清溪区应急管理局's draft
    "fire_warning": CITY_EMERGENCY | {"storekeeper"},  # the city's, over 柳林乡 of 白石县
    "nobody": frozenset(),
    "everyone": frozenset(ROLES),
    # the register, rounds and checklists: the emergency staff and team members of the
    # area (warnings.view_risk, plan_inspection, inspect: not the administrator)
    "fire_lane_risk": frozenset({"leader", "planner", "duty"}),  # 清溪区应急管理局's
    "underpass_risk": frozenset({"leader", "planner", "duty", "member"}),  # 河西街道's
    "hexi_round": frozenset({"leader", "planner", "duty", "member"}),  # 河西街道's round
    # 清溪区应急管理局's checklist serves the rounds of 清溪区 (河西街道's among them)
    "qingxi_checklist": frozenset({"leader", "planner", "duty", "member"}),
    # a trend signal of 白石镇's petitions: the petitions area of those who may see signals
    # (warnings.view_signal: not the administrator; the emergency leader's petitions area
    # is only its own bureau)
    "land_signal": frozenset({"clerk", "handler", "supervisor"}),
    # 白石县信访局's monthly petition report: the county's and the city's petition staff
    # who see petition figures (the township clerk's area is 白石镇 only)
    "county_report": frozenset({"handler", "supervisor"}),
}
EMERGENCY_STAFF = frozenset({"duty", "leader", "planner"})
# Those who may see incident and readiness figures are refused nothing else.
EMERGENCY_FIGURES = frozenset({"admin", "member", "clerk", "handler", "supervisor"})

# --- the demo city, with one of each object the detail endpoints show -------------------------

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
ELEMENTS = {
    "occurred": "今日 07:40",
    "place": "清溪区河西街道滨河路",
    "source": "群众电话报告",
    "nature": "强降雨致道路积水",
    "scope": "两辆车辆熄火，无人员伤亡",
    "trend": "降雨减弱，积水缓慢消退",
    "measures": "设置警示，疏导交通",
    "next_steps": "持续排水，及时续报",
    "signer_name": "张局长",
    "contact_name": "李值班",
    "contact_phone": "0999-22350",
}
TEAM_NAME = "白石县综合应急救援大队"
EXPERT_TITLE = "白石县心理咨询师"
NOTE_TITLE = "矩阵测试：请核对白石镇来访登记"
ACTION_TEXT = "矩阵测试：组织现场处置组专项培训"


def _helper_user(username: str, unit: Unit, role: Role, name: str) -> User:
    """A helper outside the demo roles, made through the services, to make objects that
    only a storekeeper or leader of that unit may make."""
    system = Actor.system("tests")
    person = org.create_person(actor=system, name=name, unit=unit)
    return accounts.create_user(
        actor=system,
        username=username,
        password=demo.DEMO_PASSWORD,
        unit=unit,
        person=person,
        roles=[str(role)],
    )


def build_world(settings: Any) -> dict[str, Any]:
    """Load the demo, add what it lacks, and return every object's id by name."""
    demo.load()
    system = Actor.system("tests")
    units = {u.name: u for u in Unit.objects.all()}
    users = {u.username: u for u in User.objects.all()}
    w: dict[str, Any] = {}

    # Petitions
    cases = Petition.objects.select_related("category", "office")
    w["wages"] = cases.get(category__code="labour.wages").pk
    w["contract"] = cases.get(category__code="rural.contract").pk
    w["liulin"] = cases.get(office__name="柳林乡").pk
    w["hexi"] = cases.get(office__name="河西街道").pk
    w["accusation"] = cases.get(category__is_accusation=True).pk
    review = cases.get(stage=Petition.Stage.UNDER_REVIEW)
    w["review"] = review.pk
    for key in ("wages", "contract", "liulin", "hexi", "accusation", "review"):
        w[f"{key}_number"] = Petition.objects.get(pk=w[key]).number
    reply = documents.documents_of(review).order_by("pk").first()
    assert reply is not None  # the written reply the review is about
    w["review_document"] = reply.pk
    wages = Petition.objects.get(pk=w["wages"])
    scan = SimpleUploadedFile("登记表.png", PNG, content_type="image/png")
    w["wages_attachment"] = petitions.attach(wages, [scan], actor=system)[0].pk

    # Incidents: the gate incident graded and responding (tasks, a photo), the flood one
    # with a submitted first report (its document) and a draft follow-up.
    gate = Incident.objects.get(unit__name="白石县应急管理局")
    flood = Incident.objects.get(unit__name="清溪区应急管理局")
    w["gate"], w["flood"] = gate.pk, flood.pk
    bs_leader = _helper_user("bs_leader", units["白石县应急管理局"], Role.DUTY_LEADER, "韩县长")
    county_version = PlanVersion.objects.get(
        plan__owner__name="白石县", status=PlanVersion.Status.IN_FORCE
    )
    as_leader = Actor(user=bs_leader)
    incidents.grade(gate, 4, version=county_version, reason="矩阵测试", actor=as_leader)
    incidents.activate(gate, county_version, actor=as_leader)
    task = gate.tasks.order_by("pk").first()
    assert task is not None
    w["gate_task"] = task.pk
    note = incidents.add_note(task, "已到现场", photo=("现场.png", PNG), actor=as_leader)
    w["gate_note"] = note.pk
    incidents.request_resources(gate, {"what": "应急照明灯", "quantity": "5"}, actor=as_leader)
    # A corrective action of the gate incident's review, owned by 白石县应急管理局 and done
    # with its evidence attached.
    from yingji.drills import actions as corrective

    gate_action = corrective.create_action(
        gate,
        {
            "problem": "现场处置组到场超时",
            "action": ACTION_TEXT,
            "need": "training",
            "owner_unit": units["白石县应急管理局"].pk,
            "owner": bs_leader.pk,
            "due_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
        actor=as_leader,
    )
    corrective.mark_done(
        gate_action, actor=as_leader, evidence="已组织培训", attachment=("签到表.png", PNG)
    )
    w["gate_action"] = gate_action.pk
    w["gate_action_file"] = documents.documents_of(gate_action).get().pk
    as_duty = Actor(user=users["duty"])
    first = incidents.save_report(flood, Report.Stage.FIRST, ELEMENTS, actor=as_duty)
    w["flood_report"] = incidents.submit_report(first, actor=as_duty).pk
    draft = incidents.save_report(flood, Report.Stage.FOLLOWUP, ELEMENTS, actor=as_duty)
    w["flood_draft"] = draft.pk

    # Plans
    w["county_plan"] = county_version.plan_id
    w["county_version"] = county_version.pk
    township = PlanVersion.objects.get(plan__owner__name="白石镇")
    w["township_plan"] = township.plan_id
    w["township_version"] = township.pk

    # Resources: 白石县's by its storekeeper, 清溪区's by a storekeeper made for it
    keeper = Actor(user=users["storekeeper"])
    qx_keeper = Actor(
        user=_helper_user("qx_keeper", units["清溪区应急管理局"], Role.STOREKEEPER, "魏保管")
    )
    baishi, qingxi = units["白石县"], units["清溪区"]
    store = catalogue.add_warehouse({"name": "白石县应急物资储备库"}, unit=baishi, actor=keeper)
    w["baishi_warehouse"] = store.pk
    lamp = catalogue.add_item(
        {
            "name": "应急照明灯",
            "measure": "台",
            "category": SupplyCategory.objects.filter(is_active=True).order_by("pk").first(),
        },
        actor=keeper,
    )
    w["lamp"] = lamp.pk
    w["baishi_lot"] = resources.receive(store, lamp, "20", actor=keeper).pk
    w["baishi_equipment"] = equipment.add_equipment(
        {"name": "应急发电机", "kind": "equipment"}, unit=baishi, actor=keeper
    ).pk
    team = people.add_team({"name": TEAM_NAME, "size": "30"}, unit=baishi, actor=keeper)
    w["baishi_team"] = team.pk
    expert = people.add_expert(
        {"name": "欧阳明", "field": "心理", "title": EXPERT_TITLE, "phone": "13900001111"},
        unit=baishi,
        actor=keeper,
    )
    w["baishi_expert"] = expert.pk
    w["qingxi_warehouse"] = catalogue.add_warehouse(
        {"name": "清溪区应急物资储备库"}, unit=qingxi, actor=qx_keeper
    ).pk

    # Rosters for today: 清溪区应急管理局 (its duty officer) and 白石县 (its storekeeper)
    settings.DUTY_HOLIDAY_LEADER = False
    settings.DUTY_HOLIDAY_OFFICERS = 1
    today = timezone.localdate()
    for unit, username, key in (
        (units["清溪区应急管理局"], "duty", "qingxi_shift"),
        (baishi, "storekeeper", "baishi_shift"),
    ):
        officer = Person.objects.get(user__username=username)
        made = duty.generate(
            unit, today - timedelta(days=1), today, duty.Rotation(officers=[officer]), actor=system
        )
        w[key] = made[-1].pk
    w["qingxi_duty_unit"] = units["清溪区应急管理局"].pk
    w["qingxi_log"] = duty_log.record_entry(
        units["清溪区应急管理局"],
        {"channel": "phone", "caller": "河西街道值班室", "matter": "道路积水"},
        actor=Actor(user=users["duty"]),
    ).pk
    w["day"] = today.isoformat()
    w["baishi_unit"] = baishi.pk
    w["year"], w["month"] = today.year, today.month

    # A notification for the clerk
    w["clerk_note"] = notify.notify(users["clerk"], "test.matrix", NOTE_TITLE).pk

    # Drills of the city's emergency bureau: one held and evaluated (its first inject sent
    # to the controller, the city's plan manager), one planned; the storekeeper takes part.
    from yingji.drills.models import Drill

    held = Drill.objects.get(state=Drill.State.EVALUATED)
    w["drill_held"] = held.pk
    w["drill_next"] = Drill.objects.get(state=Drill.State.PLANNED).pk
    w["drill_inject"] = held.injects.get(number=1).pk

    # Prevention (warnings app): the city bureau's rainstorm warning in force (its
    # adjustment to orange, the chain's newest issued message), a draft of 清溪区应急管理局
    # over the same streets, the register's hazards, the inspection round of 河西街道 (its
    # inspector the team member) and its checklist, and the open trend signal of 白石镇.
    from yingji.warnings import demo as warnings_demo
    from yingji.warnings.models import Checklist, Inspection, Risk, Signal, WarningMessage
    from yingji.warnings.services import alerts

    rain = (
        WarningMessage.objects.filter(
            state=WarningMessage.State.ISSUED, event_type__code="natural.weather"
        )
        .order_by("-issued_at", "-pk")
        .first()
    )
    assert rain is not None and rain.msg_type == WarningMessage.MsgType.UPDATE
    w["warning_rain"], w["warning_rain_identifier"] = rain.pk, rain.identifier
    assert rain.identifier
    w["warning_draft"] = alerts.draft(
        warnings_demo.rain_alert(timezone.now() + timedelta(days=1)),
        actor=as_duty,
        unit=units["清溪区应急管理局"],
    ).pk
    fire = WarningMessage.objects.get(
        event_type__code="natural.forest_fire", msg_type=WarningMessage.MsgType.ALERT
    )
    w["warning_fire"] = fire.pk  # the city bureau's for 柳林乡, issued and lifted
    drill = alerts.draft(
        warnings_demo.rain_alert(timezone.now() + timedelta(days=1)),
        actor=Actor(user=users["planner"]),
        unit=units["安澜市应急管理局"],
        is_drill=True,
    )
    alerts.submit(drill, actor=Actor(user=users["planner"]))
    drill = alerts.issue(drill, actor=Actor(user=users["leader"]))
    w["warning_drill"], w["warning_drill_identifier"] = drill.pk, drill.identifier
    w["risk_fire_lane"] = Risk.objects.get(title__startswith="望湖社区").pk
    w["risk_underpass"] = Risk.objects.get(title=warnings_demo.UNDERPASS["risk_title"]).pk
    w["risk_underpass_number"] = Risk.objects.get(pk=w["risk_underpass"]).number
    w["inspection"] = Inspection.objects.get(unit__name="河西街道").pk
    w["checklist"] = Checklist.objects.get(title=warnings_demo.CHECKLIST["title"]).pk
    # The trend scan raises two open signals of 白石镇's land petitions (a surge and a matter).
    signal = Signal.objects.filter(state=Signal.State.OPEN).order_by("pk").first()
    assert signal is not None and signal.unit == units["白石镇"]
    w["signal"] = signal.pk

    # Statistics: last month's petition report of 白石县信访局.
    from yingji.insights import reports

    w["county_report"] = reports.generate(
        "petition_monthly",
        units["白石县信访局"],
        reports.last_period("petition_monthly"),
        actor=Actor.system("tests"),
    ).pk

    # The directory
    w["unit_baishizhen"] = units["白石镇"].pk
    w["unit_hexi"] = units["河西街道"].pk
    w["unit_city"] = units["安澜市"].pk
    return w


# --- the tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One request of the matrix: a route (the resolver's route string for pages, the
    OpenAPI path for the API), the URL for a demo object, and what each role gets."""

    route: str
    url: str  # formatted with the world's ids
    sees: str | None = None  # a key of SEES; None: every signed-in role sees it
    ok: int = 200  # what a role that sees the object (and may open the page) gets
    refused: frozenset[str] = frozenset()  # roles that see it but may not take its act: 403
    kind: str = "page"  # page, file, xlsx, stream, json
    # What a list shows: a SEES key and a marker (formatted with the world's ids) that is
    # in the answer exactly when the role sees that object. For JSON, "key=value" pairs.
    shows: tuple[tuple[str, str], ...] = ()

    def expected(self, role: str) -> int:
        if self.sees is not None and role not in SEES[self.sees]:
            return 404
        if role in self.refused:
            return 403
        return self.ok


def everyone_but(*roles: str) -> frozenset[str]:
    return frozenset(ROLES) - set(roles)


def href(name: str) -> str:
    return f'href="{name}"'


PAGES: list[Row] = [
    Row("", "/"),
    # drills: planning is for plan managers and leaders; the console for the controllers
    # and those who may plan; an inject for its recipients, controllers and evaluators
    Row("drills/new/", "/drills/new/", refused=everyone_but("planner", "leader")),
    Row("drills/<id:pk>/", "/drills/{drill_held}/", "drill"),
    Row(
        "drills/<id:pk>/edit/",
        "/drills/{drill_next}/edit/",
        "drill",
        refused=frozenset({"admin", "storekeeper"}),
    ),
    Row(
        "drills/<id:pk>/console/",
        "/drills/{drill_held}/console/",
        "drill",
        refused=frozenset({"admin", "storekeeper"}),
    ),
    Row(
        "drills/injects/<id:pk>/",
        "/drills/injects/{drill_inject}/",
        "drill",
        refused=frozenset({"admin", "storekeeper"}),
    ),
    # the evaluation: the evaluators' phone page (the leader evaluates the held drill), the
    # participants' feedback (the storekeeper), the report for its organisers and evaluators
    Row(
        "drills/<id:pk>/evaluate/",
        "/drills/{drill_held}/evaluate/",
        "drill",
        refused=frozenset({"admin", "planner", "storekeeper"}),
    ),
    Row(
        "drills/<id:pk>/feedback/",
        "/drills/{drill_held}/feedback/",
        "drill",
        refused=frozenset({"admin", "leader", "planner"}),
    ),
    Row(
        "drills/<id:pk>/report/",
        "/drills/{drill_held}/report/",
        "drill",
        refused=frozenset({"admin", "storekeeper"}),
    ),
    # the directory
    Row(
        "accounts/users/",
        "/accounts/users/",
        shows=(("unit_baishizhen", "周婷"), ("unit_hexi", "李强"), ("unit_city", "赵敏")),
    ),
    Row(
        "org/units/",
        "/org/units/",
        shows=(
            ("unit_baishizhen", href("/org/units/{unit_baishizhen}/")),
            ("unit_hexi", href("/org/units/{unit_hexi}/")),
            ("unit_city", href("/org/units/{unit_city}/")),
        ),
    ),
    Row("org/units/<id:pk>/", "/org/units/{unit_baishizhen}/", "unit_baishizhen"),
    Row("org/units/<id:pk>/", "/org/units/{unit_hexi}/", "unit_hexi"),
    Row("org/units/<id:pk>/", "/org/units/{unit_city}/", "unit_city"),
    Row(
        "org/people/",
        "/org/people/",
        shows=(("unit_baishizhen", "蒋文"), ("unit_hexi", "卫东"), ("unit_city", "陈国栋")),
    ),
    Row("clock/deadlines/", "/clock/deadlines/"),
    # petitions
    Row(
        "petitions/",
        "/petitions/",
        shows=tuple(
            (key, href(f"/petitions/{{{key}}}/"))
            for key in ("wages", "contract", "liulin", "hexi", "accusation", "review")
        ),
    ),
    Row(
        "petitions/ledger.xlsx",
        "/petitions/ledger.xlsx",
        kind="xlsx",
        shows=tuple(
            (key, f"{{{key}_number}}")
            for key in ("wages", "contract", "liulin", "hexi", "accusation", "review")
        ),
    ),
    *(
        Row("petitions/<id:pk>/", f"/petitions/{{{key}}}/", key)
        for key in ("wages", "contract", "liulin", "hexi", "accusation", "review")
    ),
    # A letter naming the petitioner and every attachment follow the reveal rule: a form
    # asking why (the file comes with the reason, by POST), 403 for roles that may not reveal.
    Row(
        "petitions/<id:pk>/documents/<id:document_pk>/",
        "/petitions/{review}/documents/{review_document}/",
        "review",
        refused=frozenset({"admin"}),
    ),
    Row(
        "petitions/<id:pk>/attachments/<id:attachment_pk>/",
        "/petitions/{wages}/attachments/{wages_attachment}/",
        "wages",
        refused=frozenset({"admin"}),
    ),
    # plans
    Row(
        "plans/",
        "/plans/",
        shows=(
            ("county_plan", href("/plans/{county_plan}/")),
            ("township_plan", href("/plans/{township_plan}/")),
        ),
    ),
    Row(
        "plans/filings/",
        "/plans/filings/",
        shows=(
            ("county_filing", href("/plans/versions/{county_version}/")),
            ("township_filing", href("/plans/versions/{township_version}/")),
        ),
    ),
    Row("plans/<id:pk>/", "/plans/{county_plan}/", "county_plan", ok=302),
    Row("plans/<id:pk>/", "/plans/{township_plan}/", "township_plan", ok=302),
    # A version in force shows the owner's area's stock against it: the area's readiness.
    Row(
        "plans/versions/<id:pk>/",
        "/plans/versions/{county_version}/",
        "county_plan",
        shows=(("county_readiness", 'id="needs"'),),
    ),
    Row(
        "plans/versions/<id:pk>/",
        "/plans/versions/{township_version}/",
        "township_plan",
        shows=(("township_readiness", 'id="needs"'),),
    ),
    Row(
        "plans/versions/<id:pk>/evaluate/",
        "/plans/versions/{county_version}/evaluate/",
        "county_plan",
    ),
    Row(
        "plans/versions/<id:pk>/compare/<id:other>/",
        "/plans/versions/{county_version}/compare/{county_version}/",
        "county_plan",
    ),
    Row("plans/versions/<id:pk>/cards/", "/plans/versions/{county_version}/cards/", "county_plan"),
    Row(
        "plans/versions/<id:pk>/plan.docx",
        "/plans/versions/{county_version}/plan.docx",
        "county_plan",
        kind="file",
    ),
    Row(
        "plans/versions/<id:pk>/plan.pdf",
        "/plans/versions/{township_version}/plan.pdf",
        "township_plan",
        kind="file",
    ),
    # The editor of a version in force sends those who may change the plan back to the
    # version (302); those who only oversee it, or see it as the plan of a unit above,
    # are refused.
    Row(
        "plans/versions/<id:pk>/edit/",
        "/plans/versions/{county_version}/edit/",
        "county_plan",
        ok=302,
        refused=frozenset({"leader", "planner", "clerk", "handler"}),
    ),
    Row(
        "plans/versions/<id:pk>/edit/",
        "/plans/versions/{township_version}/edit/",
        "township_plan",
        ok=302,
        refused=frozenset({"leader", "planner", "storekeeper"}),
    ),
    # duty
    Row("duty/", "/duty/"),
    # "This month" only redirects to the month, which checks the unit (no object shown).
    Row("duty/units/<id:pk>/", "/duty/units/{unit_city}/", ok=302),
    Row(
        "duty/units/<id:pk>/<id:year>/<id:number>/",
        "/duty/units/{qingxi_duty_unit}/{year}/{month}/",
        "qingxi_roster",
    ),
    Row(
        "duty/units/<id:pk>/<id:year>/<id:number>/",
        "/duty/units/{baishi_unit}/{year}/{month}/",
        "baishi_roster",
    ),
    # Handing over and asking for a change are the roster keeper's duty staff's acts.
    Row(
        "duty/shifts/<id:pk>/handover/",
        "/duty/shifts/{qingxi_shift}/handover/",
        "qingxi_roster",
        refused=CITY_EMERGENCY,
    ),
    Row(
        "duty/shifts/<id:pk>/handover/",
        "/duty/shifts/{baishi_shift}/handover/",
        "baishi_roster",
        refused=SEES["baishi_roster"],
    ),
    Row(
        "duty/shifts/<id:pk>/change/",
        "/duty/shifts/{qingxi_shift}/change/",
        "qingxi_roster",
        refused=CITY_EMERGENCY,
    ),
    Row(
        "duty/shifts/<id:pk>/change/",
        "/duty/shifts/{baishi_shift}/change/",
        "baishi_roster",
        refused=SEES["baishi_roster"],
    ),
    Row("duty/changes/", "/duty/changes/"),
    Row("duty/log/", "/duty/log/", shows=(("qingxi_roster", href("/duty/log/{qingxi_log}/")),)),
    Row("duty/log/<id:pk>/", "/duty/log/{qingxi_log}/", "qingxi_roster"),
    # Correcting an entry is its author's or a leader's of the unit; a level above reads it.
    Row(
        "duty/log/<id:pk>/edit/",
        "/duty/log/{qingxi_log}/edit/",
        "qingxi_roster",
        refused=CITY_EMERGENCY,
    ),
    Row(
        "duty/units/<id:pk>/day/<str:day>/report/",
        "/duty/units/{qingxi_duty_unit}/day/{day}/report/",
        "qingxi_roster",
    ),
    Row(
        "duty/units/<id:pk>/day/<str:day>/report.docx",
        "/duty/units/{qingxi_duty_unit}/day/{day}/report.docx",
        "qingxi_roster",
        kind="file",
    ),
    # drills: the calendar of the drills one sees; a unit's programme (one's own unit by
    # default) and its Excel copy
    Row("drills/", "/drills/"),
    Row("drills/programme/", "/drills/programme/"),
    Row(
        "drills/programme/",
        "/drills/programme/?unit={unit_baishizhen}",
        "baishizhen_programme",
    ),
    Row(
        "drills/programme/programme.xlsx",
        "/drills/programme/programme.xlsx?unit={unit_baishizhen}",
        "baishizhen_programme",
        kind="file",
    ),
    # corrective actions: the lists keep to one's emergency jurisdiction; an action is seen
    # where its owner unit (白石县应急管理局, the gate incident's) is
    Row("drills/actions/", "/drills/actions/", shows=(("gate", ACTION_TEXT),)),
    Row("drills/overdue/", "/drills/overdue/"),
    Row("drills/actions/<id:pk>/", "/drills/actions/{gate_action}/", "gate"),
    Row(
        "drills/actions/<id:pk>/files/<id:doc>/",
        "/drills/actions/{gate_action}/files/{gate_action_file}/",
        "gate",
        kind="file",
    ),
    Row(
        "drills/incidents/<id:pk>/actions/new/",
        "/drills/incidents/{gate}/actions/new/",
        "gate",
        refused=frozenset({"admin", "storekeeper"}),
    ),
    # notifications
    Row("notifications/", "/notifications/", shows=(("clerk_note", NOTE_TITLE),)),
    Row("notifications/stream/", "/notifications/stream/", kind="stream"),
    Row(
        "notifications/failures/",
        "/notifications/failures/",
        refused=everyone_but("admin", "leader"),
    ),
    # incidents
    Row(
        "incidents/",
        "/incidents/",
        shows=(("gate", href("/incidents/{gate}/")), ("flood", href("/incidents/{flood}/"))),
    ),
    Row("incidents/tasks/", "/incidents/tasks/"),
    Row("incidents/tasks/<id:pk>/", "/incidents/tasks/{gate_task}/", "gate"),
    Row(
        "incidents/tasks/<id:pk>/notes/<id:note_pk>/photo/",
        "/incidents/tasks/{gate_task}/notes/{gate_note}/photo/",
        "gate",
        kind="file",
    ),
    Row("incidents/<id:pk>/", "/incidents/{gate}/", "gate"),
    Row("incidents/<id:pk>/", "/incidents/{flood}/", "flood"),
    Row("incidents/<id:pk>/stream/", "/incidents/{gate}/stream/", "gate", kind="stream"),
    Row("incidents/<id:pk>/timeline.xlsx", "/incidents/{gate}/timeline.xlsx", "gate", kind="file"),
    Row("incidents/<id:pk>/reports/", "/incidents/{flood}/reports/", "flood"),
    # Writing a report is the handling unit's duty staff's act (a level above receives it).
    Row(
        "incidents/<id:pk>/reports/new/<str:stage>/",
        "/incidents/{flood}/reports/new/followup/",
        "flood",
        refused=everyone_but("duty"),
    ),
    Row(
        "incidents/<id:pk>/reports/<id:report_pk>/",
        "/incidents/{flood}/reports/{flood_draft}/",
        "flood",
        refused=everyone_but("duty"),
    ),
    Row(
        "incidents/<id:pk>/reports/<id:report_pk>/document/",
        "/incidents/{flood}/reports/{flood_report}/document/",
        "flood",
        kind="file",
    ),
    # A report sent is seen in the area and by the units it went to (they sign for it).
    Row(
        "incidents/<id:pk>/reports/<id:report_pk>/view/",
        "/incidents/{flood}/reports/{flood_report}/view/",
        "flood",
    ),
    Row(
        "incidents/<id:pk>/phone-report/",
        "/incidents/{flood}/phone-report/",
        "flood",
        refused=everyone_but("duty"),
    ),
    # Ending the response is its commander's act, or a leader's acting as the unit; the
    # city's leader on duty oversees 白石县's incident but does not end its response.
    Row("incidents/<id:pk>/end/", "/incidents/{gate}/end/", "gate", refused=frozenset(ROLES)),
    Row("incidents/<id:pk>/review/", "/incidents/{gate}/review/", "gate"),
    Row("incidents/<id:pk>/review.docx", "/incidents/{gate}/review.docx", "gate", kind="file"),
    # resources
    Row(
        "resources/",
        "/resources/",
        shows=(
            ("baishi_store", href("/resources/warehouses/{baishi_warehouse}/")),
            ("qingxi_store", href("/resources/warehouses/{qingxi_warehouse}/")),
            ("county_readiness", href("/resources/readiness/{county_version}/")),
            ("township_readiness", href("/resources/readiness/{township_version}/")),
        ),
    ),
    Row(
        "resources/warehouses/<id:pk>/",
        "/resources/warehouses/{baishi_warehouse}/",
        "baishi_store",
    ),
    Row(
        "resources/warehouses/<id:pk>/",
        "/resources/warehouses/{qingxi_warehouse}/",
        "qingxi_store",
    ),
    Row("resources/lots/<id:pk>/", "/resources/lots/{baishi_lot}/", "baishi_store"),
    Row("resources/teams/", "/resources/teams/", shows=(("baishi_store", TEAM_NAME),)),
    Row("resources/experts/", "/resources/experts/", shows=(("baishi_store", EXPERT_TITLE),)),
    Row("resources/equipment/", "/resources/equipment/"),
    # Changing and retiring: the catalogue is the city's (its storekeepers, the system
    # administrator); the rest is kept by the owning unit and those acting as it (its
    # storekeepers; teams and experts also its plan managers): a level above reads.
    Row(
        "resources/items/<id:pk>/edit/",
        "/resources/items/{lamp}/edit/",
        refused=everyone_but("admin"),
    ),
    Row(
        "resources/warehouses/<id:pk>/edit/",
        "/resources/warehouses/{baishi_warehouse}/edit/",
        "baishi_store",
        refused=CITY_EMERGENCY,
    ),
    Row(
        "resources/teams/<id:pk>/edit/",
        "/resources/teams/{baishi_team}/edit/",
        "baishi_store",
        refused=CITY_EMERGENCY,
    ),
    Row(
        "resources/experts/<id:pk>/edit/",
        "/resources/experts/{baishi_expert}/edit/",
        "baishi_store",
        refused=CITY_EMERGENCY,
    ),
    Row(
        "resources/equipment/<id:pk>/edit/",
        "/resources/equipment/{baishi_equipment}/edit/",
        "baishi_store",
        refused=CITY_EMERGENCY,
    ),
    Row(
        "resources/requests/",
        "/resources/requests/",
        shows=(("gate", href("/incidents/{gate}/#requests")),),
    ),
    Row(
        "resources/stock.xlsx",
        "/resources/stock.xlsx",
        kind="xlsx",
        shows=(("baishi_store", "应急照明灯"),),
    ),
    Row(
        "resources/readiness/<id:pk>/",
        "/resources/readiness/{county_version}/",
        "county_readiness",
    ),
    Row(
        "resources/readiness/<id:pk>/",
        "/resources/readiness/{township_version}/",
        "township_readiness",
    ),
    Row(
        "resources/readiness/<id:pk>.xlsx",
        "/resources/readiness/{county_version}.xlsx",
        "county_readiness",
        kind="file",
    ),
    # warnings: drafted by the emergency staff; a draft changed by those acting for its
    # unit; a warning in force adjusted and lifted by the drafters of the issuing unit
    Row(
        "warnings/",
        "/warnings/",
        shows=(
            ("rain_warning", href("/warnings/{warning_rain}/")),
            ("qingxi_draft", href("/warnings/{warning_draft}/")),
            ("fire_warning", href("/warnings/{warning_fire}/")),
            ("rain_warning", href("/warnings/{warning_drill}/")),
        ),
    ),
    Row("warnings/new/", "/warnings/new/", refused=everyone_but(*EMERGENCY_STAFF)),
    Row("warnings/<id:pk>/", "/warnings/{warning_rain}/", "rain_warning"),
    Row("warnings/<id:pk>/", "/warnings/{warning_draft}/", "qingxi_draft"),
    Row("warnings/<id:pk>/", "/warnings/{warning_fire}/", "fire_warning"),
    Row("warnings/<id:pk>/", "/warnings/{warning_drill}/", "rain_warning"),
    Row(
        "warnings/<id:pk>/edit/",
        "/warnings/{warning_draft}/edit/",
        "qingxi_draft",
        refused=frozenset({"admin", "leader", "planner"}),
    ),
    Row(
        "warnings/<id:pk>/edit/",
        "/warnings/{warning_rain}/edit/",
        "rain_warning",
        refused=SEES["rain_warning"],
    ),
    Row(
        "warnings/<id:pk>/adjust/",
        "/warnings/{warning_rain}/adjust/",
        "rain_warning",
        refused=frozenset({"admin", "duty", "member"}),
    ),
    Row(
        "warnings/<id:pk>/lift/",
        "/warnings/{warning_rain}/lift/",
        "rain_warning",
        refused=frozenset({"admin", "duty", "member"}),
    ),
    # the public pages: real issued messages for anyone, signed in or not
    Row(
        "public/warnings/",
        "/public/warnings/",
        shows=(
            ("everyone", href("/public/warnings/{warning_rain_identifier}/")),
            ("nobody", href("/public/warnings/{warning_drill_identifier}/")),
            ("nobody", href("/public/warnings/{warning_draft}/")),
        ),
    ),
    Row("public/warnings/feed.atom", "/public/warnings/feed.atom", kind="file"),
    Row("public/warnings/areas.geojson", "/public/warnings/areas.geojson", kind="file"),
    Row("public/warnings/<str:key>/", "/public/warnings/{warning_rain_identifier}/"),
    Row("public/warnings/<str:key>/", "/public/warnings/{warning_rain}/"),
    Row("public/warnings/<str:key>/", "/public/warnings/{warning_draft}/", "nobody"),
    Row("public/warnings/<str:key>/", "/public/warnings/{warning_drill}/", "nobody"),
    # the risk register
    Row(
        "warnings/risks/",
        "/warnings/risks/",
        refused=everyone_but(*EMERGENCY_STAFF, "member"),
        shows=(
            ("fire_lane_risk", href("/warnings/risks/{risk_fire_lane}/")),
            ("underpass_risk", href("/warnings/risks/{risk_underpass}/")),
        ),
    ),
    Row(
        "warnings/risks/export.xlsx",
        "/warnings/risks/export.xlsx",
        refused=everyone_but(*EMERGENCY_STAFF, "member"),
        kind="xlsx",
        shows=(("underpass_risk", "{risk_underpass_number}"),),
    ),
    Row("warnings/risks/new/", "/warnings/risks/new/", refused=everyone_but(*EMERGENCY_STAFF)),
    Row(
        "warnings/risks/import/", "/warnings/risks/import/", refused=everyone_but(*EMERGENCY_STAFF)
    ),
    Row("warnings/risks/<id:pk>/", "/warnings/risks/{risk_fire_lane}/", "fire_lane_risk"),
    Row("warnings/risks/<id:pk>/", "/warnings/risks/{risk_underpass}/", "underpass_risk"),
    Row(
        "warnings/risks/<id:pk>/edit/",
        "/warnings/risks/{risk_fire_lane}/edit/",
        "fire_lane_risk",
        refused=frozenset({"leader", "planner"}),
    ),
    # 河西街道's hazard: the district's and the city's bureaus oversee the township
    # without acting for it, and its team member does not keep the register
    Row(
        "warnings/risks/<id:pk>/edit/",
        "/warnings/risks/{risk_underpass}/edit/",
        "underpass_risk",
        refused=SEES["underpass_risk"],
    ),
    # inspection rounds: planned by the emergency staff, seen by them and team members of
    # the area, the phone page the inspector's alone
    Row(
        "warnings/inspections/",
        "/warnings/inspections/",
        refused=everyone_but(*EMERGENCY_STAFF, "member"),
        shows=(("hexi_round", href("/warnings/inspections/{inspection}/")),),
    ),
    Row(
        "warnings/inspections/new/",
        "/warnings/inspections/new/",
        refused=everyone_but(*EMERGENCY_STAFF),
    ),
    Row("warnings/inspections/<id:pk>/", "/warnings/inspections/{inspection}/", "hexi_round"),
    Row(
        "warnings/inspections/<id:pk>/field/",
        "/warnings/inspections/{inspection}/field/",
        "hexi_round",
        refused=EMERGENCY_STAFF,
    ),
    Row(
        "warnings/inspections/checklists/",
        "/warnings/inspections/checklists/",
        refused=everyone_but(*EMERGENCY_STAFF, "member"),
    ),
    Row(
        "warnings/inspections/checklists/new/",
        "/warnings/inspections/checklists/new/",
        refused=everyone_but(*EMERGENCY_STAFF),
    ),
    Row(
        "warnings/inspections/checklists/<id:pk>/",
        "/warnings/inspections/checklists/{checklist}/",
        "qingxi_checklist",
        refused=frozenset({"leader", "planner", "member"}),
    ),
    # trend signals: petition work's, in its area
    Row(
        "warnings/signals/",
        "/warnings/signals/",
        refused=everyone_but("supervisor", "leader", "handler", "clerk"),
        shows=(("land_signal", href("/warnings/signals/{signal}/")),),
    ),
    Row("warnings/signals/<id:pk>/", "/warnings/signals/{signal}/", "land_signal"),
    # statistics: petition work's figures, counted in the viewer's area
    Row(
        "insights/petitions/",
        "/insights/petitions/",
        refused=everyone_but("supervisor", "leader", "handler", "clerk"),
    ),
    Row(
        "insights/petitions/export.xlsx",
        "/insights/petitions/export.xlsx",
        refused=everyone_but("supervisor", "leader", "handler", "clerk"),
        kind="xlsx",
    ),
    Row(
        "insights/incidents/",
        "/insights/incidents/",
        refused=EMERGENCY_FIGURES,
    ),
    Row(
        "insights/incidents/export.xlsx",
        "/insights/incidents/export.xlsx",
        refused=EMERGENCY_FIGURES,
        kind="xlsx",
    ),
    Row(
        "insights/readiness/",
        "/insights/readiness/",
        refused=EMERGENCY_FIGURES,
    ),
    Row(
        "insights/readiness/export.xlsx",
        "/insights/readiness/export.xlsx",
        refused=EMERGENCY_FIGURES,
        kind="xlsx",
    ),
    Row(
        "insights/reports/",
        "/insights/reports/",
        refused=everyone_but("supervisor", "leader", "handler", "clerk", "duty", "planner"),
        shows=(("county_report", href("/insights/reports/{county_report}/")),),
    ),
    Row("insights/reports/<id:pk>/", "/insights/reports/{county_report}/", "county_report"),
    Row(
        "insights/reports/<id:pk>/report.docx",
        "/insights/reports/{county_report}/report.docx",
        "county_report",
        kind="file",
    ),
    Row(
        "insights/reports/<id:pk>/report.pdf",
        "/insights/reports/{county_report}/report.pdf",
        "county_report",
        kind="file",
    ),
]

API: list[Row] = [
    Row(
        "/api/v1/drills",
        "/api/v1/drills",
        kind="json",
        shows=(("drill", "id={drill_held}"),),
    ),
    Row("/api/v1/drills/{drill_id}", "/api/v1/drills/{drill_held}", "drill", kind="json"),
    Row(
        "/api/v1/drills/{drill_id}/injects",
        "/api/v1/drills/{drill_held}/injects",
        "drill",
        kind="json",
    ),
    Row(
        "/api/v1/drills/{drill_id}/evaluation",
        "/api/v1/drills/{drill_held}/evaluation",
        "drill",
        refused=frozenset({"admin", "storekeeper"}),
        kind="json",
    ),
    Row(
        "/api/v1/drills/{drill_id}/report",
        "/api/v1/drills/{drill_held}/report",
        "drill",
        refused=frozenset({"admin", "storekeeper"}),
        kind="json",
    ),
    Row(
        "/api/v1/units",
        "/api/v1/units?limit=500",
        kind="json",
        shows=(
            ("unit_baishizhen", "id={unit_baishizhen}"),
            ("unit_hexi", "id={unit_hexi}"),
            ("unit_city", "id={unit_city}"),
        ),
    ),
    Row("/api/v1/units/outlines", "/api/v1/units/outlines", kind="json"),
    Row(
        "/api/v1/corrective-actions",
        "/api/v1/corrective-actions?limit=200",
        kind="json",
        shows=(("gate", "id={gate_action}"),),
    ),
    Row(
        "/api/v1/corrective-actions/{action_id}",
        "/api/v1/corrective-actions/{gate_action}",
        "gate",
        kind="json",
    ),
    Row(
        "/api/v1/plan-versions/{version_id}/corrective-actions",
        "/api/v1/plan-versions/{township_version}/corrective-actions",
        "township_plan",
        kind="json",
    ),
    Row(
        "/api/v1/units/{unit_id}", "/api/v1/units/{unit_baishizhen}", "unit_baishizhen", kind="json"
    ),
    Row("/api/v1/units/{unit_id}", "/api/v1/units/{unit_hexi}", "unit_hexi", kind="json"),
    Row("/api/v1/units/{unit_id}", "/api/v1/units/{unit_city}", "unit_city", kind="json"),
    Row("/api/v1/deadlines", "/api/v1/deadlines", kind="json"),
    Row(
        "/api/v1/petitions",
        "/api/v1/petitions?limit=200",
        kind="json",
        shows=tuple(
            (key, f"id={{{key}}}")
            for key in ("wages", "contract", "liulin", "hexi", "accusation", "review")
        ),
    ),
    *(
        Row("/api/v1/petitions/{petition_id}", f"/api/v1/petitions/{{{key}}}", key, kind="json")
        for key in ("wages", "contract", "liulin", "hexi", "accusation", "review")
    ),
    # A case's lists follow the case: the same roles see them as see the case.
    *(
        Row(
            f"/api/v1/petitions/{{petition_id}}/{tail}",
            f"/api/v1/petitions/{{{key}}}/{tail}",
            key,
            kind="json",
        )
        for tail in ("attachments", "documents", "follow-ups", "reviews", "supervision")
        for key in ("wages", "hexi", "accusation", "review")
    ),
    Row(
        "/api/v1/plan-filings",
        "/api/v1/plan-filings",
        kind="json",
        shows=(
            ("county_filing", "version_id={county_version}"),
            ("township_filing", "version_id={township_version}"),
        ),
    ),
    Row(
        "/api/v1/plans",
        "/api/v1/plans?limit=200",
        kind="json",
        shows=(("county_plan", "id={county_plan}"), ("township_plan", "id={township_plan}")),
    ),
    Row("/api/v1/plans/{plan_id}", "/api/v1/plans/{county_plan}", "county_plan", kind="json"),
    Row("/api/v1/plans/{plan_id}", "/api/v1/plans/{township_plan}", "township_plan", kind="json"),
    Row(
        "/api/v1/plan-versions/{version_id}",
        "/api/v1/plan-versions/{county_version}",
        "county_plan",
        kind="json",
    ),
    Row(
        "/api/v1/plan-versions/{version_id}",
        "/api/v1/plan-versions/{township_version}",
        "township_plan",
        kind="json",
    ),
    Row(
        "/api/v1/plan-versions/{version_id}/compare/{other_id}",
        "/api/v1/plan-versions/{township_version}/compare/{township_version}",
        "township_plan",
        kind="json",
    ),
    Row(
        "/api/v1/notifications",
        "/api/v1/notifications?limit=200",
        kind="json",
        shows=(("clerk_note", "id={clerk_note}"),),
    ),
    Row(
        "/api/v1/duty/shifts",
        "/api/v1/duty/shifts?unit={qingxi_duty_unit}&since={since}&until={until}",
        "qingxi_roster",
        kind="json",
    ),
    Row(
        "/api/v1/duty/shifts",
        "/api/v1/duty/shifts?unit={baishi_unit}&since={since}&until={until}",
        "baishi_roster",
        kind="json",
    ),
    Row(
        "/api/v1/duty/now/{unit_id}",
        "/api/v1/duty/now/{qingxi_duty_unit}",
        "qingxi_roster",
        kind="json",
    ),
    Row(
        "/api/v1/duty/now/{unit_id}", "/api/v1/duty/now/{baishi_unit}", "baishi_roster", kind="json"
    ),
    Row(
        "/api/v1/duty/log",
        "/api/v1/duty/log?limit=200",
        kind="json",
        shows=(("qingxi_roster", "id={qingxi_log}"),),
    ),
    Row(
        "/api/v1/incidents",
        "/api/v1/incidents?limit=200",
        kind="json",
        shows=(("gate", "id={gate}"), ("flood", "id={flood}")),
    ),
    Row("/api/v1/incidents/{incident_id}", "/api/v1/incidents/{gate}", "gate", kind="json"),
    Row("/api/v1/incidents/{incident_id}", "/api/v1/incidents/{flood}", "flood", kind="json"),
    *(
        Row(
            f"/api/v1/incidents/{{incident_id}}/{tail}",
            f"/api/v1/incidents/{{gate}}/{tail}",
            "gate",
            kind="json",
        )
        for tail in ("assessment", "tasks", "holders", "releases", "requests", "timeline")
    ),
    Row(
        "/api/v1/incidents/{incident_id}/reports",
        "/api/v1/incidents/{flood}/reports",
        "flood",
        kind="json",
    ),
    Row(
        "/api/v1/incidents/{incident_id}/phone-reports",
        "/api/v1/incidents/{flood}/phone-reports",
        "flood",
        kind="json",
    ),
    # What the user's units have not signed for yet: every role gets its own list.
    Row("/api/v1/report-receipts", "/api/v1/report-receipts", kind="json"),
    Row(
        "/api/v1/incidents/{incident_id}/stream",
        "/api/v1/incidents/{flood}/stream",
        "flood",
        kind="stream",
    ),
    Row("/api/v1/tasks/mine", "/api/v1/tasks/mine", kind="json"),
    Row(
        "/api/v1/resources/warehouses",
        "/api/v1/resources/warehouses",
        kind="json",
        shows=(
            ("baishi_store", "id={baishi_warehouse}"),
            ("qingxi_store", "id={qingxi_warehouse}"),
        ),
    ),
    Row(
        "/api/v1/resources/warehouses/{warehouse_id}/stock",
        "/api/v1/resources/warehouses/{baishi_warehouse}/stock",
        "baishi_store",
        kind="json",
    ),
    Row(
        "/api/v1/resources/warehouses/{warehouse_id}/stock",
        "/api/v1/resources/warehouses/{qingxi_warehouse}/stock",
        "qingxi_store",
        kind="json",
    ),
    Row(
        "/api/v1/resources/lots/{lot_id}/movements",
        "/api/v1/resources/lots/{baishi_lot}/movements",
        "baishi_store",
        kind="json",
    ),
    Row(
        "/api/v1/resources/teams",
        "/api/v1/resources/teams",
        kind="json",
        shows=(("baishi_store", "id={baishi_team}"),),
    ),
    Row(
        "/api/v1/resources/experts",
        "/api/v1/resources/experts",
        kind="json",
        shows=(("baishi_store", "id={baishi_expert}"),),
    ),
    Row(
        "/api/v1/resources/equipment",
        "/api/v1/resources/equipment",
        kind="json",
        shows=(("baishi_store", "id={baishi_equipment}"),),
    ),
    Row(
        "/api/v1/resources/readiness",
        "/api/v1/resources/readiness?plan_version_id={county_version}",
        "county_readiness",
        kind="json",
    ),
    Row(
        "/api/v1/resources/readiness",
        "/api/v1/resources/readiness?plan_version_id={township_version}",
        "township_readiness",
        kind="json",
    ),
    # warnings, as their pages
    Row(
        "/api/v1/warnings",
        "/api/v1/warnings?limit=200",
        kind="json",
        shows=(
            ("rain_warning", "id={warning_rain}"),
            ("qingxi_draft", "id={warning_draft}"),
            ("fire_warning", "id={warning_fire}"),
            ("rain_warning", "id={warning_drill}"),
        ),
    ),
    Row(
        "/api/v1/warnings/{warning_id}",
        "/api/v1/warnings/{warning_rain}",
        "rain_warning",
        kind="json",
    ),
    Row(
        "/api/v1/warnings/{warning_id}",
        "/api/v1/warnings/{warning_draft}",
        "qingxi_draft",
        kind="json",
    ),
    # CAP: an issued real message is public; a draft has none
    Row("/api/v1/warnings/{warning_id}/cap", "/api/v1/warnings/{warning_rain}/cap", kind="file"),
    Row(
        "/api/v1/warnings/{warning_id}/cap",
        "/api/v1/warnings/{warning_draft}/cap",
        "nobody",
        kind="file",
    ),
    # a drill's message: only to the signed-in users who see it
    Row(
        "/api/v1/warnings/{warning_id}/cap",
        "/api/v1/warnings/{warning_drill}/cap",
        "rain_warning",
        kind="file",
    ),
    Row(
        "/api/v1/warnings/{warning_id}",
        "/api/v1/warnings/{warning_fire}",
        "fire_warning",
        kind="json",
    ),
    Row(
        "/api/v1/risks",
        "/api/v1/risks?limit=200",
        refused=everyone_but(*EMERGENCY_STAFF, "member"),
        kind="json",
        shows=(
            ("fire_lane_risk", "id={risk_fire_lane}"),
            ("underpass_risk", "id={risk_underpass}"),
        ),
    ),
    Row(
        "/api/v1/risks/export.xlsx",
        "/api/v1/risks/export.xlsx",
        refused=everyone_but(*EMERGENCY_STAFF, "member"),
        kind="xlsx",
        shows=(("underpass_risk", "{risk_underpass_number}"),),
    ),
    Row("/api/v1/risks/{risk_id}", "/api/v1/risks/{risk_fire_lane}", "fire_lane_risk", kind="json"),
    Row("/api/v1/risks/{risk_id}", "/api/v1/risks/{risk_underpass}", "underpass_risk", kind="json"),
    Row(
        "/api/v1/inspections",
        "/api/v1/inspections?limit=200",
        refused=everyone_but(*EMERGENCY_STAFF, "member"),
        kind="json",
        shows=(("hexi_round", "id={inspection}"),),
    ),
    Row(
        "/api/v1/inspections/{inspection_id}",
        "/api/v1/inspections/{inspection}",
        "hexi_round",
        kind="json",
    ),
    Row(
        "/api/v1/inspection-checklists",
        "/api/v1/inspection-checklists",
        refused=everyone_but(*EMERGENCY_STAFF, "member"),
        kind="json",
        shows=(("qingxi_checklist", "id={checklist}"),),
    ),
    Row(
        "/api/v1/warning-signals",
        "/api/v1/warning-signals?limit=200",
        refused=everyone_but("supervisor", "leader", "handler", "clerk"),
        kind="json",
        shows=(("land_signal", "id={signal}"),),
    ),
    Row(
        "/api/v1/warning-signals/{signal_id}",
        "/api/v1/warning-signals/{signal}",
        "land_signal",
        kind="json",
    ),
    Row(
        "/api/v1/insights/petitions",
        "/api/v1/insights/petitions",
        refused=everyone_but("supervisor", "leader", "handler", "clerk"),
        kind="json",
    ),
    Row(
        "/api/v1/insights/incidents",
        "/api/v1/insights/incidents",
        refused=EMERGENCY_FIGURES,
        kind="json",
    ),
    Row(
        "/api/v1/insights/readiness",
        "/api/v1/insights/readiness",
        refused=EMERGENCY_FIGURES,
        kind="json",
    ),
    Row(
        "/api/v1/insights/reports",
        "/api/v1/insights/reports?limit=200",
        kind="json",
        shows=(("county_report", "id={county_report}"),),
    ),
    Row(
        "/api/v1/insights/reports/{report_id}",
        "/api/v1/insights/reports/{county_report}",
        "county_report",
        kind="json",
    ),
    Row(
        "/api/v1/insights/reports/{report_id}/docx",
        "/api/v1/insights/reports/{county_report}/docx",
        "county_report",
        kind="file",
    ),
    Row(
        "/api/v1/insights/reports/{report_id}/pdf",
        "/api/v1/insights/reports/{county_report}/pdf",
        "county_report",
        kind="file",
    ),
]

POST_ONLY = "an action (POST only; GET answers 405): its object's page is in the matrix"
FORM = "a form for a new object, with no object of the jurisdiction to show"

# Every other route, with the reason it holds no jurisdiction-scoped object to show.
OTHERS: dict[str, str] = {
    "drills/<id:pk>/start/": POST_ONLY,
    "drills/<id:pk>/pause/": POST_ONLY,
    "drills/<id:pk>/resume/": POST_ONLY,
    "drills/<id:pk>/end/": POST_ONLY,
    "drills/<id:pk>/cancel/": POST_ONLY,
    "drills/<id:pk>/injects/add/": POST_ONLY,
    "drills/injects/<id:pk>/acknowledge/": POST_ONLY,
    "drills/injects/<id:pk>/answer/": POST_ONLY,
    "drills/injects/<id:pk>/skip/": POST_ONLY,
    "drills/injects/<id:pk>/files/": POST_ONLY,
    "drills/injects/<id:pk>/files/<id:document_pk>/": "an inject's material, opened by the "
    "inject's rule (drills/injects/<id:pk>/ in PAGES); tests/drills/test_conduct.py",
    "/api/v1/drills/{drill_id}/start": POST_ONLY,
    "/api/v1/drills/{drill_id}/pause": POST_ONLY,
    "/api/v1/drills/{drill_id}/resume": POST_ONLY,
    "/api/v1/drills/{drill_id}/end": POST_ONLY,
    "/api/v1/drills/{drill_id}/cancel": POST_ONLY,
    "/api/v1/drills/injects/{inject_id}/skip": POST_ONLY,
    "/api/v1/drills/injects/{inject_id}/acknowledge": POST_ONLY,
    "/api/v1/drills/injects/{inject_id}/answer": POST_ONLY,
    "/api/v1/drills/{drill_id}/ratings": "an evaluator's ratings (PUT only; GET answers 405):"
    " what they hold is read at /api/v1/drills/{drill_id}/evaluation",
    "/api/v1/drills/{drill_id}/feedback": POST_ONLY,
    "/api/v1/drills/{drill_id}/report/approve": POST_ONLY,
    "drills/<id:pk>/ratings/photos/<id:document_pk>/": "an evaluator's photo of a rating, for"
    " the evaluators and the report's readers (drills/test_evaluation.py)",
    "drills/<id:pk>/report/approve/": POST_ONLY,
    "drills/<id:pk>/report/document/": "the approved report's DOCX, for the report's readers;"
    " the demo's held drill awaits approval (drills/test_report.py)",
    "drills/<id:pk>/report/actions/": POST_ONLY,
    "accounts/login/": "sign-in form",
    "accounts/logout/": POST_ONLY,
    "accounts/2fa/": "the user's own second factor",
    "accounts/oidc/authenticate/": "single sign-on: sends the browser to the identity provider"
    " (404 unless configured; tests/accounts/test_oidc.py)",
    "accounts/oidc/callback/": "single sign-on: the identity provider's answer, checked"
    " before anyone is signed in (tests/accounts/test_oidc.py)",
    "clock/calendar/": "the official holiday calendar, the same for everyone",
    "clock/calendar/<id:year>/": "the official holiday calendar, the same for everyone",
    "petitions/new/": FORM,
    "petitions/by-petitioner/": "a search form; its results are within the user's sight"
    " and its searches audited (test_finding.py)",
    "petitions/new/similar/": POST_ONLY
    + " (the cases like a petition being typed, within the user's sight: test_finding.py)",
    "petitions/import/": FORM + " (a ledger upload)",
    "petitions/<id:pk>/reveal/": POST_ONLY,
    "petitions/<id:pk>/decide/": POST_ONLY,
    "petitions/<id:pk>/clarify/": POST_ONLY,
    "petitions/<id:pk>/assign/": POST_ONLY,
    "petitions/<id:pk>/assignments/<id:assignment_pk>/answer/": POST_ONLY,
    "petitions/<id:pk>/extend/": POST_ONLY,
    "petitions/<id:pk>/reply/": POST_ONLY,
    "petitions/<id:pk>/reply/delivery/": POST_ONLY,
    "petitions/<id:pk>/follow-up/": POST_ONLY,
    "petitions/<id:pk>/reopen/": POST_ONLY,
    "petitions/<id:pk>/reviews/<id:review_pk>/decide/": POST_ONLY,
    "petitions/<id:pk>/reviews/<id:review_pk>/delivery/": POST_ONLY,
    "petitions/<id:pk>/hearing/": POST_ONLY,
    "petitions/<id:pk>/supervise/": POST_ONLY,
    "petitions/<id:pk>/link/": POST_ONLY,
    "petitions/<id:pk>/object/": POST_ONLY,
    "petitions/<id:pk>/attachments/": POST_ONLY,
    "plans/new/": FORM,
    "plans/import/": FORM + " (a Word or text upload)",
    "plans/import/save/": POST_ONLY,
    "plans/import/<id:pk>/": "the review of a plan file, shown to its uploader only (test_jobs.py)",
    "plans/import/<id:pk>/<id:part>/": "a plan of a file read, for its uploader (test_import.py)",
    "plans/<id:pk>/sources/<id:document_pk>/": "a plan's original file (test_import.py)",
    "imports/<id:pk>/": "an import's page, shown to its uploader only (documents/test_jobs.py)",
    "imports/<id:pk>/progress/": "an import's progress, for its uploader only (test_jobs.py)",
    "plans/versions/<id:pk>/filing/<str:answer>/": POST_ONLY,
    "plans/<id:pk>/new-version/": POST_ONLY,
    "plans/versions/<id:pk>/do/<str:action>/": POST_ONLY,
    "plans/editor/row/<str:kind>/": "an empty editor row (htmx fragment), no object",
    "duty/changes/<id:pk>/decide/": POST_ONLY,
    "duty/log/new/": FORM,
    "duty/log/<id:pk>/incident/": POST_ONLY,
    "duty/log/<id:pk>/petition/": POST_ONLY,
    "duty/feed/mine/": POST_ONLY + " (the signed-in person's own feed link, on the board)",
    "duty/feed/<str:token>.ics": "a calendar feed opened by its secret token, no login",
    "drills/actions/<id:pk>/done/": POST_ONLY,
    "drills/actions/<id:pk>/cancel/": POST_ONLY,
    "drills/plan-versions/<id:pk>/addresses/": POST_ONLY,
    "drills/<id:pk>/actions/new/": FORM + " for a drill's corrective action, within drill_for's"
    " sight (its incident twin is in the matrix)",
    "drills/feed/mine/": POST_ONLY + " (the signed-in person's own feed link, on the calendar)",
    "drills/feed/<str:token>.ics": "a calendar feed opened by its secret token (the duty "
    "feed's: the person's own), no login; it shows what that person's login sees",
    "drills/<id:pk>/check/": "a participant's own familiarity check, refused to anyone else"
    " (403; 404 outside the drill's sight): drills/test_familiarity.py",
    "drills/<id:pk>/scores/": "familiarity figures without names, people only to their"
    " leaders (privacy both ways in drills/test_familiarity.py)",
    "notifications/<id:pk>/acknowledge/": POST_ONLY,
    "notifications/settings/": "the user's own delivery preferences",
    "notifications/failures/<id:pk>/retry/": POST_ONLY,
    "notifications/ack/<str:token>/": "an acknowledgement link opened by its secret token",
    "incidents/new/": FORM,
    "incidents/from-petition/<id:petition_pk>/": POST_ONLY,
    "incidents/tasks/<id:pk>/<str:action>/": POST_ONLY,
    "incidents/groups/<id:pk>/people/": POST_ONLY,
    "incidents/requests/<id:pk>/decide/": POST_ONLY,
    "incidents/<id:pk>/facts/": POST_ONLY,
    "incidents/<id:pk>/grade/": POST_ONLY,
    "incidents/<id:pk>/activate/": POST_ONLY,
    "incidents/<id:pk>/bring-in/": POST_ONLY,
    "incidents/<id:pk>/tasks/new/": POST_ONLY,
    "incidents/<id:pk>/instructions/new/": POST_ONLY,
    "incidents/<id:pk>/invite/": POST_ONLY,
    "incidents/<id:pk>/milestone/<str:name>/": POST_ONLY,
    "incidents/<id:pk>/release/": POST_ONLY,
    "incidents/<id:pk>/request/": POST_ONLY,
    "incidents/<id:pk>/reporter/": POST_ONLY,
    "incidents/<id:pk>/close/": POST_ONLY,
    "resources/items/": "the supply catalogue: item names shared by the whole system",
    "resources/lots/<id:pk>/return/": POST_ONLY,
    "resources/contact/<str:kind>/<id:pk>/": POST_ONLY,
    "resources/equipment/<id:pk>/inspected/": POST_ONLY,
    "resources/items/<id:pk>/active/": POST_ONLY,
    "resources/warehouses/<id:pk>/active/": POST_ONLY,
    "resources/teams/<id:pk>/active/": POST_ONLY,
    "resources/experts/<id:pk>/active/": POST_ONLY,
    "resources/equipment/<id:pk>/active/": POST_ONLY,
    "resources/requests/<id:pk>/issue/": POST_ONLY,
    "resources/stock/import/": FORM + " (a stock workbook upload)",
    "public/incidents/<str:key>/": "the public page: released information only, by secret key",
    "public/petition/": "the public petition form",
    "public/status/": "a petitioner's case, opened with its receipt code",
    "public/status/rate/": "a petitioner's case, opened with its receipt code",
    "public/status/review/": "a petitioner's case, opened with its receipt code",
    "public/status/recheck/": "a petitioner's case, opened with its receipt code",
    "public/status/reply/<id:document_pk>/": "a petitioner's reply, opened with the receipt code",
    "public/status/opinion/<id:document_pk>/": (
        "a petitioner's review opinion, opened with the receipt code"
    ),
    "i18n/setlang/": "language switch",
    # Open311: the lists are public; requests are read and filed with a system's key, and
    # a key reads only what it filed (tests/open311)
    r"open311/^discovery\.(?P<fmt>json|xml)$": "Open311 discovery, the same for everyone",
    r"open311/^v2/discovery\.(?P<fmt>json|xml)$": "Open311 discovery, the same for everyone",
    r"open311/^v2/services\.(?P<fmt>json|xml)$": "the petition categories, for everyone",
    r"open311/^v2/services/(?P<code>[^/]{1,100})\.(?P<fmt>json|xml)$": (
        "a category's attributes, the same for everyone"
    ),
    r"open311/^v2/requests\.(?P<fmt>json|xml)$": "by a system's key: only what it filed",
    r"open311/^v2/requests/(?P<number>[^/]{1,40})\.(?P<fmt>json|xml)$": (
        "by a system's key: only what it filed"
    ),
    r"open311/^v2/tokens/(?P<value>[^/]{1,100})\.(?P<fmt>json|xml)$": "no token is issued",
    r"open311/^(?P<rest>.*?)(?:\.(?P<fmt>json|xml))?$": "unknown Open311 addresses: a 404",
    # the API
    "/api/v1/": "the API's root (its documentation)",
    "/api/v1/openapi.json": "the OpenAPI schema",
    "/api/v1/docs": "the API documentation page",
    "/api/v1/{rest}": "unknown endpoints: a JSON 404",
    "/api/v1/health": "health check",
    "/api/v1/public/offices": "the offices that take petitions online, the same for everyone",
    "/api/v1/public/categories": "the petition categories, the same for everyone",
    "/api/v1/me": "the signed-in user",
    "/api/v1/clock/kinds": "deadline kinds, the same for everyone",
    "/api/v1/clock/due": "a due-date computation, no object",
    "/api/v1/clock/calendar/{year}": "the official holiday calendar, the same for everyone",
    "/api/v1/plan-facts": "the trigger facts, the same for everyone",
    "/api/v1/event-types": "the event type tree, the same for everyone",
    "/api/v1/resources/categories": "the supply categories, the same for everyone",
    "/api/v1/resources/items": "the supply catalogue: item names shared by the whole system",
    "/api/v1/petitions/{petition_id}/decision": POST_ONLY,
    "/api/v1/petitions/{petition_id}/reveal": POST_ONLY,
    "/api/v1/petitions/{petition_id}/assignments": POST_ONLY,
    "/api/v1/assignments/{assignment_id}/answer": POST_ONLY,
    "/api/v1/petitions/{petition_id}/extension": POST_ONLY,
    "/api/v1/petitions/{petition_id}/reply": POST_ONLY,
    "/api/v1/petitions/{petition_id}/reply/delivery": POST_ONLY,
    "/api/v1/petitions/{petition_id}/identity": POST_ONLY,
    "/api/v1/petitions/{petition_id}/reopen": POST_ONLY,
    "/api/v1/petitions/{petition_id}/reviews/{review_id}/decision": POST_ONLY,
    "/api/v1/petitions/{petition_id}/reviews/{review_id}/delivery": POST_ONLY,
    "/api/v1/petitions/{petition_id}/hearing": POST_ONLY,
    "/api/v1/petitions/{petition_id}/link": POST_ONLY,
    "/api/v1/petitions/{petition_id}/objection": POST_ONLY,
    "/api/v1/petitions/{petition_id}/attachments/{attachment_id}/content": POST_ONLY,
    "/api/v1/petitions/{petition_id}/documents/{document_id}/content": POST_ONLY,
    "/api/v1/petitions/categories": "the petition categories, the same for everyone",
    "/api/v1/petitions/search/by-petitioner": POST_ONLY
    + " (a search by the petitioner, its words in the body)",
    "/api/v1/petitions/ledger/imports": POST_ONLY + " (a ledger upload)",
    "/api/v1/petitions/ledger/imports/{job_id}": (
        "an import's progress, for its uploader only (petitions/test_api_acts.py)"
    ),
    "/api/v1/plan-filings/{version_id}/answer": POST_ONLY,
    "/api/v1/plans/{plan_id}/versions": POST_ONLY,
    "/api/v1/plan-versions/{version_id}/submit": POST_ONLY,
    "/api/v1/plan-versions/{version_id}/return": POST_ONLY,
    "/api/v1/plan-versions/{version_id}/approval": POST_ONLY,
    "/api/v1/plan-versions/{version_id}/filing": POST_ONLY,
    "/api/v1/plan-versions/{version_id}/in-force": POST_ONLY,
    "/api/v1/plan-versions/{version_id}/evaluate": POST_ONLY,
    "/api/v1/notifications/{notification_id}/acknowledge": POST_ONLY,
    "/api/v1/duty/rotations": POST_ONLY,
    "/api/v1/duty/feeds": POST_ONLY,
    "/api/v1/duty/shifts/{shift_id}/changes": POST_ONLY,
    "/api/v1/duty/changes/{change_id}/decision": POST_ONLY,
    "/api/v1/incidents/{incident_id}/facts": POST_ONLY,
    "/api/v1/incidents/{incident_id}/grading": POST_ONLY,
    "/api/v1/incidents/{incident_id}/instructions": POST_ONLY,
    "/api/v1/incidents/{incident_id}/activation": POST_ONLY,
    "/api/v1/incidents/{incident_id}/linked-plans": POST_ONLY,
    "/api/v1/incidents/{incident_id}/milestones": POST_ONLY,
    "/api/v1/incidents/{incident_id}/end": POST_ONLY,
    "/api/v1/incidents/{incident_id}/reports/{report_id}/submission": POST_ONLY,
    "/api/v1/incidents/{incident_id}/reports/{report_id}/receipt": POST_ONLY,
    "incidents/<id:pk>/reports/<id:report_pk>/receipt/": POST_ONLY,
    "/api/v1/tasks/{task_id}/state": POST_ONLY,
    "/api/v1/tasks/{task_id}/notes": POST_ONLY,
    "/api/v1/requests/{request_id}/decision": POST_ONLY,
    "/api/v1/resources/receipts": POST_ONLY,
    "/api/v1/resources/lots/{lot_id}/issue": POST_ONLY,
    "/api/v1/resources/lots/{lot_id}/transfer": POST_ONLY,
    "/api/v1/resources/lots/{lot_id}/adjust": POST_ONLY,
    "/api/v1/resources/lots/{lot_id}/write-off": POST_ONLY,
    "/api/v1/resources/requests/{request_id}/issue": POST_ONLY,
    "/api/v1/resources/requests/{request_id}/return": POST_ONLY,
    "/api/v1/resources/teams/{team_id}/contact": POST_ONLY,
    "/api/v1/resources/experts/{expert_id}/contact": POST_ONLY,
    "/api/v1/resources/items/{item_id}": POST_ONLY + " (PATCH)",
    "/api/v1/resources/items/{item_id}/retire": POST_ONLY,
    "/api/v1/resources/items/{item_id}/reactivate": POST_ONLY,
    "/api/v1/resources/warehouses/{warehouse_id}": POST_ONLY + " (PATCH)",
    "/api/v1/resources/warehouses/{warehouse_id}/retire": POST_ONLY,
    "/api/v1/resources/warehouses/{warehouse_id}/reactivate": POST_ONLY,
    "/api/v1/resources/teams/{team_id}": POST_ONLY + " (PATCH)",
    "/api/v1/resources/teams/{team_id}/retire": POST_ONLY,
    "/api/v1/resources/teams/{team_id}/reactivate": POST_ONLY,
    "/api/v1/resources/experts/{expert_id}": POST_ONLY + " (PATCH)",
    "/api/v1/resources/experts/{expert_id}/retire": POST_ONLY,
    "/api/v1/resources/experts/{expert_id}/reactivate": POST_ONLY,
    "/api/v1/resources/equipment/{equipment_id}": POST_ONLY + " (PATCH)",
    "/api/v1/resources/equipment/{equipment_id}/retire": POST_ONLY,
    "/api/v1/resources/equipment/{equipment_id}/reactivate": POST_ONLY,
    "/api/v1/public/petitions": POST_ONLY + " (the public intake)",
    "/api/v1/public/petitions/status": POST_ONLY + " (a case by its receipt code, in the body)",
    "/api/v1/public/petitions/rating": POST_ONLY + " (a case by its receipt code, in the body)",
    "/api/v1/public/petitions/review": POST_ONLY + " (a case by its receipt code, in the body)",
    "/api/v1/public/petitions/recheck": POST_ONLY + " (a case by its receipt code, in the body)",
    "/api/v1/public/petitions/replies/{document_id}": POST_ONLY
    + " (a petitioner's reply, opened with the receipt code in the body)",
    "/api/v1/public/petitions/opinions/{document_id}": POST_ONLY
    + " (a petitioner's review opinion, opened with the receipt code in the body)",
    "/api/v1/corrective-actions/{action_id}/done": POST_ONLY,
    "/api/v1/corrective-actions/{action_id}/cancel": POST_ONLY,
    "/api/v1/drills/{drill_id}/check": "a participant's own familiarity check, refused to"
    " anyone else (403; 404 outside the drill's sight): drills/test_familiarity.py",
    "/api/v1/drills/{drill_id}/scores": "familiarity figures without names, people only to"
    " their leaders (privacy both ways in drills/test_familiarity.py)",
    # prevention (warnings app)
    "warnings/<id:pk>/submit/": POST_ONLY,
    "warnings/<id:pk>/issue/": POST_ONLY,
    "warnings/<id:pk>/return/": POST_ONLY,
    "warnings/<id:pk>/withdraw/": POST_ONLY,
    "warnings/risks/<id:pk>/close/": POST_ONLY,
    "warnings/risks/<id:pk>/reopen/": POST_ONLY,
    "warnings/inspections/<id:pk>/start/": POST_ONLY,
    "warnings/inspections/<id:pk>/finish/": POST_ONLY,
    "warnings/inspections/<id:pk>/photos/<id:document_pk>/": "a finding's photo, opened by its"
    " round's rule (warnings/inspections/<id:pk>/ in PAGES); the demo's findings have no photo"
    " (warnings/test_access.py)",
    "warnings/signals/scan/": POST_ONLY,
    "warnings/signals/<id:pk>/dismiss/": POST_ONLY,
    "insights/reports/<id:pk>/send/": POST_ONLY,
    "insights/reports/new/": FORM,
    "/api/v1/insights/reports/{report_id}/send": POST_ONLY,
    "warnings/signals/<id:pk>/to-risk/": POST_ONLY,
    "warnings/signals/<id:pk>/to-warning/": POST_ONLY,
    "/api/v1/warnings/{warning_id}/submit": POST_ONLY,
    "/api/v1/warnings/{warning_id}/withdraw": POST_ONLY,
    "/api/v1/warnings/{warning_id}/issue": POST_ONLY,
    "/api/v1/warnings/{warning_id}/return": POST_ONLY,
    "/api/v1/warnings/{warning_id}/adjust": POST_ONLY,
    "/api/v1/warnings/{warning_id}/lift": POST_ONLY,
    "/api/v1/risks/import": POST_ONLY + " (a ledger upload)",
    "/api/v1/risks/{risk_id}/close": POST_ONLY,
    "/api/v1/risks/{risk_id}/reopen": POST_ONLY,
    "/api/v1/inspections/{inspection_id}/start": POST_ONLY,
    "/api/v1/inspections/{inspection_id}/findings": POST_ONLY,
    "/api/v1/inspections/{inspection_id}/findings/photos": POST_ONLY,
    "/api/v1/inspections/{inspection_id}/finish": POST_ONLY,
    "/api/v1/warning-signals/scan": POST_ONLY,
    "/api/v1/warning-signals/{signal_id}/dismiss": POST_ONLY,
    "/api/v1/warning-signals/{signal_id}/to-risk": POST_ONLY,
    "/api/v1/warning-signals/{signal_id}/to-warning": POST_ONLY,
}
# Django's admin: administrators only, behind the second factor; it keeps to the
# administrator's subtree (tests/org/test_admin.py and the other apps' admin tests).
OTHER_PREFIXES = {"admin/": "Django admin, tested with the second factor by each app's tests"}

# Where the application disagrees with the rule: the mismatch, as the matrix words it with
# the URL templates, and why the rule's answer is the right one. Each entry must still
# be a mismatch (the test fails when one is fixed, until it is taken off this list).
KNOWN: dict[str, str] = {}


# --- discovery ---------------------------------------------------------------------------------

_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def _walk(patterns: list[Any], prefix: str = "", space: str = "") -> Iterator[tuple[str, str]]:
    """Every pattern's full route string and its name (``petitions:detail``)."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{space}{entry.namespace}:" if entry.namespace else space
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{space}{entry.name or ''}"


def route_key(route: str) -> str:
    """Pages by their route string; the API by its OpenAPI path (``/api/v1/units/{id}``)."""
    if route.startswith("api/v1/"):
        return "/" + _PARAM.sub(r"{\1}", route)
    return route


def discovered_routes(client: Client) -> dict[str, str]:
    """Route → name: the resolver's patterns and the OpenAPI schema's GET paths."""
    routes = {route_key(route): name for route, name in _walk(get_resolver().url_patterns)}
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    for path, operations in schema.json()["paths"].items():
        if "get" in operations:
            routes.setdefault(path, operations["get"].get("operationId", ""))
    return routes


# --- running the matrix ------------------------------------------------------------------------


def clients(admin_client_for: Callable[[User], Client]) -> dict[str, Client]:
    made = {}
    for role in ROLES:
        user = User.objects.get(username=role)
        if role == "admin":  # an administrator reaches nothing before the second factor
            made[role] = admin_client_for(user)
        else:
            made[role] = Client()
            made[role].force_login(user)
    return made


def _pairs(value: Any, found: set[str]) -> set[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)):
                _pairs(item, found)
            else:
                found.add(f"{key}={item}")
    elif isinstance(value, list):
        for item in value:
            _pairs(item, found)
    return found


def _text(row: Row, response: Any) -> str:
    if row.kind == "json":  # one "key=value" a line, each line looked for whole
        return "\n" + "\n".join(sorted(_pairs(response.json(), set()))) + "\n"
    if row.kind == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for line in sheet.iter_rows(values_only=True)
            for cell in line
            if cell is not None
        )
    return response.content.decode()


CHINESE = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Run:
    world: dict[str, Any]
    clients: dict[str, Client]
    problems: dict[str, str] = field(default_factory=dict)  # signature → with the ids
    pages: dict[tuple[str, str], tuple[Row, str]] = field(default_factory=dict)
    statuses: dict[tuple[str, str], int] = field(default_factory=dict)
    requests: int = 0

    def get(self, role: str, url: str, kind: str = "page") -> Any:
        self.requests += 1
        response = self.clients[role].get(url)
        if kind == "stream":
            # Never read: the status is all a stream is checked for. Closed as the test
            # client closes a response, keeping the test's database connection open.
            request_finished.disconnect(close_old_connections)
            try:
                response.close()
            finally:
                request_finished.connect(close_old_connections)
        self.statuses[(role, url)] = response.status_code
        return response

    def problem(self, signature: str, url: str) -> None:
        """``signature`` names the URL by its template, so that KNOWN can list it."""
        self.problems[signature] = signature if "{" not in signature else f"{signature} ({url})"

    def check(self, rows: list[Row]) -> None:
        for row in rows:
            url = row.url.format(**self.world)
            for role in ROLES:
                response = self.get(role, url, row.kind)
                got, want = response.status_code, row.expected(role)
                if got != want:
                    self.problem(f"{role} {row.url} expected {want} got {got}", url)
                    continue
                if got == 403 and not CHINESE.search(response.content.decode()):
                    self.problem(f"{role} {row.url} answers 403 without a Chinese message", url)
                if got != 200:
                    continue
                if row.kind == "page":
                    self.pages[(role, url)] = (row, response.content.decode())
                if row.shows:
                    text = _text(row, response)
                    for key, marker in row.shows:
                        expected = marker.format(**self.world)
                        if row.kind == "json":
                            expected = f"\n{expected}\n"
                        if (role in SEES[key]) != (expected in text):
                            verb = "misses" if role in SEES[key] else "shows"
                            self.problem(f"{role} {row.url} {verb} {key}", url)

    def check_links(self, rows: list[Row], *, sample: int = 6) -> None:
        """No page a role opens links to an object URL that answers 404 for that role.
        Links the matrix opened already are all checked; of the others, a few per role
        and route are opened (a city-wide role's unit list links every unit of the city).
        Routes whose rows answer alike for every object (a redirect) are not opened."""
        object_routes = {
            row.route: row.kind for row in rows if "<" in row.route and row.sees is not None
        }
        opened: dict[tuple[str, str], int] = {}
        for (role, url), (row, html) in list(self.pages.items()):
            for link in sorted(set(re.findall(r'href="(/[^"#?]*)', html))):
                try:
                    route = resolve(link).route
                except Resolver404:
                    continue
                kind = object_routes.get(route)
                if kind is None:
                    continue
                status = self.statuses.get((role, link))
                if status is None:
                    if opened.get((role, route), 0) >= sample:
                        continue
                    opened[(role, route)] = opened.get((role, route), 0) + 1
                    status = self.get(role, link, kind).status_code
                if status == 404:
                    self.problem(f"{role} {row.url} links to {route}", f"{url} → {link}")

    def check_post_only(self, role: str) -> None:
        """What OTHERS calls POST-only answers GET with 405."""
        for route, reason in OTHERS.items():
            if reason.startswith(POST_ONLY):
                path = route if route.startswith("/") else "/" + route
                url = re.sub(r"\{\w+\}|<id:\w+>", "1", re.sub(r"<(?:str:)?\w+>", "x", path))
                got = self.get(role, url).status_code
                if got != 405:
                    self.problem(f"{role} GET {route} expected 405 got {got}", url)

    def assert_rule_holds(self, *, api: bool) -> None:
        """No mismatch but the KNOWN ones, and each KNOWN one (of pages or of the API)
        still happens."""
        new = [text for signature, text in self.problems.items() if signature not in KNOWN]
        fixed = [
            signature
            for signature in KNOWN
            if signature.split(" ", 2)[1].startswith("/api/") == api
            and signature not in self.problems
        ]
        message = f"{len(new)} mismatches (role url expected got):\n" + "\n".join(new)
        if fixed:
            message += "\nno longer mismatches, take them off KNOWN:\n" + "\n".join(fixed)
        assert not new and not fixed, message


@pytest.fixture
def run(settings: Any, admin_client_for: Callable[[User], Client]) -> Run:
    world = build_world(settings)
    today = timezone.localdate()
    world["since"], world["until"] = today - timedelta(days=1), today + timedelta(days=1)
    return Run(world=world, clients=clients(admin_client_for))


# --- the tests ---------------------------------------------------------------------------------


def test_every_route_has_a_row(client: Client) -> None:
    routes = discovered_routes(client)
    matrix = {row.route for row in PAGES + API}
    both = matrix & set(OTHERS)
    assert not both, f"in both tables: {sorted(both)}"
    missing = sorted(
        f"{route} ({routes[route]})"
        for route in set(routes) - matrix - set(OTHERS)
        if not route.startswith(tuple(OTHER_PREFIXES))
    )
    assert not missing, "routes with no row in the matrix nor among the others:\n" + "\n".join(
        missing
    )
    stale = sorted((matrix | set(OTHERS)) - set(routes))
    assert not stale, f"rows for routes that no longer exist: {stale}"


def test_pages_follow_the_jurisdiction_rule(run: Run) -> None:
    run.check(PAGES)
    run.check_links(PAGES)
    run.check_post_only("clerk")
    run.assert_rule_holds(api=False)


def test_the_api_follows_the_jurisdiction_rule(run: Run) -> None:
    run.check(API)
    run.assert_rule_holds(api=True)
