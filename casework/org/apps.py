from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "casework.org"
    label = "org"
    verbose_name = _("组织机构")

    def ready(self) -> None:
        from casework.org.services import roles_sync_after_migrate

        # Groups and their permissions exist right after every migrate, on every database.
        post_migrate.connect(roles_sync_after_migrate, sender=self, dispatch_uid="org.roles")
