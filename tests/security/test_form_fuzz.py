"""Every web form, fuzzed: Chinese text, full-width digits, 10,000-character strings and
boundary dates, posted by the user the form is for.

Each example starts from a valid submission and replaces one to three of its fields. Whatever
the values, the answer is never a server error; a form shown again names the fields it
refuses; and a post that was refused (no new audit row: every change writes one) stored
nothing — the counted tables are as they were. Each example runs in a savepoint that is
rolled back, so every one starts from the same world.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields, is_dataclass
from datetime import timedelta
from typing import Any

import pytest
from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Model
from django.test import Client
from django.urls import resolve
from django.utils import timezone
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from casework.cases.models import (
    Case,
    CaseEvent,
    ChecklistItem,
    GateDecision,
    Incident,
    IncidentFlag,
    Measure,
    Party,
    SupervisionItem,
)
from casework.conduct.models import ConductRecord, Talk
from casework.core.models import AuditEvent
from casework.deadlines.models import Holiday
from casework.inventory.models import Inventory, ItemPhoto, PropertyItem, Seizure
from casework.reviews.models import ActionEvidence, CorrectiveAction, Finding, RuleProposal
from casework.rules.models import Rule, RuleRevision
from casework.trips.models import Trip
from tests.factories import login_data
from tests.security.conftest import web_client
from tests.security.urlwalk import url_patterns
from tests.security.world import (
    World,
    answer_flag,
    answer_supervision,
    png_bytes,
    release_seized,
    sign_draft,
)

EXAMPLES = int(os.environ.get("FORM_FUZZ_EXAMPLES", "12"))

# ---- the values -------------------------------------------------------------------------------

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)  # CJK unified ideographs
CHINESE = st.text(HAN, min_size=1, max_size=40)
FULL_WIDTH = st.text(st.sampled_from("０１２３４５６７８９"), min_size=1, max_size=12) | (
    st.sampled_from(["１２．５", "－１", "２０２６－０２－２９", "１０，０００"])
)
LONG = st.sampled_from(["长" * 10_000, "x" * 10_001, "９" * 10_000, "张三，" * 3_334])
DATES = st.sampled_from([
    "0001-01-01", "9999-12-31", "2024-02-29", "2023-02-29", "2月29日", "0000-00-00",
    "0001-01-01T00:00", "9999-12-31T23:59", "2024-02-29T24:00", "1970-01-01T00:00:00+14:00", "",
])  # fmt: skip
ODD = st.sampled_from([" ", "\x00", "-1", "0", "1e309", "NaN", "🚓" * 3, "<script>", "' OR 1=1 --"])
NASTY = st.one_of(CHINESE, FULL_WIDTH, LONG, DATES, ODD)

# ---- the forms --------------------------------------------------------------------------------


def _local(moment: Any) -> str:
    return str(timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M"))


def _ago(hours: int) -> str:
    return _local(timezone.now() - timedelta(hours=hours))


def _in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@dataclass(frozen=True)
class Form:
    """One form: where it posts, as whom, a valid submission, the tables it writes."""

    url: Callable[[World], str]
    persona: str
    data: Callable[[World], dict[str, Any]]
    models: tuple[type[Model], ...] = ()
    method: str = "post"
    # Keys that choose the handler rather than carry input (fuzzing them only says "未知操作").
    fixed: tuple[str, ...] = ("action", "form")
    # Keys naming the row acted on: with another value there is no row on the page to show
    # a form's errors on, so only "no server error, nothing stored" holds.
    ids: tuple[str, ...] = ("item", "target")
    # What must happen first for the valid submission to be accepted (run once per test).
    prepare: Callable[[World], Any] | None = None


def case_url(w: World) -> str:
    return f"/cases/{w['case']}/"


def inv_url(key: str) -> Callable[[World], str]:
    return lambda w: f"/inventory/{w[key]}/"


def retro_url(w: World) -> str:
    return f"/reviews/{w['retrospective']}/"


FORMS: dict[str, Form] = {
    "case-create": Form(
        lambda w: "/cases/create/", "officer",
        lambda w: {"kind": "administrative", "title": "张某殴打他人案", "summary": "殴打",
                   "occurred_at": _ago(3), "handlers": "officer_xq1，officer_xq2",
                   "incident": w["incident"]},
        (Case,),
    ),
    "case-party": Form(
        case_url, "officer",
        lambda w: {"action": "party", "role": "witness", "name": "王五",
                   "id_number": "11010519491231002X", "gender": "F", "birth_date": "1949-12-31"},
        (Party,),
    ),
    "case-measure": Form(
        case_url, "officer",
        lambda w: {"action": "measure", "party": w["suspect"], "kind": "summons",
                   "started_at": _ago(2), "ended_at": _ago(1)},
        (Measure,),
    ),
    "case-event": Form(
        case_url, "officer",
        lambda w: {"action": "event", "kind": "questioning_planned", "occurred_at": _ago(1),
                   "party": w["suspect"], "note": "拟询问"},
        (CaseEvent,),
    ),
    "case-disposition": Form(
        case_url, "officer",
        lambda w: {"action": "disposition", "proposal": "行政拘留五日",
                   "legal_basis": "第五十一条"},
        prepare=answer_supervision,
    ),
    "case-supervision": Form(
        case_url, "legal_officer",
        lambda w: {"action": "supervision", "issue": "笔录不全", "required_correction": "补充",
                   "due_on": _in_days(3)},
        (SupervisionItem,),
    ),
    "case-answer": Form(
        case_url, "officer",
        lambda w: {"action": "answer", "item": w["supervision"], "answer": "已补充"},
    ),
    "case-meet": Form(
        case_url, "officer",
        lambda w: {"action": "meet", "deadline": w["deadline"], "note": "已办结"},
    ),
    "gate": Form(
        lambda w: f"/cases/tasks/{w['task']}/", "legal_officer",
        lambda w: {"decision": "return", "reason": "缺少报案人询问笔录"},
        (GateDecision,),
    ),
    "checklists": Form(
        lambda w: "/cases/checklists/", "legal_officer",
        lambda w: {"item_id": "", "kind": "administrative", "gate": "acceptance",
                   "text": "是否告知权利义务", "points": "0", "is_active": "on"},
        (ChecklistItem,),
    ),
    "incident-create": Form(
        lambda w: "/cases/incidents/create/", "officer",
        lambda w: {"source": "110", "received_at": _ago(1), "category": "纠纷",
                   "location": "吾悦广场", "reporter": "赵六", "reporter_phone": "13800000000",
                   "summary": "口角"},
        (Incident,),
    ),
    "incident-flag": Form(
        lambda w: f"/cases/incidents/{w['incident']}/", "legal_officer",
        lambda w: {"action": "flag", "kind": "should_accept", "note": "应当受案"},
        (IncidentFlag,),
    ),
    "incident-close": Form(
        lambda w: f"/cases/incidents/{w['incident']}/", "officer",
        lambda w: {"action": "close", "outcome": "调解完毕"}, prepare=answer_flag,
    ),
    "incident-divert": Form(
        lambda w: f"/cases/incidents/{w['incident']}/", "officer",
        lambda w: {"action": "divert", "department": "区市场监管局", "note": "移交"},
        prepare=answer_flag,
    ),
    "incident-answer": Form(
        lambda w: f"/cases/incidents/{w['incident']}/", "officer",
        lambda w: {"action": "answer", "flag": w["flag"], "answer": "已补充"},
    ),
    "daily-answer": Form(
        lambda w: f"/cases/daily/{w['report']}/", "instructor",
        lambda w: {"item": w["daily_item"], f"item{w['daily_item']}-kind": "explanation",
                   f"item{w['daily_item']}-answer": "正在调解"},
    ),
    "inventory-create": Form(
        lambda w: f"/inventory/create/?case={w['case']}", "officer",
        lambda w: {"party": w["suspect"], "taken_at": _ago(1), "place": "办案区",
                   "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0",
                   "items-0-category": "cash", "items-0-name": "人民币",
                   "items-0-quantity": "", "items-0-unit": "元", "items-0-d100": "3",
                   "items-0-d0_5": "2", "items-0-marks": "", "items-0-description": ""},
        (Inventory, PropertyItem),
    ),
    "inventory-add": Form(
        inv_url("draft"), "officer",
        lambda w: {"action": "add", "add-category": "phone", "add-name": "手机",
                   "add-quantity": "1", "add-unit": "部", "add-size": "", "add-marks": "黑色"},
        (PropertyItem,),
    ),
    "inventory-update": Form(
        inv_url("draft"), "officer",
        lambda w: {"action": "update", "item": w["draft_item"],
                   **{f"update-{w['draft_item']}-{k}": v for k, v in {
                       "category": "phone", "name": "手机", "quantity": "2", "unit": "部",
                       "condition": "完好"}.items()}},
        (PropertyItem,),
    ),
    "inventory-remove": Form(
        inv_url("draft"), "officer", lambda w: {"action": "remove", "item": w["draft_item"]},
    ),
    "inventory-photo": Form(
        inv_url("draft"), "officer",
        lambda w: {"action": "photo", "item": w["draft_item"],
                   f"photo-{w['draft_item']}-photo": png_bytes()},
        (ItemPhoto,),
    ),
    "inventory-sign": Form(
        inv_url("draft"), "officer",
        lambda w: {"action": "sign", "sign-suspect_signature": "refused",
                   "sign-second_officer": "officer_xq2", "sign-witness_name": "",
                   "sign-refusal_reason": "拒绝签名"},
    ),
    "inventory-correct": Form(
        inv_url("draft"), "officer",
        lambda w: {"action": "correct", "correct-reason": "数量登记有误"},
        (Inventory,), prepare=sign_draft,
    ),
    "inventory-dispose": Form(
        inv_url("inventory"), "officer",
        lambda w: {"action": "dispose", "item": w["open_item"],
                   **{f"dispose-{w['open_item']}-{k}": v for k, v in {
                       "disposition": "custody", "locker": "A-12", "custodian": "keeper_xq",
                       "receiver": "", "receiver_relation": "", "note": "代保管"}.items()}},
    ),
    "inventory-hand-over": Form(
        inv_url("inventory"), "officer",
        lambda w: {"action": "hand_over", "item": w["seized_item"],
                   f"hand_over-{w['seized_item']}-custodian": "keeper_xq"},
        (Seizure,),
    ),
    "inventory-release": Form(
        inv_url("inventory"), "officer",
        lambda w: {"action": "release", "item": w["seized_item"],
                   f"release-{w['seized_item']}-note": "与案件无关"},
        (Seizure, CaseEvent),
    ),
    "inventory-return": Form(
        inv_url("inventory"), "officer",
        lambda w: {"action": "return", "item": w["seized_item"],
                   f"return-{w['seized_item']}-returned_to": "张三"},
        prepare=release_seized,
    ),
    "retro-finding": Form(
        retro_url, "legal_officer",
        lambda w: {"form": "finding", "finding-category": "document_defect",
                   "finding-description": "文书未签名", "finding-cause": "疏忽",
                   "finding-officer": "officer_xq1"},
        (Finding, ConductRecord),
    ),
    "retro-action": Form(
        retro_url, "legal_officer",
        lambda w: {"form": "action", "action-finding": w["finding"],
                   "action-description": "逐项核对", "action-owner": "officer_xq2",
                   "action-due_on": _in_days(10)},
        (CorrectiveAction,),
    ),
    "retro-complete": Form(
        retro_url, "officer",
        lambda w: {"form": "complete", "target": w["action"],
                   f"complete-{w['action']}-evidence": "已整改"},
        (ActionEvidence,),
    ),
    "retro-verify": Form(
        retro_url, "legal_officer",
        lambda w: {"form": "verify", "target": w["done_action"],
                   f"verify-{w['done_action']}-decision": "reject",
                   f"verify-{w['done_action']}-note": "佐证不足"},
    ),
    "my-actions-complete": Form(
        lambda w: "/reviews/", "officer",
        lambda w: {"target": w["action"], f"complete-{w['action']}-evidence": "已整改"},
        (ActionEvidence,),
    ),
    "proposal": Form(
        lambda w: "/reviews/proposals/", "legal_officer",
        lambda w: {"target": w["proposal"], f"proposal-{w['proposal']}-decision": "accept",
                   f"proposal-{w['proposal']}-title": "防止程序违规",
                   f"proposal-{w['proposal']}-text": "出发前核对程序"},
        (Rule, RuleProposal),
    ),
    "objection": Form(
        lambda w: "/conduct/", "officer",
        lambda w: {"target": w["record"], f"objection-{w['record']}-text": "并非本人经办"},
    ),
    "objection-decide": Form(
        lambda w: "/conduct/station/", "instructor",
        lambda w: {"form": "decide", "target": w["objected"],
                   f"decide-{w['objected']}-decision": "dismiss",
                   f"decide-{w['objected']}-note": "经核实属实"},
    ),
    "talk-hold": Form(
        lambda w: "/conduct/station/", "instructor",
        lambda w: {"form": "talk", "target": w["talk"], f"talk-{w['talk']}-minutes": "谈话记录",
                   f"talk-{w['talk']}-follow_up": "一个月后回访"},
        (Talk,),
    ),
    "trip-create": Form(
        lambda w: "/trips/create/", "officer",
        lambda w: {"officers": "officer_xq1，officer_xq2", "province": "广东省",
                   "city": "深圳市", "county": "南山区", "departs_at": _local(timezone.now()
                   + timedelta(days=1)), "returns_at": _local(timezone.now() + timedelta(days=3)),
                   "purposes": ["arrest", "search"], "suspect_gender": "M", "suspect_age": "30"},
        (Trip,),
    ),
    "trip-note": Form(
        lambda w: f"/trips/{w['trip']}/", "legal_officer",
        lambda w: {"action": "note", "text": "注意安全"},
    ),
    "trip-acknowledge": Form(
        lambda w: f"/trips/{w['trip']}/", "officer", lambda w: {"action": "acknowledge"},
        fixed=(),
    ),
    "rule-version": Form(
        lambda w: f"/rules/{w['rule']}/", "legal_officer",
        lambda w: {"valid_from": _in_days(30), "note": "新法施行"},
        (Rule, RuleRevision),
    ),
    "rule-edit": Form(
        lambda w: f"/rules/{w['rule']}/edit/", "legal_officer",
        lambda w: {"title": "异地办案协作", "category": "trip", "severity": "warning",
                   "verified": "VERIFIED", "enabled": "on", "valid_from": "2020-01-01",
                   "valid_to": "", "conditions": '{"field": "out_of_area", "op": "is_true"}',
                   "legal_basis": "公安机关办理刑事案件程序规定 | 第三百四十五条 | 2020",
                   "text": "在外执法办案必须向当地公安机关提出协作请求", "trigger_event": "",
                   "offset_value": "", "offset_unit": "", "day_kind": "calendar",
                   "rungs": "12，4", "note": "核对原文"},
        (Rule, RuleRevision),
    ),
    "holiday-set": Form(
        lambda w: "/calendar/", "legal_officer",
        lambda w: {"day": "2031-10-01", "is_workday": "0", "name": "国庆节"},
        (Holiday,),
    ),
    "holiday-remove": Form(
        lambda w: "/calendar/", "legal_officer",
        lambda w: {"action": "remove", "day": "2030-10-01"},
        (Holiday,),
    ),
    "login": Form(
        lambda w: "/accounts/login/", "anonymous", lambda w: login_data("officer_xq1"),
    ),
    "set-language": Form(
        lambda w: "/i18n/setlang/", "officer", lambda w: {"language": "en", "next": "/home/"},
    ),
    # Search forms (GET): the same values in the query string.
    "audit-search": Form(
        lambda w: "/audit/", "auditor",
        lambda w: {"verb": "cases.gate_approve", "actor": "legal_xq", "outcome": "success",
                   "since": "2026-01-01", "until": "2026-12-31"},
        method="get",
    ),
    "rule-preview": Form(
        lambda w: "/rules/preview/", "officer",
        lambda w: {"province": "广东省", "city": "深圳市", "county": "", "purposes": "arrest",
                   "departs_at": _ago(0), "officers_count": "2", "suspect_age": "17"},
        method="get",
    ),
}  # fmt: skip


class AnyIds(World):
    """Any id names a form's URL well enough to resolve it."""

    def __init__(self) -> None:
        super().__init__(users={})

    def __getitem__(self, key: str) -> Any:
        return 1


