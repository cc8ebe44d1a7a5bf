"""Writes to retrospectives: open one per case, record findings, set corrective actions and
follow each from open to verified. Check → change → audit, one transaction each."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.cases.models import Case
from casework.cases.selectors import access_case
from casework.conduct.services import record_for_finding
from casework.core import audit
from casework.core.errors import Conflict, NotFoundOrForbidden, RuleViolation
from casework.core.notify import notify
from casework.core.uploads import MAX_UPLOAD_BYTES, document_type
from casework.deadlines.services import clock_set, clocks_meet
from casework.org.roles import Role
from casework.org.scoping import user_station_id
from casework.org.selectors import station_member, station_people
from casework.reviews import selectors
from casework.reviews.models import (
    ActionEvidence,
    CorrectiveAction,
    Finding,
    FindingCategory,
    Outcome,
    Retrospective,
    RuleProposal,
)
from casework.rules.services import rule_save

OPEN_ACTION = {CorrectiveAction.Status.OPEN, CorrectiveAction.Status.REJECTED}


def _create(case: Case, trigger: str, by: Any) -> Retrospective:
    """Create the case's one retrospective and hand it to the station's legal officers."""
    retrospective = Retrospective.objects.create(
        station_id=case.station_id, case=case, trigger=trigger, opened_by=by
    )
    audit.record(
        actor=by, verb="reviews.opened", target=retrospective, payload={"trigger": trigger}
    )
    for officer in station_people(station_id=case.station_id, role=Role.LEGAL_OFFICER):
        notify(
            recipient=officer,
            subject=_("【案后复盘】%(c)s(%(t)s)")
            % {"c": case.number, "t": retrospective.get_trigger_display()},
            body=_("请对 %(c)s %(title)s 开展一案一复盘、一案一回溯。")
            % {"c": case.number, "title": case.title},
            key=f"retrospective:{retrospective.pk}:{officer.pk}",
            link=f"/reviews/{retrospective.pk}/",
        )
    return retrospective


@transaction.atomic
def retrospective_open(*, by: Any, case_id: int, trigger: str = "manual") -> Retrospective:
    """The legal officer or the chief opens a case's retrospective by hand (one per case)."""
    case = access_case(by, case_id, for_update=True)
    if not (by.has_perm("cases.review_case") or by.has_perm("cases.approve_case")):
        raise RuleViolation(_("只有法制员或所长可以启动案后复盘"))
    if trigger not in Retrospective.Trigger.values:
        raise ValidationError({"trigger": _("未知的启动原因:%(t)s") % {"t": trigger}})
    if Retrospective.objects.filter(case=case).exists():
        raise ValidationError({"case": _("本案已有复盘(一案一复盘)")})
    try:
        with transaction.atomic():
            return _create(case, trigger, by)
    except IntegrityError:  # a second click racing the first
        raise ValidationError({"case": _("本案已有复盘(一案一复盘)")}) from None


def retrospective_trigger(*, case: Case, trigger: str) -> Retrospective | None:
    """Open the case's retrospective because something happened (a major case closed, a
    reconsideration filed…). Idempotent: the case's existing one is kept; returns the new one."""
    if Retrospective.objects.filter(case=case).exists():
        return None
    try:
        with transaction.atomic():  # a savepoint: a racing trigger's insert loses quietly
            return _create(case, trigger, None)
    except IntegrityError:
        return None


def _require_reviewer(by: Any, retrospective: Retrospective) -> None:
    if not by.has_perm("reviews.verify_action"):
        raise RuleViolation(_("只有法制员可以登记复盘问题和整改措施"))
    if retrospective.status != Retrospective.Status.OPEN:
        raise Conflict(_("该复盘已结束"))


def _station_user(retrospective: Retrospective, username: str, field: str) -> Any:
    user = station_member(station_id=retrospective.station_id, username=username)
    if user is None:
        raise ValidationError({field: _("须为本所在职人员")})
    return user


