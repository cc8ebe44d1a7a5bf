"""案后复盘: one retrospective per case, its findings, and corrective actions tracked until a
legal officer has verified them (一案一复盘、一案一回溯)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core.models import AuditedQuerySet

USER = settings.AUTH_USER_MODEL


class FindingCategory(models.Model):
    """A kind of problem found (未全程开启执法记录仪, 法律文书瑕疵…): a list legal officers keep."""

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("问题类别"), max_length=100)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("问题类别")
        verbose_name_plural = _("问题类别")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Retrospective(models.Model):
    class Trigger(models.TextChoices):
        MAJOR_CASE = "major_case", _("重大案件")
        RECONSIDERATION_RISK = "reconsideration_risk", _("易引发行政复议案件")
        RECONSIDERATION = "reconsideration", _("行政复议")
        LITIGATION = "litigation", _("行政诉讼")
        GATE_RETURNED_TWICE = "gate_returned_twice", _("审核两次退回")
        OVERDUE_CLOCK = "overdue_clock", _("法定时限超期")
        KEY_INCIDENT = "key_incident", _("重点事件")
        CONTROL_LAPSE = "control_lapse", _("漏管失控")
        MANUAL = "manual", _("人工启动")

    class Status(models.TextChoices):
        OPEN = "open", _("复盘中")
        CLOSED = "closed", _("已结束")

    station = models.ForeignKey("org.Station", on_delete=models.PROTECT, related_name="+")
    # 一案一复盘: the one-to-one makes a second retrospective of a case impossible.
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="retrospective"
    )
    trigger = models.CharField(_("启动原因"), max_length=24, choices=Trigger.choices)
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    opened_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("启动时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("案后复盘")
        verbose_name_plural = _("案后复盘")
        ordering = ["-opened_at"]
        permissions = [("verify_action", _("核验整改措施"))]
        indexes = [models.Index(fields=["station", "status"])]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_trigger_display()}"


class Finding(models.Model):
    retrospective = models.ForeignKey(
        Retrospective, on_delete=models.PROTECT, related_name="findings"
    )
    category = models.ForeignKey(
        FindingCategory, verbose_name=_("问题类别"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("问题描述"))
    cause = models.TextField(_("原因分析"), blank=True)
    officer = models.ForeignKey(
        USER, verbose_name=_("责任民警"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("复盘问题")
        verbose_name_plural = _("复盘问题")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.category} {self.description[:30]}"


class CorrectiveAction(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        DONE = "done", _("已完成,待核验")
        VERIFIED = "verified", _("已核验")
        REJECTED = "rejected", _("核验未通过")

    retrospective = models.ForeignKey(
        Retrospective, on_delete=models.PROTECT, related_name="actions"
    )
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField(_("整改措施"))
    owner = models.ForeignKey(
        USER, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("整改期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    evidence = models.TextField(_("整改情况"), blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_note = models.TextField(_("核验意见"), blank=True)
    # Sent back this many times: each return runs the due date on a new clock.
    rejections = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改措施")
        verbose_name_plural = _("整改措施")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.description[:40]

    def is_overdue(self, today: date) -> bool:
        return self.status in {self.Status.OPEN, self.Status.REJECTED} and self.due_on < today


def evidence_path(evidence: ActionEvidence, filename: str) -> str:
    # Never trust the uploaded name for storage: the digest names the file.
    return f"action-evidence/{evidence.sha256[:2]}/{evidence.sha256}.bin"


class ActionEvidence(models.Model):
    """A file the owner attaches as evidence that the action was done (a scanned 整改报告,
    a photo of the rebuilt locker…). Kept for good; served only through the access check."""

    action = models.ForeignKey(CorrectiveAction, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(_("附件"), upload_to=evidence_path)
    name = models.CharField(_("文件名"), max_length=120)
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改佐证材料")
        verbose_name_plural = _("整改佐证材料")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class Outcome(models.Model):
    """A reconsideration (行政复议) or a lawsuit (行政诉讼) against the case's decision."""

    class Kind(models.TextChoices):
        RECONSIDERATION = "reconsideration", _("行政复议")
        LITIGATION = "litigation", _("行政诉讼")

    class Result(models.TextChoices):
        UPHELD = "upheld", _("维持")
        REVOKED = "revoked", _("撤销")
        CHANGED = "changed", _("变更")
        WITHDRAWN = "withdrawn", _("撤回/撤诉")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="outcomes")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    filed_on = models.DateField(_("申请/起诉日期"))
    body = models.CharField(_("复议机关/受理法院"), max_length=100, blank=True)
    # The case event it was recorded as: the reply clock (10 / 15 days) hangs on it.
    event = models.OneToOneField("cases.CaseEvent", on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("结果"), max_length=10, choices=Result.choices, blank=True)
    decided_on = models.DateField(_("决定/判决日期"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("复议诉讼结果")
        verbose_name_plural = _("复议诉讼结果")
        ordering = ["filed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_kind_display()} {self.filed_on}"


class RuleProposal(models.Model):
    """学以致用: a finding category that keeps recurring is offered to the legal officer as a
    new pre-trip reminder rule, pre-filled; accepting it puts it in the rule library."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待采纳")
        ACCEPTED = "accepted", _("已采纳")
        DISMISSED = "dismissed", _("不采纳")

    station = models.ForeignKey("org.Station", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(FindingCategory, on_delete=models.PROTECT, related_name="+")
    findings_count = models.PositiveIntegerField(_("出现次数"))
    window_days = models.PositiveIntegerField(_("统计天数"))
    title = models.CharField(_("规则名称"), max_length=200)
    text = models.TextField(_("提醒内容"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    rule = models.ForeignKey(
        "rules.Rule", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("提醒规则建议")
        verbose_name_plural = _("提醒规则建议")
        ordering = ["-created_at"]
        constraints = [
            # One open proposal per station and category: a fourth finding adds no second one.
            models.UniqueConstraint(
                fields=["station", "category"],
                condition=models.Q(status="proposed"),
                name="one_open_proposal_per_category",
            )
        ]

    def __str__(self) -> str:
        return self.title
