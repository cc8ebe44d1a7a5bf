"""Points per finding category (the station's 记分 standard); legal officers adjust them."""

from typing import Any

from django.db import migrations

POINTS = {
    "bodycam_off": 2,
    "effects_not_itemised": 2,
    "detention_overrun_risk": 3,
    "document_defect": 1,
    "family_not_notified": 2,
    "evidence_gap": 1,
    "procedure_breach": 3,
    "other": 0,
}


def seed(apps: Any, schema_editor: Any) -> None:
    rule = apps.get_model("conduct", "PointRule")
    for code, points in POINTS.items():
        rule.objects.get_or_create(category_code=code, defaults={"points": points})


class Migration(migrations.Migration):
    dependencies = [("conduct", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
