"""Writes to incidents, cases, parties and measures: check → change → audit, one transaction.

Gate decisions and the case workflow live in `workflow` (the one orchestrator), which calls
these services; nothing here calls up into it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.cases import idcard
from casework.cases.models import (
    Case,
    CaseEvent,
    CaseHandler,
    CaseNumberSequence,
    ChecklistItem,
    Gate,
    GateDecision,
    Incident,
    IncidentFlag,
    Measure,
    Party,
    SupervisionItem,
)
from casework.cases.selectors import access_case, access_flag, access_incident, handler_ids
from casework.core import audit
from casework.core.errors import Conflict, RuleViolation
from casework.org.scoping import user_station_id

User = get_user_model()


def _require(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(perm)


def _next_number(*, station: Any, prefix: str, year: int) -> int:
    """The next sequence number; the UPDATE serialises concurrent callers on the row."""
    sequence, _created = CaseNumberSequence.objects.get_or_create(
        station=station, prefix=prefix, year=year
    )
    CaseNumberSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
    sequence.refresh_from_db(fields=["last"])
    return sequence.last


def _station_of(user: Any) -> Any:
    from casework.org.models import Station

    station_id = user_station_id(user)
    if station_id is None:
        raise ValidationError({"station": _("只有派出所民警可以登记警情和案件")})
    return Station.objects.get(pk=station_id)


# ---- incidents (警情) --------------------------------------------------------------------


@transaction.atomic
def incident_register(
    *,
    by: Any,
    received_at: datetime,
    category: str,
    location: str,
    summary: str,
    source: str = Incident.Source.CALL_110,
    reporter: str = "",
    reporter_phone: str = "",
) -> Incident:
    """Register a 警情 at the caller's station; numbered XQ-JQ-2026-000001."""
    _require(by, "cases.add_incident")
    station = _station_of(by)
    if received_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"received_at": _("接警时间不能晚于当前时间")})
    year = timezone.localtime(received_at).year
    number = f"{station.code}-JQ-{year}-{_next_number(station=station, prefix='JQ', year=year):06d}"
    incident = Incident(
        station=station,
        number=number,
        source=source,
        received_at=received_at,
        category=category,
        location=location,
        summary=summary,
        reporter=reporter,
        reporter_phone=reporter_phone,
        created_by=by,
    )
    incident.full_clean()
    incident.save()
    audit.record(actor=by, verb="incidents.registered", target=incident)
    return incident


_INCIDENT_MOVES = {
    "dispatch": ({Incident.Status.OPEN}, Incident.Status.DISPATCHED),
    "handle": ({Incident.Status.DISPATCHED}, Incident.Status.HANDLED),
}


@transaction.atomic
def incident_advance(*, by: Any, incident_id: int, step: str, note: str = "") -> Incident:
    """Move an incident along dispatch → handled (a conditional update: no double moves)."""
    incident = access_incident(by, incident_id)
    _require(by, "cases.change_incident")
    allowed, target = _INCIDENT_MOVES[step]
    moved = Incident.objects.filter(pk=incident.pk, status__in=allowed)
    if not moved.service_update(status=target):
        raise Conflict(
            _("警情当前状态为“%(s)s”,不能执行此操作") % {"s": incident.get_status_display()}
        )
    incident.refresh_from_db()
    audit.record(actor=by, verb=f"incidents.{step}", target=incident, payload={"note": note})
    return incident


@transaction.atomic
def incident_close(*, by: Any, incident_id: int, outcome: str) -> Incident:
    """End an incident with an outcome (no case): 办结."""
    if not outcome.strip():
        raise ValidationError({"outcome": _("办结须填写处置结果")})
    return _incident_end(by, incident_id, Incident.Status.CLOSED, outcome=outcome.strip())


@transaction.atomic
def incident_divert(*, by: Any, incident_id: int, department: str, note: str = "") -> Incident:
    """非警务分流: hand a non-police matter to the named department."""
    department = department.strip()
    if not department:
        raise ValidationError({"department": _("分流须写明接收部门")})
    try:  # the column's max_length: PostgreSQL refuses a longer value (a 500), SQLite not
        Incident._meta.get_field("diverted_to").run_validators(department)
    except ValidationError as exc:
        raise ValidationError({"department": exc.messages}) from None
    return _incident_end(
        by, incident_id, Incident.Status.DIVERTED, diverted_to=department, outcome=note
    )


