"""Which surrogate keys a change touches (newsroom.surrogate), connected to saves in NewsroomConfig.ready().

A story edited in place (a headline, a correction, a source) purges ``story:<id>``: its own page and every
page that links to it, lists and Related boxes included. A change to where a story is listed (published,
withdrawn, scheduled, moved to another day or section, contexts or byline changed) also purges the lists
it leaves and joins: its days, month and year, contexts, sections, authors, the front page, the latest
lists, search and sitemaps. A draft edited before anyone could see it purges nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models.signals import post_delete

from . import surrogate
from .querysets import LIVE_STATUSES

LISTED_FIELDS = ("status", "publish_at", "date", "slug")
BEFORE = "_dateline_listed_before"

# Set while a bulk writer (an archive import) runs: the handlers below note that something changed instead
# of working out, story by story, which lists it touched; the writer's end purges the whole site once.
_deferred: ContextVar[list | None] = ContextVar("dateline_deferred_purges", default=None)


@contextmanager
def purges_deferred() -> Iterator[None]:
    """Thousands of saves in a row cost one site-wide purge, asked for when the block ends.

    Working out each story's days, sections, contexts and authors costs several queries a save; after a
    large import nearly every list has moved anyway. The purge waits for the surrounding transaction to
    commit, like every other, so a rolled-back import purges nothing.
    """
    token = _deferred.set([])
    try:
        yield
    finally:
        changed = _deferred.get()
        _deferred.reset(token)
        if changed:
            surrogate.purge([surrogate.SITE, surrogate.LISTS, surrogate.COUNTS])


def _deferring() -> bool:
    changed = _deferred.get()
    if changed is None:
        return False
    if not changed:
        changed.append(True)
    return True


def listed_state(story_id) -> tuple | None:
    from .models import Story

    return Story.objects.filter(pk=story_id).values_list(*LISTED_FIELDS, "article__section__path").first()


def current_state(instance) -> tuple:
    section = getattr(instance, "section", None) if hasattr(instance, "section_id") else None
    return (*(getattr(instance, name) for name in LISTED_FIELDS), section.path if section else None)


def is_live(state: tuple | None) -> bool:
    return state is not None and state[0] in LIVE_STATUSES


def list_keys(story_ids: Iterable[int], states: Iterable[tuple] = ()) -> set[str]:
    """Every list the stories are on now, and the days and sections of ``states`` they were on before."""
    from .models import Byline, Story, TaggedStory

    story_ids = list(story_ids)
    keys = {surrogate.COUNTS, surrogate.FRONT, surrogate.LATEST, "search", "sitemap"}
    keys.update(surrogate.story_key(pk) for pk in story_ids)
    days = set()
    for day, section in Story.objects.filter(pk__in=story_ids).values_list("date", "article__section__path"):
        days.add(day)
        if section:
            keys.update(surrogate.section_keys(section))
    for state in states:
        if state is not None:
            days.add(state[2])
            if state[4]:
                keys.update(surrogate.section_keys(state[4]))
    for day in days:
        keys.update(surrogate.day_keys(day))
    if days and Story.objects.published().filter(date__in=days).count() <= len(story_ids):
        # A day that gained its first story or lost its last: its neighbours' previous and next links move.
        keys.update(neighbour_keys(days))
    slugs = TaggedStory.objects.filter(content_object_id__in=story_ids).values_list("tag__slug", flat=True)
    keys.update(surrogate.context_key(slug) for slug in slugs)
    authors = Byline.objects.filter(article_id__in=story_ids).values_list("author__slug", flat=True)
    keys.update(surrogate.author_key(slug) for slug in authors)
    return keys


def neighbour_keys(days: Iterable) -> set[str]:
    """The pages whose previous and next links name these days: the published days on either side of each.

    A day, month or year page links to the nearest published one before and after it, so when a day gains
    its first story or loses its last, only those neighbours' pages change (their months and years with them:
    a month that gains its first story has the neighbouring days' months on either side).
    """
    from .models import Story

    published = Story.objects.published()
    keys: set[str] = set()
    for day in set(days):
        before = published.filter(date__lt=day).order_by("-date").values_list("date", flat=True).first()
        after = published.filter(date__gt=day).order_by("date").values_list("date", flat=True).first()
        for neighbour in (before, after):
            if neighbour is not None:
                keys.update(surrogate.day_keys(neighbour))
    return keys


def remember_story_state(sender, instance=None, raw=False, **kwargs) -> None:
    if _deferring():
        return
    if raw or instance is None or instance.pk is None:
        return
    setattr(instance, BEFORE, listed_state(instance.pk))


def purge_after_story_save(sender, instance=None, created=False, raw=False, **kwargs) -> None:
    if _deferring():
        return
    if raw or instance is None:
        return
    before = None if created else getattr(instance, BEFORE, None)
    after = current_state(instance)
    if hasattr(instance, BEFORE):
        delattr(instance, BEFORE)
    if not is_live(before) and not is_live(after):
        return
    if created or before != after:
        surrogate.purge(list_keys([instance.pk], [before]))
    else:
        surrogate.purge([surrogate.story_key(instance.pk)])


def purge_after_story_delete(sender, instance=None, **kwargs) -> None:
    if instance is None or instance.status not in LIVE_STATUSES:
        return
    from .models import Story

    state = current_state(instance)
    keys = {surrogate.COUNTS, surrogate.FRONT, surrogate.LATEST, "search", "sitemap"}
    keys.add(surrogate.story_key(instance.pk))
    keys.update(surrogate.day_keys(state[2]))
    if not Story.objects.published().filter(date=state[2]).exclude(pk=instance.pk).exists():
        keys.update(neighbour_keys([state[2]]))
    if state[4]:
        keys.update(surrogate.section_keys(state[4]))
    surrogate.purge(keys)


def _story_is_live(story_id) -> bool:
    from .models import Story

    return Story.objects.filter(pk=story_id, status__in=LIVE_STATUSES).exists()


def purge_after_contexts_change(sender, instance=None, action="", reverse=False, pk_set=None, **kwargs) -> None:
    """A story's contexts changed (``story.tags.add``, ``.set``, ``.remove``, ``.clear``)."""
    if _deferring():
        return
    from taggit.models import Tag

    from .models import Story

    if action == "pre_clear":
        instance._dateline_cleared_tags = list(instance.tags.values_list("slug", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:
        story_ids = list(Story.objects.filter(pk__in=pk_set or ()).values_list("pk", flat=True))
        slugs = [instance.slug]
    else:
        story_ids = [instance.pk]
        if action == "post_clear":
            slugs = getattr(instance, "_dateline_cleared_tags", [])
        else:
            slugs = list(Tag.objects.filter(pk__in=pk_set or ()).values_list("slug", flat=True))
    live = [pk for pk in story_ids if _story_is_live(pk)]
    if not live:
        return
    keys = {surrogate.COUNTS, "search"}
    keys.update(surrogate.story_key(pk) for pk in live)
    keys.update(surrogate.context_key(slug) for slug in slugs)
    surrogate.purge(keys)


def purge_after_tagging(sender, instance=None, raw=False, **kwargs) -> None:
    """A context link written or removed directly (the bulk loader, a merge of two contexts)."""
    if _deferring():
        return
    if raw or instance is None or not _story_is_live(instance.content_object_id):
        return
    from taggit.models import Tag

    slug = Tag.objects.filter(pk=instance.tag_id).values_list("slug", flat=True).first()
    keys = {surrogate.COUNTS, "search", surrogate.story_key(instance.content_object_id)}
    if slug:
        keys.add(surrogate.context_key(slug))
    surrogate.purge(keys)


def purge_story_part(sender, instance=None, raw=False, **kwargs) -> None:
    """A source, related link or correction: shown on its story's page and wherever the story is linked."""
    if raw or instance is None:
        return
    keys = {surrogate.story_key(instance.story_id)}
    if sender._meta.model_name == "correction":
        keys.add("corrections")
    surrogate.purge(keys)


def purge_after_byline(sender, instance=None, raw=False, **kwargs) -> None:
    if _deferring():
        return
    if raw or instance is None or not _story_is_live(instance.article_id):
        return
    from .models import Author

    keys = {surrogate.COUNTS, surrogate.story_key(instance.article_id)}
    slug = Author.objects.filter(pk=instance.author_id).values_list("slug", flat=True).first()
    if slug:
        keys.add(surrogate.author_key(slug))
    surrogate.purge(keys)


def remember_slug(sender, instance=None, raw=False, **kwargs) -> None:
    if raw or instance is None or instance.pk is None:
        return
    field = "path" if sender._meta.model_name == "section" else "slug"
    instance._dateline_slug_before = sender.objects.filter(pk=instance.pk).values_list(field, flat=True).first()


def purge_after_author(sender, instance=None, raw=False, **kwargs) -> None:
    if raw or instance is None:
        return
    slugs = {instance.slug, getattr(instance, "_dateline_slug_before", None)} - {None}
    surrogate.purge([*map(surrogate.author_key, slugs), *map(surrogate.author_name_key, slugs)])


def purge_after_context(sender, instance=None, raw=False, **kwargs) -> None:
    """A context renamed or deleted: its page, and the story pages and Related boxes that name it."""
    if raw or instance is None:
        return
    slugs = {instance.slug, getattr(instance, "_dateline_slug_before", None)} - {None}
    surrogate.purge(surrogate.context_key(slug) for slug in slugs)


def purge_after_section(sender, instance=None, raw=False, **kwargs) -> None:
    # The header names the top sections on every page.
    if raw or instance is None:
        return
    surrogate.purge([surrogate.SITE, surrogate.COUNTS])


def purge_after_image(sender, instance=None, raw=False, **kwargs) -> None:
    if raw or instance is None or instance.pk is None:
        return
    from .models import Article, Author

    keys = {surrogate.story_key(pk) for pk in Article.objects.filter(lead_image=instance).values_list("pk", flat=True)}
    for slug in Author.objects.filter(photo=instance).values_list("slug", flat=True):
        keys.update((surrogate.author_key(slug), surrogate.author_name_key(slug)))
    surrogate.purge(keys)


COMMENT_WAS = "_dateline_comment_status_before"


def remember_comment_status(sender, instance=None, raw=False, **kwargs) -> None:
    if _deferring():
        return
    if raw or instance is None or instance.pk is None:
        return
    setattr(instance, COMMENT_WAS, sender.objects.filter(pk=instance.pk).values_list("status", flat=True).first())


def purge_after_comment(sender, instance=None, created=False, raw=False, signal=None, **kwargs) -> None:
    """A comment changes its own story's page only, and how depends on what readers lose.

    A newly approved comment purges the thread softly (``thread:<id>``): readers of a busy story keep
    the page they had for the moment one fresh copy takes to render, instead of all waiting for it. A
    comment that was shown and is taken down, deleted or edited purges the story's own pages at once
    (``story-page:<id>``), so it is never shown again after the moderator's save.
    """
    if _deferring():
        return
    if raw or instance is None:
        return
    shown_before = not created and getattr(instance, COMMENT_WAS, "approved") == "approved"
    shown_now = signal is not post_delete and instance.status == "approved"
    if shown_before:
        surrogate.purge([surrogate.story_page_key(instance.story_id)])
    elif shown_now:
        surrogate.purge([surrogate.thread_key(instance.story_id)])


def connect() -> None:
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_save, pre_save
    from taggit.models import Tag

    from .models import Author, Byline, Correction, Image, RelatedLink, Section, Source, Story, TaggedStory

    for model in apps.get_models():
        if issubclass(model, Story):
            label = model._meta.label
            pre_save.connect(remember_story_state, sender=model, dispatch_uid=f"keys.{label}.before")
            post_save.connect(purge_after_story_save, sender=model, dispatch_uid=f"keys.{label}.save")
            post_delete.connect(purge_after_story_delete, sender=model, dispatch_uid=f"keys.{label}.delete")
    m2m_changed.connect(purge_after_contexts_change, sender=Story.tags.through, dispatch_uid="keys.contexts")
    for signal in (post_save, post_delete):
        name = signal is post_save and "save" or "delete"
        signal.connect(purge_after_tagging, sender=TaggedStory, dispatch_uid=f"keys.tagged.{name}")
        for part in (Source, RelatedLink, Correction):
            signal.connect(purge_story_part, sender=part, dispatch_uid=f"keys.{part._meta.label}.{name}")
        signal.connect(purge_after_byline, sender=Byline, dispatch_uid=f"keys.byline.{name}")
        signal.connect(purge_after_author, sender=Author, dispatch_uid=f"keys.author.{name}")
        signal.connect(purge_after_context, sender=Tag, dispatch_uid=f"keys.tag.{name}")
        signal.connect(purge_after_section, sender=Section, dispatch_uid=f"keys.section.{name}")
        signal.connect(purge_after_image, sender=Image, dispatch_uid=f"keys.image.{name}")
    for model in (Author, Tag, Section):
        pre_save.connect(remember_slug, sender=model, dispatch_uid=f"keys.{model._meta.label}.slug")
    if apps.is_installed("newsroom.comments"):
        comment = apps.get_model("comments.Comment")
        pre_save.connect(remember_comment_status, sender=comment, dispatch_uid="keys.comment.before")
        post_save.connect(purge_after_comment, sender=comment, dispatch_uid="keys.comment.save")
        post_delete.connect(purge_after_comment, sender=comment, dispatch_uid="keys.comment.delete")
