"""Search over published articles and events.

On PostgreSQL each story keeps a weighted search vector (headline A; standfirst
or event summary B; body C, all as plain text) behind a GIN index, refreshed
after every save, and readers' queries use the websearch syntax: "a phrase",
-excluded, either or both. Results are ranked, with highlighted snippets.

News search leans to the recent, and common words match a large part of the
archive, so a search works on a bounded set: the newest matching stories, at
most ``DATELINE_SEARCH_CANDIDATES`` of them (200 unless set: ten pages), taken in one query
that lets PostgreSQL choose between walking the live-story index in date order
(common words) and the GIN index (rare words, which have few matches and so are
found however old). Only those are ranked and counted in the facets, and only
the page shown gets highlighted snippets, so a search costs about the same on a
small archive and a large one. When more stories match, the page says so and
links to the same search further back in time.

The date-order walk is bounded too (``WINDOW_MAX`` stories): words common alone
can be scarce together, and then the newest matches within that reach are the
result, fewer than the bound but at least a page, again with the link further
back, which is read the same way from its end date.

Other databases get the same syntax with a plain substring match, newest first,
and the same bound, which is enough to develop and test against.
"""

from __future__ import annotations

import html
import re
import string
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, partial, reduce
from operator import or_
from typing import NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.core.paginator import Paginator
from django.db import connection, connections, transaction
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.http import QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, pgettext

from .filters import FILTER_NAMES, StorySearchFilter, event_category_labels
from .models import Article, Byline, Story, TaggedStory, slug_path, story_path
from .prepared import planned_each_time
from .querysets import LIVE_STATUSES
from .sanitize import plain_text

MAX_QUERY_LENGTH = 200
SEARCH_CONFIG = getattr(settings, "DATELINE_SEARCH_CONFIG", "english")
FACET_SIZE = 10
DATES = ("from", "to")
SNIPPET_WORDS = 28
# Snippets come from the standfirst and the opening of the body, where a news story puts its facts:
# highlighting costs time in proportion to the text read, so a long feature costs no more than a brief.
SNIPPET_SOURCE_CHARS = 2000
CANDIDATES = 200
# The fewest rows the candidate query asks PostgreSQL for, whatever the bound (see find_candidates).
PLANNED_ROWS = 500

# Fields whose change alters what a story can be found by.
TEXT_FIELDS = frozenset({"title", "headline", "standfirst", "body", "summary"})

# Private-use characters mark highlights inside database output; story text is
# escaped first and only then are these turned into <mark> tags.
START, STOP = "\ue000", "\ue001"
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ue000\ue001]")
WHITESPACE = re.compile(r"\s+")
SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?)])")


# Reading a reader's query ---------------------------------------------------


@dataclass(frozen=True)
class Term:
    text: str
    negated: bool = False


@dataclass
class ParsedQuery:
    """Alternatives separated by "or"; a story matches one when it has all of its terms."""

    alternatives: list[list[Term]] = field(default_factory=list)

    @property
    def wanted(self) -> list[str]:
        return [term.text for group in self.alternatives for term in group if not term.negated]

    @property
    def is_searchable(self) -> bool:
        return bool(self.wanted)


TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
EDGE_PUNCTUATION = string.punctuation + "“”‘’«»„…"


def clean_query(value: str) -> str:
    return " ".join(CONTROL_CHARS.sub(" ", value or "").split())


def parse_query(text: str) -> ParsedQuery:
    """Read the websearch syntax the way PostgreSQL does: "phrase", -word, or."""
    groups: list[list[Term]] = [[]]
    for match in TOKEN.finditer(text):
        minus, phrase, bare = match.groups()
        if phrase is None:
            if bare.lower() == "or":
                groups.append([])
                continue
            negated = bare.startswith("-")
            words = bare.lstrip("-")
        else:
            negated = bool(minus)
            words = " ".join(phrase.split())
        words = words.strip(EDGE_PUNCTUATION + " ")
        if re.search(r"\w", words):
            groups[-1].append(Term(words, negated))
    return ParsedQuery([group for group in groups if group])


def _contains(text: str) -> Q:
    return (
        Q(title__icontains=text)
        | Q(article__standfirst__icontains=text)
        | Q(article__body__icontains=text)
        | Q(event__summary__icontains=text)
    )


