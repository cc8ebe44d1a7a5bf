"""`/api/v1/`: every app's REST interfaces in one router (API.md is the contract)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from casework.cases import api as cases_api
from casework.conduct import api as conduct_api
from casework.dashboards import api as dashboards_api
from casework.deadlines import api as deadlines_api
from casework.inventory import api as inventory_api
from casework.org import api as org_api
from casework.reviews import api as reviews_api
from casework.rules import api as rules_api
from casework.trips import api as trips_api
from casework.workflow import api as workflow_api

# No `.json` suffix URLs: API.md names every path, and the suffix variants broke every custom
# action that takes no `format` argument (a 500 on /cases/1/timeline.json).
router = DefaultRouter()
router.include_format_suffixes = False
router.register("incidents", cases_api.IncidentViewSet, basename="incident")
router.register("cases", workflow_api.CaseViewSet, basename="case")
router.register("rules", rules_api.RuleViewSet, basename="rule")
router.register("deadlines", deadlines_api.DeadlineViewSet, basename="deadline")
router.register("holidays", deadlines_api.HolidayViewSet, basename="holiday")
router.register("trips", trips_api.TripViewSet, basename="trip")
router.register("reminders", trips_api.ReminderViewSet, basename="reminder")
router.register("inventories", inventory_api.InventoryViewSet, basename="inventory")
router.register("retrospectives", reviews_api.RetrospectiveViewSet, basename="retrospective")
router.register("actions", reviews_api.ActionViewSet, basename="action")
router.register("stations", org_api.StationViewSet, basename="station")
router.register("officers", org_api.OfficerViewSet, basename="officer")
router.register("daily-reports", cases_api.DailyReportViewSet, basename="daily-report")

urlpatterns = [
    path("auth/token/", org_api.TokenObtainView.as_view(), name="auth-token"),
    path("me/", org_api.MeView.as_view(), name="me"),
    path("reviews/pending/", workflow_api.PendingReviewsView.as_view(), name="reviews-pending"),
    path("reviews/<int:pk>/decide/", workflow_api.DecideView.as_view(), name="review-decide"),
    path("reviews/<int:pk>/claim/", workflow_api.ClaimView.as_view(), name="review-claim"),
    path("flags/<int:pk>/answer/", cases_api.FlagAnswerView.as_view(), name="flag-answer"),
    path(
        "supervision/<int:pk>/answer/",
        cases_api.SupervisionAnswerView.as_view(),
        name="supervision-answer",
    ),
    path(
        "daily-items/<int:pk>/answer/",
        cases_api.DailyItemAnswerView.as_view(),
        name="daily-item-answer",
    ),
    path("rules/preview/", rules_api.PreviewView.as_view(), name="rules-preview"),
    path(
        "officers/<str:username>/conduct/",
        conduct_api.ConductView.as_view(),
        name="officer-conduct",
    ),
    path("conduct/<int:pk>/object/", conduct_api.ObjectionView.as_view(), name="conduct-object"),
    path(
        "conduct/<int:pk>/decide/",
        conduct_api.ObjectionDecideView.as_view(),
        name="conduct-decide",
    ),
    path("talks/<int:pk>/hold/", conduct_api.TalkHoldView.as_view(), name="talk-hold"),
    path(
        "reviews/monthly-report/",
        reviews_api.MonthlyReportView.as_view(),
        name="reviews-monthly-report",
    ),
    path("dashboard/", dashboards_api.DashboardView.as_view(), name="dashboard"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
