"""Fault injection on the real stack (ENGINEERING.md: no lost work, no double work).

1. a worker killed with SIGKILL in the middle of an outbox delivery: the mail goes out once;
2. Redis killed during 100 approvals: every approval commits, every notification and
   warning is delivered once Redis is back;
3. two beat processes at once: no duplicate warning, daily report, notification or mail;
4. the PostgreSQL connection killed inside a service's transaction: nothing of that call is
   left, the audit chain verifies, and the next call succeeds.

These tests use a Redis of their own (a `redis-server` on a free port, killed and restarted
at will) and their own worker and beat processes; the shared Redis is never touched.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import (
    DatabaseError,
    InterfaceError,
    close_old_connections,
    connection,
    transaction,
)
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from kombu import pools as kombu_pools

from casework.cases import services as case_services
from casework.cases.models import Case, DailyIncidentReport, GateDecision, Measure
from casework.core import audit, outbox
from casework.core.models import AuditEvent, Notification, OutboxMessage
from casework.core.tasks import outbox_deliver as outbox_deliver_task
from casework.core.tasks import outbox_sweep as outbox_sweep_task
from casework.deadlines.models import Deadline, DeadlineWarning, Rung
from casework.deadlines.services import clock_set
from casework.deadlines.tasks import deadline_sweep as deadline_sweep_task
from casework.reviews.models import Retrospective
from casework.workflow import services as workflow
from casework.workflow.selectors import active_task
from config.celery_app import app as celery_app
from tests.factories import make_officer, ticks
from tests.integration.conftest import ROOT, _database_url
from tests.integration.test_reminders import Broker, _free_port, _mails_to

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
User = get_user_model()
LOGS = ROOT / "var"


# ---- the private broker, and the test process pointed at it ---------------------------------


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    (LOGS / "integration-faults-worker.log").write_bytes(b"")  # this run's workers, all
    broker = Broker(_free_port(), tmp_path_factory.mktemp("redis"))
    broker.start()
    yield broker
    broker.stop()


def _reset_celery_connections() -> None:
    """Forget pooled broker connections so the next publish connects to the broker now set."""
    kombu_pools.reset()  # closes them, and empties kombu's registry of pools by broker URL
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    celery_app.control._after_fork()


@contextmanager
def _publishing_to(url: str) -> Iterator[None]:
    """This process (the "web" side) publishes to `url` (CELERY_BROKER_URL wins over conf)."""
    saved = os.environ.get("CELERY_BROKER_URL"), celery_app.conf.task_always_eager
    saved_url = celery_app.conf.broker_url
    os.environ["CELERY_BROKER_URL"] = url
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = url, False
    _reset_celery_connections()
    try:
        yield
    finally:
        if saved[0] is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved[0]
        celery_app.conf.broker_url = saved_url
        celery_app.conf.task_always_eager = saved[1]
        _reset_celery_connections()


@pytest.fixture
def broker(private_redis: Broker) -> Iterator[Broker]:
    """The private Redis, up and empty, and this process publishing to it."""
    if private_redis.process is None or private_redis.process.poll() is not None:
        private_redis.start()
    subprocess.run(["redis-cli", "-p", str(private_redis.port), "flushall"], check=True)
    with _publishing_to(private_redis.url):
        yield private_redis


# ---- worker and beat processes of our own ---------------------------------------------------


class Proc:
    """A worker or beat process in its own session, so nothing it forks outlives the test."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path, name: str = "") -> None:
        self.log, self.name = log, name
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL the process itself (not its group): what the OOM killer or `kill -9` does."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        with suppress(ProcessLookupError):  # whatever it forked and left behind
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


