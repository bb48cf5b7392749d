"""The publication rule lives here and nowhere else.

Every public view, feed, sitemap and search starts from ``published()``.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


# A scheduled story becomes public at its publish time with no worker running:
# the rule below treats "scheduled and due" exactly like "published".
LIVE_STATUSES = (Status.PUBLISHED, Status.SCHEDULED)


class StoryQuerySet(models.QuerySet):
    def published(self, now: datetime | None = None) -> StoryQuerySet:
        now = now or timezone.now()
        return self.filter(status__in=LIVE_STATUSES, publish_at__lte=now)

    def published_or_withdrawn(self, now: datetime | None = None) -> StoryQuerySet:
        """What a copy kept in step needs: the published stories, and the withdrawn ones it must delete."""
        now = now or timezone.now()
        return self.filter(models.Q(status__in=LIVE_STATUSES, publish_at__lte=now) | models.Q(status=Status.WITHDRAWN))

    def visible_to(self, user) -> StoryQuerySet:
        """Readers see published stories; staff may also preview the rest."""
        if user is not None and user.is_active and user.is_staff:
            return self.all()
        return self.published()

    def on_day(self, day) -> StoryQuerySet:
        return self.filter(date=day)

    def newest_first(self) -> StoryQuerySet:
        return self.order_by("-date", "-publish_at", "-pk")

    def for_listing(self) -> StoryQuerySet:
        """Everything a list item shows, in a fixed number of queries whatever the page size."""
        from django.db.models import Prefetch

        from .models import Byline

        # A list item never shows an article's body, the longest text a story has: it is left in the database.
        return (
            self.select_related("article__section", "article__lead_image", "event")
            .defer(*LISTING_DEFERRED)
            .prefetch_related(Prefetch("article__bylines", queryset=Byline.objects.select_related("author")))
        )


# What no list item shows, left in the database: an article's body (the longest text a story has), the
# editorial bookkeeping, the comment settings, and the parts of a section and a picture only their own pages use.
LISTING_DEFERRED = (
    "article__body",
    "created_at",
    "updated_at",
    "created_by",
    "comments",
    "comments_close_after_days",
    "comment_max_length",
    "comments_require_account",
    "version",
    "article__section__description",
    "article__section__comment_max_length",
    "article__section__comments_require_account",
    "article__section__freeze_after_days",
    "article__lead_image__caption",
    "article__lead_image__credit",
    "article__lead_image__credit_kind",
    "article__lead_image__uploaded_at",
)


class StoryManager(models.Manager.from_queryset(StoryQuerySet)):
    """Stories without their search vector, which only search reads, inside the database.

    The vector is as long as the story's own text; loading it with every story on a list or a page would
    carry it across and decode it for nothing. A deferred story saves only its loaded fields, so a save
    never writes the vector either: newsroom.search keeps it current.
    """

    def get_queryset(self) -> StoryQuerySet:
        return super().get_queryset().defer("search_vector")
