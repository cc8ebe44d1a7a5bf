"""REST interfaces for cases and their review gates (API.md: cases and review gates).

Each view parses input, calls one service, and answers; the services hold the rules.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.cases.api import (
    CaseEventSerializer,
    MeasureSerializer,
    PartySerializer,
    SupervisionSerializer,
)
from casework.cases.models import Case, GateDecision, Incident
from casework.cases.selectors import access_case, case_list
from casework.cases.services import supervision_open
from casework.core.api import ModelSerializer
from casework.core.errors import as_id, as_text
from casework.deadlines.api import DeadlineSerializer, PromptSerializer
from casework.deadlines.models import Deadline, Prompt
from casework.inventory import api as inventory_api
from casework.inventory import serializers as inventory_serializers
from casework.inventory.selectors import inventory_list
from casework.inventory.services import inventory_open
from casework.reviews import api as reviews_api
from casework.reviews import services as reviews_services
from casework.workflow import services
from casework.workflow.selectors import GATE_OF_NODE, gates_of, review_queue, timeline_of


class CaseSerializer(ModelSerializer[Case]):
    station = serializers.SerializerMethodField()
    handlers = serializers.ListField(child=serializers.CharField(), required=False, write_only=True)
    incident = serializers.PrimaryKeyRelatedField(
        queryset=Incident.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "title",
            "summary",
            "incident",
            "occurred_at",
            "is_major",
            "reconsideration_risk",
            "station",
            "handlers",
            "disposition_proposal",
            "disposition_basis",
            "version",
            "created_at",
            "closed_at",
        ]
        read_only_fields = [
            "number",
            "status",
            "disposition_proposal",
            "disposition_basis",
            "version",
            "created_at",
            "closed_at",
        ]
        extra_kwargs = {"occurred_at": {"required": False}}

    def get_station(self, case: Case) -> dict[str, str]:
        return {"code": case.station.code, "name": case.station.name}

    def to_representation(self, case: Case) -> dict[str, Any]:
        data = super().to_representation(case)
        data["handlers"] = [
            {
                "username": h.user.username,
                "display_name": h.user.profile.display_name,
                "role": h.role,
            }
            for h in case.handlers.all()
        ]
        return data


class CaseDetailSerializer(CaseSerializer):
    def to_representation(self, case: Case) -> dict[str, Any]:
        data = super().to_representation(case)
        data["gates"] = [
            {
                k: row[k]
                for k in ("gate", "status", "decided_by", "decided_at", "reason", "score", "task")
            }
            for row in gates_of(case)
        ]
        data["parties"] = PartySerializer(case.parties.all(), many=True).data
        data["measures"] = MeasureSerializer(case.measures.all(), many=True).data
        data["events"] = CaseEventSerializer(case.events.all(), many=True).data
        data["prompts"] = PromptSerializer(case.prompts.select_related("rule"), many=True).data
        data["supervision_items"] = SupervisionSerializer(
            case.supervision_items.all(), many=True
        ).data
        return data


def _started(case_id: int, trigger: str) -> dict[str, Any]:
    """The clocks and duty prompts one measure or event started (clocks_start's trigger)."""
    clocks = Deadline.objects.filter(case_id=case_id, trigger=trigger).select_related("rule")
    prompts = Prompt.objects.filter(case_id=case_id, trigger=trigger).select_related("rule")
    return {
        "deadlines": DeadlineSerializer(clocks, many=True).data,
        "prompts": PromptSerializer(prompts, many=True).data,
    }


class CaseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Case]):
    """`/api/v1/cases/`: creating a case starts its workflow."""

    lookup_value_regex = "[0-9]+"  # ids are integers: /cases/abc/resubmit/ is a 404, not a 500

    def get_serializer_class(self) -> Any:
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return case_list(
            user=self.request.user,
            status=params.get("status", ""),
            kind=params.get("kind", ""),
            handler=params.get("handler", ""),
            overdue=params.get("overdue", "").lower() in {"1", "true", "yes"},
        )

    def get_object(self) -> Case:
        return access_case(self.request.user, self.kwargs["pk"])

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = CaseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        fields = dict(form.validated_data)
        incident = fields.pop("incident", None)
        case = services.case_start(
            by=request.user, incident_id=incident.pk if incident else None, **fields
        )
        return Response(
            CaseSerializer(access_case(request.user, case.pk)).data, status=status.HTTP_201_CREATED
        )

    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        return Response([{**e, "at": e["at"].isoformat()} for e in timeline_of(case)])

    @extend_schema(
        request=inline_serializer(
            "Disposition",
            {"proposal": serializers.CharField(), "legal_basis": serializers.CharField()},
        )
    )
    @action(detail=True, methods=["post"])
    def disposition(self, request: Request, pk: str) -> Response:
        case = services.disposition_propose(
            by=request.user,
            case_id=int(pk),
            proposal=as_text(request.data.get("proposal", ""), "proposal"),
            legal_basis=as_text(request.data.get("legal_basis", ""), "legal_basis"),
        )
        return Response(CaseDetailSerializer(access_case(request.user, case.pk)).data)

    @action(detail=True, methods=["post"])
    def resubmit(self, request: Request, pk: str) -> Response:
        case = services.acceptance_resubmit(
            by=request.user, case_id=int(pk), note=as_text(request.data.get("note", ""), "note")
        )
        return Response(CaseDetailSerializer(access_case(request.user, case.pk)).data)

    @extend_schema(request=PartySerializer, responses=PartySerializer)
    @action(detail=True, methods=["post"])
    def parties(self, request: Request, pk: str) -> Response:
        form = PartySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        party = services.party_add(by=request.user, case_id=int(pk), **form.validated_data)
        return Response(PartySerializer(party).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MeasureSerializer, responses=MeasureSerializer)
    @action(detail=True, methods=["post"])
    def measures(self, request: Request, pk: str) -> Response:
        form = MeasureSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        measure = services.measure_add(by=request.user, case_id=int(pk), **form.validated_data)
        body = dict(MeasureSerializer(measure).data)
        body.update(_started(measure.case_id, f"measure:{measure.pk}"))
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseEventSerializer, responses=CaseEventSerializer)
    @action(detail=True, methods=["post"])
    def events(self, request: Request, pk: str) -> Response:
        """Record a procedural step; the answer lists the clocks and duties it started."""
        form = CaseEventSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        event = services.event_record(
            by=request.user, case_id=int(pk), party_id=data.pop("party_id", None), **data
        )
        body = dict(CaseEventSerializer(event).data)
        body.update(_started(event.case_id, f"event:{event.pk}"))
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=reviews_api.OutcomeInSerializer, responses={201: reviews_api.OutcomeSerializer}
    )
    @action(detail=True, methods=["post"])
    def outcomes(self, request: Request, pk: str) -> Response:
        """A reconsideration or lawsuit (its reply clock and the retrospective start); a
        result given with it is recorded at once."""
        form = reviews_api.OutcomeInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        result, decided_on = data.pop("result"), data.pop("decided_on")
        outcome = services.outcome_record(by=request.user, case_id=as_id(pk), **data)
        if result:
            outcome = reviews_services.outcome_decide(
                by=request.user, outcome_id=outcome.pk, result=result,
                decided_on=decided_on or timezone.localdate(),
            )  # fmt: skip
        return Response(reviews_api.OutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=reviews_api.OpenSerializer, responses={201: reviews_api.RetrospectiveSerializer}
    )
    @action(detail=True, methods=["post"])
    def retrospectives(self, request: Request, pk: str) -> Response:
        """Open the case's retrospective by hand (legal officer or chief; one per case)."""
        return reviews_api.case_retrospective_open(request, as_id(pk))

    @extend_schema(methods=["GET"], responses=inventory_serializers.InventorySerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=inventory_serializers.InventoryOpenSerializer,
        responses={201: inventory_serializers.InventoryDetailSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def inventories(self, request: Request, pk: str) -> Response:
        """The case's property inventories (paginated), or a new one for a suspect (a draft)."""
        if request.method == "POST":
            form = inventory_serializers.InventoryOpenSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            inventory = inventory_open(by=request.user, case_id=as_id(pk), **form.validated_data)
            return inventory_api.inventory_answer(request, inventory.pk, status.HTTP_201_CREATED)
        found: Any = inventory_list(user=request.user, case_id=self.get_object().pk)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(
            inventory_serializers.InventorySerializer(page, many=True).data
        )

    @extend_schema(request=SupervisionSerializer, responses=SupervisionSerializer)
    @action(detail=True, methods=["post"])
    def supervision(self, request: Request, pk: str) -> Response:
        form = SupervisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        item = supervision_open(by=request.user, case_id=int(pk), **form.validated_data)
        return Response(SupervisionSerializer(item).data, status=status.HTTP_201_CREATED)


class ReviewTaskSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    case = serializers.IntegerField(source="process.caseprocess.case_id")
    case_number = serializers.CharField(source="process.caseprocess.case.number")
    gate = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(source="created")
    claimed_by = serializers.CharField(source="owner.username", default=None)

    def get_gate(self, task: Any) -> str:
        return str(GATE_OF_NODE[task.flow_task.name])


class PendingReviewsView(generics.ListAPIView[Any]):
    """`GET /api/v1/reviews/pending/`: the review tasks the caller may decide (paginated)."""

    serializer_class = ReviewTaskSerializer

    def get_queryset(self) -> Any:
        return review_queue(user=self.request.user)


class DecisionSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=GateDecision.Decision.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    checklist = serializers.DictField(required=False, default=dict)


class DecideView(APIView):
    """`POST /api/v1/reviews/{id}/decide/` `{decision, reason, checklist?}`."""

    @extend_schema(
        request=DecisionSerializer,
        responses=inline_serializer(
            "DecisionResult",
            {
                "case": serializers.IntegerField(),
                "gate": serializers.CharField(),
                "decision": serializers.CharField(),
                "sha256": serializers.CharField(),
                "status": serializers.CharField(),
            },
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        form = DecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        record = services.review_decide(by=request.user, task_id=pk, **form.validated_data)
        return Response(
            {
                "case": record.case_id,
                "gate": record.gate,
                "decision": record.decision,
                "sha256": record.snapshot_sha256,
                "status": Case.objects.get(pk=record.case_id).status,
            }
        )


class ClaimView(APIView):
    """`POST /api/v1/reviews/{id}/claim/`: take a pooled task."""

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "Claim", {"id": serializers.IntegerField(), "claimed_by": serializers.CharField()}
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        task = services.review_claim(by=request.user, task_id=pk)
        return Response({"id": task.pk, "claimed_by": request.user.get_username()})
