"""RSS and Atom feeds: what a feed reader receives, and what it must never receive."""

import re
from datetime import timedelta

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsroom.models import Status
from tests.factories import ArticleFactory, AuthorFactory, EventFactory, SectionFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def newsroom():
    opinion = SectionFactory(name="Opinion", slug="opinion")
    editorials = SectionFactory(name="Editorials", slug="editorials", parent=opinion)
    ana = AuthorFactory(name="Ana Ruiz", slug="ana-ruiz")
    ben = AuthorFactory(name="Ben Okoro", slug="ben-okoro")
    article = ArticleFactory(
        headline="Harbour wall to be rebuilt",
        standfirst="Engineers say the <old> wall & its gates will not last the winter.",
        section=editorials,
        authors=[ana, ben],
        tags=["Harbour", "Storms"],
        publish_at=NOW - timedelta(hours=3),
    )
    event = EventFactory(
        summary='Storm <em>Iris</em> closes the port <a href="https://example.org/iris">for two days</a>.',
        tags=["Harbour"],
        publish_at=NOW - timedelta(hours=2),
    )
    return {"article": article, "event": event, "section": editorials, "parent": opinion, "author": ana}


FEEDS = {
    "latest": "/feeds/latest/{fmt}/",
    "events": "/feeds/events/{fmt}/",
    "section": "/feeds/sections/opinion/editorials/{fmt}/",
    "parent section": "/feeds/sections/opinion/{fmt}/",
    "tag": "/feeds/tags/harbour/{fmt}/",
    "author": "/feeds/authors/ana-ruiz/{fmt}/",
}


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response, feedparser.parse(response.content)


@pytest.mark.parametrize("fmt", ["rss", "atom"])
@pytest.mark.parametrize("name", FEEDS)
def test_every_feed_parses_cleanly(client, newsroom, name, fmt):
    response, feed = fetch(client, FEEDS[name].format(fmt=fmt))
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == ("rss20" if fmt == "rss" else "atom10")
    assert response["Content-Type"].startswith("application/rss+xml" if fmt == "rss" else "application/atom+xml")
    assert feed.feed.title.startswith("Dateline: ")
    assert feed.entries


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_an_article_item_carries_everything_a_reader_needs(client, newsroom, fmt):
    _, feed = fetch(client, f"/feeds/latest/{fmt}/")
    article = newsroom["article"]
    entry = next(e for e in feed.entries if e.title == "Harbour wall to be rebuilt")
    assert entry.link == f"http://testserver{article.get_absolute_url()}"
    assert entry.summary == "Engineers say the &lt;old&gt; wall &amp; its gates will not last the winter."
    assert entry.published_parsed is not None
    assert entry.author == "Ana Ruiz, Ben Okoro"
    assert sorted(tag.term for tag in entry.tags) == ["Harbour", "Storms"]
    assert entry.id == f"tag:testserver,{article.created_at:%Y-%m-%d}:story/{article.pk}"
    if fmt == "atom":
        assert entry.updated_parsed is not None


def test_an_event_item_keeps_its_safe_formatting_and_drops_the_rest(client, newsroom):
    event = newsroom["event"]
    event.summary = 'Storm <em>Iris</em> <script>alert(1)</script> closes the <a href="javascript:x()">port</a>.'
    event.save()
    response, feed = fetch(client, "/feeds/events/rss/")
    entry = feed.entries[0]
    assert "<em>Iris</em>" in entry.summary
    xml = response.content.decode()
    assert "alert(1)" not in xml and "&lt;script" not in xml
    assert "javascript:" not in xml


def test_guids_are_unique_and_survive_a_change_of_address(client, newsroom):
    _, before = fetch(client, "/feeds/latest/rss/")
    ids = [entry.id for entry in before.entries]
    assert len(ids) == len(set(ids))
    article = newsroom["article"]
    article.slug = "harbour-wall-rebuild"
    article.save()
    _, after = fetch(client, "/feeds/latest/rss/")
    assert [entry.id for entry in after.entries] == ids


def test_the_newest_stories_come_first_and_feeds_stop_at_thirty(client):
    for n in range(35):
        ArticleFactory(headline=f"Bulletin {n}", publish_at=NOW - timedelta(minutes=10 * (n + 1)))
    _, feed = fetch(client, "/feeds/latest/rss/")
    assert len(feed.entries) == 30
    assert [e.title for e in feed.entries[:3]] == ["Bulletin 0", "Bulletin 1", "Bulletin 2"]


STATES = {
    "draft": {"status": Status.DRAFT, "publish_at": None},
    "in review": {"status": Status.REVIEW, "publish_at": None},
    "scheduled later": {"status": Status.SCHEDULED, "publish_at": NOW + timedelta(days=1)},
    "withdrawn": {"status": Status.WITHDRAWN, "publish_at": NOW - timedelta(days=1)},
}


