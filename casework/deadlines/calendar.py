"""Working days (工作日): Monday–Friday, minus public holidays, plus adjusted working days."""

from __future__ import annotations

from datetime import date, datetime, timedelta


def is_working_day(day: date, *, holidays: set[date], workdays: set[date]) -> bool:
    if day in workdays:
        return True
    return day.weekday() < 5 and day not in holidays


def add_working_days(
    start: datetime, days: int, *, holidays: set[date], workdays: set[date]
) -> datetime:
    """The same time of day, `days` working days later (the start day itself does not count,
    as the law counts periods from the next day)."""
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current.date(), holidays=holidays, workdays=workdays):
            remaining -= 1
    return current
