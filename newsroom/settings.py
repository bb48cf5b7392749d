"""Dateline settings: one module, configured by the environment.

With nothing set, Dateline runs in debug mode on a SQLite file inside the
project, so a newcomer needs no services. Production sets DATABASE_URL,
SECRET_KEY, ALLOWED_HOSTS, CACHE_URL and DEBUG=0.
"""

import os
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
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "taggit",
    "django_filters",
    "reversion",
    "newsroom",
    "events",
    "newsroom.comments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A NUL byte or broken UTF-8 in the path or query answers 400 here, before any other code reads it.
    "newsroom.security.MalformedRequestMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Counts reads of story pages whether rendered or replayed from the page cache below it.
    "newsroom.popularity.MostReadMiddleware",
    # A stored page returns from here, before sessions, authentication and the rest run; it keeps the
    # headers they set, and puts a fresh CSRF token and cookie into pages that carry a form.
    "newsroom.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "dateline",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

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
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

LOGIN_URL = "admin:login"

# Uploads: refused before Pillow decodes them when larger than these.
DATELINE_IMAGE_MAX_BYTES = int(os.environ.get("IMAGE_MAX_BYTES", str(15 * 1024 * 1024)))
# Pixel limits keep one upload's decode within about 120 MB of worker memory (bench/upload_memory.py).
# PNG, WebP and GIF are decoded in full: 24 MP takes every 24 MP camera frame and costs ~115 MB, where
# the former 40 MP limit let one upload take 536 MB. JPEG is decoded scaled down to what the largest
# rendition needs, so a 50 MP frame (the largest news cameras') costs ~100 MB, no more than a 12 MP one.
DATELINE_IMAGE_MAX_PIXELS = int(os.environ.get("IMAGE_MAX_PIXELS", str(24_000_000)))
DATELINE_IMAGE_MAX_PIXELS_JPEG = int(os.environ.get("IMAGE_MAX_PIXELS_JPEG", str(50_000_000)))
DATELINE_IMAGE_RENDITION_WIDTHS = (480, 960, 1600)
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
# A folder a web server in front serves stored pages from (deploy/nginx.conf); empty: none written.
DATELINE_PAGE_FILES = os.environ.get("PAGE_FILES", "")
DATELINE_PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
DATELINE_PAGE_MAX_AGE = int(os.environ.get("PAGE_MAX_AGE", "60"))

# Email goes to the console unless the environment names a real backend.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Dateline <newsroom@localhost>")

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

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
