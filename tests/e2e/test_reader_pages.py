"""A reader in a real browser, at desktop and phone widths."""

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
