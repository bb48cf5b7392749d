import filecmp
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from taggit.models import Tag

from events.models import Event
from newsroom.models import Article, Outlet, RelatedLink, Source, Story

pytestmark = pytest.mark.django_db


def export(target: Path) -> None:
    call_command("export_markdown", str(target), "--no-progress", stdout=StringIO(), stderr=StringIO())


def run_import(source: Path, *args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_markdown", str(source), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def tree(root: Path) -> list[str]:
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*.md"))


def empty_the_archive() -> None:
    Story.objects.all().delete()
    Outlet.objects.all().delete()
    Tag.objects.all().delete()


def same_files(first: Path, second: Path) -> list[str]:
    names = tree(first)
    assert names == tree(second)
    return [name for name in names if not filecmp.cmp(first / name, second / name, shallow=False)]


def test_the_demo_archive_survives_export_import_export_unchanged(tmp_path):
    call_command("load_demo", stdout=StringIO())
    # The Markdown archive is the current-events record: its articles are left out of the import.
    Article.objects.all().delete()
    assert Event.objects.published().count() > 10
    assert Source.objects.exists() and Tag.objects.exists()
    # The editor's own links, to another event and to a page elsewhere, come before the ranked ones.
    first_event, second_event = Event.objects.published().order_by("pk")[:2]
    RelatedLink.objects.create(story=first_event, target=second_event, label="Earlier (and related)", order=0)
    RelatedLink.objects.create(story=first_event, url="https://archive.example/a_(b)", order=1)
    first, second = tmp_path / "first", tmp_path / "second"
    export(first)
    events, sources = Event.objects.published().count(), Source.objects.count()

    empty_the_archive()
    out, err = run_import(first)

    assert err == ""
    assert f"{events} events were created" in out
    assert Event.objects.count() == events and Source.objects.count() == sources
    export(second)
    assert same_files(first, second) == []

    # Importing the same archive again changes nothing.
    out, err = run_import(first)
    assert " 0 events were created, 0 updated" in out and "related links of 0 were set" in out and err == ""
    assert Event.objects.count() == events


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_faults_are_reported_with_their_file_and_line_and_the_rest_imported(tmp_path):
    day = tmp_path / "news" / "2012" / "04" / "23"
    write(
        day / "index.md",
        "# 2012-04-23\n\nMonday 23 April 2012\n\n## Events\n\n### Politics and elections\n\n"
        "- The *assembly* passes the budget. ([details](/news/2012/04/23/budget-passes.md))\n"
        "- a line that is not an event\n\n"
        "### Weather gossip\n\n- Rain. ([details](/news/2012/04/23/rain.md))\n",
    )
    write(
        day / "budget-passes.md",
        "### [2012-04-23](/news/2012/04/23/index.md)\n\n# The *assembly* passes the budget.\n\n### Source:\n\n"
        "1. [Harbour Gazette](https://gazette.example/budget)\n2. no link here\n\n### Related:\n\n"
        "1. [Budget debate](https://parliament.example/debate) _Context: Budget 2012_\n"
        "2. [Missing](/news/2011/01/01/not-there.md)\n",
    )
    out, _ = run_import(tmp_path, "--dry-run")
    assert "1 events would be created" in out
    assert Story.objects.count() == 0 and Outlet.objects.count() == 0

    out, err = run_import(tmp_path)

    assert "news/2012/04/23/index.md:10: not an event line" in err
    assert "news/2012/04/23/index.md:12: unknown category 'Weather gossip'" in err
    assert "news/2012/04/23/budget-passes.md:8: a source needs an outlet" in err
    assert "news/2012/04/23/budget-passes.md:13: /news/2011/01/01/not-there.md is neither" in err
    event = Event.objects.get()
    assert event.summary == "The <em>assembly</em> passes the budget."
    assert event.category == "politics" and event.is_published
    assert [(s.outlet.name, s.url) for s in event.sources.all()] == [
        ("Harbour Gazette", "https://gazette.example/budget")
    ]
    assert [(link.url, link.label) for link in event.related_links.all()] == [
        ("https://parliament.example/debate", "Budget debate")
    ]
    assert [tag.name for tag in event.tags.all()] == ["Budget 2012"]
    assert "1 events were created" in out and "4 problems" in out
