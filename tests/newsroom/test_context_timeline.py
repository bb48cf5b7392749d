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


# The kept counts (ContextMonth) -------------------------------------------------------------------


def _kept() -> dict:
    """Every context's kept counts, zeros left out, as {(context id, month): stories}."""
    from newsroom.models import ContextMonth

    return {(row.tag_id, row.month): row.stories for row in ContextMonth.objects.exclude(stories=0)}


def _recounted() -> dict:
    from newsroom.threads import rebuild_context_counts

    rebuild_context_counts()
    return _kept()


def test_kept_context_counts_follow_every_kind_of_change_and_match_a_recount():
    from taggit.models import Tag

    from newsroom.models import Story, TaggedStory
    from newsroom.services import merge_tags, publish_story, withdraw_story
    from tests.factories import StaffFactory

    editor = StaffFactory(is_superuser=True)
    first = story_on(datetime(2024, 3, 1, 9))
    second = story_on(datetime(2024, 3, 9, 9), tag="Docks")
    draft = ArticleFactory(status="draft", publish_at=None, tags=["Docks"])
    harbour, docks = Tag.objects.get(name="Harbour"), Tag.objects.get(name="Docks")
    march = datetime(2024, 3, 1).date()
    assert _kept() == {(harbour.pk, march): 1, (docks.pk, march): 1}

    # Tagged and untagged through the story's own tags, as the admin's form does.
    second.tags.add("Harbour")
    first.tags.add("Docks")
    first.tags.remove("Harbour")
    # The draft, tagged "Docks" from the start, counts for nobody yet.
    assert _kept() == {(harbour.pk, march): 1, (docks.pk, march): 2}

    # Published, withdrawn, moved to another month, deleted: each moves its count.
    publish_story(
        story=draft, by=editor, publish_at=timezone.make_aware(datetime(2023, 5, 1, 9)), override_reason="Archive"
    )
    withdraw_story(story=first, by=editor, reason="Wrong harbour.")
    moved = Story.objects.get(pk=second.pk)
    moved.date, moved.publish_at = datetime(2024, 4, 2).date(), timezone.make_aware(datetime(2024, 4, 2, 9))
    moved.save()
    april, may = datetime(2024, 4, 1).date(), datetime(2023, 5, 1).date()
    assert _kept() == {(harbour.pk, april): 1, (docks.pk, april): 1, (docks.pk, may): 1}
    assert _kept() == _recounted()

    # Two contexts merged: the stories move, and neither is counted twice.
    merge_tags(source=docks, target=harbour, by=editor)
    assert _kept() == {(harbour.pk, april): 1, (harbour.pk, may): 1}
    assert _kept() == _recounted()

    # Links written in bulk (imports) and a story deleted.
    extra = story_on(datetime(2024, 4, 20, 9), tag="Piers")
    TaggedStory.objects.bulk_create([TaggedStory(tag=harbour, content_object_id=extra.pk)])
    assert _kept()[(harbour.pk, april)] == 2
    Story.objects.filter(pk=extra.pk).delete()
    assert _kept() == {(harbour.pk, april): 1, (harbour.pk, may): 1}
    assert _kept() == _recounted()


def test_a_scheduled_story_joins_the_timeline_when_its_time_comes_with_nothing_run(client):
    from newsroom.models import Story

    story_on(datetime(2024, 3, 1, 9))
    later = EventFactory(
        tags=["Harbour"], date=timezone.localdate(), publish_at=timezone.now() + timedelta(hours=2), status="scheduled"
    )
    html = client.get("/tags/harbour/").content.decode()
    assert "1 story." in html and later.title not in html
    Story.objects.filter(pk=later.pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    from newsroom.models import TaggedStory

    TaggedStory.sync_listing([later.pk])
    html = client.get("/tags/harbour/").content.decode()
    assert "2 stories." in html
    assert headings(html)[0] == str(timezone.localdate().year)


def test_the_timeline_never_counts_the_contexts_links():
    from newsroom.models import TaggedStory
    from newsroom.threads import context_years

    _add(30, 0)
    from taggit.models import Tag

    tag = Tag.objects.get(name="Harbour")
    with CaptureQueriesContext(connection) as queries:
        years = context_years(tag)
    assert sum(year.count for year in years) == 30
    links = TaggedStory._meta.db_table
    assert len(queries) == 1
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and links in q["sql"]]
