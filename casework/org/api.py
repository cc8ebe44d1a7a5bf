"""REST interfaces for identity, stations and officers (API.md: auth and /me)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.core import audit
from casework.core.lockout import lockout_response
from casework.org import selectors
from casework.org.models import Profile, Station


class StationSerializer(serializers.ModelSerializer[Station]):
    class Meta:
        model = Station
        fields = ["code", "name", "bureau", "province", "city", "county"]


class MeSerializer(serializers.Serializer[dict[str, Any]]):
    username = serializers.CharField()
    display_name = serializers.CharField()
    police_number = serializers.CharField()
    is_auxiliary = serializers.BooleanField()
    roles = serializers.ListField(child=serializers.CharField())
    station = StationSerializer(allow_null=True)


class OfficerSerializer(serializers.ModelSerializer[Profile]):
    username = serializers.CharField(source="user.username")
    station = serializers.CharField(source="station.code", allow_null=True, default=None)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = Profile
        fields = ["username", "display_name", "police_number", "station", "is_auxiliary", "roles"]

    def get_roles(self, profile: Profile) -> list[str]:
        return sorted(group.name for group in profile.user.groups.all())


class TokenRequestSerializer(serializers.Serializer[dict[str, str]]):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenObtainView(APIView):
    """`POST /api/v1/auth/token/` → `{token}`. Failed attempts count towards the lockout."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses=inline_serializer("Token", {"token": serializers.CharField()}),
    )
    def post(self, request: Request) -> Response:
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = authenticate(request._request, **form.validated_data)
        if getattr(request._request, "axes_locked_out", False):
            return lockout_response(request._request, None)  # type: ignore[return-value]
        if user is None or not user.is_active:
            detail = _("用户名或密码错误。")
            return Response({"detail": detail}, status=status.HTTP_400_BAD_REQUEST)
        with transaction.atomic():
            token, _created = Token.objects.get_or_create(user=user)
            audit.record(actor=user, verb="auth.token_issued")
        return Response({"token": token.key})


class MeView(APIView):
    """`GET /api/v1/me/`: who the caller is."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(selectors.me_summary(user=request.user)).data)


class StationViewSet(viewsets.ReadOnlyModelViewSet[Station]):
    serializer_class = StationSerializer
    lookup_field = "code"

    def get_queryset(self) -> Any:
        return selectors.station_list(user=self.request.user)


class OfficerViewSet(viewsets.ReadOnlyModelViewSet[Profile]):
    serializer_class = OfficerSerializer
    lookup_field = "username"
    lookup_value_regex = r"[\w.@+-]+"

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return selectors.officer_list(
            user=self.request.user,
            station_code=params.get("station", ""),
            role=params.get("role", ""),
        )

    def get_object(self) -> Profile:
        return selectors.access_officer(self.request.user, self.kwargs["username"])
