"""Audit completeness: every state-changing endpoint leaves an audit row.

`API` holds one valid call for each POST/PUT/PATCH/DELETE of the served OpenAPI schema; a new
one without a row fails `test_every_state_changing_endpoint_has_a_call`, naming it. Each call
must succeed and add at least one successful AuditEvent whose verb has a display name (the
audit screen shows it). The same call made by an officer or legal officer of another station
must be refused as a missing row (404) or a refusal (403), write nothing, and leave an
`access.denied` row. The web forms (test_form_fuzz.FORMS) get the same check with their valid
submissions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from casework.core.models import AuditEvent
from casework.core.verbs import verb_label
from casework.workflow import services as workflow
from tests.factories import api_for, login_data, ticks
from tests.security.conftest import web_client
from tests.security.test_form_fuzz import FORMS, upload
from tests.security.world import (
    ITEM,
    World,
    answer_flag,
    answer_supervision,
    png_bytes,
    release_seized,
    sign_draft,
)

Body = Callable[[World], dict[str, Any]]


def _none(w: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Call:
    """One valid call: who makes it, the path's ids (world keys), the body, what comes first."""

    persona: str
    ids: dict[str, str] = field(default_factory=dict)
    body: Body = _none
    prepare: Callable[[World], Any] | None = None
    multipart: bool = False


def _at(hours_ago: int) -> str:
    return (timezone.now() - timedelta(hours=hours_ago)).isoformat()


