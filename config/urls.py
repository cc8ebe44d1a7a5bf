"""URL map: the viewflow site (web UI), auth, language switch, the API, Django admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Site

from casework.conduct.views import ConductApp
from casework.core.views import AuditApp
from casework.dashboards.views import DashboardApp
from casework.deadlines.views import CalendarApp
from casework.inventory.views import InventoryApp
from casework.org.views import HomeApp, OrgApp
from casework.reviews.views import ReviewsApp
from casework.rules.views import RulesApp
from casework.trips.views import TripsApp
from casework.workflow.views import CasesApp

site = Site(
    title=_("执法监督"),
    primary_color="#1a3a6b",
    secondary_color="#c62828",
    viewsets=[
        HomeApp(),
        DashboardApp(),
        CasesApp(),
        InventoryApp(),
        ReviewsApp(),
        ConductApp(),
        TripsApp(),
        RulesApp(),
        CalendarApp(),
        OrgApp(),
        AuditApp(),
    ],
)
site.menu_template_name = "casework/site_menu.html"

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(("config.api", "api"), namespace="api")),
    path("admin/", admin.site.urls),
    path("healthz", include("casework.core.urls")),
    path("", site.urls),
]

handler403 = "casework.core.views.permission_denied"
