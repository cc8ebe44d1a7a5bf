"""Incidents (警情), cases, parties, coercive measures, gate decisions and supervision items."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from casework.core.models import AuditedQuerySet

USER = settings.AUTH_USER_MODEL


class Answerable(models.Model):
    """Something raised by the legal officer that the officers must answer (a flag, an item)."""

    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class Incident(models.Model):
    """A 警情. It must end as a case, a closure with an outcome, or a diversion."""

    class Source(models.TextChoices):
        CALL_110 = "110", _("110 报警")
        WALK_IN = "walk_in", _("来所报案")
        TRANSFER = "transfer", _("移送/转办")

    class Status(models.TextChoices):
        OPEN = "open", _("待处置")
        DISPATCHED = "dispatched", _("已派警")
        HANDLED = "handled", _("已处置")
        CLOSED = "closed", _("已办结")
        DIVERTED = "diverted", _("已分流")

    station = models.ForeignKey("org.Station", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("警情编号"), max_length=32, unique=True)
    source = models.CharField(
        _("来源"), max_length=16, choices=Source.choices, default=Source.CALL_110
    )
    received_at = models.DateTimeField(_("接警时间"))
    category = models.CharField(_("警情类别"), max_length=50)
    location = models.CharField(_("发生地点"), max_length=200)
    reporter = models.CharField(_("报警人"), max_length=100, blank=True)
    reporter_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    summary = models.TextField(_("简要情况"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    outcome = models.TextField(_("处置结果"), blank=True)
    diverted_to = models.CharField(_("分流接收部门"), max_length=100, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("警情")
        verbose_name_plural = _("警情")
        permissions = [("flag_incident", _("标记警情问题(接处警观察)"))]
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["station", "status"])]

    def __str__(self) -> str:
        return f"{self.number} {self.category}"

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.OPEN, self.Status.DISPATCHED, self.Status.HANDLED}


class IncidentFlag(Answerable):
    """The legal officer, as observer of dispatch, flags an incident; the flag must be answered."""

    class Kind(models.TextChoices):
        SHOULD_ACCEPT = "should_accept", _("应受案未受案")
        SHOULD_FILE = "should_file", _("应立案未立案")
        IMPROPER_DIVERSION = "improper_diversion", _("分流不当")
        INCOMPLETE_RECORD = "incomplete_record", _("接处警记录不完整")
        OTHER = "other", _("其他")

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="flags")
    kind = models.CharField(_("问题类型"), max_length=32, choices=Kind.choices)
    note = models.TextField(_("说明"))
    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("警情监督标记")
        verbose_name_plural = _("警情监督标记")

    def __str__(self) -> str:
        return f"{self.incident.number} {self.get_kind_display()}"


class Case(models.Model):
    """A 行政 (治安) or 刑事 case. `version` increases with every material change."""

    class Kind(models.TextChoices):
        ADMINISTRATIVE = "administrative", _("行政案件")
        CRIMINAL = "criminal", _("刑事案件")

    class Status(models.TextChoices):
        ACCEPTANCE_REVIEW = "acceptance_review", _("受立案审核")
        ACCEPTANCE_REVISION = "acceptance_revision", _("受立案退回补正")
        INVESTIGATING = "investigating", _("侦办中")
        DISPOSITION_REVIEW = "disposition_review", _("处理意见审核")
        CHIEF_APPROVAL = "chief_approval", _("所长审批")
        CLOSED = "closed", _("已结案")
        EVALUATED = "evaluated", _("已评查")

    station = models.ForeignKey("org.Station", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("案件编号"), max_length=32, unique=True)
    kind = models.CharField(_("案件类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("案件名称"), max_length=200)
    summary = models.TextField(_("简要案情"))
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    occurred_at = models.DateTimeField(_("案发时间"))
    is_major = models.BooleanField(_("重大案件"), default=False)
    reconsideration_risk = models.BooleanField(_("易引发行政复议"), default=False)
    status = models.CharField(
        _("状态"), max_length=24, choices=Status.choices, default=Status.ACCEPTANCE_REVIEW
    )
    disposition_proposal = models.TextField(_("处理意见"), blank=True)
    disposition_basis = models.TextField(_("法律依据"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-created_at"]
        permissions = [
            ("handle_case", _("办理案件")),
            ("review_case", _("审核案件(法制员)")),
            ("approve_case", _("审批案件(所长)")),
        ]
        indexes = [models.Index(fields=["station", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CaseNumberSequence(models.Model):
    """The last number given out per station and year (XQ-2026-000123)."""

    station = models.ForeignKey("org.Station", on_delete=models.PROTECT, related_name="+")
    prefix = models.CharField(max_length=8)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["station", "prefix", "year"], name="one_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class CaseHandler(models.Model):
    """An officer working the case. Only a 民警 can be responsible; 辅警 only assist."""

    class Role(models.TextChoices):
        RESPONSIBLE = "responsible", _("主办")
        ASSISTING = "assisting", _("协办")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="handlers")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=16, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="one_role_per_case")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Party(models.Model):
    class Role(models.TextChoices):
        SUSPECT = "suspect", _("违法犯罪嫌疑人")
        VICTIM = "victim", _("被侵害人")
        WITNESS = "witness", _("证人")

    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="parties")
    role = models.CharField(_("身份"), max_length=16, choices=Role.choices)
    name = models.CharField(_("姓名"), max_length=100)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number = models.CharField(_("居民身份证号"), max_length=18, blank=True)
    # Derived at the time of the act (the case's occurred_at), not today: a suspect who is
    # 17 at the act keeps the protections for minors even after turning 18.
    is_minor = models.BooleanField(_("未成年人"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")

    def __str__(self) -> str:
        return f"{self.name}({self.get_role_display()})"


class Measure(models.Model):
    """A coercive measure (强制措施) on a party, with its start and end."""

    class Kind(models.TextChoices):
        SUMMONS = "summons", _("传唤")
        EXTENDED_QUESTIONING = "extended_questioning", _("延长询问/继续盘问")
        CRIMINAL_DETENTION = "criminal_detention", _("刑事拘留")
        ADMINISTRATIVE_DETENTION = "administrative_detention", _("行政拘留")
        ARREST = "arrest", _("逮捕")
        BAIL = "bail", _("取保候审")
        RESIDENTIAL_SURVEILLANCE = "residential_surveillance", _("监视居住")
        SEIZURE = "seizure", _("扣押")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="measures")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField(_("措施"), max_length=32, choices=Kind.choices)
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("强制措施")
        verbose_name_plural = _("强制措施")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="measure_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.party.name}"


class CaseEvent(models.Model):
    """A procedural step recorded on a case that the law attaches time limits or duties to
    (决定书送达, 收到复议申请…). Measures and gate decisions are events of their own."""

    class Kind(models.TextChoices):
        INTERROGATION_PLANNED = "interrogation_planned", _("拟讯问犯罪嫌疑人")
        QUESTIONING_PLANNED = "questioning_planned", _("拟询问/询问当事人")
        BODY_SEARCH_PLANNED = "body_search_planned", _("拟人身检查")
        SUSPECT_ADMITTED = "suspect_admitted", _("嫌疑人带入办案区")
        SUSPECT_RELEASED = "suspect_released", _("嫌疑人离开办案区")
        PROPERTY_SEIZED = "property_seized", _("涉案财物扣押入库")
        PROPERTY_UNRELATED = "property_unrelated", _("查明财物与案件无关")
        ONSITE_PENALTY = "onsite_penalty", _("当场处罚")
        PENALTY_DRAFTED = "penalty_drafted", _("拟作出处罚决定")
        DECISION_ISSUED = "decision_issued", _("作出处罚决定")
        DECISION_SERVED = "decision_served", _("决定书送达")
        RECONSIDERATION_FILED = "reconsideration_filed", _("收到行政复议申请")
        COMPLAINT_RECEIVED = "complaint_received", _("收到行政起诉状副本")
        KEY_INCIDENT_FLAGGED = "key_incident_flagged", _("列为重点事件")
        CONTROL_LAPSE = "control_lapse", _("发生漏管失控")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("节点"), max_length=32, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("发生时间"))
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("办案节点")
        verbose_name_plural = _("办案节点")
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d %H:%M}"


class Gate(models.TextChoices):
    """The legal officer's five roles, as gates in the case workflow (and the chief's)."""

    DISPATCH = "dispatch", _("接处警观察")
    ACCEPTANCE = "acceptance", _("受立案审核")
    SUPERVISION = "supervision", _("侦办监督")
    DISPOSITION = "disposition", _("处结裁量")
    CHIEF_APPROVAL = "chief_approval", _("所长审批")
    EVALUATION = "evaluation", _("案件评查")


class ChecklistItem(models.Model):
    """One line of a gate's checklist, configurable per case kind (legal officers edit these)."""

    kind = models.CharField(_("案件类型"), max_length=16, choices=Case.Kind.choices)
    gate = models.CharField(_("审核环节"), max_length=24, choices=Gate.choices)
    code = models.SlugField(_("代码"), max_length=50)
    text = models.CharField(_("检查项"), max_length=200)
    points = models.PositiveSmallIntegerField(_("分值"), default=0)  # 案件评查 scores
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("审核检查项")
        verbose_name_plural = _("审核检查项")
        ordering = ["kind", "gate", "order"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "gate", "code"], name="one_checklist_code")
        ]

    def __str__(self) -> str:
        return self.text