def simple_match(parsed: ParsedQuery) -> Q:
    alternatives = []
    for group in parsed.alternatives:
        condition = Q()
        for term in group:
            condition &= ~_contains(term.text) if term.negated else _contains(term.text)
        alternatives.append(condition)
    return reduce(or_, alternatives)


BLOCK_TAG = re.compile(r"</?(?:p|br|h[1-6]|li|ul|ol|blockquote|figure|figcaption|hr|pre|div)\b[^>]*>", re.IGNORECASE)


def html_to_text(value: str) -> str:
    """Plain text of stored HTML, with paragraphs and list items kept apart as words."""
    return plain_text(BLOCK_TAG.sub(" ", value or ""))


def uses_postgres(using: str | None = None) -> bool:
    return (connections[using] if using else connection).vendor == "postgresql"


# Keeping the stored vectors current ------------------------------------------


def story_vector(title: str, summary: str, body: str):
    return (
        SearchVector(Value(title), weight="A", config=SEARCH_CONFIG)
        + SearchVector(Value(summary), weight="B", config=SEARCH_CONFIG)
        + SearchVector(Value(body), weight="C", config=SEARCH_CONFIG)
    )


def refresh_search_vectors(story_ids=None, *, using: str = "default", batch_size: int = 500) -> int:
    """Rebuild the search vectors of the given stories (all of them when None). PostgreSQL only."""
    if not uses_postgres(using):
        return 0
    stories = Story.objects.using(using).order_by("pk")
    if story_ids is not None:
        stories = stories.filter(pk__in=list(story_ids))
    rows = stories.values_list("pk", "kind", "title", "article__standfirst", "article__body", "event__summary")
    done = 0
    vectors: dict[int, object] = {}
    for pk, kind, title, standfirst, body, summary in rows.iterator(chunk_size=batch_size):
        # An event's title is its summary, which already counts at weight B.
        headline = "" if kind == Story.Kind.EVENT else title or ""
        middle = " ".join(part for part in (standfirst or "", html_to_text(summary)) if part)
        vectors[pk] = story_vector(headline, middle, html_to_text(body))
        done += 1
        if len(vectors) >= UPDATE_BATCH:
            _store_vectors(vectors, using)
            vectors = {}
    _store_vectors(vectors, using)
    return done


# Stories per UPDATE statement: one round trip for many rows, and a statement of bounded size.
UPDATE_BATCH = 100


def _store_vectors(vectors: dict, using: str) -> None:
    if len(vectors) == 1:
        (pk, vector), *_ = vectors.items()
        Story.objects.using(using).filter(pk=pk).update(search_vector=vector)
    elif vectors:
        Story.objects.using(using).filter(pk__in=list(vectors)).update(
            search_vector=Case(
                *(When(pk=pk, then=vector) for pk, vector in vectors.items()), output_field=SearchVectorField()
            )
        )


PENDING = "_dateline_pending_vectors"


def _refresh_pending(using: str) -> None:
    pending = getattr(connections[using], PENDING, None)
    if pending:
        setattr(connections[using], PENDING, set())
        refresh_search_vectors(sorted(pending), using=using)


def index_story_after_save(sender, instance, raw=False, update_fields=None, using="default", **kwargs) -> None:
    """post_save receiver for Story and every model built on it."""
    if raw or not uses_postgres(using):
        return
    if update_fields is not None and not TEXT_FIELDS.intersection(update_fields):
        return
    # Stories saved in one transaction (an import writes hundreds) are indexed together once it commits: the
    # first callback to run takes every pending story, the others find nothing left. Each save still asks, so
    # a savepoint rolled back (taking its callbacks) cannot strand the stories saved after it.
    owner = connections[using]
    pending = getattr(owner, PENDING, None)
    if pending is None:
        pending = set()
        setattr(owner, PENDING, pending)
    pending.add(instance.pk)
    transaction.on_commit(partial(_refresh_pending, using), using=using)


# Highlighting -----------------------------------------------------------------


def marked(text: str, *, from_html: bool = False) -> SafeString:
    """Database output with START/STOP markers as escaped HTML with <mark> tags.

    ts_headline drops the tags of stored HTML but keeps its entities, so text
    taken from HTML is decoded before everything is escaped again.
    """
    parts = []
    inside = False
    if from_html:
        # Dropped tags leave a space before punctuation ("too slow ."); close it up.
        text = SPACE_BEFORE_PUNCTUATION.sub(r"\1", text or "")
    for piece in re.split(f"([{START}{STOP}])", text or ""):
        if piece == START:
            if not inside:
                parts.append("<mark>")
            inside = True
        elif piece == STOP:
            if inside:
                parts.append("</mark>")
            inside = False
        else:
            if from_html:
                piece = html.unescape(piece)
            parts.append(html.escape(WHITESPACE.sub(" ", piece)))
    if inside:
        parts.append("</mark>")
    # Safe: every piece of story text went through html.escape() (as Django's escape() does, without its
    # lazy-string wrapper, which cost more than the escaping); the only markup is ours.
    return mark_safe("".join(parts))


