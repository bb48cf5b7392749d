"""The story page's own reads: the story with its article or event, then its contexts, sources and bylines.

The story page is the page most often rendered without a cache in front of it (readers from search engines
and shared links, crawlers, every page a change sends back to be rendered). Through the ORM, its four
queries (``select_related`` over five tables with the page's flags, then the prefetches of contexts, sources
and bylines) cost about twice as much to build and compile as PostgreSQL took to answer them: 5 ms of a
13 ms event page at the benchmark's size. Their SQL depends only on the models, so each is written out once
per database from the models' metadata, as the Related ranking is (``events.related``). Every value read
goes through the converters the ORM itself would apply, and the objects are the ones the ORM builds:

- ``read_story``: a Story with its Article (and the article's section and lead image) or its Event cached,
  the side it is not cached as absent, and the page's flags as attributes;
- ``prefetch_story_page``: its contexts (in the order given, as ``ContextsManager`` orders them), its
  sources with their outlets and link status, and an article's bylines with their authors, put where the
  ORM's ``prefetch_related`` puts them, so ``story.tags.all()`` and the rest run no query;
- ``read_listing``, ``read_listed`` and ``listed``: the stories of a list page as ``for_listing()`` builds
  them, by their ids (a context's page) or by the list's own filter, order and slice (the archive, a day, a
  section, an author).

The ORM's form of the same reads stays in ``StoryDetailView.get_queryset`` (the admin's live preview), and
``tests/newsroom/test_story_read.py`` checks that both give the same objects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import ModelIterable, QuerySet
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

from .models import Article, Author, Byline, Image, Outlet, Section, Source, Story, TaggedStory, _link_status_sql
from .querysets import LISTING_DEFERRED, LIVE_STATUSES

# The search index's column is for the database's own use: left deferred, as no page reads it.
NOT_READ = frozenset({"search_vector"})


@dataclass(frozen=True)
class _Part:
    """One model in a statement's columns: its fields in ``Model.from_db`` order, from column ``start``."""

    model: type
    fields: tuple
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.fields)

    @property
    def attnames(self) -> list[str]:
        return [field.attname for field in self.fields]

    def build(self, row: list, db: str):
        return built(self.model, db, self.attnames, row[self.start : self.end])


def built(model, db: str, attnames: list[str], values) -> object:
    """``model.from_db(db, attnames, values)``: the same instance, filled in directly where that is the same.

    ``Model.__init__`` walks every field of the model, setting each value through the class's descriptors,
    and sends two signals for each instance: building a list page's stories, their events or articles,
    sections and pictures spent more time there than in reading them (a busy day's page at the full
    benchmark size makes 350 instances). A model whose fields are plain values (no file fields), that keeps
    ``Model``'s own ``__init__`` and ``from_db`` and that nothing listens to the signals of gets its values
    put in its attributes directly, with the state ``from_db`` gives; the fields not read stay deferred, as
    there. Any other model goes through ``from_db``.
    """
    if not _fillable(model) or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model.from_db(db, attnames, values)
    instance = model.__new__(model)
    state = instance._state = ModelState()
    state.adding, state.db = False, db
    instance.__dict__.update(zip(attnames, values, strict=True))
    return instance


@cache
def _fillable(model) -> bool:
    """Whether setting ``model``'s fields on a new instance only stores their values."""
    from django.db.models import Model

    if model.__init__ is not Model.__init__ or model.from_db.__func__ is not Model.from_db.__func__:
        return False
    # Plain fields and foreign keys' ids are DeferredAttributes (a foreign key's also forgets a cached
    # object, which a new instance has none of); a file field's descriptor wraps its value.
    return all(type(_class_attribute(model, field.attname)) in _PLAIN for field in model._meta.concrete_fields)


_PLAIN = (DeferredAttribute, ForeignKeyDeferredAttribute)


def _class_attribute(model, name: str):
    """What ``model`` holds under ``name`` as its class defines it (a parent's, for an inherited field)."""
    return next((klass.__dict__[name] for klass in model.__mro__ if name in klass.__dict__), None)


