"""Web interfaces for incidents (警情): the open list, registration, each one's actions, and
the 每日警情分析表 (the daily list, one report with its answer forms, its PDF)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from casework.cases import daily, printing, selectors, services
from casework.cases.models import DailyIncidentItem, Incident, IncidentFlag
from casework.core.errors import as_id, as_text
from casework.core.fields import DateTimeField
from casework.core.web import run_service


class IncidentForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("来源"), choices=Incident.Source.choices)
    received_at = DateTimeField(
        label=gettext_lazy("接警时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    category = forms.CharField(label=gettext_lazy("警情类别"), max_length=50)
    location = forms.CharField(label=gettext_lazy("发生地点"), max_length=200)
    reporter = forms.CharField(label=gettext_lazy("报警人"), max_length=100, required=False)
    reporter_phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=30, required=False)
    summary = forms.CharField(
        label=gettext_lazy("简要情况"), widget=forms.Textarea(attrs={"rows": 3})
    )


class FlagForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("问题类型"), choices=IncidentFlag.Kind.choices)
    note = forms.CharField(label=gettext_lazy("说明"), widget=forms.Textarea(attrs={"rows": 2}))


class IncidentListView(LoginRequiredMixin, TemplateView):
    template_name = "cases/incident_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        open_only = self.request.GET.get("all") != "1"
        incidents = selectors.incident_list(user=self.request.user, open_only=open_only)
        page = Paginator(incidents, 30).get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, open_only=open_only, now=timezone.now())


class IncidentCreateView(LoginRequiredMixin, TemplateView):
    template_name = "cases/incident_form.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        initial = {"received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
        return super().get_context_data(form=kwargs.get("form") or IncidentForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = IncidentForm(request.POST)
        if form.is_valid():
            incident = run_service(
                request,
                lambda: services.incident_register(by=request.user, **form.cleaned_data),
                form,
            )
            if incident is not None:
                messages.success(request, _("已登记警情 %(n)s") % {"n": incident.number})
                return redirect("cases:incident-detail", pk=incident.pk)
        return self.render_to_response(self.get_context_data(form=form))


class IncidentDetailView(LoginRequiredMixin, TemplateView):
    """One 警情 with its flags; dispatch, close, divert, flag and answer happen here."""

    template_name = "cases/incident_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        incident = selectors.access_incident(self.request.user, self.kwargs["pk"])
        return super().get_context_data(
            incident=incident,
            flags=incident.flags.select_related("raised_by", "answered_by"),
            flag_form=kwargs.get("flag_form") or FlagForm(),
            can_flag=self.request.user.has_perm("cases.flag_incident") and incident.is_open,
            can_act=self.request.user.has_perm("cases.change_incident") and incident.is_open,
            can_open_case=self.request.user.has_perm("cases.add_case") and incident.is_open,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user, data = request.user, request.POST
        action = data.get("action", "")
        calls = {
            "dispatch": lambda: services.incident_advance(by=user, incident_id=pk, step="dispatch"),
            "handle": lambda: services.incident_advance(by=user, incident_id=pk, step="handle"),
            "close": lambda: services.incident_close(
                by=user, incident_id=pk, outcome=as_text(data.get("outcome", ""), "outcome")
            ),
            "divert": lambda: services.incident_divert(
                by=user,
                incident_id=pk,
                department=as_text(data.get("department", ""), "department"),
                note=as_text(data.get("note", ""), "note"),
            ),
            "answer": lambda: services.flag_answer(
                by=user,
                flag_id=as_id(data.get("flag", "")),
                answer=as_text(data.get("answer", ""), "answer"),
            ),
        }
        if action == "flag":
            form = FlagForm(data)
            if (
                not form.is_valid()
                or run_service(
                    request,
                    lambda: services.incident_flag(by=user, incident_id=pk, **form.cleaned_data),
                    form,
                )
                is None
            ):
                return self.render_to_response(self.get_context_data(flag_form=form))
        elif action in calls:
            if run_service(request, calls[action]) is None:
                return redirect("cases:incident-detail", pk=pk)
        else:
            messages.error(request, _("未知操作"))
            return redirect("cases:incident-detail", pk=pk)
        messages.success(request, _("已保存"))
        return redirect("cases:incident-detail", pk=pk)


# ---- 每日警情分析表 ------------------------------------------------------------------------


class DailyAnswerForm(forms.Form):
    # Neither field is required here: the service names what is missing (one rule, one place).
    kind = forms.ChoiceField(
        label=gettext_lazy("答复类型"),
        choices=DailyIncidentItem.AnswerKind.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    answer = forms.CharField(
        label=gettext_lazy("答复"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class DailyReportListView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "cases.view_dailyincidentreport"
    template_name = "cases/daily_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        reports = selectors.daily_report_list(user=self.request.user)
        page = Paginator(reports, 30).get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, today=timezone.localdate())


class DailyReportDetailView(LoginRequiredMixin, TemplateView):
    """One day's list: the incidents of the day before, the open ones, and an answer form for
    each open one not yet answered."""

    template_name = "cases/daily_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        report = selectors.access_daily_report(self.request.user, self.kwargs["pk"])
        items = list(selectors.daily_items(report=report))
        may_answer = self.request.user.has_perm("cases.answer_dailyincidentitem")
        bound = kwargs.get("bound") or {}
        # A refused answer keeps its form, even on an item answered meanwhile (the error says so).
        rows = [
            (item, bound.get(item.pk) or (
                DailyAnswerForm(prefix=f"item{item.pk}") if may_answer and item.needs_answer
                else None
            ))
            for item in items
        ]  # fmt: skip
        unclosed = DailyIncidentItem.Section.UNCLOSED
        return super().get_context_data(
            report=report,
            yesterday=[item for item in items if item.age_days == 1],
            unclosed=[row for row in rows if row[0].section == unclosed],
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        item_id = as_id(request.POST.get("item", ""))
        form = DailyAnswerForm(request.POST, prefix=f"item{item_id}")
        form.is_valid()
        data = form.cleaned_data
        answered = run_service(
            request,
            lambda: daily.daily_item_answer(
                by=request.user,
                item_id=item_id,
                kind=data.get("kind", ""),
                answer=data.get("answer", ""),
            ),
            form,
        )
        if answered is None and form.errors:
            return self.render_to_response(self.get_context_data(bound={item_id: form}))
        if answered is not None:
            messages.success(request, _("已答复 %(n)s") % {"n": answered.incident.number})
        return redirect("cases:daily-report-detail", pk=pk)


class DailyReportPdfView(LoginRequiredMixin, View):
    """The 每日警情分析表 as PDF, rendered on request."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        name, body = printing.daily_report_pdf(user=request.user, report_id=kwargs["pk"])
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response
