"""Web interfaces for cases and gates: lists, the workbench, case detail and gate forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from viewflow.urls import Application
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from casework.cases import services as cases
from casework.cases.models import Case, ChecklistItem, Gate, Party, SupervisionItem
from casework.cases.selectors import access_case, case_list, handler_ids, incident_list
from casework.cases.views import (
    DailyReportDetailView,
    DailyReportListView,
    DailyReportPdfView,
    IncidentCreateView,
    IncidentDetailView,
    IncidentListView,
)
from casework.core.errors import as_id, as_text
from casework.core.web import run_service
from casework.deadlines.models import Deadline
from casework.deadlines.selectors import clocks_counts, clocks_watch
from casework.deadlines.services import deadline_meet
from casework.inventory.selectors import inventory_list, open_inventories
from casework.reviews.selectors import retrospective_list
from casework.workflow import forms, services
from casework.workflow.selectors import (
    GATE_OF_NODE,
    active_task,
    gates_of,
    review_queue,
    timeline_of,
    workbench_counts,
)


class CaseListView(LoginRequiredMixin, TemplateView):
    template_name = "workflow/case_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        q = self.request.GET
        filters: dict[str, Any] = {
            "status": q.get("status", ""),
            "kind": q.get("kind", ""),
            "handler": q.get("handler", ""),
            "overdue": q.get("overdue") == "1",
        }
        page = Paginator(case_list(user=self.request.user, **filters), 30).get_page(q.get("page"))
        return super().get_context_data(
            page=page, filters=filters, statuses=Case.Status.choices, kinds=Case.Kind.choices
        )


class CaseCreateView(LoginRequiredMixin, TemplateView):
    template_name = "workflow/case_form.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        incident_id = self.request.GET.get("incident")
        return super().get_context_data(
            form=kwargs.get("form") or forms.CaseCreateForm(), incident=incident_id
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.CaseCreateForm(request.POST)
        incident = request.POST.get("incident") or None
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            case = run_service(
                request,
                lambda: services.case_start(
                    by=request.user, incident_id=as_id(incident) if incident else None, **data
                ),
                form,
            )
            if case is not None:
                messages.success(request, _("已受理案件 %(n)s,等待受立案审核") % {"n": case.number})
                return redirect("cases:case-detail", pk=case.pk)
        return self.render_to_response(self.get_context_data(form=form))


class CaseDetailView(LoginRequiredMixin, TemplateView):
    """The case with its gates, parties, measures, supervision items and its 回溯 timeline."""

    template_name = "workflow/case_detail.html"
    ACTIONS = {
        "party", "measure", "event", "disposition", "resubmit", "supervision", "answer", "meet"
    }  # fmt: skip

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        case = access_case(user, self.kwargs["pk"])
        task = active_task(case)
        step = task.flow_task.name if task else ""
        is_handler = user.pk in handler_ids(case)
        gate = GATE_OF_NODE.get(step)
        can_review = (
            gate is not None
            and not is_handler
            and review_queue(user=user).filter(pk=task.pk if task else None).exists()
        )
        is_open = case.status not in {Case.Status.CLOSED, Case.Status.EVALUATED}
        forms_ = kwargs.get("forms", {})
        # 随身物品处置表: filled by one handling the case, for a suspect of it.
        can_inventory = (
            is_open and is_handler and user.has_perm("inventory.add_inventory")
            and case.parties.filter(role=Party.Role.SUSPECT).exists()
        )  # fmt: skip
        return super().get_context_data(
            case=case,
            gates=gates_of(case),
            timeline=timeline_of(case),
            parties=case.parties.all(),
            measures=case.measures.select_related("party"),
            items=case.supervision_items.select_related("opened_by", "answered_by"),
            handlers=case.handlers.select_related("user__profile"),
            deadlines=list(Deadline.objects.filter(case=case).select_related("rule")),
            prompts=case.prompts.all(),
            events=case.events.select_related("party"),
            can_record_event=cases.may_record_events(user),
            task=task,
            step=step,
            review_task=task if can_review else None,
            is_handler=is_handler,
            is_open=is_open,
            can_supervise=is_open and not is_handler and user.has_perm("cases.review_case"),
            can_record=is_open and user.has_perm("cases.add_party"),
            party_form=forms_.get("party") or forms.PartyForm(),
            measure_form=forms_.get("measure") or forms.MeasureForm(case=case),
            event_form=forms_.get("event") or forms.EventForm(case=case),
            disposition_form=forms_.get("disposition") or forms.DispositionForm(),
            supervision_form=forms_.get("supervision") or forms.SupervisionForm(),
            answer_form=forms_.get("answer") or forms.AnswerForm(),
            inventories=inventory_list(user=user, case_id=case.pk).order_by("-taken_at", "-pk"),
            can_inventory=can_inventory,
            retrospective=retrospective_list(user=user, case_id=case.pk).first(),
            # 案后复盘 by hand: the legal officer or the chief (the service decides again).
            can_open_retrospective=user.has_perm("cases.review_case")
            or user.has_perm("cases.approve_case"),
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = request.POST.get("action", "")
        if action not in self.ACTIONS:
            messages.error(request, _("未知操作"))
            return redirect("cases:case-detail", pk=pk)
        form, call = self._bind(action, request, pk)
        if form is not None and not form.is_valid():
            return self.render_to_response(self.get_context_data(forms={action: form}))
        if run_service(request, lambda: call(form.cleaned_data if form else {}), form) is None:
            if form is not None and form.errors:
                return self.render_to_response(self.get_context_data(forms={action: form}))
            return redirect("cases:case-detail", pk=pk)
        messages.success(request, _("已保存"))
        return redirect("cases:case-detail", pk=pk)

    def _bind(self, action: str, request: HttpRequest, pk: int) -> tuple[Any, Any]:
        user, post = request.user, request.POST
        if action == "party":
            return forms.PartyForm(post), lambda d: services.party_add(
                by=user, case_id=pk, **{k: v for k, v in d.items() if v not in (None, "")}
            )
        if action == "measure":
            case = access_case(user, pk)
            return forms.MeasureForm(post, case=case), lambda d: services.measure_add(
                by=user, case_id=pk, party_id=d.pop("party"), **d
            )
        if action == "event":
            case = access_case(user, pk)
            return forms.EventForm(post, case=case), lambda d: services.event_record(
                by=user, case_id=pk, party_id=d.pop("party"), **d
            )
        if action == "disposition":
            return forms.DispositionForm(post), lambda d: services.disposition_propose(
                by=user, case_id=pk, **d
            )
        if action == "supervision":
            return forms.SupervisionForm(post), lambda d: cases.supervision_open(
                by=user, case_id=pk, **d
            )
        if action == "meet":
            clock = as_id(post.get("deadline", ""))  # not a number: no such clock (404)
            return None, lambda d: deadline_meet(
                by=user, deadline_id=clock, note=as_text(post.get("note", ""), "note")
            )
        if action == "answer":
            item = as_id(post.get("item", ""))
            return forms.AnswerForm(post), lambda d: cases.supervision_answer(
                by=user, item_id=item, answer=d["answer"]
            )
        return None, lambda d: services.acceptance_resubmit(by=user, case_id=pk)


class GateView(LoginRequiredMixin, TemplateView):
    """A gate form: the checklist to tick, approve or return with a reason."""

    template_name = "workflow/gate_form.html"

    def _setup(self) -> tuple[Any, Case, str]:
        task = review_queue(user=self.request.user).filter(pk=self.kwargs["task_id"]).first()
        if task is None:
            from casework.core.errors import NotFoundOrForbidden

            raise NotFoundOrForbidden(target_type="viewflow.task", target_id=self.kwargs["task_id"])
        case = task.process.caseprocess.case
        return task, case, GATE_OF_NODE[task.flow_task.name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        task, case, gate = self._setup()
        form = kwargs.get("form") or forms.GateDecisionForm(
            items=cases.checklist_for(case, gate), gate=gate
        )
        return super().get_context_data(
            task=task,
            case=case,
            gate=gate,
            gate_label=Gate(gate).label,
            form=form,
            parties=case.parties.all(),
            measures=case.measures.select_related("party"),
            items=case.supervision_items.all(),
        )

    def post(self, request: HttpRequest, task_id: int) -> HttpResponse:
        decided = Task.objects.filter(pk=task_id).exclude(status=STATUS.NEW).first()
        if decided is not None and GATE_OF_NODE.get(decided.flow_task.name):
            # Another reviewer won the race (or this form was sent twice): a clear conflict,
            # as the API's 409, not a 404 — for those who may see the case.
            case_id = access_case(request.user, decided.process.coerced.case_id).pk
            messages.error(request, _("该任务已由他人处理,请刷新后查看最新结果"))
            return redirect("cases:case-detail", pk=case_id)
        task, case, gate = self._setup()
        form = forms.GateDecisionForm(
            request.POST, items=cases.checklist_for(case, gate), gate=gate
        )
        if form.is_valid():
            record = run_service(
                request,
                lambda: services.review_decide(
                    by=request.user,
                    task_id=task.pk,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                    checklist=form.checklist(),
                ),
                form,
            )
            if record is not None:
                verdict = record.get_decision_display()
                messages.success(request, _("已%(d)s:%(n)s") % {"d": verdict, "n": case.number})
                return redirect("cases:queue")
        return self.render_to_response(self.get_context_data(form=form))


class QueueView(LoginRequiredMixin, TemplateView):
    """我的任务: the reviews waiting for me, and my own cases that wait for me."""

    template_name = "workflow/queue.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user: Any = self.request.user
        reviews = [
            (task, Gate(GATE_OF_NODE[task.flow_task.name]).label)
            for task in review_queue(user=user)
        ]
        mine = case_list(user=user).filter(
            handlers__user=user,
            status__in=[Case.Status.ACCEPTANCE_REVISION, Case.Status.INVESTIGATING],
        )
        open_items = SupervisionItem.objects.filter(
            case__handlers__user=user, answered_at__isnull=True
        ).select_related("case")
        return super().get_context_data(reviews=reviews, mine=mine, open_items=open_items)


class WorkbenchView(LoginRequiredMixin, TemplateView):
    """The legal officer's five roles as tabs, each with its count."""

    template_name = "workflow/workbench.html"
    TABS = [
        (Gate.DISPATCH, gettext_lazy("接处警的观察员")),
        (Gate.ACCEPTANCE, gettext_lazy("受立案的审核员")),
        (Gate.SUPERVISION, gettext_lazy("侦办过程的监督员")),
        (Gate.DISPOSITION, gettext_lazy("处结结果的裁量员")),
        (Gate.EVALUATION, gettext_lazy("案件评查的质检员")),
    ]
    NODE_OF_TAB: dict[str, str] = {
        Gate.ACCEPTANCE: "acceptance_review",
        Gate.DISPOSITION: "disposition_review",
        Gate.EVALUATION: "evaluation",
    }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        counts = workbench_counts(user=user)
        tab = self.request.GET.get("tab", Gate.ACCEPTANCE)
        tabs = [(code, label, counts[code]) for code, label in self.TABS]
        now = timezone.now()
        context: dict[str, Any] = {
            "tabs": tabs,
            "tab": tab,
            "open_flags": counts["open_flags"],
            "clock_counts": clocks_counts(user=user, now=now),
            "urgent_clocks": clocks_watch(user=user, now=now)[:10],
            "open_inventories": open_inventories(user=user, limit=10),
            "now": now,
        }
        if tab == Gate.DISPATCH:
            context["incidents"] = incident_list(user=user, open_only=True)[:100]
        elif tab == Gate.SUPERVISION:
            context["cases"] = case_list(user=user, status=Case.Status.INVESTIGATING)[:100]
            context["open_items"] = SupervisionItem.objects.filter(
                case__in=case_list(user=user), answered_at__isnull=True
            ).select_related("case")[:100]
        else:
            node = self.NODE_OF_TAB.get(tab, "acceptance_review")
            context["tasks"] = [t for t in review_queue(user=user) if t.flow_task.name == node][
                :100
            ]
        return super().get_context_data(**context)