@transaction.atomic
def finding_add(
    *,
    by: Any,
    retrospective_id: int,
    category: str,
    description: str,
    cause: str = "",
    officer: str = "",
) -> Finding:
    """Record a problem found in the case, with its cause and, optionally, the officer."""
    retrospective = selectors.access_retrospective(by, retrospective_id)
    _require_reviewer(by, retrospective)
    kind = FindingCategory.objects.filter(code=category, is_active=True).first()
    if kind is None:
        raise ValidationError({"category": _("请选择问题类别")})
    if not description.strip():
        raise ValidationError({"description": _("请描述发现的问题")})
    who = _station_user(retrospective, officer, "officer") if officer else None
    finding = Finding.objects.create(
        retrospective=retrospective, category=kind, description=description.strip(),
        cause=cause.strip(), officer=who, created_by=by,
    )  # fmt: skip
    audit.record(
        actor=by,
        verb="reviews.finding_added",
        target=retrospective,
        payload={"finding": finding.pk, "category": kind.code, "officer": officer},
    )
    if who is not None:  # 提醒 → 记分 → 约谈: the officer's ledger records it
        record_for_finding(
            officer=who, station_id=retrospective.station_id, category_code=kind.code,
            category=kind.name, source=f"finding:{finding.pk}",
            reason=f"{retrospective.case.number}:{finding.description}"[:2000],
        )  # fmt: skip
    _propose_if_recurring(retrospective.station_id, kind)
    return finding


@transaction.atomic
def action_add(
    *,
    by: Any,
    retrospective_id: int,
    finding: int | None,
    description: str,
    owner: str,
    due_on: date | None,
) -> CorrectiveAction:
    """Set a corrective action on a finding: an owner and a due date are required."""
    retrospective = selectors.access_retrospective(by, retrospective_id)
    _require_reviewer(by, retrospective)
    found = retrospective.findings.filter(pk=finding).first() if finding else None
    if found is None:
        raise ValidationError({"finding": _("请选择本复盘中的问题")})
    if not description.strip():
        raise ValidationError({"description": _("请填写整改措施")})
    if not owner:
        raise ValidationError({"owner": _("请指定责任人")})
    responsible = _station_user(retrospective, owner, "owner")
    if due_on is None:
        raise ValidationError({"due_on": _("请填写整改期限")})
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("整改期限不能早于今天")})
    if due_on >= date.max:  # its clock runs to the end of the day after: there is none
        raise ValidationError({"due_on": forms.DateField.default_error_messages["invalid"]})
    action = CorrectiveAction.objects.create(
        retrospective=retrospective, finding=found, description=description.strip(),
        owner=responsible, due_on=due_on, created_by=by,
    )  # fmt: skip
    audit.record(
        actor=by,
        verb="reviews.action_added",
        target=retrospective,
        payload={"action": action.pk, "owner": owner, "due_on": str(due_on)},
    )
    notify(
        recipient=responsible,
        subject=_("【整改措施】%(c)s") % {"c": retrospective.case.number},
        body=_("%(d)s(期限 %(due)s)") % {"d": action.description, "due": due_on},
        key=f"action:{action.pk}:assigned",
        link="/reviews/?tab=mine",
    )
    _clock_start(action, attempt=0)
    return action


def _clock_start(action: CorrectiveAction, attempt: int) -> None:
    """The action's due date runs on the deadline machinery: the owner is warned the day
    before and at the due time, the legal officers at it, the chief three days later."""
    case = action.retrospective.case
    local_end = datetime.combine(action.due_on + timedelta(days=1), time.min)
    clock_set(
        case=case,
        trigger=_clock_trigger(action, attempt),
        title=_("整改措施:%(d)s") % {"d": action.description[:80]},
        text=_("整改措施“%(d)s”(责任人 %(o)s)期限为 %(due)s。")
        % {"d": action.description[:200], "o": _name(action.owner), "due": action.due_on},
        due_at=timezone.make_aware(local_end),
        owner=action.owner,
        link=f"/reviews/{action.retrospective_id}/",
        chief_after=CHIEF_AFTER,
    )  # fmt: skip


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.username)


def _clock_trigger(action: CorrectiveAction, attempt: int) -> str:
    return f"action:{action.pk}" if attempt == 0 else f"action:{action.pk}:{attempt}"


