"""The audit search (审计 → 查询: `core.selectors.audit_event_search`, 50 rows a page with the
total) over the seeded trail, beside raw SQL with the same filter and the same rows.

ENGINEERING.md sets no target for it; it is held to the review queue's ≤ 2× raw SQL and to a
constant number of queries. The raw SQL is what one would write by hand: the date range as a
range of `occurred_at` (the selector compares local dates). Then the whole chain is verified
as `audit_verify` does it, which the seeded rows must pass, and the verification page's
incremental check after it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from django.db.models import Max, Min
from django.utils import timezone

from casework.core import audit
from casework.core.bench import Budget, Figure, timed
from casework.core.models import AuditEvent
from casework.core.selectors import audit_event_search
from casework.dashboards.scale.measuring import Measured, page_of, queries_fresh, raw, user_warm

MAX_AUDIT_RATIO = 2.0
MAX_AUDIT_QUERIES = 6
AUDIT_PAGE = 50  # core.views.AuditListView
AUDITOR = "bureau_auditor1"

RAW_WHERE = {
    "actor": "actor_username = %(actor)s",
    "verb": "verb LIKE %(verb_like)s",
    "target": "target_id = %(target)s",
    "since": "occurred_at >= %(since_at)s",
    "until": "occurred_at < %(until_at)s",
}


def search_page(user: Any, filters: dict[str, Any]) -> tuple[int, list[int]]:
    """AuditListView's work: the permission, the count, the first page."""
    if not user.has_perm("core.view_auditevent"):
        raise PermissionError(user.username)
    count, events = page_of(audit_event_search(**filters), AUDIT_PAGE)
    return count, [e.pk for e in events]


def search_raw(filters: dict[str, Any]) -> tuple[int, list[int]]:
    # The conditions are RAW_WHERE's constants; the values go as parameters.
    where = " AND ".join(RAW_WHERE[k] for k in filters) or "true"
    params = _raw_params(filters) | {"size": AUDIT_PAGE}
    count = raw(f"SELECT count(*) FROM core_auditevent WHERE {where}", params)  # noqa: S608
    page = f"SELECT * FROM core_auditevent WHERE {where} ORDER BY id DESC LIMIT %(size)s"  # noqa: S608
    return count[0][0], [row[0] for row in raw(page, params)]


def _raw_params(filters: dict[str, Any]) -> dict[str, Any]:
    """The selector's filters as hand-written SQL takes them: local days as UTC instants."""
    params = dict(filters)
    if "verb" in filters:
        params["verb_like"] = filters["verb"] + "%"
    for key, shift in (("since", 0), ("until", 1)):
        if key in filters:
            day: date = filters[key] + timedelta(days=shift)
            params[f"{key}_at"] = timezone.make_aware(datetime.combine(day, time.min))
    return params


def searches() -> dict[str, dict[str, Any]]:
    """What an auditor looks for: one officer's month, a kind of change over a month, one
    case's trail, everything."""
    newest = AuditEvent.objects.aggregate(at=Max("occurred_at"))["at"] or timezone.now()
    case = AuditEvent.objects.filter(target_type="cases.case").aggregate(id=Min("target_id"))
    today = timezone.localtime(newest).date()
    month = {"since": today - timedelta(days=29), "until": today}
    return {
        "one officer, 30 days": {"actor": "s001_officer1", **month},
        "verb 'cases.', 30 days": {"verb": "cases.", **month},
        "one case's trail": {"target": case["id"] or "0"},
        "no filter": {},
    }


def audit_search_measure(*, repeat: int) -> Measured:
    m = Measured()
    user = user_warm(AUDITOR)
    counts = {}
    for name, filters in searches().items():
        counts[name] = queries_fresh(partial(search_page, filters=filters), AUDITOR)
        m.compare(
            f"audit search: {name}", partial(search_page, user, filters),
            partial(search_raw, filters), baseline="raw SQL", repeat=repeat,
            max_ratio=MAX_AUDIT_RATIO, queries=counts[name],
        )  # fmt: skip
    m.budgets.append(Budget("audit search page + count", counts, MAX_AUDIT_QUERIES))
    # The seeded rows were chained in SQL: the product's own verification must accept them.
    seconds, chain = timed(audit.chain_verify)
    m.figures.append(Figure(f"audit chain verify, {chain.checked:,} rows", seconds,
                            target="intact", ok=chain.ok))  # fmt: skip
    # The nightly beat records that pass as a checkpoint; the verification page then
    # recomputes only the rows after it (here: the checkpoint's own row).
    audit.checkpoint_record(chain)
    seconds, page = timed(partial(audit.chain_verify, since=audit.checkpoint_latest()))
    m.figures.append(Figure(f"audit verify page, {page.checked:,} rows since the pass", seconds,
                            target="intact", ok=page.ok and page.since is not None))  # fmt: skip
    return m