class ClockListView(LoginRequiredMixin, TemplateView):
    """Open statutory clocks of the cases the user may see: overdue first, then due today."""

    template_name = "workflow/clock_list.html"
    STATES = [
        ("", gettext_lazy("超期及今日到期")),
        ("overdue", gettext_lazy("已超期")),
        ("today", gettext_lazy("今日到期")),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        now = timezone.now()
        state = self.request.GET.get("state", "")
        state = state if state in dict(self.STATES) else ""
        clocks = clocks_watch(user=self.request.user, now=now, state=state)
        page = Paginator(clocks, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page=page, state=state, states=self.STATES, now=now,
            counts=clocks_counts(user=self.request.user, now=now),
            open_inventories=open_inventories(user=self.request.user, limit=10),
        )  # fmt: skip


class ChecklistView(PermissionRequiredMixin, TemplateView):
    """The gate checklists per case kind; legal officers edit them (every change audited)."""

    permission_required = "cases.view_checklistitem"
    template_name = "workflow/checklists.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        items = ChecklistItem.objects.order_by("kind", "gate", "order")
        return super().get_context_data(
            items=items,
            form=kwargs.get("form") or forms.ChecklistItemForm(),
            can_edit=self.request.user.has_perm("cases.change_checklistitem"),
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.ChecklistItemForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            saved = run_service(
                request,
                lambda: cases.checklist_item_save(
                    by=request.user, **{**data, "points": data["points"] or 0}
                ),
                form,
            )
            if saved is not None:
                messages.success(request, _("已保存"))
                return redirect("cases:checklists")
        return self.render_to_response(self.get_context_data(form=form))


class CasesApp(Application):
    title = gettext_lazy("案件")
    icon = "gavel"
    app_name = "cases"
    menu_template_name = "workflow/menu.html"

    index_path = path("", CaseListView.as_view(), name="index")
    queue_path = path("queue/", QueueView.as_view(), name="queue")
    workbench_path = path("workbench/", WorkbenchView.as_view(), name="workbench")
    create_path = path("create/", CaseCreateView.as_view(), name="case-create")
    detail_path = path("<int:pk>/", CaseDetailView.as_view(), name="case-detail")
    gate_path = path("tasks/<int:task_id>/", GateView.as_view(), name="gate")
    clock_list_path = path("clocks/", ClockListView.as_view(), name="clock-list")
    checklist_path = path("checklists/", ChecklistView.as_view(), name="checklists")
    incident_list_path = path("incidents/", IncidentListView.as_view(), name="incident-list")
    incident_create_path = path(
        "incidents/create/", IncidentCreateView.as_view(), name="incident-create"
    )
    incident_detail_path = path(
        "incidents/<int:pk>/", IncidentDetailView.as_view(), name="incident-detail"
    )
    daily_list_path = path("daily/", DailyReportListView.as_view(), name="daily-report-list")
    daily_detail_path = path(
        "daily/<int:pk>/", DailyReportDetailView.as_view(), name="daily-report-detail"
    )
    daily_pdf_path = path(
        "daily/<int:pk>/pdf/", DailyReportPdfView.as_view(), name="daily-report-pdf"
    )
