"""Every write that changes what readers see of the comments.

Views, admin actions and tests all call these functions; each runs in one
transaction so a decision is recorded completely or not at all.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from .conf import setting
from .models import BannedCommenter, Comment, CommentFlag
from .networks import NETWORK_BAN_DAYS, NETWORK_BAN_MAX_DAYS, parse_network
from .permissions import MODERATOR_GROUP, grant_moderator_permissions
from .policy import policy_for
from .querysets import Status
from .rules import CommentRefused, Submission, evaluate
from .text import clean_single_line, normalise_newlines

logger = logging.getLogger(__name__)

QUEUE_ALERT_CACHE_KEY = "comments:queue-alert-sent"
DEMO_MODERATOR_USERNAME = "moderator"
DEMO_MODERATOR_DEFAULT_PASSWORD = "dateline-moderator"


class AlreadyFlagged(Exception):
    pass


def display_name(user) -> str:
    # A reader's account carries the name they chose to show; a reader's username is made from their email
    # address, so it is never shown in its place when they have one.
    profile = getattr(user, "reader_profile", None)
    if profile is not None and profile.display_name:
        return profile.display_name
    return (user.get_full_name() or user.get_username()).strip()


@transaction.atomic
def post_comment(
    *,
    story,
    body: str,
    name: str = "",
    email: str = "",
    url: str = "",
    user=None,
    ip_address: str | None = None,
    user_agent: str = "",
    honeypot: str = "",
    fill_seconds: float | None = None,
) -> Comment:
    """Store a reader's comment with the status the rules give it, or raise ``CommentRefused``."""
    if user is not None and not user.is_authenticated:
        user = None
    policy = policy_for(story)
    if not policy.is_open:
        raise CommentRefused(policy.closed_message, code="closed")
    if policy.require_account and user is None:
        raise CommentRefused("Sign in to comment on this story.", code="account_required")
    if user is not None:
        name, email = display_name(user), user.email or ""
    body = normalise_newlines(body).strip()
    name = clean_single_line(name)[:100]
    if not body:
        raise CommentRefused("Write a comment before sending.", code="empty")
    if len(body) > policy.max_length:
        raise CommentRefused(f"Comments here may be up to {policy.max_length:,} characters.", code="too_long")
    if not name:
        raise CommentRefused("Give a name to show with your comment.", code="no_name")
    submission = Submission(
        story=story,
        body=body,
        name=name,
        email=(email or "").strip().lower(),
        url=(url or "").strip(),
        user=user,
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:300],
        honeypot=honeypot or "",
        fill_seconds=fill_seconds,
    )
    verdict = evaluate(submission)
    return Comment.objects.create(
        story=story,
        user=user,
        name=submission.name,
        email=submission.email,
        url=submission.url,
        body=submission.body,
        status=verdict.status,
        held_reason="\n".join(verdict.reasons),
        ip_address=submission.ip_address,
        user_agent=submission.user_agent,
    )


def _ids(comments: Iterable[Comment] | Iterable[int]) -> list[int]:
    return [getattr(item, "pk", item) for item in comments]


@transaction.atomic
def moderate(*, comments: Iterable[Comment] | Iterable[int], status: str, moderator) -> int:
    """Set the status of ``comments`` and record who decided and when. Returns how many changed."""
    if status not in Status.values:
        raise ValueError(f"Unknown comment status {status!r}")
    changes = {"status": status, "moderated_by": moderator, "moderated_at": timezone.now()}
    if status == Status.APPROVED:
        # A moderator has weighed the flags; later flags start counting afresh.
        changes["flag_count"] = 0
    chosen = list(Comment.objects.select_for_update().filter(pk__in=_ids(comments)).order_by("pk"))
    for comment in chosen:
        for name, value in changes.items():
            setattr(comment, name, value)
        # One save per comment rather than a bulk update, so that whatever listens for saved comments
        # (the page cache, the queue alert) hears about every decision.
        comment.save(update_fields=list(changes))
    return len(chosen)


def approve(*, comments: Iterable[Comment] | Iterable[int], moderator) -> int:
    return moderate(comments=comments, status=Status.APPROVED, moderator=moderator)


def reject(*, comments: Iterable[Comment] | Iterable[int], moderator) -> int:
    return moderate(comments=comments, status=Status.REJECTED, moderator=moderator)


def mark_spam(*, comments: Iterable[Comment] | Iterable[int], moderator) -> int:
    return moderate(comments=comments, status=Status.SPAM, moderator=moderator)


class CannotBan(Exception):
    """The comment names nobody a ban could hold: a guest who gave no email."""


@transaction.atomic
def ban_commenter(*, comment: Comment, moderator, reason: str = "") -> BannedCommenter:
    """Refuse further comments from this comment's account (or, for a guest, email) and reject what waits.

    The address is left alone: many readers can share it. ``ban_network`` bans one, for a while.
    """
    if not comment.user_id and not comment.email:
        raise CannotBan(f"{comment.name} gave no email and has no account: only their network can be banned.")
    person = {"user_id": comment.user_id} if comment.user_id else {"email": comment.email}
    ban = BannedCommenter.objects.in_force().filter(network="", **person).first()
    if ban is None:
        ban = BannedCommenter.objects.create(
            **person,
            reason=reason or f"Banned from the moderation queue for comment {comment.pk}",
            banned_by=moderator,
        )
    waiting = Comment.objects.pending().filter(commenter_key=comment.commenter_key).values_list("pk", flat=True)
    reject(comments=[comment.pk, *waiting], moderator=moderator)
    return ban


