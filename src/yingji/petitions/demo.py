"""The demo city's petitions; all names, numbers and matters are invented.

``load``: enough cases at each level that every petition role has work in its
jurisdiction, including a 复查 for the city and an accusation that the accused township
must not see (the tests build on it).

``story``: two months of the offices' petition work for ``yingji demo``: a couple of
hundred cases received on working days and online at any hour, each taken as far as its
age allows (decided, routed down, answered, delivered, followed up), and the cases every
petition role must find on its workbench: decisions overdue and falling due, routings
waiting for an answer, 复查 and 复核 with a hearing, a matter closed after 复核 and its
repeat refused, a transfer objected to, supervision answered and not, a collective visit
at the county government's gate, last year's ledger imported, and the one accusation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.org.models import Unit
from yingji.petitions import services
from yingji.petitions.models import Assignment, Category, Petition, Review, Supervision

if TYPE_CHECKING:
    from yingji.demo import Process, Story

Channel, Decision, Stage = Petition.Channel, Petition.Decision, Petition.Stage

WAGES: dict[str, Any] = {
    "name": "李建国",
    "phone": "13912340001",
    "address": "白石县白石镇白石村三组",
    "region_code": "990121100201",
    "place": "白石村安置房工地",
    "request": "请求督促施工方支付拖欠的2025年下半年工资共计4.2万元。",
    "facts": "本人与同村11名村民在白石村安置房工地务工，施工方以工程款未到位为由拖欠工资至今。",
    "people_count": 12,
    "is_collective": True,
    "representatives": [("李建国", "13912340001"), ("王秀英", "13912340002")],
}
CONTRACT: dict[str, Any] = {
    "channel": Channel.LETTER,
    "name": "赵德明",
    "address": "白石县白石镇东坪村",
    "region_code": "990121100202",
    "place": "东坪村",
    "request": "请求核实二轮土地承包面积登记错误并予以更正。",
    "facts": "本户承包地实际3.6亩，确权证书登记为2.6亩。",
}
NOISE: dict[str, Any] = {
    "channel": Channel.PHONE,
    "name": "孙丽",
    "phone": "13912340003",
    "address": "白石县柳林乡柳林村",
    "region_code": "990121200201",
    "place": "柳林村石料厂",
    "request": "请求制止石料厂夜间生产噪声扰民。",
    "facts": "石料厂连续两周夜间22时后作业，噪声影响周边居民休息。",
}
PROPERTY: dict[str, Any] = {
    "channel": Channel.ONLINE,
    "name": "陈晓",
    "phone": "13912340004",
    "address": "清溪区河西街道滨河社区",
    "region_code": "990102001001",
    "place": "滨河花园小区",
    "request": "请求督促物业公司维修小区二次供水设施。",
    "facts": "小区二次供水设施损坏一个月，高层住户用水困难。",
}
ACCUSATION: dict[str, Any] = {
    "channel": Channel.LETTER,
    "name": "匿名群众",
    "address": "白石县",
    "region_code": "990121100",
    "place": "白石镇",
    "request": "反映白石镇有关工作人员在安置补偿中优亲厚友。",
    "facts": "安置房分配名单中有多户不符合条件。",
}
EXPROPRIATION: dict[str, Any] = {
    "name": "周桂兰",
    "phone": "13912340005",
    "address": "白石县城关老街",
    "region_code": "990121",
    "place": "城关老街改造片区",
    "request": "请求提高老街改造房屋征收补偿标准。",
    "facts": "本户房屋评估价格明显低于周边同类房屋成交价格。",
}
EXPROPRIATION_REPLY: dict[str, str] = {
    "outcome": "explain",
    "findings": "经核查，评估机构依法选定，评估程序符合规定。",
    "opinion": "补偿标准符合《国有土地上房屋征收与补偿条例》及本县补偿方案，予以解释说明。",
    "legal_basis": "《国有土地上房屋征收与补偿条例》第十九条",
}


def _intake(category: Category, days_ago: int, **values: object) -> services.Intake:
    defaults: dict[str, object] = {
        "channel": Channel.VISIT,
        "petitioner_kind": Petition.PetitionerKind.PERSON,
        "received_at": timezone.now() - timedelta(days=days_ago, hours=2),
        "category": category,
    }
    return services.Intake(**{**defaults, **values})  # type: ignore[arg-type]


def load(units: dict[str, Unit], actor: Actor) -> list[Petition]:
    cat = {c.code: c for c in Category.objects.all()}
    cases = []

    def register(office: str, intake: services.Intake) -> Petition:
        petition = services.register(intake, office=units[office], actor=actor).petition
        cases.append(petition)
        return petition

    # 白石镇: wages owed by a building contractor, accepted and sent to the village.
    wages = register("baishizhen", _intake(cat["labour.wages"], 12, **WAGES))
    services.decide(wages, actor=actor, decision=Decision.ACCEPT)
    services.assign(
        wages,
        actor=actor,
        lead=units["baishicun"],
        note="请村委会会同劳动保障所核实工资清单。",
    )
    # 白石镇: a land contract question waiting for the acceptance decision.
    register("baishizhen", _intake(cat["rural.contract"], 3, **CONTRACT))
    # 柳林乡: noise at night from a quarry, in the neighbouring township.
    register("liulin", _intake(cat["environment.noise"], 5, **NOISE))
    # 清溪区 河西街道: property management, in the other county.
    register("hexi", _intake(cat["urban.property"], 8, **PROPERTY))
    # An accusation against 白石镇, filed with the county petition bureau: invisible to
    # 白石镇 and its villages (信访工作条例 第三十条).
    register(
        "bs_xinfang",
        _intake(cat["discipline"], 6, **ACCUSATION, accused_unit=units["baishizhen"]),
    )
    # 白石县 answered a case; the petitioner asked for a review, which the city decides.
    reviewed = register("baishi", _intake(cat["urban.expropriation"], 40, **EXPROPRIATION))
    services.decide(reviewed, actor=actor, decision=Decision.ACCEPT)
    written = services.reply(reviewed, actor=actor, **EXPROPRIATION_REPLY)
    services.deliver(written, actor=actor, delivered_at=timezone.now(), method="直接送达")
    services.request_review(reviewed, actor=actor, reasons="对评估结果不服，请求复查。")
    return cases


# --- the history ------------------------------------------------------------------------------


def petitioner() -> Actor:
    """The petitioner as the public pages record them."""
    return services.online_petitioner()


@dataclass(frozen=True)
class Office:
    """A registering office: who acts for it, the units it routes cases down to (交办),
    the places its cases are about (name, division code), and its address prefix."""

    key: str
    below: tuple[str, ...]
    places: tuple[tuple[str, str], ...]
    area: str
    county: str  # where its courts and arbitration are, for matters told to go there
    weight: int
    bureau: bool = False


OFFICES = [
    Office(
        "baishizhen",
        ("baishicun", "dongping"),
        (("白石村", "990121100201"), ("东坪村", "990121100202"), ("白石镇集镇", "990121100")),
        "白石县白石镇",
        "白石县",
        30,
    ),
    Office(
        "liulin",
        ("liulincun",),
        (("柳林村", "990121200201"), ("柳林乡集镇", "990121200")),
        "白石县柳林乡",
        "白石县",
        12,
    ),
    Office(
        "hexi",
        ("binhe", "xinqiao"),
        (("滨河社区", "990102001001"), ("新桥社区", "990102001002")),
        "清溪区河西街道",
        "清溪区",
        14,
    ),
    Office(
        "wanghu",
        ("wanghusq",),
        (("望湖社区", "990102002001"), ("湖滨路", "990102002")),
        "清溪区望湖街道",
        "清溪区",
        10,
    ),
    Office(
        "bs_xinfang",
        ("baishizhen", "liulin"),
        (
            ("县城城关", "990121"),
            ("白石镇白石村", "990121100201"),
            ("柳林乡柳林村", "990121200201"),
        ),
        "白石县",
        "白石县",
        14,
        bureau=True,
    ),
    Office(
        "qx_xinfang",
        ("hexi", "wanghu"),
        (("河西街道", "990102001"), ("望湖街道", "990102002")),
        "清溪区",
        "清溪区",
        10,
        bureau=True,
    ),
    Office(
        "xinfang",
        ("baishi", "qingxi"),
        (("市区", "990100"), ("白石县", "990121"), ("清溪区", "990102")),
        "安澜市",
        "安澜市",
        10,
        bureau=True,
    ),
]

# Who acts for a unit in the history: the demo users for their units; the others' staff
# have no accounts, and their acts are the demo's own.
ACTING = {
    "baishizhen": "clerk",
    "baishicun": "clerk",
    "dongping": "clerk",
    "bs_xinfang": "handler",
    "baishi": "handler",
    "xinfang": "supervisor",
    "city": "supervisor",
}

# Category code → (weight, [(request, facts)]). Slots: {place} {company} {amount} {months}
# {years} {n} {mu} {mu2}.
MATTERS: dict[str, tuple[int, list[tuple[str, str]]]] = {
    "labour.wages": (
        14,
        [
            (
                "请求督促{company}支付拖欠的工资{amount}元。",
                "本人在{company}承建的{place}项目务工，工程完工后对方以工程款未结算为由"
                "拖欠工资至今已{months}个月，多次讨要无果。",
            ),
            (
                "请求协调解决{n}名务工人员工资拖欠问题。",
                "{company}在{place}施工期间拖欠{n}名工人工资共计{amount}元，劳务班组长已联系不上。",
            ),
        ],
    ),
    "labour.insurance": (
        5,
        [
            (
                "请求核实并补缴{years}年的养老保险。",
                "原单位{company}在本人工作期间未按规定缴纳养老保险，现临近退休无法办理退休手续。",
            )
        ],
    ),
    "labour.relations": (
        4,
        [
            (
                "请求确认劳动关系并支付经济补偿。",
                "本人在{company}工作{years}年，公司以经营困难为由口头通知解除劳动关系，"
                "未签书面合同也未支付补偿。",
            )
        ],
    ),
    "urban.property": (
        9,
        [
            (
                "请求督促物业公司维修小区电梯。",
                "{place}小区3号楼电梯频繁故障停运，物业{company}以维修资金不足为由拖延维修，"
                "老人上下楼困难。",
            ),
            (
                "请求核查物业费上调是否合规。",
                "{company}今年起将{place}小区物业费由每平方米1.2元上调至1.8元，未经业主大会表决。",
            ),
        ],
    ),
    "urban.housing": (
        4,
        [
            (
                "请求尽快办理公租房配租。",
                "本人家庭符合公租房保障条件，{months}个月前提交申请并通过审核，至今未分配房源。",
            )
        ],
    ),
    "urban.expropriation": (
        4,
        [
            (
                "请求重新评估被征收房屋价值。",
                "本户位于{place}的房屋被列入征收范围，评估单价明显低于周边同类房屋成交价格。",
            )
        ],
    ),
    "urban.management": (
        6,
        [
            (
                "请求清理{place}路口占道经营摊点。",
                "{place}路口早晚占道经营严重，影响行人和车辆通行，存在安全隐患。",
            )
        ],
    ),
    "rural.contract": (
        5,
        [
            (
                "请求更正土地承包经营权证登记面积。",
                "本户在{place}的承包地实际面积{mu}亩，确权证书登记为{mu2}亩。",
            )
        ],
    ),
    "rural.village": (
        5,
        [
            (
                "请求公开村集体收支账目。",
                "{place}村委会近两年未按规定公开村务和财务，村民对修路资金使用有疑问。",
            )
        ],
    ),
    "rural.assets": (
        3,
        [
            (
                "请求核查村集体鱼塘承包费去向。",
                "{place}集体鱼塘对外发包多年，承包费收支情况从未向村民公布。",
            )
        ],
    ),
    "land.acquisition": (
        4,
        [
            (
                "请求落实土地征收补偿款。",
                "{place}部分土地因县道改建被征收，征地补偿款至今未足额发放到户。",
            )
        ],
    ),
    "land.registration": (
        3,
        [
            (
                "请求协调办理不动产权证。",
                "本人{years}年前购买{company}开发的商品房，因开发商未缴清土地出让金至今无法办证。",
            )
        ],
    ),
    "environment.air": (
        3,
        [
            (
                "请求查处企业废气扰民问题。",
                "{company}夜间生产排放刺激性气味废气，{place}周边居民反映强烈。",
            )
        ],
    ),
    "environment.water": (
        3,
        [("请求治理{place}附近河道污染。", "{place}附近河道水体发黑发臭，疑有养殖场污水直排。")],
    ),
    "environment.noise": (
        4,
        [
            (
                "请求制止夜间施工噪声扰民。",
                "{company}在{place}的工地连续多日夜间22时后施工，噪声影响周边居民休息。",
            )
        ],
    ),
    "health.dispute": (
        2,
        [
            (
                "请求对住院费用问题作出解释。",
                "本人在县人民医院住院治疗期间，部分检查项目收费与告知不一致。",
            )
        ],
    ),
    "health.service": (
        2,
        [("请求延长{place}卫生室服务时间。", "{place}卫生室每天只开放半天，老人看病拿药不便。")],
    ),
    "education.admission": (
        3,
        [
            (
                "请求解决随迁子女就近入学问题。",
                "本人在{place}务工{years}年，孩子今年秋季申请就近入学未获安排。",
            )
        ],
    ),
    "education.teachers": (
        2,
        [
            (
                "请求落实乡村教师生活补助。",
                "本人在{place}小学任教，今年的乡村教师生活补助至今未发放。",
            )
        ],
    ),
    "civil.assistance": (
        4,
        [
            (
                "请求重新核定最低生活保障。",
                "本人家庭因病致贫，今年低保年审时被取消，家庭收入状况并未改善。",
            )
        ],
    ),
    "civil.elderly": (
        3,
        [("请求增设社区老年助餐点。", "{place}老年人较多，子女多在外地，希望开办老年助餐点。")],
    ),
    "transport.roads": (
        4,
        [("请求修复{place}损毁路段。", "{place}通村公路汛期后多处塌陷，学生上下学存在安全隐患。")],
    ),
    "transport.public": (
        2,
        [("请求增开{place}至县城的公交班次。", "{place}至县城的公交每天仅两班，群众出行困难。")],
    ),
    "law.police": (
        3,
        [
            (
                "请求依法处理邻里纠纷。",
                "本人与邻居因宅基地界线发生纠纷，邻居多次堵路，报警后处理不及时。",
            )
        ],
    ),
    "law.justice": (
        2,
        [("请求提供法律援助。", "本人因工伤赔偿纠纷需要起诉，经济困难无力聘请律师。")],
    ),
    "law.litigation": (
        2,
        [
            (
                "请求督促法院执行生效判决。",
                "本人与{company}的买卖合同纠纷已判决生效一年多，对方至今未履行。",
            )
        ],
    ),
    "suggestion": (
        3,
        [("建议在{place}主干道增设路灯。", "{place}主干道夜间照明不足，群众夜间出行不便。")],
    ),
    "other": (
        2,
        [("请求解决{place}手机信号差的问题。", "{place}部分区域手机信号弱，影响群众日常通讯。")],
    ),
}

COMPANIES = [
    "安澜市恒达建筑工程有限公司",
    "白石县宏远劳务服务有限公司",
    "清溪区锦程物业服务有限公司",
    "安澜市新城置业有限公司",
    "白石县石峰建材有限公司",
    "安澜市顺通物流有限公司",
    "清溪区华美纺织有限公司",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘蒋蔡余杜叶程魏"
    "苏吕丁任沈姚卢姜崔钟谭陆汪范金廖贾夏韦付方邹孟熊秦邱江尹薛段雷侯龙史陶贺顾毛郝龚邵万严"
)
GIVEN = [
    "秀兰", "建国", "桂英", "德福", "玉梅", "志强", "春花", "国庆", "丽娟", "海军",
    "淑珍", "长青", "红梅", "永刚", "金凤", "明亮", "凤英", "家乐", "爱华", "晓燕",
    "立新", "翠兰", "福生", "宝山", "文静", "建华", "少华", "美玲", "振宇", "德才",
]  # fmt: skip
REJECT_REASONS = [
    "反映事项已由人民法院作出生效判决，应通过法定途径解决。",
    "反映事项不属于本机关职权范围，已告知信访人向有权机关提出。",
]
REFER_TO = {
    "law": "人民法院",
    "labour": "劳动人事争议仲裁委员会",
    "land": "自然资源部门",
}
LAWS = {
    "labour": "《保障农民工工资支付条例》《中华人民共和国劳动合同法》",
    "urban": "《物业管理条例》《国有土地上房屋征收与补偿条例》",
    "rural": "《中华人民共和国农村土地承包法》《中华人民共和国村民委员会组织法》",
    "land": "《中华人民共和国土地管理法》",
    "environment": "《中华人民共和国环境保护法》《中华人民共和国噪声污染防治法》",
    "health": "《医疗纠纷预防和处理条例》",
    "education": "《中华人民共和国义务教育法》",
    "civil": "《社会救助暂行办法》",
    "transport": "《公路安全保护条例》",
    "law": "《中华人民共和国治安管理处罚法》",
}
OUTCOMES = [("support", 35), ("explain", 45), ("not_support", 20)]
RATINGS = [("satisfied", 62), ("basically", 28), ("unsatisfied", 10)]


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _w in weighted], [w for _v, w in weighted])[0]


def reply_text(category: str, outcome: str, unit: str) -> dict[str, str]:
    """The 信访处理意见书's parts for a case of ``category`` answered by ``unit``."""
    law = LAWS.get(category.split(".")[0], "《信访工作条例》")
    if outcome == "support":
        findings = "经调查核实，信访人反映的情况基本属实。"
        opinion = (
            f"对信访人的请求予以支持。已责成{unit}相关责任人于30日内落实，并将落实情况告知信访人。"
        )
    elif outcome == "explain":
        findings = "经调查核实，相关事项已按规定办理，信访人的部分诉求缺乏政策依据。"
        opinion = "对信访人作出解释说明，并告知其可通过相关法定途径继续主张权利。"
    else:
        findings = "经调查核实，信访人反映的主要问题与事实不符。"
        opinion = "对信访人的请求不予支持。"
    return {
        "outcome": outcome,
        "findings": findings,
        "opinion": opinion,
        "legal_basis": f"《信访工作条例》第三十二条；{law}",
    }


