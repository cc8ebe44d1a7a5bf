"""`/api/v1/inventories/` (API.md: property inventory); `cases/{id}/inventories/` lives on the
case API and uses the serializers here.

Each view parses input, calls one service, and answers. The input serializers only check the
shape: the services check the values and name the field they refuse ("items[2].quantity"),
and that name and message reach the 400 body unchanged (casework.core.api).
"""

from __future__ import annotations

import re
from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from casework.core.errors import Conflict, NotFoundOrForbidden, as_id
from casework.inventory import selectors, services
from casework.inventory.models import Inventory, PropertyItem
from casework.inventory.serializers import (
    CorrectSerializer,
    DisposeSerializer,
    HandOverSerializer,
    InventoryDetailSerializer,
    InventorySerializer,
    ItemInputSerializer,
    ItemSerializer,
    ItemStateSerializer,
    PhotoSerializer,
    PhotoUploadSerializer,
    ReleaseSerializer,
    ReturnSerializer,
    SignSerializer,
)

ITEM_ID = OpenApiParameter("item_id", int, OpenApiParameter.PATH)


def inventory_answer(
    request: Request, inventory_id: int, code: int = status.HTTP_200_OK
) -> Response:
    """The inventory as the caller sees it now, with its live items."""
    inventory = selectors.inventory_detail(user=request.user, inventory_id=inventory_id)
    body = InventoryDetailSerializer(inventory, context={"request": request}).data
    return Response(body, status=code)


def _item_of(user: Any, inventory_id: str, item_id: str) -> PropertyItem:
    """The item if it is listed on that inventory; an item of another one looks missing."""
    item = selectors.access_item(user, item_id)
    if item.inventory_id != as_id(inventory_id):
        raise NotFoundOrForbidden(target_type="inventory.propertyitem", target_id=item_id)
    return item


def _pdf_filename(inventory: Inventory) -> str:
    # Only ASCII in the header: case numbers are ASCII already, but never trust it.
    name = f"inventory-{inventory.case.number}-v{inventory.revision}.pdf"
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


_ITEM_PATH = r"items/(?P<item_id>[0-9]+)"