def _today(days: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _return_pending(w: World) -> None:
    """The pending case goes back to its handler for revision."""
    workflow.review_decide(by=w.user("legal_officer"), task_id=w["task"], decision="return",
                           reason="缺少笔录")  # fmt: skip


def _approve_ticks(w: World) -> dict[str, Any]:
    from casework.cases.models import Case

    case = Case.objects.get(pk=w["pending_case"])
    return {"decision": "approve", "checklist": ticks(case, "acceptance")}


CASE = {"id": "case"}
DRAFT_ITEM = {"id": "draft", "item_id": "draft_item"}

API: dict[str, Call] = {
    "POST /api/v1/auth/token/": Call("anonymous", body=lambda w: login_data("officer_xq1")),
    # ---- incidents ----
    "POST /api/v1/incidents/": Call("officer", body=lambda w: {
        "received_at": _at(1), "category": "纠纷", "summary": "口角", "location": "吾悦广场"}),
    "POST /api/v1/incidents/{id}/dispatch/": Call("officer", {"id": "incident"}),
    "POST /api/v1/incidents/{id}/close/": Call(
        "officer", {"id": "incident"}, lambda w: {"outcome": "调解完毕"}, answer_flag),
    "POST /api/v1/incidents/{id}/divert/": Call(
        "officer", {"id": "incident"}, lambda w: {"department": "区市场监管局"}, answer_flag),
    "POST /api/v1/incidents/{id}/flags/": Call(
        "legal_officer", {"id": "incident"}, lambda w: {"kind": "should_accept", "note": "应受案"}),
    "POST /api/v1/flags/{id}/answer/": Call(
        "officer", {"id": "flag"}, lambda w: {"answer": "已补充"}),
    "POST /api/v1/daily-items/{id}/answer/": Call(
        "instructor", {"id": "daily_item"}, lambda w: {"kind": "explanation", "answer": "调解中"}),
    # ---- cases and gates ----
    "POST /api/v1/cases/": Call("officer", body=lambda w: {
        "kind": "criminal", "title": "李某盗窃案", "summary": "盗窃电动车"}),
    "POST /api/v1/cases/{id}/parties/": Call("officer", CASE, lambda w: {
        "role": "victim", "name": "王五", "gender": "F"}),
    "POST /api/v1/cases/{id}/measures/": Call("officer", CASE, lambda w: {
        "party": w["suspect"], "kind": "summons", "started_at": _at(1)}),
    "POST /api/v1/cases/{id}/events/": Call("officer", CASE, lambda w: {
        "kind": "questioning_planned", "occurred_at": _at(1), "party": w["suspect"]}),
    "POST /api/v1/cases/{id}/supervision/": Call("legal_officer", CASE, lambda w: {
        "issue": "笔录不全", "required_correction": "补充", "due_on": _today(3)}),
    "POST /api/v1/supervision/{id}/answer/": Call(
        "officer", {"id": "supervision"}, lambda w: {"answer": "已补充"}),
    "POST /api/v1/cases/{id}/disposition/": Call("officer", CASE, lambda w: {
        "proposal": "行政拘留五日", "legal_basis": "第五十一条"}, answer_supervision),
    "POST /api/v1/cases/{id}/resubmit/": Call(
        "officer", {"id": "pending_case"}, lambda w: {"note": "已补正"}, _return_pending),
    "POST /api/v1/reviews/{id}/claim/": Call("legal_officer", {"id": "task"}),
    "POST /api/v1/reviews/{id}/decide/": Call("legal_officer", {"id": "task"}, _approve_ticks),
    "POST /api/v1/cases/{id}/outcomes/": Call("legal_officer", CASE, lambda w: {
        "kind": "reconsideration", "filed_on": _today()}),
    "POST /api/v1/cases/{id}/retrospectives/": Call("legal_officer", {"id": "pending_case"}),
    "POST /api/v1/deadlines/{id}/meet/": Call(
        "officer", {"id": "deadline"}, lambda w: {"note": "已办结"}),
    "POST /api/v1/holidays/": Call("legal_officer", body=lambda w: {
        "day": "2031-10-01", "name": "国庆节", "is_workday": False}),
    # ---- trips ----
    "POST /api/v1/trips/": Call("officer", body=lambda w: {
        "officers": ["officer_xq1"], "destination": {"province": "广东省", "city": "深圳市"},
        "departs_at": _at(-24), "returns_at": _at(-72), "purposes": ["arrest"]}),
    "POST /api/v1/reminders/{id}/acknowledge/": Call("officer", {"id": "reminder"}),
    # ---- inventories ----
    "POST /api/v1/cases/{id}/inventories/": Call("officer", CASE, lambda w: {
        "party": w["suspect"], "items": [ITEM]}),
    "POST /api/v1/inventories/{id}/items/": Call("officer", {"id": "draft"}, lambda w: ITEM),
    "PUT /api/v1/inventories/{id}/items/{item_id}/": Call(
        "officer", DRAFT_ITEM, lambda w: {**ITEM, "quantity": "2"}),
    "PATCH /api/v1/inventories/{id}/items/{item_id}/": Call(
        "officer", DRAFT_ITEM, lambda w: {"marks": "黑色"}),
    "POST /api/v1/inventories/{id}/items/{item_id}/remove/": Call("officer", DRAFT_ITEM),
    "POST /api/v1/inventories/{id}/items/{item_id}/photos/": Call(
        "officer", DRAFT_ITEM, lambda w: {"photo": _png()}, multipart=True),
    "POST /api/v1/inventories/{id}/sign/": Call("officer", {"id": "draft"}, lambda w: {
        "suspect_signature": "signed", "second_officer": "officer_xq2"}),
    "POST /api/v1/inventories/{id}/correct/": Call(
        "officer", {"id": "draft"}, lambda w: {"reason": "数量有误"}, sign_draft),
    "POST /api/v1/inventories/{id}/items/{item_id}/dispose/": Call(
        "officer", {"id": "inventory", "item_id": "open_item"}, lambda w: {
            "disposition": "custody", "locker": "A-12", "custodian": "keeper_xq"}),
    "POST /api/v1/inventories/{id}/items/{item_id}/hand-over/": Call(
        "officer", {"id": "inventory", "item_id": "seized_item"},
        lambda w: {"custodian": "keeper_xq"}),
    "POST /api/v1/inventories/{id}/items/{item_id}/release/": Call(
        "officer", {"id": "inventory", "item_id": "seized_item"}, lambda w: {"note": "无关"}),
    "POST /api/v1/inventories/{id}/items/{item_id}/return/": Call(
        "officer", {"id": "inventory", "item_id": "seized_item"},
        lambda w: {"returned_to": "张三"}, release_seized),
    # ---- retrospectives, actions ----
    "POST /api/v1/retrospectives/{id}/findings/": Call(
        "legal_officer", {"id": "retrospective"}, lambda w: {
            "category": "document_defect", "description": "文书未签名"}),
    "POST /api/v1/retrospectives/{id}/actions/": Call(
        "legal_officer", {"id": "retrospective"}, lambda w: {
            "finding": w["finding"], "description": "核对", "owner": "officer_xq2",
            "due_on": _today(7)}),
    "POST /api/v1/actions/{id}/evidence/": Call(
        "officer", {"id": "action"}, lambda w: {"attachment": [_png()]}, multipart=True),
    "POST /api/v1/actions/{id}/complete/": Call(
        "officer", {"id": "action"}, lambda w: {"evidence": "已整改"}),
    "POST /api/v1/actions/{id}/verify/": Call(
        "legal_officer", {"id": "done_action"}, lambda w: {"accepted": True}),
    # ---- conduct ----
    "POST /api/v1/conduct/{id}/object/": Call(
        "officer", {"id": "record"}, lambda w: {"text": "并非本人经办"}),
    "POST /api/v1/conduct/{id}/decide/": Call(
        "instructor", {"id": "objected"}, lambda w: {"upheld": False, "note": "经核实"}),
    "POST /api/v1/talks/{id}/hold/": Call(
        "instructor", {"id": "talk"}, lambda w: {"minutes": "谈话", "follow_up": "回访"}),
}  # fmt: skip

# POSTs that change nothing, and why.
READ_ONLY = {
    "POST /api/v1/rules/preview/": "evaluates the rules for a sample trip; stores nothing",
}

# Web posts that change no record of the work (FORMS keys), and why.
WEB_NOT_AUDITED = {
    "set-language": "a display preference kept in the session",
    "audit-search": "a search (GET)",
    "rule-preview": "a search (GET)",
}


def _png() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("照片.png", png_bytes(), "image/png")


def _schema_operations() -> set[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"post", "put", "patch", "delete"}
    }


