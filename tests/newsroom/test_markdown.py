"""The Markdown twins of story and day pages, and what an editor's text can and cannot do in them."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from newsroom import markdown
from newsroom.models import Status
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    EventFactory,
    RelatedLinkFactory,
    SourceFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def water_bill():
    """An event with two sources, an editor's link and three automatic relations, built by hand."""
    event = EventFactory(
        summary=(
            'The <em>assembly</em> passes the <a href="https://water.example/bill">water bill</a> after a [late] vote.'
        ),
        category="politics",
        date=date(2012, 4, 23),
        slug="assembly-passes-water-bill",
        tags=["Water", "Assembly"],
    )
    SourceFactory(story=event, outlet__name="Valley Post", url="https://valley.example/water", order=0)
    SourceFactory(story=event, outlet__name="Le Courrier d'Évreux", url="https://courrier.example/eau", order=1)
    analysis = ArticleFactory(
        headline="Why the water bill matters",
        publish_at=datetime(2012, 4, 21, 9, 0, tzinfo=ZoneInfo("UTC")),
        tags=["Water"],
    )
    RelatedLinkFactory(story=event, target=analysis, order=0)
    EventFactory(summary="Farmers protest the water bill.", date=date(2012, 4, 20), tags=["Water", "Assembly"])
    EventFactory(summary="Éboulement à Saint-Médard.", date=date(2012, 4, 22), tags=["Water"])
    EventFactory(summary="Assembly elects a speaker.", date=date(2012, 3, 1), tags=["Assembly"])
    EventFactory(summary="A draft about water.", date=date(2012, 4, 23), tags=["Water"], status=Status.DRAFT)
    return event


EXPECTED_EVENT = """\
### [2012-04-23](/news/2012/04/23/index.md)

# The *assembly* passes the [water bill](https://water.example/bill) after a \\[late\\] vote.

### Source:

1. [Valley Post](https://valley.example/water)
2. [Le Courrier d'Évreux](https://courrier.example/eau)

### Related:

1. [Why the water bill matters](/news/2012/04/21/why-the-water-bill-matters.md) _Context: Water_
2. [Farmers protest the water bill.](/news/2012/04/20/farmers-protest-the-water-bill.md) _Context: Assembly, Water_
3. [Éboulement à Saint-Médard.](/news/2012/04/22/eboulement-a-saint-medard.md) _Context: Water_
4. [Assembly elects a speaker.](/news/2012/03/01/assembly-elects-a-speaker.md) _Context: Assembly_
"""


def test_event_markdown_matches_the_archive_format_line_for_line(client, water_bill):
    response = client.get("/news/2012/04/23/assembly-passes-water-bill.md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Link"] == '<http://testserver/news/2012/04/23/assembly-passes-water-bill/>; rel="canonical"'
    assert response.content.decode().splitlines() == EXPECTED_EVENT.splitlines()
    assert response.content.decode() == EXPECTED_EVENT


def test_markdown_related_list_is_the_html_pages_related_list(client, water_bill):
    html = client.get(water_bill.get_absolute_url()).content.decode()
    related_html = html.split('class="related__list"')[1].split("</ol>")[0]
    html_targets = re.findall(r'<a class="related__title" href="(/news/[^"]+/)">', related_html)
    text = client.get("/news/2012/04/23/assembly-passes-water-bill.md").content.decode()
    md_targets = re.findall(r"\]\((/news/[^)]+)\.md\)", text.split("### Related:")[1])
    assert [url.rstrip("/") for url in html_targets] == md_targets


def test_editor_text_cannot_inject_markdown(client):
    EventFactory(
        summary=(
            "# Not a heading ![pixel](https://t.example/p.gif) [fake](https://evil.example) "
            '<a href="javascript:alert(1)">click</a> <script>alert(2)</script> 1. _x_ `y` &lt;b&gt; | a |'
        ),
        date=date(2012, 4, 23),
        slug="tricky",
    )
    text = client.get("/news/2012/04/23/tricky.md").content.decode()
    heading = text.splitlines()[2]
    assert heading == (
        "# \\# Not a heading !\\[pixel\\](https://t.example/p.gif) \\[fake\\](https://evil.example) "
        "click 1. \\_x\\_ \\`y\\` \\<b\\> \\| a \\|"
    )
    assert "javascript" not in text and "alert" not in text


