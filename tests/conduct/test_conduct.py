"""提醒 → 记分 → 约谈: attributed findings, the threshold, objections, the personal briefing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from casework.conduct import services
from casework.conduct.models import ConductRecord, Talk
from casework.core.errors import Conflict, NotFoundOrForbidden, RuleViolation
from casework.core.models import Notification
from casework.org.models import Station
from casework.reviews import services as reviews
from casework.trips.models import Reminder
from casework.trips.services import trip_register
from casework.workflow import services as workflow
from tests.factories import api_for, make_officer

pytestmark = pytest.mark.django_db
FAR = {"province": "广东省", "city": "深圳市", "county": "南山区"}


def _attribute(officer: Any, legal: Any, category: str, n: int, who: str = "officer_xq1") -> None:
    case = workflow.case_start(by=officer, kind="administrative", title=f"案{n}", summary="案")
    retrospective = reviews.retrospective_open(by=legal, case_id=case.pk)
    reviews.finding_add(
        by=legal, retrospective_id=retrospective.pk, category=category,
        description=f"第{n}案问题", officer=who,
    )  # fmt: skip


def test_an_attributed_finding_is_a_reminder_or_points_by_its_category(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser
) -> None:
    _attribute(officer, legal_officer, "other", 1)
    _attribute(officer, legal_officer, "bodycam_off", 2)
    kinds = list(ConductRecord.objects.order_by("pk").values_list("kind", "points"))
    assert kinds == [("reminder", 0), ("points", 2)]
    assert Notification.objects.filter(recipient=officer, key__startswith="conduct:").count() == 2


def test_crossing_the_threshold_opens_one_talk_for_the_instructor(
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    instructor: AbstractBaseUser,
) -> None:
    _attribute(officer, legal_officer, "procedure_breach", 1)  # 3
    assert not Talk.objects.exists()
    _attribute(officer, legal_officer, "detention_overrun_risk", 2)  # 6: the threshold
    talk = Talk.objects.get()
    assert (talk.officer, talk.points, talk.status) == (officer, 6, "open")
    assert Notification.objects.filter(recipient=instructor, key=f"talk:{talk.pk}:{instructor.pk}")
    _attribute(officer, legal_officer, "bodycam_off", 3)
    assert Talk.objects.count() == 1  # one open talk at a time
    with pytest.raises(RuleViolation):
        services.talk_hold(by=legal_officer, talk_id=talk.pk, minutes="谈话")
    with pytest.raises(ValidationError) as raised:
        services.talk_hold(by=instructor, talk_id=talk.pk, minutes=" ")
    assert "minutes" in raised.value.message_dict
    held = services.talk_hold(
        by=instructor, talk_id=talk.pk, minutes="指出问题,本人表示接受", follow_up="一个月后回访"
    )
    assert (held.status, held.held_by) == ("held", instructor)


def test_the_officer_objects_to_their_own_record_and_an_upheld_objection_voids_the_points(
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    instructor: AbstractBaseUser,
    xq: Station,
) -> None:
    colleague = make_officer("officer_xq2", station=xq, roles=["officer"]).user
    _attribute(officer, legal_officer, "bodycam_off", 1)
    record = ConductRecord.objects.get()
    with pytest.raises(NotFoundOrForbidden):  # a colleague does not even see it
        services.objection_raise(by=colleague, record_id=record.pk, text="不是我")
    with pytest.raises(RuleViolation, match="本人"):  # the instructor sees it, but it is not his
        services.objection_raise(by=instructor, record_id=record.pk, text="代为异议")
    with pytest.raises(ValidationError):
        services.objection_raise(by=officer, record_id=record.pk, text="")
    services.objection_raise(by=officer, record_id=record.pk, text="当时记录仪故障,已报修")
    with pytest.raises(Conflict):
        services.objection_raise(by=officer, record_id=record.pk, text="再提一次")
    with pytest.raises(RuleViolation):
        services.objection_decide(by=officer, record_id=record.pk, upheld=True, note="自己批准")
    decided = services.objection_decide(
        by=instructor, record_id=record.pk, upheld=True, note="经核实设备故障属实"
    )
    assert decided.objection_status == "upheld"
    assert ConductRecord.objects.filter(pk=record.pk).exists()  # kept, never deleted
    body = api_for(officer).get("/api/v1/officers/officer_xq1/conduct/").json()
    assert body["points"] == 0
    assert [r["objection_status"] for r in body["records"]] == ["upheld"]


def test_officers_see_their_own_record_and_leaders_their_stations(
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    chief: AbstractBaseUser,
    other_station_legal: AbstractBaseUser,
    xq: Station,
) -> None:
    colleague = make_officer("officer_xq2", station=xq, roles=["officer"]).user
    _attribute(officer, legal_officer, "bodycam_off", 1)
    assert api_for(officer).get("/api/v1/officers/officer_xq1/conduct/").json()["points"] == 2
    assert api_for(chief).get("/api/v1/officers/officer_xq1/conduct/").status_code == 200
    for outsider in (colleague, other_station_legal):
        response = api_for(outsider).get("/api/v1/officers/officer_xq1/conduct/")
        assert response.status_code == 404


def test_recent_findings_join_the_officers_next_briefing(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser
) -> None:
    _attribute(officer, legal_officer, "family_not_notified", 1)
    departs = timezone.now() + timedelta(days=1)
    trip = trip_register(
        by=officer, officers=["officer_xq1"], destination=FAR, departs_at=departs,
        returns_at=departs + timedelta(days=1), purposes=["arrest"],
    )  # fmt: skip
    personal = Reminder.objects.get(trip=trip, source="personal")
    assert personal.title == "【记分】未及时通知家属"
    assert "第1案问题" in personal.text


def test_a_decision_that_is_not_a_yes_or_no_is_refused_naming_upheld(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser, instructor: AbstractBaseUser
) -> None:
    _attribute(officer, legal_officer, "bodycam_off", 1)
    record = ConductRecord.objects.get()
    services.objection_raise(by=officer, record_id=record.pk, text="当时记录仪故障")
    url = f"/api/v1/conduct/{record.pk}/decide/"
    response = api_for(instructor).post(url, {"upheld": "也许", "note": "待定"}, format="json")
    assert response.status_code == 400
    assert "upheld" in response.json()
    record.refresh_from_db()
    assert record.objection_status == ConductRecord.Objection.PENDING  # nothing decided
