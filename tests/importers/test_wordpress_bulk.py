"""What the importer's shortcuts for large files must keep: contexts, bylines, purges and search all right."""

import pytest
from django.db import DatabaseError, connection
from taggit.models import Tag

from newsroom import surrogate
from newsroom.importers.wordpress import WordPressImporter
from newsroom.models import Article, Byline, Story, TaggedStory
from tests.importers.test_wordpress import DATA, import_small, run
from tests.newsroom.test_search import titles

pytestmark = pytest.mark.django_db


def test_a_newer_export_replaces_the_contexts_and_matches_names_whatever_their_case(uploads, tmp_path):
    import_small(uploads)
    newer = tmp_path / "newer.xml"
    newer.write_text(
        (DATA / "small.xml")
        .read_text()
        .replace(
            '<category domain="post_tag" nicename="harbour"><![CDATA[Harbour]]></category>',
            '<category domain="post_tag" nicename="harbour"><![CDATA[HARBOUR]]></category>',
        )
        .replace("<![CDATA[Transport]]>", "<![CDATA[Ferries]]>"),
        encoding="utf-8",
    )
    out, _ = run("--uploads", str(uploads), "--kinds", str(DATA / "kinds.toml"), source=newer)

    assert "1 updated" in out
    bridge = Article.objects.get(headline="Harbour bridge opens")
    assert sorted(tag.name for tag in bridge.tags.all()) == ["Ferries", "Harbour"]
    assert not Tag.objects.filter(name="HARBOUR").exists()
    # The context pages list the story from the links' own copy of its day and live state.
    links = TaggedStory.objects.filter(content_object=bridge)
    assert {(link.story_date, link.story_publish_at, link.listed) for link in links} == {
        (bridge.date, bridge.publish_at, True)
    }


def test_an_imported_story_is_listed_on_its_context_page(uploads, client):
    import_small(uploads)
    page = client.get("/tags/harbour/")
    assert page.status_code == 200
    assert "Harbour bridge opens" in page.content.decode()


def test_an_import_purges_the_whole_site_once_instead_of_story_by_story(uploads, monkeypatch):
    purged = []
    monkeypatch.setattr(surrogate, "purge", lambda keys: purged.append(set(keys)))
    import_small(uploads)

    everything = set().union(*purged)
    assert {surrogate.SITE, surrogate.LISTS, surrogate.COUNTS} in purged
    assert not any(key.startswith(("story:", "thread:", "day:")) for key in everything)


def test_an_author_made_for_a_post_that_failed_is_made_again_for_the_next_post(tmp_path, monkeypatch):
    text = (
        (DATA / "small.xml").read_text().replace("<![CDATA[mhale]]></dc:creator>", "<![CDATA[newcomer]]></dc:creator>")
    )
    source = tmp_path / "newcomer.xml"
    source.write_text(text, encoding="utf-8")
    failing = WordPressImporter.picture

    def picture(self, article, attachment_id, line):
        if article.headline == "Harbour bridge opens":
            raise DatabaseError("the disk is full")
        failing(self, article, attachment_id, line)

    monkeypatch.setattr(WordPressImporter, "picture", picture)
    with source.open("rb") as stream:
        report = WordPressImporter(uploads=None, kinds={}).run(stream)

    assert any("the disk is full" in str(fault) for fault in report.faults)
    assert not Article.objects.filter(headline="Harbour bridge opens").exists()
    byline = Byline.objects.select_related("author").get(article__headline__startswith="Harbour bridge opens:")
    assert byline.author.slug == "newcomer"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="search vectors are kept on PostgreSQL only")
def test_imported_stories_are_found_by_search(uploads, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_small(uploads)
    assert not Story.objects.filter(search_vector=None).exists()
    assert "Harbour bridge opens" in titles(client.get("/search/", {"q": "bridge"}))


@pytest.fixture
def uploads(tmp_path):
    from tests.factories import png_bytes

    folder = tmp_path / "uploads" / "2012" / "04"
    folder.mkdir(parents=True)
    (folder / "bridge.png").write_bytes(png_bytes(320, 200))
    return tmp_path / "uploads"
