"""The hook for personal reminder items (案前预警 is personal, not only rule-driven).

Apps that know an officer's history — the conduct ledger's findings and points of the last
12 months — register a provider; each returns items to add to that officer's briefing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class PersonalItem:
    key: str  # stable per item, so a re-registered trip does not duplicate it
    title: str
    text: str
    legal_basis: tuple[dict[str, str], ...] = ()


Provider = Callable[[Any, date, dict[str, Any]], list[PersonalItem]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    _providers.append(provider)
    return provider


def personal_items(officer: Any, on: date, context: dict[str, Any]) -> list[PersonalItem]:
    """Every registered provider's items for this officer and trip context."""
    return [item for provider in _providers for item in provider(officer, on, context)]


def conduct_items(officer: Any, on: date, context: dict[str, Any]) -> list[PersonalItem]:
    """The officer's own recent 提醒 and 记分 (from retrospectives): what to watch this time."""
    from casework.conduct.selectors import recent_records

    return [
        PersonalItem(
            key=f"conduct:{record.pk}",
            title=f"【{record.get_kind_display()}】{record.category}",
            text=record.reason,
        )
        for record in recent_records(officer, on)
    ]
