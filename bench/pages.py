"""Which addresses the benchmark requests: one or more for every public URL pattern.

The list is checked against the URLconf (tests/bench/test_coverage.py): a public
pattern with no entry in ``ENTRIES`` fails the tests, so a new page is measured
from the day it exists. To add one, write a line in ``ENTRIES`` (or, for a page
that is not public, in ``NOT_PUBLIC`` with the reason).

Patterns are named "namespace:name"; an unnamed one by its view's dotted path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Not measured, and why. A whole namespace is excluded by its name followed by ":", everything under an
# address by the address (starting with "/"), whatever its patterns are named.
NOT_PUBLIC = {
    # The editors' desk: signed-in staff only (the admin rows of the bench are chosen by hand in run.py).
    "admin:": "staff only",
    # Reader accounts: per-person pages and forms, never shared or cached.
    "/accounts/": "signed-in readers only",
    # A draft shown through a secret link: one editor at a time, never cached.
    "newsroom:preview": "staff and token holders only",
    # Uploaded files, served by the web server or object storage in production.
    "newsroom.views.media": "files, not pages",
    # Forms that change state: posting, flagging and signing in or out answer POSTs.
    "comments:post": "POST only",
    "comments:flag": "POST only",
    "comments:sign_in": "a form for one reader",
    "comments:sign_out": "POST only",
    # The comment form's token: one reader's own, asked for by the form's script, never cached.
    "comments:token": "a token for one reader",
    # A story page's script reporting a read: POST only, counted in the cache.
    "newsroom:read": "POST only",
    # The API's bare prefix answers nothing of its own; its lists and items are measured.
    "api-v1:api-root": "no page at the prefix",
}


@dataclass
class Picks:
    """Stories, contexts and people from the bench database that the entries fill patterns with."""

    day: date
    article: Any
    event: Any
    tag: str
    deep_page: int
    author: Any
    section: str
    year: int
    comment_id: int | None
    search: list[tuple[str, str]] = field(default_factory=list)


def story_url(story, name: str = "newsroom:story") -> str:
    return reverse(name, kwargs={"year": f"{story.date:%Y}", "month": f"{story.date:%m}", "day": f"{story.date:%d}",
                                 "slug": story.slug})  # fmt: skip


def day_kwargs(day: date) -> dict[str, str]:
    return {"year": f"{day:%Y}", "month": f"{day:%m}", "day": f"{day:%d}"}


def search_addresses(picks: Picks) -> list[tuple[str, str]]:
    from urllib.parse import urlencode

    base = reverse("newsroom:search")
    return [(f"search {label}", f"{base}?{urlencode({'q': query})}") for label, query in picks.search]


# A builder returns one address, or several (label, address) pairs when a pattern has many shapes.
Entry = tuple[str, Callable[[Picks], str | list[tuple[str, str]]]]

# Pattern name -> (label, address) pairs. Labels are the rows of the results table.
ENTRIES: dict[str, list[Entry]] = {
    "newsroom:home": [("front", lambda p: reverse("newsroom:home"))],
    "newsroom:latest": [("latest", lambda p: reverse("newsroom:latest"))],
    "newsroom:year": [("year", lambda p: reverse("newsroom:year", kwargs={"year": f"{p.day:%Y}"}))],
    "newsroom:month": [
        ("month", lambda p: reverse("newsroom:month", kwargs={"year": f"{p.day:%Y}", "month": f"{p.day:%m}"}))
    ],
    "newsroom:day": [("day", lambda p: reverse("newsroom:day", kwargs=day_kwargs(p.day)))],
    "newsroom:day_markdown": [("day .md", lambda p: reverse("newsroom:day_markdown", kwargs=day_kwargs(p.day)))],
    "newsroom:story": [
        ("article", lambda p: story_url(p.article)),
        ("event + Related", lambda p: story_url(p.event)),
    ],
    "newsroom:story_markdown": [
        ("article .md", lambda p: story_url(p.article, "newsroom:story_markdown")),
        ("event .md", lambda p: story_url(p.event, "newsroom:story_markdown")),
    ],
    "newsroom:tag": [
        ("tag page 1", lambda p: reverse("newsroom:tag", kwargs={"slug": p.tag})),
        ("tag page deep", lambda p: reverse("newsroom:tag", kwargs={"slug": p.tag}) + f"?page={p.deep_page}"),
    ],
    "newsroom:section": [("section", lambda p: reverse("newsroom:section", kwargs={"path": p.section}))],
    "newsroom:author": [("author", lambda p: p.author.get_absolute_url())],
    "newsroom:corrections": [("corrections", lambda p: reverse("newsroom:corrections"))],
    # One row per search shape: how many words, how common, and a quoted phrase.
    "newsroom:search": [("search", lambda p: search_addresses(p))],
    "newsroom:feed_latest": [("feed latest rss", lambda p: reverse("newsroom:feed_latest"))],
    "newsroom:feed_latest_atom": [("feed latest atom", lambda p: reverse("newsroom:feed_latest_atom"))],
    "newsroom:feed_events": [("feed events rss", lambda p: reverse("newsroom:feed_events"))],
    "newsroom:feed_events_atom": [("feed events atom", lambda p: reverse("newsroom:feed_events_atom"))],
    "newsroom:feed_section": [
        ("feed section rss", lambda p: reverse("newsroom:feed_section", kwargs={"path": p.section}))
    ],
    "newsroom:feed_section_atom": [
        ("feed section atom", lambda p: reverse("newsroom:feed_section_atom", kwargs={"path": p.section}))
    ],
    "newsroom:feed_tag": [("feed tag rss", lambda p: reverse("newsroom:feed_tag", kwargs={"slug": p.tag}))],
    "newsroom:feed_tag_atom": [("feed tag atom", lambda p: reverse("newsroom:feed_tag_atom", kwargs={"slug": p.tag}))],
    "newsroom:feed_author": [
        ("feed author rss", lambda p: reverse("newsroom:feed_author", kwargs={"slug": p.author.slug}))
    ],
    "newsroom:feed_author_atom": [
        ("feed author atom", lambda p: reverse("newsroom:feed_author_atom", kwargs={"slug": p.author.slug}))
    ],
    "newsroom:sitemap_index": [("sitemap index", lambda p: reverse("newsroom:sitemap_index"))],
    "newsroom:sitemap_news": [("sitemap news", lambda p: reverse("newsroom:sitemap_news"))],
    "newsroom:sitemap_section": [
        ("sitemap pages", lambda p: reverse("newsroom:sitemap_section", kwargs={"section": "pages"})),
        ("sitemap year", lambda p: reverse("newsroom:sitemap_section", kwargs={"section": str(p.year)})),
    ],
    "newsroom:robots": [("robots", lambda p: reverse("newsroom:robots"))],
    "newsroom:most_read": [("most read box", lambda p: reverse("newsroom:most_read"))],
    "newsroom:story_print": [("article print", lambda p: story_url(p.article, "newsroom:story_print"))],
    "newsroom:feed_corrections": [("feed corrections rss", lambda p: reverse("newsroom:feed_corrections"))],
    "newsroom:feed_corrections_atom": [("feed corrections atom", lambda p: reverse("newsroom:feed_corrections_atom"))],
    # The content API: each list's first page, one of each kind of item, the index and the schema.
    "api-v1:openapi-json": [("api schema", lambda p: reverse("api-v1:openapi-json"))],
    "api-v1:openapi-view": [("api docs", lambda p: reverse("api-v1:openapi-view"))],
    "api-v1:stories": [
        ("api stories", lambda p: reverse("api-v1:stories")),
        ("api stories in a context", lambda p: reverse("api-v1:stories") + f"?context={p.tag}"),
    ],
    "api-v1:articles": [("api articles", lambda p: reverse("api-v1:articles"))],
    "api-v1:events": [("api events", lambda p: reverse("api-v1:events"))],
    "api-v1:story": [("api story + Related", lambda p: reverse("api-v1:story", kwargs={"story_id": p.event.pk}))],
    "api-v1:article": [("api article", lambda p: reverse("api-v1:article", kwargs={"story_id": p.article.pk}))],
    "api-v1:event": [("api event", lambda p: reverse("api-v1:event", kwargs={"story_id": p.event.pk}))],
    "api-v1:contexts": [("api contexts", lambda p: reverse("api-v1:contexts"))],
    "api-v1:context": [("api context", lambda p: reverse("api-v1:context", kwargs={"slug": p.tag}))],
    "api-v1:sections": [("api sections", lambda p: reverse("api-v1:sections"))],
    "api-v1:authors": [("api authors", lambda p: reverse("api-v1:authors"))],
    "api-v1:author": [("api author", lambda p: reverse("api-v1:author", kwargs={"slug": p.author.slug}))],
    "api-v1:outlets": [("api outlets", lambda p: reverse("api-v1:outlets"))],
    "comments:permalink": [("comment permalink", lambda p: reverse("comments:permalink", kwargs={"pk": p.comment_id}))],
    "comments:standards": [("community standards", lambda p: reverse("comments:standards"))],
}


def walk(resolver: URLResolver | None = None, namespace: str = "") -> Iterator[tuple[str, str]]:
    """(key, route) of every pattern the URLconf answers, nested includes flattened."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            for key, route in walk(entry, inner):
                yield key, str(entry.pattern) + route
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name or entry.lookup_str}", str(entry.pattern)


