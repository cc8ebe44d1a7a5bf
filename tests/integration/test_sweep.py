"""Two beats at once (a hand-over, or a second beat started by mistake): no duplicates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from casework.core.models import Notification, OutboxMessage
from casework.deadlines.models import DeadlineWarning, Prompt, Rung
from casework.deadlines.tasks import deadline_sweep as deadline_sweep_task
from casework.workflow import services as workflow
from tests.factories import make_officer
from tests.integration.test_reminders import _idle, _mails_to

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_two_beats_sweeping_at_once_warn_once_and_mail_once(
    celery_worker_process: Any, mail_dir: Path, wait_until: Callable[..., Any], xq: Any
) -> None:
    call_command("load_rules", verbosity=0)
    officer = make_officer("sw_officer", station=xq, roles=["officer"], email="sweep@example.cn")
    make_officer("sw_legal", station=xq, roles=["legal_officer"], email="sweep-legal@example.cn")
    case = workflow.case_start(
        by=officer.user, kind="criminal", title="盗窃案", summary="两次节拍",
        occurred_at=timezone.now() - timedelta(days=3),
    )  # fmt: skip
    party = workflow.party_add(
        by=officer.user, case_id=case.pk, role="suspect", name="王某", gender="M"
    )
    workflow.measure_add(
        by=officer.user, case_id=case.pk, party_id=party.pk, kind="criminal_detention",
        started_at=timezone.now() - timedelta(days=2),
    )  # fmt: skip
    due = Rung.objects.filter(deadline__case=case, fires_at__lte=timezone.now())
    assert due.count() >= 2
    for _ in range(4):  # two beats, each firing twice over a slow minute
        deadline_sweep_task.delay()
    _idle(wait_until)
    wait_until(
        lambda: not OutboxMessage.objects.exclude(status="done").exists(),
        timeout=60,
        what="every warning mail delivered",
    )
    warnings = DeadlineWarning.objects.filter(rung__deadline__case=case)
    assert warnings.count() == due.count()
    assert not warnings.filter(delivered_at__isnull=True).exists()
    to_officer = due.filter(audience="officer").count()
    to_legal = due.filter(audience="legal_officer").count()
    # The station has no chief here, so the chief's rungs reach nobody.
    assert Notification.objects.filter(key__startswith="deadline-warning:").count() == (
        to_officer + to_legal
    )
    sent = OutboxMessage.objects.filter(key__startswith="notify:deadline-warning:")
    assert sent.count() == to_officer + to_legal
    assert set(sent.values_list("attempts", flat=True)) == {1}
    # The officer's mail also carries the detention's duty prompts (family notice…).
    prompts = Prompt.objects.filter(case=case).count()
    assert _mails_to(mail_dir, "sweep@example.cn") == to_officer + prompts
    assert _mails_to(mail_dir, "sweep-legal@example.cn") == to_legal
