import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from newsroom.comments.models import Comment
from newsroom.importers.models import LegacyAddress, WordPressItem
from newsroom.models import Article, Author, Image, Section, Story
from tests.factories import png_bytes

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


@pytest.fixture
def uploads(tmp_path):
    folder = tmp_path / "uploads" / "2012" / "04"
    folder.mkdir(parents=True)
    (folder / "bridge.png").write_bytes(png_bytes(320, 200))
    return tmp_path / "uploads"


def run(*args, source=DATA / "small.xml") -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_wordpress", str(source), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def import_small(uploads) -> tuple[str, str]:
    return run("--uploads", str(uploads), "--kinds", str(DATA / "kinds.toml"))


def test_posts_become_articles_with_their_authors_sections_contexts_and_comments(uploads, client):
    out, err = import_small(uploads)

    bridge = Article.objects.get(headline="Harbour bridge opens")
    assert bridge.status == "published" and bridge.is_published
    assert bridge.publish_at.isoformat() == "2012-04-23T09:30:00+00:00"
    assert bridge.get_absolute_url() == "/news/2012/04/23/harbour-bridge-opens/"
    assert bridge.article_type == "news" and bridge.section.path == "news"
    assert sorted(tag.name for tag in bridge.tags.all()) == ["Harbour", "Transport"]
    assert [author.name for author in bridge.authors.all()] == ["Marta Hale"]
    assert bridge.standfirst == "After six years, the harbour has its bridge."
    assert bridge.lead_image.alt_text == "The harbour bridge seen from the quay"
    assert bridge.lead_image.renditions

    # Only the approved comment, with the reader's own time.
    comment = Comment.objects.get()
    assert (comment.story_id, comment.name, comment.status) == (bridge.pk, "Ruth Lowe", "approved")
    assert comment.body == "About time! Well done."
    assert comment.created_at.isoformat() == "2012-04-23T12:00:00+00:00"

    page = client.get(bridge.get_absolute_url())
    assert page.status_code == 200
    assert "About time! Well done." in page.content.decode()


def test_bodies_are_sanitised_and_shortcodes_converted(uploads):
    import_small(uploads)
    body = Article.objects.get(headline="Harbour bridge opens").body
    assert "<script" not in body and "alert" not in body and "onclick" not in body
    assert "[caption" not in body and "[gallery" not in body and "[embed" not in body
    assert "<p>The bridge opened on <strong>Monday</strong> morning.<br>" in body
    assert "The new bridge at dawn" in body
    assert '<a href="https://video.example/bridge"' in body
    assert "<p>Traffic starts on Tuesday.</p>" in body


def test_categories_become_nested_sections_and_map_to_kinds(uploads):
    import_small(uploads)
    editorials = Section.objects.get(slug="editorials")
    assert editorials.parent.slug == "opinion" and editorials.path == "opinion/editorials"
    assert Section.objects.get(slug="opinion").name == "Opinion & Comment"
    bridge_ru = Article.objects.get(headline="Мост открыт")
    assert bridge_ru.article_type == "editorial" and bridge_ru.section == editorials


def test_non_latin_and_duplicate_slugs_get_addresses_and_old_ones_redirect(uploads, client):
    import_small(uploads)
    russian = Article.objects.get(headline="Мост открыт")
    assert russian.slug == "most-otkryt"
    drivers = Article.objects.get(headline__startswith="Harbour bridge opens:")
    assert drivers.slug == "harbour-bridge-opens-2"
    assert drivers.date == russian.date

    response = client.get("/2012/04/23/%D0%BC%D0%BE%D1%81%D1%82-%D0%BE%D1%82%D0%BA%D1%80%D1%8B%D1%82/")
    assert response.status_code == 301 and response["Location"] == russian.get_absolute_url()
    assert client.get("/2012/04/23/harbour-bridge-opens").status_code == 301
    assert client.get("/2012/04/23/no-such-post/").status_code == 404


