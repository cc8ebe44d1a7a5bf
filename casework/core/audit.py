"""The append-only, hash-chained audit trail.

Every state change calls `record()` inside the transaction that makes the change, so the
change and its audit row commit or roll back together (STYLE.md: check → change → audit).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from casework.core.context import current_source_ip
from casework.core.models import GENESIS_HASH, AuditEvent

# Any constant works; it only has to be the same in every process that writes audit rows.
_CHAIN_LOCK_KEY = 0x63617365  # "case"
MAX_PAYLOAD_BYTES = 8192


def _canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def compute_hash(event: AuditEvent) -> str:
    """SHA-256 over the row's fields in a fixed order, chained through `prev_hash`."""
    occurred = event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
    fields = [
        occurred,
        event.actor_id,
        event.actor_username,
        event.station_id,
        event.verb,
        event.target_type,
        event.target_id,
        event.target_repr,
        event.outcome,
        event.source_ip,
        event.payload,
        event.prev_hash,
    ]
    return hashlib.sha256(_canonical_json(fields).encode()).hexdigest()


def _station_id_of(actor: Any, target: Model | None) -> int | None:
    # The target's station wins: a bureau reviewer acting on a XQ case is an XQ event.
    for owner in (target, getattr(actor, "profile", None)):
        station_id = getattr(owner, "station_id", None)
        if station_id is not None:
            return int(station_id)
    return None


def _lock_chain() -> None:
    """Serialise writers so each row sees its true predecessor.

    PostgreSQL: a transaction-scoped advisory lock, released at commit. SQLite: transactions
    are IMMEDIATE (settings), so the database write lock is already held.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def record(
    *,
    actor: Any,
    verb: str,
    target: Model | None = None,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    payload: dict[str, Any] | None = None,
    station_id: int | None = None,
    target_type: str = "",
    target_id: str = "",
    source_ip: str | None = None,
) -> AuditEvent:
    """Append one audit row to the chain, inside the caller's transaction."""
    # Round-trip through JSON so the stored payload is exactly what was hashed.
    body = json.loads(json.dumps(payload or {}, default=str))
    if len(_canonical_json(body).encode()) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"audit payload for {verb} exceeds {MAX_PAYLOAD_BYTES} bytes")
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor=actor if is_user else None,
        actor_username=actor.get_username() if is_user else "",
        station_id=station_id if station_id is not None else _station_id_of(actor, target),
        verb=verb,
        target_type=target._meta.label_lower if target is not None else target_type,
        target_id=str(target.pk) if target is not None else target_id,
        target_repr=str(target)[:200] if target is not None else "",
        outcome=outcome,
        source_ip=source_ip or current_source_ip.get(),
        payload=body,
    )
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event.prev_hash = last or GENESIS_HASH
        event.hash = compute_hash(event)
        event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_id: int | None = None
    reason: str = ""
    last_id: int | None = None  # the last row verified, and its hash: a checkpoint
    last_hash: str = ""
    since: Checkpoint | None = None  # where this verification started (None: from the first)

    @property
    def ok(self) -> bool:
        return self.broken_id is None


@dataclass(frozen=True)
class Checkpoint:
    """A full verification that passed: the rows up to `last_id` chained to `last_hash`."""

    at: Any  # datetime
    checked: int
    last_id: int
    last_hash: str


CHAIN_VERIFIED = "audit.chain_verified"


def chain_verify(*, chunk_size: int = 5000, since: Checkpoint | None = None) -> ChainReport:
    """Recompute every row's hash in id order; report the first row that does not match.

    With `since`, only the rows after its `last_id` are recomputed, the first of them chained
    to the hash the checkpoint recorded (so a row rewritten before it is caught by the next
    full verification, not by this one)."""
    expected_prev = since.last_hash if since else GENESIS_HASH
    rows = AuditEvent.objects.order_by("id")
    if since:
        rows = rows.filter(id__gt=since.last_id)
    checked, last_id, last_hash = 0, None, ""
    for event in rows.iterator(chunk_size=chunk_size):
        if event.prev_hash != expected_prev:
            reason = "prev_hash does not match the previous row"
            return ChainReport(checked, event.pk, reason, last_id, last_hash, since)
        if compute_hash(event) != event.hash:
            reason = "content does not match its hash"
            return ChainReport(checked, event.pk, reason, last_id, last_hash, since)
        expected_prev = last_hash = event.hash
        last_id = event.pk
        checked += 1
    return ChainReport(checked, last_id=last_id, last_hash=last_hash, since=since)


def checkpoint_record(report: ChainReport) -> AuditEvent | None:
    """Record a full verification that passed, as an audit row the next ones start from."""
    if not report.ok or report.since is not None or report.last_id is None:
        return None
    return record(
        actor=None,
        verb=CHAIN_VERIFIED,
        target_type="core.auditevent",
        target_id=str(report.last_id),
        payload={"checked": report.checked, "last_id": report.last_id,
                 "last_hash": report.last_hash},
    )  # fmt: skip


def checkpoint_latest() -> Checkpoint | None:
    """The latest full verification that passed (the nightly beat records one)."""
    row = AuditEvent.objects.filter(verb=CHAIN_VERIFIED).order_by("-id").first()
    if row is None:
        return None
    payload = row.payload
    try:
        return Checkpoint(row.occurred_at, int(payload["checked"]), int(payload["last_id"]),
                          str(payload["last_hash"]))  # fmt: skip
    except (KeyError, TypeError, ValueError):
        return None
