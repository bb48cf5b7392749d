"""Cursor pages, syncing with updated_since, validators and a constant cost per page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsroom.models import Story
from newsroom.querysets import Status
from tests.factories import ArticleFactory, AuthorFactory, EventFactory, ImageFactory, SourceFactory

pytestmark = pytest.mark.django_db


def walk(api, url: str) -> list[dict]:
    items = []
    while url:
        page = api.get(url)
        assert page.status_code == 200, page.content
        data = page.json()
        items += data["items"]
        url = data["next"]
    return items


def test_walking_every_page_lists_every_story_once_newest_first(api):
    now = timezone.now()
    made = [ArticleFactory(publish_at=now - timedelta(hours=n)).pk for n in range(7)]
    # Two stories at the very same moment are told apart by their id.
    made += [EventFactory(date=timezone.localdate(now - timedelta(days=3))).pk for _ in range(2)]

    walked = [item["id"] for item in walk(api, "/api/v1/stories?limit=2")]

    expected = list(Story.objects.published().newest_first().values_list("pk", flat=True))
    assert walked == expected
    assert sorted(walked) == sorted(made)


def test_stories_published_while_a_client_pages_neither_repeat_nor_hide_older_ones(api):
    now = timezone.now()
    older = [ArticleFactory(publish_at=now - timedelta(hours=n + 1)).pk for n in range(4)]

    first = api.get("/api/v1/stories?limit=2").json()
    ArticleFactory(publish_at=now)  # lands at the top of page one, not in the pages still to come
    rest = walk(api, first["next"])

    assert [i["id"] for i in first["items"]] + [i["id"] for i in rest] == older


def test_a_cursor_from_another_list_is_refused(api):
    ArticleFactory.create_batch(3)
    cursor = api.get("/api/v1/stories?limit=1").json()["next_cursor"]

    response = api.get(f"/api/v1/contexts?cursor={cursor}")

    assert response.status_code == 400
    assert "cursor" in response.json()["detail"]


def test_updated_since_lists_changes_oldest_first_with_tombstones_for_withdrawn_stories(api):
    start = timezone.now()
    kept = ArticleFactory(headline="Ferry returns")
    pulled = ArticleFactory(headline="Story pulled by the desk")
    Story.objects.filter(pk=pulled.pk).update(status=Status.WITHDRAWN, updated_at=timezone.now())
    ArticleFactory(status=Status.DRAFT, publish_at=None)

    items = walk(api, f"/api/v1/stories?updated_since={start.isoformat().replace('+00:00', 'Z')}&limit=1")

    assert [i["id"] for i in items] == [kept.pk, pulled.pk]
    assert items[1] == {
        "id": pulled.pk,
        "url": f"http://testserver{pulled.get_absolute_url()}",
        "withdrawn": True,
        "updated_at": items[1]["updated_at"],
    }
    assert items[0]["withdrawn"] is False


def test_a_scheduled_story_reaches_syncing_clients_when_it_goes_out(api):
    """Saved long before it is due, it still turns up for a client that synced after that save."""
    soon = timezone.now() + timedelta(seconds=1)
    story = ArticleFactory(status=Status.SCHEDULED, publish_at=soon)
    Story.objects.filter(pk=story.pk).update(updated_at=timezone.now() - timedelta(days=2))
    last_sync = (timezone.now() - timedelta(hours=1)).isoformat()

    before = api.get("/api/v1/stories", {"updated_since": last_sync}).json()["items"]
    Story.objects.filter(pk=story.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    after = api.get("/api/v1/stories", {"updated_since": last_sync}).json()["items"]

    assert before == []
    assert [i["id"] for i in after] == [story.pk]


def test_an_unchanged_list_answers_304_to_its_etag_and_a_changed_one_does_not(api):
    article = ArticleFactory(headline="Harbour plan")
    first = api.get("/api/v1/stories")
    assert first["ETag"] and first["Last-Modified"]

    assert api.get("/api/v1/stories", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert api.get(f"/api/v1/stories/{article.pk}", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304

    article.headline = "Harbour plan approved"
    article.save()
    again = api.get("/api/v1/stories", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again.json()["items"][0]["title"] == "Harbour plan approved"


def build_archive(count: int) -> None:
    author = AuthorFactory()
    image = ImageFactory()
    for n in range(count):
        if n % 2:
            story = EventFactory(tags=["Harbour", f"Topic {n % 7}"])
        else:
            story = ArticleFactory(authors=[author], lead_image=image, tags=["Harbour"])
        SourceFactory(story=story)


@pytest.mark.parametrize(
    "url", ["/api/v1/stories?limit=50", "/api/v1/stories?limit=50&updated_since=2000-01-01T00:00:00Z"]
)
def test_a_page_of_stories_costs_the_same_queries_at_10_and_200_stories(api, url):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(url).status_code == 200
        return len(captured)

    build_archive(10)
    small = queries()
    build_archive(190)
    large = queries()

    assert small == large
    assert large <= 8
