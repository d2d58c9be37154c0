"""The demo city's data: its units with their codes, outlines and places, the demo
logins (one per role) and the staff the history adds. :mod:`yingji.demo` loads them.

Codes start with 99, which no province uses, so demo units never collide with real
GB/T 2260 codes imported later.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from yingji.accounts.roles import Role
from yingji.org.models import Unit

DEMO_PASSWORD = "yingji-demo-2026"  # noqa: S105 - published demo password, demo data only
# How the audit log and the timelines name the demo's own acts.
DEMO_ACTOR = gettext_lazy("demo data")
SEED = 2026
DAYS = 61  # the history starts about two months before today

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
    ("bs_gongan", "baishi", "白石县公安局", D, "", "", "0999-33110"),
    ("bs_weijian", "baishi", "白石县卫生健康局", D, "", "", "0999-33120"),
    ("bs_sifa", "baishi", "白石县司法局", D, "", "", "0999-33148"),
    ("hospital", "weijian", "安澜市人民医院", INST, "", "", "0999-12120"),
    ("chemical", "baishi", "白石化工有限公司", INST, "", "", "0999-33888"),
]

# The organ that signs each unit's letters (机关全称) and its document code (机关代字),
# where they differ from the name: a region's letters are its government's.
ORGANS: dict[str, tuple[str, str]] = {
    "city": ("安澜市人民政府", "安政"),
    "qingxi": ("清溪区人民政府", "清政"),
    "baishi": ("白石县人民政府", "白政"),
    "hexi": ("清溪区人民政府河西街道办事处", "河西办"),
    "wanghu": ("清溪区人民政府望湖街道办事处", "望湖办"),
    "baishizhen": ("白石镇人民政府", "白石镇政"),
    "liulin": ("柳林乡人民政府", "柳林乡政"),
    "binhe": ("滨河社区居民委员会", "滨河居"),
    "xinqiao": ("新桥社区居民委员会", "新桥居"),
    "wanghusq": ("望湖社区居民委员会", "望湖居"),
    "baishicun": ("白石村村民委员会", "白石村委"),
    "dongping": ("东坪村村民委员会", "东坪村委"),
    "liulincun": ("柳林村村民委员会", "柳林村委"),
    "xinfang": ("", "安信"),
    "yingji": ("", "安应急"),
    "qx_xinfang": ("", "清信"),
    "qx_yingji": ("", "清应急"),
    "bs_xinfang": ("", "白信"),
    "bs_yingji": ("", "白应急"),
}

# Boundaries of the fictional city, invented (longitude, latitude) and drawn so that
# districts tile the city, townships their district, and communities and villages sit
# inside their township. Shared edges use the same corner points, so nothing overlaps.
_A, _B, _C, _D = (113.40, 28.78), (113.62, 28.82), (113.86, 28.76), (113.98, 28.60)
_E, _F, _G, _H = (113.94, 28.40), (113.72, 28.30), (113.50, 28.34), (113.38, 28.52)
_Q, _S, _T = (113.60, 28.60), (113.49, 28.57), (113.80, 28.56)


def _box(west: float, south: float, east: float, north: float) -> list[tuple[float, float]]:
    return [(west, south), (east, south), (east, north), (west, north)]


OUTLINES: dict[str, list[tuple[float, float]]] = {
    "city": [_A, _B, _C, _D, _E, _F, _G, _H],
    "qingxi": [_A, _B, _Q, _G, _H],
    "baishi": [_B, _C, _D, _E, _F, _G, _Q],
    "hexi": [_A, _B, _Q, _S, _H],
    "wanghu": [_H, _S, _Q, _G],
    "baishizhen": [_B, _C, _D, _T, _Q],
    "liulin": [_Q, _T, _D, _E, _F, _G],
    "binhe": _box(113.44, 28.68, 113.50, 28.73),
    "xinqiao": _box(113.52, 28.66, 113.57, 28.72),
    "wanghusq": _box(113.47, 28.44, 113.53, 28.50),
    "baishicun": _box(113.70, 28.66, 113.76, 28.72),
    "dongping": _box(113.80, 28.62, 113.88, 28.68),
    "liulincun": _box(113.70, 28.40, 113.78, 28.46),
}

# Where some units are (latitude, longitude): shown as points on the maps.
PLACES: dict[str, tuple[float, float]] = {
    "yingji": (28.655, 113.545),
    "hospital": (28.640, 113.520),
    "chemical": (28.480, 113.860),
}


def outline(key: str) -> dict[str, object]:
    """The demo unit's outline as a GeoJSON Polygon (ring closed, longitude first)."""
    ring = [[lon, lat] for lon, lat in OUTLINES[key]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


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


@dataclass(frozen=True)
class Staff:
    """Someone of the history's offices: the duty rosters' officers and leaders, and the
    staff whose acts the services check by role. Those with a username get an account,
    but no demo login: its password is random and shown nowhere."""

    unit: str
    name: str
    position: str
    phone: str
    username: str = ""
    role: Role | None = None


STAFF = [
    Staff("yingji", "何静", "值班员", "13800000101"),
    Staff("yingji", "吕志远", "值班员", "13800000102"),
    Staff("yingji", "宋佳", "值班员", "13800000103"),
    Staff("yingji", "许敏", "物资保管员", "13800000104", "city_keeper", Role.STOREKEEPER),
    Staff("qx_yingji", "邵峰", "副局长", "13800000111", "qingxi_leader", Role.DUTY_LEADER),
    Staff("qx_yingji", "严冬", "局长", "13800000112"),
    Staff("qx_yingji", "姜涛", "值班员", "13800000113"),
    Staff("qx_yingji", "谢雨", "值班员", "13800000114"),
    Staff("bs_yingji", "韩卫国", "副局长", "13800000121", "baishi_leader", Role.DUTY_LEADER),
    Staff("bs_yingji", "段志刚", "局长", "13800000122"),
    Staff("bs_yingji", "唐明", "值班员", "13800000123", "baishi_duty", Role.DUTY_OFFICER),
    Staff("bs_yingji", "曹琳", "值班员", "13800000124"),
    Staff("bs_yingji", "袁野", "值班员", "13800000125"),
    # The county's departments whose heads lead the plan's groups (医疗救护组, 治安维稳组):
    # a commander staffs groups from them.
    Staff(
        "bs_weijian", "郭建华", "县卫生健康局局长", "13800000131", "baishi_health", Role.TEAM_MEMBER
    ),
    Staff("bs_weijian", "刘芳", "医政股股长", "13800000132", "baishi_doctor", Role.TEAM_MEMBER),
    Staff("bs_gongan", "马永", "县公安局局长", "13800000133", "baishi_police", Role.TEAM_MEMBER),
    Staff("bs_sifa", "周平", "县司法局局长", "13800000134", "baishi_justice", Role.TEAM_MEMBER),
]
