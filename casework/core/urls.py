from django.urls import path

from casework.core.health import healthz

urlpatterns = [path("", healthz, name="healthz")]
