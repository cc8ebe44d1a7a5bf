"""Starting, sweeping and meeting statutory clocks."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.cases.idcard import age_on
from casework.cases.models import Case, CaseEvent, Measure, Party
from casework.cases.selectors import access_case, handler_ids
from casework.core import audit
from casework.core.errors import Conflict
from casework.core.notify import notify
from casework.deadlines.calendar import add_working_days
from casework.deadlines.models import Deadline, DeadlineWarning, Holiday, Prompt, Rung
from casework.org.roles import Role
from casework.org.selectors import station_people
from casework.rules import rules
from casework.rules.models import Rule
from casework.rules.selectors import rules_firing

User = get_user_model()
CLOCK_CATEGORIES = ["measure", "case", "property", "reconsideration"]
# After the due time the ladder climbs: the legal officer at once, the chief this much later.
CHIEF_AFTER = timedelta(hours=2)
MEASURE_EVENTS: dict[str, str] = {
    Measure.Kind.SUMMONS: "summons_arrival",
    Measure.Kind.EXTENDED_QUESTIONING: "extended_questioning",
    Measure.Kind.CRIMINAL_DETENTION: "criminal_detention",
    Measure.Kind.ADMINISTRATIVE_DETENTION: "administrative_detention",
    Measure.Kind.ARREST: "arrest",
    Measure.Kind.BAIL: "bail",
    Measure.Kind.RESIDENTIAL_SURVEILLANCE: "residential_surveillance",
    Measure.Kind.SEIZURE: "seizure",
}


def due_time(rule: Rule, started_at: datetime) -> datetime:
    """When the clock runs out: hours, calendar days, or working days (holidays as data)."""
    value = rule.offset_value or 0
    if rule.offset_unit == Rule.Unit.HOURS:
        return started_at + timedelta(hours=value)
    if rule.day_kind == Rule.DayKind.WORKING:
        rows = list(
            Holiday.objects.filter(day__gte=started_at.date()).values_list("day", "is_workday")
        )
        holidays = {d for d, work in rows if not work}
        workdays = {d for d, work in rows if work}
        local = timezone.localtime(started_at)
        return add_working_days(local, value, holidays=holidays, workdays=workdays)
    return started_at + timedelta(days=value)


def _rungs(deadline: Deadline, rule: Rule) -> list[Rung]:
    rows = [
        Rung(
            deadline=deadline,
            fires_at=deadline.due_at - timedelta(hours=r["before_hours"]),
            audience="officer",
            label=_("距截止 %(h)s 小时") % {"h": r["before_hours"]},
        )
        for r in rule.rungs
        if deadline.due_at - timedelta(hours=r["before_hours"]) > deadline.started_at
    ]
    ladder = rule.escalation or ["officer", "legal_officer", "chief"]
    if "legal_officer" in ladder:
        rows.append(
            Rung(
                deadline=deadline,
                fires_at=deadline.due_at,
                audience="legal_officer",
                label=_("已超期"),
            )
        )
    if "chief" in ladder:
        rows.append(
            Rung(
                deadline=deadline,
                fires_at=deadline.due_at + CHIEF_AFTER,
                audience="chief",
                label=_("超期升级"),
            )
        )
    return rows


def clocks_start(
    *,
    case: Case,
    event: str,
    started_at: datetime,
    trigger: str,
    party: Party | None = None,
    measure: Measure | None = None,
    subject: str = "",
) -> list[Deadline]:
    """Start the clocks whose rules fire for this event, and tell the handlers the duties
    (rules without a time limit) that fire with it. Idempotent per trigger and rule.
    The rules see the event, the case's kind and the party's facts; `measure` links what
    it started; `subject` names the thing it concerns (an item, for {物品})."""
    on = timezone.localtime(started_at).date()
    facts = {
        "event": event,
        "case_kind": case.kind,
        "case_is_major": case.is_major,
        **_party_facts(party, on),
    }
    fired = rules_firing(categories=CLOCK_CATEGORIES, context=facts, on=on)
    clocks = [r for r in fired if r.is_clock and r.trigger_event == event]
    duties = [r for r in fired if not r.is_clock]
    values = _fill_values(case, party, started_at, subject)
    started = [
        _clock_start(case, rule, trigger, started_at, measure, values)
        for rule in clocks
        if not Deadline.objects.filter(case=case, rule=rule, trigger=trigger).exists()
    ]
    if started:
        audit.record(
            actor=None,
            verb="deadlines.started",
            target=case,
            payload={"trigger": trigger, "rules": [d.rule.slug for d in started if d.rule]},
        )
    _prompts_send(case, duties, trigger, measure, values, event)
    return started


# Placeholder names the rule texts use (legal-rules.md), filled from the case and the event.
_PARTY_NAMES = ("当事人", "嫌疑人", "姓名", "申请人", "原告")
_START_NAMES = ("时间", "拘留时间", "逮捕时间", "到案时间", "带至时间", "送达日", "提取时间")
# Only names meaning this clock's own due time: 起诉截止日 (6 months, 行政诉讼法 §46) is
# another period than the 60-day 复议 clock it appears with, so it stays as written.
_DUE_NAMES = ("截止时间", "到期日", "复议截止日")


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _fill_values(
    case: Case, party: Party | None, started_at: datetime, subject: str
) -> dict[str, str]:
    values = {"案件编号": case.number, "案件": case.title, "案件名称": case.title}
    if subject:
        values["物品"] = subject
    values.update({name: party.name for name in _PARTY_NAMES if party is not None})
    values.update({name: _when(started_at) for name in _START_NAMES})
    return values


def _clock_start(
    case: Case,
    rule: Rule,
    trigger: str,
    started_at: datetime,
    measure: Measure | None,
    fill: dict[str, str],
) -> Deadline:
    due_at = due_time(rule, started_at)
    values = fill | {name: _when(due_at) for name in _DUE_NAMES}
    deadline = Deadline.objects.create(
        case=case,
        measure=measure,
        rule=rule,
        trigger=trigger,
        # Three seized items are three clocks: the title says which is which.
        title=f"{rule.title}({fill['物品']})"[:200] if "物品" in fill else rule.title,
        text=rules.render(rule.text, values),
        legal_basis=rule.legal_basis,
        started_at=started_at,
        due_at=due_at,
    )
    Rung.objects.bulk_create(_rungs(deadline, rule))
    return deadline


def _prompts_send(
    case: Case,
    duties: list[Rule],
    trigger: str,
    measure: Measure | None,
    fields: dict[str, str],
    event: str,
) -> list[Prompt]:
    """Store each duty once per trigger and put it in every handler's inbox."""
    known = set(Prompt.objects.filter(case=case, trigger=trigger).values_list("rule_id", flat=True))
    prompts = Prompt.objects.bulk_create(
        Prompt(
            case=case, measure=measure, rule=rule, trigger=trigger, title=rule.title,
            text=rules.render(rule.text, fields), legal_basis=rule.legal_basis,
            severity=rule.severity,
        )
        for rule in duties
        if rule.pk not in known
    )  # fmt: skip
    if not prompts:
        return []
    handlers = list(User.objects.filter(pk__in=handler_ids(case)))
    for prompt in prompts:
        for user in handlers:
            notify(
                recipient=user,
                subject=_("【办案提醒】%(t)s(%(c)s)") % {"t": prompt.title, "c": case.number},
                body=prompt.text,
                key=f"prompt:{case.pk}:{prompt.rule_id}:{trigger}:{user.pk}",
                link=f"/cases/{case.pk}/",
            )
    audit.record(
        actor=None,
        verb="deadlines.prompted",
        target=case,
        payload={"trigger": trigger, "event": event, "rules": [p.rule.slug for p in prompts]},
    )
    return prompts


