"""A reader in a real browser, at desktop and phone widths."""

from datetime import timedelta

import pytest

from tests.e2e.conftest import VIEWPORTS, screenshot
from tests.factories import ArticleFactory, AuthorFactory, EventFactory, ImageFactory, SectionFactory, SourceFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def newsroom(db):
    section = SectionFactory(name="Harbour", slug="harbour")
    author = AuthorFactory(name="Ana Ruiz")
    article = ArticleFactory(
        headline="Harbour plan approved after a two-year argument",
        section=section,
        authors=[author],
        tags=["Waterfront"],
        lead_image=ImageFactory(),
    )
    event = EventFactory(summary="The port reopens its <em>north</em> berth after repairs.", tags=["Waterfront"])
    SourceFactory(story=event, outlet__name="Valley Post", title="North berth reopens")
    return {"article": article, "event": event}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_reader_goes_from_front_page_to_an_event_and_its_related_story(live_server, page_at, newsroom, viewport):
    page = page_at(viewport)
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name="Current events").is_visible()
    screenshot(page, f"front-{viewport}")
    page.get_by_role("link", name="More").first.click()
    assert page.get_by_role("heading", name="Sources").is_visible()
    assert page.get_by_text("Valley Post").is_visible()
    screenshot(page, f"event-{viewport}")
    page.get_by_role("link", name="Harbour plan approved after a two-year argument").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Harbour plan approved after a two-year argument"
    screenshot(page, f"article-{viewport}")
    # Nothing may force a phone reader to scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]


def test_pages_work_without_javascript(browser, live_server, newsroom):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + newsroom["article"].get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text() == "Harbour plan approved after a two-year argument"
    page.get_by_role("navigation", name="Contexts").get_by_role("link", name="Waterfront").click()
    assert page.get_by_text("The port reopens its north berth after repairs.").is_visible()
    context.close()


def _box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_desktop_story_page_uses_the_width_with_a_sidebar(live_server, page_at, newsroom):
    page = page_at("desktop")
    page.goto(live_server.url + newsroom["article"].get_absolute_url())
    story, aside = _box(page, "article.story"), _box(page, ".story-aside")
    # The sidebar sits beside the story, and together they fill the page instead of hugging its left edge.
    assert aside["x"] > story["x"] + story["width"]
    assert abs(story["x"] - (1280 - (aside["x"] + aside["width"]))) < 40
    assert page.locator(".story-aside").get_by_role("heading", name="Related").is_visible()
    # The breadcrumb has room below the masthead's rule.
    assert _box(page, ".breadcrumbs")["y"] - (_box(page, ".masthead")["y"] + _box(page, ".masthead")["height"]) >= 16


def test_phone_story_page_puts_the_sidebar_under_the_story(live_server, page_at, newsroom):
    page = page_at("phone")
    page.goto(live_server.url + newsroom["article"].get_absolute_url())
    story, aside = _box(page, "article.story"), _box(page, ".story-aside")
    assert aside["y"] >= story["y"] + story["height"]
    assert _box(page, "#comments")["y"] >= aside["y"] + aside["height"]


def test_day_page_is_centred_and_its_day_links_clear_the_footer(live_server, page_at, newsroom):
    page = page_at("desktop")
    event = newsroom["event"]
    EventFactory(date=event.date - timedelta(days=1), summary="An earlier day.")
    page.goto(live_server.url + f"/news/{event.date:%Y/%m/%d}/")
    heading = _box(page, "main h1")
    main = _box(page, "main")
    assert abs(main["x"] - (1280 - (main["x"] + main["width"]))) < 2
    assert heading["x"] > 150
    pager = _box(page, ".pager")
    assert _box(page, ".site-footer")["y"] - (pager["y"] + pager["height"]) >= 16


@pytest.mark.parametrize(
    ("viewport", "density", "expected"), [("phone", 2, "-720w.avif"), ("desktop", 1, "-960w.avif")]
)
def test_a_reader_downloads_the_picture_at_the_size_it_is_shown(browser, live_server, db, viewport, density, expected):
    from tests.factories import png_upload

    article = ArticleFactory(headline="Boats return", lead_image=ImageFactory(file=png_upload(width=2000, height=1000)))
    context = browser.new_context(viewport=VIEWPORTS[viewport], device_scale_factor=density)
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    image = page.locator(".story__image img")
    image.evaluate("img => img.decode()")
    assert image.evaluate("img => img.currentSrc").endswith(expected)
    context.close()
