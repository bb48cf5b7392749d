"""The curated front page: a lead, ordered top stories and named zones, each placement with an optional expiry.

What the editors place is shown first; every place left empty is filled with the newest published stories,
so a front page nobody touches looks after itself. Each published arrangement is kept in the history.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

# The top stories list under the lead holds this many at most, placed and filled together.
TOP_STORIES = 6


class Zone(models.Model):
    class Fill(models.TextChoices):
        NOTHING = "", "Only the stories placed here"
        OPINION = "opinion", "Newest opinion pieces and editorials"
        ANALYSIS = "analysis", "Newest analysis"
        NEWS = "news", "Newest news stories"

    heading = models.CharField(
        "heading", max_length=80, help_text="Shown to readers above the zone, e.g. 'Opinion' or 'Election 2026'."
    )
    slug = models.SlugField(
        "short name",
        max_length=80,
        unique=True,
        help_text="Used in the page's markup and styles. Made from the heading when left empty.",
        blank=True,
    )
    position = models.PositiveSmallIntegerField(
        "order", default=0, help_text="Zones are shown on the front page from the lowest number down."
    )
    capacity = models.PositiveSmallIntegerField(
        "stories at most",
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="How many stories the zone shows at most, placed ones first (1 to 20).",
    )
    fill = models.CharField(
        "fill empty places with",
        max_length=12,
        choices=Fill.choices,
        blank=True,
        default=Fill.NOTHING,
        help_text="What fills the places editors leave empty. A zone with nothing placed and no fill is hidden.",
    )

    class Meta:
        ordering = ["position", "heading", "pk"]
        verbose_name = "front page zone"
        verbose_name_plural = "front page zones"
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=20), name="frontpage_zone_capacity_range"
            ),
        ]

    def __str__(self) -> str:
        return self.heading

    def save(self, *args, **kwargs):
        if not self.slug:
            base = slugify(self.heading)[:70] or "zone"
            slug, n = base, 1
            while Zone.objects.filter(slug=slug).exclude(pk=self.pk).exists():
                n += 1
                slug = f"{base}-{n}"
            self.slug = slug
        super().save(*args, **kwargs)


class Placement(models.Model):
    class Slot(models.TextChoices):
        LEAD = "lead", "Lead story"
        TOP = "top", "Top stories"
        ZONE = "zone", "Zone"

    story = models.OneToOneField(
        "newsroom.Story",
        verbose_name="story",
        on_delete=models.CASCADE,
        related_name="front_placement",
        help_text="A story is placed once on the front page.",
    )
    slot = models.CharField("where", max_length=4, choices=Slot.choices)
    zone = models.ForeignKey(
        Zone,
        verbose_name="zone",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="placements",
        help_text="The zone the story is placed in, when it is placed in a zone.",
    )
    position = models.PositiveIntegerField("order", default=0, help_text="Lower numbers come first.")
    expires_at = models.DateTimeField(
        "leaves the front page at",
        null=True,
        blank=True,
        help_text="After this moment the story drops out and its place is filled. Empty: it stays until moved.",
    )
    placed_at = models.DateTimeField("placed", default=timezone.now)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="placed by",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["slot", "zone", "position", "pk"]
        verbose_name = "front page"
        verbose_name_plural = "front page"
        permissions = [("curate_frontpage", "Can arrange and publish the front page")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(slot="zone", zone__isnull=False) | (Q(slot__in=["lead", "top"]) & Q(zone__isnull=True))),
                name="frontpage_placement_zone_only_in_zones",
            ),
            models.UniqueConstraint(fields=["slot"], condition=Q(slot="lead"), name="frontpage_one_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.get_slot_display()}: {self.story}"


class Revision(models.Model):
    """One change to the front page: who made it, when, what it changed, and the arrangement it left."""

    created_at = models.DateTimeField("when", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="who",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = models.TextField("what changed")
    arrangement = models.JSONField("arrangement", default=list, help_text="Every placement after the change, in order.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "front page change"
        verbose_name_plural = "front page history"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.summary[:60]}"