def highlight(text: str, words: list[str]) -> SafeString:
    """Escape ``text`` and wrap each occurrence of ``words`` in <mark>."""
    words = sorted({w for w in words if w}, key=len, reverse=True)
    if not words:
        return escape(text)
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    parts, position = [], 0
    for found in pattern.finditer(text):
        parts.append(escape(text[position : found.start()]))
        parts.append(f"<mark>{escape(found.group())}</mark>")
        position = found.end()
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))


def snippet_source(row: PageRow) -> tuple[str, bool]:
    """The plain text an article's snippet is cut from, and whether the article goes on past it."""
    opening = row.opening or ""
    text = html_to_text(opening[:SNIPPET_SOURCE_CHARS])
    return " ".join(part for part in (row.standfirst, text) if part), len(opening) > SNIPPET_SOURCE_CHARS


def excerpt(row: PageRow, headline: str) -> SafeString:
    """ts_headline's fragments, with an ellipsis wherever they leave text out at either end."""
    headline = (headline or "").strip()
    if not headline:
        return SafeString("")
    shown = WHITESPACE.sub(" ", html.unescape(headline.replace(START, "").replace(STOP, "")))
    shown = SPACE_BEFORE_PUNCTUATION.sub(r"\1", shown).strip()
    whole, goes_on = snippet_source(row)
    before = "… " if whole and not whole.startswith(shown[:30]) else ""
    ending = ".!?…\"”’' "
    after = " …" if goes_on or (whole and not whole.rstrip(ending).endswith(shown[-30:].rstrip(ending))) else ""
    return SafeString(before) + marked(headline, from_html=True) + SafeString(after)


def lead_text(row: PageRow) -> str:
    """An article's opening words, for a snippet that has nothing to highlight."""
    return row.standfirst or html_to_text(row.opening or "")


# The bounded result set -------------------------------------------------------


class Candidate(NamedTuple):
    """One of the newest matching stories: enough to page through them and count them by kind."""

    pk: int
    kind: str
    day: date


def candidate_limit() -> int:
    """How many of the newest matching stories a search ranks, pages through and counts."""
    return max(1, getattr(settings, "DATELINE_SEARCH_CANDIDATES", CANDIDATES))


def find_candidates(matching: QuerySet, query: SearchQuery | None) -> tuple[list[Candidate], bool]:
    """The newest matching stories, best match first, and whether more stories match than were taken.

    One query in the live-story listing order, so PostgreSQL can either walk
    that order and stop at the limit (common words) or gather the matches from
    the GIN index and sort them (rare words). Ranking happens in the same pass,
    only on the rows it returns.

    PostgreSQL makes that choice from the number of rows asked for and its guess of how many
    stories hold the words. For a word missing from its statistics it guesses one story in 200,
    and asked for fewer than about 400 rows it then walks the list, which for a word no story
    holds means reading the whole of it (650 ms on the benchmark archive, against 0.3 ms from
    the index). So the query always asks for at least ``PLANNED_ROWS`` and keeps the newest
    ``limit``. The query is planned for its own words each time, never prepared (newsroom.prepared).
    """
    limit = candidate_limit()
    newest = matching.newest_first()
    rank = SearchRank(F("search_vector"), query) if query is not None else Value(0.0, output_field=FloatField())
    ranked = newest.annotate(rank=rank).values_list("pk", "kind", "date", "rank")[: max(limit, PLANNED_ROWS) + 1]
    # Whether to walk the list or ask the index depends on the words: never a plan made once for any words.
    with planned_each_time(ranked.db):
        rows = list(ranked)
    more = len(rows) > limit
    # Rows arrive newest first and the sort is stable, so equal ranks stay newest first.
    rows = sorted(rows[:limit], key=lambda row: -row[3])
    return [Candidate(pk, kind, day) for pk, kind, day, _ in rows], more


