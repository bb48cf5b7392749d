"""What search engines, link previews and share buttons read from a story page."""

import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from newsroom.models import Status
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    EventFactory,
    ImageFactory,
    SectionFactory,
    SourceFactory,
    StaffFactory,
    png_upload,
)

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


class HeadReader(HTMLParser):
    """Collects meta properties, link alternates and JSON-LD scripts the way a crawler would."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta: list[tuple[str, str]] = []
        self.links: list[dict] = []
        self.jsonld: list[str] = []
        self.share: list[dict] = []
        self._script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta.append((attrs.get("property") or attrs.get("name"), attrs.get("content", "")))
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._script = []
        elif tag == "a" and "share__link" in (attrs.get("class") or ""):
            self.share.append(attrs)

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.jsonld.append("".join(self._script))
            self._script = None

    def first(self, name):
        return next((value for key, value in self.meta if key == name), None)

    def all(self, name):
        return [value for key, value in self.meta if key == name]


def read(client, url) -> tuple[HeadReader, str]:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    reader = HeadReader()
    reader.feed(html)
    return reader, html


def wide_image():
    return ImageFactory(file=png_upload(width=2000, height=1000), caption="Ferries at the quay", alt_text="Two ferries")


def test_news_article_carries_newsarticle_json_ld_with_everything_a_crawler_needs(client, settings):
    settings.DATELINE_SITE_NAME = "The Harbour Times"
    ana = AuthorFactory(name="Ana Ruiz", slug="ana-ruiz")
    tom = AuthorFactory(name="Tom Okafor", slug="tom-okafor")
    article = ArticleFactory(
        headline="Council approves the harbour plan",
        standfirst="The vote ends a two-year argument.",
        section=SectionFactory(name="Local", slug="local"),
        authors=[ana, tom],
        tags=["Harbour", "Council"],
        lead_image=wide_image(),
    )
    SourceFactory(story=article, outlet__name="Valley Post", title="Plan passes", url="https://valley.example/plan")
    reader, _ = read(client, article.get_absolute_url())

    assert len(reader.jsonld) == 1
    data = json.loads(reader.jsonld[0])
    url = BASE + article.get_absolute_url()
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Council approves the harbour plan"
    assert data["description"] == "The vote ends a two-year argument."
    assert data["author"] == [
        {"@type": "Person", "name": "Ana Ruiz", "url": f"{BASE}/authors/ana-ruiz/"},
        {"@type": "Person", "name": "Tom Okafor", "url": f"{BASE}/authors/tom-okafor/"},
    ]
    assert data["datePublished"] == article.publish_at.isoformat()
    assert data["dateModified"] >= data["datePublished"]
    assert data["image"]["url"].startswith(f"{BASE}/media/renditions/")
    assert data["image"]["url"].endswith("-1600w.webp")
    assert (data["image"]["width"], data["image"]["height"]) == (1600, 800)
    assert data["publisher"] == {"@type": "Organization", "name": "The Harbour Times", "url": f"{BASE}/"}
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["inLanguage"] == "en"
    assert data["articleSection"] == "Local"
    assert sorted(data["keywords"]) == ["Council", "Harbour"]
    assert data["citation"][0]["url"] == "https://valley.example/plan"
    assert data["citation"][0]["publisher"]["name"] == "Valley Post"


@pytest.mark.parametrize(
    ("article_type", "schema_type"),
    [
        ("news", "NewsArticle"),
        ("editorial", "OpinionNewsArticle"),
        ("opinion", "OpinionNewsArticle"),
        ("analysis", "AnalysisNewsArticle"),
    ],
)
def test_json_ld_type_follows_the_kind_of_article(client, article_type, schema_type):
    article = ArticleFactory(article_type=article_type)
    reader, _ = read(client, article.get_absolute_url())
    assert json.loads(reader.jsonld[0])["@type"] == schema_type


@pytest.mark.parametrize(
    "headline",
    [
        "Breaking </script><script>alert(1)</script>",
        "Comment <!-- <script> opens here",
        'Quotes " and \\ backslashes & ampersands </SCRIPT >',
    ],
)
def test_a_headline_cannot_break_out_of_the_json_ld_script(client, headline):
    article = ArticleFactory(headline=headline, standfirst=headline)
    reader, html = read(client, article.get_absolute_url())
    assert "<script>alert(1)" not in html
    assert "<!-- <script>" not in html
    # One structured-data script; any other script is the site's own file, never inline text.
    assert len(reader.jsonld) == 1
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE):
        assert 'type="application/ld+json"' in tag or 'src="/static/' in tag, tag
    assert json.loads(reader.jsonld[0])["headline"] == headline


def test_event_is_described_as_a_news_report_dated_to_its_day(client):
    event = EventFactory(summary="The <em>assembly</em> passes the water bill.", category="politics", tags=["Water"])
    SourceFactory(story=event, outlet__name="Valley Post", url="https://valley.example/water")
    reader, _ = read(client, event.get_absolute_url())
    data = json.loads(reader.jsonld[0])
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "The assembly passes the water bill."
    assert data["contentReferenceTime"] == event.date.isoformat()
    assert data["articleSection"] == "Politics and elections"
    assert data["keywords"] == ["Water"]
    assert data["citation"][0]["url"] == "https://valley.example/water"
    assert data["mainEntityOfPage"]["@id"] == BASE + event.get_absolute_url()


def test_article_page_has_open_graph_and_twitter_card(client):
    article = ArticleFactory(
        headline="Ferries return to the night crossing",
        standfirst="Two boats, four sailings.",
        section=SectionFactory(name="Transport", slug="transport"),
        authors=[AuthorFactory(slug="lia")],
        tags=["Ferries", "Island"],
        lead_image=wide_image(),
    )
    reader, _ = read(client, article.get_absolute_url())
    assert reader.first("og:type") == "article"
    assert reader.first("og:title") == "Ferries return to the night crossing"
    assert reader.first("og:description") == "Two boats, four sailings."
    assert reader.first("og:url") == BASE + article.get_absolute_url()
    assert reader.first("og:site_name") == "Dateline"
    assert reader.first("og:image").startswith(f"{BASE}/media/renditions/")
    assert (reader.first("og:image:width"), reader.first("og:image:height")) == ("1600", "800")
    assert reader.first("og:image:alt") == "Two ferries"
    assert reader.first("article:published_time") == article.publish_at.isoformat()
    assert reader.first("article:modified_time")
    assert reader.first("article:section") == "Transport"
    assert sorted(reader.all("article:tag")) == ["Ferries", "Island"]
    assert reader.first("article:author") == f"{BASE}/authors/lia/"
    assert reader.first("twitter:card") == "summary_large_image"


def test_event_without_picture_gets_a_summary_card(client):
    event = EventFactory(summary="A storm closes the coast road.", category="disasters")
    reader, _ = read(client, event.get_absolute_url())
    assert reader.first("og:title") == "A storm closes the coast road."
    assert reader.first("article:section") == "Disasters and accidents"
    assert reader.first("og:image") is None
    assert reader.first("twitter:card") == "summary"


def test_translations_point_at_each_other_with_hreflang_and_x_default(client):
    original = ArticleFactory(headline="The ferries deserve a future", language="en")
    french = ArticleFactory(headline="Les ferries méritent un avenir", language="fr", translation_of=original)
    spanish = ArticleFactory(headline="Los transbordadores", language="es", translation_of=original)
    expected = {
        "en": BASE + original.get_absolute_url(),
        "es": BASE + spanish.get_absolute_url(),
        "fr": BASE + french.get_absolute_url(),
        "x-default": BASE + original.get_absolute_url(),
    }
    for article in (original, french, spanish):
        reader, _ = read(client, article.get_absolute_url())
        alternates = {link["hreflang"]: link["href"] for link in reader.links if link.get("hreflang")}
        assert alternates == expected, article.language
    data = json.loads(read(client, french.get_absolute_url())[0].jsonld[0])
    assert data["inLanguage"] == "fr"
    assert data["translationOfWork"]["url"] == expected["en"]


def test_an_article_without_translations_has_no_hreflang_links(client):
    reader, _ = read(client, ArticleFactory().get_absolute_url())
    assert not [link for link in reader.links if link.get("hreflang")]


def test_unpublished_translations_are_not_announced(client):
    original = ArticleFactory(language="en")
    ArticleFactory(language="fr", translation_of=original, status=Status.DRAFT, publish_at=None)
    reader, _ = read(client, original.get_absolute_url())
    assert not [link for link in reader.links if link.get("hreflang")]


def test_story_pages_link_to_their_markdown_twin(client):
    event = EventFactory(slug="storm-closes-road")
    reader, _ = read(client, event.get_absolute_url())
    twin = [link for link in reader.links if link.get("type") == "text/markdown"]
    assert twin[0]["href"] == event.get_absolute_url().rstrip("/") + ".md"


def test_share_links_are_plain_links_to_the_canonical_address(client):
    article = ArticleFactory(headline="Harbour & quay: what changes?")
    reader, html = read(client, article.get_absolute_url())
    url = BASE + article.get_absolute_url()
    by_name = {}
    for attrs in reader.share:
        assert attrs["rel"] == "noopener noreferrer"
        by_name[urlsplit(attrs["href"]).scheme + ":" + urlsplit(attrs["href"]).netloc] = attrs["href"]
    mail = by_name["mailto:"]
    query = parse_qs(urlsplit(mail).query)
    assert query["subject"] == ["Harbour & quay: what changes?"]
    assert url in query["body"][0]
    facebook = parse_qs(urlsplit(by_name["https:www.facebook.com"]).query)
    assert facebook["u"] == [url]
    assert parse_qs(urlsplit(by_name["https:bsky.app"]).query)["text"] == [f"Harbour & quay: what changes? {url}"]
    assert {"https:x.com", "https:www.linkedin.com", "https:www.reddit.com", "https:wa.me"} <= set(by_name)
    # Every link names what it does for a screen reader, and nothing is loaded from the networks.
    for label in ("Share by Email", "Share on Facebook", "Share on Bluesky", "Share on X"):
        assert label in re.sub(r"<[^>]+>", "", html)
    share_block = html.split('class="share"')[1].split("</section>")[0]
    assert "<img" not in share_block and "<script" not in share_block


def test_event_page_has_share_links_too(client):
    event = EventFactory(summary="A storm closes the coast road.")
    reader, _ = read(client, event.get_absolute_url())
    assert len(reader.share) == 7


def test_staff_preview_still_renders_metadata_without_a_markdown_twin(client):
    draft = ArticleFactory(headline="Not out yet", status=Status.DRAFT, publish_at=None)
    client.force_login(StaffFactory())
    reader, _ = read(client, draft.get_absolute_url())
    data = json.loads(reader.jsonld[0])
    assert data["headline"] == "Not out yet"
    assert "datePublished" not in data
    assert not [link for link in reader.links if link.get("type") == "text/markdown"]


@pytest.mark.parametrize(
    "title",
    ["Harbour & quay: what changes?", "Côte d'Ivoire: 50% + 1 = #win", "Ward 7/8 “votes” ?a=b&c", "Ümlaut\tand ⚓"],
)
def test_each_share_link_carries_the_title_and_address_exactly_as_a_form_would_send_them(title):
    from urllib.parse import parse_qs, quote, urlencode, urlsplit

    from newsroom.templatetags.reader import share_links_for

    url = "https://news.example/news/2012/04/23/a-story/?x=1&y=é"
    links = {urlsplit(link["href"]).netloc or "mail": link["href"] for link in share_links_for(title, url)}
    fields = {where: parse_qs(urlsplit(href).query, keep_blank_values=True) for where, href in links.items()}
    assert fields["mail"] == {"subject": [title], "body": [f"{title}\n\n{url}"]}
    assert fields["bsky.app"] == {"text": [f"{title} {url}"]}
    assert fields["www.facebook.com"] == {"u": [url]}
    assert fields["www.linkedin.com"] == {"url": [url]}
    assert fields["www.reddit.com"] == {"url": [url], "title": [title]}
    assert fields["wa.me"] == {"text": [f"{title} {url}"]}
    assert fields["x.com"] == {"text": [title], "url": [url]}
    # Written as the standard library writes a query: the addresses do not change for readers' bookmarks.
    assert links["x.com"] == "https://x.com/intent/post?" + urlencode({"text": title, "url": url})
    assert links["mail"] == "mailto:?" + urlencode({"subject": title, "body": f"{title}\n\n{url}"}, quote_via=quote)
