"""Load test of casework: police-station users on gunicorn, beside a /healthz floor.

Run by `.ci/loadtest` (or `make loadtest`), which seeds the data, starts gunicorn, a Celery
worker and beat on 127.0.0.1 against PostgreSQL and Redis and writes the accounts file this
reads (LOAD_USERS_FILE; password LOAD_PASSWORD). Not a pytest module (pytest collects test_*.py).

The mix (ENGINEERING.md: 200 virtual users for 10 minutes, p95 ≤ 500 ms, 0 errors):

- 民警 (officer, weight 12): the case list and case details (web and API), 我的任务, trips,
  their reminders (read, acknowledge), recording a step on a case (the web form, CSRF and all),
  registering a trip (API), printing a signed property inventory (PDF).
- 法制员 (legal officer, 5): the workbench, the review queue (web and API), gate forms, deciding
  a gate through the form (approve, checklist ticked), case details, clocks, the dashboard.
- 所长 (chief, 2): the dashboard and its minute refresh, the lists behind the numbers with their
  CSV/XLSX exports, the dashboard PDF, the inventory PDF, the case list.
- 分局法制大队 (bureau, 1): every station's dashboard side by side (web and API), lists.
- /healthz (one user, one request a second): the floor, the cost of a request that does nothing
  but `SELECT 1`, measured in the same run on the same server.

Each virtual user is one open browser tab (and one app session) of a real account; the tabs of
one account share its login, as a person's tabs do (a person logs in once a day, not once per
page). Think time between requests: LOAD_WAIT="3,10" seconds. Writes are real (they go through
the services, the audit trail, the outbox and the worker) but bounded: LOAD_MAX_WRITES in all.
The load test plays the TLS-terminating proxy: X-Forwarded-Proto: https on every request.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from gevent.lock import Semaphore
from locust import HttpUser, between, constant_pacing, events, task
from locust.clients import HttpSession
from requests.cookies import RequestsCookieJar

WAIT_MIN, WAIT_MAX = (float(x) for x in os.environ.get("LOAD_WAIT", "3,10").split(","))
MAX_WRITES = int(os.environ.get("LOAD_MAX_WRITES", "2000"))
PASSWORD = os.environ.get("LOAD_PASSWORD", "casework-load")
CST = timezone(timedelta(hours=8))  # the product's TIME_ZONE, Asia/Shanghai
PROXY = {"X-Forwarded-Proto": "https"}
LIST_KEYS = [
    "reviews", "clocks-overdue", "clocks-today", "reminders", "inventories", "actions-open",
    "retrospectives-open", "officers", "incidents-unclosed", "cases-accepted", "cases-closed",
]  # fmt: skip
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MESSAGE_ERROR = re.compile(r'<li class="error">([^<]*)')
CHECKBOX = re.compile(r'<input type="checkbox" name="(item_[\w-]+)"')
ITEMS = [
    {"category": "phone", "name": "手机", "quantity": 1, "unit": "部", "marks": "黑色,屏幕有裂痕"},
    {"category": "cash", "name": "现金", "denominations": {"100": 3, "10": 2}},
    {"category": "keys", "name": "钥匙", "quantity": 3, "unit": "把"},
]
rng = random.Random(int(os.environ.get("LOAD_SEED", "8")))  # noqa: S311 - picks, not secrets


def _accounts() -> dict[str, list[str]]:
    path = os.environ.get("LOAD_USERS_FILE", "var/load/users.json")
    with open(path, encoding="utf-8") as f:
        return {role: names for role, names in json.load(f).items() if names}


ACCOUNTS = _accounts()


class Budget:
    """The writes left in this run: every form or API write takes one, so a run adds a bounded
    number of rows whatever its length. Tasks whose budget is spent read instead."""

    left = MAX_WRITES

    @classmethod
    def take(cls) -> bool:
        if cls.left <= 0:
            return False
        cls.left -= 1
        return True


class Login:
    """One account's browser session and API token, made once and shared by its tabs."""

    cache: dict[str, Login] = {}
    rotation: dict[str, itertools.cycle[str]] = {
        role: itertools.cycle(names) for role, names in ACCOUNTS.items()
    }

    def __init__(self, username: str) -> None:
        self.username = username
        self.lock = Semaphore()
        self.cookies: Any = None
        self.token = ""

    @classmethod
    def next_for(cls, role: str) -> Login:
        username = next(cls.rotation[role])
        return cls.cache.setdefault(username, Login(username))


