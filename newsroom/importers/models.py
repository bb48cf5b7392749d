"""What an import remembers: where each imported thing came from, and the old addresses that must keep working."""

from __future__ import annotations

from django.db import models

from newsroom.models import Story


class LegacyAddress(models.Model):
    """A path the story had on the site it was imported from; asked for, it answers 301 to the story."""

    path = models.CharField("old path", max_length=500, unique=True, help_text="Decoded, as the request gives it.")
    story = models.ForeignKey(Story, verbose_name="story", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "old address"
        verbose_name_plural = "old addresses"

    def __str__(self) -> str:
        return self.path


class WordPressItem(models.Model):
    """One WordPress post, attachment or comment and the row it became, so a second import updates, not repeats."""

    class Kind(models.TextChoices):
        POST = "post", "Post"
        ATTACHMENT = "attachment", "Attachment"
        COMMENT = "comment", "Comment"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    wp_id = models.BigIntegerField("WordPress id")
    guid = models.CharField("WordPress guid", max_length=500, blank=True)
    object_id = models.BigIntegerField("imported as")
    # A digest of what the export said; an item whose digest is unchanged is skipped untouched.
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = "WordPress item"
        constraints = [models.UniqueConstraint(fields=["kind", "wp_id"], name="wordpress_item_once")]
        permissions = [("import_archive", "Can import archives from the admin")]

    def __str__(self) -> str:
        return f"{self.kind} {self.wp_id}"