@dataclass
class Life:
    """One generic case as it will go: every draw made when the history begins, so the
    cases do not depend on the order their acts are taken in."""

    office: Office
    intake: dict[str, Any]
    received: datetime
    decided: datetime
    decision: str
    reason: str = ""
    referred_to: str = ""
    route_to: str = ""
    route_kind: str = Assignment.Kind.ASSIGN
    routed: datetime | None = None
    answered: datetime | None = None
    objects: bool = False
    replied: datetime | None = None
    outcome: str = ""
    delivered: datetime | None = None
    rated: datetime | None = None
    rating: str = ""
    by_petitioner: bool = False
    review: datetime | None = None
    review_decided: datetime | None = None
    handled_by: str = ""  # the unit that answers: the office, or the unit it routed to


GENERIC = 220  # cases drawn at random, besides those the workbenches need


def story(s: Story) -> None:
    s.found["categories"] = {c.code: c for c in Category.objects.all()}
    for index in range(GENERIC):
        s.begin(_life(s, _draw(s, s.random(f"petitions.case.{index}"), index)))
    for process in _scripted(s):
        s.begin(process)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _fill(text: str, rng: random.Random, place: str) -> str:
    mu = rng.choice([2.4, 3.1, 3.6, 4.2, 5.5])
    return text.format(
        place=place,
        company=rng.choice(COMPANIES),
        amount=f"{rng.randrange(8, 96) * 1000:,}".replace(",", ""),
        months=rng.randrange(2, 9),
        years=rng.randrange(2, 12),
        n=rng.randrange(5, 30),
        mu=mu,
        mu2=round(mu - 1, 1),
    )


