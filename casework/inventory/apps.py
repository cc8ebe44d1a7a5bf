from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "casework.inventory"
    label = "inventory"
    verbose_name = _("随身物品处置")

    def ready(self) -> None:
        from casework.core import verbs
        from casework.inventory import services  # noqa: F401 - registers the outbox handler

        verbs.register(
            {
                "inventory.opened": _("填写随身物品处置表"),
                "inventory.item_added": _("添加随身物品"),
                "inventory.item_changed": _("修改随身物品"),
                "inventory.item_removed": _("删去随身物品(草稿)"),
                "inventory.photo_added": _("上传物品照片"),
                "inventory.signed": _("签名锁定处置表"),
                "inventory.pdf_rendered": _("生成处置表 PDF"),
                "inventory.item_disposed": _("登记物品处置"),
                "inventory.closed": _("处置表闭环"),
                "inventory.seizure_handed_over": _("扣押物品移交保管"),
                "inventory.seizure_released": _("认定扣押物品与案件无关"),
                "inventory.seizure_returned": _("退还扣押物品"),
                "inventory.corrected": _("更正处置表(新版本)"),
            }
        )
