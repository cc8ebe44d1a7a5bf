"""One station's worth of real objects for the security sweeps, built through the services.

Every URL of the matrix and every state-changing endpoint of the audit table points at a row
of station XQ made here, so a detail page is reached with a real id and a refusal is a real
refusal, not a 404 for a missing row. Station PL has only its people: they must see nothing.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from PIL import Image

from casework.cases import daily
from casework.cases import services as cases
from casework.cases.models import Case, DailyIncidentItem, DailyIncidentReport, Incident
from casework.conduct import services as conduct
from casework.conduct.models import ConductRecord, Talk
from casework.deadlines.models import Deadline
from casework.deadlines.services import holiday_set
from casework.inventory import services as inventory
from casework.inventory.models import Inventory, ItemPhoto, PropertyItem
from casework.org.models import Station
from casework.reviews import services as reviews
from casework.reviews.models import ActionEvidence, CorrectiveAction, Retrospective, RuleProposal
from casework.rules.models import Rule
from casework.rules.services import rules_load
from casework.trips.models import Reminder, Trip
from casework.trips.services import trip_register
from casework.workflow import services as workflow
from casework.workflow.selectors import review_queue
from tests.factories import StationFactory, make_officer, ticks

LIBRARY = Path(__file__).resolve().parents[2] / "fixtures" / "rules.json"
SUSPECT = {"role": "suspect", "gender": "M", "birth_date": None}
ITEM = {"category": "phone", "name": "手机", "quantity": "1", "unit": "部"}
FAR = {"province": "广东省", "city": "深圳市", "county": "南山区"}


def png_bytes() -> bytes:
    """A real (tiny) PNG: the upload checks read the content, not the name."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


# The personas of tests/conftest.py, plus the people a few steps need (a second officer to
# witness a signature, a custodian who never handles the case).
PEOPLE: dict[str, tuple[str, str | None, list[str]]] = {
    "officer": ("officer_xq1", "XQ", ["officer"]),
    "officer2": ("officer_xq2", "XQ", ["officer"]),
    "keeper": ("keeper_xq", "XQ", ["officer"]),
    "auxiliary": ("aux_xq1", "XQ", ["auxiliary"]),
    "legal_officer": ("legal_xq", "XQ", ["legal_officer"]),
    "chief": ("chief_xq", "XQ", ["chief"]),
    "instructor": ("instructor_xq", "XQ", ["instructor"]),
    "other_station_officer": ("officer_pl1", "PL", ["officer"]),
    "other_station_legal": ("legal_pl", "PL", ["legal_officer"]),
    "bureau_legal": ("bureau_legal", None, ["bureau_legal"]),
    "auditor": ("auditor", None, ["auditor"]),
}


@dataclass
class World:
    """Users by persona name and the ids of XQ's rows (ids, not instances: each test runs
    in a savepoint over this data and may change any row)."""

    users: dict[str, AbstractBaseUser]
    ids: dict[str, Any] = field(default_factory=dict)

    def user(self, persona: str) -> AbstractBaseUser:
        return self.users[persona]

    def __getitem__(self, key: str) -> Any:
        return self.ids[key]


def _stations() -> dict[str, Station]:
    return {
        "XQ": StationFactory(
            code="XQ", name="新区派出所", province="山东省", city="东营市", county="东营区"
        ),
        "PL": StationFactory(
            code="PL", name="彭李派出所", bureau="滨州市公安局滨城分局", city="滨州市",
            county="滨城区",
        ),
    }  # fmt: skip


def _people(stations: dict[str, Station]) -> dict[str, AbstractBaseUser]:
    return {
        persona: make_officer(username, station=stations[code] if code else None, roles=roles).user
        for persona, (username, code, roles) in PEOPLE.items()
    }


