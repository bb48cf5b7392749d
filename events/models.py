"""Dated events: one sentence each, current-events-portal style.

An Event is a Story (same table for date, slug, status, tags, sources and
related links) with its own summary and category.
"""

from __future__ import annotations

import reversion
from django.db import models
from django.utils.translation import gettext_noop

from newsroom.models import Story, ascii_slugify
from newsroom.querysets import StoryManager
from newsroom.sanitize import clean_inline, plain_text


class Event(Story):
    class Category(models.TextChoices):
        # Marked for the catalogue only: pages translate the label where they show it.
        POLITICS = "politics", gettext_noop("Politics and elections")
        CONFLICT = "conflict", gettext_noop("Armed conflicts and attacks")
        LAW = "law", gettext_noop("Law and crime")
        DISASTERS = "disasters", gettext_noop("Disasters and accidents")
        ECONOMY = "economy", gettext_noop("Business and economy")
        SCIENCE = "science", gettext_noop("Science and technology")
        HEALTH = "health", gettext_noop("Health and environment")
        CULTURE = "culture", gettext_noop("Arts and culture")
        SPORT = "sport", gettext_noop("Sport")
        INTERNATIONAL = "international", gettext_noop("International relations")

    summary = models.TextField(
        "summary",
        help_text="One sentence saying what happened. Emphasis and links are kept; other markup is removed.",
    )
    category = models.CharField("category", max_length=20, choices=Category.choices, default=Category.POLITICS)

    objects = StoryManager()

    class Meta:
        ordering = ["-date", "category", "pk"]
        indexes = [
            # With the story id in it, a category filter is read from the index alone, without visiting events.
            models.Index(fields=["category", "story_ptr"], name="event_category_story"),
        ]

    def __str__(self) -> str:
        return self.title or plain_text(self.summary)

    def compute_title(self) -> str:
        return plain_text(self.summary)

    def default_slug(self) -> str:
        # A whole sentence makes an unwieldy address; its first words are enough.
        return ascii_slugify(" ".join(self.compute_title().split()[:10])) or "event"

    def save(self, *args, **kwargs) -> None:
        self.kind = Story.Kind.EVENT
        self.summary = clean_inline(self.summary)
        super().save(*args, **kwargs)


# Revisions keep the shared story row (and its sources, links and contexts) with the event's own.
reversion.register(Event, follow=("story_ptr",))
