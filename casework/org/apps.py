from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "casework.org"
    label = "org"
    verbose_name = _("组织机构")

    def ready(self) -> None:
        from casework.core import verbs
        from casework.org.services import roles_sync_after_migrate

        verbs.register(
            {
                "org.roles_synced": _("角色权限同步"),
                "org.station_created": _("新建派出所"),
                "org.station_updated": _("修改派出所"),
                "org.officer_created": _("新建警员"),
                "org.officer_updated": _("修改警员"),
                "org.superuser_granted": _("授予超级管理员"),
            }
        )

        # Groups and their permissions exist right after every migrate, on every database.
        post_migrate.connect(roles_sync_after_migrate, sender=self, dispatch_uid="org.roles")
