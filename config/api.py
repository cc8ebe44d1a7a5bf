"""`/api/v1/`: every app's REST interfaces in one router (API.md is the contract)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from casework.org import api as org_api

router = DefaultRouter()
router.register("stations", org_api.StationViewSet, basename="station")
router.register("officers", org_api.OfficerViewSet, basename="officer")

urlpatterns = [
    path("auth/token/", org_api.TokenObtainView.as_view(), name="auth-token"),
    path("me/", org_api.MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
