"""Deep pages of long lists: the same stories an OFFSET would show, read from kept anchors or the far end."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from taggit.models import Tag

from newsroom.models import Status, TaggedStory
from newsroom.pagination import ArchivePaginator
from newsroom.services import merge_tags
from tests.factories import ArticleFactory, EventFactory, SectionFactory, StaffFactory

pytestmark = pytest.mark.django_db

SHOWN = re.compile(r"Deep event (\d+) happens\.")


def shown(client, url: str) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200
    # Each event's summary appears once in the list; dict.fromkeys keeps first sightings in page order.
    return list(dict.fromkeys(int(n) for n in SHOWN.findall(response.content.decode())))


@pytest.fixture
def deep_context():
    """47 events in one context over 30 days, several on the same day and some at the same minute."""
    today = timezone.localdate()
    noon = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)
    events = []
    for n in range(47):
        day = today - timedelta(days=1 + n % 30)
        events.append(
            EventFactory(
                summary=f"Deep event {n} happens.",
                date=day,
                publish_at=noon - timedelta(days=n % 30, minutes=n % 4),
                tags=["Deep"],
            )
        )
    return events


def listing_order(events) -> list[int]:
    ordered = sorted(events, key=lambda e: (e.date, e.publish_at, e.pk), reverse=True)
    return [int(SHOWN.match(e.summary).group(1)) for e in ordered]


@pytest.mark.parametrize("kept", [True, False], ids=["anchors kept", "nothing kept"])
def test_every_page_of_a_context_shows_exactly_what_offset_paging_would(
    client, settings, monkeypatch, deep_context, kept
):
    settings.DATELINE_PAGE_CACHE = kept
    settings.DATELINE_PAGE_CACHE_SERVE = False
    monkeypatch.setattr(ArchivePaginator, "anchor_stride", 3)
    expected = listing_order(deep_context)
    pages = [shown(client, f"/tags/deep/?page={number}") for number in (1, 2, 3)]
    # Asked twice, so the second round reads from the anchors kept by the first.
    assert [shown(client, f"/tags/deep/?page={number}") for number in (3, 2, 1)] == pages[::-1]
    assert pages == [expected[:20], expected[20:40], expected[40:]]
    assert client.get("/tags/deep/?page=4").status_code == 404


def test_a_newly_published_story_moves_every_deep_page_on_by_one(
    client, settings, monkeypatch, deep_context, django_capture_on_commit_callbacks
):
    settings.DATELINE_PAGE_CACHE = True
    settings.DATELINE_PAGE_CACHE_SERVE = False
    monkeypatch.setattr(ArchivePaginator, "anchor_stride", 3)
    before = shown(client, "/tags/deep/?page=2")
    with django_capture_on_commit_callbacks(execute=True):
        newest = EventFactory(summary="Deep event 99 happens.", tags=["Deep"], date=timezone.localdate())
    after = shown(client, "/tags/deep/?page=2")
    assert after == listing_order([*deep_context, newest])[20:40]
    assert after[1:] == before[:-1]


def test_deep_page_costs_the_same_queries_as_page_one_once_counted(
    client, settings, monkeypatch, deep_context, django_assert_num_queries
):
    settings.DATELINE_PAGE_CACHE = True
    settings.DATELINE_PAGE_CACHE_SERVE = False
    monkeypatch.setattr(ArchivePaginator, "anchor_stride", 3)
    for url in ("/tags/deep/", "/tags/deep/?page=3"):
        client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get("/tags/deep/")
    with django_assert_num_queries(len(first)):
        client.get("/tags/deep/?page=3")


def test_context_page_drops_a_withdrawn_story_and_follows_a_new_date(client):
    kept = ArticleFactory(headline="Ferry timetable changes", tags=["Ferries"])
    gone = ArticleFactory(headline="Ferry strike called off", tags=["Ferries"])
    page = client.get("/tags/ferries/").content.decode()
    assert "Ferry timetable changes" in page and "Ferry strike called off" in page

    gone.status = Status.WITHDRAWN
    gone.save()
    kept.publish_at = timezone.now() - timedelta(days=400)
    kept.save()

    link = TaggedStory.objects.get(content_object=kept)
    assert (link.story_date, link.listed) == (kept.date, True)
    assert not TaggedStory.objects.get(content_object=gone).listed
    page = client.get("/tags/ferries/").content.decode()
    assert "Ferry timetable changes" in page
    assert "Ferry strike called off" not in page


def test_stories_moved_by_a_context_merge_are_listed_under_their_new_context(client):
    editor = StaffFactory(is_superuser=True)
    section = SectionFactory()
    ArticleFactory(headline="Tram line opens", tags=["Trams"], section=section)
    ArticleFactory(headline="Tram fares frozen", tags=["Light rail"], section=section)
    merge_tags(source=Tag.objects.get(name="Light rail"), target=Tag.objects.get(name="Trams"), by=editor)
    page = client.get("/tags/trams/").content.decode()
    assert "Tram line opens" in page and "Tram fares frozen" in page
    assert page.index("Tram fares frozen") < page.index("Tram line opens")


def test_a_draft_never_shows_on_a_context_page_even_if_its_link_says_listed(client):
    draft = ArticleFactory(headline="Unfinished harbour piece", tags=["Harbour"], status=Status.DRAFT, publish_at=None)
    ArticleFactory(headline="Harbour dredging begins", tags=["Harbour"])
    TaggedStory.objects.filter(content_object=draft).update(
        listed=True, story_date=timezone.localdate(), story_publish_at=timezone.now() - timedelta(minutes=5)
    )
    page = client.get("/tags/harbour/").content.decode()
    assert "Harbour dredging begins" in page
    assert "Unfinished harbour piece" not in page


def test_links_made_in_bulk_list_their_stories_like_links_made_one_by_one(client):
    from newsroom.models import Story

    story = ArticleFactory(headline="Lighthouse keepers return")
    tag = Tag.objects.create(name="Lighthouses", slug="lighthouses")
    TaggedStory.objects.bulk_create([TaggedStory(tag=tag, content_object_id=story.pk)])
    link = TaggedStory.objects.get(tag=tag)
    assert (link.story_date, link.listed) == (Story.objects.get(pk=story.pk).date, True)
    assert "Lighthouse keepers return" in client.get("/tags/lighthouses/").content.decode()


def test_every_context_page_of_the_demo_newsroom_lists_its_published_stories(client):
    from django.core.management import call_command

    from newsroom.models import Story

    call_command("load_demo", verbosity=0)
    for tag in Tag.objects.all():
        published = Story.objects.published().filter(tagged_items__tag=tag).count()
        assert TaggedStory.objects.filter(tag=tag, listed=True).count() >= published
    busiest = max(Tag.objects.all(), key=lambda t: Story.objects.published().filter(tagged_items__tag=t).count())
    shown = Story.objects.published().filter(tagged_items__tag=busiest).count()
    page = client.get(f"/tags/{busiest.slug}/")
    assert page.status_code == 200
    assert page.content.decode().count('<article class="item ') == min(shown, 20)
    assert client.get(f"/tags/{busiest.slug}/?page=2").status_code == (200 if shown > 20 else 404)


@pytest.mark.parametrize("page_cache", [True, False], ids=["page cache on", "page cache off"])
@pytest.mark.parametrize("address", ["/news/", "/tags/deep/"])
def test_a_deep_page_starts_at_its_month_and_shows_what_offset_paging_would(client, settings, address, page_cache):
    """Over many months, each page past the first is read from the month it falls in, bounded by a day."""
    from datetime import date

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.DATELINE_PAGE_CACHE = page_cache
    events = []
    for n in range(47):
        day = date(2023, 1 + n % 11, 1 + n % 26)
        moment = timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 9 + n % 5))
        events.append(EventFactory(summary=f"Deep event {n} happens.", date=day, publish_at=moment, tags=["Deep"]))
    expected = listing_order(events)
    pages, bounded = [], []
    for number in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            pages += shown(client, f"{address}?page={number}")
        if number > 1:
            bounded.append(any(re.search(r'"(story_)?date" < ', q["sql"]) and "LIMIT" in q["sql"] for q in queries))
    assert pages == expected
    assert bounded == [True, True]
    assert client.get(f"{address}?page=4").status_code == 404
