"""What the list benchmarks share: a product call timed beside its baseline, with the rows of
both checked equal first, and the SQL statements a request for it sends."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import QuerySet

from casework.core.bench import Budget, Figure, cancelled, p95, queries_of, side_by_side

# A statement running longer is cancelled and its figure marked MISSED (`bench
# --statement-timeout`): at city scale a screen whose SQL takes this long is broken anyway.
STATEMENT_TIMEOUT_S = 20.0


class Disagreement(Exception):
    """The baseline and the product computed different rows: the ratio would be a lie."""


@dataclass
class Measured:
    figures: list[Figure] = field(default_factory=list)
    budgets: list[Budget] = field(default_factory=list)
    seconds: dict[str, list[float]] = field(default_factory=dict)

    def compare(
        self,
        what: str,
        ours: Callable[[], Any],
        theirs: Callable[[], Any],
        *,
        baseline: str,
        repeat: int,
        max_ratio: float | None = None,
        queries: int | None = None,
        check: bool = True,
    ) -> None:
        """Add the figure of `ours` timed against `theirs`, alternating, after checking (when
        `check`) that both return the same; a cancelled statement makes it MISSED."""
        target = f"≤ {max_ratio:g}×" if max_ratio else ""
        try:
            if check:
                same(what, ours(), theirs())
            seconds = side_by_side({what: ours, f"{what}: baseline": theirs}, repeat=repeat)
        except DatabaseError as error:
            if not cancelled(error):
                raise
            late = f"{target} (a statement ran over {STATEMENT_TIMEOUT_S:g} s)".lstrip()
            self.figures.append(Figure(f"{what}: cancelled", STATEMENT_TIMEOUT_S, baseline, None,
                                       late, False, queries=queries))  # fmt: skip
            return
        self.seconds |= {k: [round(s, 5) for s in v] for k, v in seconds.items()}
        mine, base = (
            statistics.median(seconds[what]),
            statistics.median(seconds[f"{what}: baseline"]),
        )
        ok = None if max_ratio is None else mine <= max_ratio * base
        self.figures.append(Figure(what, mine, baseline, base, target, ok, p95=p95(seconds[what]),
                                   queries=queries))  # fmt: skip


def same(what: str, ours: Any, theirs: Any) -> None:
    if ours != theirs:
        raise Disagreement(f"{what}: the product gives {ours!r}, the baseline {theirs!r}")


def user_fresh(username: str) -> Any:
    """The user as a request loads it: no permission, role or profile read yet."""
    return get_user_model().objects.get(username=username)


def user_warm(username: str) -> Any:
    user = user_fresh(username)
    user.has_perm("cases.view_case")  # reads and caches the user's permissions
    return user


def queries_fresh(func: Callable[[Any], Any], username: str) -> int | None:
    """Statements one call of `func` sends for a freshly loaded user, after a warm-up call (so
    Django's content-type cache is as warm as a running server's); None if one was cancelled."""
    try:
        func(user_fresh(username))
        user = user_fresh(username)
        return queries_of(lambda: func(user))
    except DatabaseError as error:
        if not cancelled(error):
            raise
        return None


def page_of(queryset: QuerySet[Any], size: int) -> tuple[int, list[Any]]:
    """What a paginated view sends: the count and the first page."""
    page = Paginator(queryset, size).get_page(1)
    return page.paginator.count, list(page.object_list)


def raw(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
