"""Related stories: the one ranking that pages, feeds and exports all call.

For any story, article or event: the editor's own related links come first, in
their order; then published stories sharing at least one context with it, by
number of shared contexts, then by nearness in time. Every entry carries the
contexts it shares, so a reader sees why it is there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, DateField, F, FloatField, Func, Q, Value
from taggit.models import Tag

from newsroom.models import RelatedLink, Story, TaggedStory

DEFAULT_LIMIT = 10


class DayDistance(Func):
    """Whole days between a date column and a fixed day, whichever comes first."""

    output_field = FloatField()

    def __init__(self, column: str, day: date):
        super().__init__(F(column), Value(day, output_field=DateField()))

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="ABS(%(expressions)s)", arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="ABS(julianday(%(expressions)s))",
            arg_joiner=") - julianday(",
            **extra,
        )


@dataclass
class RelatedItem:
    title: str
    url: str
    story: Story | None = None
    label: str = ""
    chosen_by_editor: bool = False
    shared: list[Tag] = field(default_factory=list)

    @property
    def is_external(self) -> bool:
        return self.story is None


def related_stories(story: Story, *, limit: int = DEFAULT_LIMIT, now: datetime | None = None) -> list[RelatedItem]:
    """Rank what a reader of ``story`` should see next.

    The editor's links are never cut; automatic entries fill the list up to
    ``limit``. Costs a fixed number of queries: the story's contexts (free when
    prefetched), the editor's links, the ranked candidates, their rows, and
    the contexts they share.
    """
    live = Story.objects.published(now)
    tags = list(story.tags.all())
    tag_ids = [tag.pk for tag in tags]

    links = list(
        RelatedLink.objects.filter(story=story)
        .filter(Q(target__isnull=True) | Q(target__in=live.values("pk")))
        .select_related("target")
        .order_by("order", "pk")
    )
    items: list[RelatedItem] = []
    seen = {story.pk}
    for link in links:
        if link.target_id:
            if link.target_id in seen:
                continue
            seen.add(link.target_id)
            items.append(
                RelatedItem(
                    title=link.target.title,
                    url=link.target.get_absolute_url(),
                    story=link.target,
                    label=link.label,
                    chosen_by_editor=True,
                )
            )
        else:
            items.append(
                RelatedItem(title=link.label or link.url, url=link.url, label=link.label, chosen_by_editor=True)
            )

    wanted = limit - len(items)
    if tag_ids and wanted > 0:
        ranked = list(
            live.filter(tagged_items__tag_id__in=tag_ids)
            .exclude(pk__in=seen)
            .values("pk")
            .annotate(shared_count=Count("tagged_items"), distance=DayDistance("date", story.date))
            .order_by("-shared_count", "distance", "-date", "-pk")[:wanted]
        )
        rows = Story.objects.select_related("article", "event").in_bulk([row["pk"] for row in ranked])
        for row in ranked:
            found = rows[row["pk"]]
            items.append(RelatedItem(title=found.title, url=found.get_absolute_url(), story=found))

    _attach_shared_contexts(items, {tag.pk: tag for tag in tags})
    return items


def _attach_shared_contexts(items: list[RelatedItem], tags_by_id: dict[int, Tag]) -> None:
    by_story = {item.story.pk: item for item in items if item.story is not None}
    if not by_story or not tags_by_id:
        return
    pairs = TaggedStory.objects.filter(content_object_id__in=by_story, tag_id__in=tags_by_id).values_list(
        "content_object_id", "tag_id"
    )
    for story_id, tag_id in pairs:
        by_story[story_id].shared.append(tags_by_id[tag_id])
    for item in by_story.values():
        item.shared.sort(key=lambda tag: tag.name.lower())
