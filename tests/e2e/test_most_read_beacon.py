"""A reader's browser counts the read, and refreshes the "most read" box, when an HTTP cache answers the page."""

import time
import urllib.request
from datetime import UTC, datetime

import pytest
from django.core.cache import cache

from newsroom import popularity
from newsroom.models import StoryViewCount
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Headless Chromium names itself "HeadlessChrome", which is rightly not counted: this is what a reader's says.
READER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def views_of(story) -> int:
    return sum(StoryViewCount.objects.filter(story=story).values_list("views", flat=True))


def wait_for_views(story, expected: int, seconds: float = 10) -> int:
    deadline = time.monotonic() + seconds
    while True:
        popularity.flush()
        seen = views_of(story)
        if seen >= expected or time.monotonic() > deadline:
            return seen
        time.sleep(0.2)


def this_hour() -> datetime:
    return datetime.fromtimestamp(time.time() // 3600 * 3600, tz=UTC)


@pytest.fixture
def beacon(settings):
    settings.DATELINE_MOST_READ_COUNTING = "beacon"


def test_a_story_page_kept_by_a_cache_counts_its_read_and_shows_the_current_list(browser, live_server, beacon):
    story = ArticleFactory(headline="Harbour plan approved")
    address = live_server.url + story.get_absolute_url()
    # The page as an HTTP cache would keep it: rendered before anyone had read anything, so no list in it.
    with urllib.request.urlopen(urllib.request.Request(address, headers={"User-Agent": READER})) as kept:
        kept_body, kept_headers = kept.read(), dict(kept.headers.items())
    assert b"Suddenly popular" not in kept_body
    assert popularity.flush() == 0, "in beacon mode the server counts no page it renders"

    # Since then other stories have been read.
    popular = ArticleFactory(headline="Suddenly popular")
    StoryViewCount.objects.create(story=popular, hour=this_hour(), views=40)
    cache.delete(popularity.LIST_KEY)

    context = browser.new_context(user_agent=READER)
    page = context.new_page()
    page.route(address, lambda route: route.fulfill(status=200, headers=kept_headers, body=kept_body))
    page.goto(address)

    box = page.locator("section.most-read")
    box.get_by_role("link", name="Suddenly popular").wait_for()
    assert box.is_visible()
    assert box.get_by_role("link", name="Harbour plan approved").count() == 0, "a story page does not list itself"
    assert wait_for_views(story, 1) == 1
    # Reported once, however long the reader stays.
    page.wait_for_timeout(500)
    assert wait_for_views(story, 2, seconds=1) == 1
    context.close()


def test_a_bot_opening_the_page_is_not_counted(browser, live_server, beacon):
    story = ArticleFactory()
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + story.get_absolute_url())
    page.wait_for_load_state("networkidle")
    assert wait_for_views(story, 1, seconds=1) == 0
    context.close()
