"""The case's viewflow process: one per case, carrying the route the last gate chose."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process


class CaseProcess(Process):
    case: Any = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="process")
    # Set by the human step that just finished, read by the Switch after it:
    # "approve", "return", or "reopen:<gate>" when a later change made an approval stale.
    route: Any = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = _("案件流程")
        verbose_name_plural = _("案件流程")
