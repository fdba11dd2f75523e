"""Settings for the provincial education portal.

One settings module for every environment: behaviour is switched by environment
variables (documented in README.md). With nothing set, the portal runs on SQLite with
eager Celery, so a fresh checkout works with `make run` and nothing else running.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from celery.schedules import crontab
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Security

DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SESSION_COOKIE_HTTPONLY = True
# A session ends after this many hours whatever the activity (edu_portal.middleware
# .SessionTimeoutMiddleware; the cookie and the stored session expire with it), and
# earlier after a spell without requests: shorter for the accounts that can change the
# most (department staff, inspectors, superusers) than for directors and local officers.
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_MAX_HOURS", 12) * 3600
SESSION_IDLE_MINUTES_STAFF = env_int("DJANGO_SESSION_IDLE_MINUTES_STAFF", 30)
SESSION_IDLE_MINUTES = env_int("DJANGO_SESSION_IDLE_MINUTES", 120)
CSRF_FAILURE_VIEW = "edu_portal.views.csrf_failure"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS (README, "Production"). TLS ends at the reverse proxy, which tells the portal the
# client's scheme in a header it always overwrites (nginx: X-Forwarded-Proto); named only
# behind such a proxy, since a client reaching gunicorn directly could claim HTTPS. Without
# it, behind the proxy every request looks like plain HTTP: the redirect below would loop
# and the CSRF origin check would refuse every form.
_proxy_ssl_header = os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", "").strip()
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https") if _proxy_ssl_header else None)
# Secure cookies are never sent back over plain HTTP, so a site that has them is HTTPS only.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=SESSION_COOKIE_SECURE)
# A load balancer or monitor checks each web machine over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# HSTS is off unless set: a browser that saw it refuses plain HTTP to this host name (and
# its subdomains) for that long, whatever is changed later (deploy/env.example: a year).
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading is the registrable domain's owner's decision (gov.vn: the province), not this
# site's: without it, `check --deploy` would warn about it (security.W021) forever.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Applications

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Form widgets and field templates through TEMPLATES (FORM_RENDERER below), so that the
    # project's escaped overrides in templates/django/forms/ win over the stock ones.
    "django.forms",
]
THIRD_PARTY_APPS = [
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    # Two-factor sign-in (accounts.twofactor): TOTP apps, and static tokens as recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
LOCAL_APPS = [
    "geo",
    "accounts",
    "centers",
    "conferences",
    "reports",
    "inspections",
    "notifications",
    "documents",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "edu_portal.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A NUL byte in the path, query or a form post: 400 before any view (PostgreSQL refuses NUL).
    "edu_portal.middleware.NulByteMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Outside the session timeout, so that even the error page of a failed check is private.
    "edu_portal.middleware.PrivateCacheMiddleware",
    # After messages: an expired session is told why on the login page.
    "edu_portal.middleware.SessionTimeoutMiddleware",
    # After the timeout (an expired session is logged out, not asked for a code): a session
    # that owes its second factor reaches only the set-up and verify pages.
    "accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "edu_portal.csp.PortalCSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last: it turns a locked-out login into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "edu_portal.urls"
# Forms render through TEMPLATES: templates/django/forms/ (help texts escaped) comes first.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "edu_portal.wsgi.application"

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
                "django.template.context_processors.i18n",
                "notifications.context_processors.notifications",
                # {% if nav.registry_manage %}: the menu from accounts.permissions.ACTIONS.
                "accounts.permissions.nav",
            ],
            # {% load icons %}: the SVG sprite's icons (edu_portal/icons.py); {% load jinja %}:
            # the Jinja2 partials below.
            "libraries": {"icons": "edu_portal.icons", "jinja": "edu_portal.jinja"},
        },
    },
    # The hot partials (the rows of the long lists): Jinja2 renders them in a tenth of the
    # time (edu_portal/jinja.py). Autoescaping is on, as Django's backend sets it.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "edu_portal.jinja.environment"},
    },
]

# Database


def database_from_url(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(f"Unsupported DATABASE_URL scheme: {parts.scheme!r}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        # Persistent connections were worth 2.2x on every page in the prototype.
        "CONN_MAX_AGE": env_int("DJANGO_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        "ATOMIC_REQUESTS": True,
        # JIT compilation pays off for long analytic queries, not for pages: on the
        # compliance search it cost 0.75 s of compiling per request for 10 ms of work.
        "OPTIONS": {"options": "-c jit=off"},
    }


DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    # SQLite keeps a fresh checkout runnable with no other service.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            "ATOMIC_REQUESTS": True,
            # A draft autosave and an upload arriving together must queue, not fail with
            # "database is locked": WAL lets readers run beside the one writer; BEGIN
            # IMMEDIATE takes the write lock when a request's transaction starts, so the
            # second writer waits (up to `timeout` seconds) instead of failing when it
            # tries to turn a read into a write (SQLite does not wait in that case);
            # synchronous=NORMAL is safe in WAL mode and spares an fsync per commit.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Authentication

AUTH_USER_MODEL = "accounts.User"
# Axes first (a locked pair is refused before any password is checked); then a login by
# username or by the account's e-mail address (accounts.backends).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.EmailOrUsernameBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# E-mailed links to set a password (new accounts, "Quên mật khẩu?", staff's "Gửi liên kết
# đặt lại mật khẩu") work once, for 3 days (accounts.services).
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

# Lock an account for an hour after 10 failed logins from the same address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_VERBOSE = False
# The pair is locked, not the account: typing someone's username from elsewhere never
# stops them logging in from their own machine. That needs the client's real address:
# behind a reverse proxy, name the header it sets (X-Forwarded-For, X-Real-IP) and how
# many proxies stand in front; without one the socket's address is used and forwarding
# headers sent by clients are ignored (accounts.security.client_ip).
TRUSTED_PROXY_HEADER = os.environ.get("DJANGO_TRUSTED_PROXY_HEADER", "").strip()
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 1)
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip"
# An address that names one account counts as that account's username: failures typed
# either way lock the same pair.
AXES_USERNAME_CALLABLE = "accounts.backends.axes_username"
AXES_LOCKOUT_CALLABLE = "accounts.security.lockout_response"

# Two-factor sign-in (django-otp, accounts.twofactor): the roles that must use it (role
# codes of accounts.User.Role, and "superuser"). Anyone else may turn it on, and once on it
# is asked at every login. Off under DJANGO_DEBUG, so the demo accounts work with their
# password alone. A blank value keeps the default (a deployment template with an empty
# line must not turn it off); "none" turns it off.
TWO_FACTOR_REQUIRED_ROLES = env_list(
    "DJANGO_TWO_FACTOR_REQUIRED_ROLES", "" if DEBUG else "department,inspector,superuser",
) or ([] if DEBUG else ["department", "inspector", "superuser"])
if TWO_FACTOR_REQUIRED_ROLES == ["none"]:
    TWO_FACTOR_REQUIRED_ROLES = []
# The name authenticator apps show next to the account.
OTP_TOTP_ISSUER = "Sở GDĐT"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Internationalisation

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Django's "vi" locale has no input formats; ours give dd/mm/yyyy everywhere.
FORMAT_MODULE_PATH = ["edu_portal.formats"]

# Static and media files

STATIC_URL = "/static/"
# Where `collectstatic` copies them, to be served by WhiteNoise from each web process.
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # With DEBUG off, {% static %} names each file by a hash of its content
    # (portal.3f2a9c1b7e4d.css) and WhiteNoise lets browsers keep those for good: a new
    # version is a new name. A page asking for a file collectstatic did not see fails
    # loudly (500) rather than linking a stale copy.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Private uploads (report attachments, import files) live outside the web root and are
# served only through views that check the user's scope.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = None  # never served directly
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Registry import limits (documented in README.md).
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 25_000)
# Rows above this count are imported by a Celery task with a progress bar.
IMPORT_ASYNC_ROWS = env_int("IMPORT_ASYNC_ROWS", 500)

# E-mail

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    # Django's SMTP backend that also reports recipients refused with a 4xx (greylisting)
    # while the others got the message: notifications retries those.
    EMAIL_BACKEND = "edu_portal.mail.SmtpEmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    # Seconds to wait for the SMTP server: an unanswering server delays a batch of
    # reminders by this once (they are then retried), never holds a worker for good.
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# The portal's public address, for links in e-mails sent by workers (they have no request).
PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:8000")
# The sender defaults to no-reply at the portal's own host name (PORTAL_URL), so that
# production mail never says @localhost; with an address literal (development) it stays
# @localhost, and the system check notifications.W001 warns when DEBUG is off.
_portal_host = (urlsplit(PORTAL_URL).hostname or "").strip(".")
_mail_host = _portal_host if "." in _portal_host and not _portal_host.replace(".", "").isdigit() else "localhost"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or f"Sở GDĐT <no-reply@{_mail_host}>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The domain after "@" in Message-IDs (edu_portal.mail); empty: the host of PORTAL_URL.
MAIL_MESSAGE_ID_DOMAIN = os.environ.get("MAIL_MESSAGE_ID_DOMAIN", "").strip()

# Celery

REDIS_URL = os.environ.get("REDIS_URL", "")
# The cache holds counters that every process must share (the password reset limits of
# accounts.services): Redis when there is one, else this process's memory (one process
# under `make run`).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "edu_portal",
            # A Redis host that does not answer costs a request one second, not the
            # system's TCP timeout: the lists then build their page (edu_portal.fragments).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
# Sessions stay in the database only (not cached_db): with Redis down, signing in must
# still work (tests/test_production.py); one query per request is the price.
# The hot lists keep their rendered body in the cache between writes (edu_portal/fragments.py):
# only where the cache is shared by every process, so that one's writes reach the others.
FRAGMENT_CACHE = env_bool("FRAGMENT_CACHE", default=bool(REDIS_URL))
CELERY_BROKER_URL = REDIS_URL or "memory://"
# No result backend: nothing reads a task's return value (jobs report through their rows),
# and with Redis down the backend's reconnect loop held each request queuing work for 19 s.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TIMEZONE = TIME_ZONE
# Two queues: imports and PDF jobs (minutes each) go to "long", everything else (reminders,
# notices, the beat tasks) stays on the default queue, so a reminder never waits behind a
# PDF. The Procfile runs one worker per queue; a worker started without -Q takes both.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = {"celery": {}, "long": {}}
CELERY_TASK_ROUTES = {
    "centers.tasks.center_import_run_task": {"queue": "long"},
    "documents.tasks.pdf_job_run_task": {"queue": "long"},
}
# A worker takes one message per process at a time: a free process never sits idle while
# another process's prefetched messages wait behind a long job.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Fail fast when Redis is down: a request that queues work answers in well under 2 s
# (one quick retry for a connection Redis dropped while idle), then says so.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True  # a worker started before Redis waits for it
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "socket_connect_timeout": 1,
    # A message taken by a worker and not acknowledged (late acknowledgement: a task that
    # is safe to redo acknowledges when it ends) goes back to its queue after this long:
    # longer than any task may run (the hard time limit), or a running task would be
    # delivered a second time. Jobs whose worker died are taken up far sooner by the lease
    # check below; a countdown must stay under this too, or the task runs twice.
    "visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT,
}
# The worker keeps its database connection from task to task like a web process between
# requests (CONN_MAX_AGE, CONN_HEALTH_CHECKS: edu_portal.celery_app applies Django's
# rules around each task). Celery's Django fix-up would close it after every task; with
# this it does so only every 1,000 tasks.
CELERY_DB_REUSE_MAX = 1000

# Background jobs (imports, PDFs: edu_portal.jobs). A running job stamps a heartbeat every
# JOB_HEARTBEAT_SECONDS; one silent for JOB_LEASE_SECONDS lost its worker, and a pending
# one whose message the broker no longer holds after JOB_PENDING_SECONDS was lost with
# it. The check (every JOB_CHECK_SECONDS) queues either again, up to JOB_MAX_ATTEMPTS, then
# fails it with a message on its page. Worst case from a dead worker to a new run:
# lease + check interval (3 minutes).
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 15)
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 120)
JOB_PENDING_SECONDS = env_int("JOB_PENDING_SECONDS", 120)
JOB_CHECK_SECONDS = env_int("JOB_CHECK_SECONDS", 60)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)
# /healthz?strict=1 fails when beat or a queue's worker has not been heard of for this long.
HEALTH_STALE_SECONDS = env_int("HEALTH_STALE_SECONDS", 180)
# Beat's record of each entry's last run (beat's --schedule overrides it). The scheduler
# creates the folder: var/ is not in the repository (edu_portal/beat.py).
CELERY_BEAT_SCHEDULER = "edu_portal.beat:PortalScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = os.environ.get("CELERY_BEAT_SCHEDULE_FILENAME") or str(
    BASE_DIR / "var" / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Every 15 minutes: claim the reminder steps now due and queue their delivery. A
    # missed or repeated tick is harmless: the Dispatch table records what was sent.
    "send-report-reminders": {
        "task": "reports.tasks.reminders_sweep_task",
        "schedule": crontab(minute="*/15"),
    },
    # The same for the tasks of issued directives (notifications.Dispatch keeps them apart).
    "send-task-reminders": {
        "task": "conferences.tasks.task_reminders_sweep_task",
        "schedule": crontab(minute="*/15"),
    },
    # Every 15 minutes: queue again the notices of events (report returned, task
    # assigned...) whose delivery task was lost with the broker; sent ones never are.
    "requeue-notices": {
        "task": "notifications.tasks.notices_requeue_task",
        "schedule": crontab(minute="*/15"),
    },
    # Every minute: send again the e-mails an SMTP server refused for now (4xx, down),
    # once their backoff is over (notifications.services.RETRY_DELAYS). The row in the
    # database is the record, so a missed tick only delays them.
    "retry-mail": {
        "task": "notifications.tasks.dispatches_retry_task",
        "schedule": crontab(),
    },
    # Every day at 01:30: create the coming reporting periods and obligations (idempotent).
    "generate-report-periods": {
        "task": "reports.tasks.periods_generate_task",
        "schedule": crontab(hour=1, minute=30),
    },
    # Every night at 00:05, right after the date changes: re-derive every center's
    # compliance flags for the new day (deadlines passed, licences nearing their end) and
    # check them against the maintained table, repairing and recording any difference
    # (inspections.flags). A missed tick leaves the date-driven flags a day old, which the
    # compliance page says; a repeated one finds nothing to change.
    "check-compliance-flags": {
        "task": "inspections.tasks.flags_check_task",
        "schedule": crontab(hour=0, minute=5),
    },
    # Every night at 00:30: record when each compliance flag appeared or cleared.
    "record-compliance-flags": {
        "task": "inspections.tasks.flags_record_task",
        "schedule": crontab(hour=0, minute=30),
    },
    # Every night at 00:45: deactivate the accounts whose access ended (a director's tenure
    # over, a center closed 90 days ago: accounts.lifecycle); idempotent.
    "expire-accounts": {
        "task": "accounts.tasks.accounts_expire_task",
        "schedule": crontab(hour=0, minute=45),
    },
    # Every day at 02:30: delete generated PDF files past documents.services.PDF_JOB_KEEP_DAYS (rows stay).
    "purge-pdf-files": {
        "task": "documents.tasks.pdf_job_purge_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # Every day at 02:15: drop expired import uploads (the database row says what ran).
    "purge-import-files": {
        "task": "centers.tasks.center_import_purge_task",
        "schedule": crontab(hour=2, minute=15),
    },
    # Every JOB_CHECK_SECONDS (a minute): imports and PDF jobs whose worker died or whose
    # message the broker lost are queued again or failed (edu_portal.jobs).
    "check-imports": {
        "task": "centers.tasks.center_imports_check_task",
        "schedule": JOB_CHECK_SECONDS,
        "options": {"expires": JOB_CHECK_SECONDS},
    },
    "check-pdf-jobs": {
        "task": "documents.tasks.pdf_jobs_check_task",
        "schedule": JOB_CHECK_SECONDS,
        "options": {"expires": JOB_CHECK_SECONDS},
    },
    # Every minute, one tick per queue: beat stamps when it sent it and the worker of that
    # queue when it ran it; /healthz reports both (edu_portal.health). A tick that waited
    # past the next one is dropped.
    "tick-default-queue": {
        "task": "edu_portal.tick",
        "schedule": 60,
        "args": ["celery"],
        "options": {"queue": "celery", "expires": 55},
    },
    "tick-long-queue": {
        "task": "edu_portal.tick",
        "schedule": 60,
        "args": ["long"],
        "options": {"queue": "long", "expires": 55},
    },
}

# What other apps show on a center's page: dotted paths of functions (request, center)
# returning HTML (centers/templatetags/registry.py, {% center_panels center %}). The
# registry imports none of these apps; each supplies its own panel.
CENTER_PAGE_PANELS = [
    "accounts.panels.center_accounts_panel",
    "conferences.panels.center_tasks_panel",
    "inspections.panels.center_flags_panel",
]

# Third-party apps

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
SIMPLE_HISTORY_REVERT_DISABLED = True

# Every asset is served by the portal itself: government networks are often closed.
# Scripts run by nonce only: each <script> tag of ours names the response's nonce, so
# markup planted in a page cannot load even our own files (edu_portal/csp.py; the admin,
# whose templates carry no nonce, keeps 'self').
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": [NONCE],
        "object-src": ["'none'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
    }
}

# Logging

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Optional site overrides, never committed.
try:
    from .local_settings import *  # noqa: F401,F403
except ImportError:
    pass
