"""Audit permission denials once the request's own transaction has rolled back."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from casework.core import audit
from casework.core.errors import NotFoundOrForbidden
from casework.core.models import AuditEvent


def denial_record(*, request: HttpRequest, exc: Exception) -> bool:
    """Write an `access.denied` row for a forbidden access; return whether one was written."""
    if isinstance(exc, NotFoundOrForbidden):
        if not exc.denied:
            return False
        target_type, target_id, perm = exc.target_type, exc.target_id, exc.perm
    elif isinstance(exc, PermissionDenied) or getattr(exc, "status_code", None) == 403:
        target_type, target_id, perm = "", "", ""
    else:
        return False
    audit.record(
        actor=getattr(request, "user", None),
        verb="access.denied",
        outcome=AuditEvent.Outcome.DENIED,
        target_type=target_type,
        target_id=target_id,
        payload={"path": request.path[:300], "method": request.method, "perm": perm},
    )
    return True
