"""Writes that touch several rows: moving stories through the workflow, corrections, previews, tags.

Each is a keyword-only function running in one transaction; admin actions, management
commands and tests all call these, so the audit trail is the same whoever acts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import reversion
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from taggit.models import Tag

from . import invalidation, surrogate
from .models import (
    Correction,
    PreviewLink,
    Story,
    StoryTransition,
    TaggedStory,
    TagRedirect,
)
from .querysets import Status
from .signals import scheduled_stories_published
from .tags import MAX_NAME_LENGTH, parse_contexts
from .workflow import (
    TRANSITIONS,
    Transition,
    effective_status,
    may_correct,
    may_edit,
    may_transition,
    newsroom_time_text,
    publish_at_kind,
)

PREVIEW_HOURS = getattr(settings, "DATELINE_PREVIEW_HOURS", 48)
# News needs two independent outlets before it goes out; opinion and events need one.
NEWS_MIN_OUTLETS = 2


def _specific(story: Story) -> Story:
    """The Article or Event row, so that saving recomputes what depends on the kind (an article's date)."""
    if type(story) is not Story:
        return story
    return story.specific


def _locked(story: Story) -> Story:
    """The story re-read under a row lock, so two people acting at once act one after the other."""
    model = type(_specific(story))
    return model.objects.select_for_update().get(pk=story.pk)


# The pre-publish checklist -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckItem:
    label: str
    passed: bool


def checklist(*, story: Story) -> list[CheckItem]:
    """What an editor should see true before a story goes out."""
    story = _specific(story)
    outlets = set(story.sources.values_list("outlet_id", flat=True))
    items = []
    if story.kind == Story.Kind.ARTICLE and story.article_type == "news":
        items.append(CheckItem("Sources cite at least two independent outlets", len(outlets) >= NEWS_MIN_OUTLETS))
    else:
        items.append(CheckItem("At least one source is cited", len(outlets) >= 1))
    if story.kind == Story.Kind.ARTICLE:
        image = story.lead_image
        if image is not None:
            items.append(CheckItem("Lead image has alt text", bool(image.alt_text.strip())))
            items.append(CheckItem("Lead image has a credit", bool(image.credit.strip())))
        items.append(CheckItem("Standfirst is written", bool(story.standfirst.strip())))
    return items


def checklist_passes(*, story: Story) -> bool:
    return all(item.passed for item in checklist(story=story))


# Transitions -------------------------------------------------------------------------------------------


def _record(*, story: Story, from_status: str, by, note: str = "", overridden: bool = False) -> StoryTransition:
    return StoryTransition.objects.create(
        story=story,
        from_status=from_status,
        to_status=story.status,
        by=by,
        publish_at=story.publish_at,
        note=note,
        checklist_overridden=overridden,
    )


def transition(
    *,
    story: Story,
    name: str,
    by,
    publish_at: datetime | None = None,
    note: str = "",
    override_reason: str = "",
) -> StoryTransition:
    """Move ``story`` along the named transition, recording who did it, when, and why.

    ``by`` may be None only for the scheduled publisher. A transition that runs the checklist
    refuses a story that fails it unless ``override_reason`` says why it goes out anyway.
    """
    step: Transition = TRANSITIONS[name]
    with transaction.atomic():
        story = _locked(story)
        current = effective_status(story)
        if current not in step.sources:
            raise ValidationError(f"A {Status(current).label.lower()} story cannot be moved that way.")
        if by is not None and not may_transition(by, story, step):
            raise PermissionDenied(f"You may not {step.label.lower()} this story.")
        now = timezone.now()
        overridden = False
        if step.runs_checklist and not checklist_passes(story=story):
            if not override_reason.strip():
                raise ValidationError("The pre-publish checklist is not complete; give a reason to publish anyway.")
            overridden = True
        own_time = ""
        if step.needs_time:
            if publish_at is None or publish_at <= now:
                raise ValidationError({"publish_at": "Choose a time in the future to schedule the story."})
            story.publish_at = publish_at
        elif step.target == Status.PUBLISHED:
            if publish_at is not None and publish_at_kind(publish_at, now) == "future":
                raise ValidationError(
                    {"publish_at": "That time is still to come: schedule the story for it, or publish it now."}
                )
            if publish_at is not None and publish_at_kind(publish_at, now) == "past":
                # An archive story goes out under its own day and time, and so keeps its old address.
                story.publish_at = publish_at
                own_time = f"Published with its original time {newsroom_time_text(publish_at)}"
            else:
                # Without a time given, the story goes out now, even if it was scheduled for later.
                story.publish_at = now
        elif step.target == Status.DRAFT and story.status == Status.SCHEDULED:
            story.publish_at = None
        if step.asks_reason and not note.strip():
            raise ValidationError({"note": "Say why, for the record."})
        from_status = story.status
        story.status = step.target
        story.clean()
        with reversion.create_revision():
            # Workflow moves leave the content, its edit time and its lock number alone.
            story.save(update_fields=["status", "publish_at", "date", "slug", "title"])
            reversion.set_user(by)
            reversion.set_comment(own_time or f"{step.label}" + (f": {note}" if note else ""))
        text = "\n".join(line for line in (own_time, note) if line)
        if overridden:
            text = f"Checklist overridden: {override_reason.strip()}" + (f"\n{text}" if text else "")
        return _record(story=story, from_status=from_status, by=by, note=text, overridden=overridden)


def submit_story(*, story: Story, by) -> StoryTransition:
    return transition(story=story, name="submit", by=by)


def publish_story(
    *, story: Story, by, publish_at: datetime | None = None, override_reason: str = ""
) -> StoryTransition:
    """Publish ``story`` now, or, given a past ``publish_at``, with that time (an archive story keeps its date).

    The one way a story goes out, from the admin, the bulk action and the add form alike; a time still to
    come is refused (that is a schedule), and so is a story the pre-publish checklist holds back without
    ``override_reason``.
    """
    return transition(story=story, name="publish", by=by, publish_at=publish_at, override_reason=override_reason)


def schedule_story(*, story: Story, by, publish_at: datetime, override_reason: str = "") -> StoryTransition:
    return transition(story=story, name="schedule", by=by, publish_at=publish_at, override_reason=override_reason)


def withdraw_story(*, story: Story, by, reason: str) -> StoryTransition:
    return transition(story=story, name="withdraw", by=by, note=reason)


def record_initial_status(*, story: Story, by) -> StoryTransition | None:
    """A story created straight into a state other than draft gets that first step on record."""
    if story.status == Status.DRAFT:
        return None
    return _record(story=story, from_status="", by=by, note="Created with this status.")


def publish_due(*, now: datetime | None = None) -> int:
    """Mark scheduled stories whose time has come as Published, so lists and counts agree.

    The site is already right without this (a due scheduled story counts as published);
    running it again changes nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Story.objects.select_for_update()
            .filter(status=Status.SCHEDULED, publish_at__lte=now)
            .values_list("pk", "publish_at")
        )
        if not due:
            return 0
        # A plain UPDATE: the content is untouched, so an editor with the form open is not told it changed.
        Story.objects.filter(pk__in=[pk for pk, _ in due]).update(status=Status.PUBLISHED)
        StoryTransition.objects.bulk_create(
            StoryTransition(
                story_id=pk,
                from_status=Status.SCHEDULED,
                to_status=Status.PUBLISHED,
                by=None,
                at=publish_at,
                publish_at=publish_at,
                note="Published at its scheduled time.",
            )
            for pk, publish_at in due
        )
        # The UPDATE sends no signals: purge what the stories joined here, and tell webhook endpoints.
        surrogate.purge(invalidation.list_keys([pk for pk, _ in due]))
        scheduled_stories_published.send(sender=Story, story_ids=[pk for pk, _ in due])
    return len(due)


# Corrections -------------------------------------------------------------------------------------------


def add_correction(*, story: Story, note: str, by, when: datetime | None = None) -> Correction:
    """Publish a dated correction note on ``story``; the story then shows as updated."""
    if by is not None and not may_correct(by, story):
        raise PermissionDenied("You may not correct this story.")
    if not note.strip():
        raise ValidationError({"note": "Write what was corrected."})
    with transaction.atomic():
        story = _locked(story)
        correction = Correction.objects.create(
            story=story, note=note.strip(), by=by, published_at=when or timezone.now()
        )
        Story.objects.filter(pk=story.pk).update(updated_at=correction.published_at)
        StoryTransition.objects.create(
            story=story,
            from_status=story.status,
            to_status=story.status,
            by=by,
            note=f"Correction: {correction.note}",
        )
    return correction


# Preview links -----------------------------------------------------------------------------------------


def create_preview_link(*, story: Story, by, hours: int = PREVIEW_HOURS) -> PreviewLink:
    from .workflow import may_preview

    if by is not None and not may_preview(by, story):
        raise PermissionDenied("You may not share a preview of this story.")
    with transaction.atomic():
        return PreviewLink.objects.create(
            story=story, created_by=by, expires_at=timezone.now() + timedelta(hours=hours)
        )


def revoke_preview_link(*, link: PreviewLink, by) -> PreviewLink:
    from .workflow import may_preview

    if by is not None and not may_preview(by, link.story):
        raise PermissionDenied("You may not revoke this preview link.")
    with transaction.atomic():
        PreviewLink.objects.filter(pk=link.pk).update(revoked=True)
        link.revoked = True
    return link


# Revisions ---------------------------------------------------------------------------------------------


def save_revision(*, story: Story, by, comment: str) -> None:
    """Keep the story as it is now as a revision (for saves made outside the admin)."""
    with transaction.atomic(), reversion.create_revision():
        reversion.add_to_revision(_specific(story))
        reversion.set_user(by)
        reversion.set_comment(comment)


def restore_revision(*, story: Story, revision, by) -> Story:
    """Bring back the text, contexts, sources, links and byline ``revision`` holds.

    The story keeps its current state, publish time and address: restoring words never
    publishes, withdraws or moves a story.
    """
    if by is not None and not may_edit(by, story):
        raise PermissionDenied("You may not edit this story.")
    with transaction.atomic():
        current = _locked(story)
        keep = {name: getattr(current, name) for name in ("status", "publish_at", "date", "slug", "version")}
        if not revision.version_set.filter(object_id=str(current.pk)).exists():
            raise ValidationError("That revision belongs to another story.")
        revision.revert(delete=True)
        restored = type(current).objects.get(pk=current.pk)
        for name, value in keep.items():
            setattr(restored, name, value)
        with reversion.create_revision():
            restored.save()
            # The links the revision brought back carry the listing order of their time.
            TaggedStory.sync_listing([restored.pk])
            reversion.set_user(by)
            reversion.set_comment(
                f"Restored the revision of {timezone.localtime(revision.date_created):%-d %b %Y %H:%M}"
            )
    return restored


# Contexts ----------------------------------------------------------------------------------------------


def add_tag(*, stories, name: str, by) -> int:
    """Add the context called ``name`` (made if new) to every story given; returns how many gained it.

    ``name`` is read as a contexts field reads it, so a phrase is one context and quotes are not kept.
    """
    names = parse_contexts(name)
    if not names:
        raise ValidationError("Name the context to add.")
    if len(names) > 1:
        raise ValidationError(
            f"That names {len(names)} contexts ({', '.join(names)}); add one at a time. "
            'A name holding a comma goes in double quotes, e.g. "Smith, John".'
        )
    name = names[0]
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(f"A context name can be at most {MAX_NAME_LENGTH} characters.")
    with transaction.atomic():
        tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
        story_ids = set(Story.objects.filter(pk__in=[s.pk for s in stories]).values_list("pk", flat=True))
        already = set(
            TaggedStory.objects.filter(tag=tag, content_object_id__in=story_ids).values_list(
                "content_object_id", flat=True
            )
        )
        # One row at a time (a changelist page at most) so that save signals, such as the page cache's, see them.
        for pk in sorted(story_ids - already):
            TaggedStory.objects.create(tag=tag, content_object_id=pk)
    return len(story_ids - already)


def merge_tags(*, source: Tag, target: Tag, by) -> int:
    """Move every story from ``source`` to ``target``, delete ``source`` and keep its address as a 301."""
    if by is not None and not by.has_perm("newsroom.merge_tags"):
        raise PermissionDenied("You may not merge contexts.")
    if source.pk == target.pk:
        raise ValidationError("Choose two different contexts to merge.")
    with transaction.atomic():
        moving = set(TaggedStory.objects.filter(tag=source).values_list("content_object_id", flat=True))
        already = set(
            TaggedStory.objects.filter(tag=target, content_object_id__in=moving).values_list(
                "content_object_id", flat=True
            )
        )
        TaggedStory.objects.bulk_create(TaggedStory(tag=target, content_object_id=pk) for pk in moving - already)
        TaggedStory.objects.filter(tag=source).delete()
        # Addresses that pointed at the merged context now follow it to its new home.
        TagRedirect.objects.filter(tag=source).update(tag=target)
        TagRedirect.objects.filter(old_slug=target.slug).delete()
        TagRedirect.objects.update_or_create(old_slug=source.slug, defaults={"tag": target})
        source.delete()
    return len(moving)
