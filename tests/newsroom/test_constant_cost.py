"""Archive pages and search cost the same on a small archive and a large one.

The archive's years, months and counts come from the kept month counts
(newsroom.archive), which every publish, withdrawal, date change and deletion
keeps exact; these tests check the figures a reader sees and the shape of the
SQL behind them.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsroom import archive
from newsroom.models import ArchiveMonth, Status, Story
from newsroom.services import publish_story, schedule_story, withdraw_story
from newsroom.views import LatestView
from tests.factories import ArticleFactory, EventFactory, StaffFactory

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
STORY_TABLE = Story._meta.db_table


def kept() -> dict[date, int]:
    return dict(ArchiveMonth.objects.filter(stories__gt=0).values_list("month", "stories"))


def recounted() -> dict[date, int]:
    archive.rebuild_archive_counts()
    return kept()


def editor():
    user = StaffFactory(is_superuser=True)
    return user


def test_archive_counts_follow_publish_withdraw_date_change_and_delete():
    event = EventFactory(date=date(2012, 4, 23))
    draft = ArticleFactory(status=Status.DRAFT, publish_at=None)
    assert kept() == {date(2012, 4, 1): 1}

    publish_story(story=draft, by=editor(), override_reason="Breaking")
    this_month = timezone.localdate().replace(day=1)
    assert kept() == {date(2012, 4, 1): 1, this_month: 1}

    event.date = date(2013, 1, 5)
    event.save()
    assert kept() == {date(2013, 1, 1): 1, this_month: 1}

    withdraw_story(story=Story.objects.get(pk=draft.pk), by=editor(), reason="Legal advice")
    assert kept() == {date(2013, 1, 1): 1}

    event.delete()
    assert kept() == {}
    assert recounted() == {}


def test_a_save_of_other_fields_leaves_the_counts_alone_whatever_the_instance_holds():
    event = EventFactory(date=date(2012, 4, 23))
    stale = Story.objects.get(pk=event.pk)
    stale.status = Status.DRAFT
    stale.save(update_fields=["comments"])
    assert kept() == {date(2012, 4, 1): 1} == recounted()


def test_deleting_an_article_counts_its_story_once():
    ArticleFactory(publish_at=datetime(2015, 3, 2, 12, tzinfo=UTC))
    gone = ArticleFactory(publish_at=datetime(2015, 3, 3, 12, tzinfo=UTC))
    gone.delete()
    assert kept() == {date(2015, 3, 1): 1} == recounted()


def test_kept_counts_match_a_full_recount():
    for day in (date(2010, 1, 1), date(2010, 1, 31), date(2010, 2, 1), date(2019, 12, 31)):
        EventFactory(date=day)
    EventFactory(date=date(2010, 1, 2), status=Status.DRAFT, publish_at=None)
    EventFactory(date=date(2010, 1, 3), status=Status.WITHDRAWN)
    maintained = kept()
    assert maintained == {date(2010, 1, 1): 2, date(2010, 2, 1): 1, date(2019, 12, 1): 1}
    ArchiveMonth.objects.all().delete()
    call_command("rebuild_archive_counts", verbosity=0)
    assert kept() == maintained


def test_a_scheduled_story_counts_from_the_moment_its_time_passes(client):
    EventFactory(date=date(2012, 4, 23))
    later = ArticleFactory(status=Status.DRAFT, publish_at=None, headline="Budget vote tonight")
    schedule_story(story=later, by=editor(), publish_at=timezone.now() + timedelta(hours=2), override_reason="Embargo")
    scheduled_month = Story.objects.get(pk=later.pk).date.replace(day=1)

    months = archive.published_months()
    assert months.count(scheduled_month) == 0 and months.total == 1
    page = client.get("/news/").content.decode()
    assert "Budget vote tonight" not in page
    assert f'href="/news/{scheduled_month:%Y}/"' not in page or scheduled_month.year == 2012

    # Its time comes with nothing run: the table already held it, and nothing is taken off any more.
    assert archive.published_months(now=timezone.now() + timedelta(hours=3)).count(scheduled_month) == 1
    Story.objects.filter(pk=later.pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    assert archive.published_months().total == 2
    page = client.get("/news/").content.decode()
    assert "Budget vote tonight" in page
    assert f'href="/news/{scheduled_month:%Y}/"' in page
    year = client.get(f"/news/{scheduled_month:%Y}/").content.decode()
    assert f'href="/news/{scheduled_month:%Y}/{scheduled_month:%m}/"' in year


def test_the_archives_months_and_the_stories_still_waiting_are_read_in_one_statement(django_assert_num_queries):
    for day in (date(2012, 4, 2), date(2012, 4, 20), date(2012, 7, 1)):
        EventFactory(date=day)
    EventFactory(date=date(2012, 4, 21), status=Status.SCHEDULED, publish_at=timezone.now() + timedelta(hours=1))
    EventFactory(date=date(2014, 1, 9), status=Status.SCHEDULED, publish_at=timezone.now() + timedelta(hours=1))

    with django_assert_num_queries(1):
        months = archive.published_months()

    assert months.counts == [(date(2012, 4, 1), 2), (date(2012, 7, 1), 1)]
    later = archive.published_months(now=timezone.now() + timedelta(hours=2))
    assert later.counts == [(date(2012, 4, 1), 3), (date(2012, 7, 1), 1), (date(2014, 1, 1), 1)]


def test_year_page_shows_each_months_count_and_neighbouring_years(client):
    for day in (date(2011, 6, 1), date(2012, 4, 2), date(2012, 4, 20), date(2012, 7, 1), date(2014, 1, 9)):
        EventFactory(date=day)
    EventFactory(date=date(2013, 5, 5), status=Status.DRAFT, publish_at=None)
    html = client.get("/news/2012/").content.decode()
    assert re.search(r'href="/news/2012/04/">April</a> <span class="count">2 stories', html)
    assert re.search(r'href="/news/2012/07/">July</a> <span class="count">1 story', html)
    assert 'rel="prev" href="/news/2011/"' in html
    # 2013 holds only a draft, so the next year with stories is 2014.
    assert 'rel="next" href="/news/2014/"' in html
    assert client.get("/news/2013/").status_code == 404


def test_month_page_links_the_nearest_months_with_stories(client):
    for day in (date(2012, 1, 9), date(2012, 4, 2), date(2012, 9, 1)):
        EventFactory(date=day)
    EventFactory(date=date(2012, 6, 5), status=Status.WITHDRAWN)
    html = client.get("/news/2012/04/").content.decode()
    assert 'rel="prev" href="/news/2012/01/"' in html
    assert 'rel="next" href="/news/2012/09/"' in html
    assert client.get("/news/2012/06/").status_code == 404


def test_latest_pages_are_numbered_from_the_kept_counts(client, settings):
    for n in range(settings.DATELINE_PAGE_SIZE + 3):
        EventFactory(summary=f"Numbered event {n:02d}.", date=date(2012, 4, 1) + timedelta(days=n))
    first = client.get("/news/").content.decode()
    assert "?page=2" in first
    second = client.get("/news/?page=2").content.decode()
    assert "Numbered event 00." in second and "Numbered event 02." in second
    assert client.get("/news/?page=3").status_code == 404


def _add(count: int, start: date) -> None:
    for n in range(count):
        day = start + timedelta(days=n * 3)
        if n % 2:
            ArticleFactory(publish_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC))
        else:
            EventFactory(date=day)


def _archive_queries(client) -> dict[str, list[str]]:
    urls = {
        "latest": "/news/",
        "latest deep": "/news/?page=3",
        "year": "/news/2012/",
        "month": "/news/2012/03/",
        "day": "/news/2012/03/10/",
    }
    client.get("/")
    found = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        found[name] = [query["sql"] for query in queries]
    return found


def _reads_stories_whole(sql: str) -> bool:
    """A DISTINCT or a COUNT over the story table: work that grows with the archive.

    Counting the stories still waiting for their publish time is not: that is the schedule, a few rows.
    """
    upper = sql.upper()
    waiting = '"PUBLISH_AT" > ' in upper
    return f'"{STORY_TABLE.upper()}"' in upper and ("DISTINCT" in upper or "COUNT(" in upper) and not waiting


def test_archive_pages_cost_the_same_at_10_and_200_stories_and_never_count_the_stories(client, monkeypatch):
    monkeypatch.setattr(LatestView, "paginate_by", 3)
    _add(10, date(2012, 3, 1))
    small = _archive_queries(client)
    _add(190, date(2011, 1, 1))
    large = _archive_queries(client)
    assert {name: len(sql) for name, sql in small.items()} == {name: len(sql) for name, sql in large.items()}
    for name, statements in large.items():
        whole = [sql for sql in statements if _reads_stories_whole(sql)]
        assert whole == [], (name, whole)
        # Every query on the story table stops early, apart from the schedule of stories still to come.
        for sql in statements:
            if f'"{STORY_TABLE}"' in sql and "LIMIT" not in sql.upper():
                assert '"publish_at" >' in sql or " IN (" in sql, (name, sql)


def test_search_candidates_come_from_one_limited_query(client, indexed):
    with indexed():
        for n in range(30):
            ArticleFactory(headline=f"Harbour council budget vote {n}")
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/search/?q=harbour+council+budget+vote").content.decode()
    assert "Harbour council budget vote 29" in re.sub(r"<[^>]+>", "", html)
    # The candidate query ranks the matches (SearchRank on PostgreSQL, a constant elsewhere).
    candidates = [q["sql"] for q in queries if 'AS "rank"' in q["sql"]]
    assert candidates and all(re.search(r"LIMIT \d+", sql) for sql in candidates), candidates


@pytest.mark.django_db(transaction=True)
def test_benchmark_archive_leaves_the_month_counts_filled():
    call_command("bench_data", articles=40, events=120, tags=10, comments=0, years=2, verbosity=0)
    generated = kept()
    assert sum(generated.values()) == Story.objects.filter(status__in=[Status.PUBLISHED, Status.SCHEDULED]).count()
    assert generated == recounted()


ON_POSTGRES = connection.vendor == "postgresql"


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL full-text search")
def test_common_words_are_read_newest_first_from_a_bounded_window(client, indexed, settings):
    from newsroom import search

    settings.DATELINE_SEARCH_CANDIDATES = 5
    now = timezone.now()
    with indexed():
        for n in range(12):
            ArticleFactory(
                headline=f"Council budget vote harbour minister {n}", publish_at=now - timedelta(days=n, hours=1)
            )
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", {"q": "council budget vote harbour minister"})
    shown = sorted(re.sub(r"<[^>]+>", "", hit.title) for hit in response.context["hits"])
    assert shown == sorted(f"Council budget vote harbour minister {n}" for n in range(5))
    assert response.context["more_than_shown"]
    windows = [q["sql"] for q in queries if ") newest" in q["sql"]]
    assert len(windows) == 1
    # The inner LIMIT bounds the stories read, the outer one the matches kept.
    assert re.findall(r"LIMIT (\d+)", windows[0]) == [str(search.PROBE), "6"]


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL full-text search")
def test_rare_words_past_the_window_are_still_found_through_the_index(client, indexed):
    now = timezone.now()
    with indexed():
        for n in range(5):
            ArticleFactory(headline=f"Harbour council meets {n}", publish_at=now - timedelta(hours=n + 1))
        ArticleFactory(headline="Lighthouse keeper retires", publish_at=now - timedelta(days=4000))
    response = client.get("/search/", {"q": "lighthouse"})
    assert [re.sub(r"<[^>]+>", "", hit.title) for hit in response.context["hits"]] == ["Lighthouse keeper retires"]
    assert not response.context["more_than_shown"]


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL full-text search")
def test_words_scarce_together_stop_at_the_window_instead_of_gathering_every_match(
    client, indexed, settings, monkeypatch
):
    # Common words that are scarce together once made the index gather and sort every one of their matches
    # across the archive (seconds on the benchmark archive); the date-order read is bounded instead.
    from newsroom import search

    settings.DATELINE_SEARCH_CANDIDATES = 10
    settings.DATELINE_PAGE_SIZE = 2
    monkeypatch.setattr(search, "PROBE", 4)
    monkeypatch.setattr(search, "WINDOW_MAX", 12)
    now = timezone.now()
    with indexed():
        for n in range(40):
            words = "Lighthouse harbour" if n % 3 == 0 else "Harbour"
            ArticleFactory(headline=f"{words} notes {n}", publish_at=now - timedelta(days=n, hours=1))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Story._meta.db_table}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", {"q": "lighthouse harbour"})
    # Every match among the newest twelve stories, and no further: the reader is offered the older ones.
    titles = set(
        Story.objects.filter(pk__in=[c.pk for c in response.context["paginator"].object_list]).values_list(
            "title", flat=True
        )
    )
    assert titles == {f"Lighthouse harbour notes {n}" for n in (0, 3, 6, 9)}
    assert len(response.context["hits"]) == 2
    page = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    assert "More than 4 results for “lighthouse harbour” showing the newest 4" in page
    assert "Only the newest 4 matches are ranked" in page
    assert response.context["more_than_shown"]
    assert response.context["older_url"]
    windows = [q["sql"] for q in queries if ") newest" in q["sql"]]
    assert [re.findall(r"LIMIT (\d+)", sql)[0] for sql in windows] == ["4", "12"]
    # Nothing asked the index for every match.
    assert not [q["sql"] for q in queries if 'AS "rank"' in q["sql"]]
    # The link to older matches is read the same way, from the day it names.
    with CaptureQueriesContext(connection) as queries:
        older = client.get("/search/" + response.context["older_url"])
    titles = set(
        Story.objects.filter(pk__in=[c.pk for c in older.context["paginator"].object_list]).values_list(
            "title", flat=True
        )
    )
    assert titles == {f"Lighthouse harbour notes {n}" for n in (9, 12, 15, 18)}
    assert len([q for q in queries if ") newest" in q["sql"]]) == 2
    assert not [q["sql"] for q in queries if 'AS "rank"' in q["sql"]]


def test_day_page_links_the_nearest_days_readers_can_see_read_in_one_statement(client):
    EventFactory(date=date(2012, 2, 27), summary="Late February event.")
    EventFactory(date=date(2012, 3, 10), summary="The day itself.")
    EventFactory(date=date(2012, 4, 2), summary="Early April event.")
    # None of these is a day a reader can open: a draft, a withdrawn story and one scheduled for later.
    EventFactory(date=date(2012, 3, 1), status=Status.DRAFT, publish_at=None)
    EventFactory(date=date(2012, 3, 5), status=Status.WITHDRAWN)
    EventFactory(date=date(2012, 3, 20), status=Status.SCHEDULED, publish_at=timezone.now() + timedelta(days=1))
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/news/2012/03/10/").content.decode()
    assert "The day itself." in html
    assert 'href="/news/2012/02/27/"' in html
    assert 'href="/news/2012/04/02/"' in html
    for hidden in ("/news/2012/03/01/", "/news/2012/03/05/", "/news/2012/03/20/"):
        assert f'href="{hidden}"' not in html
    neighbours = [q["sql"] for q in queries if "ORDER BY" in q["sql"] and q["sql"].count("LIMIT 1") == 2]
    assert len(neighbours) == 1, [q["sql"] for q in queries]
    # The first and last days with stories have no link beyond them.
    first = client.get("/news/2012/02/27/").content.decode()
    assert 'href="/news/2012/03/10/"' in first and "2012/02/26" not in first
    assert archive.neighbour_days(date(2012, 4, 2)) == (date(2012, 3, 10), None)
    assert archive.neighbour_days(date(2012, 2, 27)) == (None, date(2012, 3, 10))