def _draw(s: Story, rng: random.Random, index: int) -> Life:
    office = _pick(rng, [(o, o.weight) for o in OFFICES])
    code = _pick(rng, [(code, weight) for code, (weight, _t) in MATTERS.items()])
    request, facts = rng.choice(MATTERS[code][1])
    place, region = rng.choice(office.places)
    if office.bureau:
        channel = _pick(
            rng,
            [
                (Channel.ONLINE, 35),
                (Channel.LETTER, 28),
                (Channel.VISIT, 25),
                (Channel.PHONE, 10),
                (Channel.FAX, 2),
            ],
        )
    else:
        channel = _pick(
            rng,
            [(Channel.VISIT, 40), (Channel.PHONE, 25), (Channel.LETTER, 20), (Channel.ONLINE, 15)],
        )
    moment = s.start + timedelta(hours=4) + (s.now - s.start - timedelta(hours=5)) * rng.random()
    received = moment if channel == Channel.ONLINE else s.office_hours(moment, rng)
    collective = channel == Channel.VISIT and rng.random() < 0.12
    people = rng.randrange(5, 40) if collective else 1
    name = _name(rng)
    intake: dict[str, Any] = {
        "channel": channel,
        "petitioner_kind": Petition.PetitionerKind.PERSON,
        "name": name,
        "phone": f"1380001{index:04d}",
        "address": f"{office.area}{place}{rng.randrange(1, 13)}组",
        "region_code": region,
        "place": place,
        "request": _fill(request, rng, place),
        "facts": _fill(facts, rng, place),
        "category": code,
        "people_count": people,
        "is_collective": collective,
        "representatives": [
            (_name(rng), f"138003{index:03d}{n:02d}") for n in range(rng.randrange(2, 6))
        ]
        if collective
        else [],
        "is_oral": channel in (Channel.VISIT, Channel.PHONE),
    }
    wait = rng.random()
    days = rng.uniform(0.05, 3) if wait < 0.7 else rng.uniform(3, 9) if wait < 0.9 else 16
    decided = s.office_hours(received + timedelta(days=days), rng)
    life = Life(office, intake, received, decided, Decision.ACCEPT)
    top = code.split(".")[0]
    if code == "law.litigation" or rng.random() < 0.05:
        life.decision = Decision.REFER
        life.referred_to = office.county + REFER_TO.get(top, "有关主管部门")
        return life
    if rng.random() < 0.06:
        life.decision, life.reason = Decision.REJECT, rng.choice(REJECT_REASONS)
        return life
    handled_by = office.key
    if office.below and rng.random() < 0.55:
        life.routed = s.office_hours(decided + timedelta(days=rng.uniform(0.02, 1.5)), rng)
        if office.key == "xinfang" and top in ("labour", "urban"):
            life.route_to = "renshe" if top == "labour" else "zhujian"
            life.route_kind = Assignment.Kind.TRANSFER
        else:
            life.route_to = rng.choice(office.below)
        late = rng.random() < 0.12
        life.answered = s.office_hours(
            life.routed + timedelta(days=rng.uniform(6, 10) if late else rng.uniform(0.2, 3)), rng
        )
        life.objects = rng.random() < 0.06
        handled_by = office.key if life.objects else life.route_to
    # Handling takes two to eight weeks; replies are all of the last four weeks, so no
    # petitioner's 30 days for asking a review have run out unused.
    earliest = max(12.0, (s.now - timedelta(days=24) - decided) / timedelta(days=1))
    replied = s.office_hours(
        decided + timedelta(days=rng.uniform(earliest, max(earliest, 57))), rng
    )
    if life.answered is not None and replied <= life.answered:
        replied = s.office_hours(life.answered + timedelta(days=rng.uniform(3, 10)), rng)
    life.replied, life.outcome = replied, _pick(rng, OUTCOMES)
    life.handled_by = handled_by
    life.delivered = s.office_hours(replied + timedelta(days=rng.uniform(0.1, 2)), rng)
    if life.outcome != "support" and rng.random() < 0.06:
        life.review = s.office_hours(life.delivered + timedelta(days=rng.uniform(4, 18)), rng)
        life.review_decided = s.office_hours(life.review + timedelta(days=rng.uniform(8, 26)), rng)
    elif rng.random() < 0.75:
        life.rated = s.office_hours(life.delivered + timedelta(days=rng.uniform(2, 14)), rng)
        life.rating = _pick(rng, RATINGS)
        life.by_petitioner = rng.random() < 0.3
    return life


