"""Settings shared by every environment.

Secrets and anything that differs between machines come from the environment;
the environment-specific modules (local, test, production) only adjust what they must.
"""

import os
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = Path(os.environ.get("CRISIS_CARE_VAR_DIR", BASE_DIR / "var"))

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "crisis_care.core",
    "crisis_care.nhsuk_forms",
    "crisis_care.workforce",
    "crisis_care.people",
    "crisis_care.directory",
    "crisis_care.referrals",
    "crisis_care.assessments",
    "crisis_care.treatment",
    "crisis_care.discharge",
    "crisis_care.planning",
    "crisis_care.reporting",
    # Background work (exports, the visit planner) through Django's tasks API, stored in the
    # database so the default needs no extra server (DESIGN.md); `manage.py db_worker` runs it.
    "django_tasks",
    "django_tasks_db",
]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Demo data and factories; production settings leave this out.
if os.environ.get("CRISIS_CARE_NONPROD", "1") == "1":
    INSTALLED_APPS.append("crisis_care.nonprod")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "crisis_care.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Everything needs a login unless a view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crisis_care.config.urls"
WSGI_APPLICATION = "crisis_care.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "crisis_care" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "crisis_care.config.jinja2.environment"},
    },
    {
        # Only for Django's own templates we do not override (none are user-facing).
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]


def database_from_environment() -> dict[str, object]:
    """PostgreSQL when DATABASE_URL is set; otherwise the embedded SQLite file in var/."""
    url = os.environ.get("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        config["ATOMIC_REQUESTS"] = False
        return dict(config)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "crisis_care.sqlite3",
        "OPTIONS": {
            # WAL lets readers carry on while a write is in progress; IMMEDIATE
            # takes the write lock at BEGIN so two writers queue instead of failing.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASES = {"default": database_from_environment()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "workforce:home"
LOGOUT_REDIRECT_URL = "core:login"

# Lockout: 5 failures for a username from one address locks it for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = None
AXES_LOCKOUT_CALLABLE = "crisis_care.core.views.locked_out"
AXES_VERBOSE = False

# Session ends after 30 minutes without a request (NHS shared workstations).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "crisis_care.core.views.csrf_failure"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve straight from the finders when not collected (make run, tests); production collects.
WHITENOISE_USE_FINDERS = True
STATICFILES_DIRS = [
    BASE_DIR / "crisis_care" / "static",
    # Built by `make install` from crisis_care/frontend (not committed).
    BASE_DIR / "crisis_care" / "static_build",
    ("nhsuk", BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Service rules that a trust may tune.
CRISIS_CARE: dict[str, Any] = {
    # Days after a team's referral or episode closes during which its staff may still open the record.
    "LEGITIMATE_RELATIONSHIP_DAYS_AFTER_CLOSURE": int(
        os.environ.get("LEGITIMATE_RELATIONSHIP_DAYS_AFTER_CLOSURE", "28")
    ),
    # How long one break-glass grant lasts.
    "BREAK_GLASS_MINUTES": int(os.environ.get("BREAK_GLASS_MINUTES", "240")),
    "SERVICE_NAME": "Crisis Care",
    # First contact is due the same day; for referrals received at or after this London time,
    # by this time the next morning (DOMAIN.md §2.1; a local rule the trust may change).
    "FIRST_CONTACT_LATE_AFTER": os.environ.get("FIRST_CONTACT_LATE_AFTER", "18:00"),
    "FIRST_CONTACT_NEXT_MORNING_BY": os.environ.get("FIRST_CONTACT_NEXT_MORNING_BY", "12:00"),
    # Age bands: adults 18 to 65 here; younger to CAMHS crisis, older to the older people's team.
    "ADULT_MIN_AGE": int(os.environ.get("ADULT_MIN_AGE", "18")),
    "ADULT_MAX_AGE": int(os.environ.get("ADULT_MAX_AGE", "65")),
    # Public self-referrals allowed per address per hour.
    "SELF_REFERRAL_PER_HOUR": int(os.environ.get("SELF_REFERRAL_PER_HOUR", "5")),
}

# Panels other apps add to a person's record page. The people app renders them without
# importing those apps, so dependencies still run one way (people/panels.py).
CRISIS_CARE_RECORD_PANELS = [
    "crisis_care.assessments.panels.safety_plan_panel",
    "crisis_care.assessments.panels.assessment_history_panel",
]

# Alerts at the top of every page for the signed-in user (core/alerts.py), contributed by
# later apps without core importing them; each provider runs at most one query.
CRISIS_CARE_ALERT_PROVIDERS = [
    "crisis_care.treatment.views.lone_working.alert_banners",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"axes": {"level": "WARNING"}},
}
