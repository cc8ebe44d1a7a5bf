from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "casework.dashboards"
    verbose_name = _("所站一体研判")
    default_auto_field = "django.db.models.BigAutoField"
