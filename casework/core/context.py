"""Who and where the current request comes from, for the audit trail.

A context variable rather than a thread-local: it is right under both WSGI threads and
Celery's prefork workers, and is empty outside a request (tasks pass the actor explicitly).
"""

from __future__ import annotations

from contextvars import ContextVar

current_source_ip: ContextVar[str | None] = ContextVar("current_source_ip", default=None)
