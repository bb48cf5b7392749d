"""A printed story: what ends up on paper, read back from a PDF made by a real browser."""

import re
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from newsroom.models import StoryViewCount
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    EventFactory,
    ImageFactory,
    RelatedLinkFactory,
    SectionFactory,
    SourceFactory,
)
from tests.pages.chromium import with_chromium

SCREEN_ONLY = [
    "Skip to content",
    "Share this story",
    "Share on",
    "Bluesky",
    "WhatsApp",
    "Most read now",
    "Related",
    "A neighbouring story everyone reads",
    "All stories by date",
    "Search",
]


def pdf_text(url, path) -> str:
    def make_pdf(browser):
        page = browser.new_page()
        page.goto(url)
        page.pdf(path=str(path), format="A4")

    with_chromium(make_pdf)
    # NFKC undoes the typographic ligatures (fi, fl) the PDF is set with.
    return unicodedata.normalize("NFKC", "\n".join(p.extract_text() or "" for p in PdfReader(str(path)).pages))


@pytest.fixture
def printed_story(db):
    section = SectionFactory(name="Harbour desk", slug="harbour")
    article = ArticleFactory(
        headline="Harbour plan approved after a two-year argument",
        standfirst="The vote ends a long fight over the waterfront.",
        body="<p>The council voted nine to two on Tuesday evening.</p><p>Dredging begins in spring.</p>",
        publish_at=datetime(2012, 4, 23, 9, 30, tzinfo=ZoneInfo("UTC")),
        slug="harbour-plan",
        section=section,
        dateline="Port Arlen",
        authors=[AuthorFactory(name="Ana Ruiz", role="Harbour correspondent")],
        lead_image=ImageFactory(caption="The old quay at low tide", credit="Lia Moreau / Dateline"),
        tags=["Waterfront"],
    )
    SourceFactory(story=article, outlet__name="Valley Post", title="Council backs plan", url="https://valley.example/p")
    neighbour = ArticleFactory(headline="A neighbouring story everyone reads", tags=["Waterfront"], section=section)
    RelatedLinkFactory(story=article, target=neighbour)
    StoryViewCount.objects.create(story=neighbour, hour=neighbour.publish_at.replace(minute=0, second=0), views=9)
    event = EventFactory(
        summary="The assembly passes the <em>water bill</em> after a late vote.",
        date=datetime(2012, 4, 23).date(),
        slug="water-bill",
        tags=["Waterfront"],
    )
    SourceFactory(story=event, outlet__name="Northern Ledger", title="Water bill", url="https://ledger.example/w")
    return {"article": article, "event": event}


pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_printed_article_has_the_story_its_sources_and_address_but_nothing_for_the_screen(
    live_server, printed_story, tmp_path
):
    url = live_server.url + printed_story["article"].get_absolute_url()
    text = pdf_text(url, tmp_path / "article.pdf")
    flat = " ".join(text.split())
    for expected in [
        "Harbour plan approved after a two-year argument",
        "The vote ends a long fight over the waterfront.",
        "By Ana Ruiz",
        # As the editor typed it: capitals are the stylesheet's business, not the text's.
        "Port Arlen",
        "23 April 2012",
        "The council voted nine to two on Tuesday evening.",
        "Dredging begins in spring.",
        "The old quay at low tide",
        "SOURCES",
        "Valley Post",
        "Council backs plan",
    ]:
        assert expected in flat, expected
    squeezed = re.sub(r"\s+", "", text)
    assert url in squeezed, "the printed page must carry the story's address"
    assert "https://valley.example/p" in squeezed, "a printed source shows where it lives"
    for unwanted in SCREEN_ONLY:
        assert unwanted not in flat, unwanted


def test_printed_event_has_its_summary_date_sources_and_address(live_server, printed_story, tmp_path):
    url = live_server.url + printed_story["event"].get_absolute_url()
    text = pdf_text(url, tmp_path / "event.pdf")
    flat = " ".join(text.split())
    for expected in ["The assembly passes the water bill after a late vote.", "23 April 2012", "Northern Ledger"]:
        assert expected in flat, expected
    assert url in re.sub(r"\s+", "", text)
    for unwanted in SCREEN_ONLY:
        assert unwanted not in flat, unwanted


def test_printed_story_shows_each_address_once(live_server, db, tmp_path):
    article = ArticleFactory(
        headline="Ferry timetable changes",
        body=(
            '<p>Read the <a href="https://ferries.example/timetable">new timetable</a> or the notice at '
            '<a href="https://ferries.example/notice">https://ferries.example/notice</a>.</p>'
        ),
        lead_image=ImageFactory(caption="The ferry at dawn", credit="Lia Moreau", credit_kind="photo"),
    )
    SourceFactory(story=article, outlet__name="Harbour Gazette", title="", url="https://gazette.example/ferry")
    text = pdf_text(live_server.url + article.get_absolute_url(), tmp_path / "ferry.pdf")
    squeezed = re.sub(r"\s+", "", text)
    for address in [
        "https://ferries.example/timetable",
        "https://ferries.example/notice",
        "https://gazette.example/ferry",
    ]:
        assert squeezed.count(address) == 1, address
    flat = " ".join(text.split())
    assert "Harbour Gazette" in flat
    assert "Photo: Lia Moreau" in flat


def test_print_view_prints_like_the_story_and_says_how_to_print(live_server, printed_story, tmp_path):
    url = live_server.url + printed_story["article"].get_absolute_url() + "print/"
    text = pdf_text(url, tmp_path / "print-view.pdf")
    flat = " ".join(text.split())
    assert "Harbour plan approved after a two-year argument" in flat
    assert "Dredging begins in spring." in flat
    assert "laid out for paper" not in flat
    for unwanted in SCREEN_ONLY:
        assert unwanted not in flat, unwanted
