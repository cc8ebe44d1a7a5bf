"""所站一体研判: the leadership screen (one station, or the bureau's side by side), the list
behind every number with its CSV/XLSX export, and the screen as a PDF."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from viewflow.urls import Application

from casework.cases.models import Gate
from casework.core.pdf import html_to_pdf
from casework.dashboards import charts, exports, lists, selectors
from casework.org.models import Station

REFRESH_SECONDS = 60
TREND_ROWS = [
    ("incidents", gettext_lazy("警情"), "incidents-year", ""),
    ("cases_accepted", gettext_lazy("受案"), "cases-accepted", ""),
    ("cases_filed", gettext_lazy("立案(刑事)"), "cases-filed", ""),
    ("cases_closed", gettext_lazy("结案"), "cases-closed", ""),
    ("clearance_rate", gettext_lazy("破案率"), "cases-filed", "%"),
    ("dispute_resolution_rate", gettext_lazy("纠纷化解率"), "incidents-year", "%"),
    ("reconsiderations", gettext_lazy("行政复议"), "reconsiderations", ""),
    ("litigations", gettext_lazy("行政诉讼"), "litigations", ""),
]
GATES = [Gate.ACCEPTANCE, Gate.DISPOSITION, Gate.CHIEF_APPROVAL, Gate.EVALUATION]
AGE_LABELS = [
    ("lt1", gettext_lazy("不足 1 天")),
    ("d1_3", gettext_lazy("1–3 天")),
    ("gt3", gettext_lazy("超过 3 天")),
]


def _charts(figures: list[selectors.StationFigures]) -> list[charts.Chart]:
    ages = [str(label) for _code, label in AGE_LABELS]
    if len(figures) == 1:
        f = figures[0]
        return [
            charts.hbars(
                _("待审核(按环节、等待时间)"), ages,
                [(str(g.label), [f.reviews.get(str(g), {}).get(a, 0) for a, _l in AGE_LABELS])
                 for g in GATES],
                stacked=True,
            ),
            charts.hbars(
                _("同比(今年 / 去年同期)"), [_("今年"), _("去年同期")],
                [(str(label), [f.trends[key].now or 0, f.trends[key].before or 0])
                 for key, label, _list, unit in TREND_ROWS[:4]],
                stacked=False,
            ),
        ]  # fmt: skip
    return [
        charts.hbars(
            _("各所待审核(按等待时间)"), ages,
            [(f.station.name, [sum(r.get(a, 0) for r in f.reviews.values())
                               for a, _l in AGE_LABELS]) for f in figures],
            stacked=True,
        ),
        charts.hbars(
            _("各所超期时限与未办结警情"), [_("超期时限"), _("未办结警情")],
            [(f.station.name, [f.overdue_clocks, f.unclosed_incidents]) for f in figures],
            stacked=False,
        ),
    ]  # fmt: skip


def screen_context(user: Any, code: str | None) -> dict[str, Any]:
    """What the screen, its refresh and its PDF show."""
    now = timezone.now()
    stations = selectors.stations_for(user, code)
    figures = selectors.dashboard(stations=stations, now=now)
    single = figures[0] if len(figures) == 1 else None
    review_rows, trend_cells = [], []
    if single is not None:
        review_rows = [
            (g, [(a, single.reviews.get(str(g), {}).get(a, 0)) for a, _label in AGE_LABELS])
            for g in GATES
        ]
        trend_cells = [(*row, single.trends[row[0]]) for row in TREND_ROWS]
    return {
        "review_rows": review_rows, "trend_cells": trend_cells,
        "now": now, "figures": figures, "single": single,
        "bureau": selectors.is_bureau_wide(user), "code": single.station.code if single else "",
        "gates": GATES, "ages": AGE_LABELS, "trend_rows": TREND_ROWS, "charts": _charts(figures),
        "refresh": REFRESH_SECONDS,
    }  # fmt: skip


class DashboardView(LoginRequiredMixin, TemplateView):
    """One station's screen, or the bureau's stations side by side; `?partial=1` returns the
    panel alone, which the page fetches every minute to refresh itself without a reload."""

    template_name = "dashboards/screen.html"

    def get_template_names(self) -> list[str]:
        if self.request.GET.get("partial"):
            return ["dashboards/panel.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = screen_context(self.request.user, self.request.GET.get("station") or None)
        return super().get_context_data(**context)


class DashboardPdfView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        context = screen_context(request.user, request.GET.get("station") or None)
        html = render_to_string("print/dashboard.html", context, request=request)
        name = f"dashboard-{context['code'] or 'all'}-{timezone.localdate():%Y%m%d}.pdf"
        response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response


class ListView(LoginRequiredMixin, TemplateView):
    """The list behind one number, for the same stations; `?format=csv|xlsx` exports it."""

    template_name = "dashboards/list.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = kwargs["key"]
        if key not in lists.LISTS:
            raise Http404(key)
        code = request.GET.get("station") or None
        stations = selectors.stations_for(request.user, code)
        params = {k: request.GET.get(k, "") for k in ("gate", "age")}
        listing = lists.listing(key, stations=stations, now=timezone.now(), params=params)
        name = f"{key}-{code or 'all'}-{timezone.localdate():%Y%m%d}"
        fmt = request.GET.get("format")
        if fmt == "csv":
            return exports.csv_response(listing, name)
        if fmt == "xlsx":
            return exports.xlsx_response(listing, name)
        page: Any = Paginator(listing.rows, 100).get_page(request.GET.get("page"))  # type: ignore[arg-type]
        rows = [(listing.link(r), listing.cells(r)) for r in page]
        query = "&".join(f"{k}={v}" for k, v in {"station": code or "", **params}.items() if v)
        return self.render_to_response(
            self.get_context_data(
                listing=listing,
                page=page,
                rows=rows,
                key=key,
                query=query,
                station=_station_name(stations, code),
            )
        )


def _station_name(stations: list[Station], code: str | None) -> str:
    if len(stations) == 1:
        return stations[0].name
    return _("全部派出所")


class DashboardApp(Application):
    title = gettext_lazy("所站一体研判")
    icon = "insights"
    app_name = "dashboard"
    menu_template_name = "dashboards/menu.html"

    index_path = path("", DashboardView.as_view(), name="index")
    pdf_path = path("pdf/", DashboardPdfView.as_view(), name="pdf")
    list_path = path("list/<slug:key>/", ListView.as_view(), name="list")

    def has_view_permission(self, user: Any, obj: Any = None) -> bool:
        return bool(user.is_authenticated and selectors.may_view(user))
