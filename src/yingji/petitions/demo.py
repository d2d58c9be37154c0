"""The demo city's petitions: enough cases at each level that every petition role has
work in its jurisdiction, including a 复查 for the city and an accusation that the accused
township must not see. Loaded once by ``yingji demo``; all names and numbers invented."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from yingji.audit.services import Actor
from yingji.org.models import Unit
from yingji.petitions import services
from yingji.petitions.models import Category, Petition


def _intake(category: Category, days_ago: int, **values: object) -> services.Intake:
    defaults: dict[str, object] = {
        "channel": Petition.Channel.VISIT,
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
    wages = register(
        "baishizhen",
        _intake(
            cat["labour.wages"],
            12,
            name="李建国",
            phone="13912340001",
            address="白石县白石镇白石村三组",
            region_code="990121100201",
            place="白石村安置房工地",
            request="请求督促施工方支付拖欠的2025年下半年工资共计4.2万元。",
            facts="本人与同村11名村民在白石村安置房工地务工，施工方以工程款未到位为由拖欠工资至今。",
            people_count=12,
            is_collective=True,
            representatives=[("李建国", "13912340001"), ("王秀英", "13912340002")],
        ),
    )
    services.decide(wages, actor=actor, decision=Petition.Decision.ACCEPT)
    services.assign(
        wages,
        actor=actor,
        lead=units["baishicun"],
        note="请村委会会同劳动保障所核实工资清单。",
    )
    # 白石镇: a land contract question waiting for the acceptance decision.
    register(
        "baishizhen",
        _intake(
            cat["rural.contract"],
            3,
            channel=Petition.Channel.LETTER,
            name="赵德明",
            address="白石县白石镇东坪村",
            region_code="990121100202",
            place="东坪村",
            request="请求核实二轮土地承包面积登记错误并予以更正。",
            facts="本户承包地实际3.6亩，确权证书登记为2.6亩。",
        ),
    )
    # 柳林乡: noise at night from a quarry, in the neighbouring township.
    register(
        "liulin",
        _intake(
            cat["environment.noise"],
            5,
            channel=Petition.Channel.PHONE,
            name="孙丽",
            phone="13912340003",
            address="白石县柳林乡柳林村",
            region_code="990121200201",
            place="柳林村石料厂",
            request="请求制止石料厂夜间生产噪声扰民。",
            facts="石料厂连续两周夜间22时后作业，噪声影响周边居民休息。",
        ),
    )
    # 清溪区 河西街道: property management, in the other county.
    register(
        "hexi",
        _intake(
            cat["urban.property"],
            8,
            channel=Petition.Channel.ONLINE,
            name="陈晓",
            phone="13912340004",
            address="清溪区河西街道滨河社区",
            region_code="990102001001",
            place="滨河花园小区",
            request="请求督促物业公司维修小区二次供水设施。",
            facts="小区二次供水设施损坏一个月，高层住户用水困难。",
        ),
    )
    # An accusation against 白石镇, filed with the county petition bureau: invisible to
    # 白石镇 and its villages (信访工作条例 第三十条).
    register(
        "bs_xinfang",
        _intake(
            cat["discipline"],
            6,
            channel=Petition.Channel.LETTER,
            name="匿名群众",
            address="白石县",
            region_code="990121100",
            place="白石镇",
            request="反映白石镇有关工作人员在安置补偿中优亲厚友。",
            facts="安置房分配名单中有多户不符合条件。",
            accused_unit=units["baishizhen"],
        ),
    )
    # 白石县 answered a case; the petitioner asked for a review, which the city decides.
    reviewed = register(
        "baishi",
        _intake(
            cat["urban.expropriation"],
            40,
            name="周桂兰",
            phone="13912340005",
            address="白石县城关老街",
            region_code="990121",
            place="城关老街改造片区",
            request="请求提高老街改造房屋征收补偿标准。",
            facts="本户房屋评估价格明显低于周边同类房屋成交价格。",
        ),
    )
    services.decide(reviewed, actor=actor, decision=Petition.Decision.ACCEPT)
    written = services.reply(
        reviewed,
        actor=actor,
        outcome="explain",
        findings="经核查，评估机构依法选定，评估程序符合规定。",
        opinion="补偿标准符合《国有土地上房屋征收与补偿条例》及本县补偿方案，予以解释说明。",
        legal_basis="《国有土地上房屋征收与补偿条例》第十九条",
    )
    services.deliver(written, actor=actor, delivered_at=timezone.now(), method="直接送达")
    services.request_review(reviewed, actor=actor, reasons="对评估结果不服，请求复查。")
    return cases
