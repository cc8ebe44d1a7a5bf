"""Web interfaces for the property inventory: list, the entry form, the record with its
signing and end states, the printed PDF and the item photos (never served from MEDIA)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from viewflow.urls import Application

from casework.cases.selectors import access_case, handler_ids
from casework.core.errors import as_id
from casework.core.web import run_service
from casework.inventory import selectors, services
from casework.inventory.forms import (
    CorrectForm,
    DisposeForm,
    HandOverForm,
    InventoryEntry,
    ItemForm,
    PhotoForm,
    ReleaseForm,
    ReturnForm,
    SignForm,
    officer_choices,
)
from casework.inventory.models import Inventory, PropertyItem
from casework.org.selectors import officer_list


class InventoryListView(LoginRequiredMixin, TemplateView):
    template_name = "inventory/inventory_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        state = "all" if self.request.GET.get("state") == "all" else "open"
        found = selectors.inventory_list(user=self.request.user, open_only=state == "open")
        page = Paginator(found.order_by("-taken_at", "-pk"), 50).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(page=page, state=state)


class InventoryCreateView(LoginRequiredMixin, TemplateView):
    """The suspect's items, listed row by row at arrest; one service call opens the draft."""

    template_name = "inventory/inventory_form.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.GET.get("case"):
            messages.info(request, _("请在案件页面点击“填写随身物品处置表”"))
            return redirect("cases:index")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        case = kwargs.get("case") or access_case(self.request.user, self.request.GET["case"])
        entry = kwargs.get("entry") or InventoryEntry(case=case)
        return super().get_context_data(case=case, entry=entry)

    def post(self, request: HttpRequest) -> HttpResponse:
        case = access_case(request.user, request.GET.get("case", ""))
        entry = InventoryEntry(request.POST, case=case)
        if entry.is_valid():
            inventory = run_service(
                request,
                lambda: services.inventory_open(
                    by=request.user, case_id=case.pk, **entry.service_kwargs()
                ),
                entry,
            )
            if inventory is not None:
                messages.success(request, _("已保存处置表草稿,请核对后签名锁定"))
                return redirect("inventory:inventory-detail", pk=inventory.pk)
        return self.render_to_response(self.get_context_data(case=case, entry=entry))


# ---- the record and what can be done to it --------------------------------------------------

FORMS: dict[str, type[django_forms.Form]] = {
    "add": ItemForm,
    "update": ItemForm,
    "remove": django_forms.Form,
    "photo": PhotoForm,
    "sign": SignForm,
    "correct": CorrectForm,
    "dispose": DisposeForm,
    "hand_over": HandOverForm,
    "release": ReleaseForm,
    "return": ReturnForm,
}
ITEM_ACTIONS = {"update", "remove", "photo", "dispose", "hand_over", "release", "return"}


def _form(
    action: str, item_id: int | None, choices: dict[str, Any], data: Any = None, **kw: Any
) -> Any:
    """The form of one action; its prefix names the item, so a page of many forms stays
    unambiguous and a refused one is shown again on the right row."""
    kw["prefix"] = action if item_id is None else f"{action}-{item_id}"
    if action == "sign":
        kw["officers"] = choices["officers"]
    if action in {"dispose", "hand_over"}:
        kw["custodians"] = choices["custodians"]
    return FORMS[action](data, **kw)


def _choices(user: Any, inventory: Inventory) -> dict[str, Any]:
    """Officers of the inventory's station: second-officer and custodian candidates."""
    profiles = list(officer_list(user=user, station_code=inventory.station.code))
    handlers = handler_ids(inventory.case)
    return {
        "officers": officer_choices(
            p for p in profiles if p.user_id != user.pk and not p.is_auxiliary
        ),
        # 涉案财物管理若干规定 §11: those handling the case never keep its property.
        "custodians": officer_choices(p for p in profiles if p.user_id not in handlers),
    }


def _may(user: Any, inventory: Inventory) -> dict[str, bool]:
    """What the page offers; the services decide again on every POST."""
    handler = user.pk in handler_ids(inventory.case)
    status, s = inventory.status, Inventory.Status
    disposed = any(i.disposition for i in inventory.live)  # type: ignore[attr-defined]
    return {
        "edit": handler and status == s.DRAFT and user.has_perm("inventory.change_inventory"),
        "sign": handler and status == s.DRAFT and user.has_perm("inventory.sign_inventory"),
        "dispose": handler and status == s.SIGNED and user.has_perm("inventory.dispose_item"),
        "seizure": handler and status in {s.SIGNED, s.CLOSED}
        and user.has_perm("inventory.dispose_item"),
        "correct": handler and status == s.SIGNED and not disposed
        and user.has_perm("inventory.change_inventory"),
        "pdf": status != s.DRAFT,
    }  # fmt: skip