def _incident_end(by: Any, incident_id: int, status: str, **fields: str) -> Incident:
    incident = access_incident(by, incident_id)
    _require(by, "cases.change_incident")
    if not incident.is_open:
        raise Conflict(_("警情已办结或已分流"))
    if incident.flags.filter(answered_at__isnull=True).exists():
        raise Conflict(_("警情有未答复的法制监督标记,答复后才能办结"))
    now = timezone.now()
    updated = Incident.objects.filter(pk=incident.pk, status=incident.status).service_update(
        status=status, closed_at=now, **fields
    )
    if not updated:
        raise Conflict(_("警情状态已被他人修改,请刷新后重试"))
    incident.refresh_from_db()
    # The outcome is free text of any length; the audit row keeps its start (payload ≤ 8 KB).
    payload = {name: value[:500] for name, value in fields.items()}
    audit.record(actor=by, verb=f"incidents.{status}", target=incident, payload=payload)
    return incident


@transaction.atomic
def incident_flag(*, by: Any, incident_id: int, kind: str, note: str) -> IncidentFlag:
    """The legal officer, observing dispatch, flags a problem that must be answered."""
    incident = access_incident(by, incident_id)
    _require(by, "cases.flag_incident")
    if not note.strip():
        raise ValidationError({"note": _("请写明问题")})
    flag = IncidentFlag(incident=incident, kind=kind, note=note.strip(), raised_by=by)
    flag.full_clean()
    flag.save()
    audit.record(actor=by, verb="incidents.flagged", target=incident, payload={"kind": kind})
    return flag


@transaction.atomic
def flag_answer(*, by: Any, flag_id: int, answer: str) -> IncidentFlag:
    flag = access_flag(by, flag_id)
    _require(by, "cases.change_incident")
    _answer(flag, by=by, text=answer)
    audit.record(actor=by, verb="incidents.flag_answered", target=flag.incident)
    return flag


def _answer(raised: Any, *, by: Any, text: str) -> None:
    """Answer a flag or a supervision item, once."""
    if not text.strip():
        raise ValidationError({"answer": _("请填写答复")})
    if raised.answered_at is not None:
        raise Conflict(_("已答复,不能重复答复"))
    raised.answer, raised.answered_by, raised.answered_at = text.strip(), by, timezone.now()
    raised.save(update_fields=["answer", "answered_by", "answered_at"])


# ---- cases --------------------------------------------------------------------------------


def _handlers(station: Any, usernames: list[str], creator: Any) -> list[tuple[Any, str]]:
    """Resolve handlers: the first 民警 is responsible; 辅警 only assist (never responsible)."""
    names = list(dict.fromkeys(usernames or [creator.get_username()]))
    users = {
        u.username: u for u in User.objects.filter(username__in=names).select_related("profile")
    }
    missing = [n for n in names if n not in users or users[n].profile.station_id != station.pk]
    if missing:
        raise ValidationError({"handlers": _("不是本所警员:%(n)s") % {"n": ", ".join(missing)}})
    officers = [n for n in names if not users[n].profile.is_auxiliary]
    if not officers:
        raise ValidationError({"handlers": _("至少需要一名民警作为主办人,辅警只能协办")})
    return [
        (users[n], CaseHandler.Role.RESPONSIBLE if n == officers[0] else CaseHandler.Role.ASSISTING)
        for n in names
    ]


