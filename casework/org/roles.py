"""The roles (Django groups) and the model permissions each carries.

A model permission here means "may do this kind of thing *within the stations I can see*":
station scoping is applied separately, in `scoping.py`. Bureau-wide roles see every station.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICER = "officer", _("民警")
    AUXILIARY = "auxiliary", _("辅警")
    LEGAL_OFFICER = "legal_officer", _("法制员")
    INSTRUCTOR = "instructor", _("教导员")
    CHIEF = "chief", _("所长")
    BUREAU_LEGAL = "bureau_legal", _("分局法制大队")
    AUDITOR = "auditor", _("审计管理员")
    ADMIN = "admin", _("系统管理员")


# Roles whose holders read across every station of the deployment (one bureau's area).
BUREAU_ROLES = frozenset({Role.BUREAU_LEGAL, Role.AUDITOR, Role.ADMIN})

_READ_ORG = ["org.view_station", "org.view_profile"]
_READ_CASES = [
    "cases.view_incident",
    "cases.view_case",
    "rules.view_rule",
    "trips.view_trip",
    "trips.view_reminder",
    "deadlines.view_holiday",  # the working-day calendar behind every working-day clock
    "inventory.view_inventory",
    "reviews.view_retrospective",
]
# Recording: 辅警 may record incidents, parties and measures but never be responsible.
_RECORD = [
    "cases.add_incident",
    "cases.change_incident",
    "cases.add_party",
    "cases.add_measure",
    "trips.add_trip",
    "inventory.add_inventory",
    "inventory.change_inventory",
    "inventory.dispose_item",
]

# 每日警情分析表: read by those who follow incidents up or watch them; answered (and an
# incident closed by the answer) only by the instructor and the chief, who hold change_incident.
_DAILY_REPORT = ["cases.view_dailyincidentreport"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICER: [
        *_READ_ORG,
        *_READ_CASES,
        *_RECORD,
        "cases.add_case",
        "cases.handle_case",
        "inventory.sign_inventory",  # 辅警 list items but a 民警 signs
    ],
    Role.AUXILIARY: [*_READ_ORG, *_READ_CASES, *_RECORD],
    Role.LEGAL_OFFICER: [
        *_READ_ORG,
        *_READ_CASES,
        *_DAILY_REPORT,
        "cases.flag_incident",
        "cases.review_case",
        "reviews.verify_action",
        "conduct.decide_objection",
        "cases.change_checklistitem",
        "cases.add_checklistitem",
        "cases.view_checklistitem",
        "rules.view_rule",
        "rules.change_rule",
        "rules.add_rule",
        "trips.change_trip",
        "deadlines.add_holiday",
        "deadlines.change_holiday",
        "deadlines.delete_holiday",
    ],
    Role.INSTRUCTOR: [
        *_READ_ORG,
        *_READ_CASES,
        "cases.change_incident",
        *_DAILY_REPORT,
        "cases.answer_dailyincidentitem",
        "conduct.decide_objection",
        "conduct.hold_talk",
    ],
    Role.CHIEF: [
        *_READ_ORG,
        *_READ_CASES,
        "cases.change_incident",
        "cases.approve_case",
        *_DAILY_REPORT,
        "cases.answer_dailyincidentitem",
    ],
    Role.BUREAU_LEGAL: [
        *_READ_ORG,
        *_READ_CASES,
        *_DAILY_REPORT,
        "cases.view_checklistitem",
        "rules.view_rule",
        "rules.change_rule",
        "rules.add_rule",
    ],
    # The auditor reads the audit trail and nothing else changes hands.
    Role.AUDITOR: [*_READ_ORG, "core.view_auditevent"],
    Role.ADMIN: [
        *_READ_ORG,
        "core.view_auditevent",
        "org.add_station",
        "org.change_station",
        "org.add_profile",
        "org.change_profile",
    ],
}
