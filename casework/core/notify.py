"""Notifications: the in-app inbox plus delivery channels behind one interface.

A channel turns a notification into an outbox message for its gateway, so delivery happens
after commit and survives a broker outage. Email is the channel shipped; an SMS or WeCom
gateway is another `Channel` registered in CHANNELS.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db import transaction

from casework.core import outbox
from casework.core.models import Notification


class Channel(Protocol):
    name: str

    def queue(self, notification: Notification) -> None: ...


class EmailChannel:
    name = "email"

    def queue(self, notification: Notification) -> None:
        address = notification.recipient.email
        if address:
            outbox.mail_to(
                key=f"notify:{notification.key}",
                to=[address],
                subject=notification.subject,
                body=notification.body,
            )


CHANNELS: list[Channel] = [EmailChannel()]


@transaction.atomic
def notify(*, recipient: Any, subject: str, body: str, key: str, link: str = "") -> Notification:
    """Put a notification in the recipient's inbox and queue it on every channel (once per key)."""
    notification, created = Notification.objects.get_or_create(
        key=key, defaults={"recipient": recipient, "subject": subject, "body": body, "link": link}
    )
    if created:
        for channel in CHANNELS:
            channel.queue(notification)
    return notification