@transaction.atomic
def action_complete(
    *, by: Any, action_id: int, evidence: str, files: list[Upload] | None = None
) -> CorrectiveAction:
    """The owner reports the action done, with what was done (the evidence: text, and any
    files attached now or before). This stops the action's clock."""
    action = _owned_open(by, action_id, _("只有责任人可以报告整改完成"))
    if not evidence.strip():
        raise ValidationError({"evidence": _("请填写整改情况")})
    _evidence_store(by, action, _checked(files or []))
    done = CorrectiveAction.objects.filter(pk=action.pk, status__in=OPEN_ACTION).service_update(
        status=CorrectiveAction.Status.DONE, evidence=evidence.strip(), completed_at=timezone.now()
    )
    if not done:
        raise Conflict(_("该整改措施已报告完成或已核验"))
    action.refresh_from_db()
    audit.record(
        actor=by,
        verb="reviews.action_completed",
        target=action.retrospective,
        payload={"action": action.pk},
    )
    clocks_meet(
        by=by,
        case=action.retrospective.case,
        trigger=_clock_trigger(action, action.rejections),
        note=_("整改措施已报告完成"),
    )
    return action


Upload = tuple[str, bytes]  # (the name the user gave it, its content)


def _checked(uploads: list[Upload]) -> list[tuple[str, bytes, str]]:
    """Check every file before any is stored: one bad file refuses them all."""
    checked = []
    for name, data in uploads:
        if not data:
            raise ValidationError({"attachment": _("请选择文件")})
        if len(data) > MAX_UPLOAD_BYTES:
            raise ValidationError({"attachment": _("文件不能超过 10 MB:%(n)s") % {"n": name}})
        kind = document_type(data)
        if kind is None:
            raise ValidationError(
                {"attachment": _("附件须为 PDF 或 JPEG、PNG、WebP 图片:%(n)s") % {"n": name}}
            )
        checked.append(((Path(name).name or "evidence")[:120], data, kind))
    return checked


def _evidence_store(
    by: Any, action: CorrectiveAction, files: list[tuple[str, bytes, str]]
) -> list[ActionEvidence]:
    stored = []
    for name, data, kind in files:
        evidence = ActionEvidence(
            action=action, name=name, sha256=hashlib.sha256(data).hexdigest(), content_type=kind,
            size=len(data), uploaded_by=by,
        )  # fmt: skip
        evidence.file.save("evidence", ContentFile(data), save=False)
        evidence.save()
        stored.append(evidence)
    if stored:
        audit.record(
            actor=by,
            verb="reviews.evidence_added",
            target=action.retrospective,
            payload={"action": action.pk, "files": [[e.name, e.sha256] for e in stored]},
        )
    return stored


def _owned_open(by: Any, action_id: int, verb: str) -> CorrectiveAction:
    action = selectors.access_action(by, action_id)
    if action.owner_id != by.pk:
        raise RuleViolation(verb)
    if action.status not in OPEN_ACTION:
        raise Conflict(_("该整改措施已报告完成或已核验"))
    return action


@transaction.atomic
def evidence_add(*, by: Any, action_id: int, files: list[Upload]) -> list[ActionEvidence]:
    """The owner attaches files (PDF, JPEG, PNG or WebP, up to 10 MB each) as evidence while
    the action is still theirs to do. Kept under their digest; nothing is replaced."""
    action = _owned_open(by, action_id, _("只有责任人可以上传整改佐证材料"))
    if not files:
        raise ValidationError({"attachment": _("请选择文件")})
    return _evidence_store(by, action, _checked(files))


