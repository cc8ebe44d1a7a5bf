"""The printed 案后复盘报告 and the station's monthly 通报: real WeasyPrint, text read back."""

from __future__ import annotations

import io
import re
from datetime import datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from pypdf import PdfReader

from casework.cases.models import Case
from casework.core.errors import NotFoundOrForbidden
from casework.org.models import Station
from casework.reviews import printing, services
from casework.reviews.models import Retrospective
from casework.workflow import services as workflow

pytestmark = pytest.mark.django_db
MARKUP = '<b>粗体</b><img src="http://example.com/x.png">'


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _flat(text: str) -> str:
    """Text without whitespace: a narrow cell wraps its text over several lines."""
    return re.sub(r"\s+", "", text)


def _reviewed(legal: Any, case: Case, *findings: tuple[str, str]) -> Retrospective:
    """A retrospective of `case` opened by hand, with its findings, through the services."""
    retrospective = services.retrospective_open(by=legal, case_id=case.pk)
    for category, description in findings:
        services.finding_add(
            by=legal, retrospective_id=retrospective.pk, category=category,
            description=description, cause="警示教育不到位", officer="officer_xq1",
        )  # fmt: skip
    return retrospective


def _action(legal: Any, retrospective: Retrospective, owner: str, text: str) -> int:
    finding = retrospective.findings.order_by("pk").first()
    assert finding is not None
    return services.action_add(
        by=legal, retrospective_id=retrospective.pk, finding=finding.pk, description=text,
        owner=owner, due_on=timezone.localdate() + timedelta(days=10),
    ).pk  # fmt: skip


def _case(officer: Any, title: str) -> Case:
    return workflow.case_start(by=officer, kind="administrative", title=title, summary=title)


# ---- 案后复盘报告 ---------------------------------------------------------------------------


def test_retrospective_report_prints_case_findings_actions_and_verification(
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    second_legal: AbstractBaseUser,
    case: Case,
) -> None:
    retrospective = _reviewed(
        legal_officer, case,
        ("bodycam_off", "带离现场途中未开启执法记录仪"),
        ("document_defect", "行政处罚决定书未载明救济途径"),
    )  # fmt: skip
    done = _action(legal_officer, retrospective, "officer_xq1", "执法记录仪出警前充电检查")
    _action(legal_officer, retrospective, "legal_xq2", "修订处罚决定书模板")
    services.action_complete(by=officer, action_id=done, evidence="已建立充电登记表")
    services.action_verify(by=legal_officer, action_id=done, accepted=True, note="登记表已查")

    name, pdf = printing.retrospective_pdf(user=legal_officer, retrospective_id=retrospective.pk)

    assert name == f"retrospective-{case.number}.pdf"
    assert name.isascii()
    text, flat = _text(pdf), _flat(_text(pdf))
    for fact in ("案后复盘报告", "新区派出所", case.number, "张某殴打他人案", "人工启动"):
        assert fact in text
    assert "一案一回溯" in text
    assert "受立案审核" in text  # the replayed timeline: the case's first workflow step
    for printed in (
        "未全程开启执法记录仪", "带离现场途中未开启执法记录仪",
        "法律文书瑕疵", "行政处罚决定书未载明救济途径", "警示教育不到位",
        "李瑞旸", "吴敏", "已建立充电登记表", "已核验", "陈静", "登记表已查", "待整改",
    ):  # fmt: skip
        assert printed in flat
    assert "第 1 页" in text
    assert "打印时间" in text


def test_html_in_a_finding_is_printed_literally(
    legal_officer: AbstractBaseUser, case: Case
) -> None:
    retrospective = _reviewed(legal_officer, case, ("other", MARKUP))
    _name, pdf = printing.retrospective_pdf(user=legal_officer, retrospective_id=retrospective.pk)
    assert '<b>粗体</b><imgsrc="http://example.com/x.png">' in _flat(_text(pdf))


def test_another_stations_legal_officer_cannot_print_the_report(
    legal_officer: AbstractBaseUser, other_station_legal: AbstractBaseUser, case: Case
) -> None:
    retrospective = _reviewed(legal_officer, case)
    with pytest.raises(NotFoundOrForbidden):
        printing.retrospective_pdf(user=other_station_legal, retrospective_id=retrospective.pk)
    with pytest.raises(NotFoundOrForbidden):
        printing.retrospective_pdf(user=other_station_legal, retrospective_id="nope")


