"""check_sources against a real HTTP server on this machine: each kind of answer a cited link can give."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from newsroom.linkcheck import Checker
from newsroom.management.commands.check_sources import ADVISORY_LOCK_ID, LOCK_KEY
from newsroom.models import LinkCheck, Source, Status
from tests.factories import ArticleFactory, OutletFactory

# Generous: the machine running the tests may be busy, and a slow answer must not read as a dead host.
TIMEOUT = 2.0


class Handler(BaseHTTPRequestHandler):
    seen: list[tuple[str, str, str]] = []

    def log_message(self, *args):
        pass

    def answer(self, body: bool):
        self.seen.append((self.command, self.path, self.headers.get("User-Agent", "")))
        path = self.path
        if path == "/robots.txt":
            self.send_response(200)
            self.end_headers()
            if body:
                self.wfile.write(b"User-agent: *\nDisallow: /private/\n")
            return
        if path == "/ok":
            self.send_response(200)
        elif path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
        elif path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
        elif path == "/moved-gone":
            self.send_response(308)
            self.send_header("Location", "/gone")
        elif path == "/gone":
            self.send_response(410)
        elif path == "/broken":
            self.send_response(503)
        elif path == "/no-head":
            self.send_response(405 if self.command == "HEAD" else 200)
        elif path == "/slow":
            time.sleep(TIMEOUT * 2)
            self.send_response(200)
        elif path.startswith("/private/"):
            self.send_response(200)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self):
        self.answer(body=False)

    def do_GET(self):
        self.answer(body=True)


@pytest.fixture
def server():
    Handler.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def silent_server():
    """Accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def cite(url: str, *, story=None, published_on=None) -> Source:
    story = story or ArticleFactory()
    return Source.objects.create(story=story, outlet=OutletFactory(), url=url, published_on=published_on)


