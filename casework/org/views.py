"""Web interfaces: the per-role home page and the station/officer lists."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from viewflow.urls import Application

from casework.core.selectors import audit_events_of_user
from casework.org import selectors
from casework.org.roles import Role

# What each role is for, shown on its home page (DOMAIN.md, "Who uses it").
ROLE_DUTIES: dict[str, list[Any]] = {
    Role.OFFICER: [
        _("办理案件、登记出差"),
        _("出发前阅读并确认执法安全提醒"),
        _("抓获时填写随身物品处置表"),
    ],
    Role.AUXILIARY: [_("协助民警办案与登记"), _("不能作为主办人审批或签名")],
    Role.LEGAL_OFFICER: [
        _("接处警的观察员、受立案的审核员"),
        _("侦办过程的监督员、处结结果的裁量员"),
        _("案件评查的质检员;组织案后复盘,核验整改措施"),
    ],
    Role.INSTRUCTOR: [_("每日跟进未闭环警情"), _("对达到记分阈值的民警开展约谈")],
    Role.CHIEF: [_("审批处理决定"), _("在一个页面掌握审核积压与全所指标")],
    Role.BUREAU_LEGAL: [_("跨所查阅案件与审核"), _("维护规则库")],
    Role.AUDITOR: [_("查阅审计记录,核验审计链完整性")],
    Role.ADMIN: [_("维护派出所、警员与角色")],
}


# Shortcuts on the home page: (label, url name, the permission that makes it useful).
SHORTCUTS: list[tuple[Any, str, str]] = [
    (_("我的任务"), "cases:queue", "cases.view_case"),
    (_("法制员工作台"), "cases:workbench", "cases.review_case"),
    (_("时限监控"), "cases:clock-list", "cases.view_case"),
    (_("随身物品处置表"), "inventory:index", "inventory.view_inventory"),
    (_("受理案件"), "cases:case-create", "cases.add_case"),
    (_("警情"), "cases:incident-list", "cases.view_incident"),
    (_("出差与提醒"), "trips:index", "trips.view_trip"),
    (_("审计记录"), "audit:index", "core.view_auditevent"),
    (_("审计链校验"), "audit:verify", "core.view_auditevent"),
    (_("本所警员"), "org:index", "org.view_profile"),
    (_("派出所"), "org:station-list", "org.view_station"),
    (_("API 文档"), "api:docs", ""),
]


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "org/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        me = selectors.me_summary(user=user)
        roles = [(Role(name).label, ROLE_DUTIES.get(name, [])) for name in me["roles"]]
        shortcuts = [
            (label, reverse(name))
            for label, name, perm in SHORTCUTS
            if not perm or user.has_perm(perm)
        ]
        return super().get_context_data(
            me=me,
            role_cards=roles,
            shortcuts=shortcuts,
            recent_events=audit_events_of_user(user=user, limit=8),
            **kwargs,
        )


class StationListView(LoginRequiredMixin, TemplateView):
    template_name = "org/station_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(stations=selectors.station_list(user=self.request.user))


class OfficerListView(LoginRequiredMixin, TemplateView):
    template_name = "org/officer_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        role = self.request.GET.get("role", "")
        officers = selectors.officer_list(user=self.request.user, role=role)
        page = Paginator(officers, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, role=role, roles=Role.choices)


class OfficerDetailView(LoginRequiredMixin, TemplateView):
    template_name = "org/officer_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        officer = selectors.access_officer(self.request.user, self.kwargs["username"])
        return super().get_context_data(officer=officer)


class HomeApp(Application):
    title = _("工作台")
    icon = "home"
    app_name = "home"
    menu_template_name = "org/menu_home.html"

    index_path = path("", HomeView.as_view(), name="index")


class OrgApp(Application):
    title = _("组织机构")
    icon = "groups"
    app_name = "org"
    menu_template_name = "org/menu_org.html"

    index_path = path("", OfficerListView.as_view(), name="index")
    station_list_path = path("stations/", StationListView.as_view(), name="station-list")
    officer_detail_path = path(
        "officers/<str:username>/", OfficerDetailView.as_view(), name="officer-detail"
    )
