"""Contexts typed as text: a phrase is one context, commas and new lines separate them, quotes still work."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from taggit.models import Tag
from taggit.utils import edit_string_for_tags, parse_tags

from newsroom.models import Article, Story, TaggedStory
from newsroom.tags import contexts_string, parse_contexts
from tests.factories import ArticleFactory, EventFactory, UserFactory
from tests.newsroom.test_admin import add_view_post_data, admin_url, article_fields, form_errors, page_text


def test_a_phrase_without_commas_is_one_context():
    assert parse_contexts("North Korean defectors") == ["North Korean defectors"]


def test_commas_and_new_lines_separate_contexts():
    assert parse_contexts("North Korea, Elections\nHarbour\r\nRail strikes") == [
        "Elections",
        "Harbour",
        "North Korea",
        "Rail strikes",
    ]


def test_stray_spaces_and_empty_entries_are_ignored():
    assert parse_contexts("  North   Korea ,, ,\n\n  Elections  ,") == ["Elections", "North Korea"]
    assert parse_contexts("") == [] and parse_contexts(None) == [] and parse_contexts(" , \n ") == []


def test_duplicates_are_dropped_ignoring_case_and_the_first_spelling_wins():
    assert parse_contexts("North Korea, north korea, NORTH  KOREA, Elections") == ["Elections", "North Korea"]


def test_quoted_names_may_hold_commas_and_lose_their_quotes():
    assert parse_contexts('"Smith, John", Elections') == ["Elections", "Smith, John"]
    assert parse_contexts('"North Korea"') == ["North Korea"]
    # The old way of writing a multi-word name still gives the same single context.
    assert parse_contexts('"North Korean defectors", "Rail strikes"') == ["North Korean defectors", "Rail strikes"]


def test_quotes_inside_a_name_are_part_of_it_and_round_trip():
    assert parse_contexts('Operation "Sea Lion", Elections') == ["Elections", 'Operation "Sea Lion"']
    names = ['"Quoted" start', "Smith, John", 'Say ""hi""', "Plain words"]
    assert sorted(parse_contexts(contexts_string(names))) == sorted(names)


def test_an_unclosed_quote_keeps_the_rest_as_one_name():
    assert parse_contexts('"North Korea, Elections') == ["North Korea, Elections"]


def test_taggit_reads_and_writes_contexts_the_same_way():
    assert parse_tags("North Korean defectors") == ["North Korean defectors"]
    assert edit_string_for_tags([Tag(name="Smith, John"), Tag(name="North Korea")]) == 'North Korea, "Smith, John"'


@pytest.fixture
def editor(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = UserFactory(username="desk", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client.force_login(user)
    return user


@pytest.mark.django_db
def test_saving_a_phrase_in_the_admin_makes_one_context_and_reuses_existing_ones_ignoring_case(client, editor):
    ArticleFactory(tags=["Elections"])
    data = add_view_post_data(client, Article, article_fields(tags="North Korean defectors, elections\nSmith"))
    response = client.post(admin_url(Article, "add"), data)
    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get(slug="harbour-vote-splits-the-council")
    assert sorted(article.tags.names()) == ["Elections", "North Korean defectors", "Smith"]
    assert not Tag.objects.filter(name__in=["North", "Korean", "defectors"]).exists()
    assert Tag.objects.filter(name__iexact="elections").count() == 1


@pytest.mark.django_db
def test_the_change_form_shows_contexts_so_that_saving_again_keeps_them(client, editor):
    article = ArticleFactory(tags=["North Korean defectors", "Smith, John"])
    page = page_text(client.get(admin_url(Article, "change", article.pk)))
    assert 'North Korean defectors, "Smith, John"</textarea>' in page
    assert "a name of several words is one context" in page


@pytest.mark.django_db
def test_an_overlong_context_name_is_refused_with_a_message_and_the_typing_kept(client, editor):
    long_name = "Word " * 30
    data = add_view_post_data(client, Article, article_fields(tags=long_name))
    response = client.post(admin_url(Article, "add"), data)
    assert response.status_code == 200
    assert "A context name can be at most 100 characters" in page_text(response)
    assert long_name.strip() in page_text(response)
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_bulk_add_context_takes_a_phrase_as_one_context(client, editor):
    events = [EventFactory(), EventFactory()]
    client.post(
        reverse("admin:events_event_changelist"),
        {
            "action": "add_context_to_selected",
            "_selected_action": [e.pk for e in events],
            "confirm": "1",
            "tag": '  "North   Korean defectors" ',
        },
    )
    assert TaggedStory.objects.filter(tag__name="North Korean defectors").count() == 2
    assert list(Tag.objects.values_list("name", flat=True)) == ["North Korean defectors"]


@pytest.mark.django_db
def test_bulk_add_context_refuses_several_names_and_says_why(client, editor):
    event = EventFactory()
    response = client.post(
        reverse("admin:events_event_changelist"),
        {"action": "add_context_to_selected", "_selected_action": [event.pk], "confirm": "1", "tag": "Rail, Ferries"},
    )
    assert response.status_code == 200
    assert "add one at a time" in page_text(response)
    assert not Tag.objects.exists()


@pytest.mark.django_db
def test_suggestions_read_the_form_contexts_with_the_same_rules(client, editor):
    ArticleFactory(headline="Defectors cross the border", tags=["North Korean defectors", "Border"])
    url = reverse("admin:newsroom_article_new_suggestions")
    found = client.get(url, {"text": "", "tags": "North Korean defectors"}).json()
    assert found["tags"] == ["Border"]


@pytest.mark.django_db
@pytest.mark.parametrize("factory", [ArticleFactory, EventFactory])
def test_a_story_page_lists_its_contexts_in_the_order_they_were_given_as_the_form_does(client, factory):
    # Made in another order first, so that neither the contexts' ids nor their names give the story's order.
    for name in ["Airport", "Harbour", "Zebra crossings", "Night buses"]:
        Tag.objects.create(name=name)
    story = factory(tags=["Zebra crossings", "Harbour"])
    story.tags.add("Airport")
    story.tags.add("Night buses")

    html = client.get(story.get_absolute_url()).content.decode()
    box = html[html.index('<nav class="contexts"') :]
    shown = re.findall(r'<li><a href="/tags/[^"]+/">([^<]+)</a></li>', box[: box.index("</nav>")])
    assert shown == [tag.name for tag in Story.objects.get(pk=story.pk).tags.all()]
    assert shown == ["Zebra crossings", "Harbour", "Airport", "Night buses"]
