"""Dateline on several machines (deploy/cluster/cluster.py): Varnish, two application servers, a primary
and a streaming replica, Redis and S3, all on loopback.

An editor works through application server A over HTTP; a reader reads through Varnish and straight from
server B. Needs varnish and varnish-modules (Debian); skipped without them, except in CI.
"""

from __future__ import annotations

import http.cookiejar
import io
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy" / "cluster"))
import cluster  # noqa: E402

pytestmark = pytest.mark.cluster

PASSWORD = "harbour-desk-" + uuid.uuid4().hex[:8]
HEADLINE = "Harbour reopens after the storm"
CORRECTION = "The harbour reopened on Tuesday, not on Monday."

SETUP = """
from django.contrib.auth import get_user_model
from newsroom.models import Article, Author, Section, Status, Byline
from django.utils import timezone

User = get_user_model()
User.objects.create_superuser("desk", "desk@example.org", {password!r})
section = Section.objects.create(name="World", slug="world")
author = Author.objects.create(name="Ana Ruiz", slug="ana-ruiz")
neighbour = Article.objects.create(
    headline="Harbour wall repaired", slug="harbour-wall-repaired", standfirst="Work is done.",
    body="<p>The wall stands.</p>", section=section, status=Status.PUBLISHED,
    publish_at=timezone.now() - timezone.timedelta(hours=2), comments="closed",
)
neighbour.tags.add("Harbour")
elsewhere = Article.objects.create(
    headline="Council budget approved", slug="council-budget-approved", standfirst="A vote at last.",
    body="<p>The council voted.</p>", status=Status.PUBLISHED,
    publish_at=timezone.now() - timezone.timedelta(days=3), comments="closed",
)
elsewhere.tags.add("Council")
story = Article.objects.create(
    headline={headline!r}, slug="harbour-reopens", standfirst="Boats are back in the harbour.",
    body="<p>The harbour reopened this morning.</p>", section=section, status=Status.DRAFT, comments="closed",
)
story.tags.add("Harbour")
Byline.objects.create(article=story, author=author, order=0)
print(story.pk)
"""

LEAD_IMAGE = """
from newsroom.models import Article, Image
story = Article.objects.get(pk={pk})
story.lead_image = Image.objects.latest("uploaded_at")
story.save()
"""


# What a reader's browser sends; urllib's own name is a script's, and scripts' reads are not counted.
READER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"

COUNTED = """
from newsroom import popularity
from newsroom.models import StoryViewCount
popularity.flush()
print(sum(StoryViewCount.objects.using("default").filter(story_id={pk}).values_list("views", flat=True)))
"""