class Stack:
    """Start workers and beats against the test database and the private broker."""

    def __init__(self, broker: Broker, tmp_path: Path, wait_until: Callable[..., Any]) -> None:
        self.broker, self.wait_until = broker, wait_until
        self.mail_dir, self.hold_dir = tmp_path / "mail", tmp_path / "hold"
        self.mail_dir.mkdir()
        self.hold_dir.mkdir()
        self.procs: list[Proc] = []
        self.count = 0

    def env(self, lease_s: int) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": self.broker.url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_BACKEND": "tests.integration.fault_hooks.HeldFileBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "FAULT_HOLD_DIR": str(self.hold_dir),
            "OUTBOX_REDELIVER_SECONDS": str(lease_s),
        }

    def worker(self, *, concurrency: int, lease_s: int, wait: bool = True) -> Proc:
        self.count += 1
        name = f"fault{self.count}@faults"
        argv = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel", "INFO",
            "--concurrency", str(concurrency), "--without-gossip", "--without-mingle",
            "--include", "tests.integration.fault_hooks", "-n", name,
        ]  # fmt: skip
        proc = Proc(argv, self.env(lease_s), LOGS / "integration-faults-worker.log", name)
        self.procs.append(proc)
        if wait:
            self.ready(proc)
        return proc

    def ready(self, proc: Proc) -> None:
        self.wait_until(partial(_ping, proc.name), timeout=60, what=f"worker {proc.name} ready")

    def beat(self, n: int, *, lease_s: int) -> Proc:
        log = LOGS / f"integration-faults-beat{n}.log"
        log.write_bytes(b"")
        argv = [
            sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO",
            "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
            "--max-interval", "1",
        ]  # fmt: skip
        proc = Proc(argv, self.env(lease_s), log)
        self.procs.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.procs:
            proc.stop()


@pytest.fixture
def stack(
    broker: Broker, tmp_path: Path, wait_until: Callable[..., Any], transactional_db: None
) -> Iterator[Stack]:
    # Torn down before transactional_db flushes the tables, so no process holds a lock then.
    stack = Stack(broker, tmp_path, wait_until)
    try:
        yield stack
    finally:
        stack.stop_all()


def _ping(name: str) -> bool:
    try:
        return bool(celery_app.control.ping(destination=[name], timeout=0.3))
    except Exception:  # a pooled connection to a broker that has since restarted
        _reset_celery_connections()
        return False


def _settle(wait_until: Callable[..., Any]) -> None:
    """Wait until no worker runs or holds a task (as test_reminders._idle, but tolerant of a
    pooled connection to a broker that was restarted meanwhile)."""

    def nothing_running() -> bool:
        try:
            inspect = celery_app.control.inspect(timeout=1)
            active, reserved = inspect.active() or {}, inspect.reserved() or {}
        except Exception:
            _reset_celery_connections()
            return False
        return not any(active.values()) and not any(reserved.values())

    wait_until(nothing_running, timeout=60, what="the workers to go idle")