# How many of the newest live stories the first look reads (see find_common_candidates).
PROBE = 500
# The most stories a search reads in date order. Reading one costs about a microsecond (its vector is
# tested in place), so 10,000 cost about 10 ms on the benchmark archive; gathering every match of several
# common words from the GIN index instead cost 200-300 ms warm and seconds cold, whatever the bound.
WINDOW_MAX = 10_000
# Reading a story in date order costs about a third of fetching and sorting a match gathered from the index.
WINDOW_COST_RATIO = 3


@cache
def window_sql(vendor: str) -> str:
    """The newest matching stories among the newest ``%s`` live ones, ranked; PostgreSQL only.

    The inner LIMIT makes PostgreSQL walk the live-story listing index newest first and stop, and the
    match is tested on those rows alone: the GIN index is never asked, so the cost is the window's size
    whatever the words. A query of several common words matches tens of thousands of stories on a large
    archive, which PostgreSQL, taking the words to be unrelated, expects to be a few dozen; gathering and
    sorting all of them took hundreds of milliseconds.
    """
    return fill_names(
        """
        SELECT newest.{story.pk}, newest.{story.kind}, newest.{story.date}, ts_rank(newest.{story.search_vector}, q),
               (SELECT reltuples FROM pg_class WHERE oid = '{story}'::regclass)
          FROM (SELECT {story.pk}, {story.kind}, {story.date}, {story.publish_at}, {story.search_vector}
                  FROM {story}
                 WHERE {story.status} IN (%s, %s) AND {story.publish_at} <= %s AND {story.date} <= %s
                 ORDER BY {story.date} DESC, {story.publish_at} DESC, {story.pk} DESC
                 LIMIT %s) newest,
               websearch_to_tsquery(%s::regconfig, %s) q
         WHERE newest.{story.search_vector} @@ q
         ORDER BY newest.{story.date} DESC, newest.{story.publish_at} DESC, newest.{story.pk} DESC
         LIMIT %s
        """
    )


def newest_window(q: str, *, window: int, wanted: int, now, end: date | None = None) -> list[tuple]:
    """Up to ``wanted`` rows of the newest matches among the newest ``window`` stories up to the day ``end``.

    Each row is (pk, kind, date, rank, the planner's count of stories), the last for ``find_common_candidates``.
    """
    params = [*(str(status) for status in LIVE_STATUSES), now, end or date.max, window, SEARCH_CONFIG, q, wanted]
    with connection.cursor() as cursor:
        cursor.execute(window_sql(connection.vendor), params)
        return cursor.fetchall()


def find_common_candidates(q: str, end: date | None = None) -> tuple[list[Candidate], bool] | None:
    """The newest matches of an unfiltered search read in date order, or None when the index does better.

    With ``end`` the reading starts at that day, as the link to older matches asks.

    A probe of the newest ``PROBE`` stories settles the commonest words by itself. When it holds some
    matches but not enough, the share it found says how far back the rest lie and how many stories match
    in all; one window then reads that far back, but never past ``WINDOW_MAX`` stories. Words that are
    common alone can be scarce together (six common words are on about one story in a hundred of the
    benchmark archive), and the index then gathers every one of their tens of thousands of matches to keep
    the newest. So when the window holds at least a page of matches but fewer than the bound, those are
    the result: the newest matches, all of them back to where the window stopped, and the page links to
    the same search further back. Rare words (no match in the probe, or too few to be worth the walk, or
    not a page of them in the window) go to the index, which is quick for them.
    """
    limit = candidate_limit()
    now = timezone.now()
    rows = newest_window(q, window=PROBE, wanted=limit + 1, now=now, end=end)
    if len(rows) > limit:
        return _ranked(rows[:limit]), True
    if not rows:
        return None
    # The planner's own count of stories (kept by ANALYZE; negative before the first) is enough for an estimate.
    stories = max(0, rows[0][4])
    share = len(rows) / PROBE
    reach = min(int((limit + 1) / share * 1.5), WINDOW_MAX)
    if reach >= stories or reach > WINDOW_COST_RATIO * share * stories:
        return None
    rows = newest_window(q, window=reach, wanted=limit + 1, now=now, end=end)
    if len(rows) > limit:
        return _ranked(rows[:limit]), True
    if len(rows) < min(limit, settings.DATELINE_PAGE_SIZE):
        return None
    # Older stories lie past the window and may match too: the reader is offered the search further back.
    return _ranked(rows), True


