from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConductConfig(AppConfig):
    name = "casework.conduct"
    label = "conduct"
    verbose_name = _("提醒、记分、约谈")

    def ready(self) -> None:
        from casework.core import verbs

        verbs.register(
            {
                "conduct.recorded": _("登记提醒/记分"),
                "conduct.talk_opened": _("记分达到阈值,启动约谈"),
                "conduct.talk_held": _("完成约谈"),
                "conduct.objection_raised": _("对记分提出异议"),
                "conduct.objection_decided": _("处理记分异议"),
            }
        )
