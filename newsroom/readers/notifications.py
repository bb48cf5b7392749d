"""Email to readers who asked to hear what a moderator decided about their comments."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from newsroom.comments.conf import setting
from newsroom.comments.querysets import Status

logger = logging.getLogger(__name__)

DECISIONS = {Status.APPROVED, Status.REJECTED}


def absolute(path: str) -> str:
    return setting("COMMENTS_SITE_URL").rstrip("/") + path


def decision_message(comment) -> tuple[str, str]:
    title = comment.story.title
    account = absolute(reverse("readers:account"))
    if comment.status == Status.APPROVED:
        subject = f"Your comment on “{title}” is published"
        link = absolute(comment.get_absolute_url())
        lead = f"A moderator has published your comment on “{title}”. Read it here:\n{link}"
    else:
        subject = f"Your comment on “{title}” was not published"
        standards = absolute(reverse("comments:standards"))
        lead = (
            f"A moderator has decided not to publish your comment on “{title}”. "
            f"What we publish is described in the community standards:\n{standards}"
        )
    body = f"{lead}\n\nAll your comments, and whether we email you about them, are on your account page:\n{account}\n"
    return subject, body


def tell_reader_of_decision(sender, instance=None, created=False, update_fields=None, raw=False, **kwargs) -> None:
    """After a moderator's decision is committed, email the commenter if their account asks for it."""
    if raw or created or instance is None or instance.user_id is None:
        return
    if update_fields is None or "status" not in update_fields or instance.status not in DECISIONS:
        return
    if instance.moderated_by_id is None:
        return
    comment_id = instance.pk
    transaction.on_commit(lambda: send_decision(comment_id))


def send_decision(comment_id: int) -> bool:
    from newsroom.comments.models import Comment

    comment = (
        Comment.objects.select_related("story", "user__reader_profile")
        .filter(pk=comment_id, user__isnull=False)
        .first()
    )
    if comment is None or not comment.user.email or comment.status not in DECISIONS:
        return False
    profile = getattr(comment.user, "reader_profile", None)
    if profile is None or not profile.notify_decisions:
        return False
    subject, body = decision_message(comment)
    # A mail server that is down must not undo or block the moderator's decision.
    try:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[comment.user.email])
    except Exception:
        logger.exception("Could not email comment %s's decision to its reader", comment_id)
        return False
    return True
