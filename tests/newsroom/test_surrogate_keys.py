"""Keyed page caching: pages name what they show, and a change purges only the pages showing it,
in the application's own page cache and in every HTTP cache in front."""

import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newsroom import surrogate
from newsroom.services import add_correction
from tests.factories import ArticleFactory, AuthorFactory, CommentFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.DATELINE_PAGE_CACHE = True
    surrogate.skipper._until.clear()
    surrogate.skipper._owed.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    def run(write):
        with django_capture_on_commit_callbacks(execute=True):
            return write()

    return run


class FakeVarnish:
    """Takes PURGE requests the way Varnish with xkey does, and remembers the keys of each."""

    def __init__(self):
        # Each PURGE's keys, leaving out the story-page keys that go with every story key (``hard`` has them).
        self.purges: list[set[str]] = []
        self.soft: list[set[str]] = []
        self.hard: list[set[str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_PURGE(self):
                hard, soft = (set(self.headers.get(name, "").split()) for name in ("xkey-purge", "xkey-softpurge"))
                fake.hard.append(hard)
                fake.soft.append(soft)
                named = {key for key in hard | soft if not key.startswith("story-page:")}
                if named:
                    fake.purges.append(named)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def purged(self) -> set[str]:
        return set().union(*self.purges) if self.purges else set()


@pytest.fixture
def varnish(settings):
    fake = FakeVarnish()
    settings.HTTP_CACHE_PURGE_URLS = [fake.url]
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def keys_of(response) -> set[str]:
    return set(response["Surrogate-Key"].split())


def test_a_story_page_names_what_it_shows(client):
    author = AuthorFactory(slug="ana-ruiz")
    section = SectionFactory(name="World", slug="world")
    story = ArticleFactory(
        headline="Harbour reopens", tags=["Harbour"], authors=[author], section=section, comments="closed"
    )
    neighbour = ArticleFactory(headline="Harbour wall repaired", tags=["Harbour"])

    response = client.get(story.get_absolute_url())

    keys = keys_of(response)
    assert response["xkey"] == response["Surrogate-Key"]
    assert {f"story:{story.pk}", f"thread:{story.pk}", "context:harbour", "author-name:ana-ruiz", "site"} <= keys
    assert f"story:{neighbour.pk}" in keys, "the Related box shows the neighbour"
    # The byline and the section link name them, but a new story by the same author or in the same section
    # changes nothing on this page: the listing keys are for the author's and the section's own pages.
    assert "author:ana-ruiz" not in keys
    assert f"section:{section.path}" not in keys
    assert "s-maxage=" in response["Cache-Control"] and response["ETag"]


def test_a_story_page_with_an_open_comment_form_is_public_to_shared_caches_with_its_keys(client):
    story = ArticleFactory(headline="Harbour reopens", comments="open")
    for expected in ("miss", "hit"):
        response = client.get(story.get_absolute_url())
        assert response["X-Page-Cache"] == expected
        assert 'name="body"' in response.content.decode()
        assert response["Cache-Control"].startswith("public, max-age=") and "s-maxage=" in response["Cache-Control"]
        assert {f"story:{story.pk}", f"thread:{story.pk}", "site"} <= keys_of(response)
        assert not response.cookies


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("/", {"front", "list:latest", "lists"}),
        ("/news/", {"list:latest", "lists"}),
        ("/tags/harbour/", {"context:harbour", "lists"}),
        ("/feeds/latest/rss/", {"list:latest"}),
    ],
)
def test_lists_name_themselves_and_every_story_they_show(client, address, expected):
    story = ArticleFactory(headline="Harbour reopens", tags=["Harbour"])
    keys = keys_of(client.get(address))
    assert expected <= keys
    assert f"story:{story.pk}" in keys


def test_day_pages_name_their_day(client):
    story = ArticleFactory(headline="Harbour reopens")
    day = story.date
    assert f"day:{day:%Y-%m-%d}" in keys_of(client.get(f"/news/{day:%Y/%m/%d}/"))
    assert f"month:{day:%Y-%m}" in keys_of(client.get(f"/news/{day:%Y/%m}/"))


