"""Every context gets an address, whatever its name is written in."""

import importlib
from io import StringIO

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from taggit.models import Tag

from newsroom.models import TagRedirect
from newsroom.services import merge_tags
from tests.factories import ArticleFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db

HOSTILE_NAMES = ["!!!", "🙂🙂", "—", "北朝鮮", "ⵜⴰⵎⴰⵣⵉⵖⵜ"]
repair = importlib.import_module("newsroom.migrations.0010_context_slugs").repair_context_slugs


def test_contexts_named_without_latin_letters_get_distinct_ascii_slugs():
    tags = [Tag.objects.create(name=name) for name in HOSTILE_NAMES]
    slugs = [tag.slug for tag in tags]
    assert all(slugs)
    assert len(set(slugs)) == len(slugs)
    assert all(slug.isascii() for slug in slugs)
    assert Tag.objects.get(name="北朝鮮").slug == "beichaoxian"
    assert Tag.objects.get(name="ⵜⴰⵎⴰⵣⵉⵖⵜ").slug == "tamazight"


def test_a_context_with_nothing_to_transliterate_gets_the_same_slug_every_time():
    first = Tag.objects.create(name="!!!").slug
    Tag.objects.all().delete()
    assert Tag.objects.create(name="!!!").slug == first
    assert first.startswith("context-")


def test_contexts_added_to_a_story_get_addresses(client):
    article = ArticleFactory(tags=HOSTILE_NAMES)
    event = EventFactory(tags=HOSTILE_NAMES)

    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get(event.get_absolute_url()).status_code == 200
    for tag in Tag.objects.filter(name__in=HOSTILE_NAMES):
        page = client.get(f"/tags/{tag.slug}/")
        assert page.status_code == 200
        assert tag.name in page.content.decode()
        assert client.get(f"/feeds/tags/{tag.slug}/rss/").status_code == 200


def test_names_that_slugify_alike_get_distinct_slugs():
    slugs = {Tag.objects.create(name=name).slug for name in ["Port Arlen", "Port-Arlen", "port arlen!", "PORT ARLEN"]}
    assert slugs == {"port-arlen", "port-arlen-2", "port-arlen-3", "port-arlen-4"}


def test_a_new_context_does_not_take_the_address_of_a_merged_one():
    china = Tag.objects.create(name="China")
    prc = Tag.objects.create(name="PRC")
    merge_tags(source=china, target=prc, by=None)

    again = Tag.objects.create(name="China")
    assert again.slug == "china-2"
    assert TagRedirect.objects.get(old_slug="china").tag == prc


def test_an_editor_chosen_slug_is_kept():
    assert Tag.objects.create(name="Mid-East peace talks", slug="peace-talks").slug == "peace-talks"


def test_static_export_writes_pages_for_contexts_without_latin_letters(tmp_path):
    ArticleFactory(tags=HOSTILE_NAMES)
    site = tmp_path / "site"
    site.mkdir()
    call_command("export_static", str(site), "--no-progress", stdout=StringIO(), stderr=StringIO())

    for tag in Tag.objects.all():
        assert (site / "tags" / tag.slug / "index.html").is_file()


def test_migration_repairs_empty_unicode_and_case_clashing_slugs():
    # Rows as older code left them, written past the model's own slug rule.
    empty = Tag.objects.create(name="!!!")
    unicode = Tag.objects.create(name="北朝鮮")
    lower = Tag.objects.create(name="china")
    upper = Tag.objects.create(name="China (country)")
    fine = Tag.objects.create(name="Harbour")
    Tag.objects.filter(pk=empty.pk).update(slug="")
    Tag.objects.filter(pk=unicode.pk).update(slug="北朝鮮")
    Tag.objects.filter(pk=lower.pk).update(slug="china")
    Tag.objects.filter(pk=upper.pk).update(slug="China")

    repair(global_apps, None)

    slugs = dict(Tag.objects.values_list("pk", "slug"))
    assert slugs[empty.pk].startswith("context-")
    assert slugs[unicode.pk] == "beichaoxian"
    assert slugs[lower.pk] == "china"
    assert slugs[upper.pk] == "china-2"
    assert slugs[fine.pk] == "harbour"
    # Only the address that used to answer leaves a redirect behind.
    assert list(TagRedirect.objects.values_list("old_slug", "tag")) == [("China", upper.pk)]


def test_a_repaired_context_answers_at_its_new_and_old_addresses(client):
    article = ArticleFactory(tags=["china", "China (country)"])
    Tag.objects.filter(name="China (country)").update(slug="China")
    repair(global_apps, None)

    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get("/tags/china-2/").status_code == 200
    moved = client.get("/tags/China/")
    assert moved.status_code == 301
    assert moved["Location"] == "/tags/china-2/"


@pytest.fixture
def editor(client):
    user = UserFactory(username="context-editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client.force_login(user)
    return user


def test_an_editor_adds_a_context_the_browser_cannot_make_a_slug_for(client, editor):
    response = client.post(reverse("admin:taggit_tag_add"), {"name": "北朝鮮", "slug": ""})

    assert response.status_code == 302
    assert Tag.objects.get(name="北朝鮮").slug == "beichaoxian"


def test_an_editor_typing_a_slug_the_address_cannot_hold_is_told_so(client, editor):
    response = client.post(reverse("admin:taggit_tag_add"), {"name": "North Korea", "slug": "北朝鮮"})

    assert response.status_code == 200
    assert "Enter a valid “slug”" in response.content.decode()
    assert not Tag.objects.exists()
