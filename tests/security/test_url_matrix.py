"""The URL permission matrix: every URL the project resolves, requested (GET) by every role.

A new URL pattern without a row here fails `test_every_url_has_a_row`, naming it: decide who
may open it before it ships. Each row says what each role gets; on top of the rows, whatever
they say, these hold for every response:

- never a server error;
- the anonymous visitor is sent to the login page, or gets 401/403 (except PUBLIC);
- an officer or legal officer of another station gets 404 for XQ's rows (SCOPED): missing and
  forbidden look the same;
- a 200 is given only where the row says so.

Detail URLs carry real ids of XQ's rows (tests/security/world.py). PDF rendering is replaced
by a stub here: who may download a PDF is the question, the PDFs have their own tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import api_for
from tests.security.conftest import ROLES, web_client
from tests.security.urlwalk import Pattern, url_patterns
from tests.security.world import World

LOGIN = "login"  # a redirect to /accounts/login/
ADMIN_LOGIN = "admin-login"  # a redirect to /admin/login/
R = 302  # a redirect elsewhere
Status = int | str

# Column order of every row below.
COLUMNS = ROLES
OTHER_STATION = ("other_station_officer", "other_station_legal")

# fmt: off
#                                  anon   off  aux legal instr chief o_off o_leg bureau audit
MATRIX: dict[str, tuple[Status, ...]] = {
    # ---- public: authentication, language, health; the API's description to users ----
    "login":                      (200,   200, 200, 200, 200, 200, 200, 200, 200, 200),
    "logout":                     (405,   405, 405, 405, 405, 405, 405, 405, 405, 405),  # POST only
    "set_language":               (R,     R,   R,   R,   R,   R,   R,   R,   R,   R),
    "healthz":                    (200,   200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:auth-token":             (405,   405, 405, 405, 405, 405, 405, 405, 405, 405),  # POST only
    "api:schema":                 (401,   200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:docs":                   (401,   200, 200, 200, 200, 200, 200, 200, 200, 200),
    "index":                      (R,     R,   R,   R,   R,   R,   R,   R,   R,   R),  # → home
    # ---- web: every signed-in user ----
    "home:index":                 (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "cases:index":                (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "cases:queue":                (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "cases:workbench":            (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "cases:case-create":          (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "cases:clock-list":           (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "cases:incident-list":        (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "cases:incident-create":      (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "inventory:index":            (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "reviews:index":              (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "conduct:index":              (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "trips:index":                (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "trips:trip-create":          (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "org:index":                  (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "org:station-list":           (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # ---- web: one XQ row ----
    "cases:case-detail":          (LOGIN, 200, 200, 200, 200, 200, 404, 404, 200, 404),
    "cases:incident-detail":      (LOGIN, 200, 200, 200, 200, 200, 404, 404, 200, 404),
    # The review task is the legal officer's: the others (its handler too) find no such task.
    "cases:gate":                 (LOGIN, 404, 404, 200, 404, 404, 404, 404, 404, 404),
    "cases:daily-report-detail":  (LOGIN, 404, 404, 200, 200, 200, 404, 404, 200, 404),
    "cases:daily-report-pdf":     (LOGIN, 404, 404, 200, 200, 200, 404, 404, 200, 404),
    "inventory:inventory-create": (LOGIN, 200, 200, 200, 200, 200, 404, 404, 200, 404),  # ?case=
    "inventory:inventory-detail": (LOGIN, 200, 200, 200, 200, 200, 404, 404, 200, 404),
    "inventory:inventory-pdf":    (LOGIN, 200, 200, 200, 200, 200, 404, 404, 200, 404),
    "inventory:item-photo":       (LOGIN, 200, 200, 200, 200, 200, 404, 404, 200, 404),
    "reviews:retrospective-detail": (LOGIN, 200, 200, 200, 200, 200, 404, 404, 200, 404),
    "reviews:evidence":           (LOGIN, 200, 200, 200, 200, 200, 404, 404, 200, 404),
    "reviews:retrospective-open": (LOGIN, 405, 405, 405, 405, 405, 405, 405, 405, 405),  # POST only
    # One's own record, and the station's overseers (instructor, legal officers, chief).
    "conduct:officer-detail":     (LOGIN, 200, 404, 200, 200, 200, 404, 404, 404, 404),
    "trips:trip-detail":          (LOGIN, 200, 200, 200, 200, 200, 404, 404, 200, 404),
    # Not on the trip: 400 "not an officer of this trip" (they may read the trip itself).
    "trips:trip-card":            (LOGIN, 200, 400, 400, 400, 400, 404, 404, 400, 404),
    "org:officer-detail":         (LOGIN, 200, 200, 200, 200, 200, 404, 404, 200, 200),
    # ---- web: by permission (PermissionRequiredMixin answers the anonymous with 403) ----
    "dashboard:index":            (LOGIN, 403, 403, 200, 200, 200, 403, 200, 200, 403),
    "dashboard:pdf":              (LOGIN, 403, 403, 200, 200, 200, 403, 200, 200, 403),
    "dashboard:list":             (LOGIN, 403, 403, 200, 200, 200, 403, 200, 200, 403),
    "cases:checklists":           (LOGIN, 403, 403, 200, 403, 403, 403, 200, 200, 403),
    "cases:daily-report-list":    (LOGIN, 403, 403, 200, 200, 200, 403, 200, 200, 403),
    "reviews:proposals":          (LOGIN, 403, 403, 200, 403, 403, 403, 200, 403, 403),
    "conduct:station":            (LOGIN, 403, 403, 200, 200, 200, 403, 200, 403, 403),
    # The rule library is the bureau's, one for every station.
    "rules:index":                (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 403),
    "rules:rule-preview":         (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 403),
    "rules:rule-detail":          (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 403),
    "rules:rule-edit":            (LOGIN, 403, 403, 200, 403, 403, 403, 200, 200, 403),
    "calendar:index":             (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 403),
    "audit:index":                (LOGIN, 403, 403, 403, 403, 403, 403, 403, 403, 200),
    "audit:verify":               (LOGIN, 403, 403, 403, 403, 403, 403, 403, 403, 200),
    "audit:pdf":                  (LOGIN, 403, 403, 403, 403, 403, 403, 403, 403, 200),
    # ---- API: lists (each scoped to what the caller may see; see test_lists_are_scoped) ----
    "api:api-root":               (401,   200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:me":                     (401,   200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:reviews-pending":        (401,   200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:incident-list":          (401,   200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:case-list":              (401,   200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:deadline-list":          (401,   200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:holiday-list":           (401,   200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:trip-list":              (401,   200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:reminder-list":          (401,   200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:inventory-list":         (401,   200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:retrospective-list":     (401,   200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:station-list":           (401,   200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:officer-list":           (401,   200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:daily-report-list":      (401,   200, 200, 200, 200, 200, 200, 200, 200, 200),
    "api:rule-list":              (401,   200, 200, 200, 200, 200, 200, 200, 200, 403),
    # The caller's own station (the bureau has none: 404 unless it names one).
    "api:reviews-monthly-report": (401,   200, 200, 200, 200, 200, 200, 200, 404, 404),
    "api:dashboard":              (401,   404, 404, 200, 200, 200, 404, 200, 200, 404),
    # ---- API: one XQ row ----
    "api:incident-detail":        (401,   200, 200, 200, 200, 200, 404, 404, 200, 404),
    "api:case-detail":            (401,   200, 200, 200, 200, 200, 404, 404, 200, 404),
    "api:case-timeline":          (401,   200, 200, 200, 200, 200, 404, 404, 200, 404),
    "api:case-inventories":       (401,   200, 200, 200, 200, 200, 404, 404, 200, 404),
    "api:deadline-detail":        (401,   200, 200, 200, 200, 200, 404, 404, 200, 404),
    "api:trip-detail":            (401,   200, 200, 200, 200, 200, 404, 404, 200, 404),
    "api:trip-card":              (401,   200, 400, 400, 400, 400, 404, 404, 400, 404),
    "api:reminder-detail":        (401,   200, 200, 200, 200, 200, 404, 404, 200, 404),
    "api:inventory-detail":       (401,   200, 200, 200, 200, 200, 404, 404, 200, 404),
    "api:inventory-pdf":          (401,   200, 200, 200, 200, 200, 404, 404, 200, 404),
    "api:retrospective-detail":   (401,   200, 200, 200, 200, 200, 404, 404, 200, 404),
    "api:retrospective-pdf":      (401,   200, 200, 200, 200, 200, 404, 404, 200, 404),
    "api:daily-report-detail":    (401,   404, 404, 200, 200, 200, 404, 404, 200, 404),
    "api:daily-report-pdf":       (401,   404, 404, 200, 200, 200, 404, 404, 200, 404),
    "api:station-detail":         (401,   200, 200, 200, 200, 200, 404, 404, 200, 200),
    "api:officer-detail":         (401,   200, 200, 200, 200, 200, 404, 404, 200, 200),
    "api:officer-conduct":        (401,   200, 404, 200, 200, 200, 404, 404, 404, 404),
    # Shared by every station: the library and the working-day calendar.
    "api:rule-detail":            (401,   200, 200, 200, 200, 200, 200, 200, 200, 403),
    "api:holiday-detail":         (401,   200, 200, 200, 200, 200, 200, 200, 200, 200),
}
# fmt: on

# POST-only endpoints: a GET is 405 for everyone signed in (the refusals of the POST itself
# are in test_audit_completeness: other stations get 404 there).
POST_ONLY = [
    "api:review-decide", "api:review-claim", "api:flag-answer", "api:supervision-answer",
    "api:daily-item-answer", "api:rules-preview", "api:conduct-object", "api:conduct-decide",
    "api:talk-hold", "api:incident-close", "api:incident-dispatch-police", "api:incident-divert",
    "api:incident-flags", "api:case-disposition", "api:case-events", "api:case-measures",
    "api:case-outcomes", "api:case-parties", "api:case-resubmit", "api:case-retrospectives",
    "api:case-supervision", "api:deadline-meet", "api:reminder-acknowledge",
    "api:inventory-correct", "api:inventory-dispose", "api:inventory-hand-over",
    "api:inventory-item", "api:inventory-items", "api:inventory-photos", "api:inventory-release",
    "api:inventory-remove", "api:inventory-return-item", "api:inventory-sign",
    "api:retrospective-actions", "api:retrospective-findings", "api:action-complete",
    "api:action-evidence", "api:action-verify",
]  # fmt: skip
MATRIX.update({name: (401, *[405] * (len(COLUMNS) - 1)) for name in POST_ONLY})

# Anyone may open these, signed in or not.
PUBLIC = {"login", "logout", "set_language", "healthz", "api:auth-token", "index"}

# The URL kwargs of each row: a world key (a row of XQ), or "=literal".
ITEM = {"pk": "inventory", "item_id": "open_item"}
KWARGS: dict[str, dict[str, str]] = {
    "cases:case-detail": {"pk": "case"}, "cases:gate": {"task_id": "task"},
    "cases:incident-detail": {"pk": "incident"}, "cases:daily-report-detail": {"pk": "report"},
    "cases:daily-report-pdf": {"pk": "report"}, "inventory:inventory-detail": {"pk": "inventory"},
    "inventory:inventory-pdf": {"pk": "inventory"}, "inventory:item-photo": {"pk": "photo"},
    "reviews:retrospective-detail": {"pk": "retrospective"}, "reviews:evidence": {"pk": "evidence"},
    "reviews:retrospective-open": {"case_id": "case"},
    "conduct:officer-detail": {"username": "=officer_xq1"},
    "trips:trip-detail": {"pk": "trip"}, "trips:trip-card": {"pk": "trip"},
    "rules:rule-detail": {"pk": "rule"}, "rules:rule-edit": {"pk": "rule"},
    "org:officer-detail": {"username": "=officer_xq1"}, "dashboard:list": {"key": "=reviews"},
    "api:station-detail": {"code": "=XQ"}, "api:officer-detail": {"username": "=officer_xq1"},
    "api:officer-conduct": {"username": "=officer_xq1"},
    **{f"api:{name}": ITEM for name in (
        "inventory-dispose", "inventory-hand-over", "inventory-item", "inventory-photos",
        "inventory-release", "inventory-remove", "inventory-return-item",
    )},
}  # fmt: skip
API_PK = {
    "incident": ["incident-detail", "incident-close", "incident-dispatch-police",
                 "incident-divert", "incident-flags"],
    "case": ["case-detail", "case-disposition", "case-events", "case-inventories",
             "case-measures", "case-outcomes", "case-parties", "case-resubmit",
             "case-retrospectives", "case-supervision", "case-timeline"],
    "rule": ["rule-detail"], "deadline": ["deadline-detail", "deadline-meet"],
    "holiday": ["holiday-detail"], "trip": ["trip-detail", "trip-card"],
    "reminder": ["reminder-detail", "reminder-acknowledge"],
    "inventory": ["inventory-detail", "inventory-correct", "inventory-items", "inventory-pdf",
                  "inventory-sign"],
    "retrospective": ["retrospective-detail", "retrospective-actions", "retrospective-findings",
                      "retrospective-pdf"],
    "action": ["action-complete", "action-evidence", "action-verify"],
    "report": ["daily-report-detail", "daily-report-pdf"],
    "task": ["review-decide", "review-claim"],
    "flag": ["flag-answer"], "supervision": ["supervision-answer"],
    "daily_item": ["daily-item-answer"], "record": ["conduct-object"],
    "objected": ["conduct-decide"], "talk": ["talk-hold"],
}  # fmt: skip
KWARGS.update({f"api:{name}": {"pk": key} for key, names in API_PK.items() for name in names})
QUERY: dict[str, Callable[[World], str]] = {
    "inventory:inventory-create": lambda w: f"?case={w['case']}",
}

# Rows of one XQ object: the other stations must find nothing there.
SCOPED = {
    key for key, kw in KWARGS.items()
    if any(not v.startswith("=") for v in kw.values()) and key not in {
        "rules:rule-detail", "rules:rule-edit", "api:rule-detail", "api:holiday-detail",
    }
} | {"inventory:inventory-create", "api:station-detail", "api:officer-detail",
     "org:officer-detail", "conduct:officer-detail", "api:officer-conduct"}  # fmt: skip


def is_admin(pattern: Pattern) -> bool:
    """The Django admin is for staff only, whatever the model: one rule covers its URLs."""
    return pattern.key.startswith("admin:") or pattern.route.startswith("admin/")


# ---- the rows are complete and consistent ----------------------------------------------------


def test_every_url_has_a_row() -> None:
    missing = sorted(
        {f"{p.key}  ({p.route})" for p in url_patterns() if not is_admin(p) and p.key not in MATRIX}
    )
    assert not missing, "URLs without a row in the permission matrix:\n" + "\n".join(missing)


def test_every_row_is_a_url() -> None:
    known = {p.key for p in url_patterns()}
    assert not sorted(set(MATRIX) - known), "rows for URLs that no longer exist"
    assert not sorted(set(KWARGS) - known)


def test_the_rows_keep_the_rules() -> None:
    for key, row in MATRIX.items():
        assert len(row) == len(COLUMNS), key
        expect = dict(zip(COLUMNS, row, strict=True))
        if key not in PUBLIC:
            assert expect["anonymous"] in {LOGIN, 401, 403}, key
        if key in SCOPED:
            assert all(expect[r] in {404, 405} for r in OTHER_STATION), key


# ---- the responses ---------------------------------------------------------------------------


def _fill(route: str) -> str:
    """A path for an admin route: any id (the visitor is refused before it is looked up)."""
    path = re.sub(r"\(\?P<\w+>(\w+)\|[^)]*\)", r"\1", route)  # an app_label alternation
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "x", path)
    path = re.sub(r"<(?:\w+:)?\w+>", "1", path)
    return "/" + path.replace("^", "").replace("$", "")


def _urls(world: World) -> Iterator[tuple[str, str]]:
    """(row key, URL) of every non-admin pattern; a DRF format-suffix pattern as `.json`."""
    for pattern in url_patterns():
        if is_admin(pattern):
            continue
        kwargs: dict[str, Any] = {
            k: v[1:] if v.startswith("=") else world[v]
            for k, v in KWARGS.get(pattern.key, {}).items()
        }
        if "format" in pattern.params:
            kwargs["format"] = "json"
        url = reverse(pattern.key, kwargs=kwargs) if pattern.named else "/" + pattern.route
        query = QUERY.get(pattern.key)
        yield pattern.key, url + (query(world) if query else "")


def _client(world: World, role: str, api: bool) -> Client | APIClient:
    if api:
        client = APIClient() if role == "anonymous" else api_for(world.user(role))
    else:
        client = web_client(world, role)
    client.raise_request_exception = False  # a server error is a 500 to count, not a crash
    return client


def _got(response: Any) -> Status:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
        return LOGIN if location.startswith("/accounts/login/") else R
    return int(response.status_code)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.usefixtures("no_pdf")
def test_each_role_gets_what_the_matrix_says(world: World, role: str) -> None:
    column = COLUMNS.index(role)
    clients = {api: _client(world, role, api) for api in (False, True)}
    wrong = []
    for key, url in _urls(world):
        response = clients[url.startswith("/api/")].get(url)
        got, expected = _got(response), MATRIX[key][column]
        if got != expected:
            wrong.append(f"{url} ({key}): expected {expected}, got {got}")
    assert not wrong, f"as {role}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", ["anonymous", "officer", "auditor"])
def test_the_admin_is_for_staff_only(world: World, role: str) -> None:
    client = web_client(world, role)
    wrong = []
    for pattern in filter(is_admin, url_patterns()):
        path = _fill(pattern.route)
        got = _got(client.get(path))
        # Its login page is open; its logout sends a visitor who is not staff to its index.
        allowed = {"admin:login": {200}, "admin:logout": {R}}.get(pattern.key, set())
        if got not in {ADMIN_LOGIN, *allowed}:
            wrong.append(f"{path} ({pattern.key}): {got}")
    assert not wrong, f"admin pages as {role} (not staff):\n" + "\n".join(wrong)


# ---- lists: another station's people find none of XQ's rows --------------------------------

LISTS = ["incidents", "cases", "deadlines", "trips", "reminders", "inventories",
         "retrospectives", "reviews/pending"]  # fmt: skip


@pytest.mark.parametrize("role", [*OTHER_STATION, "auditor"])
def test_lists_are_scoped(world: World, role: str) -> None:
    client = api_for(world.user(role))
    for name in LISTS:
        body = client.get(f"/api/v1/{name}/").json()
        assert body["count"] == 0, f"{role} sees XQ's {name}: {body['results'][:2]}"
    reports = client.get("/api/v1/daily-reports/").json()["results"]
    assert world["report"] not in {r["id"] for r in reports}
    officers = client.get("/api/v1/officers/").json()["results"]
    if role != "auditor":
        assert "officer_xq1" not in {o["username"] for o in officers}
