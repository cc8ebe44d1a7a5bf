"""The audit trail in the browser: search and chain verification, for auditors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View
from viewflow.urls import Application

from casework.core import audit
from casework.core.denials import denial_record
from casework.core.models import AuditEvent
from casework.core.pdf import pdf_render
from casework.core.selectors import audit_event_search


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403: every refusal, wherever it was raised, leaves an `access.denied` row. A
    visitor not signed in is sent to the login page (and back after it), as every page that
    only needs a login does; the API answers 401/403 itself, never through here."""
    denial_record(request=request, exc=exception)
    if not getattr(request.user, "is_authenticated", False) and request.method in {"GET", "HEAD"}:
        return redirect_to_login(request.get_full_path())
    return render(request, "403.html", status=403)


class AuditSearchForm(forms.Form):
    verb = forms.CharField(label=_("动作"), required=False, max_length=64)
    actor = forms.CharField(label=_("操作人账号"), required=False, max_length=150)
    outcome = forms.ChoiceField(
        label=_("结果"), required=False, choices=[("", _("全部")), *AuditEvent.Outcome.choices]
    )
    since = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class AuditListView(PermissionRequiredMixin, TemplateView):
    permission_required = "core.view_auditevent"
    template_name = "core/audit_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = AuditSearchForm(self.request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        events = audit_event_search(**{k: v for k, v in filters.items() if v})
        page = Paginator(events, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(form=form, page=page, **kwargs)


AUDIT_PDF_MAX_ROWS = 2000


class AuditPdfView(PermissionRequiredMixin, View):
    """The filtered audit trail as a PDF (at most AUDIT_PDF_MAX_ROWS rows, newest first)."""

    permission_required = "core.view_auditevent"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = AuditSearchForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        events = list(
            audit_event_search(**{k: v for k, v in filters.items() if v})[:AUDIT_PDF_MAX_ROWS]
        )
        with transaction.atomic():
            audit.record(
                actor=request.user,
                verb="audit.exported",
                payload={
                    "filters": {k: str(v) for k, v in filters.items() if v},
                    "rows": len(events),
                },
            )
        pdf = pdf_render(template="print/audit_report.html", context={"events": events})
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="audit.pdf"'
        return response


class AuditVerifyView(PermissionRequiredMixin, TemplateView):
    permission_required = "core.view_auditevent"
    template_name = "core/audit_verify.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """The rows since the last nightly full verification, recomputed now (a full pass over
        millions of rows takes minutes: the beat runs it, `manage.py audit_verify` on demand)."""
        since = audit.checkpoint_latest()
        return super().get_context_data(report=audit.chain_verify(since=since), **kwargs)


class AuditApp(Application):
    title = _("审计")
    icon = "policy"
    app_name = "audit"
    menu_template_name = "core/menu_audit.html"
    permission = "core.view_auditevent"

    index_path = path("", AuditListView.as_view(), name="index")
    verify_path = path("verify/", AuditVerifyView.as_view(), name="verify")
    pdf_path = path("pdf/", AuditPdfView.as_view(), name="pdf")