@dataclass(frozen=True)
class _Statement:
    sql: str
    parts: dict[str, _Part]
    # (column index, column expression, converters), for the columns whose values the ORM converts.
    converters: tuple
    # Extra columns after the models' (name, python type), in order.
    extras: tuple[tuple[str, type], ...] = ()
    # The SELECT list and the FROM clause, for a statement written into another one (``_folded_lists``).
    columns: str = ""
    joins: str = ""

    def run(self, connection, where: str, params: list) -> list[list]:
        with connection.cursor() as cursor:
            cursor.execute(f"{self.sql} {where}", params)
            rows = [list(row) for row in cursor.fetchall()]
        for row in rows:
            for index, expression, converters in self.converters:
                value = row[index]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[index] = value
        return rows

    def extra_values(self, row: list) -> dict:
        start = len(row) - len(self.extras)
        return {name: kind(row[start + offset] or 0) for offset, (name, kind) in enumerate(self.extras)}


def _statement(connection, tables: dict[str, tuple], joins: str, extras=()) -> _Statement:
    """SELECT the fields of each (model, fields) in ``tables`` and each extra (name, SQL, type), FROM ``joins``."""
    quote = connection.ops.quote_name
    columns, converters, parts = [], [], {}
    for name, (model, fields) in tables.items():
        table = quote(model._meta.db_table)
        parts[name] = _Part(model, tuple(fields), len(columns))
        for field in fields:
            column = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                converters.append((len(columns), column, tuple(found)))
            columns.append(f"{table}.{quote(field.column)}")
    columns += [f"({sql})" for _, sql, _ in extras]
    return _Statement(
        sql=f"SELECT {', '.join(columns)} FROM {joins}",
        parts=parts,
        converters=tuple(converters),
        extras=tuple((name, kind) for name, _, kind in extras),
        columns=", ".join(columns),
        joins=joins,
    )


def _column(connection, model, field: str) -> str:
    quote = connection.ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(field).column)}"


def _join(connection, model, field: str, other, other_field: str) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    return f"{table} ON {_column(connection, model, field)} = {_column(connection, other, other_field)}"


def _event_model():
    return Story._meta.get_field("event").related_model


def _tag_model():
    return TaggedStory._meta.get_field("tag").related_model


@cache
def _listing_deferred() -> frozenset[tuple[str, str]]:
    """``LISTING_DEFERRED`` (what no list item shows) as (part, field name) pairs of the story statement."""
    parts = {
        (): "story",
        ("article",): "article",
        ("article", "section"): "section",
        ("article", "lead_image"): "image",
    }
    deferred = set()
    for path in LISTING_DEFERRED:
        *relations, name = path.split("__")
        deferred.add((parts[tuple(relations)], name))
    return frozenset(deferred)


@cache
def _story_statement(
    alias: str, flag_sql: tuple[tuple[str, str, type], ...], deferred: frozenset[tuple[str, str]] = frozenset()
) -> _Statement:
    connection = connections[alias]
    event = _event_model()

    def read(part: str, fields) -> list:
        return [field for field in fields if (part, field.name) not in deferred]

    # Article and Event rows hold only their own columns; their instances take the story's for the rest.
    tables = {
        "story": (Story, read("story", [field for field in Story._meta.concrete_fields if field.name not in NOT_READ])),
        "article": (Article, read("article", Article._meta.local_concrete_fields)),
        "section": (Section, read("section", Section._meta.concrete_fields)),
        "image": (Image, read("image", Image._meta.concrete_fields)),
        "event": (event, read("event", event._meta.local_concrete_fields)),
    }
    # The flags' subqueries name the story by its table, as the ORM's annotations do: it is not aliased.
    joins = (
        f"{connection.ops.quote_name(Story._meta.db_table)}"
        f" LEFT JOIN {_join(connection, Article, 'story_ptr', Story, 'id')}"
        f" LEFT JOIN {_join(connection, Section, 'id', Article, 'section')}"
        f" LEFT JOIN {_join(connection, Image, 'id', Article, 'lead_image')}"
        f" LEFT JOIN {_join(connection, event, 'story_ptr', Story, 'id')}"
    )
    return _statement(connection, tables, joins, flag_sql)