class ProxyCookieJar(RequestsCookieJar):
    """Production cookies are Secure (the proxy speaks HTTPS to the browser) and requests would
    not send them over the loopback's plain HTTP: keep them as the browser behind the proxy
    sends them."""

    def set_cookie(self, cookie: Any, *args: Any, **kwargs: Any) -> Any:
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


class Person(HttpUser):
    """A logged-in user: `self.client` is the browser (session cookie, CSRF), `self.api` the
    app (token). Subclasses add their tasks."""

    abstract = True
    role = ""
    wait_time = between(WAIT_MIN, WAIT_MAX)

    def on_start(self) -> None:
        self.client.headers.update(PROXY)
        self.client.cookies = ProxyCookieJar()
        self.api = HttpSession(
            base_url=self.host, request_event=self.environment.events.request, user=self
        )
        self.api.headers.update(PROXY)
        self.login = Login.next_for(self.role)
        with self.login.lock:
            if self.login.cookies is None:
                self._web_login()
            if not self.login.token:
                self._api_token()
        for cookie in self.login.cookies:
            self.client.cookies.set_cookie(cookie)
        self.api.headers["Authorization"] = f"Token {self.login.token}"
        self.username = self.login.username
        self.cases: list[int] = []
        self.discover()

    def on_stop(self) -> None:
        self.api.close()

    # ---- logging in ---------------------------------------------------------------------

    def _web_login(self) -> None:
        page = self.client.get("/accounts/login/", name="login page")
        token = CSRF_INPUT.search(page.text)
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.login.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers=self._referer("/accounts/login/"),
            allow_redirects=False,
            name="login (form)",
            catch_response=True,
        ) as r:
            if r.status_code != 302 or "/accounts/login" in r.headers.get("Location", ""):
                r.failure(f"login of {self.login.username} refused: {r.status_code}")
                raise RuntimeError(f"cannot log in as {self.login.username}")
        self.login.cookies = self.client.cookies.copy()

    def _api_token(self) -> None:
        r = self.api.post(
            "/api/v1/auth/token/",
            json={"username": self.login.username, "password": PASSWORD},
            name="POST /api/v1/auth/token/",
        )
        self.login.token = r.json()["token"] if r.ok else ""

    # ---- helpers -----------------------------------------------------------------------

    def _referer(self, path: str) -> dict[str, str]:
        host = urlsplit(self.host).netloc
        return {"Referer": f"https://{host}{path}"}

    def _csrf(self) -> str:
        return str(self.client.cookies.get("csrftoken", ""))

    def form_post(self, path: str, data: dict[str, Any], name: str, then: str) -> None:
        """Submit a form as the browser does, and follow the redirect as it does (the page is
        `then`). A 200 is the form again with its errors; a refusal by the service (a conflict,
        a rule) is a redirect to a page that shows an error message: both fail the submit."""
        data = {"csrfmiddlewaretoken": self._csrf(), **data}
        with self.client.post(
            path,
            data=data,
            headers=self._referer(path),
            allow_redirects=False,
            name=name,
            catch_response=True,
        ) as r:
            location = r.headers.get("Location", "")
            if r.status_code != 302 or "/accounts/login" in location:
                errors = re.findall(
                    r'class="[^"]*(?:errorlist|error)[^"]*"[^>]*>(.{0,200})', r.text
                )
                r.failure(f"{r.status_code} {location} {errors[:2]}")
                return
            page = self.client.get(location, name=then)
            refused = MESSAGE_ERROR.search(page.text) if page.ok else None
            if refused:
                r.failure(f"refused: {refused.group(1)[:200]}")

    def api_rows(self, path: str, name: str) -> list[dict[str, Any]]:
        r = self.api.get(path, name=name)
        if not r.ok:
            return []
        body = r.json()
        rows = body.get("results", body) if isinstance(body, dict) else body
        return [row for row in rows if isinstance(row, dict)]

    def api_ids(self, path: str, name: str) -> list[int]:
        return [row["id"] for row in self.api_rows(path, name)]

    def printable_inventories(self) -> list[int]:
        """Signed inventories (a draft has no printed form yet; a signed one has its hash)."""
        rows = self.api_rows("/api/v1/inventories/", "GET /api/v1/inventories/ (list)")
        return [
            row["id"]
            for row in rows
            if row.get("status") in {"signed", "closed"} and row.get("sha256")
        ]

    def discover(self) -> None:
        """The cases this tab works on, as the first list it opens shows them."""
        self.cases = self.api_ids("/api/v1/cases/", "GET /api/v1/cases/ (list)")

    def open_case(self) -> None:
        if self.cases:
            pk = rng.choice(self.cases)
            self.client.get(f"/cases/{pk}/", name="GET /cases/[id]/ (detail)")

    @staticmethod
    def now_local(**delta: float) -> datetime:
        return datetime.now(CST) + timedelta(**delta)


