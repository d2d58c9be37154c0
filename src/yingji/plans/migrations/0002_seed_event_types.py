"""The event classification after GB/T 35561 and the 国家突发事件总体应急预案: four
categories and their usual types. Offices add or retire types in the admin."""

from django.db import migrations

TREE = [
    ("natural", "自然灾害", "Natural disasters", [
        ("flood", "水旱灾害", "Floods and droughts"),
        ("weather", "气象灾害", "Meteorological disasters"),
        ("earthquake", "地震灾害", "Earthquakes"),
        ("geological", "地质灾害", "Geological disasters"),
        ("marine", "海洋灾害", "Marine disasters"),
        ("biological", "生物灾害", "Biological disasters"),
        ("forest_fire", "森林草原火灾", "Forest and grassland fires"),
    ]),
    ("accident", "事故灾难", "Accidents", [
        ("work_safety", "工矿商贸等企业安全事故", "Industrial and commercial accidents"),
        ("traffic", "交通运输事故", "Transport accidents"),
        ("utilities", "公共设施和设备事故", "Public utility and equipment accidents"),
        ("fire", "火灾事故", "Fires"),
        ("nuclear", "核与辐射事故", "Nuclear and radiation accidents"),
        ("environment", "环境污染和生态破坏事件", "Pollution and ecological damage"),
    ]),
    ("health", "公共卫生事件", "Public health events", [
        ("epidemic", "传染病疫情", "Infectious disease outbreaks"),
        ("unknown_disease", "群体性不明原因疾病", "Clusters of unexplained illness"),
        ("food", "食品安全和职业危害", "Food safety and occupational hazards"),
        ("animal", "动物疫情", "Animal epidemics"),
    ]),
    ("social", "社会安全事件", "Social safety events", [
        ("mass", "群体性事件", "Mass incidents"),
        ("terrorism", "恐怖袭击事件", "Terrorist attacks"),
        ("crime", "重大刑事案件", "Major criminal cases"),
        ("economic", "经济安全事件", "Economic security events"),
        ("foreign", "涉外突发事件", "Incidents involving foreign parties"),
        ("cyber", "网络与信息安全事件", "Network and information security incidents"),
    ]),
]
MASS = [
    ("petition", "群体性上访", "Collective petitioning"),
    ("gathering", "非法聚集", "Unlawful gatherings"),
    ("blockade", "堵路堵门", "Blocking roads or gates"),
    ("labour", "劳资纠纷引发的群体性事件", "Mass incidents from labour disputes"),
]


def seed(apps, schema_editor):
    EventType = apps.get_model("plans", "EventType")
    for sort, (code, name, name_en, children) in enumerate(TREE):
        top = EventType.objects.create(code=code, name=name, name_en=name_en, sort=sort)
        for child_sort, (child, child_name, child_en) in enumerate(children):
            node = EventType.objects.create(
                parent=top, code=f"{code}.{child}", name=child_name, name_en=child_en,
                sort=child_sort,
            )
            if node.code == "social.mass":
                for leaf_sort, (leaf, leaf_name, leaf_en) in enumerate(MASS):
                    EventType.objects.create(
                        parent=node, code=f"social.mass.{leaf}", name=leaf_name,
                        name_en=leaf_en, sort=leaf_sort,
                    )


def unseed(apps, schema_editor):
    EventType = apps.get_model("plans", "EventType")
    for depth in (3, 2, 1):
        for node in EventType.objects.all():
            if node.code.count(".") == depth - 1:
                node.delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
