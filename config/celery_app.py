"""The Celery application. Tasks are thin interfaces over services (STYLE.md)."""

import contextlib
import os

from celery import Celery
from kombu.transport import redis as kombu_redis

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("casework")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _redis_channel_closes_without_its_broker() -> None:
    """A worker must outlive a Redis restart (tests/integration/test_faults.py).

    kombu 5.7's redis `Channel.close()` first reads the reply of a BRPOP still in flight and
    lets only `Empty` pass. When Redis has just died, that read raises ConnectionError before
    the channel is marked closed. Celery 5.7's reconnect (`Consumer.
    on_connection_error_after_connected`) then closes the connection once more after
    `collect()` has detached its transport, and restoring the unacked (acks_late) message
    there fails with AttributeError ("'NoneType' object has no attribute 'hostname'"):
    "Unrecoverable error", and the worker exits instead of reconnecting. It happens whenever
    Redis goes away while a worker runs a task and waits for the next one (a worker with two
    or more processes, not all busy). Here a failed read of that reply no longer stops the
    close; the rest of kombu's close is unchanged. Drop this once kombu handles it.
    """
    close = kombu_redis.Channel.close
    if not hasattr(kombu_redis.Channel, "_brpop_read"):  # a kombu that changed: leave it be
        return

    def close_even_if_redis_is_gone(self: kombu_redis.Channel) -> None:
        if getattr(self, "_in_poll", None):
            # Empty, or the broker is gone: nothing more to read either way.
            with contextlib.suppress(Exception):
                self._brpop_read()  # type: ignore[attr-defined]
        close(self)

    kombu_redis.Channel.close = close_even_if_redis_is_gone  # type: ignore[method-assign]


_redis_channel_closes_without_its_broker()