class Officer(Person):
    """民警: cases they handle, the steps they record, trips and their reminders."""

    weight = 12
    role = "officer"

    def discover(self) -> None:
        self.cases = self.api_ids("/api/v1/cases/", "GET /api/v1/cases/ (list)")
        self.mine = self.api_ids(
            f"/api/v1/cases/?handler={self.username}&status=investigating",
            "GET /api/v1/cases/?handler&status (list)",
        )
        self.inventories = self.printable_inventories()

    @task(6)
    def case_list(self) -> None:
        self.client.get(f"/cases/?page={rng.randint(1, 3)}", name="GET /cases/ (list)")

    @task(8)
    def case_detail(self) -> None:
        self.open_case()

    @task(2)
    def case_detail_api(self) -> None:
        if self.cases:
            pk = rng.choice(self.cases)
            self.api.get(f"/api/v1/cases/{pk}/", name="GET /api/v1/cases/[id]/ (detail)")

    @task(3)
    def my_tasks(self) -> None:
        self.client.get("/cases/queue/", name="GET /cases/queue/ (my tasks)")

    @task(2)
    def clocks(self) -> None:
        self.client.get("/cases/clocks/", name="GET /cases/clocks/")

    @task(3)
    def reminders(self) -> None:
        r = self.api.get("/api/v1/reminders/?mine=true", name="GET /api/v1/reminders/?mine")
        if not r.ok:
            return
        pending = [x["id"] for x in r.json().get("results", []) if not x["acknowledged_at"]]
        if pending and Budget.take():
            self.api.post(
                f"/api/v1/reminders/{rng.choice(pending)}/acknowledge/",
                name="POST /api/v1/reminders/[id]/acknowledge/",
            )

    @task(2)
    def trips(self) -> None:
        self.client.get("/trips/", name="GET /trips/ (list)")

    @task(2)
    def record_event(self) -> None:
        """拟询问: the case page, then the step through its form (its duty prompt follows)."""
        if not self.mine or not Budget.take():
            return self.case_list()
        pk = rng.choice(self.mine)
        self.client.get(f"/cases/{pk}/", name="GET /cases/[id]/ (detail)")
        when = self.now_local(hours=rng.randint(1, 48)).strftime("%Y-%m-%dT%H:%M")
        self.form_post(
            f"/cases/{pk}/",
            {"action": "event", "kind": "questioning_planned", "occurred_at": when,
             "party": "", "note": "负载测试:拟询问当事人"},
            name="POST /cases/[id]/ event (form)",
            then="GET /cases/[id]/ (detail)",
        )  # fmt: skip

    @task(1)
    def register_trip(self) -> None:
        """出差登记 through the API: the rules run, each officer gets a briefing by mail."""
        if not Budget.take():
            return self.trips()
        departs = self.now_local(days=rng.randint(1, 10), hours=rng.randint(0, 12))
        self.api.post(
            "/api/v1/trips/",
            json={
                "officers": [self.username],
                "destination": {"province": "山东省", "city": "济南市", "county": "历下区"},
                "departs_at": departs.isoformat(),
                "returns_at": (departs + timedelta(hours=rng.randint(6, 48))).isoformat(),
                "purposes": rng.choice([["investigation"], ["summons"], ["arrest", "escort"]]),
                "carries_firearm": rng.random() < 0.2,
                "uses_vehicle": True,
                "escorts_suspect": False,
            },
            name="POST /api/v1/trips/ (register)",
        )

    @task(1)
    def property_inventory(self) -> None:
        """随身物品处置表 at arrest: filled in on the tablet (API), signed, then printed."""
        if not self.mine or not Budget.take():
            return self.case_detail()
        pk = rng.choice(self.mine)
        r = self.api.get(f"/api/v1/cases/{pk}/", name="GET /api/v1/cases/[id]/ (detail)")
        if not r.ok:
            return None
        suspects = [p["id"] for p in r.json().get("parties", []) if p["role"] == "suspect"]
        if not suspects:
            return None
        r = self.api.post(
            f"/api/v1/cases/{pk}/inventories/",
            json={"party": rng.choice(suspects), "items": ITEMS, "place": "候问室"},
            name="POST /api/v1/cases/[id]/inventories/ (open)",
        )
        if r.status_code != 201:
            return None
        inventory = r.json()["id"]
        r = self.api.post(
            f"/api/v1/inventories/{inventory}/sign/",
            json={"suspect_signature": "signed", "witness_name": "李某"},
            name="POST /api/v1/inventories/[id]/sign/",
        )
        if r.ok:
            self.inventories.append(inventory)
            self.inventory_pdf()
        return None

    @task(1)
    def inventory_pdf(self) -> None:
        if self.inventories:
            pk = rng.choice(self.inventories[-20:])
            self.client.get(f"/inventory/{pk}/pdf/", name="GET /inventory/[id]/pdf/ (PDF)")