def _party_facts(party: Party | None, on: date) -> dict[str, Any]:
    """What the rules may know about the party an event concerns."""
    if party is None:
        return {}
    age = age_on(party.birth_date, on) if party.birth_date else None
    return {
        "party_role": party.role,
        "party_gender": party.gender,
        "party_is_minor": party.is_minor,
        "party_age": age,
    }


def clock_set(
    *,
    case: Case,
    trigger: str,
    title: str,
    text: str,
    due_at: datetime,
    owner: Any,
    link: str = "",
    warn_before: timedelta = timedelta(days=1),
    chief_after: timedelta = CHIEF_AFTER,
) -> Deadline:
    """A clock whose due time a person set rather than a rule (a corrective action's 整改期限).
    It climbs the same ladder as a statutory clock — the owner before and at the due time, the
    legal officers at it, the chief `chief_after` it — and stops with `clocks_meet`.
    Idempotent per case and trigger: the existing clock is returned."""
    existing = Deadline.objects.filter(case=case, trigger=trigger, rule__isnull=True).first()
    if existing is not None:
        return existing
    now = timezone.now()
    deadline = Deadline.objects.create(
        case=case, trigger=trigger, owner=owner, link=link, title=title[:200], text=text,
        started_at=now, due_at=due_at,
    )  # fmt: skip
    rungs = [
        Rung(deadline=deadline, fires_at=due_at, audience="officer", label=_("已超期")),
        Rung(deadline=deadline, fires_at=due_at, audience="legal_officer", label=_("已超期")),
        Rung(
            deadline=deadline,
            fires_at=due_at + chief_after,
            audience="chief",
            label=_("超期升级"),
        ),
    ]
    if due_at - warn_before > now:
        hours = int(warn_before.total_seconds() // 3600)
        rungs.append(
            Rung(
                deadline=deadline,
                fires_at=due_at - warn_before,
                audience="officer",
                label=_("距截止 %(h)s 小时") % {"h": hours},
            )
        )
    Rung.objects.bulk_create(rungs)
    audit.record(
        actor=None,
        verb="deadlines.started",
        target=case,
        payload={"trigger": trigger, "deadline": deadline.pk, "owner": getattr(owner, "pk", None)},
    )
    return deadline


def clocks_for_measure(*, measure: Measure) -> list[Deadline]:
    """A coercive measure starts the clocks of its event (拘留 → 24 h custody, family notice…)."""
    return clocks_start(
        case=measure.case,
        event=MEASURE_EVENTS[measure.kind],
        started_at=measure.started_at,
        trigger=f"measure:{measure.pk}",
        party=measure.party,
        measure=measure,
    )


def clocks_for_event(*, event: CaseEvent, subject: str = "") -> list[Deadline]:
    """A recorded case event (送达, 复议申请, 拟询问…) starts its clocks and duties."""
    return clocks_start(
        case=event.case,
        event=event.kind,
        started_at=event.occurred_at,
        trigger=f"event:{event.pk}",
        party=event.party,
        subject=subject,
    )


def clocks_meet(*, by: Any, case: Case, trigger: str, note: str) -> list[int]:
    """Stop the open clocks a trigger started, because the act they wait for was done (a
    seized item handed to the custodian). The caller has checked `by`; returns their ids."""
    open_ids = list(
        Deadline.objects.filter(
            case=case, trigger=trigger, status=Deadline.Status.OPEN
        ).values_list("pk", flat=True)
    )
    if not open_ids:
        return []
    Deadline.objects.filter(pk__in=open_ids, status=Deadline.Status.OPEN).service_update(
        status=Deadline.Status.MET, met_at=timezone.now(), met_by=by, met_note=note[:2000]
    )
    audit.record(
        actor=by,
        verb="deadlines.met",
        target=case,
        payload={"deadlines": open_ids, "trigger": trigger, "note": note[:300]},
    )
    return open_ids


def deadline_sweep(*, now: datetime) -> int:
    """Create the warnings that have come due. State-based: it catches up after any outage,
    and a second run (or a second beat) creates nothing, thanks to the unique rung."""
    due = Rung.objects.filter(fires_at__lte=now, deadline__status=Deadline.Status.OPEN).exclude(
        Exists(DeadlineWarning.objects.filter(rung=OuterRef("pk")))
    )
    rows = [
        DeadlineWarning(rung_id=pk, created_at=now)
        for pk in due.values_list("pk", flat=True).iterator(chunk_size=2000)
    ]
    DeadlineWarning.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return len(rows)


def _audience(deadline: Deadline, audience: str) -> list[Any]:
    if audience == "officer":
        if deadline.owner_id:
            return list(User.objects.filter(pk=deadline.owner_id))
        return list(User.objects.filter(pk__in=handler_ids(deadline.case)))
    role = Role.LEGAL_OFFICER if audience == "legal_officer" else Role.CHIEF
    return station_people(station_id=deadline.case.station_id, role=role)


def warnings_deliver(*, now: datetime, limit: int | None = None, budget_s: float = 40.0) -> int:
    """Send undelivered warnings to their audience (in-app + email via the outbox).

    Drains the backlog in batches until it is empty, `limit` are sent, or `budget_s` has
    passed (the next beat goes on), so 10k warnings after an outage go out in one tick or two.
    Each warning is claimed by a conditional update: two workers never send the same one."""
    stop_at = time.monotonic() + budget_s
    sent = 0
    while time.monotonic() < stop_at and (limit is None or sent < limit):
        batch = 500 if limit is None else min(500, limit - sent)
        pending = list(
            DeadlineWarning.objects.filter(delivered_at__isnull=True)
            .select_related("rung__deadline__case")
            .order_by("pk")[:batch]
        )
        if not pending:
            break
        audiences: dict[tuple[int, str], list[Any]] = {}
        for warning in pending:
            sent += _warning_send(warning, now, audiences)
    return sent


def _warning_send(
    warning: DeadlineWarning, now: datetime, audiences: dict[tuple[int, str], list[Any]]
) -> int:
    with transaction.atomic():
        claimed = DeadlineWarning.objects.filter(pk=warning.pk, delivered_at__isnull=True).update(
            delivered_at=now
        )
        if not claimed:
            return 0  # another worker took it
        deadline, audience = warning.rung.deadline, warning.rung.audience
        key = (deadline.case_id, audience if audience != "officer" else f"o{deadline.owner_id}")
        if key not in audiences:
            audiences[key] = _audience(deadline, audience)
        for user in audiences[key]:
            notify(
                recipient=user,
                subject=_("【时限预警】%(t)s(%(c)s)")
                % {"t": deadline.title, "c": deadline.case.number},
                body=_("%(label)s。截止时间:%(due)s\n%(text)s")
                % {
                    "label": warning.rung.label,
                    "due": f"{timezone.localtime(deadline.due_at):%Y-%m-%d %H:%M}",
                    "text": deadline.text,
                },
                key=f"deadline-warning:{warning.pk}:{user.pk}",
                link=deadline.link or f"/cases/{deadline.case_id}/",
            )
    return 1


@transaction.atomic
def deadline_meet(*, by: Any, deadline_id: int, note: str = "") -> Deadline:
    """Mark a clock met (办结), which stops it: no further warnings."""
    deadline = Deadline.objects.filter(pk=deadline_id).first()
    case = access_case(by, deadline.case_id if deadline else -1)
    assert deadline is not None
    if by.pk not in handler_ids(case) and not by.has_perm("cases.review_case"):
        raise PermissionDenied("deadlines.meet")
    if deadline.status == Deadline.Status.MET:
        raise Conflict(_("该时限已办结"))
    if len(note) > 2000:
        raise ValidationError({"note": _("说明过长")})
    updated = Deadline.objects.filter(pk=deadline.pk, status=Deadline.Status.OPEN).service_update(
        status=Deadline.Status.MET, met_at=timezone.now(), met_by=by, met_note=note.strip()
    )
    if not updated:
        raise Conflict(_("该时限已办结"))
    deadline.refresh_from_db()
    audit.record(
        actor=by,
        verb="deadlines.met",
        target=case,
        payload={"deadline": deadline.pk, "note": note[:300]},
    )
    return deadline


@transaction.atomic
def holiday_set(*, by: Any, day: Any, name: str, is_workday: bool = False) -> Holiday:
    """Enter one day of the State Council's holiday notice (a holiday, or an adjusted working
    day). Clocks already started keep their due times; new clocks use the new calendar."""
    if not by.has_perm("deadlines.add_holiday"):
        raise PermissionDenied("deadlines.add_holiday")
    if not name.strip():
        raise ValidationError({"name": _("请填写名称(如“国庆节”或“国庆调休”)")})
    holiday, _created = Holiday.all_objects.update_or_create(
        day=day, defaults={"name": name.strip(), "is_workday": is_workday, "removed_at": None}
    )
    audit.record(
        actor=by, verb="deadlines.holiday_set", target=holiday, payload={"is_workday": is_workday}
    )
    return holiday


@transaction.atomic
def holiday_remove(*, by: Any, day: Any) -> Holiday:
    """Take a mistaken day out of the calendar. Clocks already started keep their stored due
    times; the row stays (marked removed) so the calendar they were computed with is known."""
    if not by.has_perm("deadlines.delete_holiday"):
        raise PermissionDenied("deadlines.delete_holiday")
    holiday = Holiday.objects.filter(day=day).first()
    if holiday is None:
        raise ValidationError({"day": _("日历中没有这一天")})
    audit.record(
        actor=by,
        verb="deadlines.holiday_removed",
        target=holiday,
        payload={"day": holiday.day, "name": holiday.name, "is_workday": holiday.is_workday},
    )
    holiday.removed_at = timezone.now()
    holiday.save(update_fields=["removed_at"])
    return holiday