def _register(s: Story, office: str, values: dict[str, Any], actor: Actor) -> Petition:
    data = dict(values)
    category = data.pop("category")
    intake = services.Intake(
        **{
            "channel": Channel.VISIT,
            "petitioner_kind": Petition.PetitionerKind.PERSON,
            "received_at": timezone.now(),
            **data,
            "category": s.found["categories"][category] if isinstance(category, str) else category,
        }
    )
    return services.register(intake, office=s.units[office], actor=actor).petition


def _pending(petition: Petition) -> Assignment:
    return Assignment.objects.get(
        petition=petition, role=Assignment.Role.LEAD, state=Assignment.State.PENDING
    )


def _fresh(petition: Petition) -> Petition:
    return Petition.objects.get(pk=petition.pk)


def _life(s: Story, life: Life) -> Process:
    office = life.office.key
    at_office = s.actor(ACTING.get(office))
    online = life.intake["channel"] == Channel.ONLINE
    petition = yield (
        life.received,
        lambda: _register(s, office, life.intake, petitioner() if online else at_office),
    )
    petition = yield (
        life.decided,
        lambda: services.decide(
            petition,
            actor=at_office,
            decision=life.decision,
            reason=life.reason,
            referred_to=life.referred_to,
        ),
    )
    if life.decision != Decision.ACCEPT:
        return
    if life.routed is not None and life.answered is not None:
        below = s.units[life.route_to]
        petition = yield (
            life.routed,
            lambda: services.assign(
                petition,
                actor=at_office,
                lead=below,
                kind=life.route_kind,
                note="请依法依规办理，按期答复信访人并报送办理结果。",
            ),
        )
        yield (
            life.answered,
            lambda: services.respond(
                _pending(petition),
                actor=s.actor(ACTING.get(life.route_to)),
                accept=not life.objects,
                objection="反映事项不属于本单位职责范围，请重新交办。" if life.objects else "",
            ),
        )
    unit = life.handled_by
    handling = s.actor(ACTING.get(unit))
    assert life.replied is not None and life.delivered is not None
    written = yield (
        life.replied,
        lambda: services.reply(
            petition,
            actor=handling,
            **reply_text(life.intake["category"], life.outcome, s.units[unit].name),
        ),
    )
    yield (
        life.delivered,
        lambda: services.deliver(
            written,
            actor=handling,
            delivered_at=timezone.now(),
            method="直接送达" if life.intake["channel"] == Channel.VISIT else "邮寄送达",
        ),
    )
    if life.rated is not None:
        yield (
            life.rated,
            lambda: services.rate(
                _fresh(petition),
                actor=petitioner() if life.by_petitioner else handling,
                rating=life.rating,
                comment="" if life.rating != "unsatisfied" else "问题还没有彻底解决。",
                by_petitioner=life.by_petitioner,
            ),
        )
    if life.review is not None and life.review_decided is not None:
        review = yield (
            life.review,
            lambda: services.request_review(
                petition, actor=petitioner(), reasons="对处理意见不服，请求复查。"
            ),
        )
        reviewer = ACTING.get(_key(s, review.unit))
        yield (
            life.review_decided,
            lambda: services.decide_review(
                review,
                actor=s.actor(reviewer),
                outcome=Review.Outcome.UPHOLD,
                opinion="经复查，原处理意见认定事实清楚，适用依据正确，予以维持。",
            ),
        )


