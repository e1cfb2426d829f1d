"""Django settings for Nastavnik.

Everything a deployment changes comes from the environment (see README, "Configuration"):
``DATABASE_URL``, ``CELERY_BROKER_URL``, ``NASTAVNIK_PII_MASKING``, ``NASTAVNIK_LANGUAGE``,
``NASTAVNIK_SECRET_KEY``, ``NASTAVNIK_DEBUG``, ``NASTAVNIK_ALLOWED_HOSTS``, ``NASTAVNIK_HOME``.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
HOME_DIR = Path(os.environ.get("NASTAVNIK_HOME", PACKAGE_DIR.parent / "var")).resolve()


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "да"}


def _secret_key() -> str:
    if key := os.environ.get("NASTAVNIK_SECRET_KEY"):
        return key
    # A generated key kept beside the data survives restarts without being in the repo.
    key_file = HOME_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    HOME_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_flag("NASTAVNIK_DEBUG", False)
ALLOWED_HOSTS = os.environ.get(
    "NASTAVNIK_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver"
).split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "nastavnik.core",
    "nastavnik.accounts",
    "nastavnik.conversations",
    "nastavnik.scorecards",
    "nastavnik.evaluations",
    "nastavnik.coaching",
    "nastavnik.sampling",
    "nastavnik.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "nastavnik.web.middleware.DefaultLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "nastavnik.core.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "nastavnik.urls"
WSGI_APPLICATION = "nastavnik.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "nastavnik.web.context_processors.navigation",
            ],
        },
    },
]

DEFAULT_SQLITE = HOME_DIR / "nastavnik.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while an import writes; IMMEDIATE avoids the
    # "database is locked" upgrade deadlock between two writers.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # A file, not memory, so that a test can run the CLI in a subprocess against it.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("NASTAVNIK_TEST_SQLITE")
        or str(Path(tempfile.gettempdir()) / f"nastavnik-test-{os.getpid()}.sqlite3")
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("NASTAVNIK_LANGUAGE", "ru")
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("NASTAVNIK_TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = HOME_DIR / "media"
# Static files are served by WhiteNoise straight from the app folders, so a fresh
# checkout runs without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "nastavnik.core.api.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Nastavnik API",
    "DESCRIPTION": "Quality assurance and coaching for customer-support teams.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # No call-out to the public Swagger validator: the docs must work offline.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Several models have a "state"/"kind" field; name each choice set explicitly.
    "ENUM_NAME_OVERRIDES": {
        "EvaluationStateEnum": "nastavnik.evaluations.models.Evaluation.State",
        "EvaluationKindEnum": "nastavnik.evaluations.models.Evaluation.Kind",
        "EvaluationPurposeEnum": "nastavnik.evaluations.models.Evaluation.Purpose",
        "DisputeStateEnum": "nastavnik.evaluations.models.Dispute.State",
        "JobStateEnum": "nastavnik.core.models.Job.State",
    },
}

# Background work: Celery when a broker is configured, otherwise a thread in this
# process, so that a single-machine install needs nothing else running.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "")
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = _env_flag("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
# Periodic work, run by `nastavnik worker --beat` (times in TIME_ZONE): every morning the
# sampling rules fill the graders' queues for the current week and month.
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "sampling-fill-queues": {
        "task": "nastavnik.sampling.fill_queues",
        "schedule": crontab(hour=6, minute=0),
    },
}
NASTAVNIK_JOB_RUNNER = os.environ.get(
    "NASTAVNIK_JOB_RUNNER", "celery" if CELERY_BROKER_URL else "thread"
)

NASTAVNIK_PII_MASKING = _env_flag("NASTAVNIK_PII_MASKING", True)
NASTAVNIK_IMPORT_BATCH_SIZE = int(os.environ.get("NASTAVNIK_IMPORT_BATCH_SIZE", "1000"))
# Auto-QA trust (docs/autoqa-trust.md): a criterion with at least MIN_PAIRS person/auto-QA
# pairs and a Cohen's kappa under MIN_KAPPA is left out of operator scores.
NASTAVNIK_TRUST_MIN_KAPPA = float(os.environ.get("NASTAVNIK_TRUST_MIN_KAPPA", "0.6"))
NASTAVNIK_TRUST_MIN_PAIRS = int(os.environ.get("NASTAVNIK_TRUST_MIN_PAIRS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("NASTAVNIK_LOG_LEVEL", "WARNING")},
}