def _successes() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(outcome=AuditEvent.Outcome.SUCCESS).order_by("pk"))


def send(world: World, key: str, persona: str, body: dict[str, Any] | None = None) -> Any:
    """Make the call of `API[key]` as `persona` (with another body, if given)."""
    call = API[key]
    method, path = key.split(" ", 1)
    for name, row in call.ids.items():
        path = path.replace(f"{{{name}}}", str(world[row]))
    client = APIClient() if persona == "anonymous" else api_for(world.user(persona))
    body = call.body(world) if body is None else body
    if call.multipart:
        return getattr(client, method.lower())(path, body, format="multipart")
    return getattr(client, method.lower())(path, body, format="json")


def test_every_state_changing_endpoint_has_a_call() -> None:
    served = _schema_operations()
    missing = sorted(served - set(API) - set(READ_ONLY))
    assert not missing, "state-changing endpoints without a call in API:\n" + "\n".join(missing)
    assert not sorted(set(API) - served), "calls for endpoints the schema no longer has"


@pytest.mark.parametrize("key", sorted(API))
def test_each_api_change_leaves_an_audit_row(world: World, key: str) -> None:
    call = API[key]
    if call.prepare:
        call.prepare(world)
    before = {e.pk for e in _successes()}
    response = send(world, key, call.persona)
    assert response.status_code < 300, (response.status_code, response.content[:500])
    new = [e for e in _successes() if e.pk not in before]
    assert new, f"{key} changed state without an audit row"
    assert all(verb_label(e.verb) != e.verb for e in new), [e.verb for e in new]


@pytest.mark.parametrize("persona", ["other_station_officer", "other_station_legal"])
@pytest.mark.parametrize("key", sorted(k for k, c in API.items() if c.ids))
def test_another_station_cannot_change_xq_rows(world: World, key: str, persona: str) -> None:
    call = API[key]
    if call.prepare:
        call.prepare(world)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = send(world, key, persona)
    assert response.status_code in {403, 404}, (response.status_code, response.content[:300])
    verbs = list(AuditEvent.objects.filter(pk__gt=last).values_list("verb", flat=True))
    assert verbs == ["access.denied"], f"{key} as {persona}: {verbs}"


@pytest.mark.parametrize(
    "name", sorted(n for n in FORMS if n not in WEB_NOT_AUDITED and FORMS[n].method == "post")
)
def test_each_web_form_leaves_an_audit_row(world: World, name: str) -> None:
    form = FORMS[name]
    if form.prepare:
        form.prepare(world)
    client = web_client(world, form.persona)
    before = {e.pk for e in _successes()}
    response = client.post(form.url(world), upload(form.data(world)))
    assert response.status_code == 302, f"{name} refused its valid submission"
    new = [e for e in _successes() if e.pk not in before]
    assert new, f"{name} changed state without an audit row"
    assert all(verb_label(e.verb) != e.verb for e in new), [e.verb for e in new]


def test_opening_a_retrospective_from_the_case_page_is_audited(world: World) -> None:
    client = web_client(world, "legal_officer")
    before = {e.pk for e in _successes()}
    response = client.post(f"/reviews/open/{world['pending_case']}/")
    assert response.status_code == 302
    assert [e.verb for e in _successes() if e.pk not in before] == ["reviews.opened"]
