"""Web interfaces for incidents (警情): the open list, registration, and each one's actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from casework.cases import selectors, services
from casework.cases.models import Incident, IncidentFlag
from casework.core.web import run_service


class IncidentForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("来源"), choices=Incident.Source.choices)
    received_at = forms.DateTimeField(
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
                by=user, incident_id=pk, outcome=data.get("outcome", "")
            ),
            "divert": lambda: services.incident_divert(
                by=user,
                incident_id=pk,
                department=data.get("department", ""),
                note=data.get("note", ""),
            ),
            "answer": lambda: services.flag_answer(
                by=user, flag_id=int(data.get("flag", 0) or 0), answer=data.get("answer", "")
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
