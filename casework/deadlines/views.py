"""Web interface for the working-day calendar (工作日): holidays and adjusted working days."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from viewflow.urls import Application

from casework.core.web import run_service
from casework.deadlines import selectors, services

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HolidayForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("日期"), widget=DATE)
    is_workday = forms.TypedChoiceField(
        label=gettext_lazy("类型"),
        choices=[("0", gettext_lazy("放假")), ("1", gettext_lazy("调休上班"))],
        coerce=lambda v: v == "1",
    )
    name = forms.CharField(
        label=gettext_lazy("名称"),
        max_length=50,
        help_text=gettext_lazy("如“国庆节”或“国庆调休”;同一天再次保存即为修改"),
    )


class RemoveForm(forms.Form):
    day = forms.DateField()


class HolidayListView(PermissionRequiredMixin, TemplateView):
    """One year of the calendar; legal officers also enter the State Council's notice here."""

    permission_required = "deadlines.view_holiday"
    template_name = "deadlines/holiday_list.html"

    def _year(self) -> int:
        year = self.request.GET.get("year", "")
        return int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else timezone.now().year

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user, year = self.request.user, self._year()
        # A holiday on a weekend, or a working day on a weekday, changes no count: most likely
        # a typo in the date, so the page says so.
        days = [
            (h, h.is_workday == (h.day.weekday() < 5))
            for h in selectors.holiday_list(user=user, year=year)
        ]
        this_year = timezone.now().year
        years = sorted({*selectors.holiday_years(), this_year, this_year + 1, year})
        picked = self.request.GET.get("day", "")
        initial: dict[str, Any] = {"day": picked, "is_workday": "0"}
        for holiday, _idle in days:
            if holiday.day.isoformat() == picked:  # "修改": the form starts from the row
                initial.update(name=holiday.name, is_workday="1" if holiday.is_workday else "0")
        return super().get_context_data(
            year=year,
            years=years,
            days=days,
            can_edit=user.has_perm("deadlines.add_holiday"),
            can_remove=user.has_perm("deadlines.delete_holiday"),
            form=kwargs.get("form") or HolidayForm(initial=initial),
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("deadlines.add_holiday"):
            raise PermissionDenied("deadlines.add_holiday")
        if request.POST.get("action") == "remove":
            return self._remove(request)
        form = HolidayForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            holiday = run_service(
                request, lambda: services.holiday_set(by=request.user, **data), form
            )
            if holiday is not None:
                messages.success(request, _("已保存:%(day)s %(name)s") % data)
                return redirect(f"{reverse('calendar:index')}?year={holiday.day.year}")
        return self.render_to_response(self.get_context_data(form=form))

    def _remove(self, request: HttpRequest) -> HttpResponse:
        form = RemoveForm(request.POST)
        if form.is_valid():
            day = form.cleaned_data["day"]
            removed = run_service(
                request, lambda: services.holiday_remove(by=request.user, day=day)
            )
            if removed is not None:
                messages.success(request, _("已从日历中删除 %(day)s") % {"day": day})
            return redirect(f"{reverse('calendar:index')}?year={day.year}")
        messages.error(request, _("日期无效"))
        return redirect("calendar:index")


class CalendarApp(Application):
    title = gettext_lazy("工作日历")
    icon = "event"
    app_name = "calendar"
    menu_template_name = "deadlines/menu.html"
    permission = "deadlines.view_holiday"

    index_path = path("", HolidayListView.as_view(), name="index")
