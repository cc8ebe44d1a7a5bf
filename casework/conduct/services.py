"""Writes to the conduct ledger: a record per attributed finding, the talk it may open, and
the officer's objection. Check → change → audit, in one transaction."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.conduct.models import ConductRecord, PointRule, Talk
from casework.conduct.selectors import access_record, points_in_period
from casework.core import audit
from casework.core.errors import Conflict, NotFoundOrForbidden, RuleViolation
from casework.core.notify import notify
from casework.org.roles import Role
from casework.org.scoping import user_station_id
from casework.org.selectors import station_people


@transaction.atomic
def record_for_finding(
    *, officer: Any, station_id: int, category_code: str, category: str, reason: str, source: str
) -> ConductRecord:
    """提醒, or 记分 when the category carries points; crossing the threshold opens a talk.
    Idempotent per source (one record per finding)."""
    known = ConductRecord.objects.filter(source=source).first()
    if known is not None:
        return known
    rule = PointRule.objects.filter(category_code=category_code).first()
    points = rule.points if rule else 0
    record = ConductRecord.objects.create(
        station_id=station_id, officer=officer, points=points, category=category,
        kind=ConductRecord.Kind.POINTS if points else ConductRecord.Kind.REMINDER,
        reason=reason, source=source,
    )  # fmt: skip
    audit.record(
        actor=None,
        verb="conduct.recorded",
        target=record,
        station_id=station_id,
        payload={"officer": officer.username, "points": points, "source": source},
    )
    notify(
        recipient=officer,
        subject=_("【%(k)s】%(c)s") % {"k": record.get_kind_display(), "c": category},
        body=reason,
        key=f"conduct:{record.pk}",
        link="/conduct/",
    )
    _talk_if_threshold(officer, station_id)
    return record


def _talk_if_threshold(officer: Any, station_id: int) -> Talk | None:
    total = points_in_period(officer, timezone.now())
    if (
        total < settings.CONDUCT_TALK_POINTS
        or Talk.objects.filter(officer=officer, status=Talk.Status.OPEN).exists()
    ):
        return None
    talk = Talk.objects.create(station_id=station_id, officer=officer, points=total)
    audit.record(
        actor=None,
        verb="conduct.talk_opened",
        target=talk,
        station_id=station_id,
        payload={"officer": officer.username, "points": total},
    )
    for instructor in station_people(station_id=station_id, role=Role.INSTRUCTOR):
        notify(
            recipient=instructor,
            subject=_("【约谈】%(o)s 记分已达 %(p)s 分") % {"o": officer, "p": total},
            body=_("请对该民警开展约谈并记录约谈情况和后续跟进。"),
            key=f"talk:{talk.pk}:{instructor.pk}",
            link="/conduct/station/",
        )
    return talk


@transaction.atomic
def objection_raise(*, by: Any, record_id: int, text: str) -> ConductRecord:
    """The officer objects to a record of their own (once); a colleague's record is not theirs."""
    record = access_record(by, record_id)
    if record.officer_id != by.pk:
        raise RuleViolation(_("只能对本人的记录提出异议"))
    if not text.strip():
        raise ValidationError({"text": _("请填写异议理由")})
    raised = ConductRecord.objects.filter(pk=record.pk, objection_status="").service_update(
        objection=text.strip(), objection_status=ConductRecord.Objection.PENDING
    )
    if not raised:
        raise Conflict(_("该记录已提出过异议"))
    record.refresh_from_db()
    audit.record(actor=by, verb="conduct.objection_raised", target=record)
    return record


@transaction.atomic
def objection_decide(*, by: Any, record_id: int, upheld: bool, note: str) -> ConductRecord:
    """The instructor or legal officer decides the objection; upheld voids the points."""
    record = access_record(by, record_id)
    if not by.has_perm("conduct.decide_objection") or record.officer_id == by.pk:
        raise RuleViolation(_("只有教导员或法制员可以处理他人的异议"))
    if not note.strip():
        raise ValidationError({"note": _("请填写处理意见")})
    status = ConductRecord.Objection.UPHELD if upheld else ConductRecord.Objection.DISMISSED
    decided = ConductRecord.objects.filter(
        pk=record.pk, objection_status=ConductRecord.Objection.PENDING
    ).service_update(
        objection_status=status, objection_note=note.strip(), objection_decided_by=by,
        objection_decided_at=timezone.now(),
    )  # fmt: skip
    if not decided:
        raise Conflict(_("该记录没有待处理的异议"))
    record.refresh_from_db()
    audit.record(
        actor=by, verb="conduct.objection_decided", target=record, payload={"upheld": upheld}
    )
    return record


@transaction.atomic
def talk_hold(*, by: Any, talk_id: int, minutes: str, follow_up: str = "") -> Talk:
    """The instructor records the talk's minutes and the follow-up agreed."""
    talk = Talk.objects.filter(pk=talk_id).first()
    if talk is None or talk.station_id != user_station_id(by):
        raise NotFoundOrForbidden(
            target_type="conduct.talk", target_id=talk_id, denied=talk is not None
        )
    if not by.has_perm("conduct.hold_talk"):
        raise RuleViolation(_("只有教导员可以开展约谈"))
    if not minutes.strip():
        raise ValidationError({"minutes": _("请填写约谈记录")})
    held = Talk.objects.filter(pk=talk.pk, status=Talk.Status.OPEN).service_update(
        status=Talk.Status.HELD, held_at=timezone.now(), held_by=by, minutes=minutes.strip(),
        follow_up=follow_up.strip(),
    )  # fmt: skip
    if not held:
        raise Conflict(_("该约谈已完成"))
    talk.refresh_from_db()
    audit.record(actor=by, verb="conduct.talk_held", target=talk)
    return talk
