"""'Most read now': reader page views over the last 24 hours, without a database write per view."""

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from newsroom import popularity
from newsroom.models import Status, StoryViewCount
from tests.factories import ArticleFactory, EventFactory, StaffFactory

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def read(client, story, times=1, user_agent=BROWSER, **headers):
    for _ in range(times):
        response = client.get(story.get_absolute_url(), HTTP_USER_AGENT=user_agent, **headers)
        assert response.status_code == 200
    return response


def views_of(story) -> int:
    return sum(StoryViewCount.objects.filter(story=story).values_list("views", flat=True))


def hour_ago(hours: float) -> datetime:
    moment = time.time() - hours * 3600
    return datetime.fromtimestamp(moment // 3600 * 3600, tz=UTC)


def test_reader_views_are_counted_and_the_most_read_list_shows_them_in_order(client):
    first = ArticleFactory(headline="Harbour plan approved")
    second = EventFactory(summary="A storm closes the coast road.")
    third = ArticleFactory(headline="Council budget passes")
    read(client, second, times=4)
    read(client, first, times=2)
    read(client, third, times=3)
    assert StoryViewCount.objects.count() == 0, "a page view must not write to the database"

    assert popularity.flush() == 9
    assert [views_of(s) for s in (first, second, third)] == [2, 4, 3]

    html = client.get("/", HTTP_USER_AGENT=BROWSER).content.decode()
    listed = html.split('class="most-read__list"')[1].split("</ol>")[0]
    positions = [listed.index(text) for text in ("A storm closes", "Council budget passes", "Harbour plan approved")]
    assert positions == sorted(positions)
    story_page = client.get(first.get_absolute_url(), HTTP_USER_AGENT=BROWSER).content.decode()
    assert "Most read now" in story_page and "A storm closes the coast road." in story_page


@pytest.mark.parametrize(
    "user_agent",
    [
        "",
        "   ",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0 Safari/537.36",
        "WhatsApp/2.23.20.0",
        "Mozilla/5.0 (compatible; Discordbot/2.0)",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "Baiduspider+(+http://www.baidu.com/search/spider.htm)",
        "SomeCrawler/1.0",
    ],
)
def test_bots_preview_fetchers_and_empty_user_agents_are_not_counted(client, user_agent):
    story = ArticleFactory()
    read(client, story, times=2, user_agent=user_agent)
    popularity.flush()
    assert views_of(story) == 0


def test_prefetches_staff_previews_and_other_answers_are_not_counted(client):
    story = ArticleFactory()
    draft = ArticleFactory(status=Status.DRAFT, publish_at=None)
    read(client, story, HTTP_SEC_PURPOSE="prefetch")
    assert client.head(story.get_absolute_url(), HTTP_USER_AGENT=BROWSER).status_code == 200
    assert client.get(story.get_absolute_url() + "nope/", HTTP_USER_AGENT=BROWSER).status_code == 404
    staff = StaffFactory()
    client.force_login(staff)
    read(client, story, times=3)
    read(client, draft, times=3)
    client.logout()
    popularity.flush()
    assert views_of(story) == 0
    assert views_of(draft) == 0
    read(client, story)
    popularity.flush()
    assert views_of(story) == 1


def test_a_page_view_costs_no_database_query(client):
    story = ArticleFactory()
    client.get("/", HTTP_USER_AGENT=BROWSER)
    read(client, story)
    counts = []
    for user_agent in ("Googlebot/2.1", BROWSER, BROWSER):
        with CaptureQueriesContext(connection) as queries:
            read(client, story, user_agent=user_agent)
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]
    assert not any("storyviewcount" in q["sql"].lower() for q in queries.captured_queries)


def test_top_five_over_the_last_24_hours_and_older_views_fall_out():
    stories = [ArticleFactory(headline=f"Story {n}") for n in range(7)]
    for n, story in enumerate(stories):
        StoryViewCount.objects.create(story=story, hour=hour_ago(2), views=10 + n)
    # Yesterday's big story is older than the window; a recent hour still counts.
    StoryViewCount.objects.create(story=stories[0], hour=hour_ago(26), views=1000)
    StoryViewCount.objects.create(story=stories[1], hour=hour_ago(23), views=50)
    titles = [item["title"] for item in popularity.most_read()]
    assert titles == ["Story 1", "Story 6", "Story 5", "Story 4", "Story 3"]
    assert popularity.most_read()[0]["views"] == 61


