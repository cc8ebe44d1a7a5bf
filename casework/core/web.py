"""Small helpers for web interfaces: run a service and turn its refusal into a message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from casework.core.errors import Conflict, RuleViolation

T = TypeVar("T")


def run_service(request: HttpRequest, call: Callable[[], T], form: Any = None) -> T | None:
    """Call a service; a validation error lands on the form (or as a message), a conflict as
    a message. Returns None when the service refused, so nothing was stored."""
    try:
        return call()
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        for field, texts in errors.items():
            if form is not None and (field in form.fields or field == "__all__"):
                for text in texts:
                    form.add_error(None if field == "__all__" else field, text)
            else:
                messages.error(request, "; ".join(texts))
    except Conflict as exc:
        messages.error(request, str(exc))
    except RuleViolation as exc:
        messages.error(request, str(exc))
    return None