def read_story(
    *,
    using: str,
    flag_sql: tuple[tuple[str, str, type], ...] = (),
    day: date | None = None,
    slug: str | None = None,
    pk: int | None = None,
    published_at: datetime | None = None,
    with_lists: bool = False,
) -> Story | None:
    """The story on ``day`` with ``slug`` (or the one with ``pk``), published at ``published_at`` if given.

    ``flag_sql``: (attribute, SQL, bool or int) triples, each a scalar subquery naming the story's table,
    its value set on the story as that type. ``with_lists``: read the story's contexts and sources in the
    same statement where the database allows (``_folded_lists``), for ``prefetch_story_page`` to take.
    """
    connection = connections[using]
    if with_lists:
        flag_sql = (*flag_sql, *_folded_lists(using))
    statement = _story_statement(using, flag_sql)
    ops = connection.ops
    where, params = [], []
    if pk is not None:
        where.append(f"{_column(connection, Story, 'id')} = %s")
        params.append(int(pk))
    if day is not None:
        where.append(f"{_column(connection, Story, 'date')} = %s")
        params.append(ops.adapt_datefield_value(day))
    if slug is not None:
        where.append(f"{_column(connection, Story, 'slug')} = %s")
        params.append(slug)
    if published_at is not None:
        live, live_params = _live(connection, published_at)
        where += live
        params += live_params
    if not where:
        raise ValueError("read_story needs a key: pk, or day and slug")
    # Two rows would mean the key named more than one story; the caller treats that as not found.
    rows = statement.run(connection, f"WHERE {' AND '.join(where)} LIMIT 2", params)
    if len(rows) != 1:
        return None
    story = _build(statement, rows[0], connection.alias)
    for name, value in statement.extra_values(rows[0]).items():
        setattr(story, name, value)
    return story


def _build(statement: _Statement, row: list, db: str) -> Story:
    parts = statement.parts
    own = parts["story"]
    story = own.build(row, db)
    story_values = row[own.start : own.end]

    def child(part: _Part):
        # A child's instance carries its parent's fields too, as the ORM builds it.
        return built(part.model, db, own.attnames + part.attnames, story_values + row[part.start : part.end])

    article = event = None
    if row[parts["article"].start] is not None:
        article = child(parts["article"])
        section = parts["section"].build(row, db) if row[parts["section"].start] is not None else None
        image = parts["image"].build(row, db) if row[parts["image"].start] is not None else None
        Article._meta.get_field("section").set_cached_value(article, section)
        Article._meta.get_field("lead_image").set_cached_value(article, image)
        Article._meta.get_field("story_ptr").set_cached_value(article, story)
    if row[parts["event"].start] is not None:
        event = child(parts["event"])
        parts["event"].model._meta.get_field("story_ptr").set_cached_value(event, story)
    # The side a story is not is known to be absent: reading it raises DoesNotExist without a query.
    Story._meta.get_field("article").set_cached_value(story, article)
    Story._meta.get_field("event").set_cached_value(story, event)
    return story


@cache
def _contexts_statement(alias: str) -> _Statement:
    connection = connections[alias]
    tag = _tag_model()
    joins = (
        f"{connection.ops.quote_name(tag._meta.db_table)} INNER JOIN {_join(connection, TaggedStory, 'tag', tag, 'id')}"
    )
    return _statement(connection, {"tag": (tag, tag._meta.concrete_fields)}, joins)


def _with_one_joined(alias: str, names: tuple[str, str], model, field: str, joined, extras=()) -> _Statement:
    """Every column of ``model`` rows and of the ``joined`` row each one's ``field`` points to."""
    connection = connections[alias]
    joins = (
        f"{connection.ops.quote_name(model._meta.db_table)} INNER JOIN {_join(connection, joined, 'id', model, field)}"
    )
    tables = {names[0]: (model, model._meta.concrete_fields), names[1]: (joined, joined._meta.concrete_fields)}
    return _statement(connection, tables, joins, extras)


