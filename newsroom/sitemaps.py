"""Sitemaps and robots.txt.

/sitemap.xml is an index: one sitemap of pages (front, latest, sections,
authors, contexts) and one per year of published stories (/sitemap-2024.xml),
each split into pages of 50,000 addresses by the sitemap framework when a year
holds more. /sitemap-news.xml lists the last two days' articles in the Google
News format. Which years exist is read per request, so a new year appears
without a restart.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.db.models.functions import ExtractYear
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from .models import Author, Section, Story

NEWS_WINDOW = timedelta(days=2)
# Google reads at most this many addresses from one news sitemap.
NEWS_LIMIT = 1000
# Google News wants ISO 639 codes, with Chinese named by script region.
NEWS_LANGUAGES = {"zh-hans": "zh-cn", "zh-hant": "zh-tw"}


class YearSitemap(Sitemap):
    """Every published story dated in one year, oldest first so page numbers stay put."""

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

    def __init__(self):
        self._pages = None

    def items(self):
        if self._pages is None:
            self._pages = self._collect()
        return self._pages

    def _collect(self) -> list[tuple[str, object]]:
        live = Story.objects.published()
        newest = live.aggregate(last=Max("updated_at"))["last"]
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
        pages += [(reverse("newsroom:author", kwargs={"slug": slug}), last) for slug, last in authors]
        tags = (
            Tag.objects.filter(newsroom_taggedstory_items__content_object_id__in=live.values("pk"))
            .values_list("slug")
            .annotate(last=Max("newsroom_taggedstory_items__content_object__updated_at"))
            .order_by("slug")
        )
        pages += [(reverse("newsroom:tag", kwargs={"slug": slug}), last) for slug, last in tags]
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


def _year_sitemaps(year: int | None = None) -> dict[str, Sitemap]:
    stories = Story.objects.published()
    if year is not None:
        stories = stories.filter(date__year=year)
    years = (
        stories.annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(total=Count("pk"), latest=Max("updated_at"))
        .order_by("-year")
    )
    return {str(row["year"]): YearSitemap(row["year"], row["total"], row["latest"]) for row in years}


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
