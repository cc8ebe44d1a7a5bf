"""What a locked-out caller sees (django-axes' AXES_LOCKOUT_CALLABLE)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

LOCKED = 429  # Too Many Requests: the same status for the web form and the API


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    if request.path.startswith("/api/"):
        detail = _("登录失败次数过多,账号已锁定,请联系管理员。")
        return JsonResponse({"detail": detail}, status=LOCKED)
    return render(request, "registration/locked_out.html", status=LOCKED)
