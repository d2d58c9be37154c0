"""The demo office: a small fictional city, its departments, and one user per role.

Codes start with 99, which no province uses, so demo units never collide with real
GB/T 2260 codes imported later.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from yingji.accounts import services as accounts
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.services import Actor
from yingji.org import services as org
from yingji.org.models import Unit
from yingji.plans import demo as plans_demo

DEMO_PASSWORD = "yingji-demo-2026"  # noqa: S105 - published demo password, demo data only

R, D, INST = Unit.Kind.REGION, Unit.Kind.DEPARTMENT, Unit.Kind.INSTITUTION

# (key, parent key, name, kind, region level, code, phone)
UNITS = [
    ("city", None, "安澜市", R, "city", "990100", "0999-12345"),
    ("qingxi", "city", "清溪区", R, "county", "990102", "0999-22000"),
    ("baishi", "city", "白石县", R, "county", "990121", "0999-33000"),
    ("hexi", "qingxi", "河西街道", R, "township", "990102001", "0999-22101"),
    ("wanghu", "qingxi", "望湖街道", R, "township", "990102002", "0999-22102"),
    ("baishizhen", "baishi", "白石镇", R, "township", "990121100", "0999-33101"),
    ("liulin", "baishi", "柳林乡", R, "township", "990121200", "0999-33102"),
    ("binhe", "hexi", "滨河社区", R, "village", "990102001001", ""),
    ("xinqiao", "hexi", "新桥社区", R, "village", "990102001002", ""),
    ("wanghusq", "wanghu", "望湖社区", R, "village", "990102002001", ""),
    ("baishicun", "baishizhen", "白石村", R, "village", "990121100201", ""),
    ("dongping", "baishizhen", "东坪村", R, "village", "990121100202", ""),
    ("liulincun", "liulin", "柳林村", R, "village", "990121200201", ""),
    ("xinfang", "city", "安澜市信访局", D, "", "", "0999-12301"),
    ("yingji", "city", "安澜市应急管理局", D, "", "", "0999-12350"),
    ("gongan", "city", "安澜市公安局", D, "", "", "0999-12110"),
    ("weijian", "city", "安澜市卫生健康委员会", D, "", "", "0999-12320"),
    ("sifa", "city", "安澜市司法局", D, "", "", "0999-12348"),
    ("renshe", "city", "安澜市人力资源和社会保障局", D, "", "", "0999-12333"),
    ("zhujian", "city", "安澜市住房和城乡建设局", D, "", "", "0999-12319"),
    ("qx_xinfang", "qingxi", "清溪区信访局", D, "", "", "0999-22301"),
    ("qx_yingji", "qingxi", "清溪区应急管理局", D, "", "", "0999-22350"),
    ("bs_xinfang", "baishi", "白石县信访局", D, "", "", "0999-33301"),
    ("bs_yingji", "baishi", "白石县应急管理局", D, "", "", "0999-33350"),
    ("hospital", "weijian", "安澜市人民医院", INST, "", "", "0999-12120"),
    ("chemical", "baishi", "白石化工有限公司", INST, "", "", "0999-33888"),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    unit: str
    person: str
    position: str


LOGINS = [
    DemoLogin("admin", Role.SYSADMIN, "city", "赵敏", "信息中心主任"),
    DemoLogin("leader", Role.DUTY_LEADER, "yingji", "钱立军", "副局长"),
    DemoLogin("duty", Role.DUTY_OFFICER, "qx_yingji", "孙晓", "值班员"),
    DemoLogin("member", Role.TEAM_MEMBER, "hexi", "李强", "综合治理办干部"),
    DemoLogin("clerk", Role.INTAKE_CLERK, "baishizhen", "周婷", "信访办接待员"),
    DemoLogin("handler", Role.CASE_HANDLER, "bs_xinfang", "吴刚", "办信科科员"),
    DemoLogin("supervisor", Role.SUPERVISOR, "xinfang", "郑华", "督查科科长"),
    DemoLogin("planner", Role.PLAN_MANAGER, "yingji", "王磊", "预案管理科科长"),
    DemoLogin("storekeeper", Role.STOREKEEPER, "bs_yingji", "冯洁", "物资保管员"),
]

EXTRA_PEOPLE = [
    ("yingji", "陈国栋", "局长", "13900000001"),
    ("xinfang", "褚玉兰", "局长", "13900000002"),
    ("hexi", "卫东", "街道办事处主任", "13900000003"),
    ("baishizhen", "蒋文", "镇长", "13900000004"),
    ("gongan", "沈亮", "指挥中心民警", "13900000005"),
]


def is_loaded() -> bool:
    return Unit.objects.filter(code="990100").exists()


@transaction.atomic
def load() -> None:
    actor = Actor.system("yingji demo")
    units: dict[str, Unit] = {}
    for key, parent, name, kind, level, code, phone in UNITS:
        units[key] = org.create_unit(
            actor=actor,
            name=name,
            kind=kind,
            region_level=level,
            code=code,
            parent=units[parent] if parent else None,
            phone=phone,
        )
    for key, name, position, phone in EXTRA_PEOPLE:
        org.create_person(actor=actor, name=name, unit=units[key], position=position, phone=phone)
    for index, login in enumerate(LOGINS, start=1):
        person = org.create_person(
            actor=actor,
            name=login.person,
            unit=units[login.unit],
            position=login.position,
            phone=f"1380000{index:04d}",
            email=f"{login.username}@demo.yingji.invalid",
        )
        accounts.create_user(
            actor=actor,
            username=login.username,
            password=DEMO_PASSWORD,
            roles=[login.role],
            unit=units[login.unit],
            person=person,
            email=person.email,
            is_staff=login.role == Role.SYSADMIN,
        )
    plans_demo.load(units, actor)


def login_table() -> list[tuple[str, str, str]]:
    users = {u.username: u for u in User.objects.select_related("unit")}
    rows = []
    for login in LOGINS:
        user = users.get(login.username)
        if user is not None and user.unit is not None:
            rows.append((login.username, str(login.role.label), user.unit.name))
    return rows
