"""Exceptions the interfaces turn into HTTP answers (404, 409) the same way everywhere."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.http import Http404


class NotFoundOrForbidden(Http404):
    """Missing and forbidden look the same to the caller (STYLE.md: access functions).

    `denied` is true when the object exists but the caller may not touch it; the interfaces
    audit that as a permission denial after the request's transaction has rolled back.
    """

    def __init__(
        self, *, target_type: str, target_id: object, perm: str = "", denied: bool = False
    ) -> None:
        super().__init__("Not found.")
        self.target_type = target_type
        self.target_id = str(target_id)
        self.perm = perm
        self.denied = denied


class Conflict(Exception):
    """The object is in a state that forbids the change (HTTP 409): e.g. already decided."""


class RuleViolation(PermissionDenied):
    """A refusal with a reason the user should read (e.g. deciding a gate on one's own case),
    as opposed to a missing permission. HTTP 403 with the message as `detail`."""


def as_id(value: object) -> int:
    """A URL or form id as an int; anything else becomes -1, which matches no row (a 404)."""
    try:
        return int(str(value))
    except ValueError:
        return -1


def as_text(value: object, field: str) -> str:
    """A text input read straight from a request, as the services take it. A NUL character,
    which PostgreSQL cannot store (a 500), is refused on its field, as a form's field does."""
    text = str(value)
    try:
        ProhibitNullCharactersValidator()(text)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    return text