def _item_actions(item: PropertyItem, may: dict[str, bool]) -> list[str]:
    actions = ["update", "remove", "photo"] if may["edit"] else []
    if may["dispose"] and not item.disposition:
        actions.append("dispose")
    seizure = getattr(item, "seizure", None)
    if may["seizure"] and seizure is not None:
        if seizure.handed_over_at is None:
            actions.append("hand_over")
        if seizure.unrelated_at is None:
            actions.append("release")
        elif seizure.returned_at is None:
            actions.append("return")
    return actions


@dataclass
class ItemRow:
    item: PropertyItem
    forms: dict[str, Any] = field(default_factory=dict)


class InventoryDetailView(LoginRequiredMixin, TemplateView):
    """The record: header, items with photos and end states, and the forms its state allows."""

    template_name = "inventory/inventory_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        inventory = selectors.inventory_detail(user=user, inventory_id=self.kwargs["pk"])
        may, choices = _may(user, inventory), _choices(user, inventory)
        bound: tuple[str, int | None, Any] = kwargs.get("bound") or ("", None, None)

        def form(action: str, item: PropertyItem | None = None) -> Any:
            item_id = item.pk if item is not None else None
            if bound[:2] == (action, item_id):
                return bound[2]
            initial = ItemForm.initial_for(item) if item and action == "update" else None
            return _form(action, item_id, choices, initial=initial)

        rows = [
            ItemRow(item, {a: form(a, item) for a in _item_actions(item, may)})
            for item in inventory.live  # type: ignore[attr-defined]
        ]
        return super().get_context_data(
            inventory=inventory, rows=rows, may=may,
            add_form=form("add"), sign_form=form("sign"), correct_form=form("correct"),
        )  # fmt: skip

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = request.POST.get("action", "")
        if action not in FORMS:
            messages.error(request, _("未知操作"))
            return redirect("inventory:inventory-detail", pk=pk)
        inventory = selectors.access_inventory(request.user, pk)
        item_id = as_id(request.POST.get("item", "")) if action in ITEM_ACTIONS else None
        choices = _choices(request.user, inventory)
        form = _form(action, item_id, choices, request.POST, files=request.FILES)
        done = form.is_valid() and run_service(
            request, lambda: _call(action, request.user, pk, item_id, form), form
        )
        if done:
            messages.success(request, _("已保存"))
            target = done.pk if action == "correct" else pk  # a correction opens the new revision
            return redirect("inventory:inventory-detail", pk=target)
        if form.errors:
            return self.render_to_response(self.get_context_data(bound=(action, item_id, form)))
        return redirect("inventory:inventory-detail", pk=pk)


def _call(action: str, by: Any, inventory_id: int, item_id: Any, form: Any) -> Any:
    """The one service each action calls."""
    data = form.cleaned_data
    calls = {
        "add": lambda: services.item_add(by=by, inventory_id=inventory_id, **form.item()),
        "update": lambda: services.item_update(by=by, item_id=item_id, **form.item()),
        "remove": lambda: services.item_remove(by=by, item_id=item_id),
        "photo": lambda: services.photo_add(by=by, item_id=item_id, data=form.data_bytes()),
        "sign": lambda: services.inventory_sign(by=by, inventory_id=inventory_id, **data),
        "correct": lambda: services.inventory_correct(by=by, inventory_id=inventory_id, **data),
        "dispose": lambda: services.item_dispose(by=by, item_id=item_id, **data),
        "hand_over": lambda: services.seizure_hand_over(by=by, item_id=item_id, **data),
        "release": lambda: services.seizure_release(by=by, item_id=item_id, **data),
        "return": lambda: services.seizure_return(by=by, item_id=item_id, **data),
    }
    return calls[action]()


class InventoryPdfView(LoginRequiredMixin, View):
    """The printed form of a signed revision, from storage (rendered now if the worker has
    not got to it yet: the render is idempotent)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        inventory = selectors.access_inventory(request.user, pk)
        if inventory.status == Inventory.Status.DRAFT:
            messages.info(request, _("处置表签名锁定后才能下载 PDF"))
            return redirect("inventory:inventory-detail", pk=pk)
        if not inventory.pdf:
            services.inventory_pdf_store(inventory_id=inventory.pk)
            inventory.refresh_from_db(fields=["pdf"])
        return FileResponse(
            inventory.pdf.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=os.path.basename(inventory.pdf.name),
        )


class ItemPhotoView(LoginRequiredMixin, View):
    """One item photo, to those who may see its inventory."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        photo = selectors.access_photo(request.user, pk)
        response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
        response["Cache-Control"] = "private, max-age=3600"
        return response


class InventoryApp(Application):
    title = gettext_lazy("随身物品")
    icon = "inventory_2"
    app_name = "inventory"
    menu_template_name = "inventory/menu.html"

    index_path = path("", InventoryListView.as_view(), name="index")
    create_path = path("create/", InventoryCreateView.as_view(), name="inventory-create")
    detail_path = path("<int:pk>/", InventoryDetailView.as_view(), name="inventory-detail")
    pdf_path = path("<int:pk>/pdf/", InventoryPdfView.as_view(), name="inventory-pdf")
    photo_path = path("photos/<int:pk>/", ItemPhotoView.as_view(), name="item-photo")
