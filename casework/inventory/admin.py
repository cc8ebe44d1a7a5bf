"""Django admin for inventories: a superuser may look; nobody adds, changes or deletes here.

Every row is legally relevant. It changes only through the services, which check and audit
(a signed inventory's content never changes), and nothing is ever deleted (STYLE.md); the
database triggers of migration 0002 refuse both as well.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from casework.inventory.models import Inventory, ItemPhoto, PropertyItem, Seizure


class ViewOnly:
    """Look, never touch: no add, change or delete for anyone, the superuser included."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ViewOnlyAdmin(ViewOnly, admin.ModelAdmin):
    actions = None  # the one built-in action deletes

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)


class ItemInline(ViewOnly, admin.TabularInline):
    model = PropertyItem
    extra = 0
    fields = [
        "line", "category", "name", "quantity", "unit", "size", "marks", "condition",
        "is_empty", "denominations", "removed_at", "disposition", "disposed_at", "receiver",
        "locker", "custodian",
    ]  # fmt: skip


@admin.register(Inventory)
class InventoryAdmin(ViewOnlyAdmin):
    list_display = ["__str__", "case", "station", "revision", "status", "signed_at", "closed_at"]
    list_filter = ["status", "station"]
    list_select_related = ["case", "party", "station"]
    search_fields = ["case__number", "party__name"]
    # The stored PDF is served by the API (scoped), not as a media link from here.
    exclude = ["pdf"]
    inlines = [ItemInline]


@admin.register(ItemPhoto)
class ItemPhotoAdmin(ViewOnlyAdmin):
    list_display = ["__str__", "content_type", "uploaded_by", "uploaded_at"]
    list_select_related = ["item", "uploaded_by"]
    exclude = ["image"]


@admin.register(Seizure)
class SeizureAdmin(ViewOnlyAdmin):
    list_display = ["__str__", "case", "seized_at", "handed_over_at", "returned_at"]
    list_select_related = ["item", "case"]