@cache
def _sources_statement(alias: str) -> _Statement:
    return _with_one_joined(
        alias, ("source", "outlet"), Source, "outlet", Outlet, (("link_status", _link_status_sql(), str),)
    )


@cache
def _bylines_statement(alias: str) -> _Statement:
    return _with_one_joined(alias, ("byline", "author"), Byline, "author", Author)


def _prefetched(instance, name: str, objects: list) -> None:
    """Put ``objects`` where ``prefetch_related(name)`` puts them, as Django's ``prefetch_one_level`` does.

    The related manager's own queryset holds them as its results, so ``instance.<name>.all()`` answers
    without a query, and a further filter on it still reads the database with the relation's own filter.
    """
    queryset = getattr(instance, name).get_queryset()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset


# The field types whose values come back from a JSON array as the ORM reads them from their columns (numbers,
# text, true and false), and those that come back as ISO text, turned back by the field's own ``to_python``.
_AS_IN_JSON = frozenset(
    {
        *("AutoField", "BigAutoField", "SmallAutoField", "ForeignKey", "OneToOneField", "BooleanField"),
        *("IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField"),
        *("PositiveBigIntegerField", "CharField", "TextField", "SlugField", "URLField", "EmailField"),
    }
)
_FROM_ISO_TEXT = frozenset({"DateField", "DateTimeField"})


def _json_rows(value) -> list:
    """A JSON column of rows (``json_agg``) as a list: psycopg parses ``json`` itself, Django leaves ``jsonb`` text."""
    if isinstance(value, str):
        return json.loads(value)
    return value or []


@cache
def _folded_lists(alias: str) -> tuple[tuple[str, str, type], ...]:
    """The story page's contexts and sources as two columns of the story's own statement, on PostgreSQL.

    Each list is one ``json_agg`` of its statement's rows, in its order, in a subquery on the story's id: the
    page makes one round trip to the database for the story and both lists instead of three, a fifth of a
    millisecond of the two processes' time on every story page. None on SQLite, which answers in the same
    process (there is no round trip to save), or when a field of those rows would not come back from JSON as
    the ORM reads it: ``prefetch_story_page`` then reads the lists with statements of their own.
    """
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return ()
    lists = _page_lists(alias)
    if any(page_list.converters is None for page_list in lists.values()):
        return ()
    story_id = _column(connection, Story, "id")
    return tuple(
        (
            name,
            f"SELECT json_agg(json_build_array({page_list.statement.columns}) ORDER BY {page_list.order})"
            f" FROM {page_list.statement.joins} WHERE {page_list.key} = {story_id}",
            _json_rows,
        )
        for name, page_list in lists.items()
    )


@dataclass(frozen=True)
class _PageList:
    """A list a story page reads beside its story: its statement, the column naming its story, its order, and
    (column index, ``to_python``) for the columns JSON carries as text (None if one would not come back from
    JSON as the ORM reads it)."""

    statement: _Statement
    key: str
    order: str
    converters: tuple | None


@cache
def _page_lists(alias: str) -> dict[str, _PageList]:
    """The story page's lists, by the attribute a folded read (``_folded_lists``) leaves their rows under."""
    connection = connections[alias]

    def page_list(statement: _Statement, key: str, order: str) -> _PageList:
        return _PageList(statement, key, order, _json_converters(statement))

    return {
        "_page_contexts": page_list(
            _contexts_statement(alias),
            _column(connection, TaggedStory, "content_object"),
            _column(connection, TaggedStory, "id"),
        ),
        "_page_sources": page_list(
            _sources_statement(alias),
            _column(connection, Source, "story"),
            f"{_column(connection, Source, 'order')}, {_column(connection, Source, 'id')}",
        ),
    }


def _json_converters(statement: _Statement) -> tuple[tuple[int, object], ...] | None:
    converters = []
    for part in statement.parts.values():
        for offset, field in enumerate(part.fields):
            kind = field.get_internal_type()
            if kind in _FROM_ISO_TEXT:
                converters.append((part.start + offset, field.to_python))
            elif kind not in _AS_IN_JSON:
                return None
    return tuple(converters)