def run(*args) -> str:
    out = StringIO()
    call_command("check_sources", "--timeout", str(TIMEOUT), *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.mark.django_db
def test_each_kind_of_answer_is_recorded_with_what_an_editor_needs(server):
    for path in ("/ok", "/moved", "/gone", "/missing", "/broken", "/slow", "/loop", "/no-head", "/moved-gone"):
        cite(server + path)
    output = run()
    checks = {check.url.removeprefix(server): check for check in LinkCheck.objects.all()}
    assert {path: check.status for path, check in checks.items()} == {
        "/ok": "ok",
        "/moved": "redirected",
        "/gone": "gone",
        "/missing": "gone",
        "/broken": "error",
        "/slow": "error",
        "/loop": "error",
        "/no-head": "ok",
        "/moved-gone": "gone",
    }
    assert checks["/moved"].redirect_to == server + "/ok"
    assert checks["/broken"].detail == "HTTP 503"
    assert checks["/slow"].detail == "timed out"
    assert checks["/loop"].detail == "more than 5 redirects"
    assert checks["/gone"].detail == "HTTP 410"
    assert "Checked 9 addresses" in output


@pytest.mark.django_db
def test_a_server_that_never_answers_times_out_as_an_error_once_per_host(silent_server):
    for n in range(6):
        cite(f"{silent_server}/story-{n}")
    started = time.monotonic()
    run("--workers", "2")
    assert set(LinkCheck.objects.values_list("status", "detail")) == {("error", "timed out")}
    # Its robots.txt request gives up after the timeout, and its links are then not each waited for again.
    assert time.monotonic() - started < TIMEOUT * 4


@pytest.mark.django_db
def test_robots_txt_is_read_once_per_host_and_obeyed(server):
    cite(server + "/private/memo")
    cite(server + "/ok")
    run()
    assert LinkCheck.objects.get(url=server + "/private/memo").status == "blocked"
    assert LinkCheck.objects.get(url=server + "/ok").status == "ok"
    asked = [path for _, path, _ in Handler.seen]
    assert asked.count("/robots.txt") == 1
    assert "/private/memo" not in asked


@pytest.mark.django_db
def test_requests_name_dateline_and_the_site(server, settings):
    settings.COMMENTS_SITE_URL = "https://news.example"
    cite(server + "/ok")
    run()
    agents = {agent for _, _, agent in Handler.seen}
    assert agents == {"Dateline link checker (Dateline; +https://news.example/)"}


@pytest.mark.django_db
def test_status_since_stays_while_the_answer_stays_the_same(server):
    cite(server + "/gone")
    run()
    first = LinkCheck.objects.get()
    LinkCheck.objects.filter(pk=first.pk).update(
        checked_at=first.checked_at - timedelta(days=3), status_since=first.status_since - timedelta(days=3)
    )
    run()
    again = LinkCheck.objects.get()
    assert again.status_since == first.status_since - timedelta(days=3)
    assert again.checked_at > first.checked_at - timedelta(days=3)


@pytest.mark.django_db
def test_recent_checks_are_not_repeated_and_limit_bounds_a_run(server):
    for path in ("/ok", "/gone", "/missing"):
        cite(server + path)
    assert "Checked 2 addresses" in run("--limit", "2")
    assert "Checked 1 address:" in run()
    assert "Checked 0 addresses." in run()
    assert "Checked 3 addresses" in run("--older-than", "0")


@pytest.mark.django_db
def test_only_published_skips_drafts_citations(server):
    cite(server + "/ok")
    cite(server + "/gone", story=ArticleFactory(status=Status.DRAFT, publish_at=None))
    run("--only-published")
    assert list(LinkCheck.objects.values_list("url", flat=True)) == [server + "/ok"]


@pytest.mark.django_db
def test_an_address_cited_twice_is_fetched_once(server):
    cite(server + "/ok")
    cite(server + "/ok")
    run()
    assert [path for _, path, _ in Handler.seen].count("/ok") == 1
    assert LinkCheck.objects.count() == 1


@pytest.mark.django_db
def test_a_gone_link_gets_a_proposed_archive_copy_for_its_date(server):
    source = cite(server + "/gone", published_on=date(2012, 4, 23))
    kept = cite(server + "/gone")
    Source.objects.filter(pk=kept.pk).update(archived_url="https://archive.example/copy")
    run()
    source.refresh_from_db()
    kept.refresh_from_db()
    assert source.proposed_archived_url == f"https://web.archive.org/web/20120423000000/{server}/gone"
    assert source.archived_copy == source.proposed_archived_url
    assert (kept.archived_copy, kept.proposed_archived_url) == ("https://archive.example/copy", "")


@contextmanager
def lock_held_elsewhere():
    """Another run's lock: on PostgreSQL an advisory lock held by another session, elsewhere the cache key."""
    if connection.vendor == "postgresql":
        other = connections.create_connection("default")
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK_ID])
        try:
            yield
        finally:
            # Let go before closing: the server releases a closed session's locks a moment later, and the
            # next run may ask first.
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_ID])
            other.close()
        return
    cache.add(LOCK_KEY, "someone else", 60)
    try:
        yield
    finally:
        cache.delete(LOCK_KEY)


@pytest.mark.django_db
def test_a_second_run_while_one_holds_the_lock_checks_nothing(server):
    cite(server + "/ok")
    with lock_held_elsewhere():
        output = run()
    assert "Another check_sources run is still going" in output
    assert not LinkCheck.objects.exists()
    run()
    assert LinkCheck.objects.count() == 1


def test_a_name_that_does_not_resolve_is_a_dns_error():
    result = Checker(user_agent="test", timeout=TIMEOUT).check("http://no-such-host.invalid/page")
    assert (result.status, result.detail) == ("error", "no such host (DNS)")


def test_bad_options_are_refused_clearly():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--limit must be at least 1"):
        call_command("check_sources", "--limit", "0")


@pytest.mark.django_db
def test_checked_at_is_now(server):
    cite(server + "/ok")
    before = timezone.now()
    run()
    assert LinkCheck.objects.get().checked_at >= before
