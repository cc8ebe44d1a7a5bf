"""DRF glue shared by every app's API: one error shape, denials audited, 409 for conflicts."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from casework.core.denials import denial_record
from casework.core.errors import Conflict, RuleViolation


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    if request is not None:
        denial_record(request=request, exc=exc)
    if isinstance(exc, Conflict):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RuleViolation):
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DjangoValidationError):
        # Services raise Django's ValidationError; name the fields the same way DRF does.
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)


class ObjectJSONParser(JSONParser):
    """Every JSON body of this API is an object (API.md): a list or a bare value is a 400 here,
    not an AttributeError (a 500) in a view that reads `request.data.get(...)`."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            message = serializers.Serializer.default_error_messages["invalid"]
            raise exceptions.ParseError(message.format(datatype=type(data).__name__))
        return data


class DateTimeField(serializers.DateTimeField):
    """DRF's, but a time at the ends of the calendar is a 400 on its field: DRF catches the
    overflow of an input with an offset, not of one without (0001-01-01 gave a 500)."""

    def enforce_timezone(self, value: Any) -> Any:
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")


M = TypeVar("M", bound=models.Model)


class ModelSerializer(serializers.ModelSerializer[M]):
    """The API's model serializers: DRF's, with the DateTimeField above for a model's."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
    }
