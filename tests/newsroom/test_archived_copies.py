"""Readers are offered an archived copy beside a cited link that has gone, on pages and in Markdown."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from newsroom.models import LinkCheck
from tests.factories import ArticleFactory, EventFactory, SourceFactory

pytestmark = pytest.mark.django_db


def mark(source, status: str) -> None:
    now = timezone.now()
    LinkCheck.objects.create(url=source.url, status=status, status_since=now, checked_at=now)


def test_story_page_offers_the_archived_copy_only_beside_a_gone_link(client):
    story = ArticleFactory()
    gone = SourceFactory(story=story, url="https://gone.example/a", archived_url="https://archive.example/a")
    working = SourceFactory(story=story, url="https://fine.example/b", archived_url="https://archive.example/b")
    mark(gone, "gone")
    mark(working, "ok")
    html = client.get(story.get_absolute_url()).content.decode()
    assert 'link gone: <a href="https://archive.example/a" rel="noopener nofollow">archived copy</a>' in html
    assert "https://archive.example/b" not in html


def test_event_page_uses_the_proposed_web_archive_copy_when_no_editor_gave_one(client):
    event = EventFactory()
    source = SourceFactory(story=event, url="https://gone.example/c", published_on=date(2019, 5, 2))
    source.proposed_archived_url = source.proposed_archive_address()
    source.save()
    mark(source, "gone")
    html = client.get(event.get_absolute_url()).content.decode()
    assert 'href="https://web.archive.org/web/20190502000000/https://gone.example/c"' in html
    assert "archived copy</a>" in html


def test_markdown_names_the_archived_copy_of_a_gone_source(client):
    story = ArticleFactory()
    source = SourceFactory(story=story, url="https://gone.example/d", archived_url="https://archive.example/d")
    mark(source, "gone")
    text = client.get(story.get_absolute_url().rstrip("/") + ".md").content.decode()
    assert "(link gone; [archived copy](https://archive.example/d))" in text


def test_sources_cost_no_extra_query_for_their_link_status(client, django_assert_max_num_queries):
    story = ArticleFactory()
    client.get(story.get_absolute_url())
    with django_assert_max_num_queries(30) as plain:
        client.get(story.get_absolute_url())
    for n in range(5):
        mark(
            SourceFactory(story=story, url=f"https://gone.example/{n}", archived_url="https://archive.example/x"),
            "gone",
        )
    with django_assert_max_num_queries(len(plain.captured_queries)):
        html = client.get(story.get_absolute_url()).content.decode()
    assert html.count("archived copy</a>") == 5