def excluded(key: str, route: str = "") -> bool:
    return key in NOT_PUBLIC or any(
        (rule.endswith(":") and key.startswith(rule)) or (rule.startswith("/") and route.startswith(rule[1:]))
        for rule in NOT_PUBLIC
    )


def public_patterns() -> dict[str, str]:
    """Pattern key -> route, for every pattern a reader can request."""
    return {key: route for key, route in walk() if not excluded(key, route)}


def pick(search_queries: list[tuple[str, str]] | None = None) -> Picks:
    """The stories and contexts the entries point at, chosen from the bench database.

    Chosen to be the heavy cases: the article with the most comments, a "China" event
    with the most contexts (a full Related list), the author with the most bylines, a
    tag page deep in the commonest context.
    """
    from django.db.models import Count

    from newsroom.comments.models import Comment
    from newsroom.models import Author, Story

    live = Story.objects.published()
    newest = live.order_by("-date").values_list("date", flat=True).first()
    day = live.filter(date__lte=newest.replace(day=1)).order_by("-date").values_list("date", flat=True).first()
    busiest = (
        Comment.objects.filter(story__kind="article")
        .values("story")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("story", flat=True)
        .first()
    )
    article = Story.objects.get(pk=busiest) if busiest else live.filter(kind="article").first()
    tag = "china"
    event = (
        live.filter(kind="event", tagged_items__tag__slug=tag)
        .annotate(n=Count("tagged_items"))
        .order_by("-n", "-date")
        .first()
    ) or live.filter(kind="event").first()
    tagged = live.filter(tagged_items__tag__slug=tag).count()
    author = Author.objects.annotate(n=Count("bylines")).order_by("-n", "pk").first()
    year = live.filter(date__lt=newest.replace(month=1, day=1)).order_by("-date").values_list("date", flat=True).first()
    comment = Comment.objects.approved().filter(story=article).order_by("pk").values_list("pk", flat=True).first()
    return Picks(
        day=day or newest,
        article=article,
        event=event,
        tag=tag,
        deep_page=min(5000, max(1, tagged // 20)),
        author=author,
        section="news/world",
        year=(year or newest).year,
        comment_id=comment,
        search=search_queries or [],
    )


def addresses(picks: Picks) -> list[tuple[str, str, str]]:
    """(label, path, pattern key) for every benchmark entry, in ENTRIES order."""
    rows = []
    for key, entries in ENTRIES.items():
        for label, build in entries:
            if key == "comments:permalink" and picks.comment_id is None:
                continue
            built = build(picks)
            if isinstance(built, str):
                rows.append((label, built, key))
            else:
                rows += [(many_label, path, key) for many_label, path in built]
    return rows
