"""Evidence for a corrective action: text, and files (PDF or images) checked by their content,
stored under their digest and served only to those who may see the action."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from casework.cases.models import Case
from casework.core.errors import Conflict, RuleViolation
from casework.core.models import AuditEvent
from casework.reviews import services
from casework.reviews.models import ActionEvidence, CorrectiveAction
from tests.factories import api_for

pytestmark = pytest.mark.django_db
SOON = date.today() + timedelta(days=10)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    location = tmp_path / "media"
    default = {**settings.STORAGES["default"], "OPTIONS": {"location": location}}
    settings.STORAGES = {**settings.STORAGES, "default": default}
    return location


def _png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def action(legal_officer: AbstractBaseUser, case: Case) -> CorrectiveAction:
    retrospective = services.retrospective_open(by=legal_officer, case_id=case.pk)
    finding = services.finding_add(
        by=legal_officer, retrospective_id=retrospective.pk, category="bodycam_off",
        description="未开启执法记录仪",
    )  # fmt: skip
    return services.action_add(
        by=legal_officer, retrospective_id=retrospective.pk, finding=finding.pk,
        description="配备备用电池", owner="officer_xq1", due_on=SOON,
    )  # fmt: skip


def test_the_owner_reports_done_with_text_and_files(
    officer: AbstractBaseUser, action: CorrectiveAction
) -> None:
    services.action_complete(
        by=officer, action_id=action.pk, evidence="已配备两块备用电池",
        files=[("整改报告.pdf", PDF), ("电池柜.png", _png())],
    )  # fmt: skip
    stored = list(action.files.order_by("pk"))
    assert [(e.name, e.content_type) for e in stored] == [
        ("整改报告.pdf", "application/pdf"),
        ("电池柜.png", "image/png"),
    ]
    assert stored[0].sha256 == hashlib.sha256(PDF).hexdigest()
    assert stored[0].file.read() == PDF
    audit = AuditEvent.objects.get(verb="reviews.evidence_added")
    assert [name for name, _digest in audit.payload["files"]] == ["整改报告.pdf", "电池柜.png"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"MZ\x90\x00 not a document", "PDF"),
        (b"", "请选择文件"),
        (b"%PDF-" + b"0" * (10 * 1024 * 1024), "10 MB"),
    ],
)
def test_a_bad_file_refuses_the_whole_report_and_stores_nothing(
    officer: AbstractBaseUser, action: CorrectiveAction, data: bytes, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.action_complete(
            by=officer, action_id=action.pk, evidence="已整改",
            files=[("ok.pdf", PDF), ("bad.exe", data)],
        )  # fmt: skip
    assert message in refused.value.message_dict["attachment"][0]
    action.refresh_from_db()
    assert (action.status, action.evidence, action.files.count()) == ("open", "", 0)


def test_only_the_owner_attaches_and_only_while_open(
    officer: AbstractBaseUser, legal_officer: AbstractBaseUser, action: CorrectiveAction
) -> None:
    with pytest.raises(RuleViolation):
        services.evidence_add(by=legal_officer, action_id=action.pk, files=[("a.pdf", PDF)])
    services.evidence_add(by=officer, action_id=action.pk, files=[("a.pdf", PDF)])
    services.action_complete(by=officer, action_id=action.pk, evidence="已整改")
    with pytest.raises(Conflict):
        services.evidence_add(by=officer, action_id=action.pk, files=[("b.pdf", PDF)])
    assert [e.name for e in action.files.all()] == ["a.pdf"]


def test_evidence_over_the_api_and_served_only_within_the_station(
    officer: AbstractBaseUser,
    legal_officer: AbstractBaseUser,
    other_station_legal: AbstractBaseUser,
    action: CorrectiveAction,
) -> None:
    api = api_for(officer)
    bad = api.post(
        f"/api/v1/actions/{action.pk}/evidence/",
        {"attachment": [SimpleUploadedFile("x.txt", b"plain text")]},
        format="multipart",
    )
    assert bad.status_code == 400
    assert "attachment" in bad.json()
    sent = api.post(
        f"/api/v1/actions/{action.pk}/evidence/",
        {"attachment": [SimpleUploadedFile("报告.pdf", PDF)]},
        format="multipart",
    )
    assert sent.status_code == 201, sent.content
    url = sent.json()[0]["url"]
    listed = api_for(legal_officer).get(f"/api/v1/retrospectives/{action.retrospective_id}/")
    assert [f["name"] for f in listed.json()["actions"][0]["files"]] == ["报告.pdf"]
    web = Client()
    web.force_login(legal_officer)
    got = web.get(url)
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == PDF  # type: ignore[attr-defined]
    assert got["X-Content-Type-Options"] == "nosniff"
    web.force_login(other_station_legal)
    assert web.get(url).status_code == 404


def test_the_owner_reports_done_with_a_file_on_the_page(
    officer: AbstractBaseUser, action: CorrectiveAction
) -> None:
    web = Client()
    web.force_login(officer)
    prefix = f"complete-{action.pk}"
    page = web.get("/reviews/?tab=mine")
    assert 'enctype="multipart/form-data"' in page.content.decode()
    refused = web.post(
        "/reviews/?tab=mine",
        {"target": action.pk, f"{prefix}-evidence": "已整改",
         f"{prefix}-attachment": SimpleUploadedFile("a.txt", b"hello")},
    )  # fmt: skip
    assert refused.status_code == 200
    assert "附件须为 PDF" in refused.content.decode()
    assert ActionEvidence.objects.count() == 0
    done = web.post(
        "/reviews/?tab=mine",
        {"target": action.pk, f"{prefix}-evidence": "已整改",
         f"{prefix}-attachment": [SimpleUploadedFile("a.png", _png()),
                                  SimpleUploadedFile("b.pdf", PDF)]},
    )  # fmt: skip
    assert done.status_code == 302
    assert sorted(action.files.values_list("name", flat=True)) == ["a.png", "b.pdf"]
    listing = web.get("/reviews/?tab=mine").content.decode()
    assert "a.png" in listing
    assert "b.pdf" in listing