@transaction.atomic
def ban_network(
    *, network: str, moderator, days: int = NETWORK_BAN_DAYS, reason: str = "", comment: Comment | None = None
) -> BannedCommenter:
    """Refuse new comments from an address or a range for ``days`` days, and reject ``comment`` if given.

    Other comments waiting from that network stay in the queue: they may come from other readers
    behind the same address, and a moderator decides on each.
    """
    if not 1 <= days <= NETWORK_BAN_MAX_DAYS:
        raise ValueError(f"A network ban lasts from 1 to {NETWORK_BAN_MAX_DAYS} days.")
    ban = BannedCommenter(
        network=parse_network(network),
        expires_at=timezone.now() + timedelta(days=days),
        reason=reason or (f"Network banned from the moderation queue for comment {comment.pk}" if comment else ""),
        banned_by=moderator,
    )
    ban.full_clean()
    ban.save()
    if comment is not None:
        reject(comments=[comment.pk], moderator=moderator)
    return ban


def comments_from_address(address: str | None, *, days: int = 30) -> dict[str, int]:
    """How many comments, and from how many commenters, one address sent lately: what a network ban would hit."""
    if not address:
        return {"comments": 0, "commenters": 0}
    recent = Comment.objects.filter(ip_address=address, created_at__gte=timezone.now() - timedelta(days=days))
    return {"comments": recent.count(), "commenters": recent.values("commenter_key").distinct().count()}


@transaction.atomic
def flag_comment(*, comment: Comment, reason: str, user=None, ip_address: str | None = None) -> bool:
    """Record a reader's flag. Returns True when this flag sent the comment back to the queue."""
    if user is not None and not user.is_authenticated:
        user = None
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if locked.status != Status.APPROVED:
        return False
    already = CommentFlag.objects.filter(comment=locked)
    already = already.filter(user=user) if user else already.filter(user__isnull=True, ip_address=ip_address)
    if already.exists():
        raise AlreadyFlagged
    try:
        with transaction.atomic():
            CommentFlag.objects.create(comment=locked, reason=reason, user=user, ip_address=ip_address or None)
    except IntegrityError:
        raise AlreadyFlagged from None
    Comment.objects.filter(pk=locked.pk).update(flag_count=F("flag_count") + 1)
    locked.refresh_from_db(fields=["flag_count"])
    if locked.flag_count < setting("COMMENTS_FLAGS_TO_HIDE"):
        return False
    reasons = CommentFlag.objects.filter(comment=locked).order_by("reason").values_list("reason", flat=True).distinct()
    labels = ", ".join(str(CommentFlag.Reason(r).label).lower() for r in reasons)
    note = f"Flagged by {locked.flag_count} readers: {labels}"
    locked.status = Status.PENDING
    locked.held_reason = "\n".join([*locked.held_reasons, note])
    # save() rather than update() so the queue-length check hears about it.
    locked.save(update_fields=["status", "held_reason"])
    return True


def pending_comment_count() -> int:
    """How many comments wait for a moderator: for the editors' dashboard and the queue alert."""
    return Comment.objects.pending().count()


def flagged_comment_count() -> int:
    """How many comments readers have flagged that a moderator has not yet dealt with: for the dashboard.

    Approving a comment clears its flags, and rejected or spam comments are dealt with, so this counts the
    flagged ones still shown (approved) or held back by their flags (pending).
    """
    return Comment.objects.flagged().count()


def moderator_emails() -> list[str]:
    User = get_user_model()
    return list(
        User.objects.filter(groups__name=MODERATOR_GROUP, is_active=True)
        .exclude(Q(email="") | Q(email__isnull=True))
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


def alert_moderators_if_queue_long() -> bool:
    """Email moderators when the queue reaches the threshold; again only after a pause or once it has drained."""
    threshold = setting("COMMENTS_QUEUE_ALERT_THRESHOLD")
    waiting = pending_comment_count()
    if waiting < threshold:
        cache.delete(QUEUE_ALERT_CACHE_KEY)
        return False
    if not cache.add(QUEUE_ALERT_CACHE_KEY, waiting, timeout=setting("COMMENTS_QUEUE_ALERT_INTERVAL")):
        return False
    recipients = moderator_emails()
    if not recipients:
        return False
    queue = setting("COMMENTS_SITE_URL").rstrip("/") + reverse("admin:comments_comment_changelist")
    send_mail(
        subject=f"{waiting} comments are waiting for moderation",
        message=(
            f"{waiting} reader comments are waiting for a moderator.\n\n"
            f"Open the queue: {queue}\n\n"
            "You receive this because you are in the Moderator group."
        ),
        from_email=None,
        recipient_list=recipients,
        fail_silently=True,
    )
    return True


@transaction.atomic
def ensure_demo_moderator():
    """The demo site's moderator login: user "moderator", password from DEMO_PASSWORD."""
    User = get_user_model()
    group = grant_moderator_permissions(Group, Permission)
    user, _ = User.objects.get_or_create(
        username=DEMO_MODERATOR_USERNAME,
        defaults={"email": "moderator@dateline.example", "first_name": "Demo", "last_name": "Moderator"},
    )
    user.is_staff = True
    user.is_active = True
    user.set_password(os.environ.get("DEMO_PASSWORD") or DEMO_MODERATOR_DEFAULT_PASSWORD)
    user.save()
    user.groups.add(group)
    return user
