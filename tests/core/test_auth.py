"""Sign-in, lockout, idle timeout, and the audit rows each leaves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework.core.models import AuditEvent, OutboxMessage
from casework.org.models import Station
from tests.factories import PASSWORD, login_data, make_officer

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def _verbs() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("verb", flat=True))


def test_login_and_logout_are_audited_with_the_source_ip(legal_officer: AbstractBaseUser) -> None:
    client = Client(REMOTE_ADDR="10.1.2.3")
    response = client.post(LOGIN, login_data("legal_xq"))
    assert response.status_code == 302
    client.post("/accounts/logout/")
    login, logout = AuditEvent.objects.filter(verb__in=["auth.login", "auth.logout"]).order_by("id")
    assert (login.actor_username, login.source_ip) == ("legal_xq", "10.1.2.3")
    assert logout.verb == "auth.logout"
    assert login.station_id == legal_officer.profile.station_id  # type: ignore[attr-defined]


def test_failed_login_is_audited_without_the_password(legal_officer: AbstractBaseUser) -> None:
    Client().post(LOGIN, login_data("legal_xq", "wrong-password"))
    failure = AuditEvent.objects.get(verb="auth.login_failed")
    assert failure.outcome == AuditEvent.Outcome.FAILURE
    assert failure.payload == {"username": "legal_xq"}
    assert "wrong-password" not in str(failure.payload)


def test_account_locks_after_five_failures_even_with_the_right_password(xq: Station) -> None:
    make_officer("locked_user", station=xq, roles=["officer"], email="locked@example.cn")
    client = Client()
    for _attempt in range(5):
        client.post(LOGIN, login_data("locked_user", "wrong-password"))
    response = client.post(LOGIN, login_data("locked_user", PASSWORD))
    assert response.status_code == 429
    assert "账号已被锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert "auth.locked_out" in _verbs()
    # The owner is told by mail, through the outbox.
    message = OutboxMessage.objects.get(topic="mail.send")
    assert message.payload["to"] == ["locked@example.cn"]


def test_four_failures_do_not_lock(xq: Station) -> None:
    make_officer("careless", station=xq, roles=["officer"])
    client = Client()
    for _attempt in range(4):
        client.post(LOGIN, login_data("careless", "wrong-password"))
    assert client.post(LOGIN, login_data("careless")).status_code == 302


def test_lockout_is_per_account_not_per_station_address(xq: Station) -> None:
    make_officer("victim", station=xq, roles=["officer"])
    make_officer("colleague", station=xq, roles=["officer"])
    shared_nat = Client(REMOTE_ADDR="10.9.9.9")
    for _attempt in range(6):
        shared_nat.post(LOGIN, login_data("victim", "wrong-password"))
    assert shared_nat.post(LOGIN, login_data("colleague")).status_code == 302


def test_token_endpoint_counts_towards_the_lockout(xq: Station) -> None:
    make_officer("api_user", station=xq, roles=["officer"])
    client = Client()
    url = reverse("api:auth-token")
    for _attempt in range(4):
        assert client.post(url, login_data("api_user", "nope")).status_code == 400
    assert client.post(url, login_data("api_user", "nope")).status_code == 429  # the fifth
    response = client.post(url, login_data("api_user"))
    assert response.status_code == 429
    assert "锁定" in response.json()["detail"]


def test_session_expires_after_thirty_idle_minutes(legal_officer: AbstractBaseUser) -> None:
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.post(LOGIN, login_data("legal_xq"))
        assert client.get("/home/").status_code == 200
        traveller.shift(timedelta(minutes=29))
        assert client.get("/home/").status_code == 200  # activity resets the idle clock
        traveller.shift(timedelta(minutes=31))
        response = client.get("/home/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "auth.session_expired" in _verbs()
    assert client.get("/home/").status_code == 302  # really logged out


def test_lockout_mail_is_sent_when_the_outbox_delivers(
    xq: Station, django_capture_on_commit_callbacks: Any
) -> None:
    make_officer("mailed", station=xq, roles=["officer"], email="mailed@example.cn")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        for _attempt in range(6):
            client.post(LOGIN, login_data("mailed", "wrong-password"))
    # Tasks run eagerly in this suite; delivery happened on commit of the lockout.
    assert [m.to for m in mail.outbox] == [["mailed@example.cn"]]
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.DONE
