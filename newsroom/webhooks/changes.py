"""Where Dateline's changes become outgoing messages.

The handlers run inside the saving transaction (never on commit): the message rows commit or roll back
with the change. Sending happens later, outside the editor's request.
"""

from __future__ import annotations

from django.db.models.signals import post_save, pre_save

from newsroom.comments.models import Comment
from newsroom.comments.querysets import Status as CommentStatus
from newsroom.models import Correction, Story, StoryTransition
from newsroom.querysets import Status
from newsroom.signals import scheduled_stories_published

from . import services
from .models import EventType

# The fields a workflow move saves; such a save is told as published or withdrawn, not as an update.
WORKFLOW_FIELDS = frozenset({"status", "publish_at", "date", "slug", "title"})


def transition_recorded(sender, instance: StoryTransition, created: bool, **kwargs) -> None:
    # A correction is recorded as a move from a state to the same state; its own handler tells of it.
    if not created or instance.from_status == instance.to_status:
        return
    if instance.to_status == Status.PUBLISHED:
        services.record_story_event(story=instance.story, type=EventType.PUBLISHED)
    elif instance.to_status == Status.WITHDRAWN:
        services.record_story_event(story=instance.story, type=EventType.WITHDRAWN)


def scheduled_went_live(sender, story_ids, **kwargs) -> None:
    for story in Story.objects.filter(pk__in=story_ids).order_by("pk"):
        services.record_story_event(story=story, type=EventType.PUBLISHED)


def story_saved(sender, instance, created: bool, update_fields=None, raw=False, **kwargs) -> None:
    # Connected for every sender, so that articles, events and any later kind of story are heard
    # without this package importing them.
    if not isinstance(instance, Story) or created or raw:
        return
    if update_fields is not None and set(update_fields) <= WORKFLOW_FIELDS:
        return
    if instance.is_published:
        services.record_story_event(story=instance, type=EventType.UPDATED)


def correction_saved(sender, instance: Correction, created: bool, raw=False, **kwargs) -> None:
    if created and not raw:
        services.record_story_event(story=instance.story, type=EventType.CORRECTED)


def comment_before_save(sender, instance: Comment, raw=False, update_fields=None, **kwargs) -> None:
    if raw or (update_fields is not None and "status" not in update_fields):
        instance._status_before = None
        return
    instance._status_before = (
        Comment.objects.filter(pk=instance.pk).values_list("status", flat=True).first() if instance.pk else None
    )


def comment_saved(sender, instance: Comment, created: bool, raw=False, update_fields=None, **kwargs) -> None:
    if raw or instance.status != CommentStatus.APPROVED:
        return
    if not created and (update_fields is not None and "status" not in update_fields):
        return
    if getattr(instance, "_status_before", None) == CommentStatus.APPROVED:
        return
    services.record_story_event(story=instance.story, type=EventType.COMMENT_APPROVED, comment=instance)


def connect() -> None:
    post_save.connect(transition_recorded, sender=StoryTransition, dispatch_uid="webhooks.transition")
    scheduled_stories_published.connect(scheduled_went_live, dispatch_uid="webhooks.scheduled")
    post_save.connect(story_saved, dispatch_uid="webhooks.story")
    post_save.connect(correction_saved, sender=Correction, dispatch_uid="webhooks.correction")
    pre_save.connect(comment_before_save, sender=Comment, dispatch_uid="webhooks.comment.before")
    post_save.connect(comment_saved, sender=Comment, dispatch_uid="webhooks.comment")
