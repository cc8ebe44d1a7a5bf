"""`GET /api/v1/deadlines/?case={id}`, `POST /api/v1/deadlines/{id}/meet/` (API.md)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from casework.deadlines import selectors, services
from casework.deadlines.models import Deadline


class DeadlineSerializer(serializers.ModelSerializer[Deadline]):
    rule = serializers.CharField(source="rule.slug")
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
            by=request.user, deadline_id=int(pk), note=str(request.data.get("note", ""))
        )
        return Response(DeadlineSerializer(deadline).data)