@pytest.mark.parametrize("state", STATES)
def test_feeds_never_carry_unpublished_stories(client, newsroom, state):
    fields = STATES[state]
    ArticleFactory(
        headline=f"Hidden {state}",
        section=newsroom["section"],
        authors=[newsroom["author"]],
        tags=["Harbour"],
        **fields,
    )
    EventFactory(summary=f"Hidden event {state}.", tags=["Harbour"], **fields)
    ArticleFactory(headline="Due and shown", status=Status.SCHEDULED, publish_at=NOW - timedelta(minutes=1))
    for name, pattern in FEEDS.items():
        for fmt in ("rss", "atom"):
            response, feed = fetch(client, pattern.format(fmt=fmt))
            assert "Hidden" not in response.content.decode(), (name, fmt)
    _, latest = fetch(client, "/feeds/latest/rss/")
    assert "Due and shown" in [e.title for e in latest.entries]


def test_each_feed_holds_only_its_own_stories(client, newsroom):
    ArticleFactory(headline="Elsewhere entirely", tags=["Other"])
    expected = {
        "/feeds/events/rss/": ["Storm Iris closes the port for two days."],
        "/feeds/sections/opinion/rss/": ["Harbour wall to be rebuilt"],
        "/feeds/tags/harbour/rss/": ["Storm Iris closes the port for two days.", "Harbour wall to be rebuilt"],
        "/feeds/authors/ana-ruiz/rss/": ["Harbour wall to be rebuilt"],
    }
    for url, entries in expected.items():
        _, feed = fetch(client, url)
        assert [e.title for e in feed.entries] == entries, url


@pytest.mark.parametrize(
    "url", ["/feeds/sections/nope/rss/", "/feeds/tags/nope/atom/", "/feeds/authors/nobody/rss/", "/feeds/other/rss/"]
)
def test_feeds_of_unknown_things_answer_404(client, url):
    assert client.get(url).status_code == 404


def test_feeds_run_a_constant_number_of_queries(client):
    section = SectionFactory(name="World", slug="world")
    author = AuthorFactory(name="Ana Ruiz", slug="ana-ruiz")

    def make(count: int) -> None:
        for n in range(count):
            ArticleFactory(section=section, authors=[author], tags=["Ports", f"Context {n}"])
            EventFactory(tags=["Ports"])

    urls = [pattern.format(fmt=fmt) for pattern in FEEDS.values() for fmt in ("rss", "atom")]
    urls = [url.replace("opinion/editorials", "world").replace("opinion", "world") for url in urls]
    urls = list(dict.fromkeys(url.replace("harbour", "ports") for url in urls))
    counts = {}
    for size in (3, 40):
        make(size - (3 if size == 40 else 0))
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, url
            counts.setdefault(url, []).append(len(queries))
    for url, (small, large) in counts.items():
        assert small == large, (url, small, large)
        assert large <= 5, (url, large)


def test_pages_advertise_their_feeds(client, newsroom):
    def alternates(url):
        html = client.get(url).content.decode()
        return set(
            re.findall(r'<link rel="alternate" type="application/(?:rss|atom)\+xml" title="[^"]+" href="([^"]+)"', html)
        )

    site = {"/feeds/latest/rss/", "/feeds/latest/atom/", "/feeds/events/rss/", "/feeds/events/atom/"}
    assert alternates("/") == site
    assert alternates("/news/") == site
    assert alternates("/tags/harbour/") >= {"/feeds/tags/harbour/rss/", "/feeds/tags/harbour/atom/"}
    assert alternates(newsroom["section"].get_absolute_url()) >= {
        "/feeds/sections/opinion/editorials/rss/",
        "/feeds/sections/opinion/editorials/atom/",
    }
    assert alternates("/authors/ana-ruiz/") >= {"/feeds/authors/ana-ruiz/rss/", "/feeds/authors/ana-ruiz/atom/"}
    for url in alternates("/tags/harbour/") | alternates("/authors/ana-ruiz/"):
        assert client.get(url).status_code == 200, url
    tag_page = client.get("/tags/harbour/").content.decode()
    assert re.search(r'in a feed reader: <a href="/feeds/tags/harbour/rss/">RSS</a>', tag_page)


def test_a_merged_contexts_feeds_send_readers_on_to_the_surviving_contexts_feeds(client):
    from taggit.models import Tag

    from newsroom.services import merge_tags

    ArticleFactory(headline="Ferries resume", tags=["China"])
    merge_tags(source=Tag.objects.get(name="China"), target=Tag.objects.create(name="PRC"), by=None)
    for old, new in [
        ("/feeds/tags/china/rss/", "/feeds/tags/prc/rss/"),
        ("/feeds/tags/china/atom/", "/feeds/tags/prc/atom/"),
    ]:
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new)
        assert "Ferries resume" in client.get(new).content.decode()
    assert client.get("/feeds/tags/never-was/rss/").status_code == 404


@pytest.mark.parametrize("url", ["/feeds/latest/rss/", "/feeds/events/atom/", "/feeds/tags/harbour/rss/"])
def test_feed_readers_can_ask_whether_anything_is_new(client, url):
    ArticleFactory(headline="Harbour plan approved", tags=["Harbour"])
    EventFactory(summary="The ferry returns.", tags=["Harbour"])
    first = client.get(url)
    assert first["Cache-Control"].startswith("public, max-age=")
    assert first["ETag"] and first["Last-Modified"]

    unchanged = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304

    ArticleFactory(headline="A newer story", tags=["Harbour"], publish_at=timezone.now() - timedelta(seconds=1))
    EventFactory(summary="A newer event.", tags=["Harbour"], date=timezone.localdate())
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