def _incidents(w: World) -> None:
    officer, legal = w.user("officer"), w.user("legal_officer")
    earlier = timezone.now() - timedelta(days=2)
    incident = cases.incident_register(
        by=officer, received_at=earlier, category="纠纷", location="吾悦广场", summary="口角"
    )
    flag = cases.incident_flag(by=legal, incident_id=incident.pk, kind="other", note="请补充")
    # 每日警情分析表: today's, with the open incident as an unanswered item.
    daily.daily_reports_make(now=timezone.now())
    report = DailyIncidentReport.objects.get(station__code="XQ")
    item = DailyIncidentItem.objects.get(report=report, incident=incident)
    w.ids.update(incident=incident.pk, flag=flag.pk, report=report.pk, daily_item=item.pk)


def _accept(w: World, case: Case) -> None:
    legal = w.user("legal_officer")
    task = review_queue(user=legal).get(process__caseprocess__case=case)
    workflow.review_decide(
        by=legal, task_id=task.pk, decision="approve", checklist=ticks(case, "acceptance")
    )


def _cases(w: World) -> None:
    """`case`: investigating, with suspects, a measure (its clocks) and an open supervision
    item; `pending_case`: waiting at the acceptance review (`task`)."""
    officer, legal = w.user("officer"), w.user("legal_officer")
    case = workflow.case_start(
        by=officer, kind="administrative", title="张某殴打他人案", summary="殴打"
    )
    # Parties and measures first: recorded after the acceptance they would reopen it.
    suspect = workflow.party_add(by=officer, case_id=case.pk, name="张三", **SUSPECT)
    second = workflow.party_add(by=officer, case_id=case.pk, name="李四", **SUSPECT)
    workflow.measure_add(
        by=officer, case_id=case.pk, party_id=suspect.pk, kind="summons",
        started_at=timezone.now() - timedelta(hours=1),
    )  # fmt: skip
    _accept(w, case)
    item = cases.supervision_open(
        by=legal, case_id=case.pk, issue="未全程开启执法记录仪", required_correction="补充说明",
        due_on=timezone.localdate() + timedelta(days=7),
    )  # fmt: skip
    pending = workflow.case_start(
        by=officer, kind="administrative", title="王某盗窃案", summary="盗窃"
    )
    task = review_queue(user=legal).get(process__caseprocess__case=pending)
    w.ids.update(
        case=case.pk, suspect=suspect.pk, suspect2=second.pk, supervision=item.pk,
        deadline=Deadline.objects.filter(case=case).order_by("pk").first().pk,  # type: ignore[union-attr]
        pending_case=pending.pk, task=task.pk,
    )  # fmt: skip


def _inventories(w: World) -> None:
    """`inventory`: signed, one item seized (`seized_item`), one open (`open_item`);
    `draft`: a draft with `draft_item` and its `photo`."""
    officer = w.user("officer")
    keys = {**ITEM, "name": "钥匙", "unit": "把"}
    signed = inventory.inventory_open(
        by=officer, case_id=w["case"], party_id=w["suspect"], items=[ITEM, keys]
    )
    inventory.inventory_sign(
        by=officer, inventory_id=signed.pk, suspect_signature="signed", second_officer="officer_xq2"
    )
    seized, open_item = signed.items.order_by("line")
    inventory.item_dispose(by=officer, item_id=seized.pk, disposition="seized")
    draft = inventory.inventory_open(
        by=officer, case_id=w["case"], party_id=w["suspect2"], items=[ITEM]
    )
    draft_item = draft.items.get()
    photo = inventory.photo_add(by=officer, item_id=draft_item.pk, data=png_bytes())
    w.ids.update(
        inventory=signed.pk, seized_item=seized.pk, open_item=open_item.pk,
        draft=draft.pk, draft_item=draft_item.pk, photo=photo.pk,
    )  # fmt: skip