# ---- the monthly 通报 -----------------------------------------------------------------------


def _last_month() -> datetime:
    """Noon, ten days before this month began (local time)."""
    first = timezone.localdate().replace(day=1)
    return timezone.make_aware(datetime.combine(first - timedelta(days=10), time(12)))


@pytest.fixture
def month_of_data(
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    other_station_officer: AbstractBaseUser,
    other_station_legal: AbstractBaseUser,
) -> dict[str, Case]:
    """This month: two XQ retrospectives (bodycam ×2, document ×1) and a reconsideration.
    Last month: one XQ retrospective. This month at PL: one retrospective."""
    with time_machine.travel(_last_month(), tick=False):
        old = _case(officer, "上月案件")
        _reviewed(legal_officer, old, ("bodycam_off", "上月问题"), ("family_not_notified", "上月"))
    first, second = _case(officer, "本月案件一"), _case(officer, "本月案件二")
    _reviewed(legal_officer, first, ("bodycam_off", "未全程录像"), ("document_defect", "文书漏项"))
    _reviewed(legal_officer, second, ("bodycam_off", "记录仪未开启"))
    workflow.outcome_record(
        by=legal_officer, case_id=first.pk, kind="reconsideration",
        filed_on=timezone.localdate(), body="东营区人民政府",
    )  # fmt: skip
    elsewhere = _case(other_station_officer, "彭李案件")
    retrospective = services.retrospective_open(by=other_station_legal, case_id=elsewhere.pk)
    services.finding_add(
        by=other_station_legal, retrospective_id=retrospective.pk, category="bodycam_off",
        description="彭李所问题",
    )  # fmt: skip
    return {"old": old, "first": first, "second": second, "elsewhere": elsewhere}


def test_monthly_report_counts_findings_by_category_for_this_station_and_month(
    legal_officer: AbstractBaseUser, xq: Station, month_of_data: dict[str, Case]
) -> None:
    today = timezone.localdate()
    report = printing.monthly_report(
        user=legal_officer, station_id=xq.pk, year=today.year, month=today.month
    )
    assert [(r["category__name"], r["count"], r["cases"]) for r in report["categories"]] == [
        ("未全程开启执法记录仪", 2, 2),
        ("法律文书瑕疵", 1, 1),
    ]
    assert [r.case for r in report["retrospectives"]] == [
        month_of_data["first"],
        month_of_data["second"],
    ]
    assert report["outcomes"]["reconsiderations"] == 1
    # Each finding named officer_xq1: bodycam_off carries 2 points, document_defect 1.
    conduct = report["conduct"]
    assert [
        (r["officer__username"], r["reminders"], r["scored"], r["points"]) for r in conduct["rows"]
    ] == [("officer_xq1", 0, 3, 5)]
    # With last month's findings the officer passed 6 points in the period this month.
    assert conduct["talks"] == {"opened": 1, "held": 0}
    officer_name = conduct["rows"][0]["name"]

    name, pdf = printing.monthly_report_pdf(
        user=legal_officer, station_id=xq.pk, year=today.year, month=today.month
    )
    assert name == f"reviews-XQ-{today.year}-{today.month:02d}.pdf"
    text, flat = _text(pdf), _flat(_text(pdf))
    assert "案后复盘工作通报" in text
    assert f"{today.year} 年 {today.month} 月" in text
    assert "未全程开启执法记录仪22" in flat  # 2 findings, in 2 cases
    assert "法律文书瑕疵11" in flat
    assert "未及时通知家属" not in flat  # last month's only
    assert month_of_data["first"].number in text
    assert month_of_data["second"].number in text
    assert month_of_data["old"].number not in text
    assert month_of_data["elsewhere"].number not in text
    assert "东营区人民政府" in flat
    assert "合计记分5分;启动约谈1人次" in flat
    assert f"{officer_name}0350" in flat  # 提醒 0, 记分 3 times, 5 points, none voided
    assert "第 1 页" in text


