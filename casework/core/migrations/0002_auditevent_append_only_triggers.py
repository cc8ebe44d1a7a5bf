"""Make audit rows append-only in the database itself, not just through the ORM: a raw
UPDATE or DELETE fails too. Removing the trigger takes a schema change, which is itself
visible; and the hash chain still catches anything done behind it."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import migrations

SQLITE = [
    """CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END""",
    """CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END""",
]
POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit rows are append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
       FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only()""",
    # TRUNCATE bypasses row triggers; forbid it separately.
    """CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_append_only()""",
]


def create_triggers(apps: Any, schema_editor: Any) -> None:
    if not settings.CASEWORK_AUDIT_DB_TRIGGERS:
        return
    install(schema_editor.execute, schema_editor.connection.vendor)


def install(execute: Callable[[str], Any], vendor: str) -> None:
    for statement in {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(vendor, []):
        execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, migrations.RunPython.noop)]
