import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, set_script_prefix
from django.utils import timezone

from events.models import Event
from newsroom.models import Article, Author, Story, StoryRedirect, slug_path, story_path
from newsroom.querysets import Status
from tests.factories import ArticleFactory, EventFactory, ImageFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_published_queryset_follows_status_and_publish_time():
    now = timezone.now()
    live = ArticleFactory(status=Status.PUBLISHED, publish_at=now - timedelta(minutes=5))
    due = ArticleFactory(status=Status.SCHEDULED, publish_at=now - timedelta(minutes=1))
    ArticleFactory(status=Status.SCHEDULED, publish_at=now + timedelta(hours=2))
    ArticleFactory(status=Status.DRAFT, publish_at=None)
    ArticleFactory(status=Status.REVIEW, publish_at=None)
    ArticleFactory(status=Status.WITHDRAWN, publish_at=now - timedelta(days=1))
    assert set(Article.objects.published()) == {live, due}
    assert set(Story.objects.published().values_list("pk", flat=True)) == {live.pk, due.pk}


def test_article_date_is_local_date_of_publish_time(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    # 20:30 UTC on 22 April is already 23 April in Tokyo.
    moment = datetime(2012, 4, 22, 20, 30, tzinfo=ZoneInfo("UTC"))
    article = ArticleFactory(publish_at=moment, headline="Late night in Tokyo")
    assert str(article.date) == "2012-04-23"
    assert article.get_absolute_url() == "/news/2012/04/23/late-night-in-tokyo/"


def test_slug_is_unique_per_day_across_articles_and_events():
    article = ArticleFactory(headline="Harbour reopens")
    event = Event(summary="The harbour reopens.", date=article.date, slug=article.slug, status=Status.DRAFT)
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    assert "already uses the address" in str(excinfo.value)


def test_slugs_transliterate_accents():
    article = ArticleFactory(headline="São Tomé début: café crème")
    assert article.slug == "sao-tome-debut-cafe-creme"


def test_changing_a_published_slug_leaves_a_redirect():
    article = ArticleFactory(headline="First headline")
    old = (article.date, article.slug)
    article.slug = "better-headline"
    article.save()
    redirect = StoryRedirect.objects.get()
    assert (redirect.old_date, redirect.old_slug) == old
    assert redirect.story_id == article.pk


def test_changing_a_draft_slug_leaves_no_redirect():
    article = ArticleFactory(status=Status.DRAFT, publish_at=None)
    article.slug = "another"
    article.save()
    assert not StoryRedirect.objects.exists()


def test_body_is_sanitized_on_save():
    article = ArticleFactory(
        body='<p onclick="x()">Hi<script>alert(1)</script> <a href="javascript:alert(1)">x</a></p>'
    )
    assert "script" not in article.body
    assert "onclick" not in article.body
    assert "javascript" not in article.body
    assert article.body.startswith("<p>Hi")


def test_event_summary_keeps_inline_links_and_drops_the_rest():
    event = EventFactory(
        summary='The <em>Assembly</em> votes <a href="https://x.example/">yes</a>.<img src=x onerror=alert(1)>'
    )
    assert event.summary == 'The <em>Assembly</em> votes <a href="https://x.example/" rel="noopener">yes</a>.'
    assert event.title == "The Assembly votes yes."


def test_nested_section_path_and_breadcrumb():
    opinion = SectionFactory(name="Opinion", slug="opinion")
    editorials = SectionFactory(name="Editorials", slug="editorials", parent=opinion)
    assert editorials.path == "opinion/editorials"
    assert [s.name for s in editorials.ancestors(include_self=True)] == ["Opinion", "Editorials"]
    opinion.slug = "comment"
    opinion.save()
    editorials.refresh_from_db()
    assert editorials.path == "comment/editorials"


def _crumbs(page: str) -> list[str]:
    nav = page.split('class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="([^"]*)">([^<]*)</a>', nav)


@pytest.mark.parametrize("depth", [1, 2, 5])
def test_story_page_names_every_section_above_its_own_with_one_lookup_at_most(client, depth):
    section = None
    for level in range(depth):
        section = SectionFactory(name=f"Level {level}", slug=f"level-{level}", parent=section)
    article = ArticleFactory(headline="Councils agree a shared bus timetable", section=section)

    with CaptureQueriesContext(connection) as queries:
        page = client.get(article.get_absolute_url()).content.decode()

    paths = ["/".join(f"level-{level}" for level in range(upto + 1)) for upto in range(depth)]
    assert _crumbs(page) == [("/", "Home")] + [(f"/sections/{path}/", f"Level {n}") for n, path in enumerate(paths)]
    # The masthead's list of top-level sections is read apart from the story's own.
    section_reads = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "newsroom_section"' in q["sql"] and '"parent_id" IS NULL' not in q["sql"]
    ]
    assert len(section_reads) <= (0 if depth == 1 else 1)


def test_image_renditions_are_built_once_on_upload():
    from tests.factories import png_upload

    image = ImageFactory(file=png_upload(width=2000, height=1000))
    widths = sorted(int(w) for w in image.renditions)
    assert widths == [480, 720, 960, 1600, 2000]
    assert image.best_url(900).endswith("-960w.webp")
    # An AVIF beside every WebP, at the same widths.
    assert image.avif_srcset().split(", ")[0].endswith("-480w.avif 480w")
    assert len(image.avif_srcset().split(", ")) == 5
    before = dict(image.renditions)
    image.caption = "New caption"
    image.save()
    assert image.renditions == before


@pytest.mark.parametrize("script_prefix", ["/", "/dateline/"])
def test_story_and_author_addresses_match_the_url_configuration(script_prefix):
    set_script_prefix(script_prefix)
    try:
        for day, slug in [(date(2012, 4, 3), "harbour-reopens"), (date(1997, 12, 31), "a_97-98")]:
            expected = reverse(
                "newsroom:story",
                kwargs={"year": f"{day:%Y}", "month": f"{day:%m}", "day": f"{day:%d}", "slug": slug},
            )
            assert story_path(day, slug) == expected
        assert story_path(date(2012, 4, 3), "x") == f"{script_prefix}news/2012/04/03/x/"
        assert Author(name="Ana Ruiz", slug="ana-ruiz").get_absolute_url() == f"{script_prefix}authors/ana-ruiz/"
        assert slug_path("newsroom:tag", "harbour") == reverse("newsroom:tag", kwargs={"slug": "harbour"})
    finally:
        set_script_prefix("/")


def test_a_label_typed_into_a_credit_moves_to_the_credit_kind():
    from importlib import import_module

    from django.apps import apps

    from tests.factories import ImageFactory

    migration = import_module("newsroom.migrations.0011_pages_image_credit_kind")
    drawn = ImageFactory(credit="Illustration: Dateline graphics desk")
    taken = ImageFactory(credit="Ana Ruiz / Dateline")
    migration.move_typed_labels(apps, None)
    drawn.refresh_from_db()
    taken.refresh_from_db()
    assert (drawn.credit, drawn.credit_kind, drawn.credit_line) == (
        "Dateline graphics desk",
        "illustration",
        "Illustration: Dateline graphics desk",
    )
    assert (taken.credit, taken.credit_line) == ("Ana Ruiz / Dateline", "Photo: Ana Ruiz / Dateline")
