from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "casework.rules"
    label = "rules"
    verbose_name = _("规则库")

    def ready(self) -> None:
        from casework.core import verbs

        verbs.register({"rules.saved": _("修改规则"), "rules.loaded": _("导入规则库")})