def test_a_correction_renders_again_only_the_pages_that_show_the_story(client, committed):
    story = ArticleFactory(headline="Bridge toll rises", tags=["Bridges"])
    other = ArticleFactory(headline="Ferry fares fall", tags=["Ferries"])
    pages = [story.get_absolute_url(), "/tags/bridges/", "/", other.get_absolute_url(), "/tags/ferries/"]
    for page in pages:
        client.get(page)

    def correct():
        story.article.headline = "Bridge toll rises by 20p"
        story.article.save()

    committed(correct)
    served = {page: client.get(page) for page in pages}
    for page in pages[:3]:
        assert served[page]["X-Page-Cache"] == "miss", page
        assert "Bridge toll rises by 20p" in served[page].content.decode(), page
    for page in pages[3:]:
        assert served[page]["X-Page-Cache"] == "hit", page


def test_an_approved_comment_renders_again_only_its_story(client, committed):
    story = ArticleFactory(headline="Bridge toll rises", tags=["Bridges"], comments="closed")
    pages = [story.get_absolute_url(), "/tags/bridges/", "/"]
    for page in pages:
        client.get(page)
    committed(lambda: CommentFactory(story=story, body="A fair price for a new bridge."))
    assert "A fair price for a new bridge." in client.get(pages[0]).content.decode()
    assert client.get(pages[1])["X-Page-Cache"] == "hit"
    assert client.get(pages[2])["X-Page-Cache"] == "hit"


def test_publishing_purges_every_list_the_story_joins_in_the_http_cache(varnish, committed):
    author = AuthorFactory(slug="ana-ruiz")
    section = SectionFactory(name="World", slug="world")
    story = committed(
        lambda: ArticleFactory(headline="Harbour reopens", tags=["Harbour"], authors=[author], section=section)
    )
    day = story.date
    assert {
        f"story:{story.pk}",
        f"day:{day:%Y-%m-%d}",
        f"month:{day:%Y-%m}",
        f"year:{day:%Y}",
        "context:harbour",
        "author:ana-ruiz",
        f"section:{section.path}",
        "front",
        "list:latest",
    } <= varnish.purged()


def test_editing_a_story_purges_the_story_and_not_the_lists(varnish, committed):
    story = ArticleFactory(headline="Harbour reopens", tags=["Harbour"])

    def edit():
        story.article.standfirst = "Boats are back."
        story.article.save()

    committed(edit)
    assert varnish.purged() == {f"story:{story.pk}"}


def test_an_approved_comment_purges_only_its_thread(varnish, committed):
    story = ArticleFactory()
    committed(lambda: CommentFactory(story=story, body="Well reported."))
    assert varnish.purged() == {f"thread:{story.pk}"}
    # Readers of a busy story keep the page they had while the one with the new comment renders.
    assert set().union(*varnish.soft) == {f"thread:{story.pk}"}
    assert set().union(*varnish.hard) == set()


def test_a_held_comment_approved_later_purges_its_thread_softly(varnish, committed):
    story = ArticleFactory()
    comment = CommentFactory(story=story, status="pending", body="Waiting.")

    def approve():
        comment.status = "approved"
        comment.save()

    committed(approve)
    assert set().union(*varnish.soft) == {f"thread:{story.pk}"}
    assert set().union(*varnish.hard) == set()


@pytest.mark.parametrize("take_down", ["reject", "delete", "edit"])
def test_a_shown_comment_taken_down_or_edited_retires_its_story_page_at_once(varnish, committed, take_down):
    story = ArticleFactory()
    comment = CommentFactory(story=story, body="Something that has to go.")

    def change():
        if take_down == "delete":
            comment.delete()
            return
        if take_down == "reject":
            comment.status = "rejected"
        else:
            comment.body = "Removed by a moderator."
        comment.save()

    varnish.hard.clear()
    varnish.soft.clear()
    committed(change)
    assert set().union(*varnish.hard) == {f"story-page:{story.pk}"}
    assert set().union(*varnish.soft) == set()


def test_a_held_comment_purges_nothing(varnish, committed):
    story = ArticleFactory()
    committed(lambda: CommentFactory(story=story, status="pending", body="Waiting."))
    assert varnish.purges == []


def test_a_draft_edited_purges_nothing(varnish, committed):
    draft = ArticleFactory(status="draft", publish_at=None)

    def edit():
        draft.article.headline = "Still a draft"
        draft.article.save()

    committed(edit)
    assert varnish.purges == []