def _reviews(w: World) -> None:
    """A retrospective of `case` with three findings of one category against officer_xq1:
    9 points (a `talk`), a rule `proposal`, three conduct records (`record` unobjected,
    `objected` with an objection pending); an open `action` and a `done_action` with its
    `evidence`, both owned by officer_xq1."""
    officer, legal = w.user("officer"), w.user("legal_officer")
    retro = reviews.retrospective_open(by=legal, case_id=w["case"])
    findings = [
        reviews.finding_add(
            by=legal,
            retrospective_id=retro.pk,
            category="procedure_breach",
            description=f"第{n}处程序问题",
            officer="officer_xq1",
        )
        for n in range(3)
    ]
    due = timezone.localdate() + timedelta(days=7)

    def action(text: str) -> CorrectiveAction:
        return reviews.action_add(
            by=legal, retrospective_id=retro.pk, finding=findings[0].pk, description=text,
            owner="officer_xq1", due_on=due,
        )  # fmt: skip

    open_action, done_action = action("文书逐项核对"), action("组织培训")
    reviews.action_complete(
        by=officer, action_id=done_action.pk, evidence="已培训", files=[("p.png", png_bytes())]
    )
    records = list(ConductRecord.objects.filter(officer=officer).order_by("pk"))
    conduct.objection_raise(by=officer, record_id=records[1].pk, text="并非本人经办")
    w.ids.update(
        retrospective=retro.pk, finding=findings[0].pk, action=open_action.pk,
        done_action=done_action.pk,
        evidence=ActionEvidence.objects.get(action=done_action).pk,
        record=records[0].pk, objected=records[1].pk,
        talk=Talk.objects.get(officer=officer).pk,
        proposal=RuleProposal.objects.get(station__code="XQ").pk,
    )  # fmt: skip


def _trips(w: World) -> None:
    departs = timezone.now() + timedelta(days=1)
    trip = trip_register(
        by=w.user("officer"), officers=["officer_xq1", "officer_xq2"], destination=FAR,
        departs_at=departs, returns_at=departs + timedelta(days=2), purposes=["arrest"],
    )  # fmt: skip
    mine = Reminder.objects.filter(trip=trip, officer=w.user("officer")).order_by("pk")
    w.ids.update(trip=trip.pk, reminder=mine.first().pk)  # type: ignore[union-attr]


def world_build() -> World:
    """Build the world; about a second on SQLite."""
    rules_load(data=json.loads(LIBRARY.read_text("utf-8")))
    stations = _stations()
    w = World(users=_people(stations))
    holiday = holiday_set(by=w.user("legal_officer"), day=date(2030, 10, 1), name="国庆节")
    w.ids.update(
        holiday=holiday.pk,
        rule=Rule.objects.order_by("pk").first().pk,  # type: ignore[union-attr]
    )
    _incidents(w)
    _cases(w)
    _inventories(w)
    _reviews(w)
    _trips(w)
    return w


# ---- steps some valid calls need first ---------------------------------------------------------


def answer_flag(w: World) -> None:
    """An open flag blocks closing or diverting the incident."""
    cases.flag_answer(by=w.user("officer"), flag_id=w["flag"], answer="已补充")


def answer_supervision(w: World) -> None:
    """An open supervision item blocks the disposition."""
    cases.supervision_answer(by=w.user("officer"), item_id=w["supervision"], answer="已整改")


def release_seized(w: World) -> None:
    """Only an item found unrelated is given back."""
    inventory.seizure_release(by=w.user("officer"), item_id=w["seized_item"], note="无关")


def sign_draft(w: World) -> None:
    """Only a signed inventory with nothing disposed is corrected."""
    inventory.inventory_sign(
        by=w.user("officer"), inventory_id=w["draft"], suspect_signature="signed",
        second_officer="officer_xq2",
    )  # fmt: skip


# Sanity on what the builders promise, checked once by test_world_is_what_the_sweeps_expect.
EXPECTED_STATES: dict[str, tuple[type[Any], dict[str, Any]]] = {
    "incident": (Incident, {"status": "open"}),
    "case": (Case, {"status": "investigating"}),
    "pending_case": (Case, {"status": "acceptance_review"}),
    "inventory": (Inventory, {"status": "signed"}),
    "draft": (Inventory, {"status": "draft"}),
    "open_item": (PropertyItem, {"disposition": ""}),
    "photo": (ItemPhoto, {}),
    "retrospective": (Retrospective, {"status": "open"}),
    "action": (CorrectiveAction, {"status": "open"}),
    "done_action": (CorrectiveAction, {"status": "done"}),
    "talk": (Talk, {"status": "open"}),
    "trip": (Trip, {}),
    "proposal": (RuleProposal, {"status": "proposed"}),
}