@transaction.atomic
def case_open(
    *,
    by: Any,
    kind: str,
    title: str,
    summary: str,
    incident_id: int | None = None,
    occurred_at: datetime | None = None,
    is_major: bool = False,
    reconsideration_risk: bool = False,
    handlers: list[str] | None = None,
) -> Case:
    """Open a case at the caller's station (XQ-2026-000123). The workflow starts it."""
    _require(by, "cases.add_case")
    station = _station_of(by)
    incident = access_incident(by, incident_id) if incident_id else None
    if incident is not None and not incident.is_open:
        raise ValidationError({"incident": _("该警情已办结或已分流")})
    when = occurred_at or (incident.received_at if incident else timezone.now())
    people = _handlers(station, handlers or [], by)
    year = timezone.localtime(timezone.now()).year
    number = f"{station.code}-{year}-{_next_number(station=station, prefix='AJ', year=year):06d}"
    case = Case(
        station=station,
        number=number,
        kind=kind,
        title=title.strip(),
        summary=summary.strip(),
        incident=incident,
        occurred_at=when,
        is_major=is_major,
        reconsideration_risk=reconsideration_risk,
        created_by=by,
    )
    case.full_clean()
    case.save()
    CaseHandler.objects.bulk_create(CaseHandler(case=case, user=u, role=r) for u, r in people)
    if incident is not None:
        Incident.objects.filter(pk=incident.pk).service_update(
            status=Incident.Status.CLOSED,
            closed_at=timezone.now(),
            outcome=_("已受案:%(n)s") % {"n": number},
        )
    audit.record(
        actor=by,
        verb="cases.opened",
        target=case,
        payload={"handlers": [u.username for u, _r in people]},
    )
    return case


def require_handler(user: Any, case: Case) -> None:
    if user.pk not in handler_ids(case):
        raise RuleViolation(_("只有本案办案民警可以进行此操作"))


def require_open(case: Case) -> None:
    if case.status in {Case.Status.CLOSED, Case.Status.EVALUATED}:
        raise Conflict(_("案件已结案,不能修改"))


def case_touch(case: Case) -> None:
    """A material change: bump the version so approvals of the old state become stale."""
    Case.objects.filter(pk=case.pk).service_update(version=F("version") + 1)
    case.refresh_from_db(fields=["version"])


