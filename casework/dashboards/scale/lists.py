"""The lists people page through at scale, each beside a hand-written lower bound in the same
run: the permission-filtered case list and the legal officer's review queue.

ENGINEERING.md: the case list (page + count) sends the same number of queries whatever the
scale, and its count costs ≤ 1.5× a plain `station_id` filter; the review queue sends constant
queries and costs ≤ 2× raw SQL. Times are of calls by a user whose permissions are already read
(the SQL of the list itself); query counts are of one call by a freshly loaded user, as a
request makes it.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db.models import QuerySet

from casework.cases.models import Case
from casework.cases.selectors import case_list
from casework.core.bench import Budget
from casework.dashboards.scale.measuring import (
    Measured,
    page_of,
    queries_fresh,
    raw,
    user_warm,
)
from casework.org.models import Station
from casework.workflow.selectors import review_queue

MAX_COUNT_RATIO, MAX_QUEUE_RATIO = 1.5, 2.0
MAX_LIST_QUERIES = 10
CASES_PAGE, API_PAGE = 30, 50  # the case list view's page; DRF's (settings.REST_FRAMEWORK)

# ---- the case list -------------------------------------------------------------------------

RAW_CASE_COUNT = "SELECT count(*) FROM cases_case WHERE station_id = %(station)s"
RAW_CASE_PAGE = """
SELECT c.id, c.number, c.title, c.kind, c.status, c.created_at, s.name,
       array_agg(p.display_name ORDER BY h.id)
FROM (SELECT * FROM cases_case WHERE station_id = %(station)s
      ORDER BY created_at DESC LIMIT %(size)s) c
JOIN org_station s ON s.id = c.station_id
LEFT JOIN cases_casehandler h ON h.case_id = c.id
LEFT JOIN org_profile p ON p.user_id = h.user_id
GROUP BY c.id, c.number, c.title, c.kind, c.status, c.created_at, s.name
ORDER BY c.created_at DESC
"""


def case_count(user: Any) -> int:
    return case_list(user=user).count()


def count_of(cases: QuerySet[Case]) -> int:
    """The paginator's count of a list already filtered for its user: what the target is
    about (building the filter, one query for the user's grants, is in the page's figure)."""
    return cases.count()


def case_page(user: Any) -> tuple[int, list[int]]:
    """The case list view's work: the count, a page, each case's handlers by name."""
    count, cases = page_of(case_list(user=user), CASES_PAGE)
    rows = [(c.pk, c.number, [h.user.profile.display_name for h in c.handlers.all()])
            for c in cases]  # fmt: skip
    return count, [row[0] for row in rows]


def case_page_raw(station: int) -> tuple[int, list[int]]:
    params = {"station": station, "size": CASES_PAGE}
    return raw(RAW_CASE_COUNT, params)[0][0], [row[0] for row in raw(RAW_CASE_PAGE, params)]


def case_list_measure(*, stations: list[Station], repeat: int) -> Measured:
    """Counts for an officer and a legal officer of the biggest station and for the bureau,
    beside the plain count (they see lent cases too, so the rows are not compared); the
    officer's page; query counts also at the smallest station, which must match."""
    first, last = stations[0], stations[-1]
    code = first.code.lower()
    m = Measured()
    for role, username, station in (("officer", f"{code}_officer1", first),
                                    ("legal officer", f"{code}_legal1", first),
                                    ("bureau", "bureau_legal1", None)):  # fmt: skip
        plain = Case.objects.filter(station_id=station.pk) if station else Case.objects.all()
        m.compare(
            f"case list count, {role} {station.code if station else ''}".rstrip(),
            partial(count_of, case_list(user=user_warm(username))), plain.count,
            baseline="plain station_id filter" if station else "count(*), no filter",
            repeat=repeat, max_ratio=MAX_COUNT_RATIO, check=False,
            queries=queries_fresh(case_count, username),
        )  # fmt: skip
    m.compare(
        f"case list page {CASES_PAGE} + count, officer {first.code}",
        partial(case_page, user_warm(f"{code}_officer1")), partial(case_page_raw, first.pk),
        baseline="raw SQL, the station's cases", repeat=repeat, check=False,
        queries=queries_fresh(case_page, f"{code}_officer1"),
    )  # fmt: skip
    for role, post in (("officer", "officer1"), ("legal officer", "legal1")):
        names = [f"{s.code.lower()}_{post}" for s in (first, last)]
        counts = {name: queries_fresh(case_page, name) for name in names}
        m.budgets.append(Budget(f"case list page + count ({role})", counts, MAX_LIST_QUERIES))
    counts = {"bureau_legal1": queries_fresh(case_page, "bureau_legal1")}
    m.budgets.append(Budget("case list page + count (bureau)", counts, MAX_LIST_QUERIES))
    return m


