"""提醒 → 记分 → 约谈: graded officer management. A finding attributed to an officer becomes a
reminder, or points when its category carries points; crossing the threshold within the
period opens a formal talk (约谈) for the instructor. Nothing here is ever deleted: an upheld
objection voids a record's points and says why."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core.models import AuditedQuerySet

USER = settings.AUTH_USER_MODEL


class PointRule(models.Model):
    """How many points a finding category carries (0: a reminder only)."""

    category_code = models.SlugField(_("问题类别代码"), max_length=50, unique=True)
    points = models.PositiveSmallIntegerField(_("记分"))

    class Meta:
        verbose_name = _("记分标准")
        verbose_name_plural = _("记分标准")

    def __str__(self) -> str:
        return f"{self.category_code}: {self.points}"


class ConductRecord(models.Model):
    class Kind(models.TextChoices):
        REMINDER = "reminder", _("提醒")
        POINTS = "points", _("记分")

    class Objection(models.TextChoices):
        NONE = "", _("无")
        PENDING = "pending", _("异议待处理")
        UPHELD = "upheld", _("异议成立")
        DISMISSED = "dismissed", _("异议不成立")

    station = models.ForeignKey("org.Station", on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="conduct_records")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    points = models.PositiveSmallIntegerField(_("记分"), default=0)
    category = models.CharField(_("问题类别"), max_length=100)
    reason = models.TextField(_("事由"))
    source = models.CharField(max_length=60, unique=True)  # "finding:12": one record per source
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    objection = models.TextField(_("异议内容"), blank=True)
    objection_status = models.CharField(
        _("异议"), max_length=10, choices=Objection.choices, blank=True, default=""
    )
    objection_note = models.TextField(_("异议处理意见"), blank=True)
    objection_decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    objection_decided_at = models.DateTimeField(null=True, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("提醒记分记录")
        verbose_name_plural = _("提醒记分记录")
        ordering = ["-created_at", "-pk"]
        permissions = [("decide_objection", _("处理记分异议")), ("hold_talk", _("开展约谈"))]

    def __str__(self) -> str:
        return f"{self.officer} {self.get_kind_display()} {self.points}"

    @property
    def counts(self) -> bool:
        """An upheld objection voids the record's points; the record stays."""
        return self.objection_status != self.Objection.UPHELD


class Talk(models.Model):
    """约谈: opened when an officer's points cross the threshold; the instructor holds it."""

    class Status(models.TextChoices):
        OPEN = "open", _("待约谈")
        HELD = "held", _("已约谈")

    station = models.ForeignKey("org.Station", on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="talks")
    points = models.PositiveSmallIntegerField(_("启动时记分"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    held_at = models.DateTimeField(_("约谈时间"), null=True, blank=True)
    held_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    minutes = models.TextField(_("约谈记录"), blank=True)
    follow_up = models.TextField(_("后续跟进"), blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("约谈")
        verbose_name_plural = _("约谈")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["officer"], condition=models.Q(status="open"), name="one_open_talk"
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer} {self.get_status_display()}"
