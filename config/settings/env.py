"""Environment-variable readers for the settings modules.

A bad value stops start-up with one line that names the variable (ConfigError is a SystemExit,
so manage.py, celery and gunicorn print it without a traceback).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url


class ConfigError(SystemExit):
    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"casework: configuration error in {name}: {problem}")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_clock(name: str, default: str) -> tuple[int, int]:
    """A time of day as HH:MM (24-hour, local time) → (hour, minute)."""
    raw = env_str(name, default) or default
    match = re.fullmatch(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", raw)
    if match is None:
        raise ConfigError(name, f"expected a time of day as HH:MM (e.g. 07:30), got {raw!r}")
    return int(match[1]), int(match[2])


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(name, f"expected true/false, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(name, f"expected a whole number, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}


def database_from_env(name: str, default_sqlite: Path) -> dict[str, Any]:
    """Parse DATABASE_URL; SQLite gets IMMEDIATE transactions so a worker and the web never
    deadlock on lock upgrades ("database is locked")."""
    raw = env_str(name) or f"sqlite:///{default_sqlite}"
    parts = urlsplit(raw)
    if parts.scheme not in DATABASE_SCHEMES:
        raise ConfigError(
            name, f"unsupported scheme {parts.scheme!r} (use sqlite:///path or postgres://…)"
        )
    if parts.scheme != "sqlite" and not (parts.hostname or parts.path.strip("/")):
        raise ConfigError(name, "a PostgreSQL URL needs a host or a database name")
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(raw, conn_max_age=60))
    except (ValueError, KeyError) as exc:
        raise ConfigError(name, str(exc)) from None
    if parts.scheme == "sqlite":
        if not config.get("NAME"):
            raise ConfigError(name, "a SQLite URL needs a file path (sqlite:///var/db.sqlite3)")
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config


BROKER_SCHEMES = {"filesystem", "redis", "rediss", "amqp", "pyamqp", "amqps", "memory"}


def broker_from_env(name: str, default: str) -> str:
    raw = env_str(name) or default
    parts = urlsplit(raw)
    if parts.scheme not in BROKER_SCHEMES:
        raise ConfigError(
            name,
            f"unsupported scheme {parts.scheme!r} (use filesystem://, redis://host:6379/0 or amqp://…)",
        )
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        raise ConfigError(name, str(exc)) from None
    if parts.scheme not in {"filesystem", "memory"} and not parts.hostname:
        raise ConfigError(name, "a network broker URL needs a host")
    return raw
