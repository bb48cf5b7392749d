"""Whether a story takes comments, and on what terms: the story decides, then its section, then the site."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext, ngettext

from newsroom.freeze import CLOSED_MESSAGE as FROZEN_CLOSED_MESSAGE
from newsroom.freeze import is_frozen

from .conf import setting


@dataclass(frozen=True)
class CommentPolicy:
    is_open: bool
    closed_message: str
    closes_at: datetime | None
    max_length: int
    require_account: bool


def story_section(story):
    """The article's section, read from rows already joined by the caller when possible."""
    from newsroom.models import Article

    if isinstance(story, Article):
        return story.section
    if story.kind == "article":
        return story.article.section
    return None


def policy_for(story, *, now: datetime | None = None) -> CommentPolicy:
    now = now or timezone.now()
    section = story_section(story)
    max_length = story.comment_max_length or (section.comment_max_length if section else None)
    require_account = story.comments_require_account or bool(section and section.comments_require_account)
    closes_at = None
    is_open, message = True, ""
    if not story.is_published:
        is_open, message = False, gettext("Comments open when the story is published.")
    elif is_frozen(story, now):
        is_open, message = False, FROZEN_CLOSED_MESSAGE
    elif story.comments == "closed":
        is_open, message = False, gettext("Comments are closed on this story.")
    elif story.comments == "auto":
        closes_at = story.publish_at + timedelta(days=story.comments_close_after_days)
        if now >= closes_at:
            is_open = False
            days = story.comments_close_after_days
            message = ngettext(
                "Comments closed %(days)d day after publication.",
                "Comments closed %(days)d days after publication.",
                days,
            ) % {"days": days}
    return CommentPolicy(
        is_open=is_open,
        closed_message=message,
        closes_at=closes_at,
        max_length=max_length or setting("COMMENTS_MAX_LENGTH"),
        require_account=require_account,
    )