def _ranked(rows: list[tuple]) -> list[Candidate]:
    # Rows arrive newest first and the sort is stable, so equal ranks stay newest first.
    return [Candidate(row[0], row[1], row[2]) for row in sorted(rows, key=lambda row: -row[3])]


def older_search(
    candidates: list[Candidate], filterset: StorySearchFilter, params: QueryDict
) -> tuple[str, date | None]:
    """Where to look past the bound: the same search up to the oldest day it reached.

    That day is included again, since only part of it may have been taken; when every
    candidate is from one day, the search moves on to the day before.
    """
    days = [candidate.day for candidate in candidates]
    oldest = min(days)
    if oldest == max(days):
        oldest -= timedelta(days=1)
    start = filterset.form.cleaned_data.get("from")
    if start and oldest < start:
        return "", None
    return address(params, to=oldest.isoformat()), oldest


# Facets -----------------------------------------------------------------------


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    url: str
    selected: bool = False


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue]


def address(params: QueryDict, **changes) -> str:
    """The search address with some parameters set or (with None) removed, back on page one."""
    # A plain dict keeps each parameter where it was, as QueryDict does, without copying one per link.
    query = {name: values for name, values in params.lists() if name != "page"}
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = [value]
    return "?" + urlencode(query, doseq=True)


def id_list(ids: list[int]) -> tuple[str, str]:
    """SQL for a one-column row set of the given ids, and its one parameter.

    PostgreSQL gets them as one array instead of hundreds of parameters, which
    on the full benchmark archive took a few milliseconds per query to adapt and send;
    SQLite reads the same list as JSON.
    """
    # The ids are integers from the database; one string is quicker to send than a list adapted item by item.
    numbers = ",".join(str(int(pk)) for pk in ids)
    if uses_postgres():
        return "SELECT unnest(%s::bigint[])", "{" + numbers + "}"
    return "SELECT value FROM json_each(%s)", "[" + numbers + "]"


def sql_names() -> dict[str, str]:
    """Quoted table and column names for hand-written statements: "{article}", "{article.section}", "{article.pk}"."""
    models = {
        "story": Story,
        "article": Article,
        "event": Story._meta.get_field("event").related_model,
        "section": Article._meta.get_field("section").related_model,
        "tagged": TaggedStory,
        "tag": TaggedStory._meta.get_field("tag").related_model,
        "byline": Byline,
        "author": Byline._meta.get_field("author").related_model,
    }
    quote = connection.ops.quote_name
    names = {}
    for key, model in models.items():
        names[key] = quote(model._meta.db_table)
        for model_field in model._meta.concrete_fields:
            names[f"{key}.{model_field.name}"] = quote(model_field.column)
        names[f"{key}.pk"] = quote(model._meta.pk.column)
    return names


def fill_names(sql: str, **extra: str) -> str:
    names = {**sql_names(), **extra}
    return re.sub(r"\{([a-z_.]+)\}", lambda found: names[found.group(1)], sql)


@cache
def facet_sql(vendor: str) -> str:
    """One statement counting every facet among the chosen stories.

    Rows are (facet, value, label, section name, count): "article" rows carry the article kind
    and the section's path and name; "category", "tag" and "author" rows a value and its label.

    It expects two row sets of ids, ``articles`` and ``events``. Each story is looked up in its own
    kind's table only; contexts and authors are counted first and named afterwards, so only the ten
    shown are looked up. Events are reached through the reverse one-to-one so the newsroom never
    imports the events app. ``vendor`` keys the cache: quoting differs between databases.
    """
    sql = """
        SELECT 'article', a.{article.article_type}, s.{section.path}, s.{section.name}, COUNT(*)
          FROM {article} a LEFT JOIN {section} s ON s.{section.pk} = a.{article.section}
          WHERE a.{article.pk} IN (SELECT id FROM articles)
          GROUP BY a.{article.article_type}, s.{section.path}, s.{section.name}
        UNION ALL
        SELECT 'category', e.{event.category}, '', '', COUNT(*)
          FROM {event} e WHERE e.{event.pk} IN (SELECT id FROM events)
          GROUP BY e.{event.category}
        UNION ALL
        SELECT 'tag', t.{tag.slug}, t.{tag.name}, '', top.n
          FROM (SELECT {tagged.tag} AS tag_id, COUNT(*) AS n FROM {tagged}
                 WHERE {tagged.content_object} IN (SELECT id FROM articles UNION ALL SELECT id FROM events)
                 GROUP BY {tagged.tag} ORDER BY n DESC, tag_id LIMIT {size}) top
          JOIN {tag} t ON t.{tag.pk} = top.tag_id
        UNION ALL
        SELECT * FROM (
          SELECT 'author', au.{author.slug}, au.{author.name}, '', top.n
            FROM (SELECT {byline.author} AS author_id, COUNT(*) AS n FROM {byline}
                   WHERE {byline.article} IN (SELECT id FROM articles)
                   GROUP BY {byline.author}) top
            JOIN {author} au ON au.{author.pk} = top.author_id
           ORDER BY top.n DESC, au.{author.name} LIMIT {size}
        ) authors
    """
    return fill_names(sql, size=str(FACET_SIZE))


