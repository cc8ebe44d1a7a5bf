"""The suspect property inventory (嫌疑人随身物品处置表): items, photos, end states, seizures.

An inventory is a draft while the officer lists what the suspect carries; signing locks it
(SHA-256 of its content) and only the items' end states may be recorded afterwards. A mistake
found after signing is corrected by a new revision that points at the old one; both are kept.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core.models import AuditedQuerySet

USER = settings.AUTH_USER_MODEL

# 人民币 denominations an officer counts cash in (元), largest first.
DENOMINATIONS = ["100", "50", "20", "10", "5", "1", "0.5", "0.1"]


class Inventory(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("填写中")
        SIGNED = "signed", _("已签名,待处置")
        CLOSED = "closed", _("已闭环")
        SUPERSEDED = "superseded", _("已被更正")

    class SuspectSignature(models.TextChoices):
        SIGNED = "signed", _("本人已签名")
        REFUSED = "refused", _("拒绝签名")

    station = models.ForeignKey("org.Station", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="inventories")
    party = models.ForeignKey(
        "cases.Party", verbose_name=_("当事人"), on_delete=models.PROTECT, related_name="+"
    )
    revision = models.PositiveSmallIntegerField(_("版本"), default=1)
    # A correction of a signed inventory: the new revision points at the one it replaces.
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    correction_reason = models.TextField(_("更正原因"), blank=True)
    taken_at = models.DateTimeField(_("登记时间"))
    place = models.CharField(_("登记地点"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Signing: the responsible officer signs in the system; the second officer or a witness
    # and the suspect sign the printed form, which the officer records here.
    signed_at = models.DateTimeField(_("签名时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        USER, verbose_name=_("登记民警"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    second_officer = models.ForeignKey(
        USER, verbose_name=_("在场民警"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    witness_name = models.CharField(_("见证人"), max_length=100, blank=True)
    suspect_signature = models.CharField(
        _("嫌疑人签名"), max_length=8, choices=SuspectSignature.choices, blank=True
    )
    refusal_reason = models.TextField(_("拒签原因"), blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    closed_at = models.DateTimeField(_("闭环时间"), null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    # The printed form, rendered once per signed revision by a worker and served from storage.
    pdf = models.FileField(upload_to="inventories/%Y/%m/", blank=True)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)
    pdf_error = models.TextField(blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("随身物品处置表")
        verbose_name_plural = _("随身物品处置表")
        ordering = ["-created_at"]
        permissions = [
            ("sign_inventory", _("签名锁定随身物品处置表")),
            ("dispose_item", _("登记物品处置")),
        ]
        indexes = [models.Index(fields=["station", "status"])]

    def __str__(self) -> str:
        return _("%(party)s 随身物品处置表(第 %(rev)s 版)") % {
            "party": self.party.name,
            "rev": self.revision,
        }

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.SIGNED}

    @property
    def is_locked(self) -> bool:
        return self.status != self.Status.DRAFT


class PropertyItem(models.Model):
    class Category(models.TextChoices):
        CASH = "cash", _("现金")
        PHONE = "phone", _("手机")
        WALLET = "wallet", _("钱包/箱包")
        DOCUMENTS = "documents", _("身份证件及证照")
        KEYS = "keys", _("钥匙")
        JEWELLERY = "jewellery", _("首饰/手表")
        BANK_CARD = "bank_card", _("银行卡")
        ELECTRONICS = "electronics", _("其他电子产品")
        CLOTHING = "clothing", _("腰带/鞋带/衣物")
        MEDICINE = "medicine", _("药品")
        OTHER = "other", _("其他")

    class Disposition(models.TextChoices):
        RETURNED = "returned", _("返还本人")
        FAMILY = "family", _("交家属")
        CUSTODY = "custody", _("代为保管")
        SEIZED = "seized", _("扣押(证据)")

    inventory = models.ForeignKey(Inventory, on_delete=models.PROTECT, related_name="items")
    line = models.PositiveSmallIntegerField(_("序号"))
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    name = models.CharField(_("物品名称"), max_length=100)
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=10)
    size = models.CharField(_("尺寸/规格"), max_length=100, blank=True)
    marks = models.CharField(_("颜色/标记/序列号"), max_length=200, blank=True)
    condition = models.CharField(_("成色/状况"), max_length=100, blank=True)
    description = models.TextField(_("描述"), blank=True)
    is_empty = models.BooleanField(_("空(无内容物)"), default=False)
    # Cash counted by denomination, {"100": 3, "0.5": 2}; quantity is then the total in 元.
    denominations = models.JSONField(_("面额明细"), default=dict, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)  # struck from a draft, kept
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    disposition = models.CharField(
        _("处置"), max_length=10, choices=Disposition.choices, blank=True
    )
    disposed_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    disposed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receiver = models.CharField(_("接收人"), max_length=100, blank=True)
    receiver_relation = models.CharField(_("与嫌疑人关系"), max_length=30, blank=True)
    locker = models.CharField(_("保管柜号"), max_length=30, blank=True)
    custodian = models.ForeignKey(
        USER, verbose_name=_("保管人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    disposal_note = models.TextField(_("处置说明"), blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("随身物品")
        verbose_name_plural = _("随身物品")
        ordering = ["line"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="item_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.line}. {self.name}"

    @property
    def quantity_text(self) -> str:
        """1.00 → "1", 12.50 → "12.5" (what the officer would write on paper)."""
        value: Decimal = self.quantity.normalize()
        return f"{value:f}"

    def denomination_rows(self) -> list[tuple[str, Any]]:
        return [(d, self.denominations[d]) for d in DENOMINATIONS if self.denominations.get(d)]


def photo_path(photo: ItemPhoto, filename: str) -> str:
    # Never trust the uploaded name: the row's digest names the file.
    return f"inventory-photos/{photo.sha256[:2]}/{photo.sha256}.img"


class ItemPhoto(models.Model):
    item = models.ForeignKey(PropertyItem, on_delete=models.PROTECT, related_name="photos")
    image = models.ImageField(_("照片"), upload_to=photo_path)
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=40)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("物品照片")
        verbose_name_plural = _("物品照片")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.item} {self.sha256[:12]}"


class Seizure(models.Model):
    """扣押 of an item as evidence, with the clocks the rule library attaches to it:
    hand-over to the property custodian (24 h) and, if it proves unrelated, return (3 days)."""

    item = models.OneToOneField(PropertyItem, on_delete=models.PROTECT, related_name="seizure")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    seized_at = models.DateTimeField(_("扣押时间"))
    seized_event = models.ForeignKey("cases.CaseEvent", on_delete=models.PROTECT, related_name="+")
    handed_over_at = models.DateTimeField(_("移交时间"), null=True, blank=True)
    custodian = models.ForeignKey(
        USER, verbose_name=_("涉案财物管理人员"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    unrelated_at = models.DateTimeField(_("认定无关时间"), null=True, blank=True)
    unrelated_event = models.ForeignKey(
        "cases.CaseEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_at = models.DateTimeField(_("退还时间"), null=True, blank=True)
    returned_to = models.CharField(_("退还对象"), max_length=100, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("扣押记录")
        verbose_name_plural = _("扣押记录")

    def __str__(self) -> str:
        return f"{self.item.name} {self.seized_at:%Y-%m-%d}"
