"""`GET /api/v1/officers/{username}/conduct/` and the objection and talk steps."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.conduct import selectors, services
from casework.conduct.models import ConductRecord, Talk
from casework.core.errors import as_id, as_text


class RecordSerializer(serializers.ModelSerializer[ConductRecord]):
    class Meta:
        model = ConductRecord
        fields = [
            "id", "kind", "points", "category", "reason", "created_at", "objection",
            "objection_status", "objection_note",
        ]  # fmt: skip


class TalkSerializer(serializers.ModelSerializer[Talk]):
    class Meta:
        model = Talk
        fields = ["id", "points", "status", "opened_at", "held_at", "minutes", "follow_up"]


CONDUCT = inline_serializer(
    "Conduct",
    {
        "username": serializers.CharField(),
        "points": serializers.IntegerField(),
        "records": RecordSerializer(many=True),
        "talks": TalkSerializer(many=True),
    },
)


class ConductView(APIView):
    @extend_schema(responses=CONDUCT)
    def get(self, request: Request, username: str) -> Response:
        found = selectors.conduct_of(user=request.user, username=username)
        return Response(
            {
                "username": username,
                "points": found["points"],
                "records": RecordSerializer(found["records"], many=True).data,
                "talks": TalkSerializer(found["talks"], many=True).data,
            }
        )


def _field(request: Request, name: str) -> Any:
    return request.data.get(name, "") if hasattr(request.data, "get") else ""


class ObjectionView(APIView):
    @extend_schema(
        request=inline_serializer("ObjectionIn", {"text": serializers.CharField()}),
        responses=RecordSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        record = services.objection_raise(
            by=request.user, record_id=as_id(pk), text=as_text(_field(request, "text"), "text")
        )
        return Response(RecordSerializer(record).data)


class ObjectionDecideView(APIView):
    @extend_schema(
        request=inline_serializer(
            "ObjectionDecision",
            {"upheld": serializers.BooleanField(), "note": serializers.CharField()},
        ),
        responses=RecordSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        try:
            upheld = serializers.BooleanField().to_internal_value(_field(request, "upheld"))
        except serializers.ValidationError as error:  # a 400 that names the field
            raise serializers.ValidationError({"upheld": error.detail}) from error
        record = services.objection_decide(
            by=request.user,
            record_id=as_id(pk),
            upheld=upheld,
            note=as_text(_field(request, "note"), "note"),
        )
        return Response(RecordSerializer(record).data)


class TalkHoldView(APIView):
    @extend_schema(
        request=inline_serializer(
            "TalkMinutes",
            {"minutes": serializers.CharField(), "follow_up": serializers.CharField()},
        ),
        responses=TalkSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        talk = services.talk_hold(
            by=request.user,
            talk_id=as_id(pk),
            minutes=as_text(_field(request, "minutes"), "minutes"),
            follow_up=as_text(_field(request, "follow_up"), "follow_up"),
        )
        return Response(TalkSerializer(talk).data, status=status.HTTP_200_OK)
