"""What a reader sees on the public pages, and what they must never see."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsroom.models import Status
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    EventFactory,
    ImageFactory,
    RelatedLinkFactory,
    SectionFactory,
    SourceFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()
# Noon yesterday: stories published around it share one day page whatever the hour the tests run at.
NOON = (timezone.localtime(NOW) - timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
PUBLICATION_MATRIX = {
    "published": {"status": Status.PUBLISHED, "publish_at": NOON - timedelta(hours=2)},
    "scheduled_due": {"status": Status.SCHEDULED, "publish_at": NOON - timedelta(minutes=5)},
    "scheduled_future": {"status": Status.SCHEDULED, "publish_at": NOW + timedelta(days=2)},
    "draft": {"status": Status.DRAFT, "publish_at": None},
    "in_review": {"status": Status.REVIEW, "publish_at": None},
    "withdrawn": {"status": Status.WITHDRAWN, "publish_at": NOW - timedelta(days=1)},
}
VISIBLE = {"published", "scheduled_due"}


@pytest.mark.parametrize("state", PUBLICATION_MATRIX)
def test_publication_matrix_on_every_public_page(client, state):
    """Only published (or due) stories appear anywhere a reader can look."""
    fields = PUBLICATION_MATRIX[state]
    today = NOON.date()
    section = SectionFactory(name="Harbour desk", slug="harbour-desk")
    author = AuthorFactory(name="Ines Varga", slug="ines-varga")
    # A published neighbour keeps every archive alive, so a hidden story is absent rather than a 404.
    ArticleFactory(
        headline="Neighbour story", section=section, authors=[author], tags=["Matrix context"], publish_at=NOON
    )
    article = ArticleFactory(
        headline=f"Matrix headline {state}", section=section, authors=[author], tags=["Matrix context"], **fields
    )
    event = EventFactory(summary=f"Matrix event {state} happened.", tags=["Matrix context"], date=today, **fields)
    urls = [
        "/",
        "/news/",
        "/tags/matrix-context/",
        section.get_absolute_url(),
        author.get_absolute_url(),
        f"/news/{today:%Y}/{today:%m}/",
        f"/news/{today:%Y}/{today:%m}/{today:%d}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "Neighbour story" in html, url
        shown = f"Matrix headline {state}" in html or f"Matrix event {state}" in html
        assert shown == (state in VISIBLE), url
    for story in (article, event):
        response = client.get(story.get_absolute_url())
        # A withdrawn story was public once: its address answers 410 Gone rather than 404.
        assert response.status_code == (200 if state in VISIBLE else 410 if state == "withdrawn" else 404)


def test_hidden_stories_are_absent_from_lists_and_pages(client):
    section = SectionFactory(slug="world")
    author = AuthorFactory(slug="sam-lee")
    ArticleFactory(headline="Visible story", section=section, authors=[author], tags=["Ports"])
    for state, fields in PUBLICATION_MATRIX.items():
        if state not in VISIBLE:
            ArticleFactory(headline=f"Hidden {state}", section=section, authors=[author], tags=["Ports"], **fields)
    for url in ["/", "/news/", "/tags/ports/", section.get_absolute_url(), author.get_absolute_url()]:
        html = client.get(url).content.decode()
        assert "Visible story" in html, url
        assert "Hidden" not in html, url


def test_day_page_lists_events_by_category_and_articles_with_neighbour_days(client):
    day = date(2012, 4, 23)
    EventFactory(summary="Voters in the north go to the polls.", category="politics", date=day)
    EventFactory(summary="A storm closes the coastal road.", category="disasters", date=day)
    EventFactory(summary="An earlier day had news too.", date=date(2012, 4, 20))
    EventFactory(summary="A later day had news too.", date=date(2012, 5, 2))
    EventFactory(summary="Draft event stays hidden.", date=day, status=Status.DRAFT, publish_at=None)
    response = client.get("/news/2012/04/23/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Politics and elections" in html and "Disasters and accidents" in html
    assert html.index("Disasters and accidents") < html.index("A storm closes the coastal road.")
    assert "Voters in the north go to the polls." in html
    assert "Draft event stays hidden." not in html
    assert 'href="/news/2012/04/20/"' in html
    assert 'href="/news/2012/05/02/"' in html


def test_day_page_for_an_empty_day_says_so_and_links_onwards(client):
    EventFactory(summary="Something happened before.", date=date(2012, 4, 20))
    response = client.get("/news/2012/04/22/")
    assert response.status_code == 200
    assert "Nothing was published on this day." in response.content.decode()
    assert 'href="/news/2012/04/20/"' in response.content.decode()


def test_year_and_month_archives_list_what_was_published(client):
    EventFactory(summary="Spring flood warning issued.", date=date(2012, 4, 23))
    EventFactory(summary="Summer festival opens.", date=date(2012, 7, 1))
    year = client.get("/news/2012/").content.decode()
    assert 'href="/news/2012/04/"' in year and 'href="/news/2012/07/"' in year
    month = client.get("/news/2012/04/").content.decode()
    assert "Spring flood warning issued." in month
    assert "Summer festival opens." not in month
    assert 'href="/news/2012/07/"' in month
    assert client.get("/news/1999/").status_code == 404


@pytest.mark.parametrize(
    ("asked", "canonical"),
    [
        ("/news/2017/6/9/", "/news/2017/06/09/"),
        ("/news/2017/6/", "/news/2017/06/"),
        ("/news/2017/06/9/flood-2017/", "/news/2017/06/09/flood-2017/"),
    ],
)
def test_unpadded_dates_answer_301_to_the_padded_address(client, asked, canonical):
    EventFactory(summary="Flood", slug="flood-2017", date=date(2017, 6, 9))
    response = client.get(asked)
    assert response.status_code == 301
    assert response["Location"] == canonical
    assert client.get(canonical).status_code == 200


@pytest.mark.parametrize("url", ["/news/2017/02/30/", "/news/2017/13/", "/news/2017/00/01/", "/news/2017/02/30/x/"])
def test_impossible_dates_answer_404(client, url):
    assert client.get(url).status_code == 404


def test_unknown_slug_tag_section_and_author_answer_404(client):
    EventFactory(date=date(2017, 6, 9))
    for url in ["/news/2017/06/09/no-such-story/", "/tags/nothing/", "/sections/nowhere/", "/authors/nobody/"]:
        assert client.get(url).status_code == 404, url


def test_old_address_of_a_renamed_story_answers_301(client):
    article = ArticleFactory(headline="First words")
    old_url = article.get_absolute_url()
    article.slug = "second-thoughts"
    article.save()
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_staff_preview_a_draft_marked_noindex_and_uncached(client):
    draft = ArticleFactory(headline="Not out yet", status=Status.DRAFT, publish_at=None)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(StaffFactory())
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not out yet" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "Preview: readers cannot see this story yet" in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"]


def test_article_page_shows_everything_an_article_has(client):
    opinion = SectionFactory(name="Opinion", slug="opinion")
    editorials = SectionFactory(name="Editorials", slug="editorials", parent=opinion)
    ana = AuthorFactory(name="Ana Ruiz", role="Correspondent", email="ana@dateline.example")
    tom = AuthorFactory(name="Tom Okafor", role="Science editor")
    image = ImageFactory(caption="The old ferry terminal", credit="Lia Moreau / Dateline", alt_text="A ferry terminal")
    article = ArticleFactory(
        headline="The ferries deserve a future",
        standfirst="Cutting the night crossing would strand the island.",
        body="<p>First paragraph of the argument.</p>",
        article_type="editorial",
        section=editorials,
        dateline="Port Avel",
        lead_image=image,
        authors=[ana, tom],
        tags=["Ferries", "Island"],
    )
    SourceFactory(story=article, outlet__name="Island Courier", title="Night ferry review")
    target = ArticleFactory(headline="Ferry operator posts loss")
    RelatedLinkFactory(story=article, target=target, order=0)
    RelatedLinkFactory(story=article, url="https://archive.example/ferries", label="Ferry timetable history", order=1)
    translation = ArticleFactory(headline="Les ferries méritent un avenir", language="fr", translation_of=article)

    html = client.get(article.get_absolute_url()).content.decode()
    for text in [
        "The ferries deserve a future",
        "Cutting the night crossing would strand the island.",
        "First paragraph of the argument.",
        "Ana Ruiz",
        "Correspondent",
        "mailto:ana@dateline.example",
        "Science editor",
        "Port Avel",
        "The old ferry terminal",
        "Lia Moreau / Dateline",
        'alt="A ferry terminal"',
        "Island Courier",
        "Night ferry review",
        "Ferry operator posts loss",
        "Ferry timetable history",
        'href="/tags/ferries/"',
        'href="/sections/opinion/"',
        'href="/sections/opinion/editorials/"',
        f'href="{translation.get_absolute_url()}" hreflang="fr"',
        "Français",
    ]:
        assert text in html, text
    assert html.index("Ferry operator posts loss") < html.index("Ferry timetable history")
    back = client.get(translation.get_absolute_url()).content.decode()
    assert f'href="{article.get_absolute_url()}" hreflang="en"' in back
    assert '<html lang="fr">' in back


def test_event_page_shows_numbered_sources_and_related_with_shared_contexts(client):
    event = EventFactory(summary="The <em>assembly</em> passes the water bill.", tags=["Water", "Assembly"])
    SourceFactory(story=event, outlet__name="Valley Post", title="Water bill passes", order=0)
    SourceFactory(story=event, outlet__name="Northern Ledger", title="Assembly vote", order=1)
    EventFactory(summary="A neighbour event about water.", tags=["Water", "Assembly"])
    html = client.get(event.get_absolute_url()).content.decode()
    assert "The <em>assembly</em> passes the water bill." in html
    assert html.index("Valley Post") < html.index("Northern Ledger")
    assert '<ol class="sources__list">' in html
    assert "A neighbour event about water." in html
    assert 'Contexts: <a href="/tags/assembly/">Assembly</a>, <a href="/tags/water/">Water</a>' in html


def test_related_entries_say_what_they_are_and_when(client):
    from datetime import date

    event = EventFactory(summary="The assembly passes the water bill.", tags=["Water"])
    EventFactory(summary="Farmers march on the assembly.", tags=["Water"], date=date(2012, 4, 20))
    ArticleFactory(headline="Why the water bill matters", article_type="analysis", tags=["Water"])
    html = client.get(event.get_absolute_url()).content.decode()
    related = html[html.index('id="related-heading"') :]
    assert '<span class="related__kind">Event</span> · <time datetime="2012-04-20">20 Apr 2012</time>' in related
    assert '<span class="related__kind">Analysis</span>' in related
    assert '<p class="related__contexts">Context: <a href="/tags/water/">Water</a></p>' in related


def test_every_get_absolute_url_answers_200(client):
    parent = SectionFactory(slug="news")
    child = SectionFactory(slug="local", parent=parent)
    author = AuthorFactory()
    article = ArticleFactory(section=child, authors=[author])
    event = EventFactory()
    for obj in (parent, child, author, article, event):
        assert client.get(obj.get_absolute_url()).status_code == 200, obj


def test_section_page_includes_its_subsections_stories(client):
    opinion = SectionFactory(name="Opinion", slug="opinion")
    editorials = SectionFactory(name="Editorials", slug="editorials", parent=opinion)
    ArticleFactory(headline="An editorial on buses", section=editorials)
    ArticleFactory(headline="A column on trains", section=opinion)
    ArticleFactory(headline="Unrelated news", section=SectionFactory(slug="news"))
    html = client.get("/sections/opinion/").content.decode()
    assert "An editorial on buses" in html and "A column on trains" in html
    assert "Unrelated news" not in html
    assert 'href="/sections/opinion/editorials/"' in html


def test_lists_paginate(client, settings):
    for n in range(25):
        ArticleFactory(headline=f"Bulk story {n:02d}", tags=["Bulk"])
    first = client.get("/tags/bulk/").content.decode()
    assert "Page 1 of 2" in first
    second = client.get("/tags/bulk/?page=2").content.decode()
    assert "Bulk story 00" in second and "Bulk story 24" not in second
    assert client.get("/tags/bulk/?page=9").status_code == 404


def test_dates_and_times_are_shown_in_the_newsroom_zone(client, settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    from datetime import datetime
    from zoneinfo import ZoneInfo

    article = ArticleFactory(
        headline="Tokyo late edition", publish_at=datetime(2012, 4, 22, 20, 30, tzinfo=ZoneInfo("UTC"))
    )
    html = client.get("/news/2012/04/23/").content.decode()
    assert "Tokyo late edition" in html
    assert "23 April 2012, 05:30" in client.get(article.get_absolute_url()).content.decode()


def _add_stories(count: int, base: dict) -> None:
    day = timezone.localdate() - timedelta(days=1)
    for n in range(count // 2):
        ArticleFactory(
            section=base["section"], authors=[base["author"]], tags=["Common", f"T{n % 7}"], lead_image=base["image"]
        )
    # Events went out an hour before the articles, so every list opens with articles (and reads their
    # bylines) whatever the time of day; after midnight the articles share the events' day.
    for n in range(count - count // 2):
        event = EventFactory(tags=["Common", f"T{n % 5}"], date=day, publish_at=timezone.now() - timedelta(hours=2))
        SourceFactory(story=event)


def _query_counts(client, base: dict) -> dict[str, int]:
    day = timezone.localdate() - timedelta(days=1)
    urls = {
        "front": "/",
        "latest": "/news/",
        "year": f"/news/{day:%Y}/",
        "month": f"/news/{day:%Y}/{day:%m}/",
        "day": f"/news/{day:%Y}/{day:%m}/{day:%d}/",
        "article": base["article"].get_absolute_url(),
        "event": base["event"].get_absolute_url(),
        "tag": "/tags/common/",
        "section": base["section"].get_absolute_url(),
        "author": base["author"].get_absolute_url(),
    }
    client.get("/")  # the header's section list is cached after the first page
    counts = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[name] = len(queries)
    return counts


def _base_stories() -> dict:
    """A section, an author, an image, and one article and one event sharing the context "Common"."""
    base = {
        "section": SectionFactory(slug="bench"),
        "author": AuthorFactory(slug="bench-author"),
        "image": ImageFactory(),
    }
    base["article"] = ArticleFactory(section=base["section"], authors=[base["author"]], tags=["Common"])
    base["event"] = EventFactory(tags=["Common", "T1"], date=timezone.localdate() - timedelta(days=1))
    return base


def test_public_pages_run_a_constant_number_of_queries(client):
    base = _base_stories()
    SourceFactory(story=base["event"])
    RelatedLinkFactory(story=base["event"], target=base["article"])
    _add_stories(10, base)
    small = _query_counts(client, base)
    _add_stories(190, base)
    large = _query_counts(client, base)
    assert small == large
    assert max(large.values()) <= 10, large


def test_public_pages_never_read_the_search_vector(client):
    base = _base_stories()
    _add_stories(6, base)
    client.get("/")
    for url in ("/", "/news/", base["article"].get_absolute_url(), base["event"].get_absolute_url(), "/tags/common/"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        # Only search reads it, inside the database; pages would carry a copy of every story's words.
        reading = [query["sql"] for query in queries if "search_vector" in query["sql"]]
        assert reading == [], (url, reading)


def test_story_page_offers_a_print_view_that_prints_the_same_story(client):
    article = ArticleFactory(headline="Harbour plan approved", dateline="Port Arlen")
    html = client.get(article.get_absolute_url()).content.decode()
    print_url = article.get_absolute_url() + "print/"
    assert f'<a class="story-tools__print" href="{print_url}" data-print>Print</a>' in html
    assert '<script src="/static/js/print.js" defer></script>' in html
    response = client.get(print_url)
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, follow"
    page = response.content.decode()
    assert "Harbour plan approved" in page
    assert 'href="/static/css/print.css">' in page and "css/site.css" not in page
    assert f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in page


def test_print_view_follows_a_changed_slug_and_an_unpadded_date(client):
    article = ArticleFactory(headline="First headline")
    old = article.get_absolute_url()
    article.slug = "better-headline"
    article.save()
    response = client.get(old + "print/")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url() + "print/"
    unpadded = f"/news/{article.date.year}/{article.date.month}/{article.date.day}/{article.slug}/print/"
    if unpadded != article.get_absolute_url() + "print/":
        assert client.get(unpadded)["Location"] == article.get_absolute_url() + "print/"


def test_dateline_credit_and_sources_read_as_the_editor_wrote_them(client):
    article = ArticleFactory(
        dateline="Port Arlen",
        lead_image=ImageFactory(caption="The quay", credit="Dateline graphics desk", credit_kind="illustration"),
    )
    SourceFactory(story=article, outlet__name="Harbour Gazette", title="", url="https://gazette.example/a")
    SourceFactory(story=article, outlet__name="Valley Post", title="Council backs plan", url="https://valley.example/p")
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<span class="dateline">Port Arlen</span>' in html
    assert (
        '<span class="caption">The quay</span> <span class="credit">Illustration: Dateline graphics desk</span>' in html
    )
    assert (
        '<a class="sources__outlet" href="https://gazette.example/a" rel="noopener nofollow">Harbour Gazette</a>'
        in html
    )
    assert ">https://gazette.example/a<" not in html
    assert (
        'Valley Post</span>: <a href="https://valley.example/p" rel="noopener nofollow">Council backs plan</a>' in html
    )


def test_pictures_offer_avif_then_webp_sized_to_the_column(client):
    from tests.factories import png_upload

    image = ImageFactory(file=png_upload(width=1200, height=600), alt_text="The quay")
    article = ArticleFactory(lead_image=image, tags=["Harbour"])
    html = client.get(article.get_absolute_url()).content.decode()
    picture = html[html.index("<picture") : html.index("</picture>")]
    assert (
        picture.index('<source type="image/avif"') < picture.index('<source type="image/webp"') < picture.index("<img")
    )
    assert "-720w.avif 720w" in picture and "-720w.webp 720w" in picture
    assert 'sizes="(max-width: 960px) calc(100vw - 34px)' in picture
    assert 'alt="The quay"' in picture
    listing = client.get("/tags/harbour/").content.decode()
    assert '<source type="image/avif"' in listing and 'sizes="(max-width: 782px) calc(100vw - 34px), 748px"' in listing