class LegalOfficer(Person):
    """法制员: the workbench and queue, gate forms and decisions, supervision of cases."""

    weight = 5
    role = "legal_officer"
    taken: set[int] = set()  # review tasks a tab is deciding: two tabs never race on one

    def discover(self) -> None:
        self.cases = self.api_ids("/api/v1/cases/", "GET /api/v1/cases/ (list)")

    def pending(self) -> list[dict[str, Any]]:
        r = self.api.get("/api/v1/reviews/pending/", name="GET /api/v1/reviews/pending/")
        return r.json().get("results", []) if r.ok else []

    @task(4)
    def workbench(self) -> None:
        self.client.get("/cases/workbench/", name="GET /cases/workbench/")

    @task(3)
    def queue(self) -> None:
        self.client.get("/cases/queue/", name="GET /cases/queue/ (my tasks)")

    @task(3)
    def pending_api(self) -> None:
        self.pending()

    @task(4)
    def case_detail(self) -> None:
        self.open_case()

    @task(2)
    def case_list(self) -> None:
        self.client.get(f"/cases/?page={rng.randint(1, 3)}", name="GET /cases/ (list)")

    @task(1)
    def clocks(self) -> None:
        self.client.get("/cases/clocks/", name="GET /cases/clocks/")

    @task(1)
    def dashboard(self) -> None:
        self.client.get("/dashboard/", name="GET /dashboard/")

    @task(3)
    def decide(self) -> None:
        """Open a pending acceptance or disposition review and approve it, checklist ticked.
        With the budget spent, the form is opened and left (a look, no decision)."""
        tasks = [
            t
            for t in self.pending()
            if t["gate"] in {"acceptance", "disposition"} and t["id"] not in self.taken
        ]
        if not tasks:
            return
        pk = rng.choice(tasks[:20])["id"]
        self.taken.add(pk)  # before the page: another tab may pick while this one waits
        page = self.client.get(f"/cases/tasks/{pk}/", name="GET /cases/tasks/[id]/ (gate form)")
        if not page.ok or not Budget.take():
            return
        ticks = {name: "on" for name in CHECKBOX.findall(page.text)}
        self.form_post(
            f"/cases/tasks/{pk}/",
            {"decision": "approve", "reason": "", **ticks},
            name="POST /cases/tasks/[id]/ decide (form)",
            then="GET /cases/queue/ (my tasks)",
        )


