"""The inventory's services: recording, signing and locking, the closed loop, corrections."""

from __future__ import annotations

import importlib
import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from casework.cases.models import Case, CaseEvent, Party
from casework.cases.selectors import access_case
from casework.core.errors import Conflict, NotFoundOrForbidden, RuleViolation
from casework.core.models import AuditEvent, UnauditedWriteError
from casework.deadlines.models import Deadline, DeadlineWarning
from casework.deadlines.services import deadline_sweep
from casework.inventory import selectors, services
from casework.inventory.models import Inventory, PropertyItem
from casework.workflow import services as workflow
from casework.workflow.selectors import active_task
from tests.factories import ticks
from tests.inventory.conftest import FIVE_ITEMS

pytestmark = pytest.mark.django_db
triggers = importlib.import_module("casework.inventory.migrations.0002_signed_inventory_triggers")
HANDOVER = "涉案财物提取后24小时内移交管理人员"
UNRELATED = "与案件无关财物解除扣押并退还"


def _open(officer: Any, case: Case, suspect: Party, items: list[dict[str, Any]] | None = None):
    return services.inventory_open(
        by=officer,
        case_id=case.pk,
        party_id=suspect.pk,
        items=FIVE_ITEMS if items is None else items,
    )


def _signed(officer: Any, case: Case, suspect: Party, second_officer: Any) -> Inventory:
    inventory = _open(officer, case, suspect)
    return services.inventory_sign(
        by=officer,
        inventory_id=inventory.pk,
        suspect_signature="signed",
        second_officer=second_officer.username,
    )


def _snapshot(inventory: Inventory) -> list[tuple[Any, ...]]:
    return list(
        PropertyItem.objects.filter(inventory=inventory)
        .order_by("pk")
        .values_list("name", "quantity", "unit", "removed_at", "disposition")
    )


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


# ---- recording ----------------------------------------------------------------------------