def test_outside_related_links_and_odd_urls_keep_their_destination_intact(client):
    event = EventFactory(summary="Bridge reopens.", date=date(2012, 4, 23), slug="bridge")
    SourceFactory(story=event, outlet__name="Paper [Weekly]", url="https://paper.example/a (b)?x=1&y=2")
    RelatedLinkFactory(story=event, url="https://archive.example/bridges", label="Bridge history *1990*", order=0)
    text = client.get("/news/2012/04/23/bridge.md").content.decode()
    assert "1. [Paper \\[Weekly\\]](https://paper.example/a%20\\(b\\)?x=1&y=2)" in text
    assert "1. [Bridge history \\*1990\\*](https://archive.example/bridges)" in text


def test_article_twin_has_headline_standfirst_byline_and_body(client):
    article = ArticleFactory(
        headline="Harbour plan approved",
        standfirst="The vote ends a two-year argument.",
        body=(
            "<p>The council voted <strong>9 to 2</strong> on Tuesday.</p><h2>What next</h2>"
            "<ul><li>Dredging in spring</li><li>New quay in 2014</li></ul>"
            "<blockquote><p>It is a good day.</p></blockquote>"
            "<p>See <a href='https://council.example/'>the minutes</a>.</p>"
        ),
        article_type="analysis",
        dateline="Port Arlen",
        publish_at=datetime(2012, 4, 23, 9, 0, tzinfo=ZoneInfo("UTC")),
        slug="harbour-plan",
        authors=[AuthorFactory(name="Ana Ruiz"), AuthorFactory(name="Tom Okafor")],
    )
    SourceFactory(story=article, outlet__name="Valley Post", url="https://valley.example/plan")
    response = client.get("/news/2012/04/23/harbour-plan.md")
    assert response.status_code == 200
    assert response.content.decode() == (
        "### [2012-04-23](/news/2012/04/23/index.md)\n\n"
        "# Harbour plan approved\n\n"
        "*Analysis*\n\n"
        "The vote ends a two-year argument.\n\n"
        "*By Ana Ruiz and Tom Okafor, PORT ARLEN*\n\n"
        "The council voted **9 to 2** on Tuesday.\n\n"
        "## What next\n\n"
        "- Dredging in spring\n- New quay in 2014\n\n"
        "> It is a good day.\n\n"
        "See [the minutes](https://council.example/).\n\n"
        "### Source:\n\n"
        "1. [Valley Post](https://valley.example/plan)\n"
    )
    assert article.get_absolute_url() == "/news/2012/04/23/harbour-plan/"


def test_day_index_lists_events_by_category_then_articles_each_linking_to_its_file(client, water_bill):
    EventFactory(summary="A storm closes the coast road.", category="disasters", date=date(2012, 4, 23), slug="storm")
    ArticleFactory(
        headline="Council approves the budget",
        publish_at=datetime(2012, 4, 23, 12, 0, tzinfo=ZoneInfo("UTC")),
        slug="budget",
        authors=[AuthorFactory(name="Ana Ruiz")],
    )
    response = client.get("/news/2012/04/23/index.md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.content.decode() == (
        "# 2012-04-23\n\n"
        "Monday 23 April 2012\n\n"
        "## Events\n\n"
        "### Disasters and accidents\n\n"
        "- A storm closes the coast road. ([details](/news/2012/04/23/storm.md))\n\n"
        "### Politics and elections\n\n"
        "- The *assembly* passes the [water bill](https://water.example/bill) after a \\[late\\] vote. "
        "([details](/news/2012/04/23/assembly-passes-water-bill.md))\n\n"
        "## Articles\n\n"
        "- [Council approves the budget](/news/2012/04/23/budget.md), by Ana Ruiz\n\n"
        "Previous day: [2012-04-22](/news/2012/04/22/index.md)\n"
    )


def test_unpublished_stories_and_empty_days_answer_404(client):
    draft = EventFactory(summary="Draft.", date=date(2012, 4, 23), slug="draft", status=Status.DRAFT, publish_at=None)
    scheduled = ArticleFactory(status=Status.SCHEDULED, publish_at=datetime(2099, 1, 1, tzinfo=ZoneInfo("UTC")))
    client.force_login(StaffFactory())
    assert client.get("/news/2012/04/23/draft.md").status_code == 404
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert client.get(scheduled.get_absolute_url().rstrip("/") + ".md").status_code == 404
    assert client.get("/news/2012/04/23/index.md").status_code == 404
    assert client.get("/news/2099/01/01/index.md").status_code == 404