def test_last_months_report_holds_last_months_data(
    legal_officer: AbstractBaseUser, xq: Station, month_of_data: dict[str, Case]
) -> None:
    then = _last_month()
    report = printing.monthly_report(
        user=legal_officer, station_id=xq.pk, year=then.year, month=then.month
    )
    assert [r.case for r in report["retrospectives"]] == [month_of_data["old"]]
    assert [(r["category__name"], r["count"]) for r in report["categories"]] == [
        ("未全程开启执法记录仪", 1),
        ("未及时通知家属", 1),
    ]
    assert report["outcomes"]["list"] == []


def test_monthly_report_counts_actions_and_lists_the_overdue_with_owner(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser, xq: Station, case: Case
) -> None:
    retrospective = _reviewed(legal_officer, case, ("bodycam_off", "未全程录像"))
    done = _action(legal_officer, retrospective, "officer_xq1", "充电登记")
    _action(legal_officer, retrospective, "officer_xq1", "组织学习执法记录仪规定")
    services.action_complete(by=officer, action_id=done, evidence="已登记")
    services.action_verify(by=legal_officer, action_id=done, accepted=True)
    later = timezone.now() + timedelta(days=12)  # the open action is two days late
    with time_machine.travel(later, tick=False):
        today = timezone.localdate()
        report = printing.monthly_report(
            user=legal_officer, station_id=xq.pk, year=today.year, month=today.month
        )
        _name, pdf = printing.monthly_report_pdf(
            user=legal_officer, station_id=xq.pk, year=today.year, month=today.month
        )
    actions = report["actions"]
    assert actions["overdue"] == 1
    [late] = actions["overdue_list"]
    assert (late["owner"], late["days"], late["case"]) == ("李瑞旸", 2, case)
    flat = _flat(_text(pdf))
    assert "组织学习执法记录仪规定李瑞旸" in flat
    assert "逾期未完成" in flat


def test_another_station_gets_not_found_for_the_monthly_report(
    other_station_legal: AbstractBaseUser, xq: Station
) -> None:
    today = timezone.localdate()
    for station_id in (xq.pk, "nope"):
        with pytest.raises(NotFoundOrForbidden):
            printing.monthly_report_pdf(
                user=other_station_legal, station_id=station_id, year=today.year, month=today.month
            )


def test_a_bad_month_is_a_clear_error(legal_officer: AbstractBaseUser, xq: Station) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        printing.monthly_report(user=legal_officer, station_id=xq.pk, year=2026, month=13)
    assert "month" in raised.value.message_dict


def test_monthly_report_queries_do_not_grow_with_retrospectives(
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    xq: Station,
    django_assert_max_num_queries: Any,
) -> None:
    # Opened on the 3rd, read on the 25th of the same month: every list of the report has
    # rows, the overdue actions included.
    today = timezone.localdate()
    opened, read = (
        timezone.make_aware(datetime(today.year, today.month, day, 12)) for day in (3, 25)
    )

    def add_reviewed(n: int) -> None:
        with time_machine.travel(opened, tick=False):
            for i in range(n):
                retrospective = _reviewed(
                    legal_officer, _case(officer, f"案件{i}"), ("bodycam_off", "未全程录像")
                )
                _action(legal_officer, retrospective, "officer_xq1", "整改")

    def assembled() -> dict[str, Any]:
        # A new request's user (no cached roles or permissions) in a running worker (content
        # types cached). Of the 17, 7 find the user's roles, permissions, station and case
        # grants, 4 are the year's figures and 2 the month's 提醒/记分/约谈.
        user = get_user_model().objects.get(pk=legal_officer.pk)
        with time_machine.travel(read, tick=False), django_assert_max_num_queries(18) as queries:
            report = printing.monthly_report(
                user=user, station_id=xq.pk, year=today.year, month=today.month
            )
        lists = (report["retrospectives"], report["actions"]["overdue_list"])
        return {"queries": len(queries), "rows": [len(rows) for rows in lists]}

    add_reviewed(1)
    # The worker's first request caches the content types.
    printing.monthly_report(user=legal_officer, station_id=xq.pk, year=today.year, month=1)
    one = assembled()
    add_reviewed(4)
    assert one["rows"] == [1, 1]
    assert assembled() == {"queries": one["queries"], "rows": [5, 5]}
