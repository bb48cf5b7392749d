"""Section and author pages are numbered from counts the database keeps, not from a count of their stories.

``SectionMonth`` and ``AuthorMonth`` are kept by triggers on the story, article and byline tables; these
tests check that the figures follow every way those tables change, that they always match a full
recount, and that the pages a reader sees are numbered and reached from them at a cost that does not grow.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsroom.listcounts import rebuild_list_counts
from newsroom.models import Article, AuthorMonth, Byline, SectionMonth, Story
from newsroom.services import publish_story, schedule_story, withdraw_story
from tests.factories import ArticleFactory, AuthorFactory, EventFactory, SectionFactory, StaffFactory

pytestmark = pytest.mark.django_db

STORY_TABLE = Story._meta.db_table


def _totals(model, key: str) -> dict:
    totals: dict = {}
    for pk, stories in model.objects.values_list(key, "stories"):
        totals[pk] = totals.get(pk, 0) + stories
    return {pk: stories for pk, stories in totals.items() if stories}


def kept() -> tuple[dict, dict]:
    """Every section's and author's kept stories, all months together."""
    return _totals(SectionMonth, "section_id"), _totals(AuthorMonth, "author_id")


def kept_months() -> tuple[dict, dict]:
    """The kept stories by (section or author, month), zeros left out."""
    return (
        {(r.section_id, r.month): r.stories for r in SectionMonth.objects.exclude(stories=0)},
        {(r.author_id, r.month): r.stories for r in AuthorMonth.objects.exclude(stories=0)},
    )


def recounted() -> tuple[dict, dict]:
    rebuild_list_counts()
    return kept()


def test_kept_section_and_author_counts_follow_every_kind_of_change_and_match_a_recount():
    editor = StaffFactory(is_superuser=True)
    world, sport = SectionFactory(name="World"), SectionFactory(name="Sport")
    ana, ben = AuthorFactory(name="Ana Reyes"), AuthorFactory(name="Ben Okafor")
    first = ArticleFactory(section=world, authors=[ana, ben])
    second = ArticleFactory(section=world, authors=[ana])
    draft = ArticleFactory(section=sport, authors=[ben], status="draft", publish_at=None)
    EventFactory()  # an event has no section and no byline: it counts for nobody
    assert kept() == ({world.pk: 2}, {ana.pk: 2, ben.pk: 1})

    # The draft counts once it is published; a withdrawn story stops counting.
    publish_story(story=draft, by=editor, override_reason="Checked by hand")
    withdraw_story(story=first, by=editor, reason="Wrong figures.")
    assert kept() == ({world.pk: 1, sport.pk: 1}, {ana.pk: 1, ben.pk: 1})

    # Moved to another section; a byline added, changed and removed, as the admin's inline does.
    moved = Article.objects.get(pk=second.pk)
    moved.section = sport
    moved.save()
    byline = Byline.objects.create(article=moved, author=ben, order=1)
    assert kept() == ({sport.pk: 2}, {ana.pk: 1, ben.pk: 2})
    byline.author = AuthorFactory(name="Chloe Tan")
    byline.save()
    Byline.objects.filter(article=moved, author=ana).delete()
    assert kept() == ({sport.pk: 2}, {ben.pk: 1, byline.author_id: 1})
    assert kept() == recounted()

    # Bylines written in bulk (an import) and a section taken away.
    Byline.objects.bulk_create([Byline(article=moved, author=ana, order=2)])
    Article.objects.filter(pk=draft.pk).update(section=None)
    assert kept() == ({sport.pk: 1}, {ana.pk: 1, ben.pk: 1, byline.author_id: 1})
    assert kept() == recounted()

    # Deleted stories, the article row first or the story row first: each counted off once.
    moved.delete()
    Story.objects.filter(pk=draft.pk).delete()
    assert kept() == ({}, {})
    assert kept() == recounted()


def test_a_state_written_in_one_statement_moves_every_story_it_touches():
    world = SectionFactory(name="World")
    ana = AuthorFactory(name="Ana Reyes")
    stories = [ArticleFactory(section=world, authors=[ana]) for _ in range(3)]
    Story.objects.filter(pk__in=[story.pk for story in stories[:2]]).update(status="withdrawn")
    assert kept() == ({world.pk: 1}, {ana.pk: 1})
    Story.objects.filter(pk__in=[story.pk for story in stories]).update(status="published")
    assert kept() == ({world.pk: 3}, {ana.pk: 3})
    assert kept() == recounted()


def test_section_page_counts_its_subsections_and_leaves_out_stories_still_waiting(client, settings):
    settings.DATELINE_PAGE_SIZE = 20
    opinion = SectionFactory(name="Opinion", slug="opinion")
    editorials = SectionFactory(name="Editorials", slug="editorials", parent=opinion)
    for n in range(15):
        ArticleFactory(section=opinion, headline=f"Column number {n}")
    for n in range(10):
        ArticleFactory(section=editorials, headline=f"Leader number {n}")
    editor = StaffFactory(is_superuser=True)
    later = ArticleFactory(section=editorials, headline="Leader for tomorrow", status="draft", publish_at=None)
    schedule_story(
        story=later, by=editor, publish_at=timezone.now() + timedelta(hours=3), override_reason="Checked by hand"
    )

    html = client.get("/sections/opinion/").content.decode()
    assert "Page 1 of 2" in html
    assert "Leader for tomorrow" not in html
    second = client.get("/sections/opinion/?page=2").content.decode()
    # 25 stories readers can see: five on the second page, and no third page.
    assert second.count("number ") == 5
    assert client.get("/sections/opinion/?page=3").status_code == 404
    assert "Page 1 of 1" not in client.get("/sections/opinion/editorials/").content.decode()

    # Its time comes: it counts at once, with nothing run.
    Story.objects.filter(pk=later.pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    assert "Leader for tomorrow" in client.get("/sections/opinion/").content.decode()
    assert client.get("/sections/opinion/?page=2").content.decode().count("number ") == 6


def test_author_page_is_numbered_from_the_kept_count(client, settings):
    settings.DATELINE_PAGE_SIZE = 20
    ana = AuthorFactory(name="Ana Reyes", slug="ana-reyes")
    for n in range(23):
        ArticleFactory(authors=[ana], headline=f"Report number {n}")
    ArticleFactory(authors=[ana], headline="Unfinished report", status="draft", publish_at=None)
    html = client.get("/authors/ana-reyes/").content.decode()
    assert "Page 1 of 2" in html and "Unfinished report" not in html
    assert client.get("/authors/ana-reyes/?page=2").content.decode().count("Report number") == 3
    assert client.get("/authors/ana-reyes/?page=3").status_code == 404


def _list_queries(client, address: str) -> list[str]:
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200, address
    return [query["sql"] for query in queries]


def _counts_stories(sql: str) -> bool:
    """A COUNT over the story table, other than of the schedule's stories still waiting for their time."""
    upper = sql.upper()
    return f'"{STORY_TABLE.upper()}"' in upper and "COUNT(" in upper and "PUBLISH_AT > " not in upper