def facet_counts(stories: list[Candidate]) -> list[tuple[str, str, str, str, int]]:
    """The rows of ``facet_sql`` for the given stories."""
    article_rows, article_ids = id_list([story.pk for story in stories if story.kind == Story.Kind.ARTICLE])
    event_rows, event_ids = id_list([story.pk for story in stories if story.kind == Story.Kind.EVENT])
    sql = f"WITH articles(id) AS ({article_rows}), events(id) AS ({event_rows}) {facet_sql(connection.vendor)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [article_ids, event_ids])
        return cursor.fetchall()


def build_facets(stories: list[Candidate], params: QueryDict) -> list[Facet]:
    """Counts for each filter value among the given stories (the bounded results), in one query."""
    if not stories:
        return []
    kinds = Counter(story.kind for story in stories)
    types: Counter[str] = Counter()
    sections: Counter[tuple[str, str]] = Counter()
    found: dict[str, list[tuple[str, str, int]]] = {"category": [], "tag": [], "author": []}
    for facet_name, value, label, section_name, count in facet_counts(stories):
        if facet_name == "article":
            types[value] += count
            if label:
                sections[label, section_name] += count
        else:
            found[facet_name].append((value, label, count))

    def facet(name, label, rows) -> Facet:
        current = params.get(name)
        values = [
            FacetValue(
                value=value,
                label=text,
                count=count,
                url=address(params, **{name: None if value == current else value}),
                selected=value == current,
            )
            for value, text, count in rows
            if count
        ]
        return Facet(name, label, values)

    def largest_first(rows):
        return sorted(rows, key=lambda row: (-row[2], row[1]))

    category_labels = event_category_labels()
    groups = [
        facet("kind", gettext("Kind"), [(k, gettext(label), kinds[k]) for k, label in Story.Kind.choices]),
        facet(
            "type",
            gettext("Article kind"),
            [(t, gettext(label), types[t]) for t, label in Article.ArticleType.choices],
        ),
        facet(
            "section",
            gettext("Section"),
            largest_first((path, name, n) for (path, name), n in sections.items())[: FACET_SIZE * 2],
        ),
        facet(
            "category",
            gettext("Event category"),
            largest_first((value, gettext(category_labels.get(value, value)), n) for value, _, n in found["category"]),
        ),
        facet("tag", gettext("Contexts"), largest_first(found["tag"])),
        facet("author", gettext("Authors"), largest_first(found["author"])),
    ]
    return [group for group in groups if group.values]


def active_filters(filterset: StorySearchFilter, params: QueryDict) -> list[dict]:
    """The filters in force, each with an address that drops it."""
    active = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, ""):
            continue
        if name in ("from", "to"):
            day = date_format(value, pgettext("a date in a search filter", "j M Y"))
            text = (gettext("From %(day)s") if name == "from" else gettext("To %(day)s")) % {"day": day}
        else:
            shown = (
                value.name
                if hasattr(value, "name")
                else gettext(dict(filterset.form.fields[name].choices).get(value, value))
            )
            text = gettext("%(filter)s: %(value)s") % {"filter": filterset.filters[name].label, "value": shown}
        active.append({"name": name, "text": text, "remove_url": address(params, **{name: None})})
    return active


# The page ---------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorLink:
    """An author as a result's byline shows one: a name linked to the author's page."""

    name: str
    slug: str

    def get_absolute_url(self) -> str:
        return slug_path("newsroom:author", self.slug)


@dataclass(frozen=True)
class AuthorLine:
    """One name in a result's byline, shaped for the byline_lines template tag."""

    author: AuthorLink


