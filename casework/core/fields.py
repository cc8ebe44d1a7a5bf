"""Form fields every app's web forms share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from rest_framework import fields as api_fields


class DateTimeField(forms.DateTimeField):
    """A date and time that can be stored: near the ends of the calendar (0001-01-01 00:00 in
    Asia/Shanghai) the conversion to UTC overflows on save, a 500. Refused here the way the
    API's DRF field refuses it, with DRF's (translated) message."""

    def to_python(self, value: Any) -> datetime | None:
        moment = super().to_python(value)
        if moment is not None:
            try:
                moment.astimezone(UTC)
            except OverflowError:
                message = api_fields.DateTimeField.default_error_messages["overflow"]
                raise ValidationError(message, code="overflow") from None
        return moment
