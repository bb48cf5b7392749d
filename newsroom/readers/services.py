"""Every write to a reader's account: the profile, the name on their comments, closing the account."""

from __future__ import annotations

from axes.models import AccessLog
from django.conf import settings
from django.db import transaction

from newsroom.comments.models import BannedCommenter, Comment
from newsroom.pagecache import forget_pages, forget_subject, thread_subject

from .models import ReaderProfile

# What the comments of a closed account are shown as, with the "anonymise" setting.
DELETED_READER = "a deleted reader"
# Comment history is kept per commenter (newsroom.comments.models.commenter_key_for); a closed account's
# comments belong to no one who can post again.
DELETED_COMMENTER_KEY = "deleted"


class StaffAccount(Exception):
    """Staff accounts hold the newsroom's work and are closed by an administrator, not from the public site."""


def create_profile(*, user, display_name: str) -> ReaderProfile:
    profile, _ = ReaderProfile.objects.update_or_create(user=user, defaults={"display_name": display_name})
    return profile


def profile_for(user) -> ReaderProfile:
    """The reader's profile, made on first use for accounts that predate reader profiles."""
    try:
        return user.reader_profile
    except ReaderProfile.DoesNotExist:
        name = (user.get_full_name() or user.get_username() or "Reader").strip()[:100]
        profile, _ = ReaderProfile.objects.get_or_create(user=user, defaults={"display_name": name})
        return profile


def _forget_threads(story_ids) -> None:
    for story_id in set(story_ids):
        forget_subject(thread_subject(story_id))
    forget_pages()


@transaction.atomic
def rename_reader(*, user, display_name: str) -> ReaderProfile:
    """Change the name shown with the reader's comments, on those already posted too."""
    profile = profile_for(user)
    profile.display_name = display_name
    profile.save(update_fields=["display_name"])
    comments = Comment.objects.filter(user=user)
    story_ids = list(comments.values_list("story_id", flat=True).distinct())
    comments.update(name=display_name)
    _forget_threads(story_ids)
    return profile


def set_preferences(*, user, notify_decisions: bool) -> ReaderProfile:
    profile = profile_for(user)
    profile.notify_decisions = notify_decisions
    profile.save(update_fields=["notify_decisions"])
    return profile


@transaction.atomic
def delete_reader(*, user, comments: str | None = None) -> int:
    """Close a reader's account. Their comments are anonymised or removed, as the site setting says.

    Returns how many comments were anonymised or removed.
    """
    if user.is_staff or user.is_superuser:
        raise StaffAccount
    mode = comments or settings.DATELINE_DELETED_READER_COMMENTS
    theirs = Comment.objects.filter(user=user)
    story_ids = list(theirs.values_list("story_id", flat=True).distinct())
    if mode == "remove":
        count = theirs.count()
        theirs.delete()
    else:
        count = theirs.update(
            user=None,
            name=DELETED_READER,
            email="",
            url="",
            ip_address=None,
            user_agent="",
            commenter_key=DELETED_COMMENTER_KEY,
        )
    # A ban outlives the account it was put on: it holds the address, so a new account with it is refused too.
    if user.email:
        BannedCommenter.objects.filter(user=user).update(user=None, email=user.email.strip().lower())
    # The record of successful sign-ins names the account; failed ones stay, as the sign-in lock counts them.
    AccessLog.objects.filter(username__in=[user.email.strip().lower(), user.get_username()]).delete()
    user.delete()
    _forget_threads(story_ids)
    return count


def user_display(user) -> str:
    """How allauth's pages and emails name the reader (ACCOUNT_USER_DISPLAY): never by their email address."""
    from newsroom.comments.services import display_name

    return display_name(user)