# ---- what a refused form must show ------------------------------------------------------------


def _bound_forms(value: Any, depth: int = 0) -> Iterator[forms.BaseForm]:
    """The bound forms anywhere in a page's context (rows of many forms included)."""
    if depth > 4 or value is None or isinstance(value, str | bytes | int | Model):
        return
    if isinstance(value, forms.BaseForm):
        if value.is_bound:
            yield value
    elif isinstance(value, forms.BaseFormSet):
        if value.is_bound:
            yield from value.forms
    elif isinstance(value, dict):
        for item in value.values():
            yield from _bound_forms(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _bound_forms(item, depth + 1)
    elif is_dataclass(value):
        for f in fields(value):
            yield from _bound_forms(getattr(value, f.name), depth + 1)
    elif hasattr(value, "head") and hasattr(value, "items"):  # the inventory entry
        yield from _bound_forms([value.head, value.items], depth + 1)


def _context_values(response: Any) -> list[Any]:
    """Every value of the page's template contexts (none for a redirect)."""
    contexts = response.context
    if contexts is None:
        return []
    if not isinstance(contexts, list):
        contexts = [contexts]
    return [value for context in contexts for value in context.flatten().values()]


def _unnamed_errors(values: list[Any]) -> list[str]:
    return [
        f"{type(form).__name__}: an error on {name!r}, which is not one of its fields"
        for form in _bound_forms(values)
        for name in form.errors
        if name != "__all__" and name not in form.fields
    ]


def _says_what_is_wrong(response: Any, values: list[Any]) -> bool:
    """A bound form with errors, or an error message (a refusal that names no field)."""
    storage = response.wsgi_request._messages  # a page that showed them moved them to loaded
    shown = [*storage._loaded_messages, *storage._queued_messages]
    said = [m for m in shown if m.level == messages.ERROR]
    return bool(said) or any(form.errors for form in _bound_forms(values))


def _snapshot(models: tuple[type[Model], ...]) -> dict[str, int]:
    counts = {m.__name__: m.objects.count() for m in models}
    counts["audit rows"] = AuditEvent.objects.filter(outcome=AuditEvent.Outcome.SUCCESS).count()
    return counts


def upload(data: dict[str, Any]) -> dict[str, Any]:
    """A file field's value becomes a file: bytes as its content, text as name and content."""
    files = {
        k: SimpleUploadedFile("照片.png", v, "image/png") if isinstance(v, bytes)
        else SimpleUploadedFile(str(v)[:200] or "x", str(v).encode(), "image/png")
        for k, v in data.items() if k.endswith("-photo")
    }  # fmt: skip
    return {**data, **files}


def _submit(client: Client, form: Form, url: str, data: dict[str, Any]) -> Any:
    if form.method == "get":
        return client.get(url, data)
    return client.post(url, upload(data))


def _check(
    client: Client, name: str, url: str, valid: dict[str, Any], changes: dict[str, Any]
) -> None:
    """Post `valid` with `changes`, in a savepoint rolled back afterwards, and check the answer."""
    form = FORMS[name]
    with transaction.atomic():
        before = _snapshot(form.models)
        response = _submit(client, form, url, {**valid, **changes})
        after = _snapshot(form.models)
        transaction.set_rollback(True)
    assert response.status_code < 500
    context = _context_values(response)
    assert not _unnamed_errors(context)
    if form.method == "post" and after["audit rows"] == before["audit rows"]:
        # Refused (every change writes an audit row): nothing else was written either.
        assert after == before, f"a refused post changed {before} → {after}"
        shown_again = response.status_code == 200 and name not in {"login", "set-language"}
        if shown_again and not set(changes) & set(form.ids):
            assert _says_what_is_wrong(response, context), "refused without saying why"


@pytest.mark.parametrize("name", sorted(FORMS))
def test_form_survives_hostile_input(world: World, name: str) -> None:
    form = FORMS[name]
    if form.prepare:
        form.prepare(world)
    client = web_client(world, form.persona)
    url, valid = form.url(world), form.data(world)
    keys = sorted(k for k in valid if k not in form.fixed) or ["extra"]

    @settings(
        max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )  # fmt: skip
    @given(changes=st.dictionaries(st.sampled_from(keys), NASTY, min_size=1, max_size=3))
    def post(changes: dict[str, str]) -> None:
        note({k: v if len(v) < 50 else f"{v[:10]}…({len(v)} chars)" for k, v in changes.items()})
        _check(client, name, url, valid, changes)

    post()


# Every field gets each of these, whatever hypothesis happened to draw: a date or time field
# the ends of the calendar, any other text field 10,000 characters, a NUL, a blank.
BOUNDARIES = ["0001-01-01", "9999-12-31", "0001-01-01T00:00", "9999-12-31T23:59",
              "2024-02-29", "2023-02-29", "2024-02-29T24:00", ""]  # fmt: skip
TEXT_EDGES = ["长" * 10_000, "\x00", " "]
A_DATE = re.compile(r"^\d{4}-\d\d-\d\d")


@pytest.mark.parametrize("name", sorted(FORMS))
def test_form_takes_edge_values(world: World, name: str) -> None:
    form = FORMS[name]
    if form.prepare:
        form.prepare(world)
    client = web_client(world, form.persona)
    url, valid = form.url(world), form.data(world)
    for key, value in valid.items():
        if key in form.fixed or key in form.ids or not isinstance(value, str):
            continue
        for edge in BOUNDARIES if A_DATE.match(value) else TEXT_EDGES:
            _check(client, name, url, valid, {key: edge})


def test_every_form_view_is_fuzzed() -> None:
    """A web view that takes a POST has a row here, so a new form is fuzzed from day one."""
    fuzzed = {resolve(f.url(AnyIds()).split("?")[0]).view_name for f in FORMS.values()}
    no_input = {
        "reviews:retrospective-open",  # a button: the case id is in the path
        "logout",  # a button
        "index",  # viewflow's redirect to the home page
    }
    missing = sorted(
        p.key for p in url_patterns()
        if p.named and not p.key.startswith(("api:", "admin:"))
        and hasattr(p.view, "post") and p.key not in fuzzed | no_input
    )  # fmt: skip
    assert not missing, f"form views without a row in FORMS: {missing}"