def _key(s: Story, unit: Unit) -> str:
    return next(key for key, value in s.units.items() if value.pk == unit.pk)


# --- the cases the workbenches need -----------------------------------------------------------


def _scripted(s: Story) -> list[Process]:
    return [
        _wages(s),
        _gate(s),
        _contract(s),
        _noise(s),
        _property(s),
        _accusation(s),
        _review(s),
        _reviewed(s),
        _rechecked(s),
        _final_and_repeat(s),
        _returned(s),
        _transferred(s),
        *_city_routes(s),
        *_county_routes(s),
        *_township_waiting(s),
        _county_waiting(s),
        *_county_handling(s),
        *_supervision_answered(s),
        *_referred_and_fax(s),
        _ledger(s),
    ]


class Steps:
    """The times of one case's steps, each after the one before, in office hours when
    those come before now."""

    def __init__(self, s: Story, key: str, start: datetime) -> None:
        self.s, self.rng, self.last = s, s.random(f"petitions.{key}"), start

    def days_ago(self, days: float) -> datetime:
        """Office hours of about ``days`` days ago, and after the previous step."""
        return self.after(self.s.ago(days=days))

    def later(self, days: float = 0, minutes: float = 10) -> datetime:
        return self.after(self.last + timedelta(days=days, minutes=minutes))

    def after(self, moment: datetime) -> datetime:
        earliest = max(moment, self.last + timedelta(minutes=10))
        in_office = self.s.office_hours(earliest, self.rng)
        # Before a long holiday the next office hours may still be ahead: the step was
        # taken out of hours, as urgent work is, rather than not at all.
        self.last = in_office if in_office < self.s.now - timedelta(hours=1) else earliest
        return self.last


def _accept(petition: Petition, actor: Actor) -> Petition:
    return services.decide(petition, actor=actor, decision=Decision.ACCEPT)


def _answer(s: Story, t: Steps, petition: Petition, unit: str, outcome: str, ago: float) -> Process:
    """Reply about ``ago`` days ago and deliver the next working day."""
    actor = s.actor(ACTING.get(unit))
    written = yield (
        t.days_ago(ago),
        lambda: services.reply(
            petition, actor=actor, **reply_text(petition.category.code, outcome, s.units[unit].name)
        ),
    )
    yield (
        t.later(days=1),
        lambda: services.deliver(
            written, actor=actor, delivered_at=timezone.now(), method="直接送达"
        ),
    )
    return written


def _wages(s: Story) -> Process:
    """The wages owed on 白石村's building site: accepted, sent to the village, which took
    it on; the city's supervisor presses for it after the workers' gathering."""
    clerk = s.actor("clerk")
    t = Steps(s, "wages", s.ago(days=12))
    petition = yield (
        t.later(),
        lambda: _register(s, "baishizhen", {**WAGES, "category": "labour.wages"}, clerk),
    )
    s.found["petition.wages"] = petition
    yield t.later(minutes=50), lambda: _accept(petition, clerk)
    yield (
        t.later(),
        lambda: services.assign(
            petition,
            actor=clerk,
            lead=s.units["baishicun"],
            note="请村委会会同劳动保障所核实工资清单。",
        ),
    )
    yield t.later(days=1), lambda: services.respond(_pending(petition), actor=clerk, accept=True)
    yield (
        s.ago(hours=20),
        lambda: services.supervise(
            _fresh(petition),
            actor=s.actor("supervisor"),
            kind=Supervision.Kind.SUPERVISE,
            note="务工人员已到县政府门前聚集，请白石镇会同白石村3日内提出工资兑付方案"
            "并报市信访局。",
        ),
    )


GATE: dict[str, Any] = {
    "name": "王德福",
    "phone": "13912340010",
    "address": "白石县白石镇白石村五组",
    "region_code": "990121",
    "place": "白石县人民政府南门",
    "request": "请求县政府督促白石村安置房工程施工方立即支付拖欠的务工人员工资。",
    "facts": "安置房工程务工人员约60人，被拖欠工资近半年，此前已向白石镇反映，至今未兑付。",
    "people_count": 60,
    "is_collective": True,
    "representatives": [
        ("王德福", "13912340010"),
        ("李建国", "13912340001"),
        ("刘春花", "13912340011"),
        ("张永刚", "13912340012"),
        ("陈国庆", "13912340013"),
    ],
    "category": "labour.wages",
}


def _gate(s: Story) -> Process:
    """A day ago, the collective visit at the county government's gate, registered by the
    county petition bureau and handled with the wages case (the incident made of it is in
    the incidents' history)."""
    handler = s.actor("handler")
    petition = yield s.ago(hours=26), lambda: _register(s, "bs_xinfang", GATE, handler)
    s.found["petition.gate"] = petition
    s.note("baishi", "白石村安置房工地务工人员约60人到县政府南门集体访，县信访局已登记接谈。")
    yield (
        s.ago(hours=24),
        lambda: services.link(
            petition,
            actor=handler,
            into=s.found["petition.wages"],
            reason="同一拖欠工资事项，与白石镇已受理的信访事项合并办理。",
        ),
    )


def _contract(s: Story) -> Process:
    t = Steps(s, "contract", s.ago(days=3))
    yield (
        t.later(),
        lambda: _register(
            s, "baishizhen", {**CONTRACT, "category": "rural.contract"}, s.actor("clerk")
        ),
    )


def _noise(s: Story) -> Process:
    t = Steps(s, "noise", s.ago(days=5, hours=2))
    petition = yield (
        t.last,
        lambda: _register(s, "liulin", {**NOISE, "category": "environment.noise"}, s.system),
    )
    yield t.later(days=1), lambda: _accept(petition, s.system)


def _property(s: Story) -> Process:
    t = Steps(s, "property", s.ago(days=8, hours=3))
    petition = yield (
        t.last,
        lambda: _register(s, "hexi", {**PROPERTY, "category": "urban.property"}, petitioner()),
    )
    yield t.later(days=1), lambda: _accept(petition, s.system)
    yield (
        t.later(minutes=90),
        lambda: services.assign(
            petition, actor=s.system, lead=s.units["binhe"], note="请社区督促物业公司限期维修。"
        ),
    )
    yield t.later(days=1), lambda: services.respond(_pending(petition), actor=s.system, accept=True)


def _accusation(s: Story) -> Process:
    """The one accusation, against 白石镇, with the county: 白石镇 never sees it."""
    t = Steps(s, "accusation", s.ago(days=6))
    yield (
        t.later(),
        lambda: _register(
            s,
            "bs_xinfang",
            {**ACCUSATION, "category": "discipline", "accused_unit": s.units["baishizhen"]},
            s.actor("handler"),
        ),
    )