def test_drafts_and_withdrawn_stories_are_never_listed():
    shown = ArticleFactory(headline="Still public")
    withdrawn = ArticleFactory(headline="Pulled story")
    draft = EventFactory(summary="A draft event.", status=Status.DRAFT, publish_at=None)
    for story in (shown, withdrawn, draft):
        StoryViewCount.objects.create(story=story, hour=hour_ago(1), views=100)
    withdrawn.status = Status.WITHDRAWN
    withdrawn.save()
    assert [item["title"] for item in popularity.most_read()] == ["Still public"]


def test_the_list_is_cached_briefly_and_refreshed_after_a_flush(client, django_assert_num_queries):
    story = ArticleFactory(headline="Quiet story")
    assert popularity.most_read() == []
    with django_assert_num_queries(0):
        assert popularity.most_read() == []
    read(client, story)
    popularity.flush()
    assert [item["title"] for item in popularity.most_read()] == ["Quiet story"]


def test_flushing_twice_moves_each_view_once_and_keeps_later_views():
    story = EventFactory()
    for _ in range(3):
        popularity.record_view(story.pk)
    assert popularity.flush() == 3
    assert popularity.flush() == 0
    assert views_of(story) == 3
    popularity.record_view(story.pk)
    popularity.record_view(story.pk)
    assert popularity.flush() == 2
    assert views_of(story) == 5
    assert StoryViewCount.objects.filter(story=story).count() == 1


def test_views_from_an_earlier_hour_still_flush_into_their_own_hour():
    story = EventFactory()
    now = time.time()
    popularity.record_view(story.pk, moment=now - 3 * 3600)
    popularity.record_view(story.pk, moment=now)
    assert popularity.flush(moment=now) == 2
    assert StoryViewCount.objects.filter(story=story).count() == 2


def test_a_story_deleted_before_the_flush_is_skipped():
    gone = ArticleFactory()
    kept = ArticleFactory()
    popularity.record_view(gone.pk)
    popularity.record_view(kept.pk)
    gone.delete()
    assert popularity.flush() == 1
    assert views_of(kept) == 1


def test_a_running_flush_keeps_a_second_one_out():
    story = EventFactory()
    popularity.record_view(story.pk)
    cache.add(popularity.LOCK_KEY, 1, 60)
    assert popularity.flush() == 0
    cache.delete(popularity.LOCK_KEY)
    assert popularity.flush() == 1


def test_page_views_flush_on_their_own_at_most_once_a_minute(client):
    story = ArticleFactory()
    read(client, story)
    # What the server process's timer does a second after the first read it gathered.
    popularity.tally.send()
    assert StoryViewCount.objects.count() == 0
    # The clock started with the first view; pretend a minute has passed.
    cache.set(popularity.LAST_FLUSH_KEY, time.time() - 61, None)
    read(client, story)
    popularity.tally.send()
    assert views_of(story) == 2
    read(client, story)
    popularity.tally.send()
    assert views_of(story) == 2


def test_a_server_process_adds_the_reads_it_gathered_to_the_counters_about_a_second_after_the_first(client, settings):
    # Long enough for four page reads on a loaded machine to come in before the gathered reads are sent.
    settings.DATELINE_MOST_READ_BATCH_SECONDS = 1.5
    story = ArticleFactory()
    other = EventFactory()
    counter = popularity._count_key(popularity._bucket(), story.pk)
    read(client, story, times=3)
    read(client, other)
    assert cache.get(counter) is None, "a read is gathered in the process first"
    deadline = time.monotonic() + 10
    while cache.get(counter) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cache.get(counter) == 3
    assert cache.get(popularity._count_key(popularity._bucket(), other.pk)) == 1
    assert popularity.flush() == 4
    assert (views_of(story), views_of(other)) == (3, 1)


def test_with_no_gathering_each_read_goes_to_the_counters_as_it_comes(client, settings):
    settings.DATELINE_MOST_READ_BATCH_SECONDS = 0
    story = ArticleFactory()
    read(client, story, times=2)
    assert cache.get(popularity._count_key(popularity._bucket(), story.pk)) == 2
    assert popularity.flush() == 2


