"""PDF rendering with the real WeasyPrint: Chinese text, CJK fonts, nothing fetched."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.contrib.auth.models import AbstractBaseUser
from pypdf import PdfReader

from casework.core import audit
from casework.core.models import AuditEvent
from casework.core.pdf import AssetOnlyFetcher, pdf_render
from casework.org.models import Station
from tests.factories import client_for

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_audit_pdf_holds_the_rows_in_chinese_with_cjk_fonts(
    auditor: AbstractBaseUser, xq: Station, tmp_path: object
) -> None:
    audit.record(actor=auditor, verb="org.station_updated", target=xq)
    response = client_for(auditor).get("/audit/pdf/")
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "审计记录" in text
    assert "新区派出所" in text
    assert "修改派出所" in text
    assert "第 1 页 共 1 页" in text
    path = tmp_path / "audit.pdf"  # type: ignore[operator]
    path.write_bytes(response.content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    assert "CJK" in fonts.stdout  # a CJK font is embedded: no empty boxes
    assert AuditEvent.objects.filter(verb="audit.exported", actor=auditor).exists()


def test_markup_in_data_is_printed_as_text_not_obeyed() -> None:
    evil = AuditEvent(pk=1, verb="x", target_repr='<b>加粗</b><img src="http://127.0.0.1:9/x">')
    text = _text(pdf_render(template="print/audit_report.html", context={"events": [evil]}))
    assert "<b>加粗</b>" in text


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x.png", "file:///etc/passwd"])
def test_outside_resources_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="refused"):
        AssetOnlyFetcher().fetch(url)


def test_inline_data_is_allowed() -> None:
    response = AssetOnlyFetcher().fetch("data:text/plain;base64,5qGI")
    assert response is not None


def test_audit_pdf_is_for_auditors_only(legal_officer: AbstractBaseUser) -> None:
    assert client_for(legal_officer).get("/audit/pdf/").status_code == 403