@transaction.atomic
def case_update(*, by: Any, case_id: int, **changes: Any) -> Case:
    """Change the case's facts (title, summary, kind, occurred_at, flags) as its handler."""
    case = access_case(by, case_id, for_update=True)
    require_handler(by, case)
    require_open(case)
    allowed = {"title", "summary", "kind", "occurred_at", "is_major", "reconsideration_risk"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({f: _("不能修改此项") for f in unknown})
    before = {f: str(getattr(case, f)) for f in changes}
    for field, value in changes.items():
        setattr(case, field, value)
    case.full_clean()
    case.save(update_fields=list(changes))
    case_touch(case)
    audit.record(actor=by, verb="cases.updated", target=case, payload={"before": before})
    return case


@transaction.atomic
def party_add(
    *,
    by: Any,
    case_id: int,
    role: str,
    name: str,
    gender: str = "",
    birth_date: Any = None,
    id_number: str = "",
) -> Party:
    """Add a party; an ID number is checked (checksum included) and must agree with the
    birth date and gender given. `is_minor` is the age at the time of the act."""
    case = access_case(by, case_id, for_update=True)
    require_open(case)
    _require(by, "cases.add_party")
    if id_number:
        try:
            facts = idcard.parse(id_number, today=timezone.localdate())
        except idcard.IdNumberError as exc:
            raise ValidationError({"id_number": _("居民身份证号无效:%(e)s") % {"e": exc}}) from None
        if birth_date and birth_date != facts.birth_date:
            raise ValidationError({"birth_date": _("出生日期与身份证号不一致")})
        if gender and gender != facts.gender:
            raise ValidationError({"gender": _("性别与身份证号不一致")})
        id_number, birth_date, gender = facts.number, facts.birth_date, facts.gender
    if not gender:
        raise ValidationError({"gender": _("请填写性别(或填写身份证号)")})
    act_day = timezone.localtime(case.occurred_at).date()
    is_minor = birth_date is not None and idcard.age_on(birth_date, act_day) < 18
    party = Party(
        case=case,
        role=role,
        name=name.strip(),
        gender=gender,
        birth_date=birth_date,
        id_number=id_number,
        is_minor=is_minor,
    )
    party.full_clean()
    party.save()
    case_touch(case)
    audit.record(
        actor=by, verb="cases.party_added", target=case, payload={"party": party.pk, "role": role}
    )
    return party


@transaction.atomic
def measure_add(
    *,
    by: Any,
    case_id: int,
    party_id: int,
    kind: str,
    started_at: datetime,
    ended_at: datetime | None = None,
) -> Measure:
    """Record a coercive measure on a party of the case."""
    case = access_case(by, case_id, for_update=True)
    require_open(case)
    _require(by, "cases.add_measure")
    party = case.parties.filter(pk=party_id).first()
    if party is None:
        raise ValidationError({"party": _("当事人不属于本案")})
    if ended_at is not None and ended_at < started_at:
        raise ValidationError({"ended_at": _("结束时间不能早于开始时间")})
    measure = Measure(
        case=case, party=party, kind=kind, started_at=started_at, ended_at=ended_at, created_by=by
    )
    measure.full_clean()
    measure.save()
    case_touch(case)
    audit.record(
        actor=by,
        verb="cases.measure_added",
        target=case,
        payload={"measure": measure.pk, "kind": kind},
    )
    return measure


# Steps that follow a decision and may come after the case is closed (送达, 复议, 诉讼).
EVENTS_AFTER_CLOSE = {
    CaseEvent.Kind.DECISION_SERVED,
    CaseEvent.Kind.RECONSIDERATION_FILED,
    CaseEvent.Kind.COMPLAINT_RECEIVED,
    # Both may come to light after the case closed; both open its retrospective.
    CaseEvent.Kind.KEY_INCIDENT_FLAGGED,
    CaseEvent.Kind.CONTROL_LAPSE,
}
PLANNED_EVENTS = {
    CaseEvent.Kind.INTERROGATION_PLANNED,
    CaseEvent.Kind.QUESTIONING_PLANNED,
    CaseEvent.Kind.BODY_SEARCH_PLANNED,
}


def may_record_events(user: Any) -> bool:
    """Handling officers record steps; legal officers record reconsiderations and lawsuits."""
    return bool(user.has_perm("cases.add_measure") or user.has_perm("cases.review_case"))


@transaction.atomic
def case_event_add(
    *,
    by: Any,
    case_id: int,
    kind: str,
    occurred_at: datetime,
    party_id: int | None = None,
    note: str = "",
) -> CaseEvent:
    """Record a procedural step on a case (its clocks and duties are started by the caller)."""
    case = access_case(by, case_id, for_update=True)
    if not may_record_events(by):
        raise PermissionDenied("cases.add_caseevent")
    if kind not in CaseEvent.Kind.values:
        raise ValidationError({"kind": _("未知的办案节点:%(k)s") % {"k": kind}})
    if kind not in EVENTS_AFTER_CLOSE:
        require_open(case)
    if kind not in PLANNED_EVENTS and occurred_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("发生时间不能晚于当前时间")})
    party = case.parties.filter(pk=party_id).first() if party_id else None
    if party_id and party is None:
        raise ValidationError({"party": _("当事人不属于本案")})
    event = CaseEvent(
        case=case, party=party, kind=kind, occurred_at=occurred_at, note=note.strip(),
        created_by=by,
    )  # fmt: skip
    event.full_clean()
    event.save()
    audit.record(
        actor=by,
        verb="cases.event_added",
        target=case,
        payload={"event": event.pk, "kind": kind, "party": party_id},
    )
    return event


# ---- supervision items (侦办监督) ------------------------------------------------------------


@transaction.atomic
def supervision_open(
    *, by: Any, case_id: int, issue: str, required_correction: str, due_on: Any
) -> SupervisionItem:
    """The legal officer raises an issue on a running case; the handlers must answer it."""
    case = access_case(by, case_id)
    _require(by, "cases.review_case")
    require_open(case)
    if by.pk in handler_ids(case):
        raise RuleViolation(_("不能监督本人办理的案件"))
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("整改期限不能早于今天")})
    item = SupervisionItem(
        case=case,
        issue=issue.strip(),
        required_correction=required_correction.strip(),
        due_on=due_on,
        opened_by=by,
    )
    item.full_clean()
    item.save()
    audit.record(actor=by, verb="cases.supervision_opened", target=case, payload={"item": item.pk})
    return item


