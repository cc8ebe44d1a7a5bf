"""The finding categories the seed reports name; legal officers keep the list from here."""

from typing import Any

from django.db import migrations

CATEGORIES = [
    ("bodycam_off", "未全程开启执法记录仪"),
    ("effects_not_itemised", "随身物品未逐项登记"),
    ("detention_overrun_risk", "超期羁押风险"),
    ("document_defect", "法律文书瑕疵"),
    ("family_not_notified", "未及时通知家属"),
    ("evidence_gap", "证据收集不全面"),
    ("procedure_breach", "办案程序违规"),
    ("other", "其他"),
]


def seed(apps: Any, schema_editor: Any) -> None:
    category = apps.get_model("reviews", "FindingCategory")
    for order, (code, name) in enumerate(CATEGORIES):
        category.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
