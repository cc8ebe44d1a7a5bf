"""Web interfaces for trips: register one, read and acknowledge one's briefing, add a note."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from viewflow.urls import Application

from casework.core.errors import as_text
from casework.core.fields import DateTimeField
from casework.core.web import run_service
from casework.rules.forms import DATETIME, TripFactsForm
from casework.trips import selectors, services


class TripForm(TripFactsForm):
    officers = forms.CharField(label=gettext_lazy("出差民警(账号,逗号分隔)"), max_length=300)
    departs_at = DateTimeField(label=gettext_lazy("出发时间"), widget=DATETIME)
    returns_at = DateTimeField(label=gettext_lazy("返回时间"), widget=DATETIME)
    field_order = ["officers", "province", "city", "county", "departs_at", "returns_at"]

    def service_kwargs(self) -> dict[str, Any]:
        d = self.facts()
        names = d["officers"].replace("\uff0c", ",")  # the comma of a Chinese keyboard
        d["officers"] = [n.strip() for n in names.split(",") if n.strip()]
        return d


class TripListView(LoginRequiredMixin, TemplateView):
    template_name = "trips/trip_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        mine = selectors.reminder_list(user=user, mine=True).filter(acknowledged_at__isnull=True)
        return super().get_context_data(
            trips=selectors.trip_list(user=user)[:50],
            pending_trips=sorted({r.trip for r in mine}, key=lambda t: t.departs_at),
        )


class TripCreateView(LoginRequiredMixin, TemplateView):
    template_name = "trips/trip_form.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        initial = {"officers": self.request.user.get_username()}
        return super().get_context_data(form=kwargs.get("form") or TripForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TripForm(request.POST)
        if form.is_valid():
            trip = run_service(
                request,
                lambda: services.trip_register(by=request.user, **form.service_kwargs()),
                form,
            )
            if trip is not None:
                messages.success(request, _("已登记出差,执法安全提醒已发送给每位出差民警"))
                return redirect("trips:trip-detail", pk=trip.pk)
        return self.render_to_response(self.get_context_data(form=form))


class TripDetailView(LoginRequiredMixin, TemplateView):
    """The trip, my briefing (to acknowledge), and everyone's acknowledgement status."""

    template_name = "trips/trip_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        trip = selectors.access_trip(user, self.kwargs["pk"])
        reminders = list(trip.reminders.select_related("officer__profile", "rule"))
        mine = [r for r in reminders if r.officer_id == user.pk]
        officers = []
        for officer in trip.officers.all():
            theirs = [r for r in reminders if r.officer_id == officer.pk]
            done = all(r.acknowledged_at for r in theirs)
            officers.append((officer, done, len(theirs)))
        return super().get_context_data(
            trip=trip,
            mine=mine,
            officers=officers,
            purposes=trip.purpose_labels(),
            mine_pending=any(r.acknowledged_at is None for r in mine),
            can_note=user.has_perm("trips.change_trip"),
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.POST.get("action") == "note":
            done = run_service(
                request,
                lambda: services.trip_note_add(
                    by=request.user, trip_id=pk, text=as_text(request.POST.get("text", ""), "text")
                ),
            )
        else:
            done = run_service(
                request, lambda: services.briefing_acknowledge(by=request.user, trip_id=pk)
            )
        if done is not None:
            messages.success(request, _("已保存"))
        return redirect("trips:trip-detail", pk=pk)


class TripCardView(LoginRequiredMixin, View):
    """One officer's reminder card as a PDF (the caller's own unless ?officer=username)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            name, pdf = selectors.briefing_card_pdf(
                user=request.user, trip_id=pk, officer=request.GET.get("officer", "")
            )
        except ValidationError as exc:
            return HttpResponseBadRequest("; ".join(exc.messages))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response


class TripsApp(Application):
    title = gettext_lazy("出差提醒")
    icon = "flight_takeoff"
    app_name = "trips"
    menu_template_name = "trips/menu.html"

    index_path = path("", TripListView.as_view(), name="index")
    create_path = path("create/", TripCreateView.as_view(), name="trip-create")
    detail_path = path("<int:pk>/", TripDetailView.as_view(), name="trip-detail")
    card_path = path("<int:pk>/card/", TripCardView.as_view(), name="trip-card")
