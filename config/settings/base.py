"""Settings shared by every environment. Everything that differs between hosts comes from the
environment; see README.md (Configuration) and .env.example."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from config.settings.env import (
    broker_from_env,
    database_from_env,
    env_bool,
    env_clock,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("CASEWORK_VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env_str("SECRET_KEY", "insecure-local-development-key-change-me")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "django_celery_beat",
    "viewflow",
    "viewflow.workflow",
    # Ours, in dependency order (STYLE.md): each app depends only on apps above it.
    "casework.core",
    "casework.org",
    "casework.cases",
    "casework.rules",
    "casework.conduct",
    "casework.deadlines",
    "casework.trips",
    "casework.inventory",
    "casework.reviews",
    "casework.workflow",
    "casework.dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "casework.core.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "casework.core.middleware.RequestContextMiddleware",
    "casework.core.middleware.IdleTimeoutMiddleware",
    # viewflow adds these two itself when missing; listed so the order is visible here.
    "viewflow.middleware.SiteMiddleware",
    "viewflow.middleware.HotwireTurboMiddleware",
    # axes last: it inspects the response of the login views.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {"default": database_from_env("DATABASE_URL", VAR_DIR / "casework.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # axes first: it refuses locked-out credentials before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# How many reverse proxies in front of the web server may set X-Forwarded-For (0: trust none).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Sessions lock after 30 idle minutes (CJIS 5.5.5; 等保 2.0 level 3). The idle clock is kept
# by IdleTimeoutMiddleware; the cookie age is the hard upper bound.
SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("SESSION_IDLE_MINUTES", 30))
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Lockout after 5 failed logins per account (django-axes); an admin unlocks with
# `python manage.py axes_reset_username <name>` or the cool-off expires.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# axes.W006 asks to lock by IP too. A station's officers share one NAT address: one mistyped
# password must not lock out the whole station, so the lockout is per account (CJIS 5.5.3).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_CALLABLE = "casework.core.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "casework.core.lockout.lockout_username"
AXES_VERBOSE = False

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [
    BASE_DIR / "casework" / "locale",
    # viewflow ships an empty zh_Hans catalogue; ours fills it (ENGINEERING.md, known traps).
    BASE_DIR / "casework" / "core" / "locale_viewflow",
]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request when it is missing
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "media"},
    },
    # whitenoise, tolerant of viewflow's stylesheet naming fonts it does not ship (core/storage.py)
    "staticfiles": {"BACKEND": "casework.core.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "casework <casework@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "casework.core.api.ObjectJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "casework.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "casework API",
    "DESCRIPTION": "执法全流程监督 — 案前预警 · 案中督导 · 案后复盘 (REST API v1)",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The API's description is for its users: signed in (session) or with a token.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "kind" or "status"; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "CaseKindEnum": "casework.cases.models.Case.Kind",
        "CaseStatusEnum": "casework.cases.models.Case.Status",
        "IncidentStatusEnum": "casework.cases.models.Incident.Status",
        "FlagKindEnum": "casework.cases.models.IncidentFlag.Kind",
        "MeasureKindEnum": "casework.cases.models.Measure.Kind",
        "DailyAnswerKindEnum": "casework.cases.models.DailyIncidentItem.AnswerKind",
    },
}

# Celery. The default broker is a directory under var/ so `make run` needs no server.
CELERY_BROKER_URL = broker_from_env("CELERY_BROKER_URL", "filesystem://")
_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed", "control"):
        (_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(_BROKER_DIR / "control"),
        # The default 1 s poll made 50 tasks take 15 s (ENGINEERING.md).
        "polling_interval": 0.1,
    }
else:
    # Redis: the visibility timeout must exceed the longest task, or it is redelivered.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "confirm_publish": True}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"


# 每日警情分析表: made each morning at this local time (CELERY_TIMEZONE), before the shift meets.
DAILY_REPORT_HOUR, DAILY_REPORT_MINUTE = env_clock("CASEWORK_DAILY_REPORT_AT", "07:30")

CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "casework.core.tasks.outbox_sweep", "schedule": 60.0},
    "deadline-sweep": {"task": "casework.deadlines.tasks.deadline_sweep", "schedule": 60.0},
    "reminders-escalate": {"task": "casework.trips.tasks.reminders_escalate", "schedule": 60.0},
    "retrospectives-overdue": {
        "task": "casework.reviews.tasks.retrospectives_for_overdue_clocks",
        "schedule": 300.0,
    },
    "audit-verify-nightly": {
        "task": "casework.core.tasks.audit_verify_chain",
        "schedule": crontab(hour=3, minute=17),
    },
    "daily-incident-report": {
        "task": "casework.cases.tasks.daily_reports_make",
        "schedule": crontab(hour=DAILY_REPORT_HOUR, minute=DAILY_REPORT_MINUTE),
    },
}

# The only folders PDF rendering may read files from (fonts and images shipped with casework).
PDF_ASSET_DIRS = [BASE_DIR / "templates" / "print"]

# 学以致用: a finding category seen this many times in this many days at a station is offered
# to its legal officers as a new pre-trip reminder rule.
REVIEWS_RECURRENCE_COUNT = env_int("REVIEWS_RECURRENCE_COUNT", 3)
REVIEWS_RECURRENCE_DAYS = env_int("REVIEWS_RECURRENCE_DAYS", 90)

# 提醒 → 记分 → 约谈: this many points within this many days opens a formal talk (约谈).
CONDUCT_TALK_POINTS = env_int("CONDUCT_TALK_POINTS", 6)
CONDUCT_PERIOD_DAYS = env_int("CONDUCT_PERIOD_DAYS", 365)

# The address users reach casework at: printed forms carry a QR code pointing back to the record.
CASEWORK_BASE_URL = env_str("CASEWORK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Database triggers that refuse UPDATE/DELETE/TRUNCATE on audit rows (core migration 0002)
# and changes to signed inventories (inventory migration 0002).
CASEWORK_AUDIT_DB_TRIGGERS = True

# An unacknowledged pre-trip briefing goes again to the officer and to the legal officers this
# long before departure, and to the chief this long before (0: at departure).
TRIP_ESCALATE_LEGAL_BEFORE = timedelta(minutes=env_int("TRIP_ESCALATE_LEGAL_MINUTES", 120))
TRIP_ESCALATE_CHIEF_BEFORE = timedelta(minutes=env_int("TRIP_ESCALATE_CHIEF_MINUTES", 0))

OUTBOX_REDELIVER_AFTER = timedelta(seconds=env_int("OUTBOX_REDELIVER_SECONDS", 120))
OUTBOX_MAX_ATTEMPTS = 10

# The viewflow site's title and colours.
CASEWORK_SITE_TITLE = _("执法监督")

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