def test_inventory_lists_every_item_including_an_empty_wallet(
    officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    inventory = _open(officer, case, suspect)
    items = list(inventory.items.order_by("line"))
    assert [i.line for i in items] == [1, 2, 3, 4, 5]
    wallet = items[1]
    assert (wallet.category, wallet.is_empty, wallet.size) == ("wallet", True, "11×9 cm")
    assert inventory.status == Inventory.Status.DRAFT
    assert AuditEvent.objects.filter(verb="inventory.opened", target_id=str(inventory.pk)).exists()


def test_cash_counted_by_denomination_sets_the_total(
    officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    cash = _open(officer, case, suspect).items.get(category="cash")
    assert cash.quantity == Decimal("351.00")  # 3×100 + 1×50 + 2×0.5
    assert cash.unit == "元"
    assert cash.denomination_rows() == [("100", 3), ("50", 1), ("0.5", 2)]


def test_opening_records_the_suspects_arrival_once_and_its_duty(
    officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    _open(officer, case, suspect)
    _open(officer, case, suspect)
    arrivals = CaseEvent.objects.filter(case=case, kind="suspect_admitted", party=suspect)
    assert arrivals.count() == 1
    prompt = case.prompts.get(rule__slug="personal_effects_register_return")
    assert "张三进入办案区" in prompt.text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": "0"}, "items[1].quantity"),
        ({"quantity": "-1"}, "items[1].quantity"),
        ({"quantity": "abc"}, "items[1].quantity"),
        ({"quantity": "NaN"}, "items[1].quantity"),
        ({"quantity": "1.234"}, "items[1].quantity"),
        ({"name": "   "}, "items[1].name"),
        ({"category": "weapon"}, "items[1].category"),
        ({"unit": ""}, "items[1].unit"),
        ({"denominations": {"100": 1}}, "items[1].denominations"),
        ({"colour": "红"}, "items[1].colour"),
    ],
)
def test_bad_item_names_the_field_and_stores_nothing(
    officer: AbstractBaseUser, case: Case, suspect: Party, change: dict[str, Any], field: str
) -> None:
    rows = [dict(FIVE_ITEMS[0]), {**FIVE_ITEMS[3], **change}]
    before = (Inventory.objects.count(), PropertyItem.objects.count())
    with pytest.raises(ValidationError) as raised:
        _open(officer, case, suspect, rows)
    assert field in raised.value.message_dict
    assert (Inventory.objects.count(), PropertyItem.objects.count()) == before


def test_bad_denominations_name_the_field(
    officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    for bad in ({"3": 1}, {"100": -2}, {"100": "x"}, ["100"]):
        cash = {**FIVE_ITEMS[2], "denominations": bad}
        with pytest.raises(ValidationError) as raised:
            _open(officer, case, suspect, [cash])
        assert "items[0].denominations" in raised.value.message_dict
    assert not Inventory.objects.exists()


def test_only_a_suspect_of_the_case_gets_an_inventory(
    officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    victim = workflow.party_add(by=officer, case_id=case.pk, role="victim", name="李四", gender="M")
    with pytest.raises(ValidationError) as raised:
        _open(officer, case, victim)
    assert "party" in raised.value.message_dict
    other = workflow.case_start(by=officer, kind="administrative", title="另案", summary="另案")
    with pytest.raises(ValidationError):
        services.inventory_open(by=officer, case_id=other.pk, party_id=suspect.pk, items=[])


def test_officer_of_another_station_cannot_see_or_touch_it(
    officer: AbstractBaseUser,
    other_station_officer: AbstractBaseUser,
    case: Case,
    suspect: Party,
) -> None:
    inventory = _open(officer, case, suspect)
    item = inventory.items.first()
    assert item is not None
    assert not selectors.inventory_list(user=other_station_officer).exists()
    with pytest.raises(NotFoundOrForbidden):
        selectors.access_inventory(other_station_officer, inventory.pk)
    with pytest.raises(NotFoundOrForbidden):
        services.item_update(by=other_station_officer, item_id=item.pk, **FIVE_ITEMS[0])
    with pytest.raises(NotFoundOrForbidden):
        _open(other_station_officer, case, suspect)


def test_draft_items_can_be_changed_and_struck_but_never_deleted(
    officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    inventory = _open(officer, case, suspect)
    keys = inventory.items.get(category="keys")
    services.item_update(by=officer, item_id=keys.pk, **{**FIVE_ITEMS[3], "quantity": "2"})
    services.item_remove(by=officer, item_id=keys.pk)
    keys.refresh_from_db()
    assert keys.quantity == 2
    assert keys.removed_at is not None
    assert [i.name for i in selectors.live_items(inventory)] == [
        "手机",
        "钱包",
        "人民币现金",
        "腰带",
    ]
    added = services.item_add(by=officer, inventory_id=inventory.pk, **FIVE_ITEMS[3])
    assert added.line == 6  # lines are never reused, so the struck row keeps its number


def test_a_photo_must_be_an_image(officer: AbstractBaseUser, case: Case, suspect: Party) -> None:
    item = _open(officer, case, suspect).items.get(category="phone")
    for bad in (b"", b"%PDF-1.7 not an image", b"<svg xmlns='http://www.w3.org/2000/svg'/>"):
        with pytest.raises(ValidationError) as raised:
            services.photo_add(by=officer, item_id=item.pk, data=bad)
        assert "photo" in raised.value.message_dict
    assert not item.photos.exists()
    photo = services.photo_add(by=officer, item_id=item.pk, data=_png())
    assert photo.content_type == "image/png"
    assert photo.image.read() == _png()


# ---- signing and the lock --------------------------------------------------------------------


def test_signing_locks_the_content_under_its_sha256(
    officer: AbstractBaseUser, second_officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    inventory = _signed(officer, case, suspect, second_officer)
    assert inventory.status == Inventory.Status.SIGNED
    assert len(inventory.sha256) == 64
    assert inventory.sha256 == selectors.inventory_digest(inventory)
    assert selectors.inventory_is_intact(inventory)
    assert (inventory.signed_by, inventory.second_officer) == (officer, second_officer)


def test_the_hash_covers_the_photos(
    officer: AbstractBaseUser, second_officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    inventory = _open(officer, case, suspect)
    without = selectors.inventory_digest(inventory)
    services.photo_add(by=officer, item_id=inventory.items.first().pk, data=_png())  # type: ignore[union-attr]
    assert selectors.inventory_digest(inventory) != without


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"suspect_signature": "signed"}, "second_officer"),
        ({"suspect_signature": "", "witness_name": "王五"}, "suspect_signature"),
        ({"suspect_signature": "refused", "witness_name": "王五"}, "refusal_reason"),
        ({"suspect_signature": "signed", "second_officer": "officer_xq1"}, "second_officer"),
        ({"suspect_signature": "signed", "second_officer": "officer_pl1"}, "second_officer"),
    ],
)
def test_bad_signature_names_the_field_and_leaves_a_draft(
    officer: AbstractBaseUser,
    other_station_officer: AbstractBaseUser,
    case: Case,
    suspect: Party,
    kwargs: dict[str, str],
    field: str,
) -> None:
    inventory = _open(officer, case, suspect)
    with pytest.raises(ValidationError) as raised:
        services.inventory_sign(by=officer, inventory_id=inventory.pk, **kwargs)
    assert field in raised.value.message_dict
    inventory.refresh_from_db()
    assert (inventory.status, inventory.sha256) == (Inventory.Status.DRAFT, "")


def test_an_inventory_with_no_items_cannot_be_signed(
    officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    inventory = _open(officer, case, suspect, [])
    with pytest.raises(ValidationError) as raised:
        services.inventory_sign(
            by=officer, inventory_id=inventory.pk, suspect_signature="signed", witness_name="王五"
        )
    assert "items" in raised.value.message_dict
    assert Inventory.objects.get(pk=inventory.pk).status == Inventory.Status.DRAFT


def test_a_refusal_is_recorded_with_its_reason(
    officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    inventory = _open(officer, case, suspect)
    signed = services.inventory_sign(
        by=officer, inventory_id=inventory.pk, suspect_signature="refused",
        witness_name="王五(村委会)", refusal_reason="情绪激动,拒绝签名捺印",
    )  # fmt: skip
    assert signed.refusal_reason == "情绪激动,拒绝签名捺印"
    assert selectors.inventory_content(signed)["refusal_reason"] == "情绪激动,拒绝签名捺印"


def test_an_auxiliary_lists_items_but_cannot_sign(
    officer: AbstractBaseUser, auxiliary: AbstractBaseUser, xq: Any, rule_library: None
) -> None:
    case = workflow.case_start(
        by=officer, kind="administrative", title="盗窃案", summary="超市盗窃",
        handlers=["officer_xq1", "aux_xq1"],
    )  # fmt: skip
    suspect = workflow.party_add(
        by=officer, case_id=case.pk, role="suspect", name="刘某", gender="M"
    )
    inventory = _open(auxiliary, case, suspect)
    with pytest.raises(RuleViolation):
        services.inventory_sign(
            by=auxiliary, inventory_id=inventory.pk, suspect_signature="signed", witness_name="王五"
        )
    assert Inventory.objects.get(pk=inventory.pk).status == Inventory.Status.DRAFT


def test_no_service_changes_a_signed_inventory(
    officer: AbstractBaseUser, second_officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    inventory = _signed(officer, case, suspect, second_officer)
    item = inventory.items.first()
    assert item is not None
    before = _snapshot(inventory)
    attempts = [
        lambda: services.item_add(by=officer, inventory_id=inventory.pk, **FIVE_ITEMS[0]),
        lambda: services.item_update(by=officer, item_id=item.pk, **FIVE_ITEMS[1]),
        lambda: services.item_remove(by=officer, item_id=item.pk),
        lambda: services.photo_add(by=officer, item_id=item.pk, data=_png()),
        lambda: services.inventory_sign(
            by=officer, inventory_id=inventory.pk, suspect_signature="signed", witness_name="X"
        ),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict):
            attempt()
    assert _snapshot(inventory) == before
    assert selectors.inventory_is_intact(Inventory.objects.get(pk=inventory.pk))


def test_the_database_refuses_to_change_a_signed_inventory_behind_the_services(
    officer: AbstractBaseUser, second_officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    inventory = _signed(officer, case, suspect, second_officer)
    with connection.cursor() as cursor:
        triggers.install(cursor.execute, connection.vendor)
    item = inventory.items.get(category="phone")
    with pytest.raises(UnauditedWriteError):
        PropertyItem.objects.filter(pk=item.pk).update(name="改")
    item.name = "被改过的手机"
    with pytest.raises(Exception, match="immutable"), transaction.atomic():
        item.save(update_fields=["name"])
    inventory.sha256 = "0" * 64
    with pytest.raises(Exception, match="immutable"), transaction.atomic():
        inventory.save(update_fields=["sha256"])
    for table, pk in (("inventory_propertyitem", item.pk), ("inventory_inventory", inventory.pk)):
        with (
            pytest.raises(Exception, match="never deleted"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608
    # What the form leaves open is still allowed: the item's end state, once.
    services.item_dispose(by=officer, item_id=item.pk, disposition="returned")
    fresh = Inventory.objects.get(pk=inventory.pk)
    assert selectors.inventory_is_intact(fresh)
    assert PropertyItem.objects.get(pk=item.pk).name == "手机"
    with pytest.raises(Exception, match="immutable"), transaction.atomic():
        PropertyItem.objects.filter(pk=item.pk).service_update(receiver="别人")


# ---- the closed loop ------------------------------------------------------------------------


def test_inventory_closes_when_every_item_has_an_end_state(
    officer: AbstractBaseUser,
    second_officer: AbstractBaseUser,
    custodian: AbstractBaseUser,
    case: Case,
    suspect: Party,
) -> None:
    inventory = _signed(officer, case, suspect, second_officer)
    phone, wallet, cash, keys, belt = inventory.items.order_by("line")
    services.item_dispose(by=officer, item_id=phone.pk, disposition="seized")
    services.item_dispose(by=officer, item_id=wallet.pk, disposition="returned")
    services.item_dispose(
        by=officer, item_id=cash.pk, disposition="custody", locker="A-12", custodian="keeper_xq"
    )
    services.item_dispose(
        by=officer, item_id=keys.pk, disposition="family", receiver="张母", receiver_relation="母亲"
    )
    assert Inventory.objects.get(pk=inventory.pk).status == Inventory.Status.SIGNED
    services.item_dispose(by=officer, item_id=belt.pk, disposition="returned")
    inventory.refresh_from_db()
    assert inventory.status == Inventory.Status.CLOSED
    assert inventory.closed_at is not None
    wallet.refresh_from_db()
    cash.refresh_from_db()
    assert wallet.receiver == "张三"  # returned to the suspect himself
    assert (cash.locker, cash.custodian) == ("A-12", custodian)
    assert AuditEvent.objects.filter(verb="inventory.closed", target_id=str(inventory.pk)).exists()


def test_disposing_an_item_twice_names_the_field_and_keeps_the_first(
    officer: AbstractBaseUser, second_officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    inventory = _signed(officer, case, suspect, second_officer)
    keys = inventory.items.get(category="keys")
    services.item_dispose(by=officer, item_id=keys.pk, disposition="family", receiver="张母")
    with pytest.raises(ValidationError) as raised:
        services.item_dispose(by=officer, item_id=keys.pk, disposition="returned")
    assert "disposition" in raised.value.message_dict
    keys.refresh_from_db()
    assert (keys.disposition, keys.receiver) == ("family", "张母")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"disposition": "lost"}, "disposition"),
        ({"disposition": "family"}, "receiver"),
        ({"disposition": "custody", "custodian": "keeper_xq"}, "locker"),
        ({"disposition": "custody", "locker": "A-1"}, "custodian"),
        ({"disposition": "custody", "locker": "A-1", "custodian": "officer_xq1"}, "custodian"),
        ({"disposition": "custody", "locker": "A-1", "custodian": "officer_pl1"}, "custodian"),
    ],
)
def test_bad_disposition_names_the_field_and_changes_nothing(
    officer: AbstractBaseUser,
    second_officer: AbstractBaseUser,
    custodian: AbstractBaseUser,
    other_station_officer: AbstractBaseUser,
    case: Case,
    suspect: Party,
    kwargs: dict[str, str],
    field: str,
) -> None:
    inventory = _signed(officer, case, suspect, second_officer)
    item = inventory.items.get(category="cash")
    with pytest.raises(ValidationError) as raised:
        services.item_dispose(by=officer, item_id=item.pk, **kwargs)
    assert field in raised.value.message_dict
    item.refresh_from_db()
    assert (item.disposition, item.disposed_at) == ("", None)


def test_a_draft_is_signed_before_anything_is_disposed(
    officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    item = _open(officer, case, suspect).items.first()
    with pytest.raises(Conflict):
        services.item_dispose(by=officer, item_id=item.pk, disposition="returned")  # type: ignore[union-attr]


def test_seizure_starts_the_hand_over_clock_and_hand_over_stops_it(
    officer: AbstractBaseUser,
    second_officer: AbstractBaseUser,
    custodian: AbstractBaseUser,
    case: Case,
    suspect: Party,
) -> None:
    inventory = _signed(officer, case, suspect, second_officer)
    phone = inventory.items.get(category="phone")
    services.item_dispose(by=officer, item_id=phone.pk, disposition="seized")
    clock = Deadline.objects.get(case=case, title__startswith=HANDOVER)
    assert clock.due_at - clock.started_at == timedelta(hours=24)
    assert clock.title == f"{HANDOVER}(手机 1部(黑色 iPhone 13,IMEI 356789104512345))"
    assert case.prompts.filter(rule__slug="property_custody_separation_ledger").exists()
    with pytest.raises(ValidationError) as raised:
        services.seizure_hand_over(by=officer, item_id=phone.pk, custodian="officer_xq1")
    assert "custodian" in raised.value.message_dict
    seizure = services.seizure_hand_over(by=officer, item_id=phone.pk, custodian="keeper_xq")
    assert seizure.custodian == custodian
    clock.refresh_from_db()
    assert clock.status == Deadline.Status.MET
    assert clock.met_by == officer


def test_an_unhanded_seizure_warns_up_the_ladder(
    officer: AbstractBaseUser, second_officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    inventory = _signed(officer, case, suspect, second_officer)
    phone = inventory.items.get(category="phone")
    services.item_dispose(by=officer, item_id=phone.pk, disposition="seized")
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        deadline_sweep(now=timezone.now())
    audiences = set(
        DeadlineWarning.objects.filter(rung__deadline__title__startswith=HANDOVER).values_list(
            "rung__audience", flat=True
        )
    )
    assert audiences == {"officer", "legal_officer"}


def test_unrelated_seized_property_is_returned_within_three_days(
    officer: AbstractBaseUser, second_officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    inventory = _signed(officer, case, suspect, second_officer)
    phone = inventory.items.get(category="phone")
    services.item_dispose(by=officer, item_id=phone.pk, disposition="seized")
    with pytest.raises(Conflict):
        services.seizure_return(by=officer, item_id=phone.pk, returned_to="张三")
    services.seizure_release(by=officer, item_id=phone.pk, note="经查与案件无关")
    clock = Deadline.objects.get(case=case, title__startswith=UNRELATED)
    assert clock.due_at - clock.started_at == timedelta(days=3)
    with pytest.raises(ValidationError) as raised:
        services.seizure_return(by=officer, item_id=phone.pk, returned_to=" ")
    assert "returned_to" in raised.value.message_dict
    services.seizure_return(by=officer, item_id=phone.pk, returned_to="张三")
    clock.refresh_from_db()
    assert clock.status == Deadline.Status.MET


# ---- corrections ---------------------------------------------------------------------------


def test_a_correction_is_a_new_revision_and_the_signed_one_is_kept(
    officer: AbstractBaseUser, second_officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    first = _signed(officer, case, suspect, second_officer)
    with pytest.raises(ValidationError) as raised:
        services.inventory_correct(by=officer, inventory_id=first.pk, reason=" ")
    assert "reason" in raised.value.message_dict
    second = services.inventory_correct(
        by=officer, inventory_id=first.pk, reason="手机序列号登记错误"
    )
    first.refresh_from_db()
    assert (first.status, second.status) == (Inventory.Status.SUPERSEDED, Inventory.Status.DRAFT)
    assert (second.revision, second.supersedes) == (2, first)
    assert selectors.inventory_is_intact(first)
    assert [i.name for i in selectors.live_items(second)] == [
        i.name for i in selectors.live_items(first)
    ]
    phone = second.items.get(category="phone")
    services.item_update(by=officer, item_id=phone.pk, **{**FIVE_ITEMS[0], "marks": "IMEI 3567"})
    assert first.items.get(category="phone").marks.startswith("黑色 iPhone 13")
    with pytest.raises(Conflict):
        services.item_dispose(
            by=officer, item_id=first.items.get(category="keys").pk, disposition="returned"
        )


def test_no_correction_once_an_item_has_an_end_state(
    officer: AbstractBaseUser, second_officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    inventory = _signed(officer, case, suspect, second_officer)
    belt = inventory.items.get(category="clothing")
    services.item_dispose(by=officer, item_id=belt.pk, disposition="returned")
    with pytest.raises(Conflict):
        services.inventory_correct(by=officer, inventory_id=inventory.pk, reason="补登")
    assert Inventory.objects.filter(case=case).count() == 1


# ---- the case ------------------------------------------------------------------------------


def _to_chief(case: Case, officer: Any, legal_officer: Any) -> None:
    for gate, by in (("acceptance", legal_officer), ("disposition", legal_officer)):
        if gate == "disposition":
            workflow.disposition_propose(
                by=officer, case_id=case.pk, proposal="行政拘留五日", legal_basis="治安管理处罚法"
            )
        task = active_task(case)
        assert task is not None
        workflow.review_decide(
            by=by, task_id=task.pk, decision="approve", checklist=ticks(case, gate)
        )


def test_a_case_cannot_close_with_an_open_inventory(
    officer: AbstractBaseUser,
    second_officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    chief: AbstractBaseUser,
    case: Case,
    suspect: Party,
) -> None:
    inventory = _signed(officer, case, suspect, second_officer)
    _to_chief(case, officer, legal_officer)
    task = active_task(case)
    assert task is not None
    approve = {"decision": "approve", "checklist": ticks(case, "chief_approval")}
    with pytest.raises(Conflict, match="随身物品处置表"):
        workflow.review_decide(by=chief, task_id=task.pk, **approve)
    assert Case.objects.get(pk=case.pk).status == Case.Status.CHIEF_APPROVAL
    for item in inventory.items.all():
        services.item_dispose(by=officer, item_id=item.pk, disposition="returned")
    workflow.review_decide(by=chief, task_id=task.pk, **approve)
    assert Case.objects.get(pk=case.pk).status == Case.Status.CLOSED


def test_open_inventories_are_listed_for_the_legal_officer_and_the_chief(
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    chief: AbstractBaseUser,
    other_station_legal: AbstractBaseUser,
    case: Case,
    suspect: Party,
) -> None:
    inventory = _open(officer, case, suspect)
    for user in (legal_officer, chief):
        listed = selectors.open_inventories(user=user)
        assert [i.pk for i in listed] == [inventory.pk]
        assert (listed[0].item_count, listed[0].open_item_count) == (5, 5)
    assert selectors.open_inventories(user=other_station_legal) == []
    services.item_remove(by=officer, item_id=inventory.items.order_by("line").first().pk)
    assert selectors.open_inventories(user=legal_officer)[0].item_count == 4  # removed: not

    # The paginator's count is a plain count, not one over every inventory's items.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as counted:
        assert selectors.inventory_list(user=legal_officer).count() == 1
    assert "GROUP BY" not in counted.captured_queries[-1]["sql"]
    assert "inventory_propertyitem" not in counted.captured_queries[-1]["sql"]


def test_locking_an_inventory_or_case_leaves_foreign_key_checks_free(
    officer: AbstractBaseUser, case: Case, suspect: Party
) -> None:
    """FOR NO KEY UPDATE OF the row alone: FOR UPDATE (of the joined station row too) made
    inserts referencing it wait at COMMIT for the locker, who waited for the audit chain's lock
    those inserts held — a deadlock under load (issue 8's load test)."""
    opened = services.inventory_open(
        by=officer, case_id=case.pk, party_id=suspect.pk, items=FIVE_ITEMS
    )
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        selectors.access_inventory(officer, opened.pk, for_update=True)
        access_case(officer, case.pk, for_update=True)
    locking = [q["sql"] for q in queries.captured_queries if "UPDATE OF" in q["sql"]]
    if connection.vendor == "postgresql":
        assert len(locking) == 2, locking
    assert all('FOR NO KEY UPDATE OF "cases_case"' in sql for sql in locking[1:]), locking
    for sql in locking[:1]:
        assert 'FOR NO KEY UPDATE OF "inventory_inventory"' in sql, sql
        assert "org_station" not in sql.split("FOR NO KEY UPDATE", 1)[1], sql
