"""The supply categories offices keep (an administrator adds more in the admin)."""

from django.db import migrations

CATEGORIES = [
    ("protective", "防护装备"),
    ("first_aid", "急救药品"),
    ("communication", "通讯设备"),
    ("lighting", "照明"),
    ("food_water", "食品饮水"),
    ("shelter", "帐篷被装"),
    ("vehicles", "交通工具"),
    ("rescue", "救援器材"),
    ("publicity", "宣传疏导"),
    ("other", "其他"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("resources", "Category")
    for sort, (code, name) in enumerate(CATEGORIES):
        Category.objects.get_or_create(code=code, defaults={"name": name, "sort": sort})


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