class GateDecision(models.Model):
    """Who decided which gate, when, how, why — and exactly what state they approved."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("通过")
        RETURN = "return", _("退回补正")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    gate = models.CharField(_("审核环节"), max_length=24, choices=Gate.choices)
    task_id = models.BigIntegerField(unique=True)  # one decision per workflow task, ever
    decision = models.CharField(_("结论"), max_length=8, choices=Decision.choices)
    reason = models.TextField(_("理由"), blank=True)
    checklist = models.JSONField(_("检查项"), default=dict)
    score = models.PositiveSmallIntegerField(_("评查得分"), null=True, blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    case_version = models.PositiveIntegerField()
    snapshot = models.JSONField(_("审核时案件状态"))
    snapshot_sha256 = models.CharField(max_length=64)
    stale_at = models.DateTimeField(_("失效时间"), null=True, blank=True)
    stale_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("审核决定")
        verbose_name_plural = _("审核决定")
        ordering = ["decided_at"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_gate_display()} {self.get_decision_display()}"


class SupervisionItem(Answerable):
    """侦办监督: an issue the legal officer raises on a running case; the handler must answer."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="supervision_items")
    issue = models.TextField(_("发现问题"))
    required_correction = models.TextField(_("整改要求"))
    due_on = models.DateField(_("整改期限"))
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("监督事项")
        verbose_name_plural = _("监督事项")
        ordering = ["opened_at"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.issue[:30]}"

    def is_overdue(self, today: date) -> bool:
        return self.answered_at is None and self.due_on < today