# ---- the legal officer's review queue ------------------------------------------------------

RAW_QUEUE_FROM = """
FROM viewflow_task t
JOIN workflow_caseprocess cp ON cp.process_ptr_id = t.process_id
JOIN cases_case c ON c.id = cp.case_id
"""
RAW_QUEUE_WHERE = """
WHERE t.status = 'NEW' AND t.flow_task = ANY(%(nodes)s) AND c.station_id = %(station)s
  AND NOT EXISTS (SELECT 1 FROM cases_casehandler h WHERE h.case_id = c.id AND h.user_id = %(user)s)
"""
RAW_QUEUE_COUNT = f"SELECT count(*) {RAW_QUEUE_FROM} {RAW_QUEUE_WHERE}"
RAW_QUEUE_PAGE = f"""
SELECT t.id, t.flow_task, t.created, c.id, c.number, c.title, s.name, u.username
{RAW_QUEUE_FROM}
JOIN org_station s ON s.id = c.station_id
LEFT JOIN auth_user u ON u.id = t.owner_id
{RAW_QUEUE_WHERE}
ORDER BY t.created, t.id LIMIT %(size)s
"""


def queue_page(user: Any) -> tuple[int, list[int]]:
    """`GET /api/v1/reviews/pending/`'s work: the count and the first page, serialised."""
    count, tasks = page_of(review_queue(user=user), API_PAGE)
    rows = [(t.pk, t.flow_task.name, t.process.caseprocess.case.number, t.created,
             getattr(t.owner, "username", None)) for t in tasks]  # fmt: skip
    return count, sorted(row[0] for row in rows)


def queue_all(user: Any) -> list[int]:
    """The web's 我的任务 page: every task waiting, with its case."""
    rows = [(t.pk, t.flow_task.name, t.process.caseprocess.case.title, t.created)
            for t in review_queue(user=user)]  # fmt: skip
    return sorted(row[0] for row in rows)


def queue_raw(params: dict[str, Any], size: int | None) -> tuple[int, list[int]]:
    count = raw(RAW_QUEUE_COUNT, params)[0][0]
    return count, sorted(row[0] for row in raw(RAW_QUEUE_PAGE, params | {"size": size}))


def queue_all_raw(params: dict[str, Any]) -> list[int]:
    return sorted(row[0] for row in raw(RAW_QUEUE_PAGE, params | {"size": None}))


def review_queue_measure(*, stations: list[Station], nodes: list[str], repeat: int) -> Measured:
    """The first legal officer of the biggest station: the API's page (with its count) and the
    whole queue, each beside raw SQL returning the same tasks; query counts also at the
    smallest station, which must match."""
    first, last = stations[0], stations[-1]
    username = f"{first.code.lower()}_legal1"
    user = user_warm(username)
    params = {"nodes": nodes, "station": first.pk, "user": user.pk}
    m = Measured()
    m.compare(
        f"review queue page {API_PAGE} + count, legal {first.code}",
        partial(queue_page, user), partial(queue_raw, params, API_PAGE), baseline="raw SQL",
        repeat=repeat, max_ratio=MAX_QUEUE_RATIO, queries=queries_fresh(queue_page, username),
    )  # fmt: skip
    m.compare(
        f"review queue, every task, legal {first.code}",
        partial(queue_all, user), partial(queue_all_raw, params), baseline="raw SQL",
        repeat=repeat, queries=queries_fresh(queue_all, username),
    )  # fmt: skip
    names = [f"{s.code.lower()}_legal1" for s in (first, last)]
    counts = {name: queries_fresh(queue_page, name) for name in names}
    m.budgets.append(Budget("review queue page + count", counts, MAX_LIST_QUERIES))
    return m
