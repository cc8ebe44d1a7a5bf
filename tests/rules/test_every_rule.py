"""Every rule shipped enabled in fixtures/rules.json fires through the real services.

For each enabled rule version the table below holds an act that must produce it (a trip's
briefing item; a statutory clock or a duty prompt started by a measure, by acceptance or by a
recorded case event) and the same act with one fact changed, which must not. An enabled rule
with no entry fails the suite, so a newly shipped rule gets its case. A rule that no service
could produce would be xfail(strict) with the gap named, so the gap stays visible.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.core.management import call_command
from django.utils.dateparse import parse_date

from casework.cases.idcard import age_on
from casework.deadlines.models import Deadline, Prompt
from casework.deadlines.services import MEASURE_EVENTS
from casework.org.models import Station
from casework.rules import rules
from casework.trips.models import Reminder
from casework.trips.services import trip_register
from casework.workflow import services as workflow
from casework.workflow.selectors import active_task
from tests.factories import make_officer, ticks

LIBRARY: list[dict[str, Any]] = json.loads(
    (Path(__file__).resolve().parents[2] / "fixtures" / "rules.json").read_text("utf-8")
)["rules"]
SH = ZoneInfo("Asia/Shanghai")
ORDINARY = datetime(2026, 11, 20, 20, 0, tzinfo=SH)
# The 治安管理处罚法 changeover: the 2012 text's last half hour and the 2025 text's first.
# 00:30 on 1 January in Shanghai is still 31 December in UTC: the local date must decide.
OLD_LAW = datetime(2025, 12, 31, 23, 30, tzinfo=SH)
NEW_LAW = datetime(2026, 1, 1, 0, 30, tzinfo=SH)
ADULT, MINOR = date(1990, 5, 1), date(2010, 3, 1)
Place = tuple[str, str, str]
HOME: Place = ("山东省", "东营市", "东营区")  # the xq station's own county
FAR: Place = ("广东省", "深圳市", "南山区")
ACCEPTANCE_EVENTS = ("case_accepted", "case_filed")  # both emitted when acceptance is approved
Produced = set[tuple[str, date | None]]  # (slug, valid_from) of each rule version produced


def version_id(row: dict[str, Any]) -> str:
    """`slug`, or `slug@from..to` for a rule that has versions by date."""
    if not (row.get("valid_from") or row.get("valid_to")):
        return str(row["slug"])
    return f"{row['slug']}@{row.get('valid_from') or ''}..{row.get('valid_to') or ''}"


ENABLED = {version_id(row): row for row in LIBRARY if row.get("enabled")}


# ---- the acts, each performed through the service that performs it in the product -----------


@dataclass(frozen=True)
class TripIn:
    """A trip registered for two officers of xq (trip_register)."""

    purposes: tuple[str, ...] = ("investigation",)
    destination: Place = FAR
    carries_firearm: bool = False
    uses_vehicle: bool = False
    escorts_suspect: bool = False
    suspect_gender: str = ""
    departs_at: datetime = ORDINARY


@dataclass(frozen=True)
class MeasureIn:
    """A coercive measure on a party of a new case (workflow.measure_add)."""

    kind: str
    case_kind: str = "criminal"
    at: datetime = ORDINARY
    role: str = "suspect"
    birth_date: date = ADULT


@dataclass(frozen=True)
class AcceptIn:
    """A new case whose acceptance the legal officer approves at `at` (review_decide)."""

    case_kind: str
    at: datetime


@dataclass(frozen=True)
class EventIn:
    """A procedural step recorded on a new case (workflow.event_record)."""

    event: str
    case_kind: str = "administrative"
    at: datetime = ORDINARY
    is_major: bool = False
    role: str = "suspect"
    birth_date: date = ADULT


Act = TripIn | MeasureIn | AcceptIn | EventIn


class Entry(NamedTuple):
    fires: Act
    quiet: Act | None  # None: the rule is unconditional, every such act fires it
    gap: str = ""  # why no service can produce this rule yet (xfail strict)


def flip(fires: Act, gap: str = "", **change: Any) -> Entry:
    """The triggering act and the same act with `change`, the one fact the condition needs."""
    return Entry(fires, replace(fires, **change), gap)


def always(fires: Act) -> Entry:
    return Entry(fires, None)


TABLE: dict[str, Entry] = {
    # 刑事: clocks started by the measure
    "crim_detention_custody_transfer_24h": flip(MeasureIn("criminal_detention"), kind="arrest"),
    "crim_detention_family_notice_24h": flip(MeasureIn("criminal_detention"), kind="arrest"),
    "crim_detention_first_interrogation_24h": flip(MeasureIn("criminal_detention"), kind="arrest"),
    "crim_arrest_request_deadline": flip(MeasureIn("criminal_detention"), kind="arrest"),
    "crim_arrest_followups_24h": flip(MeasureIn("arrest"), kind="criminal_detention"),
    "crim_investigative_custody_2m": flip(MeasureIn("arrest"), kind="criminal_detention"),
    "crim_summons_duration_cap": flip(MeasureIn("summons"), case_kind="administrative"),
    "crim_bail_term_cap_12m": flip(MeasureIn("bail"), kind="residential_surveillance"),
    "crim_surveillance_term_cap_6m": flip(MeasureIn("residential_surveillance"), kind="bail"),
    "crim_interrogation_av_recording": flip(
        EventIn("interrogation_planned", "criminal", is_major=True),
        is_major=False,
    ),
    "crim_minor_guardian_present": flip(
        EventIn("interrogation_planned", "criminal", birth_date=MINOR),
        birth_date=ADULT,
    ),
    # 治安/行政: the act's local date picks the 2012 or the 2025 version
    "adm_questioning_time_cap@..2025-12-31": flip(
        MeasureIn("summons", "administrative", at=OLD_LAW), case_kind="criminal"
    ),
    "adm_questioning_time_cap@2026-01-01..": flip(
        MeasureIn("summons", "administrative", at=NEW_LAW), case_kind="criminal"
    ),
    "adm_case_deadline_30d@..2025-12-31": flip(
        AcceptIn("administrative", at=OLD_LAW), case_kind="criminal"
    ),
    "adm_case_deadline_30d@2026-01-01..": flip(
        AcceptIn("administrative", at=NEW_LAW), case_kind="criminal"
    ),
    "adm_seizure_term_30d": flip(MeasureIn("seizure", "administrative"), case_kind="criminal"),
    "street_extended_questioning_cap": flip(
        MeasureIn("extended_questioning", "administrative"), kind="summons"
    ),
    "adm_summons_family_notice": flip(MeasureIn("summons", "administrative"), case_kind="criminal"),
    "adm_questioning_av_recording@2026-01-01..": flip(
        MeasureIn("seizure", "administrative", at=NEW_LAW), case_kind="criminal"
    ),
    "adm_detention_family_notice": flip(
        MeasureIn("administrative_detention", "administrative"),
        kind="criminal_detention",
    ),
    "adm_minor_guardian_present@..2025-12-31": flip(
        EventIn("questioning_planned", at=OLD_LAW, birth_date=MINOR),
        birth_date=ADULT,
    ),
    "adm_minor_guardian_present@2026-01-01..": flip(
        EventIn("penalty_drafted", at=NEW_LAW, birth_date=MINOR),
        birth_date=ADULT,
    ),
    "adm_onsite_penalty_filing_24h": flip(EventIn("onsite_penalty"), event="decision_issued"),
    "adm_decision_delivery_2d": flip(EventIn("decision_issued"), case_kind="criminal"),
    "adm_legal_review_required": flip(
        EventIn("penalty_drafted", is_major=True),
        is_major=False,
    ),
    "adm_hearing_rights_notice@..2025-12-31": flip(
        EventIn("penalty_drafted", at=OLD_LAW),
        case_kind="criminal",
    ),
    "adm_hearing_rights_notice@2026-01-01..": flip(
        EventIn("penalty_drafted", at=NEW_LAW),
        case_kind="criminal",
    ),
    # 涉案财物 / 随身物品
    "seizure_list_copy": flip(MeasureIn("seizure"), kind="bail"),
    "unrelated_property_release": flip(EventIn("property_unrelated"), event="property_seized"),
    "property_handover_24h": flip(EventIn("property_seized"), event="property_unrelated"),
    "property_custody_separation_ledger": flip(
        EventIn("property_seized"),
        event="property_unrelated",
    ),
    "property_return_to_victim": flip(
        EventIn("property_seized", role="victim"),
        role="suspect",
    ),
    "personal_effects_register_return": flip(
        EventIn("suspect_admitted"),
        event="questioning_planned",
    ),
    # 复议 / 诉讼
    "recon_window_and_remedy_notice": flip(EventIn("decision_served"), case_kind="criminal"),
    "recon_respondent_reply_10d": flip(
        EventIn("reconsideration_filed"),
        event="complaint_received",
    ),
    "litigation_answer_15d": flip(
        EventIn("complaint_received"),
        event="reconsideration_filed",
    ),
    # 出差 / 纪律: the officers' briefing items
    "female_body_search_female_officer": flip(
        TripIn(purposes=("arrest",), suspect_gender="F"), suspect_gender="M"
    ),
    "bodycam_onsite_recording": flip(TripIn(purposes=("summons",)), purposes=("investigation",)),
    "trip_out_of_area_coordination": flip(TripIn(purposes=("arrest",)), destination=HOME),
    "trip_escort_and_pickup": flip(TripIn(escorts_suspect=True), escorts_suspect=False),
    "trip_firearm_cross_region_approval": flip(TripIn(carries_firearm=True), carries_firearm=False),
    "trip_no_drink_driving": flip(TripIn(uses_vehicle=True), uses_vehicle=False),
    "trip_no_alcohol_on_duty": always(TripIn(destination=HOME)),
    "trip_no_hosted_entertainment": always(TripIn(destination=HOME)),
}


def _params(*, negative: bool) -> list[Any]:
    """One case per enabled rule version. A rule no service can produce is xfail(strict) on the
    firing side and has no non-firing side yet; nor has an unconditional rule."""
    params = []
    for key in ENABLED:
        entry = TABLE.get(key)
        if negative and entry is not None and (entry.gap or entry.quiet is None):
            continue
        gap = entry.gap if entry is not None else ""
        # raises=AssertionError: a gap fails on its assertion, any other error is a real failure
        marks = [pytest.mark.xfail(strict=True, raises=AssertionError, reason=gap)] if gap else []
        params.append(pytest.param(key, id=key, marks=marks))
    return params


# ---- performing the acts ----------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    officer: AbstractBaseUser
    partner: AbstractBaseUser
    legal: AbstractBaseUser


@pytest.fixture
def world(xq: Station, officer: AbstractBaseUser, legal_officer: AbstractBaseUser) -> World:
    call_command("load_rules", stdout=io.StringIO())
    partner = make_officer("officer_xq2", station=xq, roles=["officer"], display_name="张伟")
    return World(officer, partner.user, legal_officer)


def _trip(world: World, act: TripIn) -> Produced:
    trip = trip_register(
        by=world.officer,
        officers=[world.officer.get_username(), world.partner.get_username()],
        destination=dict(zip(("province", "city", "county"), act.destination, strict=True)),
        departs_at=act.departs_at,
        returns_at=act.departs_at + timedelta(days=2),
        purposes=list(act.purposes),
        carries_firearm=act.carries_firearm,
        uses_vehicle=act.uses_vehicle,
        escorts_suspect=act.escorts_suspect,
        suspect_gender=act.suspect_gender,
    )
    per_officer: dict[str, Produced] = {}
    for name, slug, valid_from in Reminder.objects.filter(
        trip=trip, source=Reminder.Source.RULE
    ).values_list("officer__username", "rule__slug", "rule__valid_from"):
        per_officer.setdefault(name, set()).add((slug, valid_from))
    # Each officer on the trip gets the same rule items, in their own briefing.
    names = [world.officer.get_username(), world.partner.get_username()]
    assert set(per_officer) <= set(names)
    mine, theirs = (per_officer.get(n, set()) for n in names)
    assert mine == theirs
    return mine


def _case(world: World, case_kind: str, at: datetime, *, is_major: bool = False) -> Any:
    return workflow.case_start(
        by=world.officer,
        kind=case_kind,
        title="测试案件",
        summary="规则触发测试",
        occurred_at=at - timedelta(hours=6),
        is_major=is_major,
    )


def _measure(world: World, act: MeasureIn) -> Produced:
    case = _case(world, act.case_kind, act.at)
    party = workflow.party_add(
        by=world.officer,
        case_id=case.pk,
        role=act.role,
        name="王某",
        gender="M",
        birth_date=act.birth_date,
    )
    measure = workflow.measure_add(
        by=world.officer, case_id=case.pk, party_id=party.pk, kind=act.kind, started_at=act.at
    )
    return _started(
        Deadline.objects.filter(measure=measure), Prompt.objects.filter(measure=measure)
    )


def _started(clocks: Any, prompts: Any) -> Produced:
    """The rule versions behind the clocks and the duty prompts an act started."""
    fields = ("rule__slug", "rule__valid_from")
    return set(clocks.values_list(*fields)) | set(prompts.values_list(*fields))


def _accept(world: World, act: AcceptIn) -> Produced:
    with time_machine.travel(act.at, tick=False):
        case = _case(world, act.case_kind, act.at)
        task = active_task(case)
        assert task is not None
        workflow.review_decide(
            by=world.legal,
            task_id=task.pk,
            decision="approve",
            checklist=ticks(case, "acceptance"),
        )
    return _started(
        Deadline.objects.filter(case=case, trigger__in=ACCEPTANCE_EVENTS),
        Prompt.objects.filter(case=case, trigger__in=ACCEPTANCE_EVENTS),
    )


def _event(world: World, act: EventIn) -> Produced:
    case = _case(world, act.case_kind, act.at, is_major=act.is_major)
    party = workflow.party_add(
        by=world.officer,
        case_id=case.pk,
        role=act.role,
        name="王某",
        gender="M",
        birth_date=act.birth_date,
    )
    event = workflow.event_record(
        by=world.officer, case_id=case.pk, kind=act.event, occurred_at=act.at, party_id=party.pk
    )
    trigger = f"event:{event.pk}"
    return _started(
        Deadline.objects.filter(case=case, trigger=trigger),
        Prompt.objects.filter(case=case, trigger=trigger),
    )


def perform(world: World, act: Act) -> Produced:
    """Do the act through the product's own service; the rule versions it produced."""
    if isinstance(act, TripIn):
        return _trip(world, act)
    if isinstance(act, MeasureIn):
        return _measure(world, act)
    if isinstance(act, AcceptIn):
        return _accept(world, act)
    return _event(world, act)


