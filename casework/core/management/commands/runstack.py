"""`python manage.py runstack`: the web server, a Celery worker and beat, together.

This is what `make run` starts. Ctrl-C (or SIGTERM) stops all of them; if one dies, the others
are stopped too, so a half-running product never looks healthy.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

DEMO_USERS = (
    "chief_xq instructor_xq legal_xq officer_xq1 officer_xq2 aux_xq1 "
    "legal_pl officer_pl1 bureau_legal auditor admin"
)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and beat; Ctrl-C stops them all."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--demo-password", default="casework-demo")

    def handle(self, *args: Any, addr: str, demo_password: str, **options: Any) -> None:
        python = sys.executable
        schedule_db = settings.VAR_DIR / "celerybeat-schedule"
        commands = {
            "web": [python, "manage.py", "runserver", addr, "--noreload"],
            "worker+beat": [
                python,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--beat",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "--schedule",
                str(schedule_db),
            ],
        }
        processes = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}  # noqa: S603
        self.stdout.write(
            f"\ncasework is running: http://{addr}/\n"
            f"demo logins (password {demo_password!r}): {DEMO_USERS}\n"
            "Ctrl-C stops the web server, the worker and beat.\n"
        )
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            while all(p.poll() is None for p in processes.values()):
                time.sleep(0.5)
            dead = [name for name, p in processes.items() if p.poll() is not None]
            self.stderr.write(f"{', '.join(dead)} stopped; stopping the rest")
        except KeyboardInterrupt:
            self.stdout.write("stopping…")
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
