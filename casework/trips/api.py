"""`/api/v1/trips/` and `/api/v1/reminders/` (API.md: trips and pre-trip reminders)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from casework.core.api import ModelSerializer
from casework.rules import rules
from casework.rules.api import PlaceSerializer
from casework.trips import selectors, services
from casework.trips.models import Reminder, Trip


class ReminderSerializer(serializers.ModelSerializer[Reminder]):
    officer = serializers.CharField(source="officer.username")
    rule = serializers.CharField(source="rule.slug", default=None)

    class Meta:
        model = Reminder
        fields = [
            "id",
            "trip",
            "officer",
            "rule",
            "source",
            "title",
            "text",
            "legal_basis",
            "severity",
            "read_at",
            "acknowledged_at",
        ]


class TripSerializer(ModelSerializer[Trip]):
    officers = serializers.ListField(child=serializers.CharField())
    destination = PlaceSerializer()
    purposes = serializers.ListField(child=serializers.ChoiceField(choices=rules.PURPOSES))
    case = serializers.IntegerField(required=False, allow_null=True, default=None)
    suspect_gender = serializers.ChoiceField(choices=["M", "F", ""], required=False, default="")

    class Meta:
        model = Trip
        fields = [
            "id",
            "case",
            "officers",
            "destination",
            "departs_at",
            "returns_at",
            "purposes",
            "carries_firearm",
            "uses_vehicle",
            "escorts_suspect",
            "suspect_gender",
            "suspect_age",
        ]

    def to_representation(self, trip: Trip) -> dict[str, Any]:
        return {
            "id": trip.pk,
            "case": trip.case_id,
            "officers": [u.username for u in trip.officers.all()],
            "destination": {"province": trip.province, "city": trip.city, "county": trip.county},
            "departs_at": trip.departs_at.isoformat(),
            "returns_at": trip.returns_at.isoformat(),
            "purposes": trip.purposes,
            "carries_firearm": trip.carries_firearm,
            "uses_vehicle": trip.uses_vehicle,
            "escorts_suspect": trip.escorts_suspect,
            "reminders": ReminderSerializer(
                trip.reminders.select_related("officer", "rule"), many=True
            ).data,
        }


class TripViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Trip]):
    serializer_class = TripSerializer

    def get_queryset(self) -> Any:
        return selectors.trip_list(user=self.request.user)

    def get_object(self) -> Trip:
        return selectors.access_trip(self.request.user, self.kwargs["pk"])

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = TripSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        trip = services.trip_register(by=request.user, case_id=data.pop("case"), **data)
        return Response(TripSerializer(trip).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("officer", str, description="username; default: me")],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"])
    def card(self, request: Request, pk: str) -> HttpResponse:
        """One officer's printable reminder card (PDF)."""
        name, pdf = selectors.briefing_card_pdf(
            user=request.user, trip_id=pk, officer=request.query_params.get("officer", "")
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response


class ReminderViewSet(viewsets.ReadOnlyModelViewSet[Reminder]):
    """`GET /api/v1/reminders/?mine=true`; `POST /api/v1/reminders/{id}/acknowledge/`."""

    serializer_class = ReminderSerializer
    lookup_value_regex = "[0-9]+"  # ids are integers: /reminders/abc/acknowledge/ is a 404

    def get_queryset(self) -> Any:
        mine = self.request.query_params.get("mine", "").lower() in {"1", "true", "yes"}
        return selectors.reminder_list(user=self.request.user, mine=mine)

    def get_object(self) -> Reminder:
        return selectors.access_reminder(self.request.user, self.kwargs["pk"])

    @extend_schema(request=None, responses=ReminderSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str) -> Response:
        reminder = services.reminder_acknowledge(by=request.user, reminder_id=int(pk))
        return Response(ReminderSerializer(reminder).data)