def test_reads_gathered_across_the_hour_are_counted_in_the_hour_each_came_in():
    story = ArticleFactory()
    now = time.time()
    popularity.tally.add(story.pk, moment=now - 3600)
    popularity.tally.add(story.pk, moment=now - 3600)
    popularity.tally.add(story.pk, moment=now)
    assert popularity.flush(moment=now) == 3
    hours = dict(StoryViewCount.objects.filter(story=story).values_list("hour", "views"))
    assert hours == {hour_ago(1): 2, hour_ago(0): 1}


def test_a_process_ending_adds_the_reads_it_gathered_to_the_counters():
    story = ArticleFactory()
    popularity.tally.add(story.pk)
    popularity.tally.send_quietly()
    assert cache.get(popularity._count_key(popularity._bucket(), story.pk)) == 1
    assert popularity.tally.reads == {} and popularity.tally.timer is None


def test_old_hourly_rows_are_pruned_by_a_flush():
    story = ArticleFactory()
    StoryViewCount.objects.create(story=story, hour=hour_ago(24 * 10), views=5)
    popularity.record_view(story.pk)
    popularity.flush()
    assert list(StoryViewCount.objects.values_list("views", flat=True)) == [1]


def test_flush_most_read_command_reports_what_it_moved():
    story = ArticleFactory()
    popularity.record_view(story.pk)
    popularity.record_view(story.pk)
    out = StringIO()
    call_command("flush_most_read", stdout=out)
    assert out.getvalue().strip() == "Moved 2 page views into the most-read table."
    out = StringIO()
    call_command("flush_most_read", stdout=out)
    assert "Moved 0 page views" in out.getvalue()


def test_no_list_is_shown_before_anyone_has_read_anything(client):
    story = ArticleFactory()
    html = client.get(story.get_absolute_url(), HTTP_USER_AGENT=BROWSER).content.decode()
    assert "Most read now" not in html
    assert "Most read now" not in client.get("/").content.decode()


def test_is_bot_keeps_ordinary_browsers():
    for agent in (
        BROWSER,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile Safari/604.1",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
    ):
        assert not popularity.is_bot(agent), agent


def test_rows_keep_their_hour_in_utc():
    story = ArticleFactory()
    popularity.record_view(story.pk)
    popularity.flush()
    row = StoryViewCount.objects.get(story=story)
    assert row.hour.minute == 0 and row.hour.second == 0
    assert abs(row.hour - datetime.now(UTC)) < timedelta(hours=1)


def test_a_story_page_lists_five_other_stories_not_itself(client):
    stories = [ArticleFactory(headline=f"Popular story {n}") for n in range(6)]
    for n, story in enumerate(stories):
        StoryViewCount.objects.create(story=story, hour=hour_ago(1), views=100 - n)
    html = client.get(stories[0].get_absolute_url(), HTTP_USER_AGENT=BROWSER).content.decode()
    listed = html.split('class="most-read__list"')[1].split("</ol>")[0]
    assert "Popular story 0" not in listed
    assert all(f"Popular story {n}" in listed for n in range(1, 6))
    front = client.get("/").content.decode().split('class="most-read__list"')[1].split("</ol>")[0]
    assert all(f"Popular story {n}" in front for n in range(5)) and "Popular story 5" not in front


@pytest.fixture
def whole_page_cache(settings, monkeypatch):
    """The production arrangement: MostReadMiddleware just above the page cache, which keeps the story header."""
    pagecache = pytest.importorskip("newsroom.pagecache")
    settings.DATELINE_PAGE_CACHE = True
    middleware = [m for m in settings.MIDDLEWARE if m != "newsroom.popularity.MostReadMiddleware"]
    if "newsroom.pagecache.PageCacheMiddleware" not in middleware:
        middleware.append("newsroom.pagecache.PageCacheMiddleware")
    position = middleware.index("newsroom.pagecache.PageCacheMiddleware")
    settings.MIDDLEWARE = [*middleware[:position], "newsroom.popularity.MostReadMiddleware", *middleware[position:]]
    if popularity.STORY_HEADER not in pagecache.KEPT_HEADERS:
        monkeypatch.setattr(pagecache, "KEPT_HEADERS", (*pagecache.KEPT_HEADERS, popularity.STORY_HEADER))


