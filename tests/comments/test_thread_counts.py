"""A story's comment pages are numbered from the thread size the database keeps, never by counting it.

``ThreadCount`` is kept by triggers on the comments' table; these tests check that it follows every way
a comment's status or story changes, that it matches a full recount, and what a reader of a long
thread sees.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsroom.comments import services
from newsroom.comments.counts import rebuild_thread_counts
from newsroom.comments.models import Comment, ThreadCount
from tests.factories import ArticleFactory, CommentFactory, EventFactory, StaffFactory

pytestmark = pytest.mark.django_db

COMMENTS = Comment._meta.db_table


def kept() -> dict[int, int]:
    return dict(ThreadCount.objects.exclude(approved=0).values_list("story_id", "approved"))


def recounted() -> dict[int, int]:
    rebuild_thread_counts()
    return kept()


def test_kept_thread_sizes_follow_moderation_moves_and_deletions_and_match_a_recount():
    moderator = StaffFactory(is_superuser=True)
    story, other = ArticleFactory(), EventFactory()
    approved = [CommentFactory(story=story) for _ in range(3)]
    waiting = [CommentFactory(story=story, status="pending") for _ in range(2)]
    assert kept() == {story.pk: 3}

    # The moderation queue approves two, rejects one and marks one as spam, in bulk as the admin does.
    services.approve(comments=waiting, moderator=moderator)
    services.reject(comments=[approved[0]], moderator=moderator)
    services.mark_spam(comments=[approved[1]], moderator=moderator)
    assert kept() == {story.pk: 3}

    # Moved to another story, written in bulk (an import), deleted.
    Comment.objects.filter(pk=approved[2].pk).update(story=other)
    Comment.objects.bulk_create(
        [Comment(story=other, name="Imported", email="i@readers.example", body="From the old site.", status="approved")]
    )
    assert kept() == {story.pk: 2, other.pk: 2}
    Comment.objects.filter(pk=waiting[0].pk).delete()
    assert kept() == {story.pk: 1, other.pk: 2}
    assert kept() == recounted()

    # A deleted story takes its thread with it.
    other.delete()
    assert kept() == {story.pk: 1}
    assert kept() == recounted()


def test_a_long_thread_is_numbered_from_the_kept_size_without_counting_its_comments(client, settings):
    settings.COMMENTS_PER_PAGE = 5
    settings.DATELINE_PAGE_CACHE = False
    story = ArticleFactory()
    for n in range(12):
        CommentFactory(story=story, body=f"Comment body {n:02d}.")
    CommentFactory(story=story, status="pending", body="Not yet approved.")
    for cpage, shown in ((1, 5), (2, 5), (3, 2)):
        with CaptureQueriesContext(connection) as queries:
            content = client.get(story.get_absolute_url(), {"cpage": cpage}).content.decode()
        assert "12 comments" in content
        assert content.count('class="comment"') == shown
        counts = [q["sql"] for q in queries if COMMENTS in q["sql"] and "COUNT(" in q["sql"].upper()]
        assert counts == []
    assert "Not yet approved." not in content
    # A page past the end shows the last one, as before.
    assert client.get(story.get_absolute_url(), {"cpage": 9}).content.decode().count('class="comment"') == 2
