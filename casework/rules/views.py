"""Web interfaces for the rule library: list, detail with history, edit, versions, preview."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from viewflow.urls import Application

from casework.core.web import run_service
from casework.rules import labels, selectors, services
from casework.rules.forms import PreviewForm, RuleForm, VersionForm
from casework.rules.models import Rule


class RuleListView(PermissionRequiredMixin, TemplateView):
    permission_required = "rules.view_rule"
    template_name = "rules/rule_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        q = self.request.GET
        category = q.get("category", "") if q.get("category") in Rule.Category.values else ""
        state = q.get("state", "")
        found = selectors.rule_list(
            category=category, enabled_only=state == "enabled", disabled_only=state == "disabled"
        )
        counts = selectors.rule_counts()
        order = {value: n for n, value in enumerate(Rule.Category.values)}  # trips first
        return super().get_context_data(
            rules=sorted(found, key=lambda r: order.get(r.category, len(order))),
            category=category,
            state=state,
            tabs=[(v, label, counts.get(v, 0)) for v, label in Rule.Category.choices],
            total=sum(counts.values()),
            today=timezone.localdate(),
        )


class RuleDetailView(PermissionRequiredMixin, TemplateView):
    """The rule as the engine reads it, in words; its other versions; every revision."""

    permission_required = "rules.view_rule"
    template_name = "rules/rule_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        rule = selectors.access_rule(user, self.kwargs["pk"])
        return super().get_context_data(
            rule=rule,
            today=timezone.localdate(),
            condition_lines=labels.describe(rule.conditions),
            conditions_json=json.dumps(rule.conditions, ensure_ascii=False, indent=2),
            trigger_label=labels.EVENT_LABELS.get(rule.trigger_event, rule.trigger_event),
            escalation=[labels.AUDIENCE_LABELS.get(a, a) for a in rule.escalation],
            history=selectors.rule_history(rule=rule),
            versions=selectors.rule_versions(rule=rule),
            can_edit=user.has_perm("rules.change_rule"),
            can_version=user.has_perm("rules.add_rule"),
            version_form=kwargs.get("version_form") or VersionForm(),
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Start a new version (a revised law) from a later date."""
        form = VersionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            rule = run_service(
                request,
                lambda: services.rule_version_add(by=request.user, rule_id=pk, **data),
                form,
            )
            if rule is not None:
                messages.success(request, _("已建立新版本,请按新法修改其内容"))
                return redirect("rules:rule-detail", pk=rule.pk)
        return self.render_to_response(self.get_context_data(version_form=form))


class RuleEditView(PermissionRequiredMixin, TemplateView):
    permission_required = "rules.change_rule"
    template_name = "rules/rule_form.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        rule = selectors.access_rule(self.request.user, self.kwargs["pk"])
        form = kwargs.get("form") or RuleForm(initial=RuleForm.initial_of(rule))
        return super().get_context_data(
            rule=rule,
            form=form,
            fields=labels.condition_fields(rule.category),
            ops=labels.OP_LABELS.items(),
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        rule = selectors.access_rule(request.user, pk)
        form = RuleForm(request.POST)
        if form.is_valid():
            fields = form.rule_fields()
            if fields == RuleForm.initial_of(rule):  # no revision without a change
                messages.info(request, _("内容没有变化,未保存新的修订"))
                return redirect("rules:rule-detail", pk=rule.pk)
            note = form.cleaned_data["note"]
            saved = run_service(
                request,
                lambda: services.rule_save(
                    by=request.user, slug=rule.slug, rule_id=rule.pk, note=note, **fields
                ),
                form,
            )
            if saved is not None:
                messages.success(request, _("已保存(第 %(n)s 次修订)") % {"n": saved.revision})
                return redirect("rules:rule-detail", pk=saved.pk)
        return self.render_to_response(self.get_context_data(form=form))


class RulePreviewView(PermissionRequiredMixin, TemplateView):
    """Which rules a sample trip would trigger: the same evaluation as a real registration."""

    permission_required = "rules.view_rule"
    template_name = "rules/rule_preview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = PreviewForm(self.request.GET or None)
        preview = facts = None
        if form.is_valid():
            preview = selectors.rules_preview(user=self.request.user, **form.facts())
            facts = [
                (labels.FIELD_LABELS.get(k, k), labels.shown_fact(k, v))
                for k, v in preview.context.items()
            ]
        return super().get_context_data(form=form, preview=preview, facts=facts)


class RulesApp(Application):
    title = gettext_lazy("规则库")
    icon = "rule"
    app_name = "rules"
    menu_template_name = "rules/menu.html"
    permission = "rules.view_rule"

    index_path = path("", RuleListView.as_view(), name="index")
    preview_path = path("preview/", RulePreviewView.as_view(), name="rule-preview")
    detail_path = path("<int:pk>/", RuleDetailView.as_view(), name="rule-detail")
    edit_path = path("<int:pk>/edit/", RuleEditView.as_view(), name="rule-edit")
