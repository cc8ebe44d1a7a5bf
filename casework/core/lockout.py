"""django-axes hooks: whose failures are counted, and what a locked-out caller sees."""

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


def lockout_username(request: HttpRequest, credentials: Any = None) -> str | None:
    """The username axes counts failures for (AXES_USERNAME_CALLABLE), cut to its column's 255
    characters: PostgreSQL refuses a longer one, which made a 10,000-character username a
    500 on every login form and on the token endpoint."""
    if credentials:
        name = credentials.get("username")
    else:
        name = getattr(request, "data", request.POST).get("username")
    return None if name is None else str(name)[:255]
