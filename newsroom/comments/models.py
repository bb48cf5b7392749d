"""Readers' comments on stories, the flags readers raise, and the moderators' tools.

A comment points at ``newsroom.Story`` with a plain foreign key, so articles and
events share one comment table and the story page reads its comments with one
indexed query.
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from .networks import parse_network
from .querysets import CommentQuerySet, Status

BAN_NAMES_NOBODY = "Give an email, an account or a network to ban."
BAN_NAMES_BOTH = "Ban a person (account or email) or a network, not both in one ban."
NETWORK_BAN_WITHOUT_END = "A network ban needs an end: many readers can share one address."


def commenter_key_for(*, user_id: int | None, email: str) -> str:
    """Who a comment belongs to, for history and trust: the account if any, else the email."""
    if user_id:
        return f"user:{user_id}"
    return f"email:{email.strip().lower()}"


def normalise_for_matching(text: str) -> str:
    """Fold width, case and spacing so that look-alike text compares equal."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(text.casefold().split())


def body_fingerprint(body: str) -> str:
    return hashlib.sha256(normalise_for_matching(body).encode()).hexdigest()


def pending_first() -> Case:
    """0 for a pending comment, 1 for any other: the moderators' list of every status sorts on it first.

    The admin's ordering and the index behind it both use this one expression, so they always match.
    """
    return Case(When(status=Status.PENDING, then=Value(0)), default=Value(1))


class Comment(models.Model):
    story = models.ForeignKey(
        "newsroom.Story", verbose_name="story", on_delete=models.CASCADE, related_name="reader_comments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        help_text="Empty for guests.",
    )
    name = models.CharField("name", max_length=100, help_text="Shown with the comment.")
    email = models.EmailField("email", blank=True, help_text="Never shown to readers.")
    url = models.URLField("website", max_length=500, blank=True, help_text="Linked from the name when given.")
    body = models.TextField("comment", help_text="Plain text as the reader typed it; shown escaped.")
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.PENDING)
    held_reason = models.TextField(
        "why it was held", blank=True, help_text="Filled in by the rules; one reason per line."
    )
    ip_address = models.GenericIPAddressField("address", null=True, blank=True, unpack_ipv4=True)
    user_agent = models.CharField("browser", max_length=300, blank=True)
    created_at = models.DateTimeField("posted", auto_now_add=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="moderated by",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField("moderated", null=True, blank=True)
    flag_count = models.PositiveIntegerField(
        "flags", default=0, help_text="Reader flags since a moderator last approved it."
    )
    commenter_key = models.CharField(max_length=260, editable=False, db_index=False)
    body_hash = models.CharField(max_length=64, editable=False, db_index=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="comment_queue"),
            # A thread in the order it is shown (created_at, then id), so a page of it is the first rows of
            # one index range, whatever plan PostgreSQL chooses for a story with a very long thread.
            models.Index(fields=["story", "status", "created_at", "id"], name="comment_story_thread"),
            models.Index(fields=["commenter_key", "status"], name="comment_commenter_history"),
            models.Index(fields=["body_hash", "created_at"], name="comment_duplicates"),
            models.Index(fields=["ip_address", "created_at"], name="comment_address_recent"),
            # The moderators' list of every status: pending first, then newest first.
            models.Index(pending_first(), F("created_at").desc(), F("id").desc(), name="comment_pending_first"),
            # The flagged tab: only the few comments readers have flagged are in it.
            models.Index(fields=["-created_at"], condition=Q(flag_count__gt=0), name="comment_flagged"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="comment_status_known"),
            models.CheckConstraint(condition=~Q(name=""), name="comment_has_name"),
        ]

    def __str__(self) -> str:
        excerpt = " ".join(self.body.split())
        return f"{self.name}: {excerpt[:60]}{'…' if len(excerpt) > 60 else ''}"

    def get_absolute_url(self) -> str:
        from newsroom.models import pk_path

        return pk_path("comments:permalink", self.pk)

    @property
    def flag_url(self) -> str:
        from newsroom.models import pk_path

        return pk_path("comments:flag", self.pk)

    def save(self, *args, **kwargs) -> None:
        self.email = (self.email or "").strip().lower()
        self.commenter_key = commenter_key_for(user_id=self.user_id, email=self.email)
        self.body_hash = body_fingerprint(self.body)
        super().save(*args, **kwargs)

    @property
    def anchor(self) -> str:
        return comment_anchor(self.pk)

    @property
    def held_reasons(self) -> list[str]:
        return [line for line in self.held_reason.splitlines() if line.strip()]

    @property
    def safe_url(self) -> str:
        return safe_web_address(self.url)


def comment_anchor(pk: int) -> str:
    """The fragment a comment is found by on its story's page."""
    return f"comment-{pk}"


def safe_web_address(url: str | None) -> str:
    """A commenter's website, only when it is a plain web address."""
    url = (url or "").strip()
    return url if url.lower().startswith(("http://", "https://")) else ""


class ShownComment(NamedTuple):
    """An approved comment as its story page shows it (``CommentQuerySet.for_story_page``)."""

    pk: int
    name: str
    url: str
    body: str
    created_at: datetime

    @property
    def safe_url(self) -> str:
        return safe_web_address(self.url)


