from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "casework.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from casework.core import checks, receivers  # noqa: F401 - registers checks and receivers