def versions_of(slug: str, produced: Produced) -> set[date | None]:
    return {valid_from for s, valid_from in produced if s == slug}


# ---- the tests --------------------------------------------------------------------------------


def test_every_enabled_rule_has_a_case_and_every_case_an_enabled_rule() -> None:
    missing = sorted(set(ENABLED) - set(TABLE))
    stale = sorted(set(TABLE) - set(ENABLED))
    assert not missing, f"enabled in fixtures/rules.json but not in TABLE: {missing}"
    assert not stale, f"in TABLE but not an enabled rule version of the fixture: {stale}"


def test_unverified_rules_ship_disabled() -> None:
    assert {row["verified"] for row in LIBRARY} <= {"VERIFIED", "VERIFIED-secondary", "UNVERIFIED"}
    enabled_unverified = [
        version_id(row) for row in LIBRARY if row["verified"] == "UNVERIFIED" and row.get("enabled")
    ]
    assert enabled_unverified == []


def _facts(row: dict[str, Any]) -> rules.RuleFacts:
    return rules.RuleFacts(
        slug=row["slug"],
        category=row["category"],
        conditions=row.get("conditions") or {},
        valid_from=parse_date(row["valid_from"]) if row.get("valid_from") else None,
        valid_to=parse_date(row["valid_to"]) if row.get("valid_to") else None,
    )


