"""`python manage.py load_rules`: the default rule library from fixtures/rules.json (idempotent)."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from casework.rules.services import rules_load


class Command(BaseCommand):
    help = "Load the default rule library; existing rule versions (and their edits) are kept."

    def handle(self, *args: Any, **options: Any) -> None:
        data = json.loads(Path(settings.BASE_DIR, "fixtures", "rules.json").read_text("utf-8"))
        created = rules_load(data=data)
        self.stdout.write(
            f"rule library: {created} new rule versions, {len(data['rules'])} in the file"
        )
