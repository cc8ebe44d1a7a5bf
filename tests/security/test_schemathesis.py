"""schemathesis against the served OpenAPI schema, as several roles: no server errors.

The schema is loaded from `/api/v1/schema/` (with a token: it is not public) through the
project's WSGI application, the way a client would read it. For every operation, hypothesis
generates requests that fit the schema and requests that do not; each is sent with a role's
token, half of them with the path ids replaced by real rows of XQ (a random id is nearly always
a 404 and tests little else). Every answer must pass schemathesis' `not_a_server_error`: bad
input is a 4xx. The values a generator seldom reaches (the ends of the calendar, 10,000
characters, a NUL) are sent on their own by `test_api_bodies_take_edge_values`, which also
checks that a 400 names the field.

Bounded: a few examples per operation and mode, no shrinking, no example database, the same
examples on every run (derandomize). Raise SCHEMATHESIS_EXAMPLES to search harder locally.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup

from tests.factories import login_data
from tests.security.test_audit_completeness import API, send
from tests.security.test_form_fuzz import A_DATE, AnyIds
from tests.security.world import World

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))
ROLES = ["officer", "legal_officer", "chief", "other_station_legal"]

# The world row a path's ids point at, by the path's first segment (and `item_id`).
PATH_ROWS = {
    "incidents": "incident", "cases": "case", "rules": "rule", "deadlines": "deadline",
    "holidays": "holiday", "trips": "trip", "reminders": "reminder", "inventories": "inventory",
    "retrospectives": "retrospective", "actions": "action", "daily-reports": "report",
    "reviews": "task", "flags": "flag", "supervision": "supervision", "daily-items": "daily_item",
    "conduct": "objected", "talks": "talk",
}  # fmt: skip
LITERALS = {"code": "XQ", "username": "officer_xq1"}


def _real_ids(world: World, path: str, params: dict[str, Any]) -> dict[str, Any]:
    segment = path.removeprefix("/api/v1/").split("/", 1)[0]
    real = dict(params)
    for name in params:
        if name in LITERALS:
            real[name] = LITERALS[name]
        elif name == "item_id":
            real[name] = world["open_item"]
        elif segment in PATH_ROWS:
            real[name] = world[PATH_ROWS[segment]]
    return real


@contextmanager
def _wsgi_in_the_test_transaction() -> Iterator[WSGIHandler]:
    """The project's WSGI application, serving inside the test's transaction. Django's test
    client likewise stops `close_old_connections` for its requests (and starts it again after
    each one, so no test client request may run inside this block): at the end of a request it
    would close the connection in the middle of the test's transaction (on PostgreSQL)."""
    from config.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _token(username: str) -> str:
    """A token from the API's own endpoint, as an integrating system gets one."""
    from django.test import Client

    response = Client().post("/api/v1/auth/token/", login_data(username))
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


@contextmanager
def _server_tracebacks() -> Iterator[list[str]]:
    """Tracebacks of the exceptions behind 500s while the block runs."""
    found: list[str] = []

    def keep(sender: Any, request: Any = None, **kwargs: Any) -> None:
        found.append(traceback.format_exc(limit=-4))

    got_request_exception.connect(keep)
    try:
        yield found
    finally:
        got_request_exception.disconnect(keep)


def _modes(operation: Any) -> list[GenerationMode]:
    """Negative data needs something typed to break: a body, a query, a typed path id (a
    free-text username cannot be wrong, and hypothesis would search in vain for one)."""
    typed_path = any(
        p.definition.get("schema", {}).get("type") != "string" for p in operation.path_parameters
    )
    if len(operation.query) or len(operation.body) or typed_path:
        return [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    return [GenerationMode.POSITIVE]


_ANY = AnyIds()


def _run(operation: Any, mode: GenerationMode, send: Any) -> None:
    @settings(
        max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @given(case=operation.as_strategy(generation_mode=mode), real=st.booleans())
    def run(case: Any, real: bool) -> None:
        send(case, real)

    run()


@pytest.mark.usefixtures("no_pdf")
def test_no_server_errors_for_any_role(world: World) -> None:
    """Each generated request is sent once per role (generating is half the cost)."""
    tokens = {role: _token(world.user(role).get_username()) for role in ROLES}
    with _wsgi_in_the_test_transaction() as app:
        # The description is served to signed-in users only: read it with a token.
        officer = {"Authorization": f"Token {tokens[ROLES[0]]}"}
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", app, headers=officer)
        _sweep(world, schema, tokens)


def _sweep(world: World, schema: Any, tokens: dict[str, str]) -> None:
    failures: list[str] = []

    def as_every_role(case: Any, real: bool, errors: list[str]) -> None:
        if real and case.path_parameters:
            case.path_parameters = _real_ids(world, case.path, case.path_parameters)
        for role, token in tokens.items():
            headers = {"Authorization": f"Token {token}"}
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=[not_a_server_error], headers=headers)
            except FailureGroup:
                failures.append(
                    f"as {role}: {case.method} {case.formatted_path} → {response.status_code}\n"
                    f"    {case.as_curl_command(headers=headers)}\n{errors[-1] if errors else ''}"
                )

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 70  # the schema is the whole API, not an empty document
    with _server_tracebacks() as errors:
        for operation in operations:
            for mode in _modes(operation):
                _run(operation, mode, lambda case, real: as_every_role(case, real, errors))
    assert not failures, "server errors:\n" + "\n".join(failures[:10])


# ---- edge values the generator seldom reaches -------------------------------------------------

EDGES = ["0001-01-01", "9999-12-31", "2023-02-29", "0001-01-01T00:00:00+14:00",
         "9999-12-31T23:59:59-12:00", "2024-02-29T24:00:00+08:00", ""]  # fmt: skip
TEXT_EDGES = ["长" * 10_000, "１２３４５", "\x00"]


def _body(key: str) -> dict[str, Any]:
    try:
        return dict(API[key].body(_ANY))
    except RuntimeError:  # a body read from the database (the gate's checklist): none here
        return {}


@pytest.mark.parametrize("key", sorted(k for k in API if _body(k)))
def test_api_bodies_take_edge_values(world: World, key: str) -> None:
    """Each date in a valid body set to each end of the calendar, each text to 10,000 Chinese
    characters, full-width digits, a NUL: a 4xx naming a field of the body, never a 500 (on
    PostgreSQL a value longer than its column is refused by the database, not by SQLite)."""
    call = API[key]
    if call.prepare:
        call.prepare(world)
    valid = call.body(world)
    for name, value in valid.items():
        if not isinstance(value, str):
            continue
        for edge in EDGES if A_DATE.match(value) else TEXT_EDGES:
            with transaction.atomic():
                response = send(world, key, call.persona, {**valid, name: edge})
                transaction.set_rollback(True)
            assert response.status_code < 500, (name, edge[:20])
            if response.status_code == 400:  # names a field of the body (or says what is wrong)
                assert set(response.json()) <= {*valid, "detail"}, (name, response.json())
