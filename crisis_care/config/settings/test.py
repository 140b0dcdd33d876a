"""Settings for the test suite (SQLite by default, PostgreSQL when DATABASE_URL is set)."""

from .base import *  # noqa: F403
from .base import CRISIS_CARE

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Fast hashing in tests; Argon2 is checked explicitly in test_security.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
CRISIS_CARE = {**CRISIS_CARE}

# Tests run background tasks at once, in the request that enqueues them.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
