"""`GET /api/v1/rules/` and `POST /api/v1/rules/preview/` (which rules would fire for a trip)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.core.api import DateTimeField
from casework.rules import rules, selectors
from casework.rules.models import Rule
from casework.rules.services import EDITABLE


class RuleSerializer(serializers.ModelSerializer[Rule]):
    class Meta:
        model = Rule
        fields = ["id", "slug", *EDITABLE, "revision", "updated_at"]


class RuleViewSet(viewsets.ReadOnlyModelViewSet[Rule]):
    serializer_class = RuleSerializer
    queryset = Rule.objects.none()  # the schema generator's model; requests use get_queryset

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Rule.objects.none()
        if not self.request.user.has_perm("rules.view_rule"):
            raise PermissionDenied()
        return selectors.rule_list(category=self.request.query_params.get("category", ""))


class PlaceSerializer(serializers.Serializer[Any]):
    province = serializers.CharField()
    city = serializers.CharField()
    county = serializers.CharField(required=False, allow_blank=True, default="")


class PreviewSerializer(serializers.Serializer[Any]):
    destination = PlaceSerializer()
    purposes = serializers.ListField(child=serializers.ChoiceField(choices=rules.PURPOSES))
    departs_at = DateTimeField(required=False)
    officers = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    carries_firearm = serializers.BooleanField(required=False, default=False)
    uses_vehicle = serializers.BooleanField(required=False, default=False)
    escorts_suspect = serializers.BooleanField(required=False, default=False)
    suspect_gender = serializers.ChoiceField(choices=["M", "F", ""], required=False, default="")
    suspect_age = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0
    )


class PreviewView(APIView):
    """Which rules would fire for a sample trip from the caller's station."""

    @extend_schema(request=PreviewSerializer, responses=RuleSerializer(many=True))
    def post(self, request: Request) -> Response:
        form = PreviewSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        officers = data.pop("officers")
        preview = selectors.rules_preview(user=request.user, officers_count=len(officers), **data)
        return Response(RuleSerializer(preview.fired, many=True).data)