@dataclass
class Hit:
    """One result as the page shows it: read as plain values, without building the story's objects."""

    kind: str
    url: str
    day: date
    title: SafeString
    snippet: SafeString
    # The article kind when it is not plain news, or "Event"; then the section or the event's category.
    kicker: str = ""
    place: str = ""
    bylines: list[AuthorLine] = field(default_factory=list)


def search(request):
    params = request.GET
    q = clean_query(params.get("q", ""))
    filterset = StorySearchFilter(params, queryset=Story.objects.published())
    context = {
        "q": q,
        "max_length": MAX_QUERY_LENGTH,
        "kept_filters": [(name, params[name]) for name in FILTER_NAMES if params.get(name) and name not in DATES],
        "date_from": params.get("from", ""),
        "date_to": params.get("to", ""),
    }
    status = 200
    problems = filterset.problems()
    if len(q) > MAX_QUERY_LENGTH:
        message = gettext(
            "Your search is %(length)s characters long; the limit is %(limit)s. A few distinctive words work best."
        )
        context["problems"] = [message % {"length": len(q), "limit": MAX_QUERY_LENGTH}]
        status = 400
    elif problems:
        context["problems"] = problems
        context["retry_url"] = address(params, **{name: None for name in filterset.form.errors})
        status = 400
    elif not q:
        context["empty"] = True
    else:
        parsed = parse_query(q)
        if not parsed.is_searchable:
            context["no_words"] = True
        else:
            context.update(run_search(request, filterset, q, parsed))
    return render(request, "newsroom/search.html", context, status=status)