def test_views_of_pages_served_from_the_page_cache_are_counted(client, whole_page_cache):
    story = ArticleFactory()
    responses = [read(client, story) for _ in range(3)]
    assert [r["X-Page-Cache"] for r in responses] == ["miss", "hit", "hit"]
    assert all(popularity.STORY_HEADER not in r for r in responses), "the marker never reaches the reader"
    read(client, story, user_agent="Googlebot/2.1")
    assert popularity.flush() == 3
    assert views_of(story) == 3


def test_the_middleware_ignores_pages_that_are_not_story_views(client, whole_page_cache):
    ArticleFactory()
    assert client.get("/", HTTP_USER_AGENT=BROWSER).status_code == 200
    assert popularity.flush() == 0


# Beacon counting: an HTTP cache answers the story pages, so the page's script reports each read. -------------


@pytest.fixture
def beacon(settings):
    settings.DATELINE_MOST_READ_COUNTING = "beacon"
    return settings


def report(client, story_id, user_agent=BROWSER, **headers):
    return client.post(f"/reads/{story_id}/", HTTP_USER_AGENT=user_agent, **headers)


def most_read_list(html: str) -> str:
    return html.split('class="most-read__list"')[1].split("</ol>")[0]


def test_a_reported_read_counts_once_and_the_list_shows_the_story_after_a_flush(
    client, beacon, django_assert_num_queries
):
    story = ArticleFactory(headline="Ferry timetable changes")
    with django_assert_num_queries(1):
        response = report(client, story.pk)
    assert response.status_code == 204
    assert response.content == b""
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert StoryViewCount.objects.count() == 0, "a reported read must not write to the database"
    assert popularity.flush() == 1
    assert views_of(story) == 1
    assert "Ferry timetable changes" in most_read_list(client.get("/", HTTP_USER_AGENT=BROWSER).content.decode())


def test_a_reported_read_needs_no_form_token(beacon):
    story = EventFactory()
    checked = Client(enforce_csrf_checks=True)
    assert report(checked, story.pk).status_code == 204
    assert popularity.flush() == 1


@pytest.mark.parametrize(
    "user_agent",
    ["", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "curl/8.5", "HeadlessChrome/131"],
)
def test_reads_reported_by_bots_are_answered_but_not_counted(client, beacon, user_agent):
    story = ArticleFactory()
    assert report(client, story.pk, user_agent=user_agent).status_code == 204
    assert popularity.flush() == 0


def test_reads_reported_by_prerendered_pages_or_staff_are_not_counted(client, beacon):
    story = ArticleFactory()
    assert report(client, story.pk, HTTP_SEC_PURPOSE="prefetch;prerender").status_code == 204
    client.force_login(StaffFactory())
    assert report(client, story.pk).status_code == 204
    assert popularity.flush() == 0


def test_reads_reported_from_another_sites_pages_are_not_counted(client, beacon):
    story = ArticleFactory()
    for site in ("cross-site", "same-site"):
        assert report(client, story.pk, HTTP_SEC_FETCH_SITE=site).status_code == 204
    assert popularity.flush() == 0
    report(client, story.pk, HTTP_SEC_FETCH_SITE="same-origin")
    assert popularity.flush() == 1


def test_reads_of_unknown_unpublished_or_malformed_stories_are_refused_cleanly(client, beacon):
    draft = ArticleFactory(status=Status.DRAFT, publish_at=None)
    scheduled = EventFactory(publish_at=datetime.now(UTC) + timedelta(days=1))
    withdrawn = ArticleFactory()
    withdrawn.status = Status.WITHDRAWN
    withdrawn.save()
    for story_id in (draft.pk, scheduled.pk, withdrawn.pk, 987654, 0, "99999999999999999999"):
        assert report(client, story_id).status_code == 404, story_id
    for path in ("/reads/abc/", "/reads/-1/", "/reads/1.5/", "/reads/%00/"):
        assert client.post(path, HTTP_USER_AGENT=BROWSER).status_code in (400, 404), path
    published = ArticleFactory()
    assert client.get(f"/reads/{published.pk}/", HTTP_USER_AGENT=BROWSER).status_code == 405
    assert popularity.flush() == 0


