"""Web interfaces for 提醒 → 记分 → 约谈: my record with its objections, one officer's record,
and the station view where the instructor or legal officer decides objections and holds talks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from viewflow.urls import Application

from casework.conduct import selectors, services
from casework.conduct.forms import DecideForm, ObjectionForm, TalkForm
from casework.conduct.models import ConductRecord, Talk
from casework.core.errors import as_id
from casework.core.web import run_service
from casework.org.roles import Role
from casework.org.scoping import has_role

OVERSEE = ("conduct.decide_objection", "conduct.hold_talk")
STATION_FORMS: dict[str, type[django_forms.Form]] = {"decide": DecideForm, "talk": TalkForm}
FORMS: dict[str, type[django_forms.Form]] = {"objection": ObjectionForm, **STATION_FORMS}
Bound = tuple[str, int, Any]  # (form kind, target id, the bound form that failed)


def may_oversee(user: Any) -> bool:
    return any(user.has_perm(perm) for perm in OVERSEE)


def _level(points: int, largest: int) -> str:
    """The highlight: `over` at the talk threshold, `near` when one more finding could reach it."""
    threshold = settings.CONDUCT_TALK_POINTS
    if points >= threshold:
        return "over"
    return "near" if points and points + largest >= threshold else ""


def _form(kind: str, target: int, bound: Bound | None) -> Any:
    """The bound form that failed when it is this one, else a fresh one; the prefix names the
    record or talk, so a page of many forms stays unambiguous."""
    if bound is not None and bound[:2] == (kind, target):
        return bound[2]
    return FORMS[kind](prefix=f"{kind}-{target}")


@dataclass
class RecordRow:
    record: ConductRecord
    counts: bool  # counts toward this period's points
    form: Any = None  # the objection form, on the officer's own unobjected records


def _record_rows(
    user: Any, records: list[ConductRecord], since: datetime, bound: Bound | None
) -> list[RecordRow]:
    rows = []
    for record in records:
        # The page offers; objection_raise decides again on every POST.
        offered = record.officer_id == user.pk and not record.objection_status
        form = _form("objection", record.pk, bound) if offered else None
        rows.append(RecordRow(record, record.counts and record.created_at >= since, form))
    return rows


class OfficerConductView(LoginRequiredMixin, TemplateView):
    """One officer's record: the officer, and their station's instructor, legal officers and
    chief; anyone else gets a 404."""

    template_name = "conduct/record.html"

    def username(self) -> str:
        return str(self.kwargs["username"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        found = selectors.conduct_of(user=user, username=self.username())
        since = selectors.period_start(timezone.now())
        return super().get_context_data(
            **found, since=since, threshold=settings.CONDUCT_TALK_POINTS,
            level=_level(found["points"], selectors.largest_points()),
            rows=_record_rows(user, found["records"], since, kwargs.get("bound")),
            profile=getattr(found["officer"], "profile", None),
            mine=found["officer"].pk == user.pk, may_oversee=may_oversee(user),
        )  # fmt: skip


class MyConductView(OfficerConductView):
    """我的执法记录, where the officer objects to a record of their own."""

    def username(self) -> str:
        return self.request.user.get_username()

    def post(self, request: HttpRequest) -> HttpResponse:
        target = as_id(request.POST.get("target", ""))
        form = ObjectionForm(request.POST, prefix=f"objection-{target}")
        raise_objection = partial(services.objection_raise, by=request.user, record_id=target)
        done = form.is_valid() and (
            run_service(request, lambda: raise_objection(text=form.cleaned_data["text"]), form)
            is not None
        )
        if done:
            messages.success(request, _("异议已提交,等待教导员或法制员处理"))
        elif form.errors:
            return self.render_to_response(self.get_context_data(bound=("objection", target, form)))
        return redirect("conduct:index")


@dataclass
class OfficerRow:
    profile: Any
    points: int
    level: str


class StationConductView(LoginRequiredMixin, UserPassesTestMixin, TemplateView):
    """本所记分与约谈: officers by points, objections to decide, talks to hold and held."""

    template_name = "conduct/station.html"

    def test_func(self) -> bool:
        # The chief watches the ledger (read-only); the instructor and legal officers act.
        user = self.request.user
        if self.request.method == "POST":
            return may_oversee(user)
        return may_oversee(user) or has_role(user, Role.CHIEF)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user: Any = self.request.user
        bound, now = kwargs.get("bound"), timezone.now()
        since, largest = selectors.period_start(now), selectors.largest_points()
        profiles: Any = selectors.officers_with_points(user=user, now=now)  # annotated `points`
        officers = [OfficerRow(p, p.points, _level(p.points, largest)) for p in profiles]
        may_decide, may_hold = user.has_perm(OVERSEE[0]), user.has_perm(OVERSEE[1])
        # The page offers; the services decide again (nobody decides their own objection).
        pending = [
            (r, _form("decide", r.pk, bound) if may_decide and r.officer_id != user.pk else None)
            for r in selectors.objections_pending(user=user)
        ]
        talks = selectors.talks_for_station(user=user, since=since)
        open_talks = [(t, _form("talk", t.pk, bound) if may_hold else None) for t in talks["open"]]
        return super().get_context_data(
            officers=officers, since=since, threshold=settings.CONDUCT_TALK_POINTS,
            pending=pending, open_talks=open_talks, held_talks=talks["held"],
            may_decide=may_decide, may_hold=may_hold,
        )  # fmt: skip

    def post(self, request: HttpRequest) -> HttpResponse:
        kind = request.POST.get("form", "")
        if kind not in STATION_FORMS:
            messages.error(request, _("未知操作"))
            return redirect("conduct:station")
        target = as_id(request.POST.get("target", ""))
        form = STATION_FORMS[kind](request.POST, prefix=f"{kind}-{target}")
        done = form.is_valid() and (
            run_service(request, lambda: _call(kind, request.user, target, form), form) is not None
        )
        if done:
            messages.success(request, _("已处理异议") if kind == "decide" else _("已记录约谈"))
        elif form.errors:
            return self.render_to_response(self.get_context_data(bound=(kind, target, form)))
        return redirect("conduct:station")


def _call(kind: str, by: Any, target: int, form: Any) -> ConductRecord | Talk:
    """The one service each station form calls."""
    if kind == "decide":
        return services.objection_decide(by=by, record_id=target, **form.service_kwargs())
    return services.talk_hold(by=by, talk_id=target, **form.cleaned_data)


class ConductApp(Application):
    title = gettext_lazy("执法记分")
    icon = "fact_check"
    app_name = "conduct"
    menu_template_name = "conduct/menu.html"

    index_path = path("", MyConductView.as_view(), name="index")
    station_path = path("station/", StationConductView.as_view(), name="station")
    officer_path = path(
        "officers/<str:username>/", OfficerConductView.as_view(), name="officer-detail"
    )