def _review(s: Story) -> Process:
    """白石县 answered; the petitioner asked for 复查, which 安澜市 has still to decide."""
    handler = s.actor("handler")
    t = Steps(s, "review", s.ago(days=40))
    petition = yield (
        t.later(),
        lambda: _register(
            s, "baishi", {**EXPROPRIATION, "category": "urban.expropriation"}, handler
        ),
    )
    yield t.later(days=1), lambda: _accept(petition, handler)
    written = yield (
        t.days_ago(16),
        lambda: services.reply(petition, actor=handler, **EXPROPRIATION_REPLY),
    )
    yield (
        t.later(days=1),
        lambda: services.deliver(
            written, actor=handler, delivered_at=timezone.now(), method="直接送达"
        ),
    )
    yield (
        t.days_ago(8),
        lambda: services.request_review(
            petition, actor=handler, reasons="对评估结果不服，请求复查。"
        ),
    )


def _case(
    category: str, name: str, phone: str, place: str, region: str, **more: Any
) -> dict[str, Any]:
    """A case's intake values, worded from the category's first matter."""
    request, facts = MATTERS[category][1][0]
    slots = {
        "place": place,
        "company": COMPANIES[0],
        "amount": "36000",
        "months": 5,
        "years": 6,
        "n": 12,
        "mu": 3.6,
        "mu2": 2.6,
    }
    values = {
        "name": name,
        "phone": phone,
        "address": f"{place}{len(name) + 2}组",
        "region_code": region,
        "place": place,
        "request": request.format(**slots),
        "facts": facts.format(**slots),
        "category": category,
    }
    return {**values, **more}


def _reviewed(s: Story) -> Process:
    """A 白石镇 case the county reviewed (复查) and upheld; the 30 days for 复核 run."""
    clerk, handler = s.actor("clerk"), s.actor("handler")
    values = _case("rural.assets", "何玉梅", "13800019801", "东坪村", "990121100202")
    t = Steps(s, "reviewed", s.ago(days=58))
    petition = yield t.later(), lambda: _register(s, "baishizhen", values, clerk)
    yield t.later(days=1), lambda: _accept(petition, clerk)
    yield from _answer(s, t, petition, "baishizhen", "explain", 40)
    review = yield (
        t.days_ago(30),
        lambda: services.request_review(
            petition, actor=clerk, reasons="认为村集体账目仍未公开到位，请求复查。"
        ),
    )
    yield (
        t.days_ago(12),
        lambda: services.decide_review(
            review,
            actor=handler,
            outcome=Review.Outcome.UPHOLD,
            opinion="经复查，白石镇的处理意见认定事实清楚，予以维持；"
            "请白石镇督促东坪村按季度公开收支。",
        ),
    )
    yield (
        t.days_ago(10),
        lambda: services.deliver_review(
            review, actor=handler, delivered_at=timezone.now(), method="邮寄送达"
        ),
    )


def _rechecked(s: Story) -> Process:
    """A 柳林乡 case through 复查 at the county, now in 复核 at the city, with a hearing."""
    handler, supervisor = s.actor("handler"), s.actor("supervisor")
    values = _case("land.acquisition", "罗长青", "13800019802", "柳林村", "990121200201")
    t = Steps(s, "rechecked", s.ago(days=60))
    petition = yield t.later(), lambda: _register(s, "liulin", values, s.system)
    yield t.later(days=1), lambda: _accept(petition, s.system)
    yield from _answer(s, t, petition, "liulin", "not_support", 45)
    review = yield (
        t.days_ago(38),
        lambda: services.request_review(
            petition, actor=s.system, reasons="补偿款计算有误，请求复查。"
        ),
    )
    yield (
        t.days_ago(20),
        lambda: services.decide_review(
            review,
            actor=handler,
            outcome=Review.Outcome.UPHOLD,
            opinion="经复查，补偿款按批准的征地补偿方案计算，原处理意见予以维持。",
        ),
    )
    yield (
        t.days_ago(18),
        lambda: services.deliver_review(
            review, actor=handler, delivered_at=timezone.now(), method="直接送达"
        ),
    )
    yield (
        t.days_ago(14),
        lambda: services.request_recheck(
            petition, actor=s.system, reasons="不服复查意见，请求复核。"
        ),
    )
    yield (
        t.days_ago(6),
        lambda: services.start_hearing(
            petition, actor=supervisor, reason="复核听证：听取信访人和柳林乡政府意见"
        ),
    )
    yield t.days_ago(2), lambda: services.end_hearing(petition, actor=supervisor)


FINAL_MATTER = {
    "request": "请求按新标准补发白石村二组被征收土地的青苗补偿费。",
    "facts": "2025年县道改建征收本组土地，青苗补偿费仍按旧标准发放，每亩少发800元。",
}


def _final_and_repeat(s: Story) -> Process:
    """A matter through 复查 and 复核 (the city upheld it: final); the petitioner came back
    with the same matter this week and 白石镇 did not accept it again (第三十六条)."""
    clerk = s.actor("clerk")
    values = _case(
        "land.acquisition", "梁德才", "13800019803", "白石村", "990121100201", **FINAL_MATTER
    )
    t = Steps(s, "final_and_repeat", s.start + timedelta(hours=4))
    petition = yield t.later(), lambda: _register(s, "baishizhen", values, clerk)
    yield t.later(days=1), lambda: _accept(petition, clerk)
    yield from _answer(s, t, petition, "baishizhen", "explain", 50)
    review = yield (
        t.days_ago(44),
        lambda: services.request_review(petition, actor=clerk, reasons="不服处理意见，请求复查。"),
    )
    yield (
        t.days_ago(30),
        lambda: services.decide_review(
            review,
            actor=s.actor("handler"),
            outcome=Review.Outcome.UPHOLD,
            opinion="经复查，青苗补偿按征地公告发布时的标准执行，原处理意见予以维持。",
        ),
    )
    yield (
        t.days_ago(28),
        lambda: services.deliver_review(
            review, actor=s.actor("handler"), delivered_at=timezone.now(), method="直接送达"
        ),
    )
    recheck = yield (
        t.days_ago(25),
        lambda: services.request_recheck(petition, actor=clerk, reasons="不服复查意见，请求复核。"),
    )
    yield (
        t.days_ago(6),
        lambda: services.decide_review(
            recheck,
            actor=s.actor("supervisor"),
            outcome=Review.Outcome.UPHOLD,
            opinion="经复核，复查意见认定事实清楚、适用依据正确，予以维持。本复核意见为终结意见。",
        ),
    )
    yield (
        t.days_ago(4),
        lambda: services.deliver_review(
            recheck, actor=s.actor("supervisor"), delivered_at=timezone.now(), method="直接送达"
        ),
    )
    repeat = yield t.days_ago(2), lambda: _register(s, "baishizhen", values, clerk)
    yield t.later(days=1), lambda: services.decide(repeat, actor=clerk, decision=Decision.REJECT)