def test_one_address_adds_only_a_few_reads_of_a_story_an_hour(client, beacon):
    beacon.DATELINE_MOST_READ_PER_ADDRESS = "3/h"
    hammered = ArticleFactory()
    other = ArticleFactory()
    for _ in range(20):
        assert report(client, hammered.pk, REMOTE_ADDR="203.0.113.7").status_code == 204
    report(client, other.pk, REMOTE_ADDR="203.0.113.7")
    report(client, hammered.pk, REMOTE_ADDR="198.51.100.2")
    popularity.flush()
    assert views_of(hammered) == 4
    assert views_of(other) == 1


def test_behind_trusted_proxies_the_allowance_follows_the_forwarded_address(client, beacon):
    beacon.DATELINE_MOST_READ_PER_ADDRESS = "1/h"
    beacon.COMMENTS_TRUSTED_PROXIES = 1
    story = ArticleFactory()
    for reader in ("203.0.113.7", "203.0.113.8", "203.0.113.7"):
        report(client, story.pk, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=reader)
    popularity.flush()
    assert views_of(story) == 2


def test_with_the_cache_failing_a_reported_read_answers_204_and_counts_nothing(client, beacon, monkeypatch):
    story = ArticleFactory()

    def broken(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(popularity, "get_usage", broken)
    assert report(client, story.pk).status_code == 204
    monkeypatch.setattr(popularity, "get_usage", lambda *args, **kwargs: None)
    assert report(client, story.pk).status_code == 204
    monkeypatch.undo()
    assert popularity.flush() == 0


def test_in_beacon_mode_story_pages_count_nothing_themselves(client, beacon):
    story = ArticleFactory()
    read(client, story, times=3)
    assert popularity.flush() == 0


def test_in_beacon_mode_pages_served_twice_by_the_page_cache_count_nothing(client, beacon, whole_page_cache):
    story = ArticleFactory()
    responses = [read(client, story) for _ in range(2)]
    assert [r["X-Page-Cache"] for r in responses] == ["miss", "hit"]
    assert all(popularity.STORY_HEADER not in r for r in responses)
    assert popularity.flush() == 0
    report(client, story.pk)
    assert popularity.flush() == 1


def test_in_server_mode_the_endpoint_counts_nothing_and_pages_carry_no_script(client, settings):
    settings.DATELINE_MOST_READ_COUNTING = "server"
    story = ArticleFactory()
    StoryViewCount.objects.create(story=ArticleFactory(headline="Popular elsewhere"), hour=hour_ago(1), views=5)
    assert report(client, story.pk).status_code == 204
    html = read(client, story).content.decode()
    assert "reads.js" not in html and "data-most-read" not in html
    assert "Popular elsewhere" in most_read_list(html)
    assert popularity.flush() == 1, "only the page view the server saw"


def test_in_beacon_mode_a_story_page_carries_the_script_and_the_box_fetches_the_current_list(client, beacon):
    story = EventFactory()
    html = read(client, story).content.decode()
    assert f'src="/static/js/reads.js" defer data-read-url="/reads/{story.pk}/"' in html
    # Nobody has read anything yet: the box is there, hidden, for the script to fill.
    assert 'data-most-read="/most-read/"' in html
    assert '<section class="most-read"' in html and " hidden>" in html
    printed = client.get(story.get_absolute_url() + "print/", HTTP_USER_AGENT=BROWSER).content.decode()
    assert "reads.js" not in printed
    front = client.get("/", HTTP_USER_AGENT=BROWSER).content.decode()
    assert 'src="/static/js/reads.js" defer>' in front and "data-read-url" not in front


def test_a_draft_seen_by_its_editor_reports_no_read(client, beacon):
    draft = ArticleFactory(status=Status.DRAFT, publish_at=None)
    client.force_login(StaffFactory(is_superuser=True))
    response = client.get(draft.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200
    assert draft.title in response.content.decode()
    assert "data-read-url" not in response.content.decode()


def test_the_box_address_lists_the_most_read_stories_publicly_for_a_minute(client, django_assert_max_num_queries):
    stories = [ArticleFactory(headline=f"Popular story {n}") for n in range(8)]
    for n, story in enumerate(stories):
        StoryViewCount.objects.create(story=story, hour=hour_ago(1), views=100 - n)
    with django_assert_max_num_queries(1):
        response = client.get("/most-read/", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert control == {"public", "max-age=60"}
    assert "most-read" in response["xkey"].split() and f"story:{stories[0].pk}" in response["xkey"].split()
    listed = most_read_list(response.content.decode())
    # One more than the box shows, so a story page can leave itself out.
    positions = [listed.index(f"Popular story {n}<") for n in range(6)]
    assert positions == sorted(positions)
    assert "Popular story 6" not in listed
    with django_assert_max_num_queries(0):
        again = client.get("/most-read/", HTTP_USER_AGENT=BROWSER)
    assert again.content == response.content
    assert client.head("/most-read/").status_code == 200
    assert client.post("/most-read/").status_code == 405


def test_the_box_address_is_kept_no_longer_than_what_is_left_of_the_lists_minute(client):
    ArticleFactory()
    worked_out, _ = popularity.most_read_rows()
    cache.set(popularity.LIST_KEY, (worked_out - 45, []), popularity.LIST_TTL)
    response = client.get("/most-read/")
    assert response.status_code == 200 and response.content.strip() == b""
    assert 14 <= int(response["Cache-Control"].split("max-age=")[1].split(",")[0]) <= 15


def test_the_box_address_is_not_kept_for_a_day_by_the_page_cache(client, whole_page_cache):
    story = ArticleFactory(headline="Read widely")
    StoryViewCount.objects.create(story=story, hour=hour_ago(1), views=3)
    first = client.get("/most-read/", HTTP_USER_AGENT=BROWSER)
    assert "X-Page-Cache" not in first and "s-maxage" not in first["Cache-Control"]
    assert "max-age=60" in first["Cache-Control"]
    StoryViewCount.objects.create(story=ArticleFactory(headline="Read more widely"), hour=hour_ago(1), views=9)
    cache.delete(popularity.LIST_KEY)
    assert "Read more widely" in client.get("/most-read/", HTTP_USER_AGENT=BROWSER).content.decode()


def test_a_flush_that_changes_the_list_leaves_kept_story_pages_alone(client, beacon, whole_page_cache):
    story = ArticleFactory()
    other = ArticleFactory(headline="Suddenly popular")
    assert read(client, story)["X-Page-Cache"] == "miss"
    report(client, other.pk)
    assert popularity.flush() == 1
    assert "Suddenly popular" in client.get("/most-read/", HTTP_USER_AGENT=BROWSER).content.decode()
    assert read(client, story)["X-Page-Cache"] == "hit", "no purge of story pages when the list moves"


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "server"),
        ({"HTTP_CACHE_PURGE_URLS": "http://127.0.0.1:6081/"}, "beacon"),
        ({"HTTP_CACHE_PURGE_URLS": "http://127.0.0.1:6081/", "MOST_READ_COUNTING": "server"}, "server"),
        ({"MOST_READ_COUNTING": "Beacon"}, "beacon"),
    ],
)
def test_counting_defaults_to_beacon_when_an_http_cache_is_in_front(environment, expected):
    assert counting_under(environment) == (0, expected)


def test_a_misspelt_counting_mode_or_allowance_stops_the_site_from_starting():
    assert counting_under({"MOST_READ_COUNTING": "both"})[0] != 0
    assert counting_under({"MOST_READ_PER_ADDRESS": "lots"})[0] != 0


def counting_under(environment: dict[str, str]) -> tuple[int, str]:
    keep = {
        name: value
        for name, value in os.environ.items()
        if name not in ("HTTP_CACHE_PURGE_URLS", "MOST_READ_COUNTING", "MOST_READ_PER_ADDRESS")
    }
    code = "import django; django.setup(); from django.conf import settings as s; print(s.DATELINE_MOST_READ_COUNTING)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env={**keep, "DJANGO_SETTINGS_MODULE": "newsroom.settings", **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.returncode, result.stdout.strip()
