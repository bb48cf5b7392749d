"""What readers may see of the comments, decided here and nowhere else."""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    PENDING = "pending", "Awaiting moderation"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SPAM = "spam", "Spam"


class CommentQuerySet(models.QuerySet):
    def approved(self) -> CommentQuerySet:
        return self.filter(status=Status.APPROVED)

    def pending(self) -> CommentQuerySet:
        return self.filter(status=Status.PENDING)

    def flagged(self) -> CommentQuerySet:
        """Flagged by readers and not yet dealt with: still shown, or held back by the flags."""
        return self.filter(flag_count__gt=0, status__in=[Status.APPROVED, Status.PENDING])

    def for_story_page(self, story) -> CommentQuerySet:
        """A story's public comments, oldest first, with only the columns the page shows."""
        return (
            self.approved()
            .filter(story=story)
            .only("pk", "story_id", "name", "url", "body", "created_at", "status")
            .order_by("created_at", "pk")
        )
