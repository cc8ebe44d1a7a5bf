"""Signing an inventory: a real worker renders its PDF once, stores it, and it is served."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from pypdf import PdfReader

from casework.core.models import AuditEvent, OutboxMessage
from casework.core.tasks import outbox_deliver as outbox_deliver_task
from casework.core.tasks import outbox_sweep as outbox_sweep_task
from casework.inventory import services
from casework.inventory.models import Inventory
from casework.workflow import services as workflow
from tests.factories import api_for, make_officer
from tests.integration.test_reminders import _idle

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_worker_renders_the_signed_form_once_and_it_is_served_from_storage(
    celery_worker_process: Any, wait_until: Callable[..., Any], xq: Any
) -> None:
    officer = make_officer("it_inv", station=xq, roles=["officer"], display_name="李瑞旸").user
    make_officer("it_inv2", station=xq, roles=["officer"])
    case = workflow.case_start(by=officer, kind="administrative", title="集成案", summary="集成")
    suspect = workflow.party_add(
        by=officer, case_id=case.pk, role="suspect", name="张三", gender="M"
    )
    inventory = services.inventory_open(
        by=officer, case_id=case.pk, party_id=suspect.pk,
        items=[
            {"category": "phone", "name": "华为手机", "quantity": "1", "unit": "部"},
            {"category": "wallet", "name": "钱包", "quantity": "1", "unit": "个",
             "is_empty": True},
        ],
    )  # fmt: skip
    services.inventory_sign(
        by=officer, inventory_id=inventory.pk, suspect_signature="signed", second_officer="it_inv2"
    )
    stored = Inventory.objects.filter(pk=inventory.pk).exclude(pdf="")
    wait_until(stored.exists, timeout=60, what="the worker to store the PDF")
    # The message handed over twice more and swept: still one render, one file.
    message = OutboxMessage.objects.get(topic="inventory.pdf")
    outbox_deliver_task.delay(message.pk)
    outbox_deliver_task.delay(message.pk)
    outbox_sweep_task.delay()
    _idle(wait_until)
    renders = AuditEvent.objects.filter(verb="inventory.pdf_rendered", target_id=str(inventory.pk))
    assert renders.count() == 1
    signed = Inventory.objects.get(pk=inventory.pk)
    response = api_for(officer).get(f"/api/v1/inventories/{inventory.pk}/pdf/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body == signed.pdf.open("rb").read()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert "华为手机" in text
    assert signed.sha256 in text.replace("\n", "")