class InventoryViewSet(viewsets.ReadOnlyModelViewSet[Inventory]):
    """`/api/v1/inventories/`: list (`?open=true`, `?case=`), detail, and every step of the
    form: items while a draft, sign, end states, seizures, correction, the printed PDF."""

    queryset = Inventory.objects.none()
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self) -> Any:
        return InventoryDetailSerializer if self.action == "retrieve" else InventorySerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Inventory.objects.none()
        params = self.request.query_params
        case = params.get("case", "")
        found = selectors.inventory_list(
            user=self.request.user,
            open_only=params.get("open", "").lower() in {"1", "true", "yes"},
            case_id=as_id(case) if case else None,
        )
        return found

    def get_object(self) -> Inventory:
        return selectors.inventory_detail(user=self.request.user, inventory_id=self.kwargs["pk"])

    @extend_schema(
        parameters=[
            OpenApiParameter("open", bool, description=gettext_lazy("只列未闭环的处置表")),
            OpenApiParameter("case", int),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    # ---- the draft --------------------------------------------------------------------------

    @extend_schema(request=ItemInputSerializer, responses={201: ItemSerializer})
    @action(detail=True, methods=["post"])
    def items(self, request: Request, pk: str) -> Response:
        """Add an item to a draft (409 once signed)."""
        form = ItemInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        item = services.item_add(by=request.user, inventory_id=as_id(pk), **form.validated_data)
        return Response(ItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ITEM_ID], request=ItemInputSerializer, responses=ItemSerializer)
    @action(detail=True, methods=["put", "patch"], url_path=_ITEM_PATH)
    def item(self, request: Request, pk: str, item_id: str) -> Response:
        """Change an item of a draft: PUT gives the whole row, PATCH only what changes."""
        item = _item_of(request.user, pk, item_id)
        partial = request.method == "PATCH"
        form = ItemInputSerializer(data=request.data, partial=partial)
        form.is_valid(raise_exception=True)
        fields = dict(form.validated_data)
        if partial:
            fields = {f: getattr(item, f) for f in services.ITEM_FIELDS} | fields
        item = services.item_update(by=request.user, item_id=item.pk, **fields)
        return Response(ItemSerializer(item).data)

    @extend_schema(parameters=[ITEM_ID], request=None, responses=ItemSerializer)
    @action(detail=True, methods=["post"], url_path=rf"{_ITEM_PATH}/remove")
    def remove(self, request: Request, pk: str, item_id: str) -> Response:
        """Strike an item from a draft; the row is kept."""
        item = _item_of(request.user, pk, item_id)
        item = services.item_remove(by=request.user, item_id=item.pk)
        return Response(ItemSerializer(item).data)

    @extend_schema(
        parameters=[ITEM_ID],
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={201: PhotoSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=rf"{_ITEM_PATH}/photos",
        parser_classes=[MultiPartParser, FormParser],
    )
    def photos(self, request: Request, pk: str, item_id: str) -> Response:
        """Attach a photo (JPEG, PNG or WebP, ≤ 10 MB) to an item of a draft."""
        item = _item_of(request.user, pk, item_id)
        form = PhotoUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data.get("photo")
        # One byte past the limit is enough for the service to refuse an oversized file.
        data = upload.read(services.MAX_PHOTO_BYTES + 1) if upload else b""
        photo = services.photo_add(by=request.user, item_id=item.pk, data=data)
        return Response(PhotoSerializer(photo).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SignSerializer, responses=InventoryDetailSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str) -> Response:
        """Sign and lock: `{status: "signed", sha256}` with the rest of the inventory."""
        form = SignSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        inventory = services.inventory_sign(
            by=request.user, inventory_id=as_id(pk), **form.validated_data
        )
        return inventory_answer(request, inventory.pk)

    # ---- end states -------------------------------------------------------------------------

    def _end_state(
        self, request: Request, pk: str, item_id: str, form_class: Any, service: Any
    ) -> Response:
        """Parse the body, run the one service on the item, answer with its new state."""
        item = _item_of(request.user, pk, item_id)
        form = form_class(data=request.data)
        form.is_valid(raise_exception=True)
        service(by=request.user, item_id=item.pk, **form.validated_data)
        item = selectors.access_item(request.user, item.pk)
        return Response(ItemStateSerializer(item).data)

    @extend_schema(parameters=[ITEM_ID], request=DisposeSerializer, responses=ItemStateSerializer)
    @action(detail=True, methods=["post"], url_path=rf"{_ITEM_PATH}/dispose")
    def dispose(self, request: Request, pk: str, item_id: str) -> Response:
        """Record the item's end state; the inventory closes with its last open item."""
        return self._end_state(request, pk, item_id, DisposeSerializer, services.item_dispose)

    @extend_schema(parameters=[ITEM_ID], request=HandOverSerializer, responses=ItemStateSerializer)
    @action(detail=True, methods=["post"], url_path=rf"{_ITEM_PATH}/hand-over")
    def hand_over(self, request: Request, pk: str, item_id: str) -> Response:
        """A seized item reaches the property custodian (stops the 24-hour clock)."""
        return self._end_state(request, pk, item_id, HandOverSerializer, services.seizure_hand_over)

    @extend_schema(parameters=[ITEM_ID], request=ReleaseSerializer, responses=ItemStateSerializer)
    @action(detail=True, methods=["post"], url_path=rf"{_ITEM_PATH}/release")
    def release(self, request: Request, pk: str, item_id: str) -> Response:
        """A seized item proves unrelated to the case (starts the 3-day return clock)."""
        return self._end_state(request, pk, item_id, ReleaseSerializer, services.seizure_release)

    @extend_schema(parameters=[ITEM_ID], request=ReturnSerializer, responses=ItemStateSerializer)
    @action(detail=True, methods=["post"], url_path=rf"{_ITEM_PATH}/return")
    def return_item(self, request: Request, pk: str, item_id: str) -> Response:
        """An unrelated seized item is given back (stops the 3-day clock)."""
        return self._end_state(request, pk, item_id, ReturnSerializer, services.seizure_return)

    # ---- after signing ----------------------------------------------------------------------

    @extend_schema(request=CorrectSerializer, responses={201: InventoryDetailSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk: str) -> Response:
        """Correct a signed inventory: a new draft revision that supersedes it."""
        form = CorrectSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        revision = services.inventory_correct(
            by=request.user, inventory_id=as_id(pk), **form.validated_data
        )
        return inventory_answer(request, revision.pk, status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str) -> FileResponse:
        """The printed form of a signed revision, as stored (409 for a draft)."""
        inventory = selectors.access_inventory(request.user, pk)
        if inventory.status == Inventory.Status.DRAFT:
            raise Conflict(_("处置表尚未签名,签名锁定后才能打印"))
        if not inventory.pdf:
            # The worker renders it after signing; until it has, render it now (idempotent).
            services.inventory_pdf_store(inventory_id=inventory.pk)
            inventory.refresh_from_db(fields=["pdf"])
        return FileResponse(
            inventory.pdf.open("rb"),
            content_type="application/pdf",
            filename=_pdf_filename(inventory),
        )
