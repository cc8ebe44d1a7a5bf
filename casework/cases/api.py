"""REST interfaces for incidents, parties, measures, supervision items and the daily
incident reports (API.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.cases import daily, printing, selectors, services
from casework.cases.models import (
    CaseEvent,
    DailyIncidentItem,
    DailyIncidentReport,
    Incident,
    IncidentFlag,
    Measure,
    Party,
    SupervisionItem,
)
from casework.core.api import ModelSerializer
from casework.core.errors import as_text


class IncidentSerializer(ModelSerializer[Incident]):
    station = serializers.CharField(source="station.code", read_only=True)
    open_flags = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Incident
        fields = [
            "id",
            "number",
            "station",
            "source",
            "received_at",
            "category",
            "location",
            "reporter",
            "reporter_phone",
            "summary",
            "status",
            "outcome",
            "diverted_to",
            "closed_at",
            "open_flags",
        ]
        read_only_fields = ["number", "status", "outcome", "diverted_to", "closed_at"]


class IncidentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Incident]):
    """`/api/v1/incidents/`: register, list (`?open=true`), dispatch, close, divert, flag."""

    serializer_class = IncidentSerializer
    lookup_value_regex = "[0-9]+"  # ids are integers: /incidents/abc/close/ is a 404, not a 500

    def get_queryset(self) -> Any:
        open_only = self.request.query_params.get("open", "").lower() in {"1", "true", "yes"}
        return selectors.incident_list(user=self.request.user, open_only=open_only)

    def get_object(self) -> Incident:
        return selectors.access_incident(self.request.user, self.kwargs["pk"])

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.incident_register(
            by=self.request.user, **serializer.validated_data
        )

    def _answer(self, incident: Incident, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.access_incident(self.request.user, incident.pk)
        return Response(IncidentSerializer(fresh).data, status=code)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="dispatch")
    def dispatch_police(self, request: Request, pk: str) -> Response:
        return self._answer(
            services.incident_advance(by=request.user, incident_id=int(pk), step="dispatch")
        )

    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        outcome = as_text(request.data.get("outcome", ""), "outcome")
        return self._answer(
            services.incident_close(by=request.user, incident_id=int(pk), outcome=outcome)
        )

    @action(detail=True, methods=["post"])
    def divert(self, request: Request, pk: str) -> Response:
        incident = services.incident_divert(
            by=request.user,
            incident_id=int(pk),
            department=as_text(request.data.get("department", ""), "department"),
            note=as_text(request.data.get("note", ""), "note"),
        )
        return self._answer(incident)

    @action(detail=True, methods=["post"])
    def flags(self, request: Request, pk: str) -> Response:
        flag = services.incident_flag(
            by=request.user,
            incident_id=int(pk),
            kind=as_text(request.data.get("kind", ""), "kind"),
            note=as_text(request.data.get("note", ""), "note"),
        )
        return Response(FlagSerializer(flag).data, status=status.HTTP_201_CREATED)


class FlagSerializer(serializers.ModelSerializer[IncidentFlag]):
    raised_by = serializers.CharField(source="raised_by.username", read_only=True)

    class Meta:
        model = IncidentFlag
        fields = [
            "id",
            "incident",
            "kind",
            "note",
            "raised_by",
            "raised_at",
            "answer",
            "answered_at",
        ]


class AnswerSerializer(serializers.Serializer[Any]):
    answer = serializers.CharField()


class FlagAnswerView(APIView):
    """`POST /api/v1/flags/{id}/answer/` `{answer}`."""

    @extend_schema(request=AnswerSerializer, responses=FlagSerializer)
    def post(self, request: Request, pk: int) -> Response:
        flag = services.flag_answer(
            by=request.user, flag_id=pk, answer=as_text(request.data.get("answer", ""), "answer")
        )
        return Response(FlagSerializer(flag).data)


class PartySerializer(serializers.ModelSerializer[Party]):
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=40)
    gender = serializers.ChoiceField(choices=Party.Gender.choices, required=False, allow_blank=True)

    class Meta:
        model = Party
        fields = ["id", "role", "name", "gender", "birth_date", "id_number", "is_minor"]
        read_only_fields = ["is_minor"]


class MeasureSerializer(ModelSerializer[Measure]):
    # A plain id: the service checks that the party belongs to this case (no lookup across
    # cases, so an id of another station's party reveals nothing).
    party = serializers.IntegerField(source="party_id")

    class Meta:
        model = Measure
        fields = ["id", "party", "kind", "started_at", "ended_at"]


class CaseEventSerializer(ModelSerializer[CaseEvent]):
    party = serializers.IntegerField(source="party_id", required=False, allow_null=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "occurred_at", "party", "note"]


class SupervisionSerializer(serializers.ModelSerializer[SupervisionItem]):
    opened_by = serializers.CharField(source="opened_by.username", read_only=True)

    class Meta:
        model = SupervisionItem
        fields = [
            "id",
            "issue",
            "required_correction",
            "due_on",
            "opened_by",
            "opened_at",
            "answer",
            "answered_at",
        ]
        read_only_fields = ["opened_at", "answer", "answered_at"]  # the service stamps it


class SupervisionAnswerView(APIView):
    """`POST /api/v1/supervision/{id}/answer/` `{answer}` (a handler of the case)."""

    @extend_schema(request=AnswerSerializer, responses=SupervisionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        item = services.supervision_answer(
            by=request.user, item_id=pk, answer=as_text(request.data.get("answer", ""), "answer")
        )
        return Response(SupervisionSerializer(item).data)


# ---- 每日警情分析表 ------------------------------------------------------------------------


class DailyItemSerializer(serializers.ModelSerializer[DailyIncidentItem]):
    number = serializers.CharField(source="incident.number", read_only=True)
    received_at = serializers.DateTimeField(source="incident.received_at", read_only=True)
    category = serializers.CharField(source="incident.category", read_only=True)
    location = serializers.CharField(source="incident.location", read_only=True)
    owner = serializers.CharField(source="owner.username", read_only=True)
    answered_by = serializers.CharField(
        source="answered_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = DailyIncidentItem
        fields = [
            "id", "incident", "number", "received_at", "category", "location", "section",
            "status", "age_days", "owner", "answer_kind", "answer", "answered_by", "answered_at",
        ]  # fmt: skip
        read_only_fields = fields


class DailyReportSerializer(serializers.ModelSerializer[DailyIncidentReport]):
    station = serializers.CharField(source="station.code", read_only=True)
    yesterday_count = serializers.IntegerField(read_only=True)
    unclosed_count = serializers.IntegerField(read_only=True)
    unanswered_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = DailyIncidentReport
        fields = [
            "id", "station", "day", "created_at", "cleared_at",
            "yesterday_count", "unclosed_count", "unanswered_count",
        ]  # fmt: skip


class DailyReportDetailSerializer(DailyReportSerializer):
    items = serializers.SerializerMethodField()

    class Meta(DailyReportSerializer.Meta):
        fields = [*DailyReportSerializer.Meta.fields, "items"]

    @extend_schema_field(DailyItemSerializer(many=True))
    def get_items(self, report: DailyIncidentReport) -> Any:
        return DailyItemSerializer(selectors.daily_items(report=report), many=True).data


class DailyReportViewSet(viewsets.ReadOnlyModelViewSet[DailyIncidentReport]):
    """`/api/v1/daily-reports/` (`?uncleared=true`: past days not yet cleared); one report
    with its items; `{id}/pdf/`."""

    def get_queryset(self) -> Any:
        if self.request.query_params.get("uncleared", "").lower() in {"1", "true", "yes"}:
            return selectors.daily_reports_uncleared(user=self.request.user)
        return selectors.daily_report_list(user=self.request.user)

    def get_serializer_class(self) -> Any:
        return DailyReportDetailSerializer if self.action == "retrieve" else DailyReportSerializer

    def get_object(self) -> DailyIncidentReport:
        return selectors.access_daily_report(self.request.user, self.kwargs["pk"])

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str) -> HttpResponse:
        """The 每日警情分析表 (rendered on request)."""
        name, body = printing.daily_report_pdf(user=request.user, report_id=pk)
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response


class DailyAnswerSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=DailyIncidentItem.AnswerKind.choices)
    answer = serializers.CharField()


class DailyItemAnswerView(APIView):
    """`POST /api/v1/daily-items/{id}/answer/` `{kind, answer}` (instructor or chief)."""

    @extend_schema(request=DailyAnswerSerializer, responses=DailyItemSerializer)
    def post(self, request: Request, pk: int) -> Response:
        item = daily.daily_item_answer(
            by=request.user,
            item_id=pk,
            kind=as_text(request.data.get("kind", ""), "kind"),
            answer=as_text(request.data.get("answer", ""), "answer"),
        )
        return Response(DailyItemSerializer(item).data)