def _list_rows(story: Story, name: str, connection) -> tuple[_Statement, list[list]]:
    """A page list's statement and its rows for ``story``: the ones read with the story where they were
    (``_folded_lists``, taken off the story), else read now by their own statement."""
    page_list = _page_lists(connection.alias)[name]
    rows = story.__dict__.pop(name, None)
    if rows is None:
        rows = page_list.statement.run(connection, f"WHERE {page_list.key} = %s ORDER BY {page_list.order}", [story.pk])
    else:
        for row in rows:
            for index, to_python in page_list.converters:
                if row[index] is not None:
                    row[index] = to_python(row[index])
    return page_list.statement, rows


def prefetch_story_page(story: Story, *, using: str) -> None:
    """Read what the story page shows beside ``story``: contexts, sources, and an article's bylines.

    One statement each, as the ORM's prefetch runs; an event runs no byline statement. The contexts and
    sources of a story read ``with_lists`` come with it, where the database allows (``_folded_lists``).
    """
    connection = connections[using]
    db = connection.alias

    contexts, rows = _list_rows(story, "_page_contexts", connection)
    _prefetched(story, "tags", [contexts.parts["tag"].build(row, db) for row in rows])

    sources, rows = _list_rows(story, "_page_sources", connection)
    cited = []
    for row in rows:
        source = sources.parts["source"].build(row, db)
        Source._meta.get_field("outlet").set_cached_value(source, sources.parts["outlet"].build(row, db))
        Source._meta.get_field("story").set_cached_value(source, story)
        source.link_status = row[-1]
        cited.append(source)
    _prefetched(story, "sources", cited)

    _prefetch_bylines([story], connection)


def _prefetch_bylines(stories: list[Story], connection) -> None:
    """Each article's bylines with their authors, in one statement for all of ``stories`` (none for events)."""
    articles = {}
    for story in stories:
        article = Story._meta.get_field("article").get_cached_value(story, default=None)
        if article is not None:
            articles[article.pk] = article
    if not articles:
        return
    bylines = _bylines_statement(connection.alias)
    article_column = _column(connection, Byline, "article")
    order = ", ".join(_column(connection, Byline, field) for field in ("article", "order", "id"))
    rows = bylines.run(
        connection,
        f"WHERE {article_column} IN ({', '.join(['%s'] * len(articles))}) ORDER BY {order}",
        list(articles),
    )
    lines: dict[int, list] = {pk: [] for pk in articles}
    db = connection.alias
    for row in rows:
        byline = bylines.parts["byline"].build(row, db)
        article = articles[byline.article_id]
        Byline._meta.get_field("author").set_cached_value(byline, bylines.parts["author"].build(row, db))
        Byline._meta.get_field("article").set_cached_value(byline, article)
        lines[article.pk].append(byline)
    for pk, article in articles.items():
        _prefetched(article, "bylines", lines[pk])


def read_listing(pks: list[int], *, using: str, published_at: datetime) -> dict[int, Story]:
    """The published stories among ``pks`` as lists show them, by primary key: ``for_listing().in_bulk(pks)``.

    The same objects as ``Story.objects.published(published_at).for_listing()`` builds (what no list item shows
    left deferred, an article's bylines with their authors prefetched), in two statements at most.
    """
    pks = [int(pk) for pk in pks]
    if not pks:
        return {}
    connection = connections[using]
    live, live_params = _live(connection, published_at)
    where = f"WHERE {_column(connection, Story, 'id')} IN ({', '.join(['%s'] * len(pks))}) AND {' AND '.join(live)}"
    return {story.pk: story for story in _read_as_listed(connection, where, [*pks, *live_params])}


def listed(rows) -> list:
    """``rows`` as a list: a story list's queryset read with the listing statement where ``read_listed`` can,
    anything else (another queryset, a list) as it evaluates itself."""
    if isinstance(rows, QuerySet):
        found = read_listed(rows)
        if found is not None:
            return found
    return list(rows)


