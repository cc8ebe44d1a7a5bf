"""`/api/v1/retrospectives/` and `/api/v1/actions/` (API.md: post-case review)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.core.errors import as_id
from casework.org.scoping import user_station_id
from casework.reviews import printing, selectors, services
from casework.reviews.forms import uploads
from casework.reviews.models import (
    ActionEvidence,
    CorrectiveAction,
    Finding,
    Outcome,
    Retrospective,
)


class FindingSerializer(serializers.ModelSerializer[Finding]):
    category = serializers.CharField(source="category.code")
    officer = serializers.CharField(source="officer.username", default=None)

    class Meta:
        model = Finding
        fields = ["id", "category", "description", "cause", "officer", "created_at"]


class EvidenceSerializer(serializers.ModelSerializer[ActionEvidence]):
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    url = serializers.SerializerMethodField()

    class Meta:
        model = ActionEvidence
        fields = ["id", "name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at",
                  "url"]  # fmt: skip

    def get_url(self, evidence: ActionEvidence) -> str:
        return reverse("reviews:evidence", args=[evidence.pk])


class ActionSerializer(serializers.ModelSerializer[CorrectiveAction]):
    owner = serializers.CharField(source="owner.username")
    verified_by = serializers.CharField(source="verified_by.username", default=None)
    files = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = CorrectiveAction
        fields = [
            "id", "retrospective", "finding", "description", "owner", "due_on", "status",
            "evidence", "files", "completed_at", "verified_by", "verified_at",
            "verification_note",
        ]  # fmt: skip


class RetrospectiveSerializer(serializers.ModelSerializer[Retrospective]):
    findings = FindingSerializer(many=True, read_only=True)
    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = Retrospective
        fields = [
            "id",
            "case",
            "trigger",
            "status",
            "opened_at",
            "closed_at",
            "findings",
            "actions",
        ]


class OutcomeSerializer(serializers.ModelSerializer[Outcome]):
    class Meta:
        model = Outcome
        fields = ["id", "case", "kind", "filed_on", "body", "result", "decided_on", "event"]


class OutcomeInSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    filed_on = serializers.DateField()
    body = serializers.CharField(required=False, allow_blank=True, default="")
    result = serializers.CharField(required=False, allow_blank=True, default="")
    decided_on = serializers.DateField(required=False, allow_null=True, default=None)


class OpenSerializer(serializers.Serializer[Any]):
    trigger = serializers.CharField(required=False, default="manual")


class FindingInSerializer(serializers.Serializer[Any]):
    category = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    cause = serializers.CharField(required=False, allow_blank=True, default="")
    officer = serializers.CharField(required=False, allow_blank=True, default="")


class ActionInSerializer(serializers.Serializer[Any]):
    finding = serializers.IntegerField(required=False, allow_null=True, default=None)
    description = serializers.CharField(allow_blank=True)
    owner = serializers.CharField(required=False, allow_blank=True, default="")
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class CompleteSerializer(serializers.Serializer[Any]):
    evidence = serializers.CharField(allow_blank=True)


class EvidenceInSerializer(serializers.Serializer[Any]):
    attachment = serializers.ListField(child=serializers.FileField())


class VerifySerializer(serializers.Serializer[Any]):
    accepted = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


def _valid(serializer_class: Any, request: Request) -> dict[str, Any]:
    form = serializer_class(data=request.data)
    form.is_valid(raise_exception=True)
    return dict(form.validated_data)


class RetrospectiveViewSet(viewsets.ReadOnlyModelViewSet[Retrospective]):
    """`GET /api/v1/retrospectives/?case=`; findings and actions are added to one."""

    serializer_class = RetrospectiveSerializer

    def get_queryset(self) -> Any:
        case = self.request.query_params.get("case")
        found = selectors.retrospective_list(
            user=self.request.user, case_id=as_id(case) if case else None
        )
        return found.prefetch_related(
            "findings__category",
            "findings__officer",
            "actions__owner",
            "actions__verified_by",
            "actions__files__uploaded_by",
        )

    def get_object(self) -> Retrospective:
        return selectors.access_retrospective(self.request.user, self.kwargs["pk"])

    @extend_schema(
        parameters=[OpenApiParameter("case", int)], responses=RetrospectiveSerializer(many=True)
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str) -> HttpResponse:
        """The case's 案后复盘报告 (rendered on request)."""
        name, body = printing.retrospective_pdf(user=request.user, retrospective_id=pk)
        return _pdf_response(name, body)

    @extend_schema(request=FindingInSerializer, responses={201: FindingSerializer})
    @action(detail=True, methods=["post"])
    def findings(self, request: Request, pk: str) -> Response:
        data = _valid(FindingInSerializer, request)
        finding = services.finding_add(by=request.user, retrospective_id=as_id(pk), **data)
        return Response(FindingSerializer(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActionInSerializer, responses={201: ActionSerializer})
    @action(detail=True, methods=["post"])
    def actions(self, request: Request, pk: str) -> Response:
        data = _valid(ActionInSerializer, request)
        created = services.action_add(by=request.user, retrospective_id=as_id(pk), **data)
        return Response(ActionSerializer(created).data, status=status.HTTP_201_CREATED)


class ActionViewSet(viewsets.GenericViewSet[CorrectiveAction]):
    """`POST /api/v1/actions/{id}/complete/` (owner) and `/verify/` (legal officer)."""

    serializer_class = ActionSerializer

    def get_queryset(self) -> Any:
        return CorrectiveAction.objects.none()  # reached only through access_action

    @extend_schema(request=CompleteSerializer, responses=ActionSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        done = services.action_complete(
            by=request.user, action_id=as_id(pk), **_valid(CompleteSerializer, request)
        )
        return Response(ActionSerializer(done).data)

    @extend_schema(
        request={"multipart/form-data": EvidenceInSerializer},
        responses={201: EvidenceSerializer(many=True)},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def evidence(self, request: Request, pk: str) -> Response:
        """Attach files (field `attachment`, repeatable) as evidence, before reporting done."""
        stored = services.evidence_add(
            by=request.user, action_id=as_id(pk), files=uploads(request.FILES.getlist("attachment"))
        )
        return Response(EvidenceSerializer(stored, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VerifySerializer, responses=ActionSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str) -> Response:
        checked = services.action_verify(
            by=request.user, action_id=as_id(pk), **_valid(VerifySerializer, request)
        )
        return Response(ActionSerializer(checked).data)


def _pdf_response(name: str, body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


class MonthlyReportView(APIView):
    """`GET /api/v1/reviews/monthly-report/?station=&year=&month=`: the station's 通报 (PDF);
    by default the caller's station and the current month."""

    @extend_schema(
        parameters=[
            OpenApiParameter("station", int),
            OpenApiParameter("year", int),
            OpenApiParameter("month", int),
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request) -> HttpResponse:
        today = timezone.localdate()
        query = request.query_params
        name, body = printing.monthly_report_pdf(
            user=request.user,
            station_id=query.get("station") or user_station_id(request.user) or -1,
            year=as_id(query.get("year", today.year)),
            month=as_id(query.get("month", today.month)),
        )
        return _pdf_response(name, body)


def case_retrospective_open(request: Request, case_id: int) -> Response:
    """`POST /api/v1/cases/{id}/retrospectives/` (the case API calls this)."""
    data = _valid(OpenSerializer, request)
    opened = services.retrospective_open(by=request.user, case_id=case_id, **data)
    return Response(RetrospectiveSerializer(opened).data, status=status.HTTP_201_CREATED)
