"""Loaded into a fault-test worker (`celery worker --include tests.integration.fault_hooks`).

It lets a test stop an outbox delivery at a chosen point and kill the worker there:

- `prerun-<message id>`: the task was received (not acked: acks_late) but has not claimed
  the message yet;
- `send-<subject>`: the message is claimed and its mail is being sent (the effect not yet
  written);
- `postrun-<message id>`: the mail went out and the message is marked done, but the task
  has not been acknowledged to the broker.

The test creates `<point>.hold` in FAULT_HOLD_DIR; the worker writes `<point>.running` with
"<pid> <parent pid>" and waits until the hold file is removed (or two minutes pass).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from celery.signals import task_postrun, task_prerun
from django.core.mail.backends.filebased import EmailBackend

DELIVER = "casework.core.tasks.outbox_deliver"


def hold(point: str) -> None:
    folder = os.environ.get("FAULT_HOLD_DIR")
    if not folder:
        return
    gate = Path(folder) / f"{point}.hold"
    if not gate.exists():
        return
    running = Path(folder) / f"{point}.running"
    partial = running.with_suffix(".partial")
    partial.write_text(f"{os.getpid()} {os.getppid()}")
    partial.replace(running)  # atomic: the test never reads half a line
    give_up = time.monotonic() + 120
    while gate.exists() and time.monotonic() < give_up:
        time.sleep(0.02)


@task_prerun.connect
def _before_task(sender: Any = None, args: Sequence[Any] = (), **kwargs: Any) -> None:
    if getattr(sender, "name", "") == DELIVER and args:
        hold(f"prerun-{args[0]}")


@task_postrun.connect
def _after_task(sender: Any = None, args: Sequence[Any] = (), **kwargs: Any) -> None:
    if getattr(sender, "name", "") == DELIVER and args:
        hold(f"postrun-{args[0]}")


class HeldFileBackend(EmailBackend):
    """Django's file backend that can be held just before it writes a message."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        for message in email_messages:
            hold(f"send-{message.subject}")
        return int(super().send_messages(email_messages) or 0)
