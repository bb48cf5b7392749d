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
            .defer("article__body")
            .prefetch_related(Prefetch("article__bylines", queryset=Byline.objects.select_related("author")))
        )


class StoryManager(models.Manager.from_queryset(StoryQuerySet)):
    """Stories without their search vector, which only search reads, inside the database.

    The vector is as long as the story's own text; loading it with every story on a list or a page would
    carry it across and decode it for nothing. A deferred story saves only its loaded fields, so a save
    never writes the vector either: newsroom.search keeps it current.
    """

    def get_queryset(self) -> StoryQuerySet:
        return super().get_queryset().defer("search_vector")
