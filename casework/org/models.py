"""Stations (派出所) and the officers who work in them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from casework.core.models import AuditedQuerySet

station_code_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]{1,9}$", _("单位代码应为 2–10 位大写字母或数字,以字母开头")
)
police_number_validator = RegexValidator(r"^[0-9A-Z]{4,12}$", _("警号应为 4–12 位数字或大写字母"))


class Station(models.Model):
    """A police station (派出所) with its jurisdiction; trips and rules compare against it."""

    code = models.CharField(
        _("单位代码"), max_length=10, unique=True, validators=[station_code_validator]
    )
    name = models.CharField(_("名称"), max_length=100)
    bureau = models.CharField(_("所属分局"), max_length=100)
    province = models.CharField(_("省"), max_length=50)
    city = models.CharField(_("市"), max_length=50)
    county = models.CharField(_("区县"), max_length=50)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("派出所")
        verbose_name_plural = _("派出所")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """An officer's police facts. Bureau staff have no station."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="profile"
    )
    police_number = models.CharField(
        _("警号"), max_length=12, unique=True, validators=[police_number_validator]
    )
    display_name = models.CharField(_("姓名"), max_length=50)
    station = models.ForeignKey(
        Station,
        verbose_name=_("所属派出所"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officers",
    )
    is_auxiliary = models.BooleanField(_("辅警"), default=False)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("警员")
        verbose_name_plural = _("警员")
        ordering = ["station__code", "police_number"]

    def __str__(self) -> str:
        return f"{self.display_name}({self.police_number})"


# django-guardian with direct foreign keys (ENGINEERING.md): exceptions to station scoping,
# e.g. a station lent to a bureau reviewer. Generic tables cast pk to text and are 8× slower.
class StationUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Station, on_delete=models.CASCADE)


class StationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Station, on_delete=models.CASCADE)
