"""The test suite: SQLite unless DATABASE_URL points elsewhere; fast hashing; mail kept in memory.

Tasks run eagerly in the default suite; the integration stage (.ci/run) turns that off and
starts a real worker against Redis and PostgreSQL.
"""

from config.settings.base import *  # noqa: F403
from config.settings.env import env_bool, env_str

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # noqa: F405
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
ALLOWED_HOSTS = ["*"]
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
# pytest-django empties tables between transactional tests; the append-only triggers would
# refuse that. The tests that check them (audit, inventory immutability) install them.
CASEWORK_AUDIT_DB_TRIGGERS = False
