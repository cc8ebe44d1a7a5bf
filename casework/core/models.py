"""Audit trail and outbox. No domain rules live here."""

from __future__ import annotations

from typing import Any, NoReturn, Self

from django.conf import settings
from django.db import connections, models
from django.db.models import Q, Value
from django.db.models.sql.where import AND
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit row."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit rows are append-only")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit rows are append-only")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit rows are append-only")


class AuditEvent(models.Model):
    """One thing that happened, hash-chained to the row before it.

    `hash` covers every field below plus `prev_hash`; a unique `prev_hash` makes a fork
    (two rows claiming the same predecessor) impossible even if the writer lock failed.
    """

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("成功")
        FAILURE = "failure", _("失败")
        DENIED = "denied", _("拒绝")

    occurred_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Kept beside the FK: the chain must not depend on a mutable user row.
    actor_username = models.CharField(_("操作人账号"), max_length=150, blank=True)
    # A plain id, not an FK: core sits below org (STYLE.md), and audit rows outlive stations.
    station_id = models.BigIntegerField(_("所属单位"), null=True, blank=True, db_index=True)
    verb = models.CharField(_("动作"), max_length=64, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    outcome = models.CharField(
        _("结果"), max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS
    )
    source_ip = models.GenericIPAddressField(_("来源 IP"), null=True, blank=True)
    payload = models.JSONField(_("内容"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-id"]
        # The search filters by object number alone or with its type (a case's history), and
        # by one person over days: both must stay index lookups at millions of rows.
        indexes = [
            models.Index(fields=["target_id", "target_type"], name="core_audit_target"),
            models.Index(fields=["actor_username", "occurred_at"], name="core_audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.verb} {self.target_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit rows are append-only")


class OutboxMessage(models.Model):
    """Work to do after a commit (send a mail, render a PDF…), written in the same transaction
    as the state change that asks for it. A task delivers it; the beat sweep redelivers what a
    lost message or a dead worker left pending, so a broker outage delays work, never loses it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    topic = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    # The same key twice is the same message: a retried service cannot queue work twice.
    key = models.CharField(max_length=200, unique=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("待办消息")
        verbose_name_plural = _("待办消息")
        indexes = [models.Index(fields=["status", "last_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.topic} {self.key} ({self.status})"


class UnauditedWriteError(Exception):
    """A bulk write that would bypass the services (and so the audit trail)."""


class SplitCountQuerySet(models.QuerySet[Any]):
    """A queryset whose row filter is `A OR B`, with A and B disjoint, counts as count(A) +
    count(B): `station_id = S OR id IN (a few lent ids)` is then an index-only count of the
    station plus a primary-key lookup, where the OR needs a bitmap scan over the table.

    `count_split(a, b)` marks the last filter added (which must be `a | b`); every other
    filter added before or after applies to both counts. If the marked filter is no longer
    found as it was (the query was combined with another), `count()` counts as usual.
    """

    _split: tuple[int, Any, tuple[Q, Q]] | None = None

    def count_split(self, first: Q, second: Q) -> Self:
        clone = self._chain()  # type: ignore[attr-defined]
        children = clone.query.where.children
        if clone.query.where.connector == AND and children:
            clone._split = (len(children) - 1, children[-1], (first, second))
        return clone

    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]
        clone._split = self._split
        return clone

    def count(self) -> int:
        split = self._split
        if split is None or self._result_cache is not None or self.query.is_sliced:
            return super().count()
        index, node, parts = split
        where = self.query.where
        if where.connector != AND or len(where.children) <= index or where.children[index] != node:
            return super().count()
        halves = []
        for part in parts:
            clone = self._chain()  # type: ignore[attr-defined]
            clone._split = None
            clone.query.where.children[index] = clone.query.build_where(part)
            halves.append(clone)
        if any(h.query.distinct or h.query.group_by or h.query.combinator for h in halves):
            return sum(h.count() for h in halves)
        # Both counts in one statement (one round trip): `SELECT 1 … WHERE` keeps each half an
        # index-only scan where it can be one.
        selects = [h.order_by().annotate(_one=Value(1)).values("_one").query for h in halves]
        compiled = [q.sql_with_params() for q in selects]
        sql = " + ".join("(SELECT COUNT(*) FROM (%s) AS half)" % c[0] for c in compiled)  # noqa: S608, UP031
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"SELECT {sql}", [p for c in compiled for p in c[1]])
            row = cursor.fetchone()
        return int(row[0])


class AuditedQuerySet(SplitCountQuerySet):
    """For models whose every change must be audited: bulk `update()`/`delete()` are refused.

    A bulk write skips the service that audits it (ENGINEERING.md: catch bulk updates on
    audited models, or forbid them). Row saves go through `Model.save()`, which services call.
    """

    def update(self, **kwargs: Any) -> NoReturn:
        raise UnauditedWriteError(f"bulk update of {self.model.__name__}: use its service")

    def delete(self) -> NoReturn:
        raise UnauditedWriteError(f"bulk delete of {self.model.__name__}: use its service")

    def service_update(self, **kwargs: Any) -> int:
        """The conditional update a service makes, and audits itself, in the same transaction."""
        return super().update(**kwargs)

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise UnauditedWriteError(f"bulk update of {self.model.__name__}: use its service")


class Notification(models.Model):
    """A message to one person, in the in-app inbox and, through a channel, delivered outside
    (email now; SMS or WeCom gateways plug in as channels). Sending, reading and acknowledging
    are recorded on the row."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(max_length=300, blank=True)
    # The same key twice is the same notification: a re-sent reminder is a new key on purpose.
    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.subject