def _returned(s: Story) -> Process:
    """Transferred from the province about a 清溪区 matter: objected to and returned."""
    handler = s.actor("handler")
    values = _case(
        "urban.housing",
        "姚淑珍",
        "13800019804",
        "清溪区望湖街道",
        "990102002",
        channel=Channel.LETTER,
        transferred_from="省信访局",
    )
    t = Steps(s, "returned", s.ago(days=9))
    petition = yield t.later(), lambda: _register(s, "bs_xinfang", values, handler)
    yield (
        t.later(days=2),
        lambda: services.object_to_transfer(
            petition,
            actor=handler,
            reasons="反映事项发生在清溪区，不属于白石县管辖，已退回省信访局并说明理由。",
        ),
    )


def _transferred(s: Story) -> Process:
    """Transferred from the province this week: the county's answer is due."""
    values = _case(
        "labour.insurance",
        "邓春花",
        "13800019805",
        "县城城关",
        "990121",
        channel=Channel.LETTER,
        transferred_from="省信访局",
    )
    t = Steps(s, "transferred", s.ago(days=2))
    yield t.later(), lambda: _register(s, "bs_xinfang", values, s.actor("handler"))


def _routed(
    s: Story,
    office: str,
    values: dict[str, Any],
    routed: datetime,
    to: str,
    note: str,
    *,
    accept: bool = False,
) -> Process:
    """A case registered and routed down (交办) at ``routed``, accepted first when
    ``accept``, received the day before otherwise; the unit has not answered."""
    actor = s.actor(ACTING.get(office))
    online = values.get("channel") == Channel.ONLINE
    received = routed - (timedelta(hours=1) if accept else timedelta(days=1))
    petition = yield (
        received,
        lambda: _register(s, office, values, petitioner() if online else actor),
    )
    if accept:
        yield received + timedelta(minutes=40), lambda: _accept(petition, actor)
    yield routed, lambda: services.assign(petition, actor=actor, lead=s.units[to], note=note)


def _city_routes(s: Story) -> list[Process]:
    """The city's petition bureau routes two online cases to 白石县: one whose five working
    days for the county to object have run out, one this week."""
    first = _case(
        "labour.wages", "曾立新", "13800019806", "白石县", "990121", channel=Channel.ONLINE
    )
    second = _case(
        "transport.public",
        "彭美玲",
        "13800019807",
        "白石县柳林乡",
        "990121200",
        channel=Channel.ONLINE,
    )
    return [
        _routed(
            s, "xinfang", first, _overdue_since(s, "petition.objection", time(10, 10)), "baishi",
            "请白石县核实企业欠薪情况，依法处理并答复信访人。",
        ),
        _routed(
            s, "xinfang", second, s.days_ago(2, time(15, 20)), "baishi",
            "请白石县交通运输部门研究答复。",
        ),
    ]  # fmt: skip


def _county_routes(s: Story) -> list[Process]:
    """The county bureau sends two cases down to 白石镇, which has answered neither: the
    five working days to object ran out for the first."""
    first = _case("civil.assistance", "蔡翠兰", "13800019808", "白石镇白石村", "990121100201")
    second = _case(
        "transport.roads",
        "丁福生",
        "13800019809",
        "白石镇东坪村",
        "990121100202",
        channel=Channel.PHONE,
    )
    return [
        _routed(
            s, "bs_xinfang", first, _overdue_since(s, "petition.objection", time(11, 20)),
            "baishizhen", "请白石镇重新核定该户家庭收入，依规作出低保认定。", accept=True,
        ),
        _routed(
            s, "bs_xinfang", second, s.days_ago(2, time(9, 50)), "baishizhen",
            "请白石镇组织排查修复。",
        ),
    ]  # fmt: skip


def _overdue_since(s: Story, kind: str, at: time) -> datetime:
    """The latest day (at ``at``) on which a period of ``kind`` starting then would have
    ended more than a day ago, as the clock counts it: for the cases overdue now, even on
    the morning after a long holiday (into whose end every period falling in it rolls)."""
    for days in range(1, 50):
        start = s.days_ago(days, at)
        if clock.due_for(kind, start).due_at <= s.now - timedelta(days=1):
            return start
    raise AssertionError(f"no {kind} period ended in the last seven weeks")


def _ending_soon(s: Story, kind: str, at: time) -> datetime:
    """The latest day (at ``at``) on which a period of ``kind`` starting then would end
    within three days from now, as the clock counts it (weekends and holidays roll its end
    over): for the cases whose deadline falls due within three days. Never before the
    history begins (a long holiday can push the start that far back)."""
    earliest = s.start + timedelta(hours=6)
    for days in range(1, 100):
        start = s.days_ago(days, at)
        if start < earliest:
            break
        if clock.due_for(kind, start).due_at <= s.now + timedelta(days=3):
            return start
    return s.on(timezone.localdate(earliest) + timedelta(days=1), at)


def _township_waiting(s: Story) -> list[Process]:
    """白石镇: a hotline case undecided past its 15 days (the supervisor has urged it), an
    online one whose 15 days end within three, and one answered last week and not yet
    followed up."""
    clerk = s.actor("clerk")

    def late() -> Process:
        values = _case(
            "transport.roads",
            "熊宝山",
            "13800019810",
            "东坪村",
            "990121100202",
            channel=Channel.PHONE,
        )
        received = _overdue_since(s, "petition.acceptance_notice", time(9, 30))
        t = Steps(s, "township_waiting.late", received)
        petition = yield t.last, lambda: _register(s, "baishizhen", values, clerk)
        yield (
            t.days_ago(4),
            lambda: services.supervise(
                _fresh(petition),
                actor=s.actor("supervisor"),
                kind=Supervision.Kind.URGE,
                note="该件已超过15日未作受理决定，请白石镇立即办理并书面告知信访人。",
            ),
        )

    def soon() -> Process:
        values = _case(
            "civil.elderly",
            "秦爱华",
            "13800019811",
            "白石镇集镇",
            "990121100",
            channel=Channel.ONLINE,
        )
        received = _ending_soon(s, "petition.acceptance_notice", time(20, 15))
        yield received, lambda: _register(s, "baishizhen", values, petitioner())

    def answered() -> Process:
        values = _case(
            "education.admission",
            "邱晓燕",
            "13800019812",
            "白石村",
            "990121100201",
            channel=Channel.LETTER,
        )
        t = Steps(s, "township_waiting.answered", s.ago(days=30))
        petition = yield t.later(), lambda: _register(s, "baishizhen", values, clerk)
        yield t.later(days=2), lambda: _accept(petition, clerk)
        yield from _answer(s, t, petition, "baishizhen", "support", 6)

    return [late(), soon(), answered()]


def _county_waiting(s: Story) -> Process:
    """白石县信访局: a visit undecided past its 15 days (the city put it under supervision)."""
    values = _case("labour.relations", "江家乐", "13800019813", "县城城关", "990121")
    t = Steps(s, "county_waiting", _overdue_since(s, "petition.acceptance_notice", time(10, 5)))
    petition = yield t.last, lambda: _register(s, "bs_xinfang", values, s.actor("handler"))
    yield (
        t.days_ago(3),
        lambda: services.supervise(
            _fresh(petition),
            actor=s.actor("supervisor"),
            kind=Supervision.Kind.SUPERVISE,
            note="请白石县信访局3个工作日内作出受理决定，并将办理情况报市信访局督查科。",
        ),
    )


