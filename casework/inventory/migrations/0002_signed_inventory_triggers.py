"""Make a signed inventory immutable in the database itself, not only in the services: a raw
UPDATE of its signed content, or a DELETE of any inventory row, fails. What may still change
after signing is what the form leaves open: the items' end states, the status moving on
(closed, superseded), and the stored PDF, once."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import migrations

INVENTORY_SIGNED = [
    "station_id", "case_id", "party_id", "revision", "supersedes_id", "correction_reason",
    "taken_at", "place", "created_by_id", "created_at", "signed_at", "signed_by_id",
    "second_officer_id", "witness_name", "suspect_signature", "refusal_reason", "sha256",
]  # fmt: skip
ITEM_CONTENT = [
    "inventory_id", "line", "category", "name", "quantity", "unit", "size", "marks",
    "condition", "description", "is_empty", "denominations", "removed_at", "copied_from_id",
]  # fmt: skip
ITEM_END_STATE = [
    "disposition", "disposed_at", "disposed_by_id", "receiver", "receiver_relation", "locker",
    "custodian_id", "disposal_note",
]  # fmt: skip
TABLES = ["inventory_inventory", "inventory_propertyitem", "inventory_itemphoto", "inventory_seizure"]


def _changed(columns: list[str], op: str) -> str:
    new = ", ".join(f"NEW.{c}" for c in columns)
    old = ", ".join(f"OLD.{c}" for c in columns)
    return f"(({new}) {op} ({old}))"


def _sqlite() -> list[str]:
    draft = "(SELECT status FROM inventory_inventory WHERE id = OLD.inventory_id) = 'draft'"
    statements = [
        f"""CREATE TRIGGER inventory_signed_locked BEFORE UPDATE ON inventory_inventory
            WHEN OLD.status <> 'draft' AND ({_changed(INVENTORY_SIGNED, 'IS NOT')}
              OR (OLD.pdf <> '' AND NEW.pdf IS NOT OLD.pdf)
              OR (OLD.status IN ('closed', 'superseded') AND NEW.status IS NOT OLD.status))
            BEGIN SELECT RAISE(ABORT, 'a signed inventory is immutable'); END""",
        f"""CREATE TRIGGER inventory_item_locked BEFORE UPDATE ON inventory_propertyitem
            WHEN (NOT {draft} AND {_changed(ITEM_CONTENT, 'IS NOT')})
              OR (OLD.disposition <> '' AND {_changed(ITEM_END_STATE, 'IS NOT')})
            BEGIN SELECT RAISE(ABORT, 'a signed inventory is immutable'); END""",
        """CREATE TRIGGER inventory_photo_locked BEFORE UPDATE ON inventory_itemphoto
            BEGIN SELECT RAISE(ABORT, 'inventory photos are immutable'); END""",
    ]
    for table in TABLES:
        statements.append(
            f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
                BEGIN SELECT RAISE(ABORT, 'inventory records are never deleted'); END"""
        )
    return statements


def _postgresql() -> list[str]:
    draft = "(SELECT status FROM inventory_inventory WHERE id = OLD.inventory_id) = 'draft'"
    statements = [
        f"""CREATE OR REPLACE FUNCTION inventory_signed_locked() RETURNS trigger AS $$
            BEGIN
              IF OLD.status <> 'draft' AND ({_changed(INVENTORY_SIGNED, 'IS DISTINCT FROM')}
                 OR (OLD.pdf <> '' AND NEW.pdf IS DISTINCT FROM OLD.pdf)
                 OR (OLD.status IN ('closed', 'superseded') AND NEW.status <> OLD.status)) THEN
                RAISE EXCEPTION 'a signed inventory is immutable';
              END IF;
              RETURN NEW;
            END; $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER inventory_signed_locked BEFORE UPDATE ON inventory_inventory
           FOR EACH ROW EXECUTE FUNCTION inventory_signed_locked()""",
        f"""CREATE OR REPLACE FUNCTION inventory_item_locked() RETURNS trigger AS $$
            BEGIN
              IF (NOT {draft} AND {_changed(ITEM_CONTENT, 'IS DISTINCT FROM')})
                 OR (OLD.disposition <> '' AND {_changed(ITEM_END_STATE, 'IS DISTINCT FROM')}) THEN
                RAISE EXCEPTION 'a signed inventory is immutable';
              END IF;
              RETURN NEW;
            END; $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER inventory_item_locked BEFORE UPDATE ON inventory_propertyitem
           FOR EACH ROW EXECUTE FUNCTION inventory_item_locked()""",
        """CREATE OR REPLACE FUNCTION inventory_never_deleted() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'inventory records are never deleted or photos changed'; END;
           $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER inventory_photo_locked BEFORE UPDATE ON inventory_itemphoto
           FOR EACH ROW EXECUTE FUNCTION inventory_never_deleted()""",
    ]
    for table in TABLES:
        statements.append(
            f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION inventory_never_deleted()"""
        )
    return statements


def create_triggers(apps: Any, schema_editor: Any) -> None:
    if not settings.CASEWORK_AUDIT_DB_TRIGGERS:
        return
    install(schema_editor.execute, schema_editor.connection.vendor)


def install(execute: Callable[[str], Any], vendor: str) -> None:
    for statement in {"sqlite": _sqlite, "postgresql": _postgresql}.get(vendor, list)():
        execute(statement)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, migrations.RunPython.noop)]