def read_listed(queryset) -> list[Story] | None:
    """A page of a story list (a sliced, ordered ``published().for_listing()`` queryset), read in one statement.

    The ORM builds and compiles the listing's query (five tables joined, the deferred columns, the bylines'
    prefetch) for every page: twice what it takes to read the page's twenty stories. Here only the list's own
    filter, order and slice go through the ORM, as the ids the page shows; the listing statement, written once,
    reads those stories in the same order, and their bylines follow as ``for_listing()``'s prefetch would.
    Answers None when the queryset asks for more or other than ``for_listing()`` does, or names a table by an
    alias: the caller then evaluates it as it is.
    """
    if not _listed_as_lists_are(queryset):
        return None
    connection = connections[queryset.db]
    ids = queryset.values_list("pk", flat=True)
    compiler = ids.query.get_compiler(connection=connection)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return []
    # The list's own ORDER BY, naming the tables the listing statement joins, under the same names.
    order = _order_as_listed(compiler) if queryset.query.order_by else None
    if order is None:
        return None
    return _read_as_listed(connection, f"WHERE {_column(connection, Story, 'id')} IN ({sql}) ORDER BY {order}", params)


def read_on_day(day: date, ordering: tuple[str, ...], *, using: str, published_at: datetime) -> list[Story]:
    """The stories published on ``day`` as a list shows them, in ``ordering``: what
    ``published(published_at).for_listing().filter(date=day).order_by(*ordering)`` reads, in two statements at
    most (the stories, an article's bylines).

    Every day page asked the ORM to build and compile that query, then ``read_listed`` compiled its ids again: a
    sixth of the page's time. The statement is the listing statement with its conditions written out; only the
    order is compiled, once per database and ordering (``_listing_order``).
    """
    connection = connections[using]
    live, params = _live(connection, published_at)
    where = (
        f"WHERE {' AND '.join(live)} AND {_column(connection, Story, 'date')} = %s"
        f" ORDER BY {_listing_order(connection.alias, ordering)}"
    )
    return _read_as_listed(connection, where, [*params, connection.ops.adapt_datefield_value(day)])


# The newest stories first, as /news/ lists them (``StoryQuerySet.newest_first``).
NEWEST_FIRST = ("-date", "-publish_at", "-pk")


class LatestStories:
    """The published stories, newest first, as ``/news/`` pages through them: ``published().for_listing()
    .newest_first()`` with what ``ArchivePaginator`` asks of it (a slice, a bound on the day), each slice read
    in one statement written once (``read_latest``).

    The queryset cost the page more to build and compile (half a millisecond) than the database took to
    answer it.
    """

    model = Story
    ordered = True

    def __init__(self, *, using: str, published_at: datetime, before: date | None = None):
        self.using, self.published_at, self.before = using, published_at, before

    def filter(self, *, date__lt: date) -> LatestStories:
        """The stories dated before ``date__lt`` (the paginator's seek to a deep page's month)."""
        before = date__lt if self.before is None else min(self.before, date__lt)
        return LatestStories(using=self.using, published_at=self.published_at, before=before)

    def __getitem__(self, rows: slice) -> list[Story]:
        if not isinstance(rows, slice) or rows.step is not None:
            raise TypeError("LatestStories is read a slice at a time.")
        start = max(rows.start or 0, 0)
        if rows.stop is None:
            raise TypeError("LatestStories is read a bounded slice at a time.")
        if rows.stop <= start:
            return []
        return read_latest(
            start, rows.stop - start, using=self.using, published_at=self.published_at, before=self.before
        )

    def __len__(self) -> int:
        raise TypeError("LatestStories is counted from the archive's kept month counts, never read whole.")