def test_section_and_author_pages_cost_the_same_at_10_and_200_stories_and_never_count_the_stories(client, settings):
    # With nothing kept between renders: the cost of the first render after a change.
    settings.DATELINE_PAGE_CACHE = False
    news = SectionFactory(name="News", slug="news")
    world = SectionFactory(name="World", slug="world", parent=news)
    ana = AuthorFactory(name="Ana Reyes", slug="ana-reyes")
    addresses = ["/sections/news/", "/sections/news/world/", "/authors/ana-reyes/", "/authors/ana-reyes/?page=2"]

    def add(count: int) -> None:
        for n in range(count):
            ArticleFactory(section=world if n % 2 else news, authors=[ana])

    add(10)
    small = {address: _list_queries(client, address) for address in addresses[:3]}
    add(190)
    large = {address: _list_queries(client, address) for address in addresses}
    assert {a: len(q) for a, q in small.items()} == {a: len(large[a]) for a in small}
    for address, statements in large.items():
        assert [sql for sql in statements if _counts_stories(sql)] == [], address


def test_a_story_moved_to_another_month_moves_its_section_and_author_counts():
    from datetime import date, datetime

    world = SectionFactory(name="World")
    ana = AuthorFactory(name="Ana Reyes")
    story = ArticleFactory(section=world, authors=[ana], publish_at=timezone.make_aware(datetime(2024, 3, 9, 9)))
    march, may = date(2024, 3, 1), date(2024, 5, 1)
    assert kept_months() == ({(world.pk, march): 1}, {(ana.pk, march): 1})
    moved = Article.objects.get(pk=story.pk)
    moved.publish_at = timezone.make_aware(datetime(2024, 5, 2, 9))
    moved.save()
    assert kept_months() == ({(world.pk, may): 1}, {(ana.pk, may): 1})
    # A save that changes neither state nor month leaves the counts as they are.
    moved.save()
    assert kept_months() == ({(world.pk, may): 1}, {(ana.pk, may): 1})
    rebuild_list_counts()
    assert kept_months() == ({(world.pk, may): 1}, {(ana.pk, may): 1})


def _headlines(html: str) -> list[str]:
    import re

    return re.findall(r'<h3 class="item__title"><a href="[^"]+">([^<]+)</a></h3>', html)


def test_every_page_of_a_section_and_an_author_shows_what_an_offset_would_across_months(client, settings):
    from datetime import datetime

    settings.DATELINE_PAGE_SIZE = 20
    settings.DATELINE_PAGE_CACHE = False
    world = SectionFactory(name="World", slug="world")
    ana = AuthorFactory(name="Ana Reyes", slug="ana-reyes")
    # 75 stories over seven months, several on the same day, some in other sections or by nobody.
    for n in range(75):
        moment = timezone.make_aware(datetime(2024, 1 + n % 7, 1 + n % 5, 8 + n % 3))
        ArticleFactory(
            headline=f"Story {n:02d}",
            publish_at=moment,
            section=world if n % 4 else SectionFactory(),
            authors=[ana] if n % 3 else [],
        )
    editor = StaffFactory(is_superuser=True)
    waiting = ArticleFactory(headline="Story waiting", section=world, authors=[ana], status="draft", publish_at=None)
    schedule_story(
        story=waiting, by=editor, publish_at=timezone.now() + timedelta(hours=3), override_reason="Checked by hand"
    )
    for address, stories in (
        ("/sections/world/", Story.objects.published().filter(article__section=world)),
        ("/authors/ana-reyes/", Story.objects.published().filter(article__bylines__author=ana)),
    ):
        expected = [story.title for story in stories.newest_first()]
        shown = []
        for number in range(1, 6):
            response = client.get(address, {"page": number})
            if response.status_code == 404:
                break
            with CaptureQueriesContext(connection) as queries:
                shown += _headlines(client.get(address, {"page": number}).content.decode())
            if number > 1:
                # A deep page starts at its month: its list query is bounded by a day, not walked from the newest.
                listed = [q["sql"] for q in queries if "LIMIT" in q["sql"] and '"newsroom_story"."date" <' in q["sql"]]
                assert listed, address
        assert shown == expected, address
        assert "Story waiting" not in shown
