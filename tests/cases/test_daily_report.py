"""每日警情分析表: made each morning, answered item by item, cleared only when all are answered."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from pypdf import PdfReader

from casework.cases import daily, printing, services, tasks
from casework.cases.models import DailyIncidentItem, DailyIncidentReport, Incident
from casework.cases.selectors import daily_report_list, daily_reports_uncleared
from casework.core.errors import Conflict, NotFoundOrForbidden
from casework.core.models import AuditEvent, Notification
from casework.org.models import Station
from tests.factories import api_for, client_for, make_officer

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)  # the report's day, D
MORNING = datetime(2026, 3, 10, 7, 30, tzinfo=SH)  # the configured time (default 07:30)
ROOT = Path(__file__).resolve().parents[2]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


def _incident(officer: AbstractBaseUser, when: datetime, category: str = "纠纷") -> Incident:
    with time_machine.travel(when, tick=False):
        return services.incident_register(
            by=officer, received_at=when, category=category, location="吾悦广场", summary="…"
        )


def _close(officer: AbstractBaseUser, incident: Incident, when: datetime) -> None:
    with time_machine.travel(when, tick=False):
        services.incident_close(by=officer, incident_id=incident.pk, outcome="调解完毕")


@pytest.fixture
def incidents(officer: AbstractBaseUser, auxiliary: AbstractBaseUser) -> dict[str, Incident]:
    """D-5 closed (not on the report); D-3 open and dispatched; D-1 one closed, one open
    (registered by the 辅警); received at 23:50 on D-1, local time (15:50 UTC)."""
    found = {
        "old_closed": _incident(officer, _at(DAY - timedelta(days=5), 9)),
        "old_open": _incident(officer, _at(DAY - timedelta(days=3), 10), "盗窃"),
        "y_closed": _incident(officer, _at(DAY - timedelta(days=1), 8)),
        "y_open": _incident(auxiliary, _at(DAY - timedelta(days=1), 23, 50), "噪音扰民"),
    }
    _close(officer, found["old_closed"], _at(DAY - timedelta(days=5), 12))
    with time_machine.travel(_at(DAY - timedelta(days=2), 9), tick=False):
        services.incident_advance(by=officer, incident_id=found["old_open"].pk, step="dispatch")
    _close(officer, found["y_closed"], _at(DAY - timedelta(days=1), 11))
    return found


@pytest.fixture
def report(incidents: dict[str, Incident], instructor: AbstractBaseUser) -> DailyIncidentReport:
    with time_machine.travel(MORNING, tick=False):
        tasks.daily_reports_make()
    return DailyIncidentReport.objects.get(day=DAY)


@pytest.fixture
def other_instructor(pl: Station) -> AbstractBaseUser:
    return make_officer("instructor_pl", station=pl, roles=["instructor"]).user


def _item(report: DailyIncidentReport, incident: Incident) -> DailyIncidentItem:
    return report.items.get(incident=incident)


def _answer(user: Any, item: DailyIncidentItem, kind: str = "explanation", text: str = "x") -> Any:
    return daily.daily_item_answer(by=user, item_id=item.pk, kind=kind, answer=text)


@pytest.fixture
def today() -> Iterator[None]:
    with time_machine.travel(_at(DAY, 9), tick=False):
        yield


# ---- making the report ----------------------------------------------------------------------


def test_the_beat_runs_daily_at_the_configured_time() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["daily-incident-report"]
    assert entry["task"] == "casework.cases.tasks.daily_reports_make"
    assert entry["schedule"].hour == {7}
    assert entry["schedule"].minute == {30}


def test_a_malformed_report_time_stops_start_up_with_one_line_naming_it() -> None:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**environment, "CASEWORK_DAILY_REPORT_AT": "7.30"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "CASEWORK_DAILY_REPORT_AT" in lines[0]
    assert "HH:MM" in lines[0]


def test_the_morning_report_holds_yesterdays_and_open_incidents_with_age_and_owner(
    incidents: dict[str, Incident],
    officer: AbstractBaseUser,
    auxiliary: AbstractBaseUser,
    instructor: AbstractBaseUser,
) -> None:
    with time_machine.travel(MORNING, tick=False):
        assert tasks.daily_reports_make() == 1
        assert tasks.daily_reports_make() == 0  # a second beat makes nothing
    report = DailyIncidentReport.objects.get()
    assert (report.station.code, report.day, report.cleared_at) == ("XQ", DAY, None)
    items = {
        i.incident.number: (i.section, i.status, i.age_days, i.owner)
        for i in report.items.select_related("incident")
    }
    assert items == {
        incidents["old_open"].number: ("unclosed", "dispatched", 3, officer),
        incidents["y_closed"].number: ("yesterday", "closed", 1, officer),
        # Received yesterday and still open: one item, to be answered.
        incidents["y_open"].number: ("unclosed", "open", 1, auxiliary),
    }
    note = Notification.objects.get(recipient=instructor)
    assert note.link == f"/cases/daily/{report.pk}/"
    assert "每日警情分析表" in note.subject
    assert "未办结 2 起" in note.subject
    assert AuditEvent.objects.filter(verb="incidents.daily_report_made").count() == 1


def test_every_station_gets_its_report_and_one_without_open_incidents_is_cleared_at_once(
    incidents: dict[str, Incident], pl: Station
) -> None:
    with time_machine.travel(MORNING, tick=False):
        made = daily.daily_reports_make(now=MORNING)
    by_station = {r.station.code: r for r in made}
    assert set(by_station) == {"XQ", "PL"}
    assert by_station["PL"].cleared_at == MORNING
    assert by_station["XQ"].cleared_at is None


def test_an_incident_closed_before_the_report_is_not_waiting_for_an_answer(
    report: DailyIncidentReport, incidents: dict[str, Incident]
) -> None:
    assert not _item(report, incidents["y_closed"]).needs_answer
    assert _item(report, incidents["y_open"]).needs_answer


# ---- answering ----------------------------------------------------------------------------


def test_a_day_is_uncleared_until_its_last_item_is_answered(
    report: DailyIncidentReport,
    incidents: dict[str, Incident],
    instructor: AbstractBaseUser,
    chief: AbstractBaseUser,
    other_station_legal: AbstractBaseUser,
) -> None:
    with time_machine.travel(_at(DAY, 9), tick=False):
        _answer(instructor, _item(report, incidents["old_open"]), "action", "已联系报警人复核")
        report.refresh_from_db()
        assert report.cleared_at is None
        assert list(daily_reports_uncleared(user=chief)) == []  # today's is not late yet
    with time_machine.travel(_at(DAY + timedelta(days=1), 8), tick=False):
        assert list(daily_reports_uncleared(user=chief)) == [report]
        assert list(daily_reports_uncleared(user=other_station_legal)) == []
        _answer(chief, _item(report, incidents["y_open"]), "explanation", "待当事人到所")
        assert list(daily_reports_uncleared(user=chief)) == []
    report.refresh_from_db()
    assert report.cleared_at == _at(DAY + timedelta(days=1), 8)
    assert AuditEvent.objects.filter(verb="incidents.daily_report_cleared").count() == 1


def test_the_uncleared_days_of_every_station_show_to_the_bureau(
    report: DailyIncidentReport, bureau_legal: AbstractBaseUser
) -> None:
    with time_machine.travel(_at(DAY + timedelta(days=2), 8), tick=False):
        assert list(daily_reports_uncleared(user=bureau_legal)) == [report]


def test_a_closure_answer_closes_the_incident(
    report: DailyIncidentReport, incidents: dict[str, Incident], instructor: AbstractBaseUser
) -> None:
    item = _item(report, incidents["old_open"])
    with time_machine.travel(_at(DAY, 9), tick=False):
        _answer(instructor, item, "closure", "已查明系误报,办结")
    incident = Incident.objects.get(pk=incidents["old_open"].pk)
    assert incident.status == Incident.Status.CLOSED
    assert incident.outcome == "已查明系误报,办结"
    item.refresh_from_db()
    assert (item.answer_kind, item.answered_by) == ("closure", instructor)
    assert item.status == "dispatched"  # the snapshot stays as it was at report time
    assert AuditEvent.objects.filter(verb="incidents.closed", actor=instructor).exists()


def test_a_refused_closure_stores_no_answer(
    report: DailyIncidentReport,
    incidents: dict[str, Incident],
    instructor: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    today: None,
) -> None:
    """An unanswered 法制监督 flag blocks closure; the answer must not be half-stored."""
    services.incident_flag(
        by=legal_officer, incident_id=incidents["old_open"].pk, kind="should_accept", note="应受案"
    )
    item = _item(report, incidents["old_open"])
    with pytest.raises(Conflict):
        _answer(instructor, item, "closure", "办结")
    item.refresh_from_db()
    assert item.answered_at is None
    assert item.answer == ""
    assert Incident.objects.get(pk=item.incident_id).is_open


def test_closure_of_an_incident_closed_meanwhile_just_records_the_answer(
    report: DailyIncidentReport,
    incidents: dict[str, Incident],
    officer: AbstractBaseUser,
    instructor: AbstractBaseUser,
    today: None,
) -> None:
    services.incident_close(by=officer, incident_id=incidents["y_open"].pk, outcome="已劝离")
    _answer(instructor, _item(report, incidents["y_open"]), "closure", "已于今晨办结")
    assert Incident.objects.get(pk=incidents["y_open"].pk).outcome == "已劝离"


@pytest.mark.parametrize(
    ("kind", "text", "field"),
    [("explanation", "  ", "answer"), ("", "已处理", "kind"), ("approve", "已处理", "kind")],
)
def test_a_blank_answer_or_unknown_kind_names_the_field(
    report: DailyIncidentReport,
    incidents: dict[str, Incident],
    instructor: AbstractBaseUser,
    today: None,
    kind: str,
    text: str,
    field: str,
) -> None:
    item = _item(report, incidents["old_open"])
    with pytest.raises(ValidationError) as refused:
        _answer(instructor, item, kind, text)
    assert field in refused.value.message_dict
    item.refresh_from_db()
    assert item.answered_at is None


def test_an_answer_is_never_overwritten(
    report: DailyIncidentReport,
    incidents: dict[str, Incident],
    instructor: AbstractBaseUser,
    chief: AbstractBaseUser,
    today: None,
) -> None:
    item = _item(report, incidents["old_open"])
    _answer(instructor, item, "explanation", "嫌疑人在逃,已上网")
    with pytest.raises(ValidationError) as refused:
        _answer(chief, item, "action", "改口")
    assert "answer" in refused.value.message_dict
    item.refresh_from_db()
    assert (item.answer, item.answered_by) == ("嫌疑人在逃,已上网", instructor)


def test_a_closed_item_needs_no_answer(
    report: DailyIncidentReport,
    incidents: dict[str, Incident],
    instructor: AbstractBaseUser,
    today: None,
) -> None:
    with pytest.raises(Conflict):
        _answer(instructor, _item(report, incidents["y_closed"]))


def test_another_stations_instructor_gets_404(
    report: DailyIncidentReport,
    incidents: dict[str, Incident],
    other_instructor: AbstractBaseUser,
    today: None,
) -> None:
    item = _item(report, incidents["old_open"])
    with pytest.raises(NotFoundOrForbidden):
        _answer(other_instructor, item)
    with pytest.raises(NotFoundOrForbidden):
        printing.daily_report_pdf(user=other_instructor, report_id=report.pk)
    assert client_for(other_instructor).get(f"/cases/daily/{report.pk}/").status_code == 404
    api = api_for(other_instructor)
    assert api.get(f"/api/v1/daily-reports/{report.pk}/").status_code == 404
    answer = {"kind": "explanation", "answer": "x"}
    posted = api.post(f"/api/v1/daily-items/{item.pk}/answer/", answer, format="json")
    assert posted.status_code == 404
    assert AuditEvent.objects.filter(verb="access.denied", actor=other_instructor).exists()


def test_only_the_instructor_and_the_chief_answer(
    report: DailyIncidentReport,
    incidents: dict[str, Incident],
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    today: None,
) -> None:
    item = _item(report, incidents["old_open"])
    with pytest.raises(NotFoundOrForbidden):  # officers do not see the reports at all
        _answer(officer, item)
    with pytest.raises(PermissionDenied):  # the legal officer reads them, does not answer
        _answer(legal_officer, item)
    assert [r.pk for r in daily_report_list(user=legal_officer)] == [report.pk]


# ---- print, pages, API ----------------------------------------------------------------------


def _text(pdf: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", "", text)  # a narrow cell wraps its text over several lines


def test_the_pdf_lists_both_tables_with_their_incidents_and_answers(
    report: DailyIncidentReport,
    incidents: dict[str, Incident],
    instructor: AbstractBaseUser,
    chief: AbstractBaseUser,
    today: None,
) -> None:
    _answer(instructor, _item(report, incidents["old_open"]), "action", "已布控")
    name, pdf = printing.daily_report_pdf(user=chief, report_id=report.pk)
    assert name == "daily-incidents-XQ-2026-03-10.pdf"
    text = _text(pdf)
    for fact in ("每日警情分析表", "新区派出所", "2026-03-10", "昨日警情", "未办结警情"):
        assert fact in text
    for key in ("old_open", "y_closed", "y_open"):
        assert incidents[key].number in text
    assert incidents["old_closed"].number not in text
    assert "已采取措施" in text
    assert "已布控" in text
    assert "李瑞旸" in text
    assert "待答复" in text


def test_the_page_flow_answers_item_by_item(
    report: DailyIncidentReport,
    incidents: dict[str, Incident],
    instructor: AbstractBaseUser,
    today: None,
) -> None:
    client = client_for(instructor)
    assert "每日警情分析表" in client.get("/cases/").content.decode()  # the menu link
    listing = client.get("/cases/daily/").content.decode()
    assert f"/cases/daily/{report.pk}/" in listing
    page = client.get(f"/cases/daily/{report.pk}/").content.decode()
    assert incidents["old_open"].number in page
    assert "提交答复" in page
    item = _item(report, incidents["old_open"])
    prefix = f"item{item.pk}"
    blank = client.post(
        f"/cases/daily/{report.pk}/",
        {"item": item.pk, f"{prefix}-kind": "explanation", f"{prefix}-answer": ""},
    )
    assert blank.status_code == 200
    assert "请填写答复" in blank.content.decode()
    for answered in (item, _item(report, incidents["y_open"])):
        done = client.post(
            f"/cases/daily/{report.pk}/",
            {"item": answered.pk, f"item{answered.pk}-kind": "action",
             f"item{answered.pk}-answer": "已督促民警处置"},
        )  # fmt: skip
        assert done.status_code == 302
    page = client.get(f"/cases/daily/{report.pk}/").content.decode()
    assert "已全部答复" in page
    assert "提交答复" not in page
    pdf = client.get(f"/cases/daily/{report.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert "每日警情分析表" in _text(pdf.content)


def test_officers_get_no_daily_report_pages(
    report: DailyIncidentReport, officer: AbstractBaseUser
) -> None:
    client = client_for(officer)
    assert client.get("/cases/daily/").status_code == 403
    assert client.get(f"/cases/daily/{report.pk}/").status_code == 404
    assert "每日警情分析表" not in client.get("/cases/").content.decode()


def test_the_api_lists_reports_with_counts_and_takes_answers(
    report: DailyIncidentReport,
    incidents: dict[str, Incident],
    instructor: AbstractBaseUser,
    today: None,
) -> None:
    api = api_for(instructor)
    (row,) = api.get("/api/v1/daily-reports/").json()["results"]
    assert (row["day"], row["yesterday_count"], row["unclosed_count"]) == ("2026-03-10", 2, 2)
    assert row["unanswered_count"] == 2
    assert row["cleared_at"] is None
    detail = api.get(f"/api/v1/daily-reports/{report.pk}/").json()
    assert {i["number"] for i in detail["items"]} == {
        incidents[k].number for k in ("old_open", "y_closed", "y_open")
    }
    url = f"/api/v1/daily-items/{_item(report, incidents['y_open']).pk}/answer/"
    blank = api.post(url, {"kind": "explanation", "answer": ""}, format="json")
    assert blank.status_code == 400
    assert "answer" in blank.json()
    done = api.post(url, {"kind": "explanation", "answer": "待回访"}, format="json")
    assert done.status_code == 200
    assert done.json()["answered_by"] == "instructor_xq"
    again = api.post(url, {"kind": "explanation", "answer": "再答"}, format="json")
    assert again.status_code == 400
    assert "answer" in again.json()


def test_the_list_costs_the_same_queries_at_any_size(
    incidents: dict[str, Incident],
    officer: AbstractBaseUser,
    chief: AbstractBaseUser,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(chief)
    for offset in range(1, 30):
        _incident(officer, MORNING + timedelta(days=offset - 1))
        with time_machine.travel(MORNING + timedelta(days=offset), tick=False):
            tasks.daily_reports_make()
    client.get("/cases/daily/")
    with django_assert_max_num_queries(12):
        assert client.get("/cases/daily/").status_code == 200
    report = DailyIncidentReport.objects.order_by("-day").first()
    assert report is not None
    with django_assert_max_num_queries(14):
        assert client.get(f"/cases/daily/{report.pk}/").status_code == 200
