"""`GET /api/v1/dashboard/?station=XQ` (API.md): the screen's figures as JSON."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.dashboards import selectors


class DashboardView(APIView):
    """One station's figures (flat, as in API.md) when the user watches one station or names
    it with `?station=`; the bureau without `?station=` gets `{"stations": [...]}`."""

    @extend_schema(
        parameters=[OpenApiParameter("station", OpenApiTypes.STR, description="单位代码")],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        code = request.query_params.get("station") or None
        figures = selectors.dashboard(stations=selectors.stations_for(request.user, code))
        body: dict[str, Any]
        if code or not selectors.is_bureau_wide(request.user):
            body = figures[0].as_dict() if figures else {}
        else:
            body = {"stations": [f.as_dict() for f in figures]}
        return Response(body)
