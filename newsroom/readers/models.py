"""What a reader keeps with their account: the name shown on their comments and what they want emailed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ReaderProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="account", on_delete=models.CASCADE, related_name="reader_profile"
    )
    display_name = models.CharField(
        "display name", max_length=100, help_text="Shown with the reader's comments instead of their email."
    )
    notify_decisions = models.BooleanField(
        "email moderation decisions",
        default=True,
        help_text="Send the reader an email when a moderator publishes or turns down one of their comments.",
    )
    created_at = models.DateTimeField("joined", auto_now_add=True)

    class Meta:
        verbose_name = "reader profile"
        verbose_name_plural = "reader profiles"
        constraints = [models.CheckConstraint(condition=~Q(display_name=""), name="reader_has_display_name")]

    def __str__(self) -> str:
        return self.display_name