@transaction.atomic
def supervision_answer(*, by: Any, item_id: int, answer: str) -> SupervisionItem:
    item = SupervisionItem.objects.filter(pk=item_id).first()
    case = access_case(by, item.case_id if item else -1)
    assert item is not None  # access_case raised otherwise
    require_handler(by, case)
    _answer(item, by=by, text=answer)
    audit.record(
        actor=by, verb="cases.supervision_answered", target=case, payload={"item": item.pk}
    )
    return item


# ---- snapshots of what a gate approves -------------------------------------------------------


def case_snapshot(case: Case, gate: str) -> dict[str, Any]:
    """The material facts a gate decides on. A later change to any of them makes the gate's
    approval stale. Acceptance looks at the facts of the case; disposition and approval also
    at the proposal and the measures taken."""
    facts: dict[str, Any] = {
        "number": case.number,
        "kind": case.kind,
        "title": case.title,
        "summary": case.summary,
        "occurred_at": case.occurred_at.isoformat(),
        "is_major": case.is_major,
        "reconsideration_risk": case.reconsideration_risk,
        "parties": [
            [p.role, p.name, p.gender, str(p.birth_date or ""), p.id_number, p.is_minor]
            for p in case.parties.order_by("pk")
        ],
    }
    if gate in {Gate.DISPOSITION, Gate.CHIEF_APPROVAL, Gate.EVALUATION}:
        facts["disposition_proposal"] = case.disposition_proposal
        facts["disposition_basis"] = case.disposition_basis
        facts["measures"] = [
            [
                m.party_id,
                m.kind,
                m.started_at.isoformat(),
                m.ended_at.isoformat() if m.ended_at else "",
            ]
            for m in case.measures.order_by("pk")
        ]
    return facts


def snapshot_hash(snapshot: dict[str, Any]) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# ---- gate decisions ----------------------------------------------------------------------


def checklist_for(case: Case, gate: str) -> list[ChecklistItem]:
    return list(ChecklistItem.objects.filter(kind=case.kind, gate=gate, is_active=True))


def _checked(
    case: Case, gate: str, decision: str, ticked: dict[str, Any]
) -> tuple[dict, int | None]:
    """Validate the reviewer's checklist: approving needs every item ticked; an evaluation
    gives each item a score between 0 and its points."""
    items = checklist_for(case, gate)
    unknown = set(ticked) - {i.code for i in items}
    if unknown:
        raise ValidationError(
            {"checklist": _("未知检查项:%(c)s") % {"c": ", ".join(sorted(unknown))}}
        )
    if gate == Gate.EVALUATION:
        scores = {}
        for item in items:
            value = ticked.get(item.code, 0)
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or not 0 <= value <= item.points
            ):
                raise ValidationError(
                    {"checklist": _("“%(t)s”应为 0–%(p)s 分") % {"t": item.text, "p": item.points}}
                )
            scores[item.code] = value
        return scores, sum(scores.values())
    marks = {item.code: bool(ticked.get(item.code)) for item in items}
    if decision == GateDecision.Decision.APPROVE and not all(marks.values()):
        missing = [i.text for i in items if not marks[i.code]]
        raise ValidationError({"checklist": _("通过前须逐项确认:%(m)s") % {"m": ";".join(missing)}})
    return marks, None


def decision_record(
    *,
    by: Any,
    case: Case,
    gate: str,
    task_id: int,
    decision: str,
    reason: str,
    checklist: dict[str, Any],
) -> GateDecision:
    """Store a gate decision with the SHA-256 of exactly the state decided on (audited)."""
    if decision not in GateDecision.Decision.values:
        raise ValidationError({"decision": _("结论应为 approve 或 return")})
    if decision == GateDecision.Decision.RETURN and not reason.strip():
        raise ValidationError({"reason": _("退回补正必须填写理由")})
    if decision == GateDecision.Decision.RETURN and gate == Gate.EVALUATION:
        raise ValidationError({"decision": _("案件评查只能提交评分,不能退回")})
    if by.pk in handler_ids(case):
        # 分离职责: nobody decides a gate on a case they handle.
        raise RuleViolation(_("不能审核本人办理的案件"))
    marks, score = _checked(case, gate, decision, checklist)
    snapshot = case_snapshot(case, gate)
    record = GateDecision.objects.create(
        case=case,
        gate=gate,
        task_id=task_id,
        decision=decision,
        reason=reason.strip(),
        checklist=marks,
        score=score,
        decided_by=by,
        case_version=case.version,
        snapshot=snapshot,
        snapshot_sha256=snapshot_hash(snapshot),
    )
    audit.record(
        actor=by,
        verb=f"cases.gate_{decision}",
        target=case,
        payload={
            "gate": gate,
            "task": task_id,
            "sha256": record.snapshot_sha256,
            "reason": reason[:500],
        },
    )
    return record


