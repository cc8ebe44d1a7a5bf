from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "casework.deadlines"
    label = "deadlines"
    verbose_name = _("法定时限")

    def ready(self) -> None:
        from casework.core import verbs

        verbs.register(
            {
                "deadlines.started": _("法定时限开始计时"),
                "deadlines.met": _("法定时限已办结"),
                "deadlines.prompted": _("推送办案提醒"),
                "deadlines.holiday_set": _("设置节假日"),
                "deadlines.holiday_removed": _("删除节假日"),
            }
        )
