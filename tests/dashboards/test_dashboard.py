"""所站一体研判: each number against a hand-built data set, station scoping, the lists behind
the numbers and their exports, the PDF, the API, and the query budget at two scales."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from openpyxl import load_workbook

from casework.cases.models import Case, DailyIncidentReport, Incident
from casework.conduct.models import ConductRecord
from casework.dashboards import selectors
from casework.deadlines.services import clock_set
from casework.inventory.models import Inventory
from casework.org.models import Station
from casework.reviews import services as reviews
from casework.trips.models import Reminder, Trip
from casework.workflow import services as workflow
from tests.factories import api_for, client_for, make_officer

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime(2026, 11, 20, 10, 0))  # a Friday morning, Asia/Shanghai


def _case(officer: Any, title: str, *, at: datetime, kind: str = "administrative") -> Case:
    with time_machine.travel(at, tick=False):
        return workflow.case_start(by=officer, kind=kind, title=title, summary=title)


def _incident(
    station: Station, by: Any, n: str, *, at: datetime, category: str, status: str
) -> Incident:
    return Incident.objects.create(
        station=station, number=n, received_at=at, category=category, location="某路",
        summary="警情", status=status, created_by=by,
        closed_at=at + timedelta(hours=2) if status == "closed" else None,
    )  # fmt: skip


@pytest.fixture
def data(
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    other_station_officer: AbstractBaseUser,
    xq: Station,
    pl: Station,
) -> dict[str, Any]:
    """XQ: 3 cases awaiting acceptance (under 1 day, 2 days, 5 days old), one of them
    criminal; 2 overdue clocks and 1 due later today (1 tomorrow); 2 unacknowledged
    reminders for a trip tomorrow (1 acknowledged, 1 for a trip in 3 days); 1 open inventory
    (1 closed); a retrospective with 2 open actions, 1 of them overdue; an officer at 6
    points and one at 4 (one finding short); 3 unclosed incidents, 2 disputes this year of
    which 1 resolved, 1 incident last year; a reconsideration this year; 1 uncleared day.
    PL has one of most things, which XQ must never count."""
    with time_machine.travel(NOW, tick=False):
        near = make_officer("officer_xq3", station=xq, roles=["officer"], display_name="周明")
        fresh = _case(officer, "新受理", at=NOW - timedelta(hours=3))
        middle = _case(officer, "两天前", at=NOW - timedelta(days=2), kind="criminal")
        old = _case(officer, "五天前", at=NOW - timedelta(days=5))
        theirs = _case(other_station_officer, "彭李案", at=NOW - timedelta(days=5))
        Case.objects.filter(pk=old.pk).service_update(
            created_at=NOW.replace(year=2025, month=3)
        )  # last year's case, still pending: counts in last year's 受案
        for due in (NOW - timedelta(hours=5), NOW - timedelta(minutes=1),
                    NOW + timedelta(hours=6), NOW + timedelta(days=1)):  # fmt: skip
            clock_set(case=fresh, trigger=f"t:{due:%d%H%M}", title="时限", text="", due_at=due,
                      owner=officer)  # fmt: skip
        clock_set(case=theirs, trigger="t", title="时限", text="", due_at=NOW - timedelta(hours=1),
                  owner=other_station_officer)  # fmt: skip
        trip = Trip.objects.create(
            station=xq, province="广东省", city="深圳市", departs_at=NOW + timedelta(days=1),
            returns_at=NOW + timedelta(days=2), created_by=officer,
        )  # fmt: skip
        later = Trip.objects.create(
            station=xq, province="广东省", city="深圳市", departs_at=NOW + timedelta(days=3),
            returns_at=NOW + timedelta(days=4), created_by=officer,
        )  # fmt: skip
        for n, (t, acked) in enumerate([(trip, None), (trip, None), (trip, NOW), (later, None)]):
            Reminder.objects.create(
                trip=t, officer=officer, source="rule", key=f"k{n}", title=f"提醒{n}", text="",
                acknowledged_at=acked,
            )  # fmt: skip
        party = workflow.party_add(by=officer, case_id=fresh.pk, role="suspect", name="张三",
                                   gender="M", birth_date=None)  # fmt: skip
        for status in ("draft", "closed"):
            Inventory.objects.create(station=xq, case=fresh, party=party, taken_at=NOW,
                                     status=status, created_by=officer)  # fmt: skip
        retrospective = reviews.retrospective_open(by=legal_officer, case_id=old.pk)
        finding = reviews.finding_add(
            by=legal_officer, retrospective_id=retrospective.pk, category="document_defect",
            description="文书瑕疵",
        )  # fmt: skip
    with time_machine.travel(NOW - timedelta(days=10), tick=False):
        reviews.action_add(
            by=legal_officer, retrospective_id=retrospective.pk, finding=finding.pk,
            description="逾期整改", owner="officer_xq1", due_on=(NOW - timedelta(days=3)).date(),
        )  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        reviews.action_add(
            by=legal_officer, retrospective_id=retrospective.pk, finding=finding.pk,
            description="按期整改", owner="officer_xq1", due_on=(NOW + timedelta(days=3)).date(),
        )  # fmt: skip
        for who, points, n in ((officer, 6, 1), (near.user, 4, 2), (legal_officer, 1, 3)):
            ConductRecord.objects.create(
                station=xq, officer=who, kind="points", points=points, category="文书瑕疵",
                reason="复盘问题", source=f"test:{n}",
            )  # fmt: skip
        _incident(xq, officer, "J1", at=NOW - timedelta(days=1), category="盗窃", status="open")
        _incident(xq, officer, "J2", at=NOW - timedelta(days=4), category="邻里纠纷",
                  status="dispatched")  # fmt: skip
        _incident(xq, officer, "J3", at=NOW - timedelta(days=6), category="家庭纠纷",
                  status="closed")  # fmt: skip
        _incident(xq, officer, "J4", at=NOW - timedelta(days=40), category="求助",
                  status="handled")  # fmt: skip
        _incident(xq, officer, "J0", at=NOW.replace(year=2025, month=5), category="盗窃",
                  status="closed")  # fmt: skip
        _incident(pl, other_station_officer, "P1", at=NOW, category="盗窃", status="open")
        workflow.outcome_record(by=legal_officer, case_id=middle.pk, kind="reconsideration",
                                filed_on=NOW.date(), body="东营区人民政府")  # fmt: skip
        DailyIncidentReport.objects.create(station=xq, day=NOW.date() - timedelta(days=2))
        DailyIncidentReport.objects.create(
            station=xq, day=NOW.date() - timedelta(days=1), cleared_at=NOW
        )
        DailyIncidentReport.objects.create(station=xq, day=NOW.date())  # today's: not late yet
    return {"fresh": fresh, "middle": middle, "old": old}


def _figures(user: Any, code: str | None = None) -> selectors.StationFigures:
    with time_machine.travel(NOW, tick=False):
        found = selectors.dashboard(stations=selectors.stations_for(user, code), now=NOW)
    assert len(found) == 1
    return found[0]


def test_each_number_matches_the_hand_built_station(
    chief: AbstractBaseUser, data: dict[str, Any]
) -> None:
    f = _figures(chief)
    assert f.station.code == "XQ"
    assert f.reviews == {"acceptance": {"lt1": 1, "d1_3": 1, "gt3": 1}}
    assert f.pending_reviews == 3
    # Two statutory clocks, and the overdue corrective action's clock.
    assert (f.overdue_clocks, f.due_today_clocks) == (3, 1)
    assert f.unacknowledged_reminders == 2
    assert f.open_inventories == 1
    # One opened by hand, one by the reconsideration.
    assert (f.open_actions, f.overdue_actions, f.retrospectives_open) == (2, 1, 2)
    assert (f.officers_over, f.officers_near) == (1, 1)
    assert f.unclosed_incidents == 3
    assert f.uncleared_days == 1
    t = f.trends
    assert (t["incidents"].now, t["incidents"].before, t["incidents"].change) == (4, 1, 300.0)
    assert (t["cases_accepted"].now, t["cases_accepted"].before) == (2, 1)
    assert (t["cases_filed"].now, t["clearance_rate"].now) == (1, 0.0)
    assert t["dispute_resolution_rate"].now == 50.0
    assert t["dispute_resolution_rate"].before is None  # no disputes last year: no rate
    assert (t["reconsiderations"].now, t["reconsiderations"].before) == (1, 0)
    assert t["reconsiderations"].change is None


def test_the_bureau_sees_every_station_side_by_side_and_a_station_user_only_their_own(
    chief: AbstractBaseUser,
    bureau_legal: AbstractBaseUser,
    other_station_legal: AbstractBaseUser,
    officer: AbstractBaseUser,
    data: dict[str, Any],
) -> None:
    with time_machine.travel(NOW, tick=False):
        side = selectors.dashboard(stations=selectors.stations_for(bureau_legal), now=NOW)
    by_code = {f.station.code: f for f in side}
    assert set(by_code) == {"XQ", "PL"}
    assert (by_code["PL"].pending_reviews, by_code["PL"].overdue_clocks) == (1, 1)
    assert by_code["XQ"].pending_reviews == 3
    assert _figures(other_station_legal).pending_reviews == 1
    assert _figures(bureau_legal, "XQ").overdue_clocks == 3
    with pytest.raises(selectors.NotFoundOrForbidden):
        selectors.stations_for(other_station_legal, "XQ")
    with pytest.raises(selectors.NotFoundOrForbidden):
        selectors.stations_for(officer)  # a frontline officer has no screen

    web = client_for(other_station_legal)
    assert web.get("/dashboard/?station=XQ").status_code == 404
    assert web.get("/dashboard/list/reviews/?station=XQ").status_code == 404
    assert api_for(other_station_legal).get("/api/v1/dashboard/?station=XQ").status_code == 404
    assert client_for(officer).get("/dashboard/").status_code in (403, 404)
    body = api_for(bureau_legal).get("/api/v1/dashboard/").json()
    assert {s["station"] for s in body["stations"]} == {"XQ", "PL"}


def test_the_screen_links_every_number_to_its_list_and_the_lists_export(
    chief: AbstractBaseUser, data: dict[str, Any]
) -> None:
    web = client_for(chief)
    with time_machine.travel(NOW, tick=False):
        page = web.get("/dashboard/").content.decode()
        assert 'data-testid="n-overdue_clocks"' in page
        assert "/dashboard/list/clocks-overdue/?station=XQ" in page
        assert "/dashboard/list/reviews/?station=XQ&gate=acceptance&age=gt3" in page
        assert "<svg" in page
        partial = web.get("/dashboard/?partial=1").content.decode()
        assert partial.lstrip().startswith('<div id="db-panel"')
        listed = web.get("/dashboard/list/reviews/?station=XQ&gate=acceptance&age=gt3")
        assert "五天前" in listed.content.decode()
        assert "新受理" not in listed.content.decode()
        overdue = web.get("/dashboard/list/clocks-overdue/?station=XQ&format=csv")
        assert overdue["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(overdue.content.decode("utf-8-sig"))))
        assert rows[0][:3] == ["派出所", "案件编号", "事项"]
        assert len(rows) == 4  # header + 2 clocks + the overdue action's
        assert any(r[2].startswith("整改措施") for r in rows[1:])
        sheet = web.get("/dashboard/list/incidents-unclosed/?station=XQ&format=xlsx")
        book = load_workbook(io.BytesIO(sheet.content))
        values = [[c.value for c in row] for row in book.active.iter_rows()]
        assert values[0][1] == "警情编号"
        assert sorted(row[1] for row in values[1:]) == ["J1", "J2", "J4"]
        for key in ("clocks-today", "reminders", "inventories", "actions-open",
                    "actions-overdue", "retrospectives-open", "retrospectives-year",
                    "actions-verified", "officers", "incidents-year", "cases-accepted",
                    "cases-filed", "cases-closed", "reconsiderations", "litigations",
                    "daily-uncleared"):  # fmt: skip
            for fmt in ("", "&format=csv", "&format=xlsx"):
                got = web.get(f"/dashboard/list/{key}/?station=XQ{fmt}")
                assert got.status_code == 200, (key, fmt)
        officers = web.get("/dashboard/list/officers/?station=XQ&format=csv")
        assert "已达约谈线" in officers.content.decode("utf-8-sig")


def test_a_formula_typed_into_data_is_exported_as_text(
    chief: AbstractBaseUser, officer: AbstractBaseUser, xq: Station
) -> None:
    _incident(xq, officer, "J9", at=timezone.now(), category='=HYPERLINK("x")', status="open")
    got = client_for(chief).get("/dashboard/list/incidents-unclosed/?format=csv")
    assert "'=HYPERLINK" in got.content.decode("utf-8-sig")


def test_the_screen_prints_as_pdf(chief: AbstractBaseUser, data: dict[str, Any]) -> None:
    from pypdf import PdfReader

    with time_machine.travel(NOW, tick=False):
        got = client_for(chief).get("/dashboard/pdf/")
    assert got["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(got.content)).pages)
    assert "所站一体研判" in text
    assert "未办结警情" in text
    assert "破案率" in text


def test_the_api_returns_the_station_figures(chief: AbstractBaseUser, data: dict[str, Any]) -> None:
    with time_machine.travel(NOW, tick=False):
        body = api_for(chief).get("/api/v1/dashboard/?station=XQ").json()
    assert body["pending_reviews"] == 3
    assert body["overdue_deadlines"] == 3
    assert body["unacknowledged_reminders"] == 2
    assert (body["open_actions"], body["overdue_actions"]) == (2, 1)
    assert body["unclosed_incidents"] == 3
    assert body["reconsiderations_this_year"] == 1
    assert body["trends"]["incidents"] == {"this_year": 4, "last_year": 1, "change_percent": 300.0}


def _grow(officer: Any, legal: Any, xq: Station, n: int) -> None:
    """n more of everything the screen counts, at XQ."""
    party = None
    for i in range(n):
        case = _case(officer, f"批量{i}", at=NOW - timedelta(hours=i))
        clock_set(case=case, trigger="g", title="时限", text="", due_at=NOW - timedelta(hours=1),
                  owner=officer)  # fmt: skip
        party = workflow.party_add(by=officer, case_id=case.pk, role="suspect", name=f"甲{i}",
                                   gender="M", birth_date=None)  # fmt: skip
        Inventory.objects.create(station=xq, case=case, party=party, taken_at=NOW,
                                 created_by=officer)  # fmt: skip
        _incident(xq, officer, f"G{n}-{i}", at=NOW - timedelta(days=i), category="纠纷",
                  status="open")  # fmt: skip
        ConductRecord.objects.create(station=xq, officer=legal, kind="points", points=1,
                                     category="x", reason="x", source=f"g{n}-{i}")  # fmt: skip


def test_the_screen_queries_do_not_grow_with_the_data(
    chief: AbstractBaseUser,
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    xq: Station,
    data: dict[str, Any],
    django_assert_max_num_queries: Any,
) -> None:
    def measured() -> int:
        user = get_user_model().objects.get(pk=chief.pk)  # a new request's user
        stations = selectors.stations_for(user)
        with django_assert_max_num_queries(10) as queries:
            selectors.dashboard(stations=stations, now=NOW)
        return len(queries)

    small = measured()
    with time_machine.travel(NOW, tick=False):
        _grow(officer, legal_officer, xq, 20)
    assert measured() == small
    assert small <= 10


def test_an_empty_station_shows_zeros(chief: AbstractBaseUser, xq: Station) -> None:
    f = _figures(chief)
    assert (f.pending_reviews, f.overdue_clocks, f.unclosed_incidents) == (0, 0, 0)
    assert f.trends["clearance_rate"].now is None
    page = client_for(chief).get("/dashboard/")
    assert page.status_code == 200


def test_same_day_last_year_handles_29_february() -> None:
    w = selectors.Window.at(timezone.make_aware(datetime(2028, 2, 29, 9)))
    assert w.last_year_now.date() == date(2027, 2, 28)