def decisions_mark_stale(*, case: Case) -> list[str]:
    """Mark approvals whose decided state has since changed; return their gates, oldest first."""
    stale = []
    live = GateDecision.objects.filter(
        case=case, decision=GateDecision.Decision.APPROVE, stale_at__isnull=True
    ).exclude(gate=Gate.EVALUATION)
    for decision in live.order_by("decided_at"):
        if snapshot_hash(case_snapshot(case, decision.gate)) != decision.snapshot_sha256:
            decision.stale_at, decision.stale_reason = timezone.now(), _("案件材料在审核后发生变化")
            decision.save(update_fields=["stale_at", "stale_reason"])
            audit.record(
                actor=None, verb="cases.gate_stale", target=case, payload={"gate": decision.gate}
            )
            stale.append(decision.gate)
    return stale


def case_set_status(*, case: Case, status: str) -> None:
    """The workflow mirrors where the case stands (the flow is the source of truth)."""
    fields: dict[str, Any] = {"status": status}
    if status == Case.Status.CLOSED:
        fields["closed_at"] = timezone.now()
    Case.objects.filter(pk=case.pk).service_update(**fields)
    for field, value in fields.items():
        setattr(case, field, value)


def disposition_set(*, by: Any, case: Case, proposal: str, legal_basis: str) -> None:
    """The handler's 处理意见 and its legal basis (part of what the disposition gate approves)."""
    require_handler(by, case)
    errors = {}
    if not proposal.strip():
        errors["proposal"] = _("请填写处理意见")
    if not legal_basis.strip():
        errors["legal_basis"] = _("请填写法律依据")
    if errors:
        raise ValidationError(errors)
    open_items = case.supervision_items.filter(answered_at__isnull=True).count()
    if open_items:
        raise Conflict(
            _("尚有 %(n)d 项侦办监督事项未答复,答复后才能提出处理意见") % {"n": open_items}
        )
    Case.objects.filter(pk=case.pk).service_update(
        disposition_proposal=proposal.strip(), disposition_basis=legal_basis.strip()
    )
    case.disposition_proposal, case.disposition_basis = proposal.strip(), legal_basis.strip()
    case_touch(case)
    audit.record(actor=by, verb="cases.disposition_proposed", target=case)


@transaction.atomic
def checklist_item_save(
    *,
    by: Any,
    item_id: int | None,
    kind: str,
    gate: str,
    text: str,
    points: int = 0,
    is_active: bool = True,
) -> ChecklistItem:
    """Add or edit a gate checklist line (legal officers). Past decisions keep the ticks they
    stored, so editing the list never rewrites what was approved."""
    _require(by, "cases.change_checklistitem")
    item = ChecklistItem.objects.filter(pk=item_id).first() if item_id else None
    if item_id and item is None:
        raise ValidationError({"item": _("检查项不存在")})
    if item is None:
        last = ChecklistItem.objects.filter(kind=kind, gate=gate).count()
        item = ChecklistItem(
            kind=kind, gate=gate, code=f"custom-{timezone.now():%Y%m%d%H%M%S%f}", order=last
        )
    before = {"text": item.text, "points": item.points, "is_active": item.is_active}
    item.text, item.points, item.is_active = text.strip(), points, is_active
    item.full_clean()
    item.save()
    audit.record(actor=by, verb="cases.checklist_saved", target=item, payload={"before": before})
    return item
