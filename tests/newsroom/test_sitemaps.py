"""Sitemaps and robots.txt: what a search engine is told about the site."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsroom.models import Status, Story
from newsroom.sitemaps import YearSitemap
from tests.factories import ArticleFactory, AuthorFactory, EventFactory, SectionFactory

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9"}
NOW = timezone.now()


def at(year: int, month: int = 6, day: int = 15):
    return timezone.make_aware(datetime(year, month, day, 12, 0))


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def locations(root) -> list[str]:
    return [loc.text.removeprefix("http://testserver") for loc in root.iter(f"{{{NS['sm']}}}loc")]


def test_index_lists_the_pages_sitemap_and_one_sitemap_per_year(client):
    ArticleFactory(headline="From 2019", publish_at=at(2019))
    EventFactory(summary="An event in 2021.", date=at(2021).date(), publish_at=at(2021))
    ArticleFactory(headline="This year")
    ArticleFactory(headline="Draft from 2017", status=Status.DRAFT, publish_at=None)
    ArticleFactory(headline="Future 2030", status=Status.SCHEDULED, publish_at=at(2030))
    root = xml(client, "/sitemap.xml")
    assert root.tag == f"{{{NS['sm']}}}sitemapindex"
    this_year = timezone.localdate().year
    assert locations(root) == [
        "/sitemap-pages.xml",
        f"/sitemap-{this_year}.xml",
        "/sitemap-2021.xml",
        "/sitemap-2019.xml",
    ]
    for url in locations(root):
        assert client.get(url).status_code == 200, url


def test_a_year_lists_its_published_stories_with_lastmod_and_hides_the_rest(client):
    shown = ArticleFactory(headline="Shown", publish_at=at(2020, 3, 1))
    event = EventFactory(summary="An event shown.", date=at(2020, 4, 2).date(), publish_at=at(2020, 4, 2))
    ArticleFactory(headline="Other year", publish_at=at(2019))
    draft = EventFactory(summary="A draft event.", date=at(2020, 5, 5).date(), status=Status.DRAFT, publish_at=None)
    withdrawn = ArticleFactory(headline="Withdrawn", publish_at=at(2020, 7, 1), status=Status.WITHDRAWN)
    root = xml(client, "/sitemap-2020.xml")
    assert locations(root) == [shown.get_absolute_url(), event.get_absolute_url()]
    assert draft.get_absolute_url() not in locations(root)
    assert withdrawn.get_absolute_url() not in locations(root)
    lastmods = [node.text for node in root.iter(f"{{{NS['sm']}}}lastmod")]
    assert lastmods[0] == f"{shown.updated_at:%Y-%m-%d}"


def test_a_year_with_more_addresses_than_one_sitemap_holds_is_split_into_pages(client, monkeypatch):
    monkeypatch.setattr(YearSitemap, "limit", 2)
    stories = [ArticleFactory(headline=f"Story {n}", publish_at=at(2018, 1, n + 1)) for n in range(5)]
    index = locations(xml(client, "/sitemap.xml"))
    assert index[1:] == ["/sitemap-2018.xml", "/sitemap-2018.xml?p=2", "/sitemap-2018.xml?p=3"]
    seen = []
    for page in ("", "?p=2", "?p=3"):
        seen += locations(xml(client, f"/sitemap-2018.xml{page}"))
    assert seen == [story.get_absolute_url() for story in stories]
    assert client.get("/sitemap-2018.xml?p=4").status_code == 404


@pytest.mark.parametrize("url", ["/sitemap-1999.xml", "/sitemap-nothing.xml", "/sitemap-2018.xml?p=x"])
def test_unknown_sitemaps_answer_404(client, url):
    ArticleFactory(publish_at=at(2018))
    assert client.get(url).status_code == 404


def test_pages_sitemap_lists_front_latest_sections_and_people_and_contexts_with_stories(client):
    world = SectionFactory(name="World", slug="world")
    ana = AuthorFactory(name="Ana Ruiz", slug="ana-ruiz")
    AuthorFactory(name="Only drafts", slug="only-drafts")
    ArticleFactory(section=world, authors=[ana], tags=["Harbour"])
    ArticleFactory(status=Status.DRAFT, publish_at=None, tags=["Secret plans"])
    urls = locations(xml(client, "/sitemap-pages.xml"))
    assert urls[:2] == ["/", "/news/"]
    assert "/sections/world/" in urls
    assert "/authors/ana-ruiz/" in urls
    assert "/tags/harbour/" in urls
    assert "/authors/only-drafts/" not in urls
    assert "/tags/secret-plans/" not in urls


def test_news_sitemap_holds_only_the_last_two_days_articles(client, settings):
    settings.DATELINE_SITE_NAME = "Harbour Gazette"
    fresh = ArticleFactory(headline="Fresh & new", publish_at=NOW - timedelta(hours=5), language="fr")
    yesterday = ArticleFactory(headline="Yesterday's news", publish_at=NOW - timedelta(hours=40))
    ArticleFactory(headline="Three days old", publish_at=NOW - timedelta(days=3))
    ArticleFactory(headline="A draft", status=Status.DRAFT, publish_at=None)
    ArticleFactory(headline="Later today", status=Status.SCHEDULED, publish_at=NOW + timedelta(hours=2))
    EventFactory(summary="An event is not news sitemap material.")
    root = xml(client, "/sitemap-news.xml")
    assert locations(root) == [fresh.get_absolute_url(), yesterday.get_absolute_url()]
    first = root.find("sm:url", NS)
    news = first.find("news:news", NS)
    assert news.find("news:publication/news:name", NS).text == "Harbour Gazette"
    assert news.find("news:publication/news:language", NS).text == "fr"
    assert news.find("news:title", NS).text == "Fresh & new"
    published = datetime.fromisoformat(news.find("news:publication_date", NS).text)
    assert abs(published - fresh.publish_at) < timedelta(seconds=1)


def test_robots_txt_points_to_the_sitemaps_and_keeps_crawlers_out_of_admin_and_search(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /search/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/sitemap-news.xml" in lines
    for line in lines:
        if line.startswith("Sitemap: "):
            assert client.get(line.removeprefix("Sitemap: http://testserver")).status_code == 200


def test_sitemaps_run_a_constant_number_of_queries(client):
    section = SectionFactory(name="World", slug="world")
    author = AuthorFactory(name="Ana Ruiz", slug="ana-ruiz")

    def make(count: int, year: int) -> None:
        for n in range(count):
            ArticleFactory(
                section=section, authors=[author], tags=[f"Context {year} {n}"], publish_at=at(year, 1, n + 1)
            )

    counts = []
    make(3, 2020)
    for size in (3, 25):
        if size == 25:
            make(22, 2021)
            make(10, 2022)
        sizes = []
        for url in ("/sitemap.xml", "/sitemap-pages.xml", "/sitemap-2020.xml", "/sitemap-news.xml"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            sizes.append(len(queries))
        counts.append(sizes)
    assert counts[0] == counts[1], counts
    assert Story.objects.count() == 35


def test_a_crawl_of_the_index_reuses_the_archive_totals_worked_out_by_the_last_one(client, settings):
    settings.DATELINE_PAGE_CACHE = True
    settings.DATELINE_PAGE_CACHE_SERVE = False
    ArticleFactory(headline="Older story", publish_at=at(2019))
    first = locations(xml(client, "/sitemap.xml"))
    with CaptureQueriesContext(connection) as queries:
        again = locations(xml(client, "/sitemap.xml"))
    assert again == first and "/sitemap-2019.xml" in again
    assert len(queries) == 0, [q["sql"] for q in queries.captured_queries]
    # The news sitemap, where crawlers look for fresh stories, is never behind.
    ArticleFactory(headline="Fresh story", publish_at=timezone.now() - timedelta(minutes=5))
    assert "Fresh story" in client.get("/sitemap-news.xml").content.decode()


def test_a_year_sitemap_page_holds_at_most_the_page_size(client, monkeypatch):
    from newsroom import sitemaps

    assert sitemaps.SITEMAP_PAGE_SIZE <= 5000
    monkeypatch.setattr(YearSitemap, "limit", 3)
    for day in range(1, 8):
        ArticleFactory(publish_at=at(2017, 3, day))
    pages = [locations(xml(client, f"/sitemap-2017.xml?p={n}")) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [3, 3, 1]


def test_due_archive_totals_are_worked_out_by_one_request_while_others_answer_with_the_last_ones(settings):
    from django.core.cache import cache

    from newsroom import sitemaps

    settings.DATELINE_PAGE_CACHE = True
    runs = []

    def work():
        runs.append(1)
        return f"figures {len(runs)}"

    assert sitemaps._kept("test", work) == "figures 1"
    assert sitemaps._kept("test", work) == "figures 1" and len(runs) == 1
    cache.set("dateline:sitemap:test", ("figures 1", 0))  # due again
    cache.add("dateline:sitemap:test:lock", True)  # another request is refreshing them
    assert sitemaps._kept("test", work) == "figures 1" and len(runs) == 1
    cache.delete("dateline:sitemap:test:lock")
    assert sitemaps._kept("test", work) == "figures 2"
