"""Django settings for yingji, built from ``YINGJI_*`` environment variables (see config.py)."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from yingji import config

try:
    CONFIG = config.load()
except config.ConfigError as error:
    # Refuse to start: a half-configured office server is worse than none.
    sys.stderr.write(f"yingji: configuration error: {error}\n")
    raise SystemExit(2) from None

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = CONFIG.var_dir

SECRET_KEY = CONFIG.secret_key
DATA_KEY = CONFIG.data_key
AUDIT_KEY = CONFIG.audit_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = CONFIG.allowed_hosts
REDIS_URL = CONFIG.redis_url
# Requests each web process works on at once (8 on SQLite, no bound on PostgreSQL);
# more wait their turn (yingji.asgi).
REQUEST_SLOTS = CONFIG.request_slots

# The deadline clock: counting profile and the periods the law leaves to local rules.
CLOCK_PROFILE = CONFIG.clock_profile
CLOCK_FIRST_REPORT_HOURS = CONFIG.first_report_hours
CLOCK_PHONE_REPORT_MINUTES = CONFIG.phone_report_minutes
CLOCK_FIRST_REPORT_MINUTES = CONFIG.first_report_minutes
CLOCK_REPORT_RECEIPT_MINUTES = CONFIG.report_receipt_minutes
CLOCK_FOLLOWUP_REPORT_HOURS = CONFIG.followup_report_hours
CLOCK_FINAL_REPORT_HOURS = CONFIG.final_report_hours
CLOCK_PLAN_REVIEW_YEARS = CONFIG.plan_review_years
CLOCK_DRILL_CYCLE_YEARS = CONFIG.drill_cycle_years
# Drills: a plan familiarity check scored below this percentage means training is needed.
DRILL_CHECK_PASS_PERCENT = CONFIG.drill_check_pass_percent
# Prevention: days to remedy a hazard by level (重大, 较大, 一般, 低; no national rule sets
# them, so each office sets its own), and the early-warning tests on petition trends.
RISK_REMEDIATION_DAYS = CONFIG.risk_remediation_days
TREND = CONFIG.trend
# Stricter duty on holidays and special periods: a leader on duty, and this many officers.
DUTY_HOLIDAY_LEADER = CONFIG.duty_holiday_leader
DUTY_HOLIDAY_OFFICERS = CONFIG.duty_holiday_officers
# Notifications: the SMTP server (None: no e-mail), the sender, and whether drills may
# use external channels at all.
NOTIFY_SMTP = CONFIG.smtp
NOTIFY_MAIL_FROM = CONFIG.mail_from
NOTIFY_DRILL_EXTERNAL = CONFIG.drill_external
NOTIFY_ESCALATION_MINUTES = CONFIG.escalation_minutes
INCIDENT_TASK_ACK_MINUTES = CONFIG.task_ack_minutes
# Where people reach yingji: links in e-mail and SMS (acknowledging urgent notifications).
SITE_URL = CONFIG.site_url

# HTTPS: the public address decides. Behind a proxy that ends TLS, the proxy's
# X-Forwarded-Proto says whether the browser's request was secure (set
# YINGJI_BEHIND_PROXY only when a proxy sets that header and strips the browser's own).
_SITE = urlsplit(CONFIG.site_url)
CSRF_TRUSTED_ORIGINS = [f"{_SITE.scheme}://{_SITE.netloc}"]
if _SITE.hostname and _SITE.hostname not in CONFIG.allowed_hosts:
    ALLOWED_HOSTS = [*CONFIG.allowed_hosts, _SITE.hostname]
BEHIND_PROXY = CONFIG.behind_proxy
if CONFIG.behind_proxy:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if _SITE.scheme == "https":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    # The proxy redirects plain HTTP; redirecting here too would loop behind a proxy
    # that does not say the request was secure.
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
CSRF_FAILURE_VIEW = "yingji.views.csrf_failure"
# Maps: the tile server's URL template (None: outlines on a plain background, no
# request leaves the site) and its credit line.
MAP_TILES = CONFIG.map_tiles
MAP_ATTRIBUTION = CONFIG.map_attribution
PETITION_NUMBER_PATTERN = CONFIG.petition_number_pattern
# The document number (文号) of a petition letter: {code} the issuing unit's 机关代字,
# {year} and {seq} its count of letters that year. Provinces that write it otherwise
# (e.g. "{code}〔{year}〕第{seq}号") change it here.
PETITION_LETTER_NUMBER_PATTERN = "{code}〔{year}〕{seq}号"
# GB/T 9704 names font classes (仿宋, 小标宋, 黑体); offices map them to installed fonts.
DOCUMENT_FONTS = CONFIG.document_fonts

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "servestatic.runserver_nostatic",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "huey.contrib.djhuey",
    "ninja",
    "yingji",
    "yingji.org",
    "yingji.accounts",
    "yingji.audit",
    "yingji.timeline",
    "yingji.clock",
    "yingji.documents",
    "yingji.search",
    "yingji.petitions",
    "yingji.plans",
    "yingji.duty",
    "yingji.notify",
    "yingji.incidents",
    "yingji.resources",
    "yingji.drills",
    "yingji.warnings",
    "yingji.insights",
    "yingji.open311",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "yingji.middleware.security_headers_middleware",
    "yingji.middleware.clean_query_middleware",
    "servestatic.middleware.ServeStaticMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the session (its response runs first): marks the session active for
    # requests a person made, so the session middleware saves it.
    "yingji.accounts.middleware.idle_middleware",
    "yingji.middleware.language_middleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "yingji.accounts.middleware.two_factor_middleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yingji.urls"
WSGI_APPLICATION = "yingji.wsgi.application"
ASGI_APPLICATION = "yingji.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yingji.views.shell_context",
                "yingji.maps.map_settings",
            ],
        },
    },
]

DATABASES = {"default": CONFIG.database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
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
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Single sign-on (accounts/oidc.py): None when YINGJI_OIDC_ISSUER is not set. The
# provider's endpoints come from its discovery document, read at first use.
OIDC = CONFIG.oidc
# False: only administrators (who also pass TOTP) may sign in with a password, as the
# way in when the identity provider is down; everyone else uses single sign-on.
PASSWORD_LOGIN = CONFIG.password_login
# Seconds yingji waits for the identity provider (discovery, keys, token, user info).
OIDC_TIMEOUT = 5

# Sessions end after a period without activity: each action a person takes pushes it.
SESSION_COOKIE_AGE = CONFIG.session_idle_minutes * 60
# Activity, not every request, moves the expiry (accounts.middleware.idle_middleware).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# django-axes: five wrong passwords for one user name from one address lock that
# pair out for fifteen minutes; a correct login resets the count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "yingji.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "yingji.http.client_address"
AXES_VERBOSE = False
# Failed sign-ins from one address over every name, within the cool-off: a whole office
# behind one address stays well below it; a spray of guesses does not.
LOGIN_ADDRESS_FAILURE_LIMIT = 30

OTP_TOTP_ISSUER = "yingji"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LANGUAGE_COOKIE_NAME = "yingji_language"
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = CONFIG.time_zone

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Served straight from the app folders: no collectstatic step before start.
SERVESTATIC_USE_FINDERS = True
SERVESTATIC_AUTOREFRESH = DEBUG

MEDIA_ROOT = VAR_DIR / "media"

# Rate limits and other short-lived counters: shared through Redis when scaled out.
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Public online petitions accepted from one address per hour.
PUBLIC_PETITIONS_PER_HOUR = 5
# Requests one integrating system (an Open311 key: a hotline files for many people) may
# file per hour.
OPEN311_REQUESTS_PER_HOUR = 600
# Uses of a receipt code (status page, its actions, the status API) from one address per
# hour: enough for a petitioner, too few to guess a 12-character code.
PUBLIC_STATUS_PER_HOUR = 60
# Public incident pages read from one address per hour: a page refreshed every few seconds
# through a whole shift stays below it; walking the keys does not.
PUBLIC_INCIDENT_PAGES_PER_HOUR = 1200
# Attachments handed in with a petition: at most this size each, and this many per upload.
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_MAX_FILES = 10
# What one DOCX attachment may unpack to (its ZIP directory's declared sizes).
ATTACHMENT_MAX_UNPACKED = 100 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

HUEY: dict[str, object]
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "yingji",
        "url": REDIS_URL,
        "immediate": False,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "yingji",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"one_line_client_errors": {"()": "yingji.logs.OneLineClientErrors"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["one_line_client_errors"],
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Axes logs user names and addresses of failed logins at INFO: keep them out.
        "axes": {"level": "WARNING"},
        # run_huey installs its own handler; propagating would print every line twice.
        "huey": {"level": "INFO", "propagate": False},
    },
}
