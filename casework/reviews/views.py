"""Web interfaces for 案后复盘: the list and my corrective actions, one retrospective with its
replayed timeline, findings and actions, and opening one from the case page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from viewflow.urls import Application

from casework.cases.selectors import case_history
from casework.core.errors import NotFoundOrForbidden, as_id
from casework.core.web import run_service
from casework.org.selectors import officer_list
from casework.reviews import selectors, services
from casework.reviews.forms import (
    ActionForm,
    CompleteForm,
    FindingForm,
    ProposalForm,
    VerifyForm,
)
from casework.reviews.models import CorrectiveAction, Finding, Retrospective, RuleProposal

FORMS: dict[str, type[django_forms.Form]] = {
    "finding": FindingForm,
    "action": ActionForm,
    "complete": CompleteForm,
    "verify": VerifyForm,
}
PER_ACTION = {"complete", "verify"}  # forms that name one corrective action
Status = CorrectiveAction.Status


@dataclass
class ActionRow:
    action: CorrectiveAction
    overdue: bool
    forms: dict[str, Any] = field(default_factory=dict)
    visible: bool = True  # may the viewer open the action's retrospective


@dataclass
class FindingRow:
    finding: Finding
    actions: list[ActionRow]


def _offered(user: Any, action: CorrectiveAction) -> list[str]:
    """What the page offers on one action; the services decide again on every POST."""
    offered = []
    if action.owner_id == user.pk and action.status in services.OPEN_ACTION:
        offered.append("complete")
    # A legal officer verifies, never the action's own owner.
    if (
        action.status == Status.DONE
        and action.owner_id != user.pk
        and user.has_perm("reviews.verify_action")
    ):
        offered.append("verify")
    return offered


def _officer_choices(profiles: Any) -> list[tuple[str, str]]:
    return [("", "—"), *((p.user.username, str(p)) for p in profiles)]


def _form(
    kind: str, target: int | None, choices: dict[str, Any], data: Any = None, files: Any = None
) -> Any:
    """One form; its prefix names the action, so a page of many forms stays unambiguous."""
    prefix = kind if target is None else f"{kind}-{target}"
    if kind == "complete":
        return CompleteForm(data, files, prefix=prefix)
    if kind == "finding":
        return FindingForm(data, prefix=prefix, officers=choices["officers"])
    if kind == "action":
        return ActionForm(
            data, prefix=prefix, findings=choices["findings"], owners=choices["owners"]
        )
    return FORMS[kind](data, prefix=prefix)


def _choices(user: Any, retrospective: Retrospective, findings: list[Finding]) -> dict[str, Any]:
    """The station's officers (auxiliaries are never responsible for an action) and findings."""
    profiles = list(officer_list(user=user, station_code=retrospective.station.code))
    return {
        "officers": _officer_choices(profiles),
        "owners": _officer_choices(p for p in profiles if not p.is_auxiliary),
        "findings": findings,
    }


def _findings(retrospective: Retrospective) -> list[Finding]:
    actions = CorrectiveAction.objects.select_related(
        "owner__profile", "verified_by__profile"
    ).prefetch_related("files")
    return list(
        retrospective.findings.select_related("category", "officer__profile").prefetch_related(
            Prefetch("actions", queryset=actions)
        )
    )


