"""The rule library: conditions, legal basis, reminder text, clock parameters, versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Rule(models.Model):
    """One version of a rule. The same slug can have several versions with disjoint validity
    (治安管理处罚法 2012 until 2025-12-31, 2025 from 2026-01-01); the act's date picks one."""

    class Category(models.TextChoices):
        TRIP = "trip", _("出差")
        MEASURE = "measure", _("强制措施")
        CASE = "case", _("案件")
        PROPERTY = "property", _("涉案财物")
        DISCIPLINE = "discipline", _("纪律")
        RECONSIDERATION = "reconsideration", _("复议诉讼")

    class Severity(models.TextChoices):
        INFO = "info", _("提示")
        WARNING = "warning", _("警示")
        CRITICAL = "critical", _("严重")

    class Verified(models.TextChoices):
        VERIFIED = "VERIFIED", _("已核对原文")
        SECONDARY = "VERIFIED-secondary", _("仅核对转载")
        UNVERIFIED = "UNVERIFIED", _("未核对")

    class Unit(models.TextChoices):
        HOURS = "hours", _("小时")
        DAYS = "days", _("日")

    class DayKind(models.TextChoices):
        CALENDAR = "calendar", _("自然日")
        WORKING = "working", _("工作日")

    slug = models.SlugField(_("规则代码"), max_length=80)
    title = models.CharField(_("名称"), max_length=200)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    conditions = models.JSONField(_("触发条件"), default=dict, blank=True)
    legal_basis = models.JSONField(_("法律依据"), default=list)
    text = models.TextField(_("提醒内容"))
    severity = models.CharField(
        _("级别"), max_length=10, choices=Severity.choices, default=Severity.WARNING
    )
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    # "" when valid_from is empty: the unique key needs a value (NULLs are distinct in SQL).
    version_key = models.CharField(max_length=10, editable=False)
    verified = models.CharField(_("核对状态"), max_length=20, choices=Verified.choices)
    enabled = models.BooleanField(_("启用"), default=True)
    trigger_event = models.CharField(_("起算事件"), max_length=40, blank=True)
    offset_value = models.PositiveIntegerField(_("期限"), null=True, blank=True)
    offset_unit = models.CharField(_("单位"), max_length=8, choices=Unit.choices, blank=True)
    day_kind = models.CharField(
        _("计算方式"), max_length=10, choices=DayKind.choices, default=DayKind.CALENDAR
    )
    rungs = models.JSONField(_("预警节点"), default=list, blank=True)
    escalation = models.JSONField(_("升级路径"), default=list, blank=True)
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("规则")
        verbose_name_plural = _("规则")
        ordering = ["category", "slug", "version_key"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version_key"], name="one_rule_version")
        ]

    def __str__(self) -> str:
        return f"{self.slug} {self.title}"

    @property
    def is_clock(self) -> bool:
        return bool(self.trigger_event and self.offset_value)


class RuleRevision(models.Model):
    """The history of a rule: every saved state, who saved it and why. Never deleted."""

    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="revisions")
    revision = models.PositiveIntegerField()
    snapshot = models.JSONField()
    note = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rule", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "revision"], name="one_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.rule.slug} r{self.revision}"
