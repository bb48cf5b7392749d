"""Sitemaps and robots.txt.

/sitemap.xml is an index: one sitemap of pages (front, latest, sections,
authors, contexts) and one per year of published stories (/sitemap-2024.xml),
each split into pages of SITEMAP_PAGE_SIZE addresses (?p=2, ...). A year of a
busy archive holds tens of thousands of stories; a page that size renders in a
fraction of a second, where the framework's default of 50,000 took seconds.
/sitemap-news.xml lists the last two days' articles in the Google News format.

The per-year totals and the pages sitemap's list (every section, author and
context with its newest story) read the whole archive, seconds of work on a
million stories, so they are worked out at most once every
SITEMAP_DATA_SECONDS and shared through the cache (when the page cache is on,
as in production), not on every crawl or after every edit. A sitemap may so
lag a change by that long; the news sitemap, which crawlers read for fresh
stories, is always current.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.db.models.functions import ExtractYear
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from . import pagecache
from .cache import reachable
from .models import Author, Section, Story, TaggedStory, slug_path

SITEMAP_PAGE_SIZE = 2000
SITEMAP_DATA_SECONDS = 600
# Longest a refresh of those figures may take before another request may start one.
REFRESH_SECONDS = 60
NEWS_WINDOW = timedelta(days=2)
# Google reads at most this many addresses from one news sitemap.
NEWS_LIMIT = 1000
# Google News wants ISO 639 codes, with Chinese named by script region.
NEWS_LANGUAGES = {"zh-hans": "zh-cn", "zh-hant": "zh-tw"}


class YearSitemap(Sitemap):
    """Every published story dated in one year, oldest first so page numbers stay put."""

    limit = SITEMAP_PAGE_SIZE

    def __init__(self, year: int, count: int, latest):
        self.year = year
        self.count = count
        self.latest = latest

    def items(self):
        return (
            Story.objects.published()
            .filter(date__year=self.year)
            .only("date", "slug", "updated_at")
            .order_by("date", "pk")
        )

    def lastmod(self, story):
        return story.updated_at

    def get_latest_lastmod(self):
        return self.latest

    @property
    def paginator(self):
        pages = Paginator(self.items(), self.limit)
        # The yearly totals are already known from one grouped query; counting again per year would cost a query each.
        pages.count = self.count
        return pages


class PagesSitemap(Sitemap):
    """Pages that gather stories: front, latest, sections, authors and contexts that have any."""

    limit = SITEMAP_PAGE_SIZE

    def __init__(self):
        self._pages = None

    def items(self):
        if self._pages is None:
            self._pages = _kept("pages", self._collect)
        return self._pages

    def _collect(self) -> list[tuple[str, object]]:
        now = timezone.now()
        live = Story.objects.published(now)
        newest = live.order_by("-updated_at").values_list("updated_at", flat=True).first()
        pages = [(reverse("newsroom:home"), newest), (reverse("newsroom:latest"), newest)]
        by_section = dict(
            live.filter(article__section__isnull=False)
            .values_list("article__section")
            .annotate(last=Max("updated_at"))
            .order_by()
        )
        for section in Section.objects.only("path"):
            pages.append((section.get_absolute_url(), by_section.get(section.pk)))
        authors = (
            Author.objects.filter(bylines__article_id__in=live.values("pk"))
            .values_list("slug")
            .annotate(last=Max("bylines__article__updated_at"))
            .order_by("slug")
        )
        pages += [(slug_path("newsroom:author", slug), last) for slug, last in authors]
        # A context page changes when a story joins it: its newest story's publish time, read from the
        # links' own listing index rather than a join through every story.
        tags = (
            TaggedStory.objects.filter(listed=True, story_publish_at__lte=now)
            .values_list("tag__slug")
            .annotate(last=Max("story_publish_at"))
            .order_by("tag__slug")
        )
        pages += [(slug_path("newsroom:tag", slug), last) for slug, last in tags]
        return pages

    def location(self, item):
        return item[0]

    def lastmod(self, item):
        return item[1]

    def get_latest_lastmod(self):
        return max((last for _, last in self.items() if last), default=None)


class NewsSitemap(Sitemap):
    limit = NEWS_LIMIT

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        stories = list(
            Story.objects.published()
            .filter(kind=Story.Kind.ARTICLE, publish_at__gte=since)
            .select_related("article")
            .order_by("-publish_at", "-pk")[:NEWS_LIMIT]
        )
        for story in stories:
            language = story.article.language
            story.news_language = NEWS_LANGUAGES.get(language, language)
        return stories

    def lastmod(self, story):
        return story.updated_at


def _kept(name: str, compute):
    """``compute()``, worked out by one request at a time and shared for SITEMAP_DATA_SECONDS.

    When it is due again, the request that takes the lock works it out while the others keep answering
    with the previous figures; only the very first time do they wait for it (it takes seconds, and a
    crawler asking for several sitemaps at once would otherwise start that work once per request).
    """
    if not pagecache.enabled():
        return compute()
    key, lock = f"dateline:sitemap:{name}", f"dateline:sitemap:{name}:lock"
    found = cache.get(key)
    if found is not None and found[1] > time.time():
        return found[0]
    if cache.add(lock, True, REFRESH_SECONDS):
        try:
            value = compute()
            cache.set(key, (value, time.time() + SITEMAP_DATA_SECONDS), SITEMAP_DATA_SECONDS * 12)
        finally:
            cache.delete(lock)
        return value
    if found is not None:
        return found[0]
    if not reachable():
        # No other request can be sharing its result through a cache that keeps nothing.
        return compute()
    deadline = time.monotonic() + REFRESH_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.1)
        found = cache.get(key)
        if found is not None:
            return found[0]
    return compute()


def _years() -> list[tuple[int, int, object]]:
    """(year, published stories, newest change) for every year with a published story, newest first."""
    rows = (
        Story.objects.published()
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(total=Count("pk"), latest=Max("updated_at"))
        .order_by("-year")
    )
    return [(row["year"], row["total"], row["latest"]) for row in rows]


def _year_sitemaps(year: int | None = None) -> dict[str, Sitemap]:
    return {
        str(number): YearSitemap(number, total, latest)
        for number, total, latest in _kept("years", _years)
        if year is None or number == year
    }


def sitemap_index(request):
    sitemaps = {"pages": PagesSitemap(), **_year_sitemaps()}
    return sitemap_views.index(request, sitemaps, sitemap_url_name="newsroom:sitemap_section")


def sitemap_section(request, section: str):
    if section == "pages":
        sitemaps = {"pages": PagesSitemap()}
    elif section.isdigit() and len(section) == 4:
        sitemaps = _year_sitemaps(int(section))
    else:
        sitemaps = {}
    return sitemap_views.sitemap(request, sitemaps, section=section)


def news_sitemap(request):
    response = sitemap_views.sitemap(request, {"news": NewsSitemap()}, template_name="newsroom/sitemap_news.xml")
    response.context_data["site_name"] = settings.DATELINE_SITE_NAME
    return response


def robots_txt(request):
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        f"Disallow: {reverse('newsroom:search')}",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('newsroom:sitemap_index'))}",
        f"Sitemap: {request.build_absolute_uri(reverse('newsroom:sitemap_news'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