class DailyIncidentReport(models.Model):
    """每日警情分析表: a station's incidents of the day before and every one still open, as
    they stood when the report was made. The instructor answers each open one; the day counts
    as cleared when the last is answered."""

    station = models.ForeignKey("org.Station", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("日期"))
    created_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(_("全部答复时间"), null=True, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("每日警情分析表")
        verbose_name_plural = _("每日警情分析表")
        ordering = ["-day", "station_id"]
        constraints = [
            # One report per station and day: a second beat, or a retried task, makes nothing.
            models.UniqueConstraint(fields=["station", "day"], name="one_daily_report")
        ]
        indexes = [models.Index(fields=["cleared_at", "day"])]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.station_id}"


class DailyIncidentItem(Answerable):
    """One incident on a daily report, with its status, age and owner at report time.

    Only unclosed items are answered. An incident received yesterday and still open is one
    item, in the unclosed section; `age_days` == 1 tells it was received yesterday."""

    class Section(models.TextChoices):
        YESTERDAY = "yesterday", _("昨日警情")
        UNCLOSED = "unclosed", _("未办结警情")

    class AnswerKind(models.TextChoices):
        EXPLANATION = "explanation", _("说明情况")
        ACTION = "action", _("已采取措施")
        CLOSURE = "closure", _("已办结")

    report = models.ForeignKey(DailyIncidentReport, on_delete=models.PROTECT, related_name="items")
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="daily_items")
    section = models.CharField(_("类别"), max_length=16, choices=Section.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Incident.Status.choices)
    # Calendar days (Asia/Shanghai) from the day received to the report's day: 0 = today.
    age_days = models.PositiveIntegerField(_("已历时(天)"))
    # An incident has no handler of its own: whoever registered it answers for it.
    owner = models.ForeignKey(
        USER, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="+"
    )
    answer_kind = models.CharField(
        _("答复类型"), max_length=16, choices=AnswerKind.choices, blank=True
    )

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("每日警情分析项")
        verbose_name_plural = _("每日警情分析项")
        ordering = ["-age_days", "pk"]
        permissions = [("answer_dailyincidentitem", _("答复每日警情分析表"))]
        constraints = [
            models.UniqueConstraint(fields=["report", "incident"], name="one_daily_item")
        ]

    def __str__(self) -> str:
        return f"{self.report.day:%Y-%m-%d} {self.incident.number}"

    @property
    def needs_answer(self) -> bool:
        return self.section == self.Section.UNCLOSED and self.answered_at is None


# django-guardian direct-FK tables: a case lent to someone outside its station.
class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)
