"""What readers may see of the comments, decided here and nowhere else."""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    PENDING = "pending", "Awaiting moderation"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SPAM = "spam", "Spam"


# What a story page shows of an approved comment, in the order of ``newsroom.comments.models.ShownComment``.
SHOWN_COLUMNS = ("pk", "name", "url", "body", "created_at")


class CommentQuerySet(models.QuerySet):
    def approved(self) -> CommentQuerySet:
        return self.filter(status=Status.APPROVED)

    def pending(self) -> CommentQuerySet:
        return self.filter(status=Status.PENDING)

    def flagged(self) -> CommentQuerySet:
        """Flagged by readers and not yet dealt with: still shown, or held back by the flags."""
        return self.filter(flag_count__gt=0, status__in=[Status.APPROVED, Status.PENDING])

    def for_story_page(self, story):
        """A story's public comments, oldest first, as rows of the columns the page shows (``SHOWN_COLUMNS``).

        Rows rather than models: a thread page shows fifty comments, and making a model of each cost
        more than reading them.
        """
        return self.approved().filter(story=story).order_by("created_at", "pk").values_list(*SHOWN_COLUMNS)
