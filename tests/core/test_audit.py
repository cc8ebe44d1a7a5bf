"""The audit trail: chained, append-only, tamper-evident, transactional."""

from __future__ import annotations

import importlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from casework.core import audit
from casework.core.models import GENESIS_HASH, AppendOnlyError, AuditEvent
from casework.org.models import Station

triggers = importlib.import_module("casework.core.migrations.0002_auditevent_append_only_triggers")


def _three_events(actor: object = None) -> list[AuditEvent]:
    return [audit.record(actor=actor, verb=f"test.event{i}", payload={"n": i}) for i in range(3)]


def _raw_update(event_id: int, column: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE core_auditevent SET {column} = %s WHERE id = %s", [value, event_id])  # noqa: S608


@pytest.mark.django_db
def test_each_row_carries_the_previous_rows_hash() -> None:
    start = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    first, second, third = _three_events()
    assert first.prev_hash == (start or GENESIS_HASH)
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert audit.chain_verify().ok


@pytest.mark.django_db
def test_the_station_comes_from_the_target(xq: Station, legal_officer: object) -> None:
    event = audit.record(actor=legal_officer, verb="test.station", target=xq)
    assert event.station_id == xq.pk
    assert event.actor_username == "legal_xq"
    assert event.target_type == "org.station"


@pytest.mark.django_db
def test_changed_payload_is_detected_and_the_row_named() -> None:
    _first, second, _third = _three_events()
    _raw_update(second.pk, "payload", '{"n": 99}')
    report = audit.chain_verify()
    assert report.broken_id == second.pk
    assert "content" in report.reason
    with pytest.raises(CommandError, match=f"id={second.pk}"):
        call_command("audit_verify")


@pytest.mark.django_db
def test_rewritten_hash_is_caught_at_the_next_row() -> None:
    _first, second, third = _three_events()
    # A forger who edits a row and recomputes its hash still breaks the link to the next row.
    _raw_update(second.pk, "verb", "test.forged")
    forged = AuditEvent.objects.get(pk=second.pk)
    _raw_update(second.pk, "hash", audit.compute_hash(forged))
    assert audit.chain_verify().broken_id == third.pk


@pytest.mark.django_db
def test_a_deleted_row_is_detected() -> None:
    _first, second, third = _three_events()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [second.pk])
    assert audit.chain_verify().broken_id == third.pk


@pytest.mark.django_db
def test_audit_verify_reports_an_intact_chain(capsys: pytest.CaptureFixture[str]) -> None:
    _three_events()
    call_command("audit_verify")
    assert "intact" in capsys.readouterr().out


@pytest.mark.django_db
def test_orm_cannot_change_or_delete_audit_rows() -> None:
    event = audit.record(actor=None, verb="test.immutable")
    event.verb = "test.changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(verb="test.changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["verb"])
    assert AuditEvent.objects.get(pk=event.pk).verb == "test.immutable"


@pytest.mark.django_db
def test_database_triggers_refuse_raw_updates_and_deletes() -> None:
    event = audit.record(actor=None, verb="test.trigger")
    with connection.cursor() as cursor:
        triggers.install(cursor.execute, connection.vendor)
    for statement in (
        "UPDATE core_auditevent SET verb = 'x' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).verb == "test.trigger"


@pytest.mark.django_db
def test_audit_row_rolls_back_with_the_change_it_records(xq: Station) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        xq.name = "改名"
        xq.save(update_fields=["name"])
        audit.record(actor=None, verb="org.station_updated", target=xq)
        raise RuntimeError("the change failed after auditing")
    xq.refresh_from_db()
    assert xq.name == "新区派出所"
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_oversized_payload_is_refused() -> None:
    with pytest.raises(ValueError, match="exceeds"):
        audit.record(actor=None, verb="test.big", payload={"text": "案" * 5000})


@pytest.mark.django_db
def test_the_nightly_pass_is_a_checkpoint_the_page_starts_from(auditor: object) -> None:
    """A full pass over millions of rows takes minutes: the page recomputes only the rows
    since the last nightly pass, chained to the hash that pass recorded."""
    from casework.core.tasks import audit_verify_chain
    from tests.factories import client_for

    _three_events()
    assert audit.checkpoint_latest() is None
    assert audit_verify_chain()
    checkpoint = audit.checkpoint_latest()
    assert checkpoint is not None
    assert checkpoint.checked == AuditEvent.objects.count() - 1  # all but its own row
    after = _three_events()

    report = audit.chain_verify(since=checkpoint)
    assert report.ok
    assert report.checked == 1 + 3  # the checkpoint's own row, then the new ones
    page = client_for(auditor).get("/audit/verify/").content.decode()
    assert 'data-testid="chain-ok"' in page
    assert 'data-testid="chain-checkpoint"' in page

    _raw_update(after[1].pk, "payload", '{"n": 99}')  # tampered after the pass: caught now
    assert audit.chain_verify(since=checkpoint).broken_id == after[1].pk
    page = client_for(auditor).get("/audit/verify/").content.decode()
    assert f"第 {after[1].pk} 号记录处断裂" in page


@pytest.mark.django_db
def test_a_row_rewritten_before_the_checkpoint_is_caught_by_the_next_full_pass() -> None:
    from casework.core.tasks import audit_verify_chain

    first, _second, _third = _three_events()
    audit_verify_chain()
    checkpoint = audit.checkpoint_latest()
    assert checkpoint is not None
    _raw_update(first.pk, "payload", '{"n": 99}')
    assert audit.chain_verify(since=checkpoint).ok  # the page starts after it
    assert not audit_verify_chain()  # the next night's pass does not
    assert audit.checkpoint_latest() == checkpoint  # and records no new checkpoint
    assert AuditEvent.objects.filter(verb="audit.chain_broken", target_id=str(first.pk)).exists()


@pytest.mark.django_db
def test_audit_search_by_local_days_includes_late_evening_rows() -> None:
    """since/until are days in Beijing time: a row at 23:30 on the 3rd (15:30 UTC) belongs to
    the 3rd, one at 00:10 on the 4th (16:10 UTC on the 3rd) to the 4th."""
    from datetime import date, datetime, timedelta
    from zoneinfo import ZoneInfo

    from casework.core.selectors import audit_event_search

    beijing = ZoneInfo("Asia/Shanghai")
    late = audit.record(actor=None, verb="test.late")
    early = audit.record(actor=None, verb="test.early")
    with connection.cursor() as cursor:  # the rows' times, set below the ORM's guard
        for event, at in ((late, datetime(2026, 3, 3, 23, 30, tzinfo=beijing)),
                          (early, datetime(2026, 3, 4, 0, 10, tzinfo=beijing))):  # fmt: skip
            value = connection.ops.adapt_datetimefield_value(at)
            cursor.execute("UPDATE core_auditevent SET occurred_at = %s WHERE id = %s",
                           [value, event.pk])  # fmt: skip

    def found(**days: date) -> set[str]:
        return set(audit_event_search(verb="test.", **days).values_list("verb", flat=True))

    day = date(2026, 3, 3)
    assert found(since=day, until=day) == {"test.late"}
    assert found(since=day + timedelta(days=1)) == {"test.early"}
    assert found(until=day) == {"test.late"}
    assert found(since=date.min, until=date.max) == {"test.late", "test.early"}
