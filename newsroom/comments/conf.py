"""Comment settings with their defaults, so the app works before settings.py mentions them."""

from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    # Longest comment when neither the story nor its section sets a limit.
    "COMMENTS_MAX_LENGTH": 2000,
    # A comment with more links than this waits for a moderator.
    "COMMENTS_MAX_LINKS": 2,
    # How many comments one address or account may post in a minute.
    "COMMENTS_FLOOD_LIMIT": 5,
    # The same text from the same commenter inside this many seconds is a duplicate.
    "COMMENTS_DUPLICATE_WINDOW": 24 * 60 * 60,
    # People need longer than this to read a form and type into it; scripts do not.
    "COMMENTS_MIN_FILL_SECONDS": 3,
    # Reader flags that send an approved comment back to the queue.
    "COMMENTS_FLAGS_TO_HIDE": 3,
    # Moderators are emailed when this many comments wait...
    "COMMENTS_QUEUE_ALERT_THRESHOLD": 10,
    # ...and reminded at most this often while the queue stays that long.
    "COMMENTS_QUEUE_ALERT_INTERVAL": 60 * 60,
    "COMMENTS_PER_PAGE": 50,
    # How many reverse proxies in front of the site append to X-Forwarded-For (0: use REMOTE_ADDR).
    "COMMENTS_TRUSTED_PROXIES": 0,
    # Used to build absolute links in moderator emails; empty gives site-relative paths.
    "COMMENTS_SITE_URL": "",
}


def setting(name: str):
    return getattr(settings, name, DEFAULTS[name])