class ThreadCount(models.Model):
    """How many approved comments a story's thread holds, kept by triggers on the comments' table.

    Read with the story on its page (``newsroom.views``), so the comment section numbers its pages
    without counting the thread; ``newsroom.comments.counts`` recounts them all.
    """

    story_id = models.BigIntegerField(primary_key=True)
    approved = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"story {self.story_id}: {self.approved} approved"


class CommentFlag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        ABUSE = "abuse", "Abusive or hateful"
        PERSONAL = "personal", "Shares someone's personal details"
        OFF_TOPIC = "off_topic", "Off topic"
        OTHER = "other", "Something else breaks the community standards"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField("reason", max_length=12, choices=Reason.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip_address = models.GenericIPAddressField("address", null=True, blank=True, unpack_ipv4=True)
    created_at = models.DateTimeField("flagged", auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One flag per reader per comment: signed-in readers by account, guests by address.
            models.UniqueConstraint(
                fields=["comment", "user"], condition=Q(user__isnull=False), name="comment_flag_once_per_user"
            ),
            models.UniqueConstraint(
                fields=["comment", "ip_address"],
                condition=Q(user__isnull=True),
                name="comment_flag_once_per_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on comment {self.comment_id}"


class BanQuerySet(models.QuerySet):
    def in_force(self, at=None) -> BanQuerySet:
        """Bans not yet expired: those without an end, and those whose end is still to come."""
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at or timezone.now()))


class BannedCommenter(models.Model):
    """A ban of one person (their account or email address) or of a network (an address or a range).

    The two are kept apart: an office, a university or a mobile carrier puts many readers behind one
    address, so banning a network is a separate, deliberate decision that always ends.
    """

    email = models.EmailField("email", blank=True, help_text="Comments from this email address are refused.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="account",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Comments from this account are refused.",
    )
    network = models.CharField(
        "network",
        max_length=49,
        blank=True,
        help_text=(
            "An address (203.0.113.7) or a range (203.0.113.0/24) whose comments are refused. "
            "Many readers can share one address: a network ban must have an end."
        ),
    )
    expires_at = models.DateTimeField(
        "ends",
        null=True,
        blank=True,
        help_text="When the ban lifts by itself. Empty: until a moderator lifts it (not allowed for a network).",
    )
    reason = models.CharField("reason", max_length=300, blank=True, help_text="For other moderators.")
    banned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="banned by",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("banned", auto_now_add=True)

    objects = BanQuerySet.as_manager()

    class Meta:
        verbose_name = "ban"
        verbose_name_plural = "bans"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | Q(user__isnull=False) | ~Q(network=""),
                name="ban_names_someone",
                violation_error_message=BAN_NAMES_NOBODY,
            ),
            models.CheckConstraint(
                condition=Q(network="") | (Q(email="") & Q(user__isnull=True)),
                name="ban_person_or_network",
                violation_error_message=BAN_NAMES_BOTH,
            ),
            models.CheckConstraint(
                condition=Q(network="") | Q(expires_at__isnull=False),
                name="ban_network_ends",
                violation_error_message=NETWORK_BAN_WITHOUT_END,
            ),
        ]
        indexes = [
            models.Index(fields=["email"], name="ban_email"),
            models.Index(fields=["network"], name="ban_network"),
        ]

    def __str__(self) -> str:
        if self.network:
            return self.network
        who = [str(part) for part in (self.user, self.email) if part]
        return " / ".join(who)

    @property
    def is_network_ban(self) -> bool:
        return bool(self.network)

    def clean(self) -> None:
        # The database constraints say the same; this gives the admin form messages instead of an error page.
        self.email = (self.email or "").strip().lower()
        if self.network:
            try:
                self.network = parse_network(self.network)
            except ValidationError as error:
                raise ValidationError({"network": error.messages}) from None
        person = bool(self.email or self.user_id)
        if not person and not self.network:
            raise ValidationError(BAN_NAMES_NOBODY)
        if person and self.network:
            raise ValidationError(BAN_NAMES_BOTH)
        if self.network and self.expires_at is None:
            raise ValidationError({"expires_at": NETWORK_BAN_WITHOUT_END})

    def save(self, *args, **kwargs) -> None:
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)


class WordRule(models.Model):
    class Action(models.TextChoices):
        HOLD = "hold", "Hold for a moderator"
        SPAM = "spam", "Mark as spam"

    phrase = models.CharField(
        "word or phrase",
        max_length=100,
        unique=True,
        help_text="Matched as whole words, ignoring case and look-alike characters.",
    )
    action = models.CharField("action", max_length=4, choices=Action.choices, default=Action.HOLD)
    note = models.CharField("note", max_length=200, blank=True, help_text="Why it is on the list.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "word rule"
        verbose_name_plural = "word list"
        ordering = ["phrase"]

    def __str__(self) -> str:
        return self.phrase

    def clean(self) -> None:
        # Normalise before the uniqueness check so "Casino" and "casino " count as the same rule.
        self.phrase = normalise_for_matching(self.phrase)
        if not self.phrase:
            raise ValidationError({"phrase": "Enter a word or phrase with at least one letter or digit."})

    def save(self, *args, **kwargs) -> None:
        self.phrase = normalise_for_matching(self.phrase)
        super().save(*args, **kwargs)
