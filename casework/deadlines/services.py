"""Starting, sweeping and meeting statutory clocks."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.cases.models import Case, Measure
from casework.cases.selectors import access_case, handler_ids
from casework.core import audit
from casework.core.errors import Conflict
from casework.core.notify import notify
from casework.deadlines.calendar import add_working_days
from casework.deadlines.models import Deadline, DeadlineWarning, Holiday, Rung
from casework.org.roles import Role
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
    context: dict[str, Any] | None = None,
    measure: Measure | None = None,
) -> list[Deadline]:
    """Start the clocks whose rules fire for this event (idempotent per trigger and rule).
    `context` holds only facts the rules may test; `measure` links the clocks it started."""
    facts = {
        "event": event,
        "case_kind": case.kind,
        "case_is_major": case.is_major,
        **(context or {}),
    }
    on = timezone.localtime(started_at).date()
    fired = [
        r
        for r in rules_firing(categories=CLOCK_CATEGORIES, context=facts, on=on)
        if r.is_clock and r.trigger_event == event
    ]
    started = []
    for rule in fired:
        if Deadline.objects.filter(case=case, rule=rule, trigger=trigger).exists():
            continue
        deadline = Deadline.objects.create(
            case=case,
            measure=measure,
            rule=rule,
            trigger=trigger,
            title=rule.title,
            text=rule.text,
            legal_basis=rule.legal_basis,
            started_at=started_at,
            due_at=due_time(rule, started_at),
        )
        Rung.objects.bulk_create(_rungs(deadline, rule))
        started.append(deadline)
    if started:
        audit.record(
            actor=None,
            verb="deadlines.started",
            target=case,
            payload={"trigger": trigger, "rules": [d.rule.slug for d in started]},
        )
    return started


def clocks_for_measure(*, measure: Measure) -> list[Deadline]:
    """A coercive measure starts the clocks of its event (拘留 → 24 h custody, family notice…)."""
    party = measure.party
    age = None
    if party.birth_date:
        from casework.cases.idcard import age_on

        age = age_on(party.birth_date, timezone.localtime(measure.started_at).date())
    context = {
        "party_role": party.role,
        "party_gender": party.gender,
        "party_is_minor": party.is_minor,
        "party_age": age,
    }
    return clocks_start(
        case=measure.case,
        event=MEASURE_EVENTS[measure.kind],
        started_at=measure.started_at,
        trigger=f"measure:{measure.pk}",
        context=context,
        measure=measure,
    )


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
        return list(User.objects.filter(pk__in=handler_ids(deadline.case)))
    role = Role.LEGAL_OFFICER if audience == "legal_officer" else Role.CHIEF
    return list(
        User.objects.filter(
            groups__name=role, profile__station_id=deadline.case.station_id, is_active=True
        )
    )


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
        key = (deadline.case_id, audience)
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
                link=f"/cases/{deadline.case_id}/",
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
    holiday, _created = Holiday.objects.update_or_create(
        day=day, defaults={"name": name.strip(), "is_workday": is_workday}
    )
    audit.record(
        actor=by, verb="deadlines.holiday_set", target=holiday, payload={"is_workday": is_workday}
    )
    return holiday
