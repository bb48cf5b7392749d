"""Registered receivers of Dateline's change notices, and the outbox of messages waiting to reach them.

A message and its deliveries are written in the same transaction as the change they describe, so a
notice is never lost to a crash after commit and never sent for a change that was rolled back.
"""

from __future__ import annotations

import base64
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class EventType(models.TextChoices):
    PUBLISHED = "story.published", "Story published"
    UPDATED = "story.updated", "Published story updated"
    CORRECTED = "story.corrected", "Correction published"
    WITHDRAWN = "story.withdrawn", "Story withdrawn"
    COMMENT_APPROVED = "comment.approved", "Comment approved"


class Endpoint(models.Model):
    url = models.URLField(
        "address",
        max_length=500,
        help_text="Where Dateline sends its notices (http or https). Redirects are not followed.",
    )
    description = models.CharField("description", max_length=200, blank=True, help_text="Who receives it, and why.")
    events = models.JSONField("events", default=list, help_text="The changes this address is told about.", blank=True)
    secret = models.CharField("signing secret", max_length=100, default=new_secret, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="owner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Told by e-mail when the address is disabled after failing.",
    )
    active = models.BooleanField("active", default=True, help_text="Untick to stop sending without losing the log.")
    failing_since = models.DateTimeField("failing since", null=True, blank=True, editable=False)
    disabled_at = models.DateTimeField("disabled at", null=True, blank=True, editable=False)
    disabled_reason = models.CharField("why disabled", max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField("created", default=timezone.now, editable=False)

    class Meta:
        ordering = ["url", "pk"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return self.description or self.url


class Message(models.Model):
    """One notice, with its body frozen as sent so that every delivery and every retry carries the same bytes."""

    webhook_id = models.CharField("message id", max_length=40, unique=True, default=new_message_id, editable=False)
    type = models.CharField("event", max_length=30, choices=EventType.choices)
    # A plain number rather than a foreign key: the log outlives a deleted story.
    story_id = models.BigIntegerField("story", null=True, blank=True)
    comment_id = models.BigIntegerField("comment", null=True, blank=True)
    payload = models.TextField("body")
    created_at = models.DateTimeField("created", default=timezone.now)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} ({self.webhook_id})"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENT = "sent", "Delivered"
        CANCELLED = "cancelled", "Cancelled"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries", verbose_name="message")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name="endpoint")
    # Copied from the message so that "does an earlier message for this story still wait?" is one indexed query.
    story_id = models.BigIntegerField("story", null=True, blank=True)
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField("attempts", default=0)
    next_attempt_at = models.DateTimeField("next attempt", default=timezone.now)
    last_attempt_at = models.DateTimeField("last attempt", null=True, blank=True)
    response_code = models.PositiveSmallIntegerField("response code", null=True, blank=True)
    last_error = models.CharField("last error", max_length=500, blank=True)
    sent_at = models.DateTimeField("delivered at", null=True, blank=True)
    created_at = models.DateTimeField("created", default=timezone.now)

    class Meta:
        ordering = ["-pk"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["endpoint", "story_id", "status", "message"], name="delivery_story_order"),
        ]

    def __str__(self) -> str:
        return f"{self.message.webhook_id} → {self.endpoint}"


class SenderLease(models.Model):
    """Held by the one sender at work, so a cron run and a queued task never send the same message twice."""

    name = models.CharField(max_length=40, primary_key=True)
    holder = models.CharField(max_length=40, blank=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