def test_problems_are_reported_with_their_line_and_the_rest_imported(uploads):
    out, err = import_small(uploads)
    assert "small.xml:line 106: post 105 has no title; skipped" in err
    assert (
        "small.xml:line 135: attachment 202: no file for https://courier.example/wp-content/uploads/2012/04/lost.jpg"
        in err
    )
    assert "small.xml:line 66: the featured picture (attachment 202) was not imported" in err
    assert "posts: 4 new, 0 updated, 0 unchanged, 2 skipped" in out
    assert "images: 1 new" in out and "comments: 1 new" in out
    assert Article.objects.get(headline="Ferry timetable (draft)").status == "draft"
    assert Author.objects.filter(name="Иван Петров").exists()


def test_importing_twice_changes_nothing_and_a_newer_export_updates_what_changed(uploads, tmp_path):
    import_small(uploads)
    counts = (Story.objects.count(), Image.objects.count(), Comment.objects.count(), LegacyAddress.objects.count())
    out, _ = import_small(uploads)
    assert "posts: 0 new, 0 updated, 4 unchanged" in out
    assert "images: 0 new, 0 updated, 1 unchanged" in out and "comments: 0 new, 0 updated, 1 unchanged" in out
    assert (Story.objects.count(), Image.objects.count(), Comment.objects.count(), LegacyAddress.objects.count()) == (
        counts
    )

    newer = tmp_path / "newer.xml"
    newer.write_text(
        (DATA / "small.xml").read_text().replace("Tolls start in June.", "Tolls start in July."), encoding="utf-8"
    )
    out, _ = run("--uploads", str(uploads), "--kinds", str(DATA / "kinds.toml"), source=newer)
    assert "posts: 0 new, 1 updated, 3 unchanged" in out
    drivers = Article.objects.get(headline__startswith="Harbour bridge opens:")
    assert "July" in drivers.body and drivers.slug == "harbour-bridge-opens-2"
    assert WordPressItem.objects.filter(kind="post").count() == 4


def test_a_dry_run_reports_and_writes_nothing(uploads, settings):
    out, err = run("--uploads", str(uploads), "--dry-run")
    assert out.startswith("Dry run, nothing written.") and "posts: 4 new" in out and "images: 1 new" in out
    assert Story.objects.count() == 0 and Image.objects.count() == 0 and Section.objects.count() == 0
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.png")) if Path(settings.MEDIA_ROOT).exists() else True
    assert "attachment 202" in err and "attachment 201" not in err


def test_a_broken_file_keeps_what_came_before_the_break(tmp_path):
    broken = tmp_path / "broken.xml"
    text = (DATA / "small.xml").read_text()
    broken.write_text(text.replace("<title>Мост открыт</title>", "<title>Мост открыт</titl>"), encoding="utf-8")
    out, err = run(source=broken)
    assert "broken.xml:line 67: the XML is broken here (mismatched tag); nothing after it was read" in err
    assert Article.objects.filter(headline="Harbour bridge opens").exists()


def test_a_file_with_a_document_type_is_refused(tmp_path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
        "<rss><channel><item><title>&b;</title></item></channel></rss>\n"
    )
    out, err = run(source=bomb)
    assert "line 2: the file declares a document type" in err
    assert Story.objects.count() == 0


def test_an_upload_outside_the_folder_is_never_read(uploads, tmp_path):
    secret = tmp_path / "secret.png"
    shutil.copy(uploads / "2012" / "04" / "bridge.png", secret)
    text = (DATA / "small.xml").read_text().replace("uploads/2012/04/lost.jpg", "uploads/../secret.png")
    sneaky = tmp_path / "sneaky.xml"
    sneaky.write_text(text, encoding="utf-8")
    out, err = run("--uploads", str(uploads), source=sneaky)
    assert "attachment 202: no file" in err
    assert Image.objects.count() == 1
    assert timezone.now()


def test_an_image_the_media_storage_cannot_take_is_reported_on_its_line_and_the_posts_imported(
    uploads, settings, monkeypatch
):
    from newsroom.settings import media_storage

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    # A bucket whose server does not answer (nothing listens on port 9).
    storage, _ = media_storage("s3://dateline-media?region=eu-west-1&endpoint_url=http://127.0.0.1:9")
    settings.STORAGES = {**settings.STORAGES, "default": storage}

    out, err = import_small(uploads)

    assert "attachment" not in out
    assert "not imported: The image could not be stored (the media storage did not answer), so nothing was saved" in err
    assert "small.xml:line " in err
    assert not Image.objects.exists()
    assert Article.objects.filter(headline="Harbour bridge opens").exists()
