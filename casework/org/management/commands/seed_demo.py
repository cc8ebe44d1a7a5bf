"""`python manage.py seed_demo [--password P]`: demo stations and users (API.md), idempotent."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from casework.org.services import demo_load

DEFAULT_PASSWORD = "casework-demo"  # noqa: S105 - the demo password documented in README


class Command(BaseCommand):
    help = "Create or refresh the demo stations and users; running it twice changes nothing."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="password for every user")

    def handle(self, *args: Any, password: str, **options: Any) -> None:
        data = json.loads(Path(settings.BASE_DIR, "fixtures", "demo.json").read_text("utf-8"))
        with transaction.atomic():
            users = demo_load(data=data, password=password)
        self.stdout.write(f"demo data ready: {len(users)} users, password {password!r}")
        for username in users:
            self.stdout.write(f"  {username}")
