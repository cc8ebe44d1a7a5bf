"""`GET /api/v1/deadlines/?case={id}`, `POST /api/v1/deadlines/{id}/meet/` (API.md)."""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from casework.core.errors import as_text
from casework.deadlines import selectors, services
from casework.deadlines.models import Deadline, Holiday, Prompt


class PromptSerializer(serializers.ModelSerializer[Prompt]):
    rule = serializers.CharField(source="rule.slug")

    class Meta:
        model = Prompt
        fields = ["id", "case", "rule", "title", "text", "legal_basis", "severity", "created_at"]


class DeadlineSerializer(serializers.ModelSerializer[Deadline]):
    # None for a due date a person set (a corrective action's 整改期限): no rule behind it.
    rule = serializers.CharField(source="rule.slug", default=None)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Deadline
        fields = [
            "id",
            "case",
            "rule",
            "title",
            "started_at",
            "due_at",
            "status",
            "legal_basis",
            "met_at",
            "met_note",
        ]

    def get_status(self, deadline: Deadline) -> str:
        return deadline.state()


class DeadlineViewSet(viewsets.ReadOnlyModelViewSet[Deadline]):
    serializer_class = DeadlineSerializer
    lookup_value_regex = "[0-9]+"  # ids are integers: /deadlines/abc/meet/ is a 404, not a 500
    queryset = Deadline.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Deadline.objects.none()
        case = self.request.query_params.get("case", "")
        return selectors.deadline_list(
            user=self.request.user, case_id=int(case) if case.isdigit() else None
        )

    @extend_schema(
        request=inline_serializer("Meet", {"note": serializers.CharField(required=False)})
    )
    @action(detail=True, methods=["post"])
    def meet(self, request: Request, pk: str) -> Response:
        deadline = services.deadline_meet(
            by=request.user, deadline_id=int(pk), note=as_text(request.data.get("note", ""), "note")
        )
        return Response(DeadlineSerializer(deadline).data)


class HolidaySerializer(serializers.ModelSerializer[Holiday]):
    class Meta:
        model = Holiday
        fields = ["id", "day", "name", "is_workday"]
        extra_kwargs: ClassVar[dict[str, Any]] = {"day": {"validators": []}}  # re-entry updates


class HolidayViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Holiday]):
    """`/api/v1/holidays/`: the working-day calendar; legal officers add days (POST)."""

    serializer_class = HolidaySerializer
    queryset = Holiday.objects.all()

    def create(self, request: Request) -> Response:
        form = HolidaySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        holiday = services.holiday_set(by=request.user, **form.validated_data)
        return Response(HolidaySerializer(holiday).data, status=201)
