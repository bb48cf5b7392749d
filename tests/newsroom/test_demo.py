"""The demo newsroom `make run` loads, and the demo editor account it prints."""

import re
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from events.models import Event
from newsroom.demo import pictures
from newsroom.models import (
    Article,
    Author,
    Image,
    Outlet,
    RelatedLink,
    Section,
    Source,
    Status,
    Story,
    TaggedStory,
)
from tests.factories import AuthorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick(monkeypatch, settings):
    """Same drawings at a quarter of the size (renditions are still built), and a cheap password hash."""
    monkeypatch.setattr(pictures, "SCALE", 0.25)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_demo_loads_every_kind_of_content(settings):
    output = run("load_demo")
    assert output.startswith("Loaded the demo newsroom:")

    assert Section.objects.count() >= 4
    assert Section.objects.filter(path="opinion/editorials", parent__slug="opinion").exists()

    authors = Author.objects.select_related("photo")
    assert authors.count() == 6
    for author in authors:
        assert author.role and author.bio and author.photo
        assert author.email.endswith(".example")

    articles = Article.objects.all()
    assert articles.count() >= 30
    assert set(articles.values_list("article_type", flat=True)) == set(Article.ArticleType.values)
    for article in articles.prefetch_related("bylines", "sources", "tags"):
        assert 1 <= len(article.bylines.all()) <= 3, article
        assert article.section_id and article.dateline and article.standfirst, article
        assert article.body.count("<p>") >= 3, article
        assert article.tags.exists(), article
    assert set(Article.objects.filter(article_type="editorial").values_list("section__path", flat=True)) == {
        "opinion/editorials"
    }
    assert Article.objects.filter(bylines__role="Additional reporting").exists()
    assert Article.objects.filter(lead_image__isnull=False).count() >= 10

    translation = Article.objects.select_related("translation_of").get(translation_of__isnull=False)
    assert translation.translation_of.language == "en"
    assert translation.language == "fr"
    assert "conseil" in translation.body

    now = timezone.now()
    assert Article.objects.filter(status=Status.DRAFT).exists()
    assert Article.objects.filter(status=Status.REVIEW).exists()
    assert Article.objects.filter(status=Status.SCHEDULED, publish_at__gt=now).exists()
    assert Article.objects.published().count() >= 30

    events = Event.objects.all()
    assert events.count() >= 200
    assert events.published().count() == events.count()
    assert len({day.year for day in events.values_list("date", flat=True)}) >= 3
    assert max(events.values_list("date", flat=True)) < timezone.localdate()
    assert set(events.values_list("category", flat=True)) == set(Event.Category.values)
    assert not events.filter(sources__isnull=True).exists()
    assert not events.filter(tagged_items__isnull=True).exists()
    assert events.filter(summary__contains="<a href=").exists()
    assert events.filter(summary__contains="<em>").exists()
    busiest_day = Counter(events.values_list("date", flat=True)).most_common(1)[0][1]
    assert busiest_day >= 4

    per_context = Counter(TaggedStory.objects.filter(content_object__kind="event").values_list("tag__name", flat=True))
    assert 20 <= len(per_context) <= 30
    assert per_context.most_common(1)[0][1] >= 40
    assert min(per_context.values()) < 10

    assert not Source.objects.exclude(url__contains=".example/").exists()
    assert RelatedLink.objects.filter(target__isnull=False).exists()
    assert RelatedLink.objects.filter(target__isnull=True, url__contains=".example/").exclude(label="").exists()

    images = Image.objects.all()
    assert 10 <= images.count() <= 20
    for image in images:
        assert image.renditions, image
        for rendition in image.renditions.values():
            assert (Path(settings.MEDIA_ROOT) / rendition["file"]).is_file()


def test_loading_demo_twice_changes_nothing(settings):
    run("load_demo")
    models = (Story, Article, Event, Section, Author, Image, Outlet, Source, TaggedStory, RelatedLink)
    before = {model: model.objects.count() for model in models}
    files_before = sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())

    assert run("load_demo") == "Demo content is already loaded; nothing changed.\n"

    assert {model: model.objects.count() for model in models} == before
    assert sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()) == files_before


def test_demo_account_login_works(client, settings):
    settings.DEBUG = True
    author = AuthorFactory(slug="ruth-abernethy", name="Ruth Abernethy")

    output = run("ensure_demo_accounts", "--base-url", "http://localhost:9000/")

    assert "Dateline is ready." in output
    assert "Site:   http://localhost:9000/\n" in output
    assert "Admin:  http://localhost:9000/admin/\n" in output
    username, password = re.search(r"Editor login: (\S+) / (\S+)", output).groups()
    assert client.login(username=username, password=password)
    assert client.get("/admin/").status_code == 200
    author.refresh_from_db()
    assert author.user.get_username() == username


def test_demo_reader_signs_in_on_the_public_site_and_never_reaches_the_admin(client, settings):
    settings.DEBUG = True
    output = run("ensure_demo_accounts")
    email, password = re.search(r"Reader login \(\S+\): (\S+) / (\S+)", output).groups()
    response = client.post("/accounts/login/", {"login": email, "password": password})
    assert response.status_code == 302 and response["Location"] == "/accounts/"
    assert "Demo Reader" in client.get("/accounts/").content.decode()
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    reader = get_user_model().objects.get(email=email)
    assert not reader.is_staff and not reader.groups.exists()
    run("ensure_demo_accounts")
    assert get_user_model().objects.filter(email=email).count() == 1


def test_demo_password_is_reset_on_every_run_and_can_be_chosen(client, settings, monkeypatch):
    settings.DEBUG = True
    run("ensure_demo_accounts")
    editor = get_user_model().objects.get(username="editor")
    editor.set_password("someone-changed-it")
    editor.save()

    monkeypatch.setenv("DEMO_PASSWORD", "harbour-lights-42")
    output = run("ensure_demo_accounts")

    assert "Editor login: editor / harbour-lights-42" in output
    assert client.login(username="editor", password="harbour-lights-42")
    assert get_user_model().objects.filter(username="editor").count() == 1


def test_demo_accounts_refused_in_production(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        run("ensure_demo_accounts")

    assert not get_user_model().objects.filter(username="editor").exists()
    assert "Editor login: editor /" in run("ensure_demo_accounts", "--force")


def test_demo_story_pages_answer(client):
    run("load_demo")
    published = Story.objects.published().order_by("date", "pk")
    sample = list(published.filter(kind=Story.Kind.ARTICLE)[::2]) + list(published.filter(kind=Story.Kind.EVENT)[::40])
    assert len(sample) > 15
    for story in sample:
        response = client.get(story.get_absolute_url())
        assert response.status_code == 200, (story.get_absolute_url(), response.status_code)
