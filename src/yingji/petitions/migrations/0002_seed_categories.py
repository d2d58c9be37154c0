"""Seed the category tree offices start from; administrators may change it afterwards."""

from django.db import migrations

# (code, name, English name, children as (code, name, English name)), in display order.
# fmt: off
TREE = [
    ("urban", "城乡建设", "Urban and rural construction", [
        ("urban.housing", "住房保障", "Housing support"),
        ("urban.expropriation", "房屋征收与拆迁", "Expropriation and demolition"),
        ("urban.property", "物业管理", "Property management"),
        ("urban.management", "城市管理", "City management"),
    ]),
    ("labour", "劳动和社会保障", "Labour and social security", [
        ("labour.wages", "拖欠工资", "Unpaid wages"),
        ("labour.insurance", "社会保险", "Social insurance"),
        ("labour.relations", "劳动关系", "Employment relations"),
    ]),
    ("rural", "农业农村", "Agriculture and rural affairs", [
        ("rural.contract", "土地承包", "Land contracts"),
        ("rural.village", "村务管理", "Village affairs"),
        ("rural.assets", "农村集体资产", "Collective assets"),
    ]),
    ("land", "自然资源", "Natural resources", [
        ("land.acquisition", "土地征收", "Land acquisition"),
        ("land.registration", "不动产登记", "Real estate registration"),
        ("land.minerals", "矿产资源", "Mineral resources"),
    ]),
    ("environment", "生态环境", "Ecology and environment", [
        ("environment.air", "大气污染", "Air pollution"),
        ("environment.water", "水污染", "Water pollution"),
        ("environment.noise", "噪声污染", "Noise"),
    ]),
    ("health", "卫生健康", "Health", [
        ("health.dispute", "医疗纠纷", "Medical disputes"),
        ("health.service", "医疗服务", "Medical services"),
    ]),
    ("education", "教育", "Education", [
        ("education.admission", "招生入学", "Admissions"),
        ("education.teachers", "教师待遇", "Teachers' pay and conditions"),
    ]),
    ("civil", "民政", "Civil affairs", [
        ("civil.assistance", "社会救助", "Social assistance"),
        ("civil.elderly", "养老服务", "Care for the elderly"),
    ]),
    ("transport", "交通运输", "Transport", [
        ("transport.roads", "道路建设", "Road building"),
        ("transport.public", "公共交通", "Public transport"),
    ]),
    ("law", "政法", "Public security and justice", [
        ("law.police", "公安执法", "Police enforcement"),
        ("law.justice", "司法行政", "Judicial administration"),
        ("law.litigation", "涉法涉诉", "Matters in litigation"),
    ]),
    ("discipline", "纪检监察（检举控告）", "Discipline inspection (accusations)", []),
    ("suggestion", "意见建议", "Suggestions and opinions", []),
    ("other", "其他", "Other", []),
]
# fmt: on


def seed(apps, schema_editor):
    Category = apps.get_model("petitions", "Category")
    for sort, (code, name, name_en, children) in enumerate(TREE, start=1):
        parent = Category.objects.create(
            code=code,
            name=name,
            name_en=name_en,
            sort=sort * 10,
            is_accusation=code == "discipline",
        )
        for child_sort, (child_code, child_name, child_en) in enumerate(children, start=1):
            Category.objects.create(
                parent=parent, code=child_code, name=child_name, name_en=child_en, sort=child_sort
            )


def unseed(apps, schema_editor):
    Category = apps.get_model("petitions", "Category")
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("petitions", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
