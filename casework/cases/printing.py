"""The printed 每日警情分析表, rendered on request and stored nowhere.

Statuses, ages and owners are the report's snapshot (as they stood at report time); answers
are live, so the print time on every page says which state the answers show.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils import timezone

from casework.cases.models import DailyIncidentItem
from casework.cases.selectors import access_daily_report, daily_items
from casework.core.pdf import pdf_render


def _name(user: Any) -> str:
    """An officer as printed: the name on their profile, else the login."""
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    return profile.display_name if profile is not None else user.get_username()


def _row(item: DailyIncidentItem) -> dict[str, Any]:
    return {
        "item": item,
        "incident": item.incident,
        "owner": _name(item.owner),
        "answered_by": _name(item.answered_by),
    }


def daily_report(*, user: Any, report_id: object) -> dict[str, Any]:
    """What the 每日警情分析表 shows: the incidents received the day before (whatever their
    state) and the incidents open at report time, each with its answer. 404 outside scope."""
    report = access_daily_report(user, report_id)
    rows = [_row(item) for item in daily_items(report=report)]
    unclosed = DailyIncidentItem.Section.UNCLOSED
    return {
        "report": report,
        "station": report.station,
        "yesterday": [row for row in rows if row["item"].age_days == 1],
        "unclosed": [row for row in rows if row["item"].section == unclosed],
        "printed_at": timezone.now(),
    }


def daily_report_pdf(*, user: Any, report_id: object) -> tuple[str, bytes]:
    """The 每日警情分析表 as (file name, PDF bytes), rendered now."""
    context = daily_report(user=user, report_id=report_id)
    report = context["report"]
    # Only ASCII in a Content-Disposition header.
    code = re.sub(r"[^A-Za-z0-9_-]", "_", report.station.code)
    name = f"daily-incidents-{code}-{report.day:%Y-%m-%d}.pdf"
    return name, pdf_render(template="print/daily_incidents.html", context=context)
