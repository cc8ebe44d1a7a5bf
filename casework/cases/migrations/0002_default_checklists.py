"""The default gate checklists per case kind. Legal officers edit them afterwards; this only
creates what is missing, so re-running never overwrites a station's edits."""

from typing import Any

from django.db import migrations

COMMON = {
    "acceptance": [
        ("jurisdiction", "属于本所管辖"),
        ("identity", "当事人身份已核实"),
        ("material", "报案、举报或发现材料齐全"),
    ],
    "disposition": [
        ("facts", "事实清楚,证据确实、充分"),
        ("law", "适用法律正确"),
        ("discretion", "裁量适当,过罚相当"),
        ("procedure", "程序合法,已依法告知权利"),
        ("documents", "法律文书规范"),
    ],
    "chief_approval": [
        ("legal_review_read", "已阅法制审核意见"),
        ("agree", "同意处理意见"),
    ],
}
SPECIFIC = {
    "administrative": {
        "acceptance": [
            ("timely", "在规定时限内受案登记"),
            ("basis", "受案依据准确(治安管理处罚法条款)"),
        ],
        "disposition": [("hearing", "符合听证条件的已告知听证权利")],
    },
    "criminal": {
        "acceptance": [
            ("crime", "有犯罪事实需要追究刑事责任"),
            ("approval", "立案审批手续齐全"),
        ],
        "disposition": [("custody_terms", "强制措施及羁押期限合规")],
    },
}
EVALUATION = [
    ("file_complete", "卷宗材料齐全", 20),
    ("evidence", "事实清楚、证据充分", 20),
    ("law", "适用法律正确", 20),
    ("procedure", "办案程序规范", 20),
    ("documents", "法律文书制作规范", 10),
    ("recording", "执法记录仪全程记录", 10),
]


def create(apps: Any, schema_editor: Any) -> None:
    item = apps.get_model("cases", "ChecklistItem")
    for kind in ("administrative", "criminal"):
        rows = []
        for gate, lines in COMMON.items():
            rows += [(gate, code, text, 0) for code, text in lines + SPECIFIC[kind].get(gate, [])]
        rows += [("evaluation", code, text, points) for code, text, points in EVALUATION]
        for order, (gate, code, text, points) in enumerate(rows):
            item.objects.get_or_create(
                kind=kind, gate=gate, code=code,
                defaults={"text": text, "points": points, "order": order},
            )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
