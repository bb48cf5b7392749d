"""Dateline settings: one module, configured by the environment.

With nothing set, Dateline runs in debug mode on a SQLite file inside the
project, so a newcomer needs no services. Production sets DATABASE_URL,
SECRET_KEY, ALLOWED_HOSTS, CACHE_URL and DEBUG=0.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Dateline refuses to start with DEBUG off and no "
            "SECRET_KEY: set SECRET_KEY to a long random string in the environment."
        )
    # Only ever used in debug mode on a developer's machine.
    SECRET_KEY = "dateline-insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "newsroom.apps.DatelineAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "newsroom.apps.ContextsConfig",
    "django_filters",
    "reversion",
    # The rich-text editor's script and styles; Dateline loads them itself (newsroom/admin/editor.py).
    "django_prose_editor",
    "newsroom",
    "events",
    "newsroom.comments",
    "csp",
    "axes",
    "newsroom.frontpage",
    # Reader accounts: sign-up with a confirmed email, sign-in by email, password reset (django-allauth).
    "allauth",
    "allauth.account",
    "newsroom.readers",
    "newsroom.api",
    # Only for the interactive API docs' script and styles, served from this site.
    "ninja",
    "django_tasks_db",
    "newsroom.webhooks",
    "newsroom.importers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the page cache, so pages replayed from it carry the policy too.
    "newsroom.policy.ContentSecurityPolicyMiddleware",
    # A NUL byte or broken UTF-8 in the path or query answers 400 here, before any other code reads it.
    "newsroom.malformed.MalformedRequestMiddleware",
    # A database that cannot be reached answers 503 with Retry-After and the site's own page, not a 500.
    "newsroom.faults.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Counts reads of story pages whether rendered or replayed from the page cache below it.
    "newsroom.popularity.MostReadMiddleware",
    # Above the page cache, so a page it renders for an anonymous reader may read from a replica.
    "newsroom.dbrouting.ReplicaRoutingMiddleware",
    # Above the page cache, so a stored 404 for an address an import later claimed still redirects.
    "newsroom.importers.middleware.LegacyAddressMiddleware",
    # A stored page returns from here, before sessions, authentication and the rest run; it keeps the
    # headers they set. No stored page carries a form token (comments.js fetches one), so none sets a cookie.
    "newsroom.pagecache.PageCacheMiddleware",
    # /api/ only: partners' keys, the request rates and CORS, before any view of the API runs.
    "newsroom.api.access.ApiAccessMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"

TEMPLATES = [
    {
        "BACKEND": "newsroom.templating.DjangoTemplates",
        "NAME": "django",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsroom.context_processors.site",
            ],
            "builtins": ["newsroom.templatetags.calendar_days", "newsroom.templatetags.extending"],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'dateline.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent connections buy nothing on SQLite and keep files locked in tests.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20})

# Read replicas (newsroom.dbrouting): anonymous readers' pages are read from them while they keep up.
DATABASE_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", ""), start=1):
    _alias = f"replica{_number}"
    DATABASES[_alias] = dj_database_url.parse(
        _url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True
    )
    if DATABASES[_alias]["ENGINE"] == "django.db.backends.postgresql":
        # A replica that does not answer is given up on quickly; the primary answers instead.
        DATABASES[_alias].setdefault("OPTIONS", {}).setdefault("connect_timeout", 1)
    # Tests run on the primary's test database only.
    DATABASES[_alias]["TEST"] = {"MIRROR": "default"}
    DATABASE_REPLICAS.append(_alias)
DATABASE_ROUTERS = ["newsroom.dbrouting.ReplicaRouter"]
# Django's PostgreSQL backend with a health check that costs no round trip while the connection is quiet
# (newsroom/backends/postgresql/base.py).
for _settings in DATABASES.values():
    if _settings["ENGINE"] == "django.db.backends.postgresql":
        _settings["ENGINE"] = "newsroom.backends.postgresql"
# On PostgreSQL, queries are sent with their parameters apart (server-side binding), so psycopg can prepare a
# statement the connection has run a few times already and PostgreSQL skips parsing and planning it again: a
# story page's queries spend longer being planned than being run. Turn off (DATABASE_PREPARED_STATEMENTS=0)
# behind a connection pooler that does not keep prepared statements (PgBouncer in transaction mode before 1.21).
if env_bool("DATABASE_PREPARED_STATEMENTS", True):
    for _settings in DATABASES.values():
        if _settings["ENGINE"] == "newsroom.backends.postgresql":
            _settings.setdefault("OPTIONS", {}).setdefault("server_side_binding", True)
            _settings["OPTIONS"].setdefault("prepare_threshold", 3)
DATABASE_REPLICA_MAX_LAG = float(os.environ.get("DATABASE_REPLICA_MAX_LAG", "5"))
DATABASE_REPLICA_CHECK_SECONDS = float(os.environ.get("DATABASE_REPLICA_CHECK_SECONDS", "1"))
# How long a change's purge waits for the replicas to replay it, so the pages rendered right after come out fresh;
# past this it purges anyway and once more when they have caught up.
DATABASE_REPLICA_PURGE_WAIT = float(os.environ.get("DATABASE_REPLICA_PURGE_WAIT", "1"))
DATABASE_REPLICA_RETRY_SECONDS = float(os.environ.get("DATABASE_REPLICA_RETRY_SECONDS", "5"))
# How long a client that has just written reads only from the primary.
DATABASE_REPLICA_PIN_SECONDS = int(os.environ.get("DATABASE_REPLICA_PIN_SECONDS", "5"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    # The cache is an accelerator, never a dependency: with Redis unreachable this backend answers as an
    # empty cache within a quarter of a second, then leaves Redis alone for CACHE_SKIP_SECONDS between tries.
    CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "dateline",
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("CACHE_TIMEOUT", "0.25")),
                "socket_timeout": float(os.environ.get("CACHE_TIMEOUT", "0.25")),
                "SKIP_SECONDS": float(os.environ.get("CACHE_SKIP_SECONDS", "2")),
                # Read-mostly values every page reads, kept in each process until Redis announces a change
                # (newsroom.keptreads): stored pages and their keys' versions, the purge stamp, the header's
                # sections, the most-read list, the front page's arrangement and the kept list figures.
                # CACHE_TRACKING=0 reads them from Redis every time.
                "TRACK_PREFIXES": (
                    [
                        "dateline:pages:",
                        "dateline:key:",
                        "dateline:keys:",
                        "dateline:nav-sections",
                        "dateline:most-read:list",
                        "dateline:frontpage:",
                        "dateline:kept:",
                        "dateline:kept-for:",
                        "dateline:stamp:",
                    ]
                    if env_bool("CACHE_TRACKING", True)
                    else []
                ),
            },
        }
    }
else:
    # Each process keeps its own: Django's local-memory cache, reading a stored page's keys under one lock.
    CACHES = {"default": {"BACKEND": "newsroom.cache.LocalMemoryCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("de", "German"),
    ("pt", "Portuguese"),
    ("ar", "Arabic"),
    ("zh-hans", "Chinese (Simplified)"),
    ("ja", "Japanese"),
    ("ko", "Korean"),
    ("ru", "Russian"),
]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
# Interface words on public pages: English, and the languages with a catalogue under locale/. A story page is
# shown in its story's language when that is one of these, in LANGUAGE_CODE otherwise; every other page in
# LANGUAGE_CODE. Addresses carry no language prefix (no LocaleMiddleware): a story's address is its own.
LOCALE_PATHS = [BASE_DIR / "locale"]
DATELINE_INTERFACE_LANGUAGES = ("en", "fr")
USE_TZ = True
# newsroom/formats/en: the admin's one date and time format, with the zone's abbreviation.
FORMAT_MODULE_PATH = ["newsroom.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "newsroom.staticstorage.StaticFilesStorage"
        )
    },
}

MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))


def media_storage(url: str) -> tuple[dict, str | None]:
    """The S3 storage a MEDIA_STORAGE_URL names, and the origin readers fetch media from (for the CSP).

    s3://BUCKET?endpoint_url=https://s3.example.net&region=eu-west-1&custom_domain=media.example.org&location=p
    Credentials come the usual boto3 way (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an instance role).
    """
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ImproperlyConfigured(f"MEDIA_STORAGE_URL must look like s3://bucket?endpoint_url=..., not {url!r}.")
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    options = {
        "bucket_name": parts.netloc,
        # Names are made unique by Django rather than overwritten: a rendition never replaces another's file.
        "file_overwrite": False,
        # Media are public: plain addresses a page (and an HTTP cache) can keep, not signed ones that expire.
        "querystring_auth": False,
        "default_acl": query.get("acl") or None,
        "location": query.get("location", ""),
    }
    for name, option in (
        ("endpoint_url", "endpoint_url"),
        ("region", "region_name"),
        ("custom_domain", "custom_domain"),
    ):
        if query.get(name):
            options[option] = query[name]
    if query.get("url_protocol"):
        options["url_protocol"] = query["url_protocol"].rstrip(":") + ":"
    if "custom_domain" in options:
        origin = f"{options.get('url_protocol', 'https:')}//{options['custom_domain'].split('/')[0]}"
    elif "endpoint_url" in options:
        endpoint = urlsplit(options["endpoint_url"])
        origin = f"{endpoint.scheme}://{endpoint.netloc}"
    else:
        origin = f"https://{parts.netloc}.s3.amazonaws.com"
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}, origin


# Uploads and renditions in an S3-compatible bucket, so every application server sees the same files.
MEDIA_STORAGE_URL = os.environ.get("MEDIA_STORAGE_URL", "")
MEDIA_ORIGIN = None
if MEDIA_STORAGE_URL:
    STORAGES["default"], MEDIA_ORIGIN = media_storage(MEDIA_STORAGE_URL)

LOGIN_URL = "admin:login"

# Contexts are separated by commas or new lines only, so a phrase is one context, and "harbour" finds "Harbour".
TAGGIT_TAGS_FROM_STRING = "newsroom.tags.parse_contexts"
TAGGIT_STRING_FROM_TAGS = "newsroom.tags.contexts_string"
TAGGIT_CASE_INSENSITIVE = True

# Uploads: refused before Pillow decodes them when larger than these.
DATELINE_IMAGE_MAX_BYTES = int(os.environ.get("IMAGE_MAX_BYTES", str(15 * 1024 * 1024)))
# Pixel limits keep one upload's decode within about 120 MB of worker memory (bench/upload_memory.py).
# PNG, WebP and GIF are decoded in full: 24 MP takes every 24 MP camera frame and costs ~115 MB, where
# the former 40 MP limit let one upload take 536 MB. JPEG is decoded scaled down to what the largest
# rendition needs, so a 50 MP frame (the largest news cameras') costs ~100 MB, no more than a 12 MP one.
DATELINE_IMAGE_MAX_PIXELS = int(os.environ.get("IMAGE_MAX_PIXELS", str(24_000_000)))
DATELINE_IMAGE_MAX_PIXELS_JPEG = int(os.environ.get("IMAGE_MAX_PIXELS_JPEG", str(50_000_000)))
# 720 is for phones drawing a picture about 360 px wide at twice the density.
DATELINE_IMAGE_RENDITION_WIDTHS = (480, 720, 960, 1600)
# AVIF renditions beside the WebP ones (when Pillow can write AVIF); IMAGE_AVIF=0 turns them off.
DATELINE_IMAGE_AVIF = os.environ.get("IMAGE_AVIF", "1") != "0"
# The widest rendition; larger originals are kept as uploaded but never served at full size.
DATELINE_IMAGE_LARGEST_RENDITION = int(os.environ.get("IMAGE_LARGEST_RENDITION", "2400"))
DATELINE_SITE_NAME = os.environ.get("SITE_NAME", "Dateline")
DATELINE_PAGE_SIZE = 20
# Reader search ranks, lists and counts at most this many of the newest matching stories: ten pages.
# Each one more costs time in ranking and in the facet counts (500 took a search from 16 to 21 ms).
DATELINE_SEARCH_CANDIDATES = int(os.environ.get("SEARCH_CANDIDATES", "200"))
# Whole pages for anonymous readers (newsroom.pagecache). Off while developing, so edits show at once.
DATELINE_PAGE_CACHE = env_bool("PAGE_CACHE", not DEBUG)
# PAGE_CACHE_SERVE=0 renders every page while list counts stay cached (how the benchmark measures a render).
DATELINE_PAGE_CACHE_SERVE = env_bool("PAGE_CACHE_SERVE", True)
# A stored page answered at the WSGI boundary, before Django's request handling (newsroom.earlyreplay);
# EARLY_REPLAY=0 leaves every request to Django, the page cache still serving from its middleware.
DATELINE_EARLY_REPLAY = env_bool("EARLY_REPLAY", True)
DATELINE_PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
DATELINE_PAGE_MAX_AGE = int(os.environ.get("PAGE_MAX_AGE", "60"))
# Archive freeze: a published story older than this many days changes only through a recorded correction and
# its comments close; a section may set its own age. 0 or empty: stories never freeze unless their section says.
DATELINE_FREEZE_AFTER_DAYS = int(os.environ.get("FREEZE_AFTER_DAYS", "0") or 0) or None
# How long browsers and shared caches may keep a frozen story's page: it changes only by a correction.
DATELINE_FROZEN_MAX_AGE = int(os.environ.get("FROZEN_MAX_AGE", str(24 * 60 * 60)))
# check_sources: how many links are checked at once and how long each request may take.
DATELINE_LINK_CHECK_WORKERS = int(os.environ.get("LINK_CHECK_WORKERS", "8"))
DATELINE_LINK_CHECK_TIMEOUT = float(os.environ.get("LINK_CHECK_TIMEOUT", "10"))
# How long an HTTP cache in front (Varnish) may keep a public page: long, as every change purges what it touches.
DATELINE_HTTP_CACHE_SECONDS = int(os.environ.get("HTTP_CACHE_SECONDS", str(24 * 60 * 60)))
# The HTTP caches in front that take purges by surrogate key (Varnish with xkey: deploy/varnish/dateline.vcl).
HTTP_CACHE_PURGE_URLS = env_list("HTTP_CACHE_PURGE_URLS", "")
# Who counts a read of a story for "most read now" (newsroom.popularity): "server", Django as it serves the page
# (one machine, no HTTP cache in front), or "beacon", a script on the page reporting it (the default once an HTTP
# cache answers most pages, as HTTP_CACHE_PURGE_URLS says there is).
DATELINE_MOST_READ_COUNTING = os.environ.get("MOST_READ_COUNTING", "").strip().lower() or (
    "beacon" if HTTP_CACHE_PURGE_URLS else "server"
)
if DATELINE_MOST_READ_COUNTING not in ("server", "beacon"):
    raise ImproperlyConfigured(f"MOST_READ_COUNTING must be server or beacon, not {DATELINE_MOST_READ_COUNTING!r}.")
# In server mode, how long each server process gathers the reads it counts before adding them to the cache's
# counters in one trip (0: each read as it comes).
DATELINE_MOST_READ_BATCH_SECONDS = float(os.environ.get("MOST_READ_BATCH_SECONDS", "1"))
# In beacon mode, how many reads of one story one address may add, as django-ratelimit writes rates.
DATELINE_MOST_READ_PER_ADDRESS = os.environ.get("MOST_READ_PER_ADDRESS", "5/h").strip()
if not re.fullmatch(r"[0-9]+/[0-9]*[smhd]", DATELINE_MOST_READ_PER_ADDRESS):
    raise ImproperlyConfigured(f"MOST_READ_PER_ADDRESS must look like 5/h, not {DATELINE_MOST_READ_PER_ADDRESS!r}.")
# "keys": a change purges the pages showing it; "site": every change purges every page (for comparison).
DATELINE_PURGE_SCOPE = os.environ.get("PURGE_SCOPE", "keys")
# How long a purge may wait on one of them before it is skipped (and left alone for a few seconds).
HTTP_CACHE_PURGE_TIMEOUT = float(os.environ.get("HTTP_CACHE_PURGE_TIMEOUT", "0.5"))
# Lists (front, days, contexts...) purged softly: answered from the old copy while one request renders the
# new one; a story's own page always hard. HTTP_CACHE_SOFT_PURGE=0 purges everything hard.
HTTP_CACHE_SOFT_PURGE = os.environ.get("HTTP_CACHE_SOFT_PURGE", "1") != "0"
# What the 503 page's Retry-After asks of browsers and crawlers while the database cannot be reached.
DATELINE_RETRY_AFTER_SECONDS = int(os.environ.get("RETRY_AFTER_SECONDS", "10"))

# Email goes to the console unless the environment names a mail server: EMAIL_URL in one line
# (smtp://user:password@mail.example.org:587/?tls=1, smtps://... for TLS from the first byte) or
# EMAIL_HOST with EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL.
# EMAIL_BACKEND names any other backend outright.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
_email_server = bool(os.environ.get("EMAIL_HOST"))
if os.environ.get("EMAIL_URL"):
    from newsroom.mailconfig import parse_email_url

    _email = parse_email_url(os.environ["EMAIL_URL"])
    EMAIL_HOST, EMAIL_PORT = _email["host"], _email["port"]
    EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = _email["user"], _email["password"]
    EMAIL_USE_TLS, EMAIL_USE_SSL = _email["use_tls"], _email["use_ssl"]
    _email_server = True
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if _email_server
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Dateline <newsroom@localhost>")

# Reader accounts (django-allauth, newsroom/readers). Readers sign in with their email address and must
# confirm it before they can sign in, and so before they can comment. Accounts made here never get staff
# rights (newsroom.readers.adapter). allauth's own rate limits (kept in the cache) sit on top of the
# sign-in throttling below, which counts every failed reader sign-in like an editor's.
ACCOUNT_ADAPTER = "newsroom.readers.adapter.ReaderAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "newsroom.readers.forms.ReaderSignupForm"
ACCOUNT_FORMS = {"login": "newsroom.readers.signin.ReaderLoginForm"}
ACCOUNT_USER_DISPLAY = "newsroom.readers.services.user_display"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Adding, removing or choosing an address asks for the password first, whoever left the browser signed in.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{DATELINE_SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_LOGOUT_REDIRECT_URL = "newsroom:home"
LOGIN_REDIRECT_URL = "readers:account"
# Failed sign-ins are counted once, by the sign-in throttling below, kept in the database and shared with the
# admin's sign-in; allauth's own limits stay on sign-up, password reset and confirmation emails.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
# What a reader's comments become when they delete their account: "anonymise" keeps approved comments,
# shown as from "a deleted reader", with nothing that names them; "remove" deletes them.
DATELINE_DELETED_READER_COMMENTS = os.environ.get("DELETED_READER_COMMENTS", "anonymise")
if DATELINE_DELETED_READER_COMMENTS not in {"anonymise", "remove"}:
    raise ImproperlyConfigured(
        f"DELETED_READER_COMMENTS is {DATELINE_DELETED_READER_COMMENTS!r}: set it to anonymise or remove."
    )

# Reader comments (newsroom.comments): limits, rules and the moderators' alert.
COMMENTS_MAX_LENGTH = int(os.environ.get("COMMENTS_MAX_LENGTH", "2000"))
COMMENTS_MAX_LINKS = int(os.environ.get("COMMENTS_MAX_LINKS", "2"))
COMMENTS_FLOOD_LIMIT = int(os.environ.get("COMMENTS_FLOOD_LIMIT", "5"))
COMMENTS_DUPLICATE_WINDOW = int(os.environ.get("COMMENTS_DUPLICATE_WINDOW", str(24 * 60 * 60)))
COMMENTS_MIN_FILL_SECONDS = int(os.environ.get("COMMENTS_MIN_FILL_SECONDS", "3"))
COMMENTS_FLAGS_TO_HIDE = int(os.environ.get("COMMENTS_FLAGS_TO_HIDE", "3"))
COMMENTS_QUEUE_ALERT_THRESHOLD = int(os.environ.get("COMMENTS_QUEUE_ALERT_THRESHOLD", "10"))
COMMENTS_QUEUE_ALERT_INTERVAL = int(os.environ.get("COMMENTS_QUEUE_ALERT_INTERVAL", "3600"))
COMMENTS_PER_PAGE = 50
COMMENTS_TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
COMMENTS_SITE_URL = os.environ.get("SITE_URL", "")

# Webhooks (newsroom.webhooks). Messages are sent by the task worker (`manage.py db_worker`) and by
# `manage.py send_webhooks` from cron; either alone delivers everything.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
WEBHOOKS_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOKS_TIMEOUT_SECONDS", "5"))
WEBHOOKS_DISABLE_AFTER_SECONDS = int(os.environ.get("WEBHOOKS_DISABLE_AFTER_SECONDS", str(24 * 60 * 60)))
# The admin's import page; larger archives go through the import_wordpress and import_markdown commands.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
# Loopback and private-network receivers are refused unless this is on (tests, a newsroom's own intranet).
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", False)

# HTTPS. With DEBUG off the site is served over HTTPS only, unless SECURE_COOKIES=0 says it is not
# (the benchmark's plain-HTTP run). README "Production" lists the environment check --deploy passes with.
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SESSION_COOKIE_SECURE)
    SECURE_HSTS_SECONDS = int(
        os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60 if SESSION_COOKIE_SECURE else 0))
    )
    # Both reach beyond this site (every subdomain; browsers' built-in lists), so each is an explicit choice.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Behind a proxy that terminates TLS (deploy/nginx-dateline.conf), the proxy's X-Forwarded-Proto says whether
# the reader's connection was HTTPS. Only set it when such a proxy always sets that header: a reader could
# otherwise send it themselves.
if env_bool("TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp). No inline script, inline event handler or javascript: address runs
# on any page, public or admin: every script is a file under static/. Styles and images come from the site
# too: no template has a style attribute or block, Django's admin writes none in the screens Dateline uses,
# and nothing needs data: images. CSP_IMG_SOURCES adds origins for images kept elsewhere (a media bucket).
# deploy/nginx-dateline.conf sends the same header with the pages it serves from files.
CSP_EXTRA_IMG_SRC = env_list("CSP_IMG_SOURCES", "")
if MEDIA_ORIGIN and MEDIA_ORIGIN not in CSP_EXTRA_IMG_SRC:
    CSP_EXTRA_IMG_SRC.append(MEDIA_ORIGIN)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", *CSP_EXTRA_IMG_SRC],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
    },
}

# Sign-in throttling (django-axes) for the admin's and the readers' sign-in forms. Failures are counted
# per account and per address; past the limit both are refused until the cool-off has passed, with a
# page that says so. Attempts live in the database, so a cache outage neither forgets nor blocks them.
AUTHENTICATION_BACKENDS = [
    "newsroom.security.SignInThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Readers sign in with their email address.
    "allauth.account.auth_backends.AuthenticationBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "newsroom.security.lockout_response"
AXES_USERNAME_CALLABLE = "newsroom.security.attempted_username"
# The same reading of X-Forwarded-For as the comments' flood limits, trusting TRUSTED_PROXIES proxies.
AXES_CLIENT_IP_CALLABLE = "newsroom.comments.views.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
# newsroom/admin/signins.py registers the attempts and logs itself, read only.
AXES_ENABLE_ADMIN = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)

# The content API (newsroom.api). Rates as django-ratelimit writes them: count/period (s, m, h, d).
API_RATE_ANONYMOUS = os.environ.get("API_RATE_ANONYMOUS", "60/m")
API_RATE_KEYED = os.environ.get("API_RATE_KEYED", "1200/m")
# Web origins whose pages may call the API from a browser, e.g. "https://app.example.org".
API_CORS_ORIGINS = env_list("API_CORS_ORIGINS", "")
# Counts live in the shared cache; when it cannot count, requests pass rather than fail.
RATELIMIT_FAIL_OPEN = True