def test_a_cache_that_is_down_is_skipped_and_logged_without_holding_up_the_editor(
    settings, varnish, committed, caplog, client
):
    settings.HTTP_CACHE_PURGE_URLS = ["http://127.0.0.1:9/", varnish.url]
    story = ArticleFactory(headline="Harbour reopens")
    client.get(story.get_absolute_url())

    def edit():
        story.article.headline = "Harbour reopens at last"
        story.article.save()

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="newsroom.surrogate"):
        committed(edit)
    assert time.monotonic() - started < 2
    assert "did not take a purge" in caplog.text
    assert varnish.purged() == {f"story:{story.pk}"}, "the cache that answers still gets the purge"
    assert "Harbour reopens at last" in client.get(story.get_absolute_url()).content.decode()


def replicas_replaying(monkeypatch, *, in_time: bool) -> None:
    """Replicas that replay a change before the first purge (in_time) or only a moment after it."""
    monkeypatch.setattr(surrogate, "primary_position", lambda: "0/16B3748")
    monkeypatch.setattr(surrogate, "wait_for_replay", lambda position, replicas, deadline, *, close: in_time or close)


def test_with_replicas_the_keys_are_purged_again_once_they_have_caught_up(settings, varnish, committed, monkeypatch):
    settings.DATABASE_REPLICAS = ["replica1"]
    replicas_replaying(monkeypatch, in_time=False)
    story = ArticleFactory()

    def edit():
        story.article.standfirst = "Updated."
        story.article.save()

    committed(edit)
    deadline = time.monotonic() + 5
    while len(varnish.purges) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [keys for keys in varnish.purges if f"story:{story.pk}" in keys] == [{f"story:{story.pk}"}] * 2


def test_replicas_that_replay_the_change_at_once_need_only_one_purge(settings, varnish, committed, monkeypatch):
    settings.DATABASE_REPLICAS = ["replica1"]
    replicas_replaying(monkeypatch, in_time=True)
    story = ArticleFactory()

    def edit():
        story.article.standfirst = "Updated."
        story.article.save()

    committed(edit)
    time.sleep(0.5)
    assert [keys for keys in varnish.purges if f"story:{story.pk}" in keys] == [{f"story:{story.pk}"}]


def test_lists_are_purged_softly_and_the_story_itself_at_once(varnish, committed):
    story = ArticleFactory(headline="Harbour reopens", tags=["Harbour"])
    varnish.purges.clear()
    varnish.soft.clear()

    committed(lambda: add_correction(story=story, note="The harbour reopens on Monday.", by=None))
    committed(lambda: ArticleFactory(headline="Lighthouse relit", tags=["Harbour"]))

    soft = set().union(*varnish.soft)
    hard = set().union(*varnish.hard)
    assert f"story-page:{story.pk}" in hard, "a corrected story's own page is never answered from the old copy"
    assert {"front", "list:latest", "context:harbour"} <= soft, "lists may be answered while they re-render"
    assert f"story:{story.pk}" in soft, "pages linking to the story re-render in the background"
    assert not any(key.startswith("story-page:") for key in soft)


def test_only_a_storys_own_pages_carry_its_page_key(client):
    story = ArticleFactory(headline="Harbour reopens", tags=["Harbour"])
    own = client.get(story.get_absolute_url())
    front = client.get("/")
    assert f"story-page:{story.pk}" in keys_of(own)
    assert f"story:{story.pk}" in keys_of(front) and f"story-page:{story.pk}" not in keys_of(front)


def test_soft_purges_can_be_turned_off(varnish, committed, settings):
    settings.HTTP_CACHE_SOFT_PURGE = False
    varnish.soft.clear()
    committed(lambda: ArticleFactory(headline="Lighthouse relit", tags=["Harbour"]))
    assert "front" in varnish.purged()
    assert not set().union(*varnish.soft)


def test_keys_a_cache_missed_go_with_its_next_purge(settings, varnish, committed):
    story = ArticleFactory(headline="Harbour reopens")
    other = ArticleFactory(headline="Bridge toll rises")
    varnish.purges.clear()
    refusing = {"now": True}
    real_send = surrogate._send

    def flaky(url, keys, header="xkey-purge"):
        if refusing["now"]:
            raise surrogate.PurgeRefused("answered 503 Service Unavailable")
        return real_send(url, keys, header)

    surrogate._send = flaky
    try:
        committed(lambda: add_correction(story=story, note="The harbour reopens on Monday.", by=None))
        assert varnish.purges == []
        # The cache answers again (after it was left alone for a while): the next purge carries both changes.
        refusing["now"] = False
        surrogate.skipper._until.clear()
        committed(lambda: add_correction(story=other, note="The toll rises by 20p.", by=None))
    finally:
        surrogate._send = real_send
    assert {f"story:{story.pk}", f"story:{other.pk}"} <= varnish.purged()
