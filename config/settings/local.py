"""Developer machine and `make run`: SQLite and the filesystem broker by default."""

from config.settings.base import *  # noqa: F403
from config.settings.env import env_bool

DEBUG = env_bool("DEBUG", True)
STORAGES["staticfiles"] = {  # noqa: F405 - no manifest needed with runserver
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