def _contexts(act: Act) -> tuple[list[dict[str, Any]], date]:
    """The facts the evaluator would see for the act, and the date that picks the version."""
    if isinstance(act, TripIn):
        context = rules.trip_context(
            home=dict(zip(("province", "city", "county"), HOME, strict=True)),
            destination=dict(zip(("province", "city", "county"), act.destination, strict=True)),
            purposes=list(act.purposes),
            officers_count=2,
            carries_firearm=act.carries_firearm,
            uses_vehicle=act.uses_vehicle,
            escorts_suspect=act.escorts_suspect,
            suspect_gender=act.suspect_gender,
        )
        return [context], act.departs_at.date()
    if isinstance(act, AcceptIn):
        return [{"event": e, "case_kind": act.case_kind} for e in ACCEPTANCE_EVENTS], act.at.date()
    event = MEASURE_EVENTS[act.kind] if isinstance(act, MeasureIn) else act.event
    age = age_on(act.birth_date, act.at.date())
    context = {
        "event": event,
        "case_kind": act.case_kind,
        "case_is_major": getattr(act, "is_major", False),
        "party_role": act.role,
        "party_is_minor": age < 18,
        "party_age": age,
    }
    return [context], act.at.date()


def _holds(row: dict[str, Any], act: Act) -> bool:
    contexts, on = _contexts(act)
    facts = _facts(row)
    return rules.in_force(facts, on) and any(rules.holds(facts.conditions, c) for c in contexts)