def read_latest(
    offset: int, limit: int, *, using: str, published_at: datetime, before: date | None = None
) -> list[Story]:
    """``limit`` stories from ``offset`` of ``published(published_at).for_listing().newest_first()`` (those
    dated before ``before`` only, when given), in two statements at most: the stories, an article's bylines.

    The stories' ids come from a subquery along the live listing index, as ``read_listed`` reads a sliced
    queryset's; only the order is compiled, once per database (``_listing_order``).
    """
    connection = connections[using]
    order = _listing_order(connection.alias, NEWEST_FIRST)
    table, pk = connection.ops.quote_name(Story._meta.db_table), _column(connection, Story, "id")
    conditions, params = _live(connection, published_at)
    if before is not None:
        conditions.append(f"{_column(connection, Story, 'date')} < %s")
        params.append(connection.ops.adapt_datefield_value(before))
    where = (
        f"WHERE {pk} IN (SELECT {pk} FROM {table} WHERE {' AND '.join(conditions)} ORDER BY {order}"
        f" LIMIT {int(limit)} OFFSET {int(offset)}) ORDER BY {order}"
    )
    return _read_as_listed(connection, where, params)


@cache
def _listing_order(alias: str, ordering: tuple[str, ...]) -> str:
    """``ordering`` as the ORDER BY of the listing statement, compiled by the ORM once (see ``read_listed``)."""
    queryset = Story.objects.published().for_listing().order_by(*ordering).values_list("pk", flat=True)
    compiler = queryset.query.get_compiler(using=alias)
    compiler.as_sql()
    order = _order_as_listed(compiler)
    if order is None:
        raise ValueError(
            f"The ordering {ordering!r} joins a table under an alias or needs parameters;"
            " the listing statement cannot follow it."
        )
    return order


def _order_as_listed(compiler) -> str | None:
    """The ORDER BY of a compiled story query (``as_sql()`` already run) as the listing statement can use it:
    None when the query names a table under an alias (the listing statement joins each table once, under its
    own name) or a clause of its order needs parameters."""
    if any(alias != join.table_name for alias, join in compiler.query.alias_map.items()):
        return None
    clauses = [clause for _, (clause, params, _) in compiler.get_order_by() if not params]
    return ", ".join(clauses) if len(clauses) == len(compiler.query.order_by) else None


def _live(connection, published_at: datetime) -> tuple[list[str], list]:
    """The conditions (and their parameters) that a story is published at ``published_at``: in a live state, its
    publish time reached. The same as ``Story.objects.published(published_at)``."""
    statuses = ", ".join(["%s"] * len(LIVE_STATUSES))
    conditions = [
        f"{_column(connection, Story, 'status')} IN ({statuses})",
        f"{_column(connection, Story, 'publish_at')} <= %s",
    ]
    params = [*(str(status) for status in LIVE_STATUSES), connection.ops.adapt_datetimefield_value(published_at)]
    return conditions, params


def _read_as_listed(connection, where: str, params) -> list[Story]:
    """The listing statement with ``where`` (its ORDER BY included): the stories as lists show them, an article's
    bylines prefetched with their authors."""
    statement = _story_statement(connection.alias, (), _listing_deferred())
    stories = [_build(statement, row, connection.alias) for row in statement.run(connection, where, list(params))]
    _prefetch_bylines(stories, connection)
    return stories


@cache
def _listing_shape() -> tuple:
    listing = Story.objects.for_listing()
    return listing.query.select_related, listing.query.deferred_loading, _prefetched_paths(listing)


def _prefetched_paths(queryset) -> tuple[str, ...]:
    return tuple(getattr(lookup, "prefetch_to", lookup) for lookup in queryset._prefetch_related_lookups)


def _listed_as_lists_are(queryset) -> bool:
    """Whether ``queryset`` reads stories exactly as ``for_listing()`` does, with nothing added to them."""
    query = queryset.query
    select_related, deferred, prefetches = _listing_shape()
    return (
        queryset.model is Story
        and queryset._iterable_class is ModelIterable
        and not queryset._known_related_objects
        and (query.select_related, query.deferred_loading, _prefetched_paths(queryset))
        == (select_related, deferred, prefetches)
        and not query.annotations
        and not query.extra
        and not query.distinct
        and not query.combinator
    )