def sql_text(text: str) -> str:
    """A constant of ours as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


# Bylines travel as one text per result: authors apart by RS, each slug and name apart by US.
AUTHOR_APART, SLUG_APART = "\x1e", "\x1f"


@cache
def page_sql(vendor: str, ranked: bool) -> str:
    """One statement for the stories of a result page: what each result shows, with its bylines.

    It expects a row set of ids, ``shown``, and when ``ranked`` the reader's query as ``search``
    (a config and a tsquery), and adds the title and a snippet with the matches marked by
    ts_headline, which PostgreSQL alone has. Written by hand like ``facet_sql``: building the
    equivalent ORM query cost more than running it.
    """
    if vendor == "postgresql":
        bylines = """(SELECT string_agg(au.{author.slug} || chr(31) || au.{author.name}, chr(30)
                                ORDER BY b.{byline.order}, b.{byline.pk})
                        FROM {byline} b JOIN {author} au ON au.{author.pk} = b.{byline.author}
                       WHERE b.{byline.article} = s.{story.pk})"""
    else:
        # SQLite before 3.44 has no ORDER BY inside an aggregate; it concatenates in the order rows come.
        bylines = """(SELECT group_concat(line, char(30)) FROM (
                        SELECT au.{author.slug} || char(31) || au.{author.name} AS line
                          FROM {byline} b JOIN {author} au ON au.{author.pk} = b.{byline.author}
                         WHERE b.{byline.article} = s.{story.pk} ORDER BY b.{byline.order}, b.{byline.pk}))"""
    headlines = search_join = ""
    if ranked:
        marks = f"StartSel={START}, StopSel={STOP}"
        title_options = sql_text(f"{marks}, HighlightAll=true")
        snippet_options = sql_text(
            f'{marks}, MaxWords={SNIPPET_WORDS}, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
        )
        headlines = f""",
            ts_headline(search.config, s.{{story.title}}, search.query, {title_options}),
            ts_headline(search.config,
                        COALESCE(a.{{article.standfirst}}, '') || ' '
                        || COALESCE(SUBSTR(a.{{article.body}}, 1, {SNIPPET_SOURCE_CHARS}), ''),
                        search.query, {snippet_options})"""
        search_join = "CROSS JOIN search"
    sql = f"""
        SELECT s.{{story.pk}}, s.{{story.kind}}, s.{{story.date}}, s.{{story.slug}}, s.{{story.title}},
               a.{{article.article_type}}, a.{{article.standfirst}}, sec.{{section.name}}, e.{{event.category}},
               SUBSTR(a.{{article.body}}, 1, {SNIPPET_SOURCE_CHARS + 1}),
               {bylines}{headlines}
          FROM {{story}} s
          LEFT JOIN {{article}} a ON a.{{article.pk}} = s.{{story.pk}}
          LEFT JOIN {{section}} sec ON sec.{{section.pk}} = a.{{article.section}}
          LEFT JOIN {{event}} e ON e.{{event.pk}} = s.{{story.pk}}
          {search_join}
         WHERE s.{{story.pk}} IN (SELECT id FROM shown)
    """
    return fill_names(sql)


class PageRow(NamedTuple):
    """One story of a result page as ``page_sql`` returns it."""

    pk: int
    kind: str
    day: date
    slug: str
    title: str
    article_type: str | None
    standfirst: str | None
    section: str | None
    category: str | None
    # The body's opening, one character past the snippet source to tell whether the article goes on.
    opening: str | None
    bylines: str | None
    title_marked: str | None = None
    snippet_marked: str | None = None


def page_rows(ids: list[int], query_text: str | None) -> list[PageRow]:
    """The stories of one result page in the given order, highlighted for ``query_text`` on PostgreSQL."""
    if not ids:
        return []
    ranked = query_text is not None
    shown, id_param = id_list(ids)
    with_sql = f"WITH shown(id) AS ({shown})"
    params: list = [id_param]
    if ranked:
        with_sql += ", search(config, query) AS (SELECT %s::regconfig, websearch_to_tsquery(%s::regconfig, %s))"
        params += [SEARCH_CONFIG, SEARCH_CONFIG, query_text]
    with connection.cursor() as cursor:
        cursor.execute(f"{with_sql} {page_sql(connection.vendor, ranked)}", params)
        fetched = cursor.fetchall()
    by_id = {}
    for values in fetched:
        row = PageRow(*values)
        if isinstance(row.day, str):
            # SQLite hands dates back as text.
            row = row._replace(day=date.fromisoformat(row.day))
        by_id[row.pk] = row
    return [by_id[pk] for pk in ids if pk in by_id]


def author_lines(bylines: str | None) -> list[AuthorLine]:
    lines = []
    for author in (bylines or "").split(AUTHOR_APART):
        slug, _, name = author.partition(SLUG_APART)
        if slug:
            lines.append(AuthorLine(AuthorLink(name=name, slug=slug)))
    return lines


def make_hit(row: PageRow, parsed: ParsedQuery) -> Hit:
    ranked = row.title_marked is not None
    title = marked(row.title_marked) if ranked else highlight(row.title, parsed.wanted)
    hit = Hit(kind=row.kind, url=story_path(row.day, row.slug), day=row.day, title=title, snippet=SafeString(""))
    if row.kind == Story.Kind.EVENT:
        # An event's title is its whole summary: an excerpt would only repeat it.
        hit.kicker = gettext("Event")
        category = row.category or ""
        hit.place = gettext(event_category_labels().get(category, category))
        return hit
    if row.article_type != Article.ArticleType.NEWS:
        hit.kicker = gettext(Article.ArticleType(row.article_type).label)
    hit.place = row.section or ""
    hit.bylines = author_lines(row.bylines)
    if ranked:
        hit.snippet = excerpt(row, row.snippet_marked) or escape(lead_text(row))
    else:
        hit.snippet = highlight(Truncator(lead_text(row)).words(SNIPPET_WORDS), parsed.wanted)
    return hit


def run_search(request, filterset: StorySearchFilter, q: str, parsed: ParsedQuery) -> dict:
    published = filterset.qs
    if uses_postgres():
        query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
        matching = published.filter(search_vector=query)
    else:
        query = None
        matching = published.filter(simple_match(parsed))
    found = None
    used = {name for name, value in filterset.form.cleaned_data.items() if value not in (None, "")}
    # An end date alone is where the link to older matches leads: it is read in date order like the first page.
    if query is not None and used <= {"to"}:
        found = find_common_candidates(q, end=filterset.form.cleaned_data.get("to"))
    candidates, more = found or find_candidates(matching, query)
    older_url, older_day = older_search(candidates, filterset, request.GET) if more else ("", None)

    page = Paginator(candidates, settings.DATELINE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = page_rows([candidate.pk for candidate in page.object_list], q if query is not None else None)
    hits = [make_hit(row, parsed) for row in rows]
    return {
        "hits": hits,
        "page_obj": page,
        "paginator": page.paginator,
        "is_paginated": page.paginator.num_pages > 1,
        "more_than_shown": more,
        "older_url": older_url,
        "older_day": older_day,
        "facets": build_facets(candidates, request.GET),
        "active": active_filters(filterset, request.GET),
        "ranked": query is not None,
    }
