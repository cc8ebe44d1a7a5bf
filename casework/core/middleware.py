"""Request-wide concerns: who/where for the audit trail, the idle timeout, denial auditing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casework.core import audit
from casework.core.context import current_source_ip
from casework.core.denials import denial_record
from casework.core.errors import NotFoundOrForbidden

_LAST_SEEN = "casework_last_seen"


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address; X-Forwarded-For is trusted only for TRUSTED_PROXY_COUNT hops."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= hops and forwarded[-hops]:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_source_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_source_ip.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        # Views run outside ATOMIC_REQUESTS, so the failed change is already rolled back here
        # and the denial row commits on its own. PermissionDenied is audited by handler403,
        # which also sees denials raised by middleware (viewflow's site permission check).
        if isinstance(exception, NotFoundOrForbidden):
            denial_record(request=request, exc=exception)


class IdleTimeoutMiddleware:
    """Log a browser session out after SESSION_IDLE_TIMEOUT without a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now()
            last_seen = request.session.get(_LAST_SEEN)
            if (
                last_seen
                and now - datetime.fromisoformat(last_seen) > settings.SESSION_IDLE_TIMEOUT
            ):
                return self._expire(request)
            request.session[_LAST_SEEN] = now.isoformat()
        return self.get_response(request)

    def _expire(self, request: HttpRequest) -> HttpResponse:
        audit.record(actor=request.user, verb="auth.session_expired")
        logout(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("会话已超时,请重新登录。")}, status=401)
        minutes = int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60)
        messages.info(request, _("您已 %(minutes)d 分钟未操作,请重新登录。") % {"minutes": minutes})
        return HttpResponseRedirect(f"{reverse('login')}?next={request.path}")


class DefaultLanguageMiddleware:
    """zh-hans for everyone unless they chose another language with the switch (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a station PC
    with an English browser would get an English UI; the product's language is Chinese.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