def _dead(pid: int) -> bool:
    """Gone, or a zombie nobody has reaped yet (it runs nothing either way)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return True
    return state in {"Z", "X"}


# ---- 1. a worker SIGKILLed mid-task ---------------------------------------------------------

# Where the worker is held when it is killed, and what is killed: the pool process running the
# task (the OOM killer's usual victim) or the worker's main process (its pool processes die
# with it: Celery sets PR_SET_PDEATHSIG). `claims`: how often the message gets claimed.
KILL_POINTS = {
    "prerun": 1,  # received, not acked, not yet claimed
    "send": 2,  # claimed, the mail being written: the first claim dies with it
    "postrun": 1,  # mail sent and the message marked done, the task not yet acked
}
KILL_PLAN = [
    (point, victim) for _ in range(4) for point in KILL_POINTS for victim in ("pool", "worker")
][:20]


def test_a_worker_sigkilled_mid_delivery_sends_the_mail_exactly_once_20_times(
    stack: Stack, wait_until: Callable[..., Any]
) -> None:
    lease = 2  # OUTBOX_REDELIVER_SECONDS: the sweep re-publishes what is this stale
    # Two workers, as in production: while a killed one is replaced, the other carries on.
    workers = [stack.worker(concurrency=1, lease_s=lease, wait=False) for _ in range(2)]
    for proc in workers:
        stack.ready(proc)
    started, messages = time.monotonic(), []
    for i, (point, victim) in enumerate(KILL_PLAN):
        address, subject, how = f"kill{i}@example.cn", f"kill-{i}", f"#{i} {point}/{victim}"
        with transaction.atomic():
            message = outbox.mail_to(
                key=f"fault-kill:{i}", to=[address], subject=subject, body="SIGKILL 测试"
            )
            where = {"prerun": message.pk, "send": subject, "postrun": message.pk}[point]
            gate = stack.hold_dir / f"{point}-{where}.hold"
            gate.touch()  # before commit, so the delivery task cannot slip past it
        running = gate.with_suffix(".running")
        wait_until(running.exists, timeout=60, what=f"{how}: a worker to reach {point}")
        pool_pid, main_pid = map(int, running.read_text().split())
        holder = next(proc for proc in workers if proc.pid == main_pid)
        if victim == "pool":
            os.kill(pool_pid, signal.SIGKILL)
        else:
            holder.kill()
            workers.remove(holder)
            workers.append(stack.worker(concurrency=1, lease_s=lease, wait=False))
        wait_until(partial(_dead, pool_pid), timeout=10, what=f"{how}: the pool process gone")
        gate.unlink()  # from here on, deliveries run through
        assert _mails_to(stack.mail_dir, address) == (1 if point == "postrun" else 0), how

        def delivered(pk: int = message.pk) -> bool:
            # What beat does every minute; the claim makes the extra publishes harmless.
            outbox_sweep_task.delay()
            return OutboxMessage.objects.filter(pk=pk, status="done").exists()

        wait_until(delivered, timeout=60, what=f"{how}: the message redelivered")
        # Redis hands an unacked message out again once its visibility timeout has passed.
        outbox_deliver_task.delay(message.pk)
        messages.append((message, address, point, how))
    for proc in workers:
        stack.ready(proc)
    _settle(wait_until)
    for message, address, point, how in messages:
        message.refresh_from_db()
        assert _mails_to(stack.mail_dir, address) == 1, how
        assert (message.status, message.attempts) == ("done", KILL_POINTS[point]), how
    took = time.monotonic() - started
    print(f"\n[faults] 20 SIGKILLs mid-delivery, each mail sent once: {took:.1f}s")


# ---- 2. Redis killed during 100 approvals ---------------------------------------------------


def _in_threads(
    work: Callable[[Any], Any], items: list[Any], n: int = 4
) -> tuple[list[threading.Thread], list[BaseException]]:
    """Start n threads (n web processes) that share the items out and run `work` on each;
    return them, and the list where they put what they raised."""
    errors: list[BaseException] = []

    def share(chunk: list[Any]) -> None:
        try:
            for item in chunk:
                work(item)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=share, args=(items[k::n],)) for k in range(n)]
    for thread in threads:
        thread.start()
    return threads, errors


def _case_at_chief_approval(officer: Any, legal: Any, n: int) -> Case:
    case = workflow.case_start(
        by=officer, kind="administrative", title=f"重大案件{n}", summary="故障注入",
        is_major=True,  # its closing approval opens the retrospective (一案一复盘)
    )  # fmt: skip
    for gate in ("acceptance", "disposition"):
        if gate == "disposition":
            workflow.disposition_propose(
                by=officer, case_id=case.pk, proposal="罚款五百元", legal_basis="治安管理处罚法"
            )
        task = active_task(case)
        assert task is not None
        workflow.review_decide(
            by=legal, task_id=task.pk, decision="approve", checklist=ticks(case, gate)
        )
    return case


def test_redis_killed_during_100_approvals_loses_no_approval_and_no_notification(
    stack: Stack, wait_until: Callable[..., Any], xq: Any, caplog: pytest.LogCaptureFixture
) -> None:
    approvals, outage_from, outage_to = 100, 20, 70
    officer = make_officer("out_off", station=xq, roles=["officer"], email="o@fault.cn").user
    legal = make_officer("out_legal", station=xq, roles=["legal_officer"], email="l@fault.cn")
    chief = make_officer("out_chief", station=xq, roles=["chief"], email="c@fault.cn").user
    t0, cases = time.monotonic(), [_case_at_chief_approval(officer, legal.user, 0)]
    setup, errors = _in_threads(
        lambda n: cases.append(_case_at_chief_approval(officer, legal.user, n)),
        list(range(1, approvals)),
    )
    for thread in setup:
        thread.join()
    assert errors == []
    took = time.monotonic() - t0
    print(f"\n[faults] setup: {approvals} cases at the chief's approval in {took:.1f}s")
    # Twenty overdue clocks (整改期限 set by a person): the beat's sweep warns the officer at
    # the due time, the legal officer at it, the chief two hours after.
    with transaction.atomic():
        for case in cases[:20]:
            clock_set(
                case=case, trigger="fault-outage", title="整改期限", text="逾期未整改",
                due_at=timezone.now() - timedelta(hours=3), owner=officer,
            )  # fmt: skip
    rungs = Rung.objects.filter(deadline__trigger="fault-outage")
    assert rungs.count() == 60
    worker = stack.worker(concurrency=2, lease_s=3)
    # One of the worker's two processes is busy sending a mail when Redis dies, the other
    # waits for work: the state in which kombu 5.7 used to make the worker exit for good.
    gate = stack.hold_dir / "send-in flight.hold"
    gate.touch()
    with transaction.atomic():
        outbox.mail_to(key="fault-outage:in-flight", to=["f@fault.cn"], subject="in flight",
                       body="Redis 宕机时正在发送")  # fmt: skip
    wait_until(gate.with_suffix(".running").exists, timeout=30, what="a mail being sent")

    decided = GateDecision.objects.filter(gate="chief_approval", decision="approve")

    def approve(case: Case) -> None:  # the chief's click, in one of four web processes
        task = active_task(case)
        assert task is not None
        workflow.review_decide(
            by=User.objects.get(pk=chief.pk), task_id=task.pk, decision="approve",
            checklist=ticks(case, "chief_approval"),
        )  # fmt: skip

    beat_stop, beat_failures = threading.Event(), []

    def beat() -> None:  # the beat's minute ticks, squeezed: deadline sweep + outbox sweep
        while not beat_stop.wait(0.5):
            for task in (deadline_sweep_task, outbox_sweep_task):
                try:
                    task.delay()
                except Exception as exc:  # beat logs it and tries again at the next tick
                    beat_failures.append(exc)

    beat_thread = threading.Thread(target=beat)
    started = time.monotonic()
    web, errors = _in_threads(approve, cases)
    wait_until(lambda: decided.count() >= outage_from, timeout=120, what="approvals begun")
    stack.broker.stop()  # SIGKILL: whatever Redis held (queued and unacked tasks) is gone
    down_at = time.monotonic()
    beat_thread.start()
    time.sleep(1)
    gate.unlink()  # the mail in flight is sent during the outage; its ack cannot be
    wait_until(
        lambda: decided.count() >= outage_to or not any(t.is_alive() for t in web),
        timeout=300,
        what="approvals made while Redis is down",
    )
    during = decided.count()
    stack.broker.start()
    down_for = time.monotonic() - down_at
    for thread in web:
        thread.join(timeout=300)
    approved_in = time.monotonic() - started
    assert errors == []
    # Every approval committed, with its retrospective and its legal officer's notification.
    assert decided.count() == approvals
    assert Retrospective.objects.filter(case__in=cases).count() == approvals
    statuses = Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("status", flat=True)
    assert set(statuses) == {Case.Status.CLOSED}
    # Every warning and every mail delivered once Redis is back (the beat keeps ticking).
    everything_out = OutboxMessage.objects.exclude(status="done")
    wait_until(
        lambda: (
            DeadlineWarning.objects.filter(rung__in=rungs, delivered_at__isnull=False).count() == 60
            and OutboxMessage.objects.count() == approvals + 60 + 1
            and not everything_out.exists()
        ),
        timeout=180,
        what="every notification and warning delivered after the outage",
    )
    beat_stop.set()
    beat_thread.join()
    _settle(wait_until)
    assert worker.process.poll() is None, "the worker died with Redis (see its log)"
    recovered_in = time.monotonic() - started - approved_in
    assert Notification.objects.filter(key__startswith="retrospective:").count() == approvals
    assert Notification.objects.filter(key__startswith="deadline-warning:").count() == 60
    assert _mails_to(stack.mail_dir, "l@fault.cn") == approvals + 20
    assert _mails_to(stack.mail_dir, "o@fault.cn") == 20
    assert _mails_to(stack.mail_dir, "c@fault.cn") == 20
    assert _mails_to(stack.mail_dir, "f@fault.cn") == 1
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
    # The outage was real: publishing failed while Redis was down, and nothing was lost.
    assert beat_failures
    lost = [r for r in caplog.records if "could not publish" in r.getMessage()]
    assert lost
    print(
        f"\n[faults] 100 approvals in {approved_in:.1f}s, {during - outage_from}+ during a "
        f"{down_for:.1f}s outage; {len(lost)} publishes failed and were swept; all delivered "
        f"{recovered_in:.1f}s later"
    )


# ---- 3. two beats at once -------------------------------------------------------------------

BEAT_TASKS = {
    "fault-deadline-sweep": "casework.deadlines.tasks.deadline_sweep",
    "fault-daily-report": "casework.cases.tasks.daily_reports_make",
    "fault-outbox-sweep": "casework.core.tasks.outbox_sweep",
}


def test_two_beats_running_at_once_make_no_duplicates(
    stack: Stack, wait_until: Callable[..., Any], xq: Any, pl: Any
) -> None:
    officer = make_officer("tb_off", station=xq, roles=["officer"], email="tb-o@fault.cn").user
    make_officer("tb_legal", station=xq, roles=["legal_officer"], email="tb-l@fault.cn")
    make_officer("tb_chief", station=xq, roles=["chief"], email="tb-c@fault.cn")
    pl_officer = make_officer("tb_pl", station=pl, roles=["officer"]).user
    for station, username in ((xq, "tb_ins_xq"), (pl, "tb_ins_pl")):
        make_officer(username, station=station, roles=["instructor"], email=f"{username}@f.cn")
    # The deadline sweep: five overdue clocks, three rungs each, all due.
    case = workflow.case_start(by=officer, kind="administrative", title="两个节拍", summary="…")
    with transaction.atomic():
        for n in range(5):
            clock_set(
                case=case, trigger=f"fault-beats-{n}", title=f"整改期限{n}", text="逾期",
                due_at=timezone.now() - timedelta(hours=3), owner=officer,
            )  # fmt: skip
    # The daily report: open incidents at both stations.
    for by in (officer, officer, pl_officer):
        case_services.incident_register(
            by=by, received_at=timezone.now() - timedelta(days=1), category="纠纷",
            location="吾悦广场", summary="未办结",
        )  # fmt: skip
    # The outbox sweep: ten mails whose publish was lost an hour ago.
    an_hour_ago = timezone.now() - timedelta(hours=1)
    for n in range(10):
        OutboxMessage.objects.create(
            topic="mail.send", key=f"fault-lost:{n}", created_at=an_hour_ago,
            payload={"to": [f"lost{n}@fault.cn"], "subject": "补发", "body": "…"},
        )  # fmt: skip
    # Both beats read the same schedule: each of the three jobs every second.
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    for name, task in BEAT_TASKS.items():
        PeriodicTask.objects.create(name=name, task=task, interval=every_second)
    stack.worker(concurrency=2, lease_s=30)
    beats = [stack.beat(n, lease_s=30) for n in (1, 2)]

    def sent(proc: Proc, name: str) -> int:
        return proc.log.read_text(errors="replace").count(f"Sending due task {name} ")

    wait_until(
        lambda: all(sent(b, name) >= 4 for b in beats for name in BEAT_TASKS),
        timeout=90,
        what="both beats sending each job at least four times",
    )
    for proc in beats:
        proc.stop()
    _settle(wait_until)
    wait_until(
        lambda: not OutboxMessage.objects.exclude(status="done").exists(),
        timeout=60,
        what="every mail delivered",
    )
    # Deadline sweep: one warning per rung, one notification and one mail per person.
    rungs = Rung.objects.filter(deadline__case=case)
    assert DeadlineWarning.objects.filter(rung__in=rungs).count() == rungs.count() == 15
    assert not DeadlineWarning.objects.filter(delivered_at__isnull=True).exists()
    assert Notification.objects.filter(key__startswith="deadline-warning:").count() == 15
    for address in ("tb-o@fault.cn", "tb-l@fault.cn", "tb-c@fault.cn"):
        assert _mails_to(stack.mail_dir, address) == 5, address
    # Daily report: one per station and day, its instructor told once.
    today = timezone.localdate()
    assert sorted(
        DailyIncidentReport.objects.filter(day=today).values_list("station__code", flat=True)
    ) == ["PL", "XQ"]
    assert Notification.objects.filter(key__startswith="daily-report:").count() == 2
    assert _mails_to(stack.mail_dir, "tb_ins_xq@f.cn") == 1
    assert _mails_to(stack.mail_dir, "tb_ins_pl@f.cn") == 1
    made = AuditEvent.objects.filter(verb="incidents.daily_report_made").count()
    assert made == 2
    # Outbox sweep: the lost mails re-published by both beats, over and over, sent once.
    for n in range(10):
        assert _mails_to(stack.mail_dir, f"lost{n}@fault.cn") == 1
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
    assert audit.chain_verify().ok


# ---- 4. the database connection killed mid-transaction --------------------------------------


def _fingerprint() -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of its rows, in one query."""
    tables = sorted(connection.introspection.table_names())
    q = connection.ops.quote_name
    # The names are the database's own tables, not input.
    row = "SELECT '{}', count(*), coalesce(md5(string_agg(r::text, '|' ORDER BY r::text)), '')"
    sql = " UNION ALL ".join(f"{row.format(t)} FROM {q(t)} r" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {name: (count, digest) for name, count, digest in cursor.fetchall()}


class ConnectionKiller:
    """Terminates this process's PostgreSQL backend from a second connection, just before
    the n-th query of the wrapped call (or at its COMMIT)."""

    def __init__(self, at: int | str) -> None:
        self.at, self.seen, self.killed = at, 0, False
        connection.ensure_connection()
        self.pid = connection.connection.info.backend_pid

    def kill(self) -> None:
        with psycopg.connect(_database_url(), autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [self.pid])
            for _ in range(200):  # until the backend has really gone
                gone = other.execute(
                    "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %s)",
                    [self.pid],
                ).fetchone()
                if gone and gone[0]:
                    break
                time.sleep(0.01)
        self.killed = True

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.seen += 1
        if self.seen == self.at:
            self.kill()
        return execute(sql, params, many, context)

    @contextmanager
    def armed(self) -> Iterator[None]:
        real_commit = connection._commit

        def commit() -> None:
            if self.at == "commit" and connection.in_atomic_block is False:
                self.kill()
            real_commit()

        connection._commit = commit  # type: ignore[method-assign]
        try:
            with connection.execute_wrapper(self):
                yield
        finally:
            del connection._commit  # back to the class's method


def _count_queries(call: Callable[[], Any]) -> int:
    seen = []
    with connection.execute_wrapper(lambda execute, *a: seen.append(1) or execute(*a)):
        call()
    return len(seen)


def test_a_connection_killed_mid_transaction_leaves_nothing_and_the_next_call_works(
    xq: Any, broker: Broker
) -> None:
    call_command("load_rules", verbosity=0)  # the detention's clocks and duties
    officer_id = make_officer("pg_off", station=xq, roles=["officer"], email="pg@f.cn").user.pk
    legal_id = make_officer("pg_legal", station=xq, roles=["legal_officer"]).user.pk

    def fresh(pk: int) -> Any:  # a new request's user: no permission cache carried over
        return User.objects.get(pk=pk)

    # Two services, each killed at ten points spread over its queries and at its COMMIT:
    # an approval (gate decision, viewflow task and process, case status, audit) and a
    # criminal detention (measure, its four statutory clocks and their rungs, case, audit).
    def approve(case: Case) -> Callable[[], Any]:
        def call() -> Any:
            task = active_task(case)
            assert task is not None
            return workflow.review_decide(
                by=fresh(legal_id), task_id=task.pk, decision="approve",
                checklist=ticks(case, "acceptance"),
            )  # fmt: skip

        return call

    def detain(case: Case) -> Callable[[], Any]:
        party = case.parties.get()

        def call() -> Any:
            return workflow.measure_add(
                by=fresh(officer_id), case_id=case.pk, party_id=party.pk,
                kind="criminal_detention", started_at=timezone.now() - timedelta(hours=1),
            )  # fmt: skip

        return call

    def new_case(n: int) -> Case:
        case = workflow.case_start(
            by=fresh(officer_id), kind="criminal", title=f"断连{n}", summary="故障注入"
        )
        workflow.party_add(
            by=fresh(officer_id), case_id=case.pk, role="suspect", name=f"嫌疑人{n}", gender="M"
        )
        return case

    kills, counted, calls = 0, {}, {}
    for service in (approve, detain):
        warm = [_count_queries(service(new_case(n))) for n in range(2)]
        queries = counted[service.__name__] = min(warm)  # warm caches: the fewest queries
        points: list[int | str] = sorted({1 + k * (queries - 1) // 9 for k in range(10)})
        calls[service.__name__] = 2 + len(points) + 1  # warm-ups, and each kill's retry
        for at in [*points, "commit"]:
            case = new_case(kills + 10)
            call = service(case)
            before = _fingerprint()
            chain_before = AuditEvent.objects.count()
            killer = ConnectionKiller(at)
            with killer.armed(), pytest.raises((DatabaseError, InterfaceError)):
                call()
            assert killer.killed, f"{service.__name__}: query {at} never ran"
            close_old_connections()  # what Django does at the end of every request
            assert _fingerprint() == before, f"{service.__name__} killed at {at}: rows left"
            assert AuditEvent.objects.count() == chain_before
            assert audit.chain_verify().ok
            call()  # the next call (the user clicks again) succeeds on a new connection
            assert _fingerprint() != before
            kills += 1
    assert kills >= 20
    report = audit.chain_verify()
    assert report.ok, report
    decided = GateDecision.objects.filter(gate="acceptance", decision="approve")
    assert decided.count() == calls["approve"]
    detained = Measure.objects.filter(kind="criminal_detention")
    assert detained.count() == calls["detain"]
    assert Deadline.objects.filter(measure__in=detained).count() == 4 * calls["detain"]
    print(f"\n[faults] {kills} PostgreSQL backends killed mid-transaction; queries: {counted}")
