"""What the edit form suggests: contexts and related stories ranked by what the story says."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from newsroom.admin import workflow
from newsroom.admin.workflow import suggestions_for as suggestions_from_index
from newsroom.admin.workflow import text_terms
from newsroom.models import RelatedLink
from newsroom.querysets import Status
from newsroom.search import refresh_search_vectors
from tests.factories import ArticleFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def suggestions_for(*args, **kwargs) -> dict:
    # Search vectors are refreshed after commit, which tests inside a transaction never reach (PostgreSQL).
    refresh_search_vectors()
    return suggestions_from_index(*args, **kwargs)


def related_ids(found) -> list[int]:
    return [item["id"] for item in found["related"]]


def test_names_are_runs_of_capitalised_words_and_sentence_openers_are_not_names():
    words, names = text_terms("Defectors from North Korea reach Seoul. The Bank of England held rates. Rates rose.")
    assert names == ["North Korea", "Seoul", "Bank of England"]
    assert "defectors" in words and "the" not in words and "from" not in words


def test_a_story_sharing_a_name_ranks_above_one_sharing_only_common_words():
    words_only = ArticleFactory(headline="Minister announces border checks review")
    named = ArticleFactory(headline="Talks with Kim Jong Un stall")
    found = suggestions_for(text="Analysts doubt Kim Jong Un will accept the border checks minister proposal")
    assert related_ids(found)[:2] == [named.pk, words_only.pk]


def test_words_of_the_standfirst_and_body_count_not_only_the_headline(client):
    dredging = ArticleFactory(headline="Dredging contract awarded")
    story = ArticleFactory(
        headline="Port plans a bigger harbour",
        standfirst="The work needs months of dredging.",
        body="<p>The dredging contract was signed on Monday.</p>",
    )
    assert dredging.pk in related_ids(suggestions_for(story))


def test_stories_sharing_the_forms_contexts_rank_by_how_many_they_share():
    one = ArticleFactory(headline="Orchestra tour", tags=["Ferries"])
    two = ArticleFactory(headline="Choir concert", tags=["Ferries", "Islands"])
    found = suggestions_for(text="", tag_names=["ferries", "Islands"])
    assert related_ids(found) == [two.pk, one.pk]


def test_contexts_of_linked_stories_are_suggested_and_bring_their_stories():
    linked = ArticleFactory(headline="Strike closes the port", tags=["Dock strikes", "Unions"])
    sibling = ArticleFactory(headline="Union ballot opens", tags=["Unions"])
    ArticleFactory(headline="Flower show opens", tags=["Gardens"])
    found = suggestions_for(text="Shipping waits outside", tag_names=[], linked_ids=[linked.pk])
    assert set(found["tags"][:2]) == {"Dock strikes", "Unions"}
    assert related_ids(found) == [sibling.pk]


def test_a_context_named_in_the_text_is_suggested_first():
    ArticleFactory(headline="Ferry cuts", tags=["Ferries", "Islands"])
    ArticleFactory(headline="Unrelated", tags=["North Korea"])
    found = suggestions_for(text="Ferry cuts worry islanders as North Korea tests missiles", tag_names=["Ferries"])
    assert found["tags"][0] == "North Korea"
    assert "Ferries" not in found["tags"]


def test_contexts_the_form_already_has_are_never_suggested_whatever_their_case():
    ArticleFactory(headline="Ferry cuts", tags=["Ferries", "Islands"])
    found = suggestions_for(text="Ferry cuts", tag_names=["FERRIES"])
    assert found["tags"] == ["Islands"]


def test_the_story_itself_is_never_offered():
    story = ArticleFactory(headline="Ferry operators warn of winter timetable cuts", tags=["Ferries"])
    ArticleFactory(headline="Ferry timetable cuts", tags=["Ferries"])
    assert story.pk not in related_ids(suggestions_for(story))
    assert story.pk not in related_ids(suggestions_for(story, text=story.headline, tag_names=["Ferries"]))


def test_stories_already_linked_are_never_offered():
    story = ArticleFactory(headline="Ferry timetable cuts anger islanders", tags=["Ferries"])
    saved = ArticleFactory(headline="Ferry timetable cuts announced", tags=["Ferries"])
    typed = ArticleFactory(headline="Ferry timetable cuts delayed", tags=["Ferries"])
    other = ArticleFactory(headline="Ferry timetable cuts reviewed", tags=["Ferries"])
    RelatedLink.objects.create(story=story, target=saved, order=0)
    found = suggestions_for(story, linked_ids=[typed.pk])
    assert related_ids(found) == [other.pk]


def test_drafts_are_never_offered():
    ArticleFactory(headline="Ferry timetable cuts", tags=["Ferries"], status=Status.DRAFT, publish_at=None)
    assert suggestions_for(text="Ferry timetable cuts", tag_names=["Ferries"])["related"] == []


def test_each_suggested_story_shows_its_kind_date_and_why():
    day = date(2026, 3, 4)
    event = EventFactory(summary="Storm closes the ferry terminal.", tags=["Ferries"], date=day)
    found = suggestions_for(text="Ferry terminal storm damage", tag_names=["Ferries"])
    (item,) = found["related"]
    assert item["id"] == event.pk
    assert item["kind_display"] == "Event" and item["date"] == "2026-03-04" and item["date_display"] == "4 Mar 2026"
    assert "contexts: Ferries" in item["why"] and "terminal" in item["why"]


def test_equal_scores_go_to_the_more_recent_story():
    today = date.today()
    older = EventFactory(summary="Harbour wall repaired.", date=today - timedelta(days=30))
    newer = EventFactory(summary="Harbour wall inspected.", date=today - timedelta(days=1))
    assert related_ids(suggestions_for(text="The harbour wall"))[:2] == [newer.pk, older.pk]


def test_candidates_are_bounded_whatever_the_size_of_a_context(monkeypatch):
    monkeypatch.setattr(workflow, "SUGGESTION_PER_CONTEXT", 5)
    monkeypatch.setattr(workflow, "SUGGESTION_CANDIDATES", 5)
    for number in range(12):
        ArticleFactory(headline=f"Common story {number}", tags=["China"])
    refresh_search_vectors()
    with CaptureQueriesContext(connection) as few:
        suggestions_from_index(text="Trade", tag_names=["China"])
    for number in range(12, 42):
        ArticleFactory(headline=f"Common story {number}", tags=["China"])
    refresh_search_vectors()
    with CaptureQueriesContext(connection) as many:
        found = suggestions_from_index(text="Trade", tag_names=["China"])
    assert len(many) == len(few)
    assert len(found["related"]) == 5


@pytest.fixture
def editor(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = UserFactory(username="desk", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client.force_login(user)
    return user


def test_the_view_takes_the_forms_unsaved_links_and_ignores_nonsense(client, editor):
    story = ArticleFactory(headline="Ferry timetable cuts anger islanders", tags=["Ferries"])
    typed = ArticleFactory(headline="Ferry timetable cuts delayed", tags=["Ferries"])
    other = ArticleFactory(headline="Ferry timetable cuts reviewed", tags=["Ferries"])
    url = reverse("admin:newsroom_article_suggestions", args=[story.pk])
    refresh_search_vectors()
    found = client.get(url, {"linked": f"{typed.pk},x,-3,,99999999999999999999"})
    assert found.status_code == 200
    assert related_ids(found.json()) == [other.pk]


def test_a_link_typed_as_this_sites_address_of_a_story_counts_as_linked(client, editor):
    story = ArticleFactory(headline="Ferry timetable cuts anger islanders", tags=["Ferries"])
    by_address = ArticleFactory(headline="Ferry timetable cuts delayed", tags=["Ferries"])
    by_old_address = ArticleFactory(headline="Ferry timetable cuts postponed", tags=["Ferries"])
    old_address = by_old_address.get_absolute_url()
    by_old_address.slug = "ferry-cuts-put-off"
    by_old_address.save()
    other = ArticleFactory(headline="Ferry timetable cuts reviewed", tags=["Ferries"])
    url = reverse("admin:newsroom_article_suggestions", args=[story.pk])
    addresses = "\n".join(
        [
            "http://testserver" + by_address.get_absolute_url(),
            old_address,
            "https://elsewhere.example" + other.get_absolute_url(),
            "/news/2026/99/99/nothing/",
            "not a link at all",
            "http://[::1",
        ]
    )
    refresh_search_vectors()
    found = client.get(url, {"linked_urls": addresses})
    assert found.status_code == 200
    assert related_ids(found.json()) == [other.pk]
