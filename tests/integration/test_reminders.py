"""Pre-trip reminders through the real stack: Redis, a Celery worker process, PostgreSQL.

A reminder email goes out exactly once however often its delivery is retried, and a broker
outage while trips are registered delays the emails but loses none.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from casework.core.models import OutboxMessage
from casework.core.tasks import outbox_deliver as outbox_deliver_task
from casework.core.tasks import outbox_sweep as outbox_sweep_task
from casework.rules.services import rule_save
from casework.trips.services import trip_register
from config.celery_app import app as celery_app
from tests.factories import make_officer
from tests.integration.conftest import ROOT, _database_url

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
FAR = {"province": "广东省", "city": "深圳市", "county": "南山区"}


def _mails_to(mail_dir: Path, address: str) -> int:
    """How many messages the worker's file backend wrote to `address`."""
    text = "".join(p.read_text("utf-8", errors="replace") for p in mail_dir.glob("*.log"))
    return len(re.findall(rf"^To: {re.escape(address)}$", text, flags=re.MULTILINE))


def _trip_library() -> None:
    rule_save(
        by=None,
        slug="it_no_alcohol",
        title="出差禁酒",
        category="trip",
        conditions={},
        text="{姓名}同志:出差{出差地}期间严禁饮酒",
        legal_basis=[{"law": "公安机关人民警察纪律条令", "article": "§23", "version": "2010"}],
        verified="VERIFIED",
        enabled=True,
    )


def _idle(wait_until: Callable[..., Any]) -> None:
    inspect = celery_app.control.inspect(timeout=1)

    def nothing_running() -> bool:
        active, reserved = inspect.active() or {}, inspect.reserved() or {}
        return not any(active.values()) and not any(reserved.values())

    wait_until(nothing_running, timeout=30, what="the worker to go idle")


def test_a_reminder_email_is_delivered_exactly_once(
    celery_worker_process: Any, mail_dir: Path, wait_until: Callable[..., Any], xq: Any
) -> None:
    _trip_library()
    lead = make_officer("it_lead", station=xq, roles=["officer"], email="lead-once@example.cn")
    make_officer("it_mate", station=xq, roles=["officer"], email="mate-once@example.cn")
    departs = timezone.now() + timedelta(days=1)
    trip_register(
        by=lead.user,
        officers=["it_lead", "it_mate"],
        destination=FAR,
        departs_at=departs,
        returns_at=departs + timedelta(days=2),
        purposes=["arrest"],
    )
    mails = OutboxMessage.objects.filter(topic="mail.send", key__contains="trip")
    wait_until(
        lambda: mails.count() == 2 and not mails.exclude(status="done").exists(),
        timeout=30,
        what="both briefing emails delivered",
    )
    # Redeliveries the broker or the sweep could cause: each message handed over twice more.
    for message in mails:
        outbox_deliver_task.delay(message.pk)
        outbox_deliver_task.delay(message.pk)
    outbox_sweep_task.delay()
    _idle(wait_until)
    assert _mails_to(mail_dir, "lead-once@example.cn") == 1
    assert _mails_to(mail_dir, "mate-once@example.cn") == 1
    assert set(mails.values_list("attempts", flat=True)) == {1}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Broker:
    """A Redis of our own that the test can stop and start again (the shared one stays up)."""

    def __init__(self, port: int, workdir: Path) -> None:
        self.port, self.workdir, self.process = port, workdir, None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        ping = ["redis-cli", "-p", str(self.port), "ping"]
        for _ in range(100):
            if subprocess.run(ping, capture_output=True, check=False).stdout.strip() == b"PONG":
                return
            time.sleep(0.1)
        pytest.fail(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)  # an outage, not a clean shutdown
            self.process.wait(timeout=10)


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[Broker]:
    broker = Broker(_free_port(), tmp_path)
    broker.start()
    yield broker
    broker.stop()


def _env(broker: Broker, mail_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker.url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "OUTBOX_REDELIVER_SECONDS": "1",
    }


# The web process's side of the story, run as its own process whose broker is `own_broker`.
REGISTER = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from casework.trips.services import trip_register
lead = get_user_model().objects.get(username="out_lead")
departs = timezone.now() + timedelta(days=1)
trip = trip_register(by=lead, officers=["out_lead", "out_mate"], destination={FAR!r},
                     departs_at=departs, returns_at=departs + timedelta(days=1),
                     purposes=["search"])
print("registered", trip.pk)
"""
SWEEP = "from casework.core.tasks import outbox_sweep; outbox_sweep.delay(); print('swept')"


def _django(code: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_broker_outage_delays_reminders_but_loses_none(
    own_broker: Broker, tmp_path: Path, wait_until: Callable[..., Any], xq: Any
) -> None:
    _trip_library()
    make_officer("out_lead", station=xq, roles=["officer"], email="lead-outage@example.cn")
    make_officer("out_mate", station=xq, roles=["officer"], email="mate-outage@example.cn")
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = _env(own_broker, mail_dir)
    log = (ROOT / "var" / "integration-outage-worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", "1",
         "--without-gossip", "--without-mingle", "-n", "outage@%h", "--loglevel", "INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        own_broker.stop()
        # 1. Work is done while the broker is down: the trip is stored, its emails wait.
        out = _django(REGISTER.format(FAR=FAR), env)
        assert "registered" in out
        assert "could not publish" in out
        mails = OutboxMessage.objects.filter(topic="mail.send", key__contains="trip")
        assert mails.count() == 2
        assert set(mails.values_list("status", flat=True)) == {"pending"}
        # 2. The broker comes back; the next beat's sweep re-publishes, the worker delivers.
        own_broker.start()
        _django(SWEEP, env)
        wait_until(
            lambda: not mails.exclude(status="done").exists(),
            timeout=90,
            what="the held-back briefing emails delivered after the outage",
        )
        assert _mails_to(mail_dir, "lead-outage@example.cn") == 1
        assert _mails_to(mail_dir, "mate-outage@example.cn") == 1
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
