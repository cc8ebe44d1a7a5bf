"""Authentication events into the audit trail. Interfaces only: each calls audit.record."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from casework.core import audit, outbox
from casework.core.models import AuditEvent


@receiver(user_logged_in, dispatch_uid="casework.audit.login")
def _login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(actor=user, verb="auth.login")


@receiver(user_logged_out, dispatch_uid="casework.audit.logout")
def _logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(actor=user, verb="auth.logout")


@receiver(user_login_failed, dispatch_uid="casework.audit.login_failed")
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any) -> None:
    # `credentials` has the password already masked by Django; keep only the username.
    audit.record(
        actor=None,
        verb="auth.login_failed",
        outcome=AuditEvent.Outcome.FAILURE,
        payload={"username": str(credentials.get("username", ""))[:150]},
    )


@receiver(user_locked_out, dispatch_uid="casework.audit.locked_out")
def _locked_out(sender: Any, request: Any, username: str, ip_address: str, **kw: Any) -> None:
    user = get_user_model().objects.filter(username=username).first()
    audit.record(
        actor=None,
        verb="auth.locked_out",
        outcome=AuditEvent.Outcome.DENIED,
        target=user,
        payload={"username": username[:150]},
    )
    if user is not None and user.email:
        outbox.mail_to(
            key=f"lockout:{user.pk}:{timezone.now():%Y%m%d%H%M}",
            to=[user.email],
            subject="账号已锁定 / Account locked",
            body=(
                f"您的账号 {username} 因连续登录失败已被锁定,请联系管理员解锁。\n"
                f"Your account {username} was locked after repeated failed logins."
            ),
        )