def test_unpadded_dates_answer_301_and_impossible_dates_404(client):
    EventFactory(summary="Flood.", date=date(2017, 6, 9), slug="flood")
    response = client.get("/news/2017/6/9/flood.md")
    assert response.status_code == 301 and response["Location"] == "/news/2017/06/09/flood.md"
    response = client.get("/news/2017/6/09/index.md")
    assert response.status_code == 301 and response["Location"] == "/news/2017/06/09/index.md"
    assert client.get("/news/2017/02/30/index.md").status_code == 404
    assert client.get("/news/2017/02/30/flood.md").status_code == 404


def test_markdown_pages_run_a_constant_number_of_queries(client, django_assert_max_num_queries, water_bill):
    for n in range(30):
        EventFactory(summary=f"More water news {n}.", date=date(2012, 4, 23), tags=["Water"])
    with django_assert_max_num_queries(9):
        assert client.get("/news/2012/04/23/assembly-passes-water-bill.md").status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get("/news/2012/04/23/index.md").status_code == 200


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("plain words", "plain words"),
        ("<strong>bold</strong> and <b>b</b>, <em>em</em> and <i>i</i>", "**bold** and **b**, *em* and *i*"),
        ("<em> spaced </em>end", " *spaced* end"),
        ('<a href="/news/2012/04/23/x/">inside</a>', "[inside](/news/2012/04/23/x/)"),
        ('<a href="mailto:desk@example.org">mail</a>', "[mail](mailto:desk@example.org)"),
        ('<a href="ftp://x.example/">ftp</a>', "ftp"),
        ("Wow!<a href='/x'>y</a>", "Wow\\![y](/x)"),
        ("1. first", "1\\. first"),
        ("- dash", "\\- dash"),
        ("+ plus", "\\+ plus"),
        ("> quote", "\\> quote"),
        ("a &amp; b", "a \\& b"),
    ],
)
def test_inline_html_conversion(html, expected):
    assert markdown.inline_html(html) == expected.strip()


def test_a_story_slugged_index_keeps_its_html_address_in_links():
    story = EventFactory.build(slug="index", date=date(2012, 4, 23))
    assert markdown.story_url(story) == "/news/2012/04/23/index/"


HOSTILE_SUMMARIES = [
    "# Heading? ## no\n\n- list\n1. list\n> quote\n---\n=== ",
    "![img](https://t.example/p.gif) [link](https://evil.example) <https://auto.example> [ref]: https://x.example",
    "*star* _under_ **bold** `code` ~~strike~~ | table | \\backslash\\ &amp;copy; &lt;b&gt;hi&lt;/b&gt;",
    'Wow!<a href="https://ok.example/a_(b)">ok [1]</a>! <em>*nested*</em> <strong> spaced </strong>.',
    "1) one 2. two    <br> + plus <br>- dash <br>#hash",
]


@pytest.mark.parametrize("summary", HOSTILE_SUMMARIES)
def test_summary_round_trips_through_a_commonmark_renderer(summary):
    """Rendered back to HTML, the Markdown says exactly what the page says, with only the editor's links."""
    from html.parser import HTMLParser

    from markdown_it import MarkdownIt

    from newsroom.sanitize import clean_inline, plain_text

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.tags, self.hrefs, self.text = [], [], []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)
            if tag == "a":
                self.hrefs.append(dict(attrs)["href"])

        def handle_data(self, data):
            self.text.append(data)

    cleaned = clean_inline(summary)
    rendered = MarkdownIt("commonmark").renderInline(markdown.inline_html(cleaned))
    got, wanted = Reader(), Reader()
    got.feed(rendered)
    wanted.feed(cleaned)
    assert set(got.tags) <= {"a", "em", "strong"}
    assert got.hrefs == wanted.hrefs
    assert " ".join("".join(got.text).split()) == plain_text(cleaned)


def test_day_page_links_to_its_markdown_twin_when_it_has_stories(client):
    EventFactory(summary="Flood.", date=date(2017, 6, 9), slug="flood")
    html = client.get("/news/2017/06/09/").content.decode()
    assert '<link rel="alternate" type="text/markdown" href="/news/2017/06/09/index.md"' in html
    assert "text/markdown" not in client.get("/news/2017/06/10/").content.decode()
