"""Archive freeze: past a certain age a published story changes only through a recorded correction.

The age comes from the story's section ("freeze after N days") or, where the section says nothing (and
for events, which have no section), from ``DATELINE_FREEZE_AFTER_DAYS``. A frozen story's page is the
same for months, so browsers and shared caches may keep it long; its comments close.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .querysets import LIVE_STATUSES

# Form fields an editor may still change on a frozen story: nothing a reader sees on the page.
NOT_READER_VISIBLE = frozenset(
    {
        "expected_version",
        "publish_zone",
        "correction_note",
        "comments",
        "comments_close_after_days",
        "comment_max_length",
        "comments_require_account",
    }
)
CLOSED_MESSAGE = "Comments are closed on archived stories."


def freeze_after_days(story) -> int | None:
    from .comments.policy import story_section

    section = story_section(story)
    if section is not None and section.freeze_after_days:
        return section.freeze_after_days
    return getattr(settings, "DATELINE_FREEZE_AFTER_DAYS", None) or None


def frozen_since(story) -> datetime | None:
    """When the story froze (or will), or None for a story that is not published or never freezes."""
    if story.status not in LIVE_STATUSES or story.publish_at is None:
        return None
    days = freeze_after_days(story)
    return story.publish_at + timedelta(days=days) if days else None


def is_frozen(story, now: datetime | None = None) -> bool:
    since = frozen_since(story)
    return since is not None and since <= (now or timezone.now())


def frozen_max_age() -> int:
    return getattr(settings, "DATELINE_FROZEN_MAX_AGE", 24 * 60 * 60)
