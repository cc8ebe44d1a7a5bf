"""Trips (出差 / 异地办案) and the personalised safety reminders (执法安全提醒) they produce."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core.models import AuditedQuerySet
from casework.rules.labels import PURPOSE_LABELS

USER = settings.AUTH_USER_MODEL


class Trip(models.Model):
    station = models.ForeignKey("org.Station", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="trips"
    )
    officers: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        USER, related_name="trips", verbose_name=_("出差民警")
    )
    province = models.CharField(_("目的地省"), max_length=50)
    city = models.CharField(_("目的地市"), max_length=50)
    county = models.CharField(_("目的地区县"), max_length=50, blank=True)
    departs_at = models.DateTimeField(_("出发时间"))
    returns_at = models.DateTimeField(_("返回时间"))
    purposes = models.JSONField(_("任务"), default=list)
    carries_firearm = models.BooleanField(_("携带枪支"), default=False)
    uses_vehicle = models.BooleanField(_("使用车辆"), default=False)
    escorts_suspect = models.BooleanField(_("押解嫌疑人"), default=False)
    suspect_gender = models.CharField(_("嫌疑人性别"), max_length=1, blank=True)
    suspect_age = models.PositiveSmallIntegerField(_("嫌疑人年龄"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("出差")
        verbose_name_plural = _("出差")
        ordering = ["-departs_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(returns_at__gt=models.F("departs_at")), name="trip_returns_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.province}{self.city}{self.county} {self.departs_at:%Y-%m-%d}"

    def purpose_labels(self) -> list[str]:
        """The trip's purposes in words (抓捕/逮捕, 搜查…)."""
        return [str(PURPOSE_LABELS.get(p, p)) for p in self.purposes]


class Reminder(models.Model):
    """One item of an officer's briefing for a trip: a rule that fires, a personal item, or the
    legal officer's note. The officer acknowledges before departure."""

    class Source(models.TextChoices):
        RULE = "rule", _("规则")
        PERSONAL = "personal", _("个人提醒")
        NOTE = "note", _("法制员提醒")

    trip = models.ForeignKey(Trip, on_delete=models.PROTECT, related_name="reminders")
    officer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="reminders")
    source = models.CharField(max_length=10, choices=Source.choices)
    rule = models.ForeignKey(
        "rules.Rule", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField(max_length=120)  # rule slug, "note:<n>" or the personal item's key
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("提醒内容"))
    legal_basis = models.JSONField(default=list)
    severity = models.CharField(max_length=10, default="warning")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("执法安全提醒")
        verbose_name_plural = _("执法安全提醒")
        ordering = ["trip", "officer", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["trip", "officer", "key"], name="one_reminder_per_key")
        ]

    def __str__(self) -> str:
        return self.title