@transaction.atomic
def action_verify(*, by: Any, action_id: int, accepted: bool, note: str = "") -> CorrectiveAction:
    """A legal officer, never the owner, verifies a done action or sends it back. The
    retrospective ends when every action is verified."""
    action = selectors.access_action(by, action_id)
    if not by.has_perm("reviews.verify_action"):
        raise RuleViolation(_("只有法制员可以核验整改措施"))
    if action.owner_id == by.pk:
        raise RuleViolation(_("不能核验本人负责的整改措施"))
    if action.status != CorrectiveAction.Status.DONE:
        raise ValidationError({"status": _("整改措施尚未报告完成,不能核验")})
    if not accepted and not note.strip():
        raise ValidationError({"note": _("核验未通过的,须说明理由")})
    status = CorrectiveAction.Status.VERIFIED if accepted else CorrectiveAction.Status.REJECTED
    moved = CorrectiveAction.objects.filter(
        pk=action.pk, status=CorrectiveAction.Status.DONE
    ).service_update(
        status=status, verified_by=by, verified_at=timezone.now(), verification_note=note.strip(),
        rejections=action.rejections + (0 if accepted else 1),
    )  # fmt: skip
    if not moved:
        raise Conflict(_("该整改措施已被他人核验"))
    action.refresh_from_db()
    if not accepted:  # back to the owner: the due date runs again, overdue at once if passed
        _clock_start(action, attempt=action.rejections)
    audit.record(
        actor=by,
        verb="reviews.action_verified",
        target=action.retrospective,
        payload={"action": action.pk, "accepted": accepted},
    )
    _close_if_verified(by, action.retrospective)
    return action


def _close_if_verified(by: Any, retrospective: Retrospective) -> None:
    actions = retrospective.actions.all()
    if not actions.exists() or actions.exclude(status=CorrectiveAction.Status.VERIFIED).exists():
        return
    closed = Retrospective.objects.filter(
        pk=retrospective.pk, status=Retrospective.Status.OPEN
    ).service_update(status=Retrospective.Status.CLOSED, closed_at=timezone.now())
    if closed:
        audit.record(actor=by, verb="reviews.closed", target=retrospective)


# An overdue action reaches the chief this long after its due date.
CHIEF_AFTER = timedelta(days=3)


def retrospectives_for_overdue_clocks(*, now: Any) -> int:
    """Beat: a statutory clock that ran out opens its case's retrospective (once per case)."""
    from casework.deadlines.models import Deadline

    late = (
        Deadline.objects.filter(status=Deadline.Status.OPEN, due_at__lt=now)
        .exclude(case__retrospective__isnull=False)
        .values_list("case_id", flat=True)
        .distinct()[:200]
    )
    opened = 0
    for case in Case.objects.filter(pk__in=list(late)):
        opened += retrospective_trigger(case=case, trigger="overdue_clock") is not None
    return opened


# ---- outcomes (行政复议 / 行政诉讼) ------------------------------------------------------------


def outcome_add(*, by: Any, event: Any, kind: str, filed_on: date, body: str = "") -> Outcome:
    """Record a reconsideration or lawsuit on the case event that announced it (the workflow
    records the event, which starts its reply clock and the retrospective)."""
    if not by.has_perm("reviews.verify_action"):
        raise RuleViolation(_("只有法制员可以登记复议和诉讼"))
    if kind not in Outcome.Kind.values:
        raise ValidationError({"kind": _("请选择复议或诉讼")})
    if filed_on > timezone.localdate():
        raise ValidationError({"filed_on": _("日期不能晚于今天")})
    outcome = Outcome.objects.create(
        case=event.case, kind=kind, filed_on=filed_on, body=body.strip()[:100], event=event,
        created_by=by,
    )  # fmt: skip
    audit.record(
        actor=by,
        verb="reviews.outcome_recorded",
        target=event.case,
        payload={"outcome": outcome.pk, "kind": kind, "filed_on": str(filed_on)},
    )
    return outcome


@transaction.atomic
def outcome_decide(*, by: Any, outcome_id: int, result: str, decided_on: date) -> Outcome:
    """The body's decision: upheld, revoked, changed, or withdrawn. Recorded once."""
    outcome = Outcome.objects.filter(pk=outcome_id).first()
    case = access_case(by, outcome.case_id if outcome else -1)
    assert outcome is not None
    if not by.has_perm("reviews.verify_action"):
        raise RuleViolation(_("只有法制员可以登记复议和诉讼"))
    if result not in Outcome.Result.values:
        raise ValidationError({"result": _("请选择结果")})
    if decided_on < outcome.filed_on or decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("决定日期须在申请日期之后、今天之前")})
    if not Outcome.objects.filter(pk=outcome.pk, result="").service_update(
        result=result, decided_on=decided_on
    ):
        raise Conflict(_("该复议/诉讼已登记结果"))
    outcome.refresh_from_db()
    audit.record(
        actor=by,
        verb="reviews.outcome_decided",
        target=case,
        payload={"outcome": outcome.pk, "result": result},
    )
    return outcome


