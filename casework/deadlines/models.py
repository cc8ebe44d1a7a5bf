"""Statutory clocks (法定时限): due times in indexed columns, warning rungs, escalation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core.models import AuditedQuerySet

USER = settings.AUTH_USER_MODEL


class Deadline(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("计时中")
        MET = "met", _("已办结")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="deadlines")
    measure = models.ForeignKey(
        "cases.Measure", null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines"
    )
    # The rule whose time limit this is; none for a due date a person set (a corrective
    # action's 整改期限), which still runs the same ladder of warnings and escalation.
    rule = models.ForeignKey(
        "rules.Rule", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What started the clock ("measure:12", "action:7"): with the rule, one clock per trigger.
    trigger = models.CharField(max_length=60)
    # Who the clock waits on, when it is one person rather than the case's handlers.
    owner = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Where its warnings point (the case page when blank).
    link = models.CharField(max_length=200, blank=True)
    title = models.CharField(_("事项"), max_length=200)
    text = models.TextField(_("提醒内容"))
    legal_basis = models.JSONField(default=list)
    started_at = models.DateTimeField(_("起算时间"))
    due_at = models.DateTimeField(_("截止时间"), db_index=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    met_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    met_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    met_note = models.TextField(_("办结说明"), blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("法定时限")
        verbose_name_plural = _("法定时限")
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "rule", "trigger"], name="one_clock_per_trigger"
            ),
            models.UniqueConstraint(
                fields=["case", "trigger"],
                condition=models.Q(rule__isnull=True),
                name="one_set_clock_per_trigger",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.title} {self.due_at:%Y-%m-%d %H:%M}"

    def state(self, now: object = None) -> str:
        """open, met, or overdue (open past its due time)."""
        if self.status == self.Status.MET:
            return "met"
        return "overdue" if self.due_at < (now or timezone.now()) else "open"  # type: ignore[operator]


class Prompt(models.Model):
    """A rule without a time limit that fired for a case event: a duty the handlers are told
    about at that moment (通知家属, 全程录音录像, 未成年人法定代理人到场)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="prompts")
    measure = models.ForeignKey(
        "cases.Measure", null=True, blank=True, on_delete=models.PROTECT, related_name="prompts"
    )
    rule = models.ForeignKey("rules.Rule", on_delete=models.PROTECT, related_name="+")
    trigger = models.CharField(max_length=60)
    title = models.CharField(_("事项"), max_length=200)
    text = models.TextField(_("提醒内容"))
    legal_basis = models.JSONField(default=list)
    severity = models.CharField(max_length=10, default="warning")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("办案提醒")
        verbose_name_plural = _("办案提醒")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "rule", "trigger"], name="one_prompt_per_trigger"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Rung(models.Model):
    """One point on a clock's ladder: a warning before the due time, or an escalation after."""

    deadline = models.ForeignKey(Deadline, on_delete=models.PROTECT, related_name="rungs")
    fires_at = models.DateTimeField(db_index=True)
    audience = models.CharField(max_length=20)  # officer (the handlers), legal_officer, chief
    label = models.CharField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deadline", "fires_at", "audience"], name="one_rung")
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id} {self.label}"


class DeadlineWarning(models.Model):
    """A rung that has come due. The unique rung makes every sweep — and a second beat —
    create it at most once; delivery is its own step so a crash between them loses nothing."""

    rung = models.OneToOneField(Rung, on_delete=models.PROTECT, related_name="warning")
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"warning {self.rung_id}"


class ActiveHolidays(models.Manager["Holiday"]):
    def get_queryset(self) -> models.QuerySet[Holiday]:
        return super().get_queryset().filter(removed_at__isnull=True)


class Holiday(models.Model):
    """A day that differs from the Monday–Friday week: a public holiday (is_workday false) or
    an adjusted working weekend day (调休, is_workday true). Editable data, not code."""

    day = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("调休上班"), default=False)
    name = models.CharField(_("名称"), max_length=50)
    # A mistaken day is taken out, not deleted: the due times computed with it stay explicable.
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = ActiveHolidays()
    all_objects = models.Manager()  # noqa: DJ012  (removed days too)

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"
