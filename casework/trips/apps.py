from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TripsConfig(AppConfig):
    name = "casework.trips"
    label = "trips"
    verbose_name = _("出差与执法安全提醒")

    def ready(self) -> None:
        from casework.core import verbs
        from casework.trips import personal

        personal.register(personal.conduct_items)

        verbs.register(
            {
                "trips.registered": _("登记出差"),
                "trips.reminder_acknowledged": _("确认执法安全提醒"),
                "trips.note_added": _("法制员添加提醒"),
            }
        )
