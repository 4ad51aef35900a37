"""EpiCommand settings, read from the environment (see docs/operator-guide.md)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from epicommand import keys

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = keys.var_dir()


def envbool(name, default="0"):
    return os.environ.get(name, default).lower() in ("1", "true", "yes", "on")


def envint(name, default):
    return int(os.environ.get(name, default))


# The production profile (docs/operator-guide.md, "Production"): keys made beforehand,
# HTTPS only, and nothing that `check --deploy` warns about.
PRODUCTION = envbool("EPICOMMAND_PRODUCTION")
KEY_DIR = keys.key_dir()
try:
    SECRET_KEY = keys.secret_key(KEY_DIR, production=PRODUCTION)
    # The Ed25519 key that signs health codes (control/codes.py): the environment's, or
    # the key file that `epicommand rotate-health-code-key` replaces.
    HEALTH_CODE_SIGNING_KEY = os.environ.get("HEALTH_CODE_SIGNING_KEY", "")
    HEALTH_CODE_SIGNING_KEY_FILE = (
        None if HEALTH_CODE_SIGNING_KEY else keys.signing_key_file(KEY_DIR, production=PRODUCTION)
    )
except keys.MissingKey as missing:
    raise ImproperlyConfigured(str(missing)) from None
DEBUG = envbool("DEBUG") and not PRODUCTION
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "epicommand.core",
    "epicommand.people",
    "epicommand.places",
    "epicommand.command",
    "epicommand.control",
    "epicommand.quarantine",
    "epicommand.tracing",
    "epicommand.testing",
    "epicommand.coldchain",
    "epicommand.prevention",
    "epicommand.vaccination",
    "epicommand.inbound",
    "epicommand.information",
    "epicommand.supplies",
    "epicommand.gatherings",
    "epicommand.simulation",
    "epicommand.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "epicommand.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "epicommand.core.middleware.RequestIdMiddleware",
    "epicommand.core.middleware.RefuseNulCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "epicommand.core.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "epicommand.urls"
WSGI_APPLICATION = "epicommand.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

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
                "epicommand.web.context.navigation",
            ]
        },
    }
]

# SQLite under var/ by default; PostgreSQL (or another SQLite file) through DATABASE_URL.
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", VAR_DIR / "epicommand.sqlite3"),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on the
        # busy timeout instead of failing with "database is locked" mid-transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": envint("SQLITE_BUSY_TIMEOUT", 20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Every login (the main page, the admin) checks passwords here, under the one lockout.
AUTHENTICATION_BACKENDS = ["epicommand.core.backends.LockoutBackend"]
# Failed logins before an account is locked, and for how long.
LOGIN_MAX_FAILURES = envint("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = envint("LOGIN_LOCKOUT_MINUTES", 15)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files straight from the apps, so `epicommand serve` needs no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES") or PRODUCTION
CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES") or PRODUCTION
# A staff session lasts a working shift, not Django's two weeks.
SESSION_COOKIE_AGE = envint("SESSION_HOURS", 8) * 3600
if PRODUCTION:
    # Behind a TLS proxy that says so in X-Forwarded-Proto (docs/operator-guide.md).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = envint("HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Counters that every worker must share (the residents' identification throttle): the
# database by default, Redis when REDIS_URL is set. A worker's own memory would let each
# worker count apart and a restart forget.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "epicommand_cache",
        }
    }
X_FRAME_OPTIONS = "DENY"
# Scripts only from our own static files: no inline script, no inline event handler, no
# eval, so markup that reaches a page from data cannot run. Inline styles stay allowed:
# ECharts builds its tooltips with style attributes, and styles run no code.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Active protocol edition (core/policy.py); the 8th edition was in force in January 2021.
PROTOCOL_EDITION = os.environ.get("PROTOCOL_EDITION", "8")

# Hour of the day (Asia/Shanghai) the worker generates the daily summaries (command/schedule.py).
DAILY_SUMMARY_HOUR = envint("DAILY_SUMMARY_HOUR", 22)

# Health code QR: minutes a shown code stays valid before the resident's page renews it.
HEALTH_CODE_QR_MINUTES = envint("HEALTH_CODE_QR_MINUTES", 5)
# Who a resident is on the public pages: the demo asks for ID number and phone; a real
# identity provider replaces this class (control/identity.py says what it must do).
RESIDENT_IDENTITY_BACKEND = os.environ.get(
    "RESIDENT_IDENTITY_BACKEND", "epicommand.control.identity.IdNumberAndPhone"
)

# Referrals of contacts living outside the city are POSTed here (JSON, signed with an
# HMAC-SHA256 of the body under REFERRAL_WEBHOOK_SECRET) and retried with backoff until the
# receiver answers 2xx. Empty: no delivery; the office exports them (CSV, JSON) instead.
REFERRAL_WEBHOOK_URL = os.environ.get("REFERRAL_WEBHOOK_URL", "")
REFERRAL_WEBHOOK_SECRET = os.environ.get("REFERRAL_WEBHOOK_SECRET", "")

# Device batches of 5,000 items (health-code tokens included) run to about 2 MB; a larger
# body is answered with a JSON 413 naming the limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