def _county_handling(s: Story) -> list[Process]:
    """The county's own cases: one accepted two months ago and still being handled, one
    whose 60 days end within three, one answered last week and not yet followed up."""
    handler = s.actor("handler")

    def oldest() -> Process:
        values = _case("urban.housing", "严振宇", "13800019814", "县城城关", "990121")
        received = s.start + timedelta(hours=5)
        petition = yield received, lambda: _register(s, "bs_xinfang", values, handler)
        yield received + timedelta(hours=1), lambda: _accept(petition, handler)

    def due() -> Process:
        values = _case("urban.management", "韦明亮", "13800019815", "县城城关", "990121")
        accepted = _ending_soon(s, "petition.handling", time(10, 30))
        petition = yield (
            accepted - timedelta(minutes=40),
            lambda: _register(s, "baishi", values, handler),
        )
        yield accepted, lambda: _accept(petition, handler)

    def answered() -> Process:
        values = _case(
            "health.dispute", "付金凤", "13800019816", "县城城关", "990121", channel=Channel.LETTER
        )
        t = Steps(s, "county_handling.answered", s.ago(days=40))
        petition = yield t.later(), lambda: _register(s, "bs_xinfang", values, handler)
        yield t.later(days=1), lambda: _accept(petition, handler)
        yield from _answer(s, t, petition, "bs_xinfang", "explain", 10)

    return [oldest(), due(), answered()]


def _supervision_answered(s: Story) -> list[Process]:
    """The city's supervision answered: 柳林乡 decided after it, 河西街道 replied after the
    reminder; and a 河西街道 case left undecided past its 15 days."""
    supervisor = s.actor("supervisor")

    def decided() -> Process:
        values = _case(
            "rural.village",
            "孟春花",
            "13800019817",
            "柳林村",
            "990121200201",
            channel=Channel.ONLINE,
        )
        t = Steps(s, "supervision_answered.decided", s.days_ago(25, time(21, 5)))
        petition = yield t.last, lambda: _register(s, "liulin", values, petitioner())
        yield (
            t.days_ago(9),
            lambda: services.supervise(
                _fresh(petition),
                actor=supervisor,
                kind=Supervision.Kind.SUPERVISE,
                note="该件受理告知已逾期，请柳林乡立即作出受理决定。",
            ),
        )
        yield t.days_ago(7), lambda: _accept(petition, s.system)

    def replied() -> Process:
        values = _case("urban.property", "陶丽娟", "13800019818", "新桥社区", "990102001002")
        t = Steps(s, "supervision_answered.replied", s.ago(days=35))
        petition = yield t.later(), lambda: _register(s, "hexi", values, s.system)
        yield t.later(days=1), lambda: _accept(petition, s.system)
        yield (
            t.days_ago(6),
            lambda: services.supervise(
                _fresh(petition),
                actor=supervisor,
                kind=Supervision.Kind.URGE,
                note="请河西街道加快办理，按期出具信访处理意见书。",
            ),
        )
        yield from _answer(s, t, petition, "hexi", "support", 2)

    def late() -> Process:
        values = _case(
            "urban.management",
            "汤国庆",
            "13800019819",
            "滨河社区",
            "990102001001",
            channel=Channel.ONLINE,
        )
        received = _overdue_since(s, "petition.acceptance_notice", time(19, 30))
        yield received, lambda: _register(s, "hexi", values, petitioner())

    return [decided(), replied(), late()]


def _referred_and_fax(s: Story) -> list[Process]:
    """A matter in litigation told where to go (告知), and an enterprise's fax to the city,
    transferred to the housing bureau."""

    def referred() -> Process:
        clerk = s.actor("clerk")
        values = _case("law.litigation", "史长青", "13800019820", "白石镇集镇", "990121100")
        t = Steps(s, "referred_and_fax.referred", s.ago(days=21))
        petition = yield t.later(), lambda: _register(s, "baishizhen", values, clerk)
        yield (
            t.later(days=1),
            lambda: services.decide(
                petition,
                actor=clerk,
                decision=Decision.REFER,
                referred_to="白石县人民法院（申请强制执行）",
            ),
        )

    def fax() -> Process:
        supervisor = s.actor("supervisor")
        values = _case(
            "transport.roads",
            "安澜市顺通物流有限公司",
            "13800019821",
            "市区",
            "990100",
            channel=Channel.FAX,
            petitioner_kind=Petition.PetitionerKind.ORGANISATION,
            request="请求协调解决经开区储备路长期施工、货车无法通行的问题。",
            facts="储备路改造工期已延长三个月，未设置临时通道，企业货运车辆每日绕行20公里。",
        )
        t = Steps(s, "referred_and_fax.fax", s.ago(days=16))
        petition = yield t.later(), lambda: _register(s, "xinfang", values, supervisor)
        yield t.later(days=1), lambda: _accept(petition, supervisor)
        yield (
            t.later(minutes=30),
            lambda: services.assign(
                petition,
                actor=supervisor,
                lead=s.units["zhujian"],
                kind=Assignment.Kind.TRANSFER,
                note="请市住建局研究设置临时通道并答复企业。",
            ),
        )
        yield (
            t.later(days=1),
            lambda: services.respond(_pending(petition), actor=s.system, accept=True),
        )

    return [referred(), fax()]


# Cases of 白石镇 of the year before the history, closed, imported from its Excel ledger when
# yingji started: (category, petitioner, place, division code, month, day).
LEDGER = [
    ("rural.contract", "黄建华", "东坪村", "990121100202", 11, 3),
    ("labour.wages", "林少华", "白石村", "990121100201", 9, 17),
    ("transport.roads", "叶德福", "白石镇集镇", "990121100", 8, 5),
    ("civil.assistance", "钟淑珍", "白石村", "990121100201", 6, 22),
    ("environment.noise", "谭永刚", "白石镇集镇", "990121100", 4, 9),
]


def _ledger(s: Story) -> Process:
    clerk = s.actor("clerk")
    year = timezone.localdate(s.start).year - 1
    for seq, (category, name, place, region, month, day) in enumerate(LEDGER, start=301):
        values = _case(category, name, f"13800019{seq:03d}", place, region)
        received = s.on(date(year, month, day), time(10, 0))
        yield (
            s.start + timedelta(minutes=30 + seq % 10),
            partial(_historical, s, values, received, f"990121100-{year}-{seq:06d}", clerk),
        )


def _historical(
    s: Story, values: dict[str, Any], received: datetime, number: str, actor: Actor
) -> Petition:
    data = dict(values)
    category = s.found["categories"][data.pop("category")]
    intake = services.Intake(
        channel=Channel.VISIT,
        petitioner_kind=Petition.PetitionerKind.PERSON,
        received_at=received,
        category=category,
        **data,
    )
    return services.register_historical(
        intake, office=s.units["baishizhen"], actor=actor, number=number, stage=Stage.CLOSED
    )
