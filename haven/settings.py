"""Haven's one settings file, driven by the environment.

Every value can come from an environment variable; every secret can also come
from a file named by the same variable with a ``_FILE`` suffix (for Docker or
systemd credentials). ``HAVEN_ENV`` selects the posture:

* ``local`` (default): the embedded SQLite install that ``make run`` serves on
  loopback over plain HTTP. Missing keys are generated into ``var/keys``.
* ``production``: behind a TLS reverse proxy. Refuses to start without its
  secrets and turns on every transport protection.
* ``test``: the test suite.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from haven.core.keyfiles import ensure_key_file, read_secret

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

HAVEN_ENV = env.str("HAVEN_ENV", default="local")  # local, production or test
if HAVEN_ENV not in {"local", "production", "test"}:
    raise ImproperlyConfigured("HAVEN_ENV must be local, production or test.")
PRODUCTION = HAVEN_ENV == "production"
TESTING = HAVEN_ENV == "test"

VAR_DIR = Path(env.str("HAVEN_VAR_DIR", default=str(BASE_DIR / "var")))
KEY_DIR = VAR_DIR / "keys"
# The destruction ledger (haven.core.ledger, ADR 27): beside the keys by
# default, never inside the database or its backups.
HAVEN_LEDGER_DIR = Path(env.str("HAVEN_LEDGER_DIR", default="") or KEY_DIR)
if TESTING and "HAVEN_LEDGER_DIR" not in os.environ:
    # The suite shares var/keys with the local install; its ledger must not:
    # one of its own per test process, removed when the process ends.
    HAVEN_LEDGER_DIR = Path(tempfile.mkdtemp(prefix="haven-test-ledger-"))
    atexit.register(shutil.rmtree, HAVEN_LEDGER_DIR, ignore_errors=True)


def _secret(name: str) -> str:
    """A secret from NAME, NAME_FILE, or (outside production) a generated file."""
    value = read_secret(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} or {name}_FILE must be set in production.")
    return ensure_key_file(KEY_DIR / name.lower().removeprefix("haven_"))


SECRET_KEY = _secret("HAVEN_SECRET_KEY")
# The master key wraps every agency key (see docs/adr/0005-keys-and-secrets.md). It never
# sits in the database or in a backup of it.
HAVEN_MASTER_KEY = _secret("HAVEN_MASTER_KEY")
# Only while rotating the master key: the key being retired (see rotate_keys).
HAVEN_MASTER_KEY_PREVIOUS = read_secret("HAVEN_MASTER_KEY_PREVIOUS")
# Backups are encrypted to this age recipient (public key, age1...); its
# identity stays offline with the operator (see "Backups and the key folder" in docs/operations.md).
HAVEN_BACKUP_RECIPIENT = read_secret("HAVEN_BACKUP_RECIPIENT")
HAVEN_BACKUP_KEEP_DAILY = env.int("HAVEN_BACKUP_KEEP_DAILY", default=7)
HAVEN_BACKUP_KEEP_WEEKLY = env.int("HAVEN_BACKUP_KEEP_WEEKLY", default=4)
HAVEN_BACKUP_KEEP_MONTHLY = env.int("HAVEN_BACKUP_KEEP_MONTHLY", default=12)
# Signed checkpoints of the audit chains' heads, kept outside the database
# (docs/adr/0030-anchored-audit-chains.md). Production must name the folder
# (`check --deploy` warns); the suite's tests name their own, since a
# checkpoint left by one test would not match the next test's database.
_checkpoint_dir = env.str("HAVEN_CHECKPOINT_DIR", default="")
HAVEN_CHECKPOINT_DIR: Path | None = Path(_checkpoint_dir) if _checkpoint_dir else None
if HAVEN_CHECKPOINT_DIR is None and not (PRODUCTION or TESTING):
    HAVEN_CHECKPOINT_DIR = VAR_DIR / "checkpoints"
# Seconds between the checkpoints the job worker takes; 0: it takes none.
HAVEN_CHECKPOINT_INTERVAL = env.int("HAVEN_CHECKPOINT_INTERVAL", default=3600)

DEBUG = env.bool("HAVEN_DEBUG", default=False)
if DEBUG and PRODUCTION:
    raise ImproperlyConfigured("HAVEN_DEBUG cannot be on in production.")

ALLOWED_HOSTS = env.list(
    "HAVEN_ALLOWED_HOSTS",
    default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"],
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("HAVEN_ALLOWED_HOSTS must name the host(s) Haven answers to.")
CSRF_TRUSTED_ORIGINS = env.list("HAVEN_CSRF_TRUSTED_ORIGINS", default=[])

# The product name shown in page titles: an agency may want a discreet one.
HAVEN_PRODUCT_NAME = env.str("HAVEN_PRODUCT_NAME", default="Haven")

INSTALLED_APPS = [
    # Haven's apps come first so that their templates and management
    # commands (notably the guarded ``flush``) take precedence.
    "haven.core",
    "haven.accounts",
    "haven.audit",
    "haven.people",
    "haven.protocol",
    "haven.partners",
    "haven.consent",
    "haven.authorities",
    "haven.referrals",
    "haven.attachments",
    "haven.communications",
    "haven.exports",
    "haven.interpretation",
    "haven.safety",
    "haven.shelter",
    "haven.training",
    "haven.preparedness",
    "haven.reports",
    "haven.jobs",
    "haven.backups",
    "haven.desk",
    "haven.api",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Its widget templates, found through TEMPLATES (FORM_RENDERER below).
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "axes",
    "csp",
    "django_htmx",
    "ninja",
    # Django's tasks framework (the backport of django.tasks) and its queue in
    # the database: the queue carries "run job <id>", haven.jobs the rest.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "haven.core.middleware.RequestIdMiddleware",
    # The security headers come before anything that can answer on its own
    # or fail, so every answer leaves with them: Django's early errors (a bad
    # Host header, a body too large), the NUL refusal, static files.
    "haven.core.middleware.SecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "haven.core.middleware.NeverCacheMiddleware",
    "haven.core.middleware.NulRefusedMiddleware",
    # Before anything reads a form: uploads keep their names as sent, so a
    # control character in one is refused rather than silently dropped.
    "haven.attachments.uploads.NamesKeptMiddleware",
    # /healthz and /readyz answer here, before anything reads a session.
    "haven.core.middleware.HealthMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Outside whatever ends a session below it, so it sees each ending.
    "haven.accounts.middleware.SignOutClearsSiteDataMiddleware",
    "haven.accounts.middleware.SessionTimeoutMiddleware",
    "haven.accounts.middleware.UserLanguageMiddleware",
    # Before anything else a signed-in user can reach (MFA enrolment included).
    "haven.safety.middleware.LockdownMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "haven.accounts.middleware.UserSessionActivityMiddleware",
    "haven.accounts.middleware.MfaRequiredMiddleware",
    "haven.core.middleware.LoginRequiredMiddleware",
    # Turns the domain's NotFound, raised by a view's services, into the 404 page.
    "haven.core.middleware.NotFoundMiddleware",
    # A full disk answers 503, for pages and the API alike.
    "haven.core.middleware.StorageFullMiddleware",
    # Axes goes last so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

# Forms render through the project's templates, so templates/django/forms
# can write a select's options without a template per option.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "haven.urls"
WSGI_APPLICATION = "haven.wsgi.application"

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
                "haven.desk.context_processors.haven",
            ],
            "string_if_invalid": "",
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite under var/ is the embedded default; DATABASE_URL selects PostgreSQL.
# The URL may hold a password, so it may also come from DATABASE_URL_FILE.
DATABASES = {
    "default": env.db_url_config(
        read_secret("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'haven.sqlite3'}"
    )
}
# FULL syncs the write-ahead log at every commit, so an acknowledged write
# survives a power cut, not only a crashed process (NORMAL's guarantee); it
# costs one fsync per write (ADR 27).
SQLITE_SYNCHRONOUS = env.str("HAVEN_SQLITE_SYNCHRONOUS", default="FULL").upper()
if SQLITE_SYNCHRONOUS not in {"FULL", "NORMAL"}:
    raise ImproperlyConfigured("HAVEN_SQLITE_SYNCHRONOUS must be FULL or NORMAL.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE transactions serialise writers up front, so the audit
        # chain never forks and no write fails half-way with SQLITE_BUSY.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA secure_delete=ON;"
            "PRAGMA foreign_keys=ON;"
            f"PRAGMA synchronous={SQLITE_SYNCHRONOUS};"
        ),
    }
else:
    DATABASES["default"]["ATOMIC_REQUESTS"] = False
    # A database on another machine is reached over TLS that checks its
    # certificate and name, or not at all: the connection carries every
    # sealed row and the database password.
    _db_host = unquote(str(DATABASES["default"].get("HOST") or ""))
    _db_local = _db_host in {"", "localhost", "127.0.0.1", "::1"} or _db_host.startswith("/")
    _sslmode = DATABASES["default"].get("OPTIONS", {}).get("sslmode")
    if PRODUCTION and not _db_local and _sslmode != "verify-full":
        raise ImproperlyConfigured(
            "DATABASE_URL names another machine: add ?sslmode=verify-full "
            "(and sslrootcert=...) so the connection is encrypted and the server checked."
        )
# Connections are kept between requests. For SQLite this matters more than
# the connect itself: when the last connection closes, SQLite folds its
# write-ahead log back and deletes it, and the next request pays to rebuild it.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("HAVEN_DB_CONN_MAX_AGE", default=60))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and authentication ------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "haven.accounts.backends.HavenAuthenticationBackend",
]
PASSWORD_HASHERS = [
    # Argon2id, bounded in memory (haven/accounts/hashers.py, ADR 28).
    "haven.accounts.hashers.BoundedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; the suite hashes thousands of passwords.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "desk:dashboard"

ACCOUNT_ADAPTER = "haven.accounts.adapters.HavenAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
# Axes does the lockout; allauth's own rate limits stay on as a second net.
# Axes locks a user name after 5 wrong passwords. allauth's "login_failed"
# limit sits above it for passwords, and is what caps wrong second-factor
# codes per account (allauth counts them under the same action).
ACCOUNT_RATE_LIMITS = {"login_failed": "30/m/ip,10/900s/key"}
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
MFA_ADAPTER = "haven.accounts.adapters.HavenMfaAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
MFA_TOTP_ISSUER = HAVEN_PRODUCT_NAME
MFA_TOTP_TOLERANCE = 1
MFA_TRUST_ENABLED = False
# The same checks, with words that say when a right code was already used.
MFA_FORMS = {
    "authenticate": "haven.accounts.mfa_forms.HavenAuthenticateForm",
    "reauthenticate": "haven.accounts.mfa_forms.HavenReauthenticateForm",
}
# Written by haven.accounts.middleware.UserSessionActivityMiddleware, not on every request.
USERSESSIONS_TRACK_ACTIVITY = True

AXES_FAILURE_LIMIT = env.int("HAVEN_LOCKOUT_FAILURES", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("HAVEN_LOCKOUT_MINUTES", default=15))
# Locking by user name alone: behind a reverse proxy every client may share
# one address, and an attacker can change theirs at will.
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "haven.accounts.lockout.username_of"
AXES_RESET_ON_SUCCESS = True
# Axes copies the sign-in form into its table: none of it is kept.
AXES_SENSITIVE_PARAMETERS = ["login", "password", "username", "csrfmiddlewaretoken"]
AXES_LOCKOUT_CALLABLE = "haven.accounts.views.locked_out"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# Wrong API tokens (haven.accounts.token_failures): this many from one client
# address within the lockout time refuse that address's token requests for as
# long. A wrong token names no account, so it is counted by address (an IPv6
# client by its /64). The same 15 minutes as a wrong password, with twice the
# tries: a script left with a stale token retries on its own, and 10 guesses
# at 256 random bits are worth nothing to an attacker.
HAVEN_API_TOKEN_FAILURES = env.int("HAVEN_API_TOKEN_FAILURES", default=10)
HAVEN_API_TOKEN_LOCKOUT = timedelta(minutes=env.int("HAVEN_API_TOKEN_LOCKOUT_MINUTES", default=15))
# How many reverse proxies stand in front of Haven, so that the client
# address (rate limits, the sessions list) is read from X-Forwarded-For.
HAVEN_PROXY_COUNT = env.int("HAVEN_PROXY_COUNT", default=0)
AXES_IPWARE_PROXY_COUNT = HAVEN_PROXY_COUNT
ALLAUTH_TRUSTED_PROXY_COUNT = HAVEN_PROXY_COUNT

# Sessions: an idle timeout and an absolute lifetime (see SessionTimeoutMiddleware).
HAVEN_IDLE_TIMEOUT = timedelta(seconds=env.int("HAVEN_IDLE_TIMEOUT_SECONDS", default=15 * 60))
# How long a second factor proved at sign-in or typed into a form counts as
# fresh for the changes that ask for one (haven.accounts.stepup).
HAVEN_STEP_UP_SECONDS = env.int("HAVEN_STEP_UP_SECONDS", default=300)
HAVEN_SESSION_MAX_AGE = timedelta(
    seconds=env.int("HAVEN_SESSION_MAX_AGE_SECONDS", default=12 * 60 * 60)
)
SESSION_COOKIE_AGE = int(HAVEN_SESSION_MAX_AGE.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Messages ride in the session, never in a cookie of their own.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
CSRF_FAILURE_VIEW = "haven.core.views.csrf_failure"

HAVEN_INVITATION_LIFETIME = timedelta(hours=72)
HAVEN_SETUP_LINK_LIFETIME = timedelta(hours=1)
HAVEN_BASE_URL = env.str("HAVEN_BASE_URL", default="http://127.0.0.1:8000")

# --- Transport security -----------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
# Not "no-referrer": Chromium then sends "Origin: null" on same-site posts
# and Django rightly refuses them. Referrers still never leave the site.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Permissions-Policy (haven.core.middleware.SecurityHeadersMiddleware): every
# powerful browser feature is denied to every page, and to anything a page
# might embed, except WebAuthn, which Haven's own pages use when staff enrol
# or use a security key. Haven shows no camera, microphone, map or payment;
# files are downloads, never played or shown full screen in a page.
HAVEN_PERMISSIONS_POLICY: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        [
            "accelerometer",
            "autoplay",
            "browsing-topics",
            "camera",
            "clipboard-read",
            "clipboard-write",
            "display-capture",
            "encrypted-media",
            "fullscreen",
            "gamepad",
            "geolocation",
            "gyroscope",
            "hid",
            "idle-detection",
            "local-fonts",
            "magnetometer",
            "microphone",
            "midi",
            "otp-credentials",
            "payment",
            "picture-in-picture",
            "screen-wake-lock",
            "serial",
            "storage-access",
            "usb",
            "window-management",
            "xr-spatial-tracking",
        ],
        (),
    ),
    "publickey-credentials-create": ("self",),
    "publickey-credentials-get": ("self",),
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("HAVEN_SSL_REDIRECT", default=True)
    # A monitor on the machine asks over plain HTTP; they say nothing private.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("HAVEN_HSTS_SECONDS", default=63072000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    # Every cookie Haven sets is __Host-: sent only over TLS, to this host
    # alone, for the whole site, so no neighbour on a shared domain can set
    # or read it.
    LANGUAGE_COOKIE_NAME = "__Host-language"
    LANGUAGE_COOKIE_SECURE = True
    LANGUAGE_COOKIE_HTTPONLY = True
    LANGUAGE_COOKIE_SAMESITE = "Lax"

# Uploads: the largest body of form fields Haven accepts in one request (files
# are counted apart, below). Oversized posts get a 400, never a 500.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("HAVEN_MAX_POST_BYTES", default=1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500
# Attachments: the largest file kept (HAVEN_ATTACHMENT_MAX_MB, 25 by default).
HAVEN_ATTACHMENT_MAX_BYTES = env.int("HAVEN_ATTACHMENT_MAX_MB", default=25) * 1024 * 1024
# Every upload stays in memory, never in a temporary file in the clear, up to
# the largest any page accepts (the partner directory takes 10 MB).
HAVEN_UPLOAD_MAX_BYTES = max(HAVEN_ATTACHMENT_MAX_BYTES, 10 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = ["haven.attachments.uploads.MemoryOnlyUploadHandler"]
DATA_UPLOAD_MAX_NUMBER_FILES = 5

# Visitor check-ins one staff member may make in an hour. Each check-in
# screens a name against the persons of concern and may raise an alert, so a
# desk account could be used to learn who is on the list by checking names
# in. A busy front desk checks a visitor in every few minutes at most; 30 an
# hour leaves room for a waiting room filling at once, and stops a run of
# names within minutes (docs/adr/0016-staff-safety.md).
HAVEN_CHECKINS_PER_HOUR = env.int("HAVEN_CHECKINS_PER_HOUR", default=30)
if HAVEN_CHECKINS_PER_HOUR < 1:
    raise ImproperlyConfigured("HAVEN_CHECKINS_PER_HOUR must be at least 1.")

# Background jobs (haven.jobs) are queued when the request commits and run by
# a worker process (``manage.py jobs_worker``); under test they run inside
# job_start, so a test sees the finished job.
HAVEN_JOBS_INLINE = env.bool("HAVEN_JOBS_INLINE", default=TESTING)
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# /readyz and check_health fail when the disk holding the database has less
# free space than this (megabytes).
HAVEN_READY_MIN_FREE_MB = env.int("HAVEN_READY_MIN_FREE_MB", default=500)

# --- Content Security Policy -------------------------------------------------
# No inline script or style anywhere: every page uses files under static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # The TOTP enrolment page shows its QR code as a data: image.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    },
}

# --- Internationalisation ----------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("HAVEN_TIME_ZONE", default="America/Chicago")
USE_I18N = True
USE_TZ = True

# --- Static files ------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = TESTING

# --- Logging -----------------------------------------------------------------
# Log lines carry the request id and never a person's data: request bodies and
# query strings are never logged, and exception reports hide every POST field.
DEFAULT_EXCEPTION_REPORTER_FILTER = "haven.core.logging.RedactingExceptionReporterFilter"
ADMINS: list[tuple[str, str]] = []
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "haven.core.logging.RequestIdFilter"},
        "link_secrets": {"()": "haven.core.logging.RedactLinkSecretsFilter"},
        "paths": {"()": "haven.core.logging.RedactPathsFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "paths", "link_secrets"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("HAVEN_LOG_LEVEL", default="INFO")},
    "loggers": {
        # django.request logs the path of 4xx/5xx responses; paths in Haven
        # hold ids only, never identifying data (see docs/adr/0004-audit-trail.md),
        # and a path typed by hand is written with only its route's words and
        # ids (the "paths" filter).
        "django.security.DisallowedHost": {"level": "ERROR"},
        "django.request": {"filters": ["link_secrets"]},
        "django.server": {"filters": ["link_secrets"]},
        "axes": {"level": "WARNING"},
        # WeasyPrint quotes document text in its warnings (a glyph no font
        # has, say): text that may be a person's name never reaches a log.
        "weasyprint": {"level": "CRITICAL", "propagate": False, "handlers": []},
        "fontTools": {"level": "CRITICAL", "propagate": False, "handlers": []},
    },
}

EMAIL_BACKEND = env.str(
    "HAVEN_EMAIL_BACKEND",
    default="django.core.mail.backends.locmem.EmailBackend"
    if TESTING
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("HAVEN_FROM_EMAIL", default="haven@localhost")

NINJA_PAGINATION_PER_PAGE = 50

if TESTING:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# A shared cache: allauth remembers spent TOTP codes and rate limits in it,
# so every gunicorn worker must see the same one.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "haven_cache",
    }
}

SILENCED_SYSTEM_CHECKS = [
    # Axes warns when lockout is not keyed on the client address. Haven keys it
    # on the user name alone on purpose (see AXES_LOCKOUT_PARAMETERS above):
    # the count for a name holds whatever address, cookie or browser is used.
    "axes.W006",
]