def skip_or_fail(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"the cluster test is required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def running():
    missing = cluster.missing_tools()
    if missing:
        skip_or_fail(f"needs {', '.join(missing)} (Debian: apt-get install {' '.join(missing)})")
    info = cluster.start()
    try:
        yield info
    finally:
        cluster.stop()


def shell(info: dict, code: str) -> str:
    answer = subprocess.run(
        [str(cluster.VENV_BIN / "python"), str(ROOT / "manage.py"), "shell", "-c", code],
        env={**os.environ, **info["env"]},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return answer.stdout.strip()


class Browser:
    """An HTTP client with cookies, enough for the admin's forms."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def open(self, path: str, data: bytes | None = None, headers: dict | None = None):
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        return response.status, dict(response.headers), response.read().decode("utf-8", "replace")

    def get(self, path: str):
        return self.open(path)

    def token(self, path: str) -> str:
        _, _, page = self.get(path)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def post(self, path: str, fields: dict, files: dict | None = None):
        fields = {"csrfmiddlewaretoken": self.token(path), **fields}
        if not files:
            return self.open(path, urllib.parse.urlencode(fields).encode(), {"Referer": self.base + path})
        boundary = uuid.uuid4().hex
        body = io.BytesIO()
        for name, value in fields.items():
            body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, content, kind) in files.items():
            body.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {kind}\r\n\r\n".encode()
            )
            body.write(content + b"\r\n")
        body.write(f"--{boundary}--\r\n".encode())
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": self.base + path}
        return self.open(path, body.getvalue(), headers)


def read(base: str, path: str) -> tuple[int, dict, str]:
    """A reader with no cookies at all."""
    return Browser(base).get(path)


def replica_story_reads(info: dict) -> int:
    import psycopg

    with psycopg.connect(info["replica"], autocommit=True) as db:
        row = db.execute(
            "SELECT COALESCE(seq_scan, 0) + COALESCE(idx_scan, 0) FROM pg_stat_user_tables"
            " WHERE relname = 'newsroom_story'"
        ).fetchone()
    return row[0] if row else 0


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (30, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def test_an_editor_on_one_server_and_readers_through_the_cache_agree(running):
    varnish, app_a, app_b = running["varnish"], running["app_a"], running["app_b"]
    pk = int(shell(running, SETUP.format(password=PASSWORD, headline=HEADLINE)).splitlines()[-1])

    replica_reads_before = replica_story_reads(running)
    editor = Browser(app_a)
    status, _, _ = editor.post("/admin/login/?next=/admin/", {"username": "desk", "password": PASSWORD})
    assert status == 200 and "sessionid" in {cookie.name for cookie in editor.jar}

    # An image uploaded through A goes to the bucket, not to A's disk.
    fields = {
        "caption": "Boats in the harbour",
        "credit": "Ana Ruiz / Dateline",
        "credit_kind": "photo",
        "alt_text": "Boats moored",
    }
    status, _, page = editor.post("/admin/newsroom/image/add/", fields, {"file": ("boats.png", png(), "image/png")})
    assert status == 200 and "errornote" not in page, page[:2000]
    shell(running, LEAD_IMAGE.format(pk=pk))

    status, _, page = editor.post(
        f"/admin/newsroom/article/{pk}/workflow/publish/",
        {"when": "now", "note": "", "override_reason": "Checked by the desk.", "publish_at": ""},
    )
    assert status == 200 and "is now published" in page, page[:3000]
    listing = read(varnish, "/news/")
    found = re.search(r'href="(/news/\d{4}/\d\d/\d\d/harbour-reopens/)"', listing[2])
    assert found, f"the published story is listed: {listing[0]} {listing[1]} {listing[2][-3000:]}"
    story = found.group(1)

    # Readers through Varnish see the story, its image, and the lists it joined; the second read is Varnish's.
    for path in (story, "/", "/tags/harbour/", "/news/"):
        status, headers, page = read(varnish, path)
        assert status == 200 and HEADLINE in page, path
        assert read(varnish, path)[1]["X-Cache"] == "hit", path
    # Varnish answered those story pages, so Django never saw the reads: the page's script reports each one.
    beacon = re.search(r'data-read-url="(/reads/\d+/)"', read(varnish, story)[2])
    assert beacon, "with Varnish in front, story pages count their reads from the reader's browser"
    status, _, _ = Browser(varnish).open(beacon.group(1), b"", {"User-Agent": READER})
    assert status == 204
    counted = shell(running, COUNTED.format(pk=pk)).splitlines()[-1]
    assert counted == "1", counted
    # Readers' lists are read from the replica: give it a moment to replay the flush.
    time.sleep(1)
    assert HEADLINE in read(varnish, "/most-read/")[2]
    media = re.escape(running["s3"])
    image = re.search(rf'src="({media}/[^"]+)"', read(varnish, story)[2]).group(1)
    with urllib.request.urlopen(image, timeout=10) as answer:
        assert answer.status == 200 and answer.read(12)[8:12] == b"WEBP"
    assert "Council budget approved" in read(varnish, "/tags/council/")[2]
    # Server B renders (or replays) the story too, so both servers have a kept copy.
    assert HEADLINE in read(app_b, story)[2]

    status, _, page = editor.post(f"/admin/newsroom/article/{pk}/correct/", {"note": CORRECTION})
    assert status == 200 and "The correction is published" in page

    # At once, through the cache and from server B, with no waiting for anything to expire.
    for base in (varnish, app_b, app_a):
        status, headers, page = read(base, story)
        assert status == 200 and CORRECTION in page, (base, headers)
    assert read(varnish, story)[1]["X-Cache"] == "hit"
    # Pages that do not show the story stay in the cache.
    assert read(varnish, "/tags/council/")[1]["X-Cache"] == "hit"

    # Until now anonymous readers' pages were read from the replica.
    assert replica_story_reads(running) > replica_reads_before

    # The replica goes away: readers see the same pages, rendered from the primary.
    cluster.stop_replica()
    for base in (varnish, app_a, app_b):
        for path in (story + "?from=" + base[-4:], "/tags/harbour/?page=1", "/sections/world/?page=1"):
            status, _, page = read(base, path)
            assert status == 200, (base, path)
            assert HEADLINE in page, (base, path)
        assert CORRECTION in read(base, story + "?again=" + base[-4:])[2]

    # A second correction while the replica is down: still seen at once.
    status, _, page = editor.post(f"/admin/newsroom/article/{pk}/correct/", {"note": "Boats may moor from noon."})
    assert status == 200
    started = time.monotonic()
    assert "Boats may moor from noon." in read(varnish, story)[2]
    assert "Boats may moor from noon." in read(app_b, story)[2]
    assert time.monotonic() - started < 5
