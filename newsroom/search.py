"""Search over published articles and events.

On PostgreSQL each story keeps a weighted search vector (headline A; standfirst
or event summary B; body C, all as plain text) behind a GIN index, refreshed
after every save, and readers' queries use the websearch syntax: "a phrase",
-excluded, either or both. Results are ranked, with highlighted snippets.

Other databases get the same syntax with a plain substring match, newest first,
which is enough to develop and test against.
"""

from __future__ import annotations

import html
import re
import string
from dataclasses import dataclass, field
from functools import partial, reduce
from operator import or_

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.core.paginator import Paginator
from django.db import connection, connections, transaction
from django.db.models import Count, F, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.http import QueryDict
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from .filters import FILTER_NAMES, StorySearchFilter, event_categories
from .models import Article, Byline, Story, TaggedStory
from .sanitize import plain_text

MAX_QUERY_LENGTH = 200
SEARCH_CONFIG = getattr(settings, "DATELINE_SEARCH_CONFIG", "english")
FACET_SIZE = 10
DATES = ("from", "to")
SNIPPET_WORDS = 28

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
    for pk, kind, title, standfirst, body, summary in rows.iterator(chunk_size=batch_size):
        # An event's title is its summary, which already counts at weight B.
        headline = "" if kind == Story.Kind.EVENT else title or ""
        middle = " ".join(part for part in (standfirst or "", html_to_text(summary)) if part)
        Story.objects.using(using).filter(pk=pk).update(
            search_vector=story_vector(headline, middle, html_to_text(body))
        )
        done += 1
    return done


def index_story_after_save(sender, instance, raw=False, update_fields=None, using="default", **kwargs) -> None:
    """post_save receiver for Story and every model built on it."""
    if raw or not uses_postgres(using):
        return
    if update_fields is not None and not TEXT_FIELDS.intersection(update_fields):
        return
    transaction.on_commit(partial(refresh_search_vectors, [instance.pk], using=using), using=using)


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
            parts.append(escape(WHITESPACE.sub(" ", piece)))
    if inside:
        parts.append("</mark>")
    # Safe: every piece of story text went through escape(); the only markup is ours.
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


def story_text(story: Story) -> str:
    if story.kind == Story.Kind.EVENT:
        return html_to_text(story.event.summary)
    article = story.article
    return " ".join(part for part in (article.standfirst, html_to_text(article.body)) if part)


def excerpt(story: Story, headline: str) -> SafeString:
    """ts_headline's fragments, with an ellipsis wherever they leave text out at either end."""
    headline = (headline or "").strip()
    if not headline:
        return SafeString("")
    shown = WHITESPACE.sub(" ", html.unescape(headline.replace(START, "").replace(STOP, "")))
    shown = SPACE_BEFORE_PUNCTUATION.sub(r"\1", shown).strip()
    whole = story_text(story)
    before = "… " if whole and not whole.startswith(shown[:30]) else ""
    after = " …" if whole and not whole.rstrip(".!?…\"”’' ").endswith(shown[-30:].rstrip(".!?…\"”’' ")) else ""
    return SafeString(before) + marked(headline, from_html=True) + SafeString(after)


def lead_text(story: Story) -> str:
    if story.kind == Story.Kind.EVENT:
        return html_to_text(story.event.summary)
    article = story.article
    return article.standfirst or html_to_text(article.body)


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
    query = params.copy()
    query.pop("page", None)
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return "?" + query.urlencode()