class Chief(Person):
    """所长: the leadership screen, the lists behind it and their exports, the printouts."""

    weight = 2
    role = "chief"

    def discover(self) -> None:
        self.cases = self.api_ids("/api/v1/cases/", "GET /api/v1/cases/ (list)")
        self.inventories = self.printable_inventories()

    @task(5)
    def dashboard(self) -> None:
        self.client.get("/dashboard/", name="GET /dashboard/")

    @task(4)
    def dashboard_refresh(self) -> None:
        self.client.get("/dashboard/?partial=1", name="GET /dashboard/?partial (refresh)")

    @task(1)
    def dashboard_api(self) -> None:
        self.api.get("/api/v1/dashboard/", name="GET /api/v1/dashboard/")

    @task(3)
    def listing(self) -> None:
        key = rng.choice(LIST_KEYS)
        self.client.get(f"/dashboard/list/{key}/", name="GET /dashboard/list/[key]/")

    @task(1)
    def export_csv(self) -> None:
        key = rng.choice(LIST_KEYS)
        self.client.get(
            f"/dashboard/list/{key}/?format=csv", name="GET /dashboard/list/[key]/?format=csv"
        )

    @task(1)
    def export_xlsx(self) -> None:
        key = rng.choice(LIST_KEYS)
        self.client.get(
            f"/dashboard/list/{key}/?format=xlsx", name="GET /dashboard/list/[key]/?format=xlsx"
        )

    @task(1)
    def dashboard_pdf(self) -> None:
        self.client.get("/dashboard/pdf/", name="GET /dashboard/pdf/ (PDF)")

    @task(1)
    def inventory_pdf(self) -> None:
        if self.inventories:
            pk = rng.choice(self.inventories)
            self.client.get(f"/inventory/{pk}/pdf/", name="GET /inventory/[id]/pdf/ (PDF)")

    @task(2)
    def case_list(self) -> None:
        self.client.get(f"/cases/?page={rng.randint(1, 3)}", name="GET /cases/ (list)")

    @task(2)
    def case_detail(self) -> None:
        self.open_case()


class Bureau(Person):
    """分局法制大队: every station side by side."""

    weight = 1
    role = "bureau_legal"

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/dashboard/", name="GET /dashboard/ (bureau)")

    @task(1)
    def dashboard_api(self) -> None:
        self.api.get("/api/v1/dashboard/", name="GET /api/v1/dashboard/ (bureau)")

    @task(2)
    def listing(self) -> None:
        key = rng.choice(LIST_KEYS)
        self.client.get(f"/dashboard/list/{key}/", name="GET /dashboard/list/[key]/ (bureau)")

    @task(1)
    def case_list(self) -> None:
        self.client.get(f"/cases/?page={rng.randint(1, 3)}", name="GET /cases/ (list)")


class HealthFloor(HttpUser):
    """One probe a second: the floor the other figures are read against."""

    fixed_count = 1
    wait_time = constant_pacing(1.0)

    def on_start(self) -> None:
        self.client.headers.update(PROXY)

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="/healthz (floor)")


# Roles with no account in this data set get no virtual users.
_ROLE_CLASSES = {"officer": Officer, "legal_officer": LegalOfficer, "chief": Chief,
                 "bureau_legal": Bureau}  # fmt: skip
for _role, _cls in _ROLE_CLASSES.items():
    if _role not in ACCOUNTS:
        _cls.abstract = True
del _role, _cls  # locust takes every User class in the module's namespace


@events.test_stop.add_listener
def _writes(environment: Any, **kwargs: Any) -> None:
    print(f"writes: {MAX_WRITES - Budget.left} of at most {MAX_WRITES}")
