"""Reads of clocks, through the case's access rules."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from casework.cases.selectors import case_list
from casework.deadlines.models import Deadline


def deadline_list(*, user: Any, case_id: int | None = None) -> QuerySet[Deadline]:
    deadlines = Deadline.objects.filter(case__in=case_list(user=user)).select_related("rule")
    return deadlines.filter(case_id=case_id) if case_id else deadlines
