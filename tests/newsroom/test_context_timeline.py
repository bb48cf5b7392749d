"""A context's page as a timeline: years (months in busy years) with counts, newest first, with a jump list."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsroom.threads import BUSY_YEAR
from tests.factories import ArticleFactory, EventFactory

pytestmark = pytest.mark.django_db


def story_on(day: datetime, tag: str = "Harbour", **kwargs):
    moment = timezone.make_aware(day)
    return ArticleFactory(publish_at=moment, tags=[tag], **kwargs)


def headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).split()[0] for h in re.findall(r'<h2 class="timeline__heading".*?</h2>', html)]


def test_stories_are_grouped_by_year_with_counts_newest_first(client):
    story_on(datetime(2024, 3, 1, 9))
    story_on(datetime(2024, 1, 5, 9))
    story_on(datetime(2019, 7, 1, 9))
    story_on(datetime(2019, 6, 1, 9), tag="Elsewhere")
    html = client.get("/tags/harbour/").content.decode()
    assert headings(html) == ["2024", "2019"]
    assert 'id="year-2024">2024 <span class="timeline__count">2 stories</span>' in html
    assert 'id="year-2019">2019 <span class="timeline__count">1 story</span>' in html
    jump = html.split('aria-label="Years"')[1].split("</nav>")[0]
    assert '<a href="#year-2024">2024</a> <span class="timeline-years__count">2</span>' in jump
    assert '<a href="#year-2019">2019</a>' in jump


def test_a_busy_year_is_split_into_months_with_their_counts(client):
    for n in range(BUSY_YEAR + 1):
        story_on(datetime(2023, 5 if n % 2 else 4, 1 + n % 28, 9))
    story_on(datetime(2021, 2, 2, 9))
    html = client.get("/tags/harbour/").content.decode()
    assert "51 stories" in html
    assert '<h3 class="timeline__month">May 2023 <span class="timeline__count">25</span></h3>' in html
    # The first page holds 20 of May's 25 stories; April starts on a later page.
    assert "April 2023" not in html
    page2 = client.get("/tags/harbour/?page=2").content.decode()
    assert (
        '<h2 class="timeline__heading" id="year-2023">2023 <span class="timeline__count">51 stories, continued' in page2
    )
    assert '<h3 class="timeline__month">May 2023 <span class="timeline__count">25, continued</span></h3>' in page2
    assert '<h3 class="timeline__month">April 2023 <span class="timeline__count">26</span></h3>' in page2
    # The jump list sends a reader to the page where 2021 begins: after 51 stories, on page 3.
    assert '<a href="?page=3#year-2021">2021</a>' in html


def test_only_published_stories_are_counted_and_shown(client):
    story_on(datetime(2024, 3, 1, 9))
    story_on(datetime(2022, 3, 1, 9), status="draft")
    EventFactory(
        tags=["Harbour"], date=timezone.localdate(), publish_at=timezone.now() + timedelta(days=2), status="scheduled"
    )
    html = client.get("/tags/harbour/").content.decode()
    assert headings(html) == ["2024"]
    assert "1 story." in html


def _tag_page_queries(client, address: str = "/tags/harbour/") -> int:
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def _add(count: int, start: int) -> None:
    for n in range(start, start + count):
        # Spread over fifteen years, most of them in two busy years.
        year = 2025 - (n % 15) if n % 3 == 0 else 2020 + n % 2
        story_on(datetime(year, 1 + n % 12, 1 + n % 28, 9))


def test_the_timeline_runs_the_same_number_of_queries_at_10_and_200_stories(client, settings):
    settings.DATELINE_PAGE_CACHE = False
    _add(10, 0)
    small = _tag_page_queries(client)
    _add(190, 10)
    large = _tag_page_queries(client)
    deep = _tag_page_queries(client, "/tags/harbour/?page=7")
    assert small == large == deep
    assert large <= 8
