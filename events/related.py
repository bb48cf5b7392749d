"""Related stories: the one ranking that pages, feeds and exports all call.

For any story, article or event: the editor's own related links come first, in
their order; then published stories sharing at least one context with it, by
number of shared contexts, then by nearness in time. Every entry carries the
contexts it shares, so a reader sees why it is there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import Count, DateField, F, FloatField, Func, Q, Value
from django.utils import timezone
from django.utils.translation import get_language
from psycopg.types.numeric import Int4, Int8
from taggit.models import Tag

from newsroom.models import Article, RelatedLink, Story, TaggedStory
from newsroom.querysets import LIVE_STATUSES
from newsroom.storyread import built

DEFAULT_LIMIT = 10
# How many stories on each side of the story's date one shared context may put forward.
CANDIDATES_PER_CONTEXT = 40


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
    shared_known: bool = field(default=False, repr=False)
    # What a list entry shows beside the title: "article" or "event", and the story's day.
    kind: str = ""
    date: date | None = None

    @classmethod
    def of(cls, story: Story, **kwargs) -> RelatedItem:
        return cls(
            title=story.title, url=story.get_absolute_url(), story=story, kind=story.kind, date=story.date, **kwargs
        )

    @property
    def is_external(self) -> bool:
        return self.story is None


def _article(story: Story) -> Article | None:
    if isinstance(story, Article):
        return story
    if story.kind != Story.Kind.ARTICLE:
        return None
    try:
        return story.article
    except Article.DoesNotExist:
        return None


def _language(story: Story) -> str:
    """The language the reader of ``story`` reads: an article's own, or the site's for an event."""
    article = _article(story)
    return article.language if article is not None else (get_language() or settings.LANGUAGE_CODE)


def _translation_root(story: Story) -> int:
    """The original article of a set of translations (a story with no translations is its own)."""
    article = _article(story)
    return (article.translation_of_id if article is not None else None) or story.pk


def related_stories(
    story: Story, *, limit: int = DEFAULT_LIMIT, now: datetime | None = None, language: str | None = None
) -> list[RelatedItem]:
    """Rank what a reader of ``story`` should see next.

    The editor's links are never cut; automatic entries fill the list up to
    ``limit``. An article and its translations are one entry, in the reader's
    ``language`` where the ranking found that version (the story's own language
    unless given), and never the story's own translations. Costs a fixed number
    of queries: the story's contexts (free when prefetched), the editor's links,
    the ranked candidates, and on databases other than PostgreSQL the contexts
    they share.
    """
    language = language or _language(story)
    tags = list(story.tags.all())
    tag_ids = [tag.pk for tag in tags]
    tags_by_id = {tag.pk: tag for tag in tags}

    # A page that already knows the story has no links of its own (StoryDetailView annotates it) saves a query.
    has_links = getattr(story, "has_related_links", True)
    links = list(
        RelatedLink.objects.filter(story=story)
        .filter(Q(target__isnull=True) | Q(target__in=Story.objects.published(now).values("pk")))
        .select_related("target__article")
        .order_by("order", "pk")
        if has_links
        else ()
    )
    items: list[RelatedItem] = []
    seen = {story.pk}
    # Translation sets already listed (or the story's own): their other versions are not listed again.
    roots = {_translation_root(story)}
    for link in links:
        if link.target_id:
            root = _translation_root(link.target)
            if link.target_id in seen or root in roots:
                continue
            seen.add(link.target_id)
            roots.add(root)
            items.append(RelatedItem.of(link.target, label=link.label, chosen_by_editor=True))
        else:
            items.append(
                RelatedItem(title=link.label or link.url, url=link.url, label=link.label, chosen_by_editor=True)
            )

    wanted = limit - len(items)
    if tag_ids and wanted > 0:
        if connection.vendor == "postgresql":
            ranked = _ranked_sql(tag_ids, story.date, seen, wanted * 2, now)
        else:
            ranked = _ranked_orm(Story.objects.published(now), tag_ids, story.date, seen, wanted * 2)
        # Translations of one article rank side by side (they share their contexts), so twice the rows
        # asked for leaves enough once each set is folded into one entry.
        automatic: dict[int, RelatedItem] = {}
        for found in ranked:
            root = _translation_root(found)
            if root in roots:
                listed = automatic.get(root)
                # The reader's version takes the place of another one already listed, keeping its rank.
                if listed is not None and _language(listed.story) != language and _language(found) == language:
                    replacement = _automatic_item(found, tags_by_id)
                    automatic[root] = replacement
                    items[next(n for n, item in enumerate(items) if item is listed)] = replacement
                continue
            if len(automatic) == wanted:
                continue
            roots.add(root)
            automatic[root] = _automatic_item(found, tags_by_id)
            items.append(automatic[root])

    _attach_shared_contexts([item for item in items if not item.shared_known], tags_by_id)
    return items


def _ranked_orm(live, tag_ids: list[int], day: date, seen: set[int], size: int) -> list[Story]:
    ranked = (
        live.filter(tagged_items__tag_id__in=tag_ids, pk__in=_nearest_candidates(live, tag_ids, day))
        .exclude(pk__in=seen)
        # An entry shows a title, an address and the article kind: the rows are read for no more.
        .select_related("article")
        .only("kind", "date", "slug", "title", "article__article_type", "article__language", "article__translation_of")
        .annotate(shared_count=Count("tagged_items"), distance=DayDistance("date", day))
    )
    return list(ranked.order_by("-shared_count", "distance", "-date", "-pk")[:size])


def _names() -> dict[str, str]:
    quote = connection.ops.quote_name
    names = {}
    for key, model in {"story": Story, "article": Article, "tagged": TaggedStory}.items():
        names[key] = quote(model._meta.db_table)
        for model_field in model._meta.concrete_fields:
            names[f"{key}.{model_field.name}"] = quote(model_field.column)
        names[f"{key}.pk"] = quote(model._meta.pk.column)
    return names


@cache
def ranking_sql() -> str:
    """The ranking for a story, any story, in one statement; PostgreSQL only.

    Written out once and kept: building the same query through the ORM (a union of two ordered, limited
    parts per context, then the grouping) cost several times what running it does. Per context, the
    ``CANDIDATES_PER_CONTEXT`` stories nearest in time on either side come from the context links' own
    listing index (see ``_nearest_candidates``): a range read of that index with a limit, whatever the size
    of the context. Only those candidates are ranked; each one's shared contexts are counted from its own
    links (the LATERAL part), never by joining every link of the contexts. The ranking reads the links
    alone: they carry their story's day and whether it is live (``listed``, kept with the story's state as
    the context pages' lists are), so only the stories that make the list have their row read, by key, in
    a subquery of its own (``LIMIT 1`` keeps PostgreSQL from merging it into the outer query, which a plan
    for any parameters once did, hashing every published story against the candidates). The story's own
    state is checked again there. Reading the rows of all the candidates instead (117 for a page with
    three busy contexts) took a third of the statement's time.

    The contexts are a parameter (an array), so every story page runs the same statement and PostgreSQL may
    keep one plan for it, made for any parameters, wherever it judges that plan as good as planning each run
    (it does on the side-by-side archive; at full size, where most contexts are small, it plans each run).
    With each context's number written into the text instead, every story had a statement of its own,
    planned afresh on every page: about 0.4 ms of the database's time, as much as running it. Every part of
    a plan for any parameters is bounded by a limit, so a context of a few stories and one of hundreds of
    thousands read the same handful of rows, provided no index on the context alone tempts the planner to
    read them all and sort them (migration 0018 dropped taggit's; ``tests/events/test_related_plans.py``).
    """
    side = """SELECT nearest.{tagged.content_object}, nearest.{tagged.story_date}
          FROM unnest(%s::integer[]) AS context(id)
         CROSS JOIN LATERAL (
               SELECT {tagged.content_object}, {tagged.story_date} FROM {tagged}
                WHERE {tagged.tag} = context.id AND {tagged.listed} AND {tagged.story_publish_at} <= %s
                  AND {tagged.story_date} {compare} %s
                ORDER BY {tagged.story_date} {way}, {tagged.story_publish_at} {way}, {tagged.content_object} {way}
                LIMIT {per_context}) nearest"""
    before = side.replace("{compare}", "<=").replace("{way}", "DESC")
    after = side.replace("{compare}", ">").replace("{way}", "ASC")
    sql = f"""
        WITH candidates(id, day) AS (({before}) UNION ALL ({after})),
        ranked AS (
               SELECT c.id, c.day, shared.shared_count, shared.shared_ids
                 FROM (SELECT DISTINCT id, day FROM candidates WHERE NOT (id = ANY(%s::bigint[]))) c
                CROSS JOIN LATERAL (
                      SELECT COUNT(*) AS shared_count, ARRAY_AGG(t.{{tagged.tag}}) AS shared_ids
                        FROM {{tagged}} t
                       WHERE t.{{tagged.content_object}} = c.id AND t.{{tagged.tag}} = ANY(%s::integer[])) shared
                ORDER BY shared.shared_count DESC, ABS(c.day - %s), c.day DESC, c.id DESC
                LIMIT %s)
        SELECT s.{{story.pk}}, s.{{story.kind}}, s.{{story.date}}, s.{{story.slug}}, s.{{story.title}},
               a.{{article.article_type}}, a.{{article.language}}, a.{{article.translation_of}},
               r.shared_count, r.shared_ids
          FROM ranked r
         CROSS JOIN LATERAL (
               SELECT {{story.pk}}, {{story.kind}}, {{story.date}}, {{story.slug}}, {{story.title}}
                 FROM {{story}}
                WHERE {{story.pk}} = r.id
                  AND {{story.status}} IN ({", ".join(["%s"] * len(LIVE_STATUSES))}) AND {{story.publish_at}} <= %s
                LIMIT 1) s
          LEFT JOIN {{article}} a ON a.{{article.pk}} = s.{{story.pk}}
         ORDER BY r.shared_count DESC, ABS(r.day - %s), r.day DESC, r.id DESC
    """
    names = _names()
    sql = re.sub(r"\{([a-z_.]+)\}", lambda found: names.get(found.group(1), found.group(0)), sql)
    return sql.replace("{per_context}", str(CANDIDATES_PER_CONTEXT))


# The columns the ranking reads, by attribute name, in the models' own field order (as Model.from_db wants).
_STORY_FIELDS = ("id", "kind", "date", "slug", "title")
_ARTICLE_FIELDS = (*_STORY_FIELDS, "story_ptr_id", "article_type", "language", "translation_of_id")


def ranking_params(tag_ids: list[int], day: date, seen: set[int], size: int, now: datetime) -> list:
    """The parameters of ``ranking_sql``, in its order.

    The numbers are sent as the columns' own types: psycopg sends a list of small numbers as ``smallint[]``
    and a list of larger ones as ``integer[]`` or ``bigint[]``, and prepares a statement once for each.
    """
    contexts = [Int4(tag_id) for tag_id in tag_ids]
    return [
        contexts, now, day, contexts, now, day,
        [Int8(pk) for pk in sorted(seen)], contexts, day, size,
        *(str(status) for status in LIVE_STATUSES), now, day,
    ]  # fmt: skip


def _ranked_sql(tag_ids: list[int], day: date, seen: set[int], size: int, now: datetime | None) -> list[Story]:
    params = ranking_params(tag_ids, day, seen, size, now or timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(ranking_sql(), params)
        rows = cursor.fetchall()
    found = []
    # Built as the ORM builds rows read with .only(): the other fields stay deferred, so no default is
    # computed for them (a third of the cost of building each entry the usual way).
    db = connection.alias
    for pk, kind, day_, slug, title, article_type, language, translation_of, shared_count, shared_ids in rows:
        story = built(Story, db, _STORY_FIELDS, (pk, kind, day_, slug, title))
        if kind == Story.Kind.ARTICLE and article_type is not None:
            # Only what an entry shows: the kind of article, and the language and original for translations.
            story.article = built(
                Article, db, _ARTICLE_FIELDS, (pk, kind, day_, slug, title, pk, article_type, language, translation_of)
            )
        story.shared_count, story.shared_ids = shared_count, shared_ids
        found.append(story)
    return found


def _automatic_item(found: Story, tags_by_id: dict[int, Tag]) -> RelatedItem:
    item = RelatedItem.of(found)
    shared_ids = getattr(found, "shared_ids", None)
    if shared_ids is not None:
        item.shared = sorted(
            (tags_by_id[pk] for pk in shared_ids if pk in tags_by_id), key=lambda tag: tag.name.lower()
        )
        item.shared_known = True
    return item


def _nearest_candidates(live, tag_ids: list[int], day: date):
    """Per shared context, only the stories nearest in time on either side: a bounded, indexed set.

    A context like "China" may sit on hundreds of thousands of stories; ranking
    all of them for every page would read them all. Stories sharing several
    contexts are near in time in practice, so they are among these anyway.
    Where the database cannot slice inside a UNION (SQLite), every story is a
    candidate, which is fine at the sizes such a database holds.
    """
    if not connection.features.supports_slicing_ordering_in_compound:
        return live.values("pk")
    # Read from the context links' own listing index (story day and time copied onto each link), so a
    # rare context costs forty index entries too, instead of a walk through every story by date.
    # The ranking query still keeps only stories in ``live``.
    now = timezone.now()
    parts = []
    for tag_id in tag_ids:
        sharing = TaggedStory.objects.filter(tag_id=tag_id, listed=True, story_publish_at__lte=now).values_list(
            "content_object_id", flat=True
        )
        parts.append(
            sharing.filter(story_date__lte=day).order_by("-story_date", "-story_publish_at", "-content_object_id")[
                :CANDIDATES_PER_CONTEXT
            ]
        )
        parts.append(
            sharing.filter(story_date__gt=day).order_by("story_date", "story_publish_at", "content_object_id")[
                :CANDIDATES_PER_CONTEXT
            ]
        )
    first, *rest = parts
    return first.union(*rest, all=True)


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