class RetrospectiveDetailView(LoginRequiredMixin, TemplateView):
    """A retrospective: header, the case's timeline, findings with their actions, and the
    forms the viewer may use (record, report done, verify)."""

    template_name = "reviews/retrospective_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        retrospective = selectors.access_retrospective(user, self.kwargs["pk"])
        findings = _findings(retrospective)
        may_record = (
            user.has_perm("reviews.verify_action")
            and retrospective.status == Retrospective.Status.OPEN
        )
        choices = _choices(user, retrospective, findings) if may_record else {}
        bound: tuple[str, int | None, Any] = kwargs.get("bound") or ("", None, None)

        def form(kind: str, target: int | None = None) -> Any:
            return bound[2] if bound[:2] == (kind, target) else _form(kind, target, choices)

        today = timezone.localdate()
        rows = [
            FindingRow(f, [
                ActionRow(a, a.is_overdue(today), {k: form(k, a.pk) for k in _offered(user, a)})
                for a in f.actions.all()
            ])
            for f in findings
        ]  # fmt: skip
        return super().get_context_data(
            retrospective=retrospective, case=retrospective.case, rows=rows,
            timeline=case_history(retrospective.case), may_record=may_record,
            finding_form=form("finding") if may_record else None,
            action_form=form("action") if may_record and findings else None,
            unaddressed=any(not row.actions for row in rows),
        )  # fmt: skip

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        kind = request.POST.get("form", "")
        if kind not in FORMS:
            messages.error(request, _("未知操作"))
            return redirect("reviews:retrospective-detail", pk=pk)
        retrospective = selectors.access_retrospective(request.user, pk)
        target = as_id(request.POST.get("target", "")) if kind in PER_ACTION else None
        if target is not None and not retrospective.actions.filter(pk=target).exists():
            raise NotFoundOrForbidden(target_type="reviews.correctiveaction", target_id=target)
        recording = kind in {"finding", "action"}
        choices = (
            _choices(request.user, retrospective, _findings(retrospective)) if recording else {}
        )
        form = _form(kind, target, choices, request.POST, request.FILES)
        done = form.is_valid() and run_service(
            request, lambda: _call(kind, request.user, retrospective.pk, target, form), form
        )
        if done:
            messages.success(request, _("已保存"))
        elif form.errors:
            return self.render_to_response(self.get_context_data(bound=(kind, target, form)))
        return redirect("reviews:retrospective-detail", pk=pk)


def _call(kind: str, by: Any, retrospective_id: int, target: Any, form: Any) -> Any:
    """The one service each form calls."""
    data = form.cleaned_data
    if kind == "finding":
        return services.finding_add(by=by, retrospective_id=retrospective_id, **data)
    if kind == "action":
        return services.action_add(by=by, retrospective_id=retrospective_id, **data)
    if kind == "complete":
        return services.action_complete(by=by, action_id=target, **form.service_kwargs())
    return services.action_verify(by=by, action_id=target, **form.service_kwargs())


# ---- the list, and the corrective actions the user owns ----------------------------------


