"""Django settings, read from the environment (see docs/operations.md for every variable)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portcontrol.envconfig import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(env_str("PORTCONTROL_HOME", str(Path.cwd())))
VAR_DIR = BASE_DIR / "var"

DEFAULT_SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105 - refused in production
PRODUCTION = env_bool("PORTCONTROL_PRODUCTION", False)
DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = env_str("SECRET_KEY", DEFAULT_SECRET_KEY)
PORTCONTROL_NODE = env_str("PORTCONTROL_NODE", "local")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("PORTCONTROL_PRODUCTION is on: DEBUG must be off.")
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "PORTCONTROL_PRODUCTION is on: set SECRET_KEY to a random value of 32+ characters.")
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

_default_db = f"sqlite:///{VAR_DIR / 'portcontrol.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", _default_db)
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except Exception as exc:  # dj_database_url raises several types for a bad URL
    raise ImproperlyConfigured(f"DATABASE_URL {DATABASE_URL!r} cannot be used: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        # A 256 MB page cache: bulk intake inserts into indexes keyed by container and
        # B/L numbers, which thrash SQLite's default 2 MB cache.
        "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                         "PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;"),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_SQLITE_NAME", ":memory:")}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "portcontrol.reference",
    "portcontrol.accounts",
    "portcontrol.manifests",
    "portcontrol.ingest",
    "portcontrol.risk",
    "portcontrol.audit",
    "django_tasks",
    "django_tasks_db",
    "portcontrol.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "portcontrol.urls"
WSGI_APPLICATION = "portcontrol.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "portcontrol.web.context.shell",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (django-tasks): "database" queues jobs for `portcontrol db_worker`;
# "immediate" runs them in the caller (tests, single-user workstations).
TASKS_BACKEND = env_str("PORTCONTROL_TASKS", "database")
if TASKS_BACKEND not in ("database", "immediate"):
    raise ImproperlyConfigured("PORTCONTROL_TASKS must be 'database' or 'immediate'.")
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend" if TASKS_BACKEND == "database"
                     else "django_tasks.backends.immediate.ImmediateBackend"}}
# Uploads up to this size are processed in the request; larger ones go to a task worker.
INTAKE_INLINE_BYTES = env_int("INTAKE_INLINE_BYTES", 20 * 1024 * 1024)
# The largest file accepted by an upload page or the API (manifests, watchlists), in MB.
PORTCONTROL_MAX_UPLOAD_MB = env_int("PORTCONTROL_MAX_UPLOAD_MB", 100)
if PORTCONTROL_MAX_UPLOAD_MB < 1:
    raise ImproperlyConfigured("PORTCONTROL_MAX_UPLOAD_MB must be 1 or more (megabytes).")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