@pytest.mark.parametrize("key", [pytest.param(k, id=k) for k in ENABLED])
def test_the_table_differs_exactly_where_the_condition_looks(key: str) -> None:
    """Pure check of the table itself, so an xfail below fails for the service gap it names
    and not for a wrong input."""
    entry = TABLE.get(key)
    if entry is None:
        pytest.fail(f"{key} has no entry in TABLE")
    assert _holds(ENABLED[key], entry.fires)
    if entry.quiet is None:
        assert not ENABLED[key].get("conditions"), "a conditional rule needs a non-firing act"
    else:
        assert not _holds(ENABLED[key], entry.quiet)


@pytest.mark.django_db
@pytest.mark.parametrize("key", _params(negative=False))
def test_the_triggering_act_produces_the_rule(world: World, key: str) -> None:
    entry = TABLE.get(key)
    if entry is None:
        pytest.fail(f"{key} has no entry in TABLE")
    row = ENABLED[key]
    expected = parse_date(row["valid_from"]) if row.get("valid_from") else None
    # Exactly this version: the one in force on the act's local date, not its sibling.
    assert versions_of(row["slug"], perform(world, entry.fires)) == {expected}


@pytest.mark.django_db
@pytest.mark.parametrize("key", _params(negative=True))
def test_the_same_act_without_the_condition_does_not(world: World, key: str) -> None:
    entry = TABLE.get(key)
    if entry is None:
        pytest.fail(f"{key} has no entry in TABLE")
    assert entry.quiet is not None
    assert versions_of(ENABLED[key]["slug"], perform(world, entry.quiet)) == set()
