"""Web interfaces for the property inventory (filled in by the views helper)."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from viewflow.urls import Application


class InventoryApp(Application):
    title = gettext_lazy("随身物品")
    icon = "inventory_2"
    app_name = "inventory"

    index_path = path("", TemplateView.as_view(template_name="404.html"), name="index")
    detail_path = path(
        "<int:pk>/", TemplateView.as_view(template_name="404.html"), name="inventory-detail"
    )