# ---- 学以致用: recurring findings become reminder rules ------------------------------------


def _propose_if_recurring(station_id: int, category: FindingCategory) -> RuleProposal | None:
    since = timezone.now() - timedelta(days=settings.REVIEWS_RECURRENCE_DAYS)
    recent = Finding.objects.filter(
        retrospective__station_id=station_id, category=category, created_at__gte=since
    )
    count = recent.count()
    pending = RuleProposal.objects.filter(
        station_id=station_id, category=category, status=RuleProposal.Status.PROPOSED
    )
    if count < settings.REVIEWS_RECURRENCE_COUNT or pending.exists():
        return None
    examples = "；".join(d[:60] for d in recent.order_by("-created_at").values_list(
        "description", flat=True
    )[:3])  # fmt: skip
    proposal = RuleProposal.objects.create(
        station_id=station_id, category=category, findings_count=count,
        window_days=settings.REVIEWS_RECURRENCE_DAYS,
        title=_("【复盘提示】防止“%(c)s”") % {"c": category.name},
        text=_("近 %(d)s 日本所案后复盘中“%(c)s”问题出现 %(n)s 次(如:%(e)s)。本次执法务必避免。")
        % {"d": settings.REVIEWS_RECURRENCE_DAYS, "c": category.name, "n": count, "e": examples},
    )  # fmt: skip
    audit.record(
        actor=None,
        verb="reviews.rule_proposed",
        target=proposal,
        station_id=station_id,
        payload={"category": category.code, "count": count},
    )
    for officer in station_people(station_id=station_id, role=Role.LEGAL_OFFICER):
        notify(
            recipient=officer,
            subject=_("【规则建议】%(t)s") % {"t": proposal.title},
            body=proposal.text,
            key=f"rule-proposal:{proposal.pk}:{officer.pk}",
            link="/reviews/proposals/",
        )
    return proposal


@transaction.atomic
def proposal_decide(
    *, by: Any, proposal_id: int, accept: bool, title: str = "", text: str = ""
) -> RuleProposal:
    """The legal officer accepts the proposed reminder (edited or as offered), which adds it to
    the rule library for every trip from today, or dismisses it."""
    proposal = RuleProposal.objects.filter(pk=proposal_id).first()
    if proposal is None or not (
        by.has_perm("reviews.verify_action") and proposal.station_id == user_station_id(by)
    ):
        raise NotFoundOrForbidden(
            target_type="reviews.ruleproposal", target_id=proposal_id, denied=proposal is not None
        )
    if proposal.status != RuleProposal.Status.PROPOSED:
        raise Conflict(_("该建议已处理"))
    rule = None
    if accept:
        rule = rule_save(
            by=by, slug=f"learned-{proposal.station_id}-{proposal.category.code}-{proposal.pk}",
            note=_("案后复盘建议 #%(n)s") % {"n": proposal.pk},
            title=title.strip() or proposal.title, category="trip", conditions={},
            text=text.strip() or proposal.text, severity="warning", verified="VERIFIED",
            enabled=True,
            legal_basis=[{"law": _("本所案后复盘"), "article": proposal.category.name}],
        )  # fmt: skip
    status = RuleProposal.Status.ACCEPTED if accept else RuleProposal.Status.DISMISSED
    RuleProposal.objects.filter(pk=proposal.pk).service_update(
        status=status, rule=rule, decided_by=by, decided_at=timezone.now()
    )
    proposal.refresh_from_db()
    audit.record(
        actor=by,
        verb="reviews.rule_proposal_decided",
        target=proposal,
        payload={"accepted": accept, "rule": rule.slug if rule else None},
    )
    return proposal
