"""Whole-page caching for anonymous readers: what is stored, what never is, and that changes show at once."""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from newsroom import pagecache
from newsroom.models import Status
from newsroom.services import add_correction
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    EventFactory,
    SectionFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.DATELINE_PAGE_CACHE = True


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a write's after-commit hooks, as a real request's transaction would."""

    def run(write):
        with django_capture_on_commit_callbacks(execute=True):
            return write()

    return run


def test_second_reader_gets_the_stored_page_without_queries(client, django_assert_num_queries):
    story = ArticleFactory(headline="Harbour reopens", tags=["Harbour"])
    first = client.get(story.get_absolute_url())
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(story.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    assert second.content.count(b"Harbour reopens") == first.content.count(b"Harbour reopens")
    assert second["ETag"] and second["Last-Modified"]


def test_list_pages_are_public_to_shared_caches(client):
    ArticleFactory(headline="Front page story")
    client.get("/")
    response = client.get("/")
    assert response["X-Page-Cache"] == "hit"
    assert response["Cache-Control"].startswith("public, max-age=")
    assert "Cookie" in response["Vary"]


def test_revalidation_answers_not_modified(client):
    ArticleFactory()
    etag = client.get("/")["ETag"]
    response = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


def test_published_correction_shows_at_once(client, committed):
    story = ArticleFactory(headline="Bridge toll rises")
    url = story.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    committed(lambda: add_correction(story=story, note="The toll rises by 20p, not 50p.", by=None))
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "The toll rises by 20p, not 50p." in response.content.decode()


def test_newly_published_story_shows_on_every_list_at_once(client, committed):
    ArticleFactory(headline="Older story", tags=["Harbour"])
    for url in ("/", "/news/", "/tags/harbour/"):
        client.get(url)
    committed(lambda: ArticleFactory(headline="Fresh harbour news", tags=["Harbour"]))
    for url in ("/", "/news/", "/tags/harbour/"):
        assert "Fresh harbour news" in client.get(url).content.decode(), url


def test_edited_story_changes_the_related_box_of_its_neighbours(client, committed):
    neighbour = EventFactory(summary="Ferry strike called off.", tags=["Ferries"])
    story = EventFactory(summary="Ferry timetable changes.", tags=["Ferries"])
    url = story.get_absolute_url()
    assert "Ferry strike called off." in client.get(url).content.decode()

    def edit():
        neighbour.summary = "Ferry strike goes ahead."
        neighbour.save()

    committed(edit)
    page = client.get(url).content.decode()
    assert "Ferry strike goes ahead." in page
    assert "Ferry strike called off." not in page


def test_withdrawn_story_leaves_the_lists_at_once(client, committed):
    story = ArticleFactory(headline="Story to withdraw")
    assert "Story to withdraw" in client.get("/").content.decode()

    def withdraw():
        story.status = Status.WITHDRAWN
        story.save()

    committed(withdraw)
    assert "Story to withdraw" not in client.get("/").content.decode()


def test_approved_comment_shows_at_once_but_a_held_one_keeps_the_page(client, committed):
    story = ArticleFactory()
    url = story.get_absolute_url()
    client.get(url)
    committed(lambda: CommentFactory(story=story, status="pending", body="Waiting for a moderator."))
    assert client.get(url)["X-Page-Cache"] == "hit"
    committed(lambda: CommentFactory(story=story, body="An approved thought."))
    response = client.get(url)
    assert "An approved thought." in response.content.decode()


def test_staff_are_never_served_or_stored(client):
    story = ArticleFactory()
    client.force_login(StaffFactory())
    for _ in range(2):
        response = client.get(story.get_absolute_url())
        assert "X-Page-Cache" not in response
    client.logout()
    assert client.get(story.get_absolute_url())["X-Page-Cache"] == "miss"


def test_staff_preview_of_a_draft_is_not_stored(client):
    draft = ArticleFactory(status=Status.DRAFT, publish_at=None)
    client.force_login(StaffFactory())
    assert client.get(draft.get_absolute_url()).status_code == 200
    client.logout()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_reader_with_a_session_sees_their_own_page(client):
    story = ArticleFactory()
    client.get(story.get_absolute_url())
    session = client.session
    session["comments_posted"] = [12345]
    session.save()
    assert "X-Page-Cache" not in client.get(story.get_absolute_url())


def test_posts_and_errors_are_not_stored(client):
    story = ArticleFactory()
    client.post(story.get_absolute_url(), {})
    assert client.get("/tags/no-such-context/").status_code == 404
    assert "X-Page-Cache" not in client.get("/tags/no-such-context/")


def test_a_story_page_with_an_open_comment_form_is_stored_once_and_shared_by_every_reader(client, monkeypatch):
    from django.test import Client

    story = ArticleFactory(headline="Harbour reopens", comments="open")
    url = story.get_absolute_url()
    stored = []
    real_store = pagecache.PageCacheMiddleware.store
    monkeypatch.setattr(
        pagecache.PageCacheMiddleware, "store", lambda self, *args: stored.append(args[0]) or real_store(self, *args)
    )
    first, second = Client(), Client()
    pages = [first.get(url), second.get(url)]
    assert len(stored) == 1, "the page is stored once for both readers"
    assert [page["X-Page-Cache"] for page in pages] == ["miss", "hit"]
    for page in pages:
        body = page.content.decode()
        assert 'name="body"' in body, "the comment form is on the page"
        assert "csrfmiddlewaretoken" not in body
        assert '<input type="hidden" name="started" value="">' in body
        assert page["Cache-Control"].startswith("public, max-age=") and "s-maxage=" in page["Cache-Control"]
        assert not page.cookies, "a shared page sets no cookie"
    assert pages[0].content == pages[1].content


def test_a_response_that_sets_any_cookie_is_not_stored(client, monkeypatch):
    from newsroom import views

    story = ArticleFactory(comments="open")
    real = views.StoryDetailView.render_to_response

    def with_cookie(self, *args, **kwargs):
        response = real(self, *args, **kwargs)
        response.set_cookie("csrftoken", "x" * 32)
        return response

    monkeypatch.setattr(views.StoryDetailView, "render_to_response", with_cookie)
    client.get(story.get_absolute_url())
    assert "X-Page-Cache" not in client.get(story.get_absolute_url()), "rendered again, never stored"


def test_a_scheduled_story_shows_on_stored_lists_when_it_falls_due(client, monkeypatch):
    due = timezone.now() + timedelta(hours=1)
    story = ArticleFactory(headline="Budget statement", status=Status.SCHEDULED, publish_at=due, tags=["Budget"])
    ArticleFactory(headline="Budget preview", tags=["Budget"])
    first = client.get("/news/")
    assert "Budget statement" not in first.content.decode()
    # An HTTP cache in front keeps the list no longer than until the story goes live.
    shared = int(first["Cache-Control"].split("s-maxage=")[1])
    assert 3500 < shared <= 3600
    assert client.get("/news/")["X-Page-Cache"] == "hit"
    # The hour passes, with no save at all (no cron either): the stored list is rendered again.
    type(story).objects.filter(pk=story.pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    monkeypatch.setattr(pagecache.time, "time", lambda: due.timestamp() + 1)
    response = client.get("/news/")
    assert response["X-Page-Cache"] == "miss"
    assert "Budget statement" in response.content.decode()


def test_the_first_reader_after_a_scheduled_story_falls_due_sees_it_and_the_list_is_stored_again(client):
    due = timezone.now() + timedelta(hours=1)
    story = ArticleFactory(headline="Budget statement", status=Status.SCHEDULED, publish_at=due)
    ArticleFactory(headline="Budget preview")
    client.get("/news/")
    assert client.get("/news/")["X-Page-Cache"] == "hit"
    # The moment passes while the stored list is still fresh in the cache.
    type(story).objects.filter(pk=story.pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    cache.set(pagecache.DUE_KEY, time.time() - 1)
    response = client.get("/news/")
    assert "Budget statement" in response.content.decode()
    assert client.get("/news/")["X-Page-Cache"] == "hit"


def test_cache_can_be_switched_off(client, settings):
    settings.DATELINE_PAGE_CACHE = False
    ArticleFactory()
    client.get("/")
    assert "X-Page-Cache" not in client.get("/")


def test_context_counts_are_never_recounted_and_follow_a_new_story_at_once(client, committed):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(25):
        ArticleFactory(headline=f"Harbour story {n}", tags=["Harbour"])
    client.get("/tags/harbour/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/tags/harbour/?page=2").status_code == 200
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"]]
    committed(lambda: ArticleFactory(headline="Latest harbour story", tags=["Harbour"]))
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/tags/harbour/").content.decode()
    assert "Latest harbour story" in page and "26 stories" in page
    # The database keeps the counts as links change (newsroom.models.ContextMonth): nothing counts them.
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"]]


def test_a_stored_page_costs_one_cache_round_trip_and_never_opens_a_session(client, monkeypatch):
    from django.contrib.sessions.backends.base import SessionBase
    from django.core.cache import cache

    ArticleFactory(headline="Night buses return", tags=["Buses"])
    client.get("/tags/buses/")
    calls, depth = [], [0]

    def spy(name, real):
        # Only the calls the middleware makes: a backend's get_many may loop over get inside.
        def call(*args, **kwargs):
            if not depth[0]:
                calls.append(name)
            depth[0] += 1
            try:
                return real(*args, **kwargs)
            finally:
                depth[0] -= 1

        return call

    for name in ("get", "get_many", "set", "set_many", "delete", "incr", "add"):
        monkeypatch.setattr(cache, name, spy(name, getattr(cache, name)))
    monkeypatch.setattr(SessionBase, "_get_session", lambda *a, **k: pytest.fail("a stored page opened a session"))
    response = client.get("/tags/buses/")
    assert response["X-Page-Cache"] == "hit"
    assert "Night buses return" in response.content.decode()
    assert calls == ["get_many"]
    assert response["X-Frame-Options"] == "DENY"


def test_a_reader_can_post_a_comment_from_a_stored_page_with_csrf_checks_on(client):
    from django.test import Client

    from newsroom.comments.models import Comment
    from tests.comments.utils import form_data, post_url

    story = ArticleFactory(comments="open")
    client.get(story.get_absolute_url())
    reader = Client(enforce_csrf_checks=True)
    page = reader.get(story.get_absolute_url())
    assert page["X-Page-Cache"] == "hit"
    # What comments.js does when the reader starts to write.
    token = reader.get(f"/comments/token/{story.pk}/").json()["csrfmiddlewaretoken"]
    answer = reader.post(post_url(story), {**form_data(story), "csrfmiddlewaretoken": token})
    assert answer.status_code == 302
    assert Comment.objects.get(story=story, name="Maria Lopes").status == "pending"
    forged = Client(enforce_csrf_checks=True).post(
        post_url(story), {**form_data(story, body="Forged elsewhere."), "csrfmiddlewaretoken": token}
    )
    assert forged.status_code == 200
    assert "Confirm your comment" in forged.content.decode()
    assert not Comment.objects.filter(body="Forged elsewhere.").exists()


def test_a_page_that_lists_the_sections_twice_reads_them_from_the_cache_once(client, monkeypatch, settings):
    from django.core.cache import cache

    from newsroom.context_processors import NAV_CACHE_KEY

    # Every request renders the page instead of replaying a stored copy.
    settings.DATELINE_PAGE_CACHE = False
    SectionFactory(name="World", slug="world")
    client.get("/search/")
    keys = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *args, **kwargs: keys.append(key) or real_get(key, *args, **kwargs))
    html = client.get("/search/").content.decode()
    # The header and the search hint both offer the sections.
    assert html.count('href="/sections/world/"') == 2
    assert keys.count(NAV_CACHE_KEY) == 1


def test_a_day_gaining_its_first_story_renews_only_its_neighbours_links(client, committed):
    section = SectionFactory(name="Coast", slug="coast")

    def on(day: int, headline: str):
        moment = timezone.now().replace(year=2024, month=4, day=day, hour=9, minute=0, second=0, microsecond=0)
        return ArticleFactory(headline=headline, publish_at=moment, section=section)

    on(1, "Ferry timetable changes")
    on(10, "Harbour wall repaired")
    on(20, "Bridge toll rises")
    for url in ("/news/2024/04/01/", "/news/2024/04/10/", "/news/2024/04/20/"):
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit"

    committed(lambda: on(15, "Lighthouse relit"))

    before, after = client.get("/news/2024/04/10/"), client.get("/news/2024/04/20/")
    assert before["X-Page-Cache"] == after["X-Page-Cache"] == "miss"
    assert "/news/2024/04/15/" in before.content.decode(), "the day before now links forward to the new day"
    assert "/news/2024/04/15/" in after.content.decode(), "the day after now links back to the new day"
    # A day further away still links to the same neighbours: its stored page stays.
    far = client.get("/news/2024/04/01/")
    assert far["X-Page-Cache"] == "hit", far["Surrogate-Key"]


def test_a_new_story_by_an_author_leaves_other_pages_with_their_byline_stored(client, committed):
    author = AuthorFactory(name="Ana Ruiz", slug="ana-ruiz")
    section = SectionFactory(name="Coast", slug="coast")
    older = ArticleFactory(headline="Harbour wall repaired", authors=[author], section=section)
    url = older.get_absolute_url()
    client.get(url)
    client.get("/authors/ana-ruiz/")

    committed(lambda: ArticleFactory(headline="Lighthouse relit", authors=[author], section=section))

    assert client.get(url)["X-Page-Cache"] == "hit", "the older story's byline did not change"
    assert "Lighthouse relit" in client.get("/authors/ana-ruiz/").content.decode()


def test_renaming_an_author_renews_every_page_with_their_byline(client, committed):
    author = AuthorFactory(name="Ana Ruiz", slug="ana-ruiz")
    story = ArticleFactory(headline="Harbour wall repaired", authors=[author])
    url = story.get_absolute_url()
    assert "Ana Ruiz" in client.get(url).content.decode()

    def rename():
        author.name = "Ana Ruiz-Costa"
        author.save()

    committed(rename)
    assert "Ana Ruiz-Costa" in client.get(url).content.decode()