def build_facets(matching: QuerySet, params: QueryDict) -> list[Facet]:
    """Counts for each filter value within the current results, in four grouped queries."""
    story_ids = matching.values("pk")
    within = Story.objects.filter(pk__in=story_ids).order_by()
    kinds: dict[str, int] = {}
    types: dict[str, int] = {}
    categories: dict[str, int] = {}
    for row in within.values("kind", "article__article_type", "event__category").annotate(n=Count("pk")):
        kinds[row["kind"]] = kinds.get(row["kind"], 0) + row["n"]
        if row["article__article_type"]:
            types[row["article__article_type"]] = types.get(row["article__article_type"], 0) + row["n"]
        if row["event__category"]:
            categories[row["event__category"]] = categories.get(row["event__category"], 0) + row["n"]
    sections = (
        within.filter(article__section__isnull=False)
        .values("article__section__path", "article__section__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "article__section__name")[: FACET_SIZE * 2]
    )
    tags = (
        TaggedStory.objects.filter(content_object_id__in=story_ids)
        .values("tag__slug", "tag__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "tag__name")[:FACET_SIZE]
    )
    authors = (
        Byline.objects.filter(article_id__in=story_ids)
        .values("author__slug", "author__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "author__name")[:FACET_SIZE]
    )

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

    category_labels = dict(event_categories())
    by_count = sorted(categories.items(), key=lambda item: (-item[1], category_labels.get(item[0], item[0])))
    groups = [
        facet("kind", "Kind", [(k, label, kinds.get(k, 0)) for k, label in Story.Kind.choices]),
        facet("type", "Article kind", [(t, label, types.get(t, 0)) for t, label in Article.ArticleType.choices]),
        facet(
            "section", "Section", [(r["article__section__path"], r["article__section__name"], r["n"]) for r in sections]
        ),
        facet("category", "Event category", [(c, category_labels.get(c, c), n) for c, n in by_count]),
        facet("tag", "Contexts", [(r["tag__slug"], r["tag__name"], r["n"]) for r in tags]),
        facet("author", "Authors", [(r["author__slug"], r["author__name"], r["n"]) for r in authors]),
    ]
    return [group for group in groups if group.values]


def active_filters(filterset: StorySearchFilter, params: QueryDict) -> list[dict]:
    """The filters in force, each with an address that drops it."""
    active = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, ""):
            continue
        if name in ("from", "to"):
            text = f"{'From' if name == 'from' else 'To'} {value:%-d %b %Y}"
        elif hasattr(value, "name"):
            text = f"{filterset.filters[name].label}: {value.name}"
        else:
            choices = dict(filterset.form.fields[name].choices)
            text = f"{filterset.filters[name].label}: {choices.get(value, value)}"
        active.append({"name": name, "text": text, "remove_url": address(params, **{name: None})})
    return active


# The page ---------------------------------------------------------------------


@dataclass
class Hit:
    story: Story
    title: SafeString
    snippet: SafeString


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
        context["problems"] = [
            f"Your search is {len(q)} characters long; the limit is {MAX_QUERY_LENGTH}. "
            "A few distinctive words work best."
        ]
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


def run_search(request, filterset: StorySearchFilter, q: str, parsed: ParsedQuery) -> dict:
    published = filterset.qs
    if uses_postgres():
        query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
        matching = published.filter(search_vector=query)
        # Concat treats a missing article or event part as empty text.
        text = Concat(
            F("article__standfirst"),
            Value(" "),
            F("event__summary"),
            Value(" "),
            F("article__body"),
            output_field=TextField(),
        )
        marks = {"config": SEARCH_CONFIG, "start_sel": START, "stop_sel": STOP}
        results = (
            matching.for_listing()
            .annotate(
                rank=SearchRank(F("search_vector"), query),
                title_marked=SearchHeadline("title", query, highlight_all=True, **marks),
                snippet_marked=SearchHeadline(
                    text,
                    query,
                    max_words=SNIPPET_WORDS,
                    min_words=12,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                    **marks,
                ),
            )
            .order_by("-rank", "-date", "-publish_at", "-pk")
        )
    else:
        matching = published.filter(simple_match(parsed))
        results = matching.for_listing().newest_first()

    page = Paginator(results, settings.DATELINE_PAGE_SIZE).get_page(request.GET.get("page"))
    hits = []
    for story in page.object_list:
        if hasattr(story, "snippet_marked"):
            title = marked(story.title_marked)
            snippet = excerpt(story, story.snippet_marked) or escape(lead_text(story))
        else:
            title = highlight(story.title, parsed.wanted)
            snippet = highlight(Truncator(lead_text(story)).words(SNIPPET_WORDS), parsed.wanted)
        if story.kind == Story.Kind.EVENT:
            # An event's title is its whole summary: an excerpt would only repeat it.
            snippet = SafeString("")
        hits.append(Hit(story=story, title=title, snippet=snippet))
    return {
        "hits": hits,
        "page_obj": page,
        "paginator": page.paginator,
        "is_paginated": page.paginator.num_pages > 1,
        "facets": build_facets(matching, request.GET),
        "active": active_filters(filterset, request.GET),
        "ranked": uses_postgres(),
    }
