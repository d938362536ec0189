"""Settings for the city government website platform.

Everything that differs between machines comes from the environment. With nothing
set, the platform runs as the *embedded default*: SQLite in WAL mode, a local-memory
cache and a file-system task broker under ``var/``, so it needs no outside service.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PLATFORM_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Production mode ------------------------------------------------------------
# One switch: PLATFORM_PRODUCTION=true refuses the embedded secret key and a host
# wildcard, and turns on HTTPS-only cookies, HSTS, the redirect to HTTPS and the
# Content-Security-Policy. Without it the platform runs as the embedded default.
PLATFORM_PRODUCTION = env_bool("PLATFORM_PRODUCTION", False)
EMBEDDED_SECRET_KEY = "embedded-default-not-secret-change-me-in-production"

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or EMBEDDED_SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "*")

# The address the platform actually runs on: `make run` and bin/run-platform pass
# HOST and PORT, so links in e-mails and redirects follow a moved port.
PLATFORM_HOST = os.environ.get("HOST", "127.0.0.1")
PLATFORM_PORT = os.environ.get("PORT", "8000")
_LINK_HOST = "127.0.0.1" if PLATFORM_HOST in ("", "0.0.0.0", "::") else PLATFORM_HOST
DEFAULT_BASE_URL = f"http://{_LINK_HOST}:{PLATFORM_PORT}"
# Where the demo ferry's feeds are pulled from: the platform itself on loopback, at the
# port it serves (`make run`'s PORT, or a test server's loopback PLATFORM_BASE_URL).
# Read at every tick of the demo clock, which re-points the feeds (demo/livedata.py).
_LOOPBACK_BASE = os.environ.get("PLATFORM_BASE_URL", "")
LIVEDATA_DEMO_FEED_BASE = os.environ.get("LIVEDATA_DEMO_FEED_BASE") or (
    _LOOPBACK_BASE if _LOOPBACK_BASE.startswith(("http://127.0.0.1:", "http://localhost:"))
    else f"http://127.0.0.1:{PLATFORM_PORT}")
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS",
    ",".join(dict.fromkeys([os.environ.get("PLATFORM_BASE_URL", DEFAULT_BASE_URL).rstrip("/"), DEFAULT_BASE_URL,
                            f"http://localhost:{PLATFORM_PORT}"])),
)

if PLATFORM_PRODUCTION:
    from django.core.exceptions import ImproperlyConfigured

    if SECRET_KEY == EMBEDDED_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "生产模式(PLATFORM_PRODUCTION=true)拒绝启动:请在环境变量 SECRET_KEY 中设置至少50个字符的随机密钥,"
            "不能使用内置的默认密钥。可用 python -c 'import secrets; print(secrets.token_urlsafe(64))' 生成。")
    if "ALLOWED_HOSTS" not in os.environ or not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "生产模式(PLATFORM_PRODUCTION=true)拒绝启动:请在环境变量 ALLOWED_HOSTS 中逐个列出平台的域名"
            "(逗号分隔),不能使用 *。")
    if DEBUG:
        raise ImproperlyConfigured("生产模式(PLATFORM_PRODUCTION=true)不能同时开启 DEBUG。")
    # Behind the platform's reverse proxy, which terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # /healthz is asked by the proxy and the monitor over plain HTTP on the inside.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# The Content-Security-Policy (cityplatform/security.py): on in production; PLATFORM_CSP=true
# tries it on the embedded default.
PLATFORM_CSP = env_bool("PLATFORM_CSP", PLATFORM_PRODUCTION)

INSTALLED_APPS = [
    "orgs",
    "guard",
    "portal",
    "disclosure",
    "publishing",
    "letters",
    "hosting",
    "delivery",
    "search",
    "livedata",
    "supervision",
    "cityplatform",
    "demo",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.sites",
    "orgs.userapp.PlatformUsersConfig",  # wagtail.users, with groups kept in line with memberships
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "ninja",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # First of all: a body over MAX_REQUEST_BYTES is refused before anything reads it.
    "guard.bodylimit.BodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside everything that can answer, so kept pages and filled 405s carry the policy too.
    "cityplatform.security.PlatformCSPMiddleware",
    # Fills the bare 405 of any view below it (cityplatform/errors.py).
    "cityplatform.errors.MethodNotAllowedMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # 503 with a Chinese message when the database refuses writes or is away (outside
    # every middleware that may touch the database, so it sees their failures too).
    "cityplatform.middleware.DatabaseUnavailableMiddleware",
    "portal.pagecache.PageCacheMiddleware",
    # The route of an address Wagtail has found before (until the next publication).
    "portal.routecache.RouteCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Password guessing and reset mail are limited per address and per account.
    "guard.loginlimit.LoginLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A DomainError out of one of Wagtail's own admin views is a message, not a 500.
    "cityplatform.errors.AdminDomainErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

# A form without a valid CSRF token gets the readable 403 page (cityplatform/errors.py).
CSRF_FAILURE_VIEW = "cityplatform.errors.csrf_failure"

# Published pages are kept for anonymous readers (portal/pagecache.py); 0 turns it off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))

ROOT_URLCONF = "cityplatform.urls"
WSGI_APPLICATION = "cityplatform.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Storage -----------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "platform.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server and the worker read while the other writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file-backed test database, so a real worker process can share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# The test suite keeps its cache entries apart: Wagtail's site root paths and the
# kept pages of a test city must never reach a platform running on the same var/,
# and parallel test workers (pytest-xdist) must not see each other's entries.
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX") or (
    "test" + os.environ.get("PYTEST_XDIST_WORKER", "") if "pytest" in sys.modules else "city"
)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            # Parallel test workers each have a directory: a test that empties its
            # cache must not empty the other worker's.
            "LOCATION": str(VAR_DIR / "cache" / ("test" + os.environ.get("PYTEST_XDIST_WORKER", ""))
                            if "pytest" in sys.modules else VAR_DIR / "cache"),
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            # Kept pages are entries too; past MAX_ENTRIES the file cache drops a third.
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# --- Background work (Celery) -------------------------------------------------
# With REDIS_URL the broker is Redis; otherwise a file-system broker under var/
# lets the embedded default run a real worker with no outside service.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL == "filesystem://":
    BROKER_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR),
        "data_folder_out": str(BROKER_DIR),
        "control_folder": str(BROKER_DIR / "control"),
        # A publication's bake waits for the worker to see its message: look often.
        "polling_interval": 0.2,
    }
# Parallel test processes (pytest-xdist) share the broker; each worker's tasks go to
# a queue of its own, and a worker a test starts inherits the variable.
CELERY_TASK_DEFAULT_QUEUE = "celery" + os.environ.get("PYTEST_XDIST_WORKER", "")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# A submission queues its e-mail on commit: a broker that is down must cost it a
# moment, not a hang (the outbox sweep sends the mail later).
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
# One beat scheduler per installation (cityplatform/beat.py): the others wait, passive,
# and one takes over within BEAT_LOCK_RETRY_SECONDS when the active one is gone.
CELERY_BEAT_SCHEDULER = "cityplatform.beat:SingleBeatScheduler"
BEAT_LOCK_RETRY_SECONDS = float(os.environ.get("BEAT_LOCK_RETRY_SECONDS", "10"))
# How often the sweeps that pick up what a killed worker or a lost message left run.
SWEEP_SECONDS = float(os.environ.get("SWEEP_SECONDS", "60"))
# --- Site search (search/) ------------------------------------------------------
# The index follows every publication through the worker (off only for a bulk load).
SEARCH_FOLLOW = env_bool("SEARCH_FOLLOW", True)

# --- Baked pages (delivery/) ---------------------------------------------------
# Published pages are baked into static files here, one tree per site; nginx (or, in
# the embedded default, cityplatform/wsgi.py) serves them before the application.
PUBLISH_ROOT = Path(os.environ.get("PUBLISH_ROOT", VAR_DIR / "publish"))
# Off: nothing is baked and every page is rendered by the application (its page cache).
PLATFORM_BAKE = env_bool("PLATFORM_BAKE", True)
# The watcher's full scan of the publish root (it also follows file-system events).
INTEGRITY_SCAN_SECONDS = float(os.environ.get("INTEGRITY_SCAN_SECONDS", "300"))
# Who hears of a tampered file besides the site's unit: the portal management centre.
INTEGRITY_NOTIFY = [a for a in os.environ.get("INTEGRITY_NOTIFY", "").split(",") if a]

# --- Supervision (supervision/) --------------------------------------------------
# Where the collectors reach the hosted sites: empty, in-process through the
# application itself (no network needed); otherwise an origin such as
# http://127.0.0.1:8000 (the sites' path prefixes are appended).
SUPERVISION_HOSTED_ORIGIN = os.environ.get("SUPERVISION_HOSTED_ORIGIN", "")
# Availability probes a day per site (the indicators ask for at least 20, spaced).
SUPERVISION_PROBES_PER_DAY = int(os.environ.get("SUPERVISION_PROBES_PER_DAY", "24"))
SUPERVISION_PROBE_TIMEOUT = float(os.environ.get("SUPERVISION_PROBE_TIMEOUT", "15"))
# A crawl's fetch: per-request timeout, the largest body read, redirects followed.
SUPERVISION_FETCH_TIMEOUT = float(os.environ.get("SUPERVISION_FETCH_TIMEOUT", "15"))
SUPERVISION_MAX_BODY = int(os.environ.get("SUPERVISION_MAX_BODY", str(5 * 1024 * 1024)))
SUPERVISION_MAX_REDIRECTS = int(os.environ.get("SUPERVISION_MAX_REDIRECTS", "5"))
# Check external links (off where the machine has no outside network: recorded as
# not checked, never as broken).
SUPERVISION_EXTERNAL_LINKS = env_bool("SUPERVISION_EXTERNAL_LINKS", True)
SUPERVISION_USER_AGENT = os.environ.get("SUPERVISION_USER_AGENT", "CityPlatform-Supervision/1.0")

CELERY_BEAT_SCHEDULE = {
    "demo-live-clock": {"task": "demo.live_clock", "schedule": 30.0},  # demo/livedata.py; idle without the demo
    "worker-heartbeat": {"task": "cityplatform.heartbeat", "schedule": 20.0},
    "letters-flush-notifications": {"task": "letters.flush_notifications", "schedule": SWEEP_SECONDS},
    "hosting-sweep-migrations": {"task": "hosting.sweep_migrations", "schedule": SWEEP_SECONDS},
    "letters-deadlines-sweep": {"task": "letters.deadlines_sweep", "schedule": 3600.0},
    "letters-refresh-stats": {"task": "letters.refresh_stats", "schedule": 600.0},  # letters.queries.REFRESH_EVERY
    # Online pre-acceptance: reminders to the units hourly; the service statistics of
    # the month just ended on the first of each month (disclosure/tasks.py).
    "disclosure-forms-deadlines-sweep": {"task": "disclosure.forms_deadlines_sweep", "schedule": 3600.0},
    "disclosure-forms-monthly-stats": {"task": "disclosure.forms_monthly_stats",
                                       "schedule": crontab(minute=20, hour=1, day_of_month=1)},
    # Applications for disclosure: reminders hourly; January's annual-report drafts.
    "disclosure-applications-sweep": {"task": "disclosure.applications_sweep", "schedule": 3600.0},
    "disclosure-annual-report-drafts": {"task": "disclosure.annual_report_drafts", "schedule": 6 * 3600.0},
    # Pages scheduled to go live or to expire (the editor's 设置计划).
    "portal-publish-scheduled": {"task": "portal.publish_scheduled", "schedule": 60.0},
    # The bake's sweep (what a lost message left) and the full integrity scan (delivery/).
    "delivery-bake-sweep": {"task": "delivery.bake_pending", "schedule": SWEEP_SECONDS},
    "delivery-integrity-scan": {"task": "delivery.integrity_scan", "schedule": INTEGRITY_SCAN_SECONDS},
    # The site search's index rebuilt at night: a safety net behind the tasks that
    # follow each publication (search/tasks.py).
    "search-rebuild": {"task": "search.rebuild", "schedule": crontab(minute=10, hour=4)},
    # Supervision (supervision/tasks.py): probes every few minutes (each site's due
    # ones), crawls as they fall due, the scorecards and the A2 columns daily.
    "supervision-probe-sites": {"task": "supervision.probe_sites", "schedule": 300.0},
    "supervision-crawl-sites": {"task": "supervision.crawl_sites", "schedule": 900.0},
    "supervision-score-sites": {"task": "supervision.score_sites", "schedule": crontab(minute=30, hour=5)},
    "supervision-flag-columns": {"task": "supervision.flag_columns", "schedule": crontab(minute=0, hour=8)},
    # The admin search's ranking norms (portal/search_index.py), at night.
    "portal-refresh-search-norms": {"task": "portal.refresh_search_norms", "schedule": crontab(minute=40, hour=3)},
    # Live data's GTFS feeds (livedata/tasks.py): each pulled when its own interval has passed.
    "livedata-pull-feeds": {"task": "livedata.pull_feeds", "schedule": 30.0},
}
# Seconds after which a silent worker is reported as down by /healthz.
WORKER_HEARTBEAT_MAX_AGE = int(os.environ.get("WORKER_HEARTBEAT_MAX_AGE", "90"))

# --- E-mail -------------------------------------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@cq.gov.cn")
# A mail server that hangs must not hold a worker for ever (seconds per SMTP step).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
# A worker sending a notification claims it for this long; a claim that old belongs to
# a dead worker and the sweep sends the mail again (same Message-ID). Longer than the
# slowest send: connect, EHLO, MAIL, RCPT, DATA, QUIT may each take EMAIL_TIMEOUT.
NOTIFICATION_CLAIM_SECONDS = int(os.environ.get("NOTIFICATION_CLAIM_SECONDS", str(max(300, 10 * EMAIL_TIMEOUT))))
# A new notification is left to its own task for this long before the sweep sends it.
NOTIFICATION_SWEEP_AFTER_SECONDS = int(os.environ.get("NOTIFICATION_SWEEP_AFTER_SECONDS", "30"))
if "EMAIL_HOST" not in os.environ:
    # Embedded default: keep outgoing mail as files instead of failing.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# --- Auth -----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"

# --- Language and time ----------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文")]
# One city, one time zone: the account page offers it instead of the world's list in English.
WAGTAIL_USER_TIME_ZONES = ["Asia/Shanghai"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static and media -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Wagtail ------------------------------------------------------------------------
WAGTAIL_SITE_NAME = os.environ.get("PLATFORM_NAME", "重庆市政府网站集约化平台")
WAGTAILADMIN_BASE_URL = os.environ.get("PLATFORM_BASE_URL", DEFAULT_BASE_URL)
WAGTAIL_I18N_ENABLED = False
# Wagtail's database backend, without its per-save pass over the whole index
# (portal/search_index.py); the norms are recomputed nightly by the worker.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "portal.search_index"}}
WAGTAIL_FINISH_WORKFLOW_ACTION = "publishing.finish.publish_approved_workflow_state"
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ofd", "wps", "txt", "zip", "csv", "jpg", "png"]
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "gif", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_IMAGE_FORM_BASE = "guard.forms.CheckedImageForm"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "guard.forms.CheckedDocumentForm"
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ALLOW_UNICODE_SLUGS = True
# Documents go out only through Wagtail's serve view, which checks that a published
# page uses them or the reader is staff of their unit (portal/private_media.py).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
SENDFILE_BACKEND = "portal.private_media"
# Production: the web server's internal location for MEDIA_ROOT (e.g. "/_media/");
# checked files are then handed over by X-Accel-Redirect instead of being streamed.
MEDIA_ACCEL_REDIRECT_PREFIX = os.environ.get("MEDIA_ACCEL_REDIRECT_PREFIX", "")

# --- The platform ---------------------------------------------------------------
# The city's own domain: a site at <x>.<PLATFORM_DOMAIN> is reached on one machine
# under /s/<x>/; any other host name under /s/<host name>/.
PLATFORM_DOMAIN = os.environ.get("PLATFORM_DOMAIN", "cq.gov.cn")
# True: page links use the path form (/s/<x>/...), for one machine with no DNS.
# False: each site is linked by its own host name (production).
PLATFORM_PATH_SITES = env_bool("PLATFORM_PATH_SITES", True)
PLATFORM_BASE_URL = WAGTAILADMIN_BASE_URL
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
# A site migration renews its lease after every item; a lease this old belongs to a
# dead worker, and the sweep (hosting.sweep_migrations) continues the migration.
HOSTING_LEASE_SECONDS = int(os.environ.get("HOSTING_LEASE_SECONDS", "120"))
# Export packages wait here (outside the public media) until their migration is done.
HOSTING_PACKAGE_DIR = Path(os.environ.get("HOSTING_PACKAGE_DIR", VAR_DIR / "migration-packages"))
# The embedded default serves uploaded media itself; production lets the web server do it.
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
# Citizens' letter attachments: outside MEDIA_ROOT, never served by the media URL;
# delivered only through the permission-checked view (letters.files). With
# PRIVATE_MEDIA_ACCEL_REDIRECT set (e.g. "/_private/", an nginx `internal` location
# whose alias is PRIVATE_MEDIA_ROOT) the view answers with an X-Accel-Redirect
# header and lets the web server send the bytes (docs/private-files.md).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
PRIVATE_MEDIA_ACCEL_REDIRECT = os.environ.get("PRIVATE_MEDIA_ACCEL_REDIRECT", "")
# Where the notice (渝办发〔2005〕209号) is read from when the demo city is loaded.
PLATFORM_SEED_DIR = Path(os.environ.get("PLATFORM_SEED_DIR", BASE_DIR.parent / "shared" / "seed"))

# --- Abuse limits (guard) ----------------------------------------------------------
# Reverse proxies of the platform's own in front of the application server, each
# appending to X-Forwarded-For; the client is the N-th address from the right. 0 (the
# embedded server, reached directly) ignores the header: never set it higher than the
# number of proxies, or clients can choose their own address.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# The largest request body accepted anywhere (pages, the API, the admin), checked
# before the body is read: one attachment of UPLOAD_MAX_BYTES plus the form around it.
MAX_REQUEST_BYTES = int(os.environ.get("MAX_REQUEST_BYTES", str(UPLOAD_MAX_BYTES + 5 * 1024 * 1024)))
# Letters a client may send per hour: per address (or IPv6 /64) through the form and
# the API together, and per business system with a token.
LETTERS_PER_ADDRESS_PER_HOUR = int(os.environ.get("LETTERS_PER_ADDRESS_PER_HOUR", "5"))
# Online applications (网上填表预受理) one client may submit per hour.
ONLINE_APPLICATIONS_PER_HOUR = int(os.environ.get("ONLINE_APPLICATIONS_PER_HOUR", "10"))
LETTERS_PER_CLIENT_PER_HOUR = int(os.environ.get("LETTERS_PER_CLIENT_PER_HOUR", "1000"))
# Batches a live-data client may push per minute (each up to 1,000 records; livedata/api.py).
LIVEDATA_BATCHES_PER_MINUTE = int(os.environ.get("LIVEDATA_BATCHES_PER_MINUTE", "300"))
# Reads of the open boards per client address per minute (a board polls every second).
LIVEDATA_READS_PER_MINUTE = int(os.environ.get("LIVEDATA_READS_PER_MINUTE", "900"))
# A GTFS feed pull: seconds per request step (the whole pull may take three times it), redirects.
LIVEDATA_FEED_TIMEOUT = float(os.environ.get("LIVEDATA_FEED_TIMEOUT", "15"))
LIVEDATA_FEED_MAX_REDIRECTS = int(os.environ.get("LIVEDATA_FEED_MAX_REDIRECTS", "3"))
# Origins of feeds that may be on loopback or inside addresses (every other feed is
# refused there: livedata/feeds/fetch.py); by default only the demo's own feeds.
LIVEDATA_FEED_PRIVATE_ORIGINS = env_list("LIVEDATA_FEED_PRIVATE_ORIGINS", LIVEDATA_DEMO_FEED_BASE)

# --- Login limits (guard/loginlimit.py) ------------------------------------------------
# Failed logins per client address and per account in 15 minutes, and password-reset
# requests per address in an hour; a successful login does not count.
LOGIN_PATHS = ("/admin/login/",)
PASSWORD_RESET_PATHS = ("/admin/password_reset/",)
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "30"))
LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "8"))
PASSWORD_RESETS_PER_ADDRESS = int(os.environ.get("PASSWORD_RESETS_PER_ADDRESS", "5"))

# The admin shows no avatars from an outside service (staff e-mail hashes would leave
# the platform) and no help menu that leads to English pages outside it.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# The test suite creates thousands of accounts: a fast hasher there (never in a
# running platform, which keeps Django's PBKDF2 default).
if "pytest" in sys.modules:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Nothing is baked in the suite unless a test asks (delivery's tests, in a
    # directory of their own): the other tests read the application's rendering.
    PLATFORM_BAKE = env_bool("PLATFORM_BAKE", False)
    PUBLISH_ROOT = VAR_DIR / ("publish-test" + os.environ.get("PYTEST_XDIST_WORKER", ""))