class RetrospectiveListView(LoginRequiredMixin, TemplateView):
    """复盘中 / 全部复盘, and 我的整改措施 where an owner reports an action done."""

    template_name = "reviews/retrospective_list.html"
    TABS = [
        ("open", gettext_lazy("复盘中")),
        ("all", gettext_lazy("全部复盘")),
        ("mine", gettext_lazy("我的整改措施")),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user: Any = self.request.user
        q = self.request.GET
        tab = kwargs.get("tab") or q.get("tab", "open")
        tab = tab if tab in dict(self.TABS) else "open"
        mine_open = selectors.actions_owned(user).filter(status__in=services.OPEN_ACTION).count()
        context: dict[str, Any] = {"tab": tab, "tabs": self.TABS, "mine_open": mine_open}
        if tab == "mine":
            page = Paginator(selectors.actions_owned(user), 50).get_page(q.get("page"))
            context["page"], context["rows"] = page, self._rows(page, kwargs.get("bound"))
        else:
            found = selectors.retrospective_list(user=user)
            if tab == "open":
                found = found.filter(status=Retrospective.Status.OPEN)
            context["page"] = Paginator(selectors.with_counts(found), 30).get_page(q.get("page"))
        return super().get_context_data(**context)

    def _rows(self, actions: Any, bound: tuple[int, Any] | None) -> list[ActionRow]:
        user, today = self.request.user, timezone.localdate()
        ids = {a.retrospective_id for a in actions}
        visible = set(
            selectors.retrospective_list(user=user).filter(pk__in=ids).values_list("pk", flat=True)
        )
        rows = []
        for a in actions:
            form = bound[1] if bound and bound[0] == a.pk else _form("complete", a.pk, {})
            offered = {"complete": form} if "complete" in _offered(user, a) else {}
            rows.append(ActionRow(a, a.is_overdue(today), offered, a.retrospective_id in visible))
        return rows

    def post(self, request: HttpRequest) -> HttpResponse:
        """报告完成 from 我的整改措施: the owner need not see the retrospective itself."""
        target = as_id(request.POST.get("target", ""))
        form = _form("complete", target, {}, request.POST, request.FILES)
        done = form.is_valid() and run_service(
            request,
            lambda: services.action_complete(
                by=request.user, action_id=target, **form.service_kwargs()
            ),
            form,
        )
        if done:
            messages.success(request, _("已报告整改完成,等待法制员核验"))
        elif form.errors:
            return self.render_to_response(self.get_context_data(tab="mine", bound=(target, form)))
        return redirect(reverse("reviews:index") + "?tab=mine")


class ProposalListView(LoginRequiredMixin, TemplateView):
    """学以致用: the rule proposals of recurring findings, for the station's legal officers to
    accept into the rule library (edited or as offered) or dismiss."""

    template_name = "reviews/proposal_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user: Any = self.request.user
        if not user.has_perm("reviews.verify_action"):
            raise PermissionDenied("reviews.verify_action")
        bound: tuple[int, Any] | None = kwargs.get("bound")
        rows = []
        for proposal in selectors.proposals_for(user)[:100]:
            form = None
            if proposal.status == RuleProposal.Status.PROPOSED:
                form = (
                    bound[1]
                    if bound and bound[0] == proposal.pk
                    else ProposalForm(
                        prefix=f"proposal-{proposal.pk}",
                        initial={"title": proposal.title, "text": proposal.text},
                    )
                )
            rows.append((proposal, form))
        return super().get_context_data(rows=rows)

    def post(self, request: HttpRequest) -> HttpResponse:
        target = as_id(request.POST.get("target", ""))
        form = ProposalForm(request.POST, prefix=f"proposal-{target}")
        decided = (
            run_service(
                request,
                lambda: services.proposal_decide(
                    by=request.user, proposal_id=target, **form.service_kwargs()
                ),
                form,
            )
            if form.is_valid()
            else None
        )
        if decided is not None:
            accepted = decided.status == RuleProposal.Status.ACCEPTED
            messages.success(
                request, _("已加入规则库,下次出警前提醒将包含此条") if accepted else _("已处理")
            )
        elif form.errors:
            return self.render_to_response(self.get_context_data(bound=(target, form)))
        return redirect("reviews:proposals")


class EvidenceView(LoginRequiredMixin, View):
    """One evidence file, to whoever may see its action; never served from MEDIA."""

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        evidence = selectors.access_evidence(request.user, pk)
        response = FileResponse(
            evidence.file.open("rb"), content_type=evidence.content_type,
            as_attachment=evidence.content_type == "application/pdf", filename=evidence.name,
        )  # fmt: skip
        response["X-Content-Type-Options"] = "nosniff"
        return response


class RetrospectiveOpenView(LoginRequiredMixin, View):
    """启动复盘 from the case page (legal officer or chief); the service decides."""

    def post(self, request: HttpRequest, case_id: int) -> HttpResponse:
        opened = run_service(
            request,
            lambda: services.retrospective_open(by=request.user, case_id=case_id, trigger="manual"),
        )
        if opened is None:
            return redirect("cases:case-detail", pk=case_id)
        messages.success(request, _("已启动案后复盘"))
        return redirect("reviews:retrospective-detail", pk=opened.pk)


class ReviewsApp(Application):
    title = gettext_lazy("案后复盘")
    icon = "rate_review"
    app_name = "reviews"
    menu_template_name = "reviews/menu.html"

    index_path = path("", RetrospectiveListView.as_view(), name="index")
    detail_path = path("<int:pk>/", RetrospectiveDetailView.as_view(), name="retrospective-detail")
    proposals_path = path("proposals/", ProposalListView.as_view(), name="proposals")
    evidence_path = path("evidence/<int:pk>/", EvidenceView.as_view(), name="evidence")
    open_path = path(
        "open/<int:case_id>/", RetrospectiveOpenView.as_view(), name="retrospective-open"
    )
