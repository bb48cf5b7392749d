"""The archive exports: Markdown files and a static copy of the site, both safe to re-run."""

import re
from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from newsroom.management.commands import _export
from newsroom.models import Status
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    EventFactory,
    ImageFactory,
    SectionFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def on(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def site_dir(tmp_path):
    """Exports go beside the test's media folder, never over it."""
    site = tmp_path / "site"
    site.mkdir()
    return site


def export(command: str, target, *args) -> str:
    out = StringIO()
    call_command(command, str(target), "--no-progress", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def files_under(root) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def archive():
    april = date(2012, 4, 23)
    stories = {
        "vote": EventFactory(summary="The assembly passes the water bill.", date=april, slug="vote", tags=["Water"]),
        "plan": ArticleFactory(headline="Harbour plan approved", publish_at=on(april), slug="plan", tags=["Harbour"]),
        "storm": EventFactory(summary="A storm closes the road.", date=date(2012, 4, 24), slug="storm"),
        "may": EventFactory(summary="Festival opens.", date=date(2012, 5, 1), slug="festival", tags=["Culture"]),
        "draft": EventFactory(summary="Secret draft.", date=april, slug="draft", status=Status.DRAFT, publish_at=None),
    }
    SourceFactory(story=stories["vote"], outlet__name="Valley Post", url="https://valley.example/vote")
    return stories


def test_markdown_export_writes_the_served_files_for_every_published_story(client, site_dir, archive):
    output = export("export_markdown", site_dir)
    assert files_under(site_dir) == {
        "news/2012/04/23/index.md",
        "news/2012/04/23/vote.md",
        "news/2012/04/23/plan.md",
        "news/2012/04/24/index.md",
        "news/2012/04/24/storm.md",
        "news/2012/05/01/index.md",
        "news/2012/05/01/festival.md",
    }
    for name in files_under(site_dir):
        assert (site_dir / name).read_bytes() == client.get(f"/{name}").content, name
    assert "7 written, 0 unchanged, 0 removed" in output


def test_markdown_export_rewrites_only_what_changed_and_removes_unpublished(site_dir, archive):
    export("export_markdown", site_dir)
    untouched = (site_dir / "news/2012/04/24/storm.md").stat().st_mtime_ns
    (site_dir / "news/2012/04/23/notes.txt").write_text("kept: not an export file")
    assert "0 written, 7 unchanged, 0 removed" in export("export_markdown", site_dir)

    plan = archive["plan"]
    plan.headline = "Harbour plan approved after a long fight"
    plan.save()
    vote = archive["vote"]
    vote.status = Status.WITHDRAWN
    vote.save()
    may = archive["may"]
    may.status = Status.WITHDRAWN
    may.save()
    output = export("export_markdown", site_dir)

    assert "news/2012/04/23/vote.md" not in files_under(site_dir)
    assert not (site_dir / "news/2012/05").exists()
    assert "long fight" in (site_dir / "news/2012/04/23/plan.md").read_text()
    assert "long fight" in (site_dir / "news/2012/04/23/index.md").read_text()
    assert (site_dir / "news/2012/04/23/notes.txt").exists()
    assert (site_dir / "news/2012/04/24/storm.md").stat().st_mtime_ns == untouched
    # The day before the withdrawn May event loses its "next day" link too.
    assert "3 written, 1 unchanged, 3 removed" in output


def test_exports_read_stories_in_batches_without_losing_any(site_dir, monkeypatch):
    monkeypatch.setattr(_export, "BATCH", 2)
    day = date(2012, 4, 23)
    for n in range(7):
        EventFactory(summary=f"Event {n}.", date=day if n < 5 else date(2012, 4, 25), slug=f"event-{n}")
    export("export_markdown", site_dir)
    names = files_under(site_dir)
    assert len([n for n in names if n.endswith(".md") and "index" not in n]) == 7


def test_static_export_writes_a_site_a_plain_web_server_can_serve(site_dir, archive, settings):
    section = SectionFactory(name="Harbour desk", slug="harbour")
    author = AuthorFactory(name="Ana Ruiz", slug="ana-ruiz")
    ArticleFactory(
        headline="Boats return",
        publish_at=on(date(2012, 4, 24)),
        slug="boats",
        section=section,
        authors=[author],
        lead_image=ImageFactory(),
        tags=["Harbour"],
    )
    output = export("export_static", site_dir, "--base-url", "https://news.example.org")
    names = files_under(site_dir)
    for expected in [
        "index.html",
        "404.html",
        "news/index.html",
        "news/2012/index.html",
        "news/2012/04/index.html",
        "news/2012/05/index.html",
        "news/2012/04/23/index.html",
        "news/2012/04/23/vote/index.html",
        "news/2012/04/23/plan/index.html",
        "news/2012/04/24/boats/index.html",
        "tags/water/index.html",
        "tags/harbour/index.html",
        "sections/harbour/index.html",
        "authors/ana-ruiz/index.html",
        "static/css/site.css",
        "static/css/print.css",
    ]:
        assert expected in names, expected
    assert not any("draft" in name for name in names)
    assert not any(name.startswith("static/admin/") for name in names)
    renditions = [name for name in names if name.startswith("media/renditions/")]
    assert renditions and all((site_dir / name).stat().st_size > 0 for name in renditions)
    assert "written, 0 unchanged, 0 removed" in output

    page = (site_dir / "news/2012/04/24/boats/index.html").read_text()
    assert '<h1 class="story__headline">Boats return</h1>' in page
    assert '<link rel="canonical" href="https://news.example.org/news/2012/04/24/boats/">' in page
    assert 'href="/static/css/site.css"' in page
    assert "testserver" not in page
    for target in re.findall(r'(?:href|src)="([^"]*)"', page):
        assert target.startswith(("/", "#", "https://", "mailto:")), target
    for media in re.findall(r'"/media/([^"\s]+)"', page):
        assert f"media/{media}" in names
    assert 'method="post"' not in page


def test_static_export_pages_lists_and_rewrites_their_page_links(site_dir):
    for n in range(25):
        EventFactory(summary=f"Bulk event {n:02d}.", date=date(2012, 4, 23), slug=f"bulk-{n:02d}", tags=["Bulk"])
    export("export_static", site_dir)
    first = (site_dir / "tags/bulk/index.html").read_text()
    second = (site_dir / "tags/bulk/page/2/index.html").read_text()
    assert 'href="/tags/bulk/page/2/"' in first and "?page=" not in first
    assert 'href="/tags/bulk/"' in second and "?page=" not in second
    assert "Bulk event 00." in second


def test_static_export_is_idempotent_and_removes_what_is_gone(site_dir, archive):
    export("export_static", site_dir)
    assert re.search(r"0 written, \d+ unchanged, 0 removed", export("export_static", site_dir))
    for key in ("vote", "may"):
        story = archive[key]
        story.status = Status.WITHDRAWN
        story.save()
    output = export("export_static", site_dir)
    names = files_under(site_dir)
    assert "news/2012/04/23/vote/index.html" not in names
    assert not any(name.startswith("news/2012/05/") for name in names)
    assert "tags/water/index.html" not in names and "tags/culture/index.html" not in names
    assert "news/2012/04/23/plan/index.html" in names
    assert " 0 removed" not in output


def test_exports_refuse_a_nonsense_base_url(site_dir):
    with pytest.raises(CommandError, match="--base-url"):
        export("export_static", site_dir, "--base-url", "javascript:alert(1)")


def test_exports_refuse_to_write_over_the_project_or_its_uploads(settings):
    for target in (settings.BASE_DIR, settings.MEDIA_ROOT.parent):
        with pytest.raises(CommandError, match="holds"):
            export("export_static", target)


def test_static_export_has_no_search_box_unless_told_the_live_sites_search(site_dir, archive):
    export("export_static", site_dir)
    for page in ("index.html", "news/2012/04/23/plan/index.html", "tags/water/index.html", "404.html"):
        html = (site_dir / page).read_text()
        assert 'role="search"' not in html and "/search/" not in html, page
    # The Print link works without JavaScript in the copy too.
    assert "Harbour plan approved" in (site_dir / "news/2012/04/23/plan/print/index.html").read_text()

    export("export_static", site_dir, "--search-url", "https://live.example.org/search/")
    html = (site_dir / "news/2012/04/23/plan/index.html").read_text()
    assert (
        '<form class="masthead__search" role="search" action="https://live.example.org/search/" method="get">' in html
    )


def test_static_export_refuses_a_nonsense_search_url(site_dir):
    with pytest.raises(CommandError, match="--search-url"):
        export("export_static", site_dir, "--search-url", "javascript:alert(1)")
