"""The review queue reads the NEW tasks oldest first (`ORDER BY created LIMIT 50`). Without this
index PostgreSQL walks `viewflow_task.created` through every finished task to reach the few
waiting ones (4 s at 2.9M tasks, `make bench`). viewflow's own tables are not ours to model, so
the partial index is plain SQL (the same statement on PostgreSQL and SQLite)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial"), ("viewflow", "0015_task_scheduled")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS workflow_task_new_created "
            "ON viewflow_task (created, id) WHERE status = 'NEW'",
            "DROP INDEX IF EXISTS workflow_task_new_created",
        )
    ]
