"""The editor's day in the admin: the dashboard, bulk actions, merging contexts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from newsroom import services
from newsroom.models import Story, StoryTransition, TaggedStory
from newsroom.querysets import Status
from newsroom.search import refresh_search_vectors
from tests.factories import ArticleFactory, EventFactory, ImageFactory, OutletFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db


def member(role: str, username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def editor(client):
    user = member("Editor", "desk")
    client.force_login(user)
    return user


def checked(article):
    SourceFactory(story=article, outlet=OutletFactory(name="Harbour Gazette"))
    SourceFactory(story=article, outlet=OutletFactory(name="Coast Herald"))
    return article


def test_dashboard_shows_my_drafts_review_queue_schedule_and_recent(client, editor):
    mine = ArticleFactory(headline="My own draft", status=Status.DRAFT, publish_at=None)
    Story.objects.filter(pk=mine.pk).update(created_by=editor)
    ArticleFactory(headline="Someone else's draft", status=Status.DRAFT, publish_at=None)
    ArticleFactory(headline="Waiting for an editor", status=Status.REVIEW, publish_at=None)
    nine = timezone.now() + timedelta(hours=3)
    ArticleFactory(headline="Goes out later", status=Status.SCHEDULED, publish_at=nine)
    ArticleFactory(headline="Just went out")

    html = client.get(reverse("admin:index")).content.decode()

    drafts = html.split('id="dash-drafts"')[1].split("</section>")[0]
    assert "My own draft" in drafts and "Someone else" not in drafts
    assert "Waiting for an editor" in html.split('id="dash-review"')[1].split("</section>")[0]
    scheduled = html.split('id="dash-scheduled"')[1].split("</section>")[0]
    assert "Goes out later" in scheduled
    assert timezone.localtime(nine).strftime("%H:%M") in scheduled
    assert "Just went out" in html.split('id="dash-published"')[1].split("</section>")[0]


def test_dashboard_counts_comments_for_those_who_moderate(client, editor):
    from tests.factories import CommentFactory

    CommentFactory(status="pending")
    assert "Comments waiting" not in client.get(reverse("admin:index")).content.decode()
    client.force_login(member("Moderator", "mod"))
    html = client.get(reverse("admin:index")).content.decode()
    assert "1 comment waiting for moderation" in html


def changelist(model="article") -> str:
    return reverse(f"admin:newsroom_{model}_changelist")


def test_bulk_publish_confirms_then_publishes_those_passing_the_checklist(client, editor):
    ready = checked(ArticleFactory(status=Status.REVIEW, publish_at=None, lead_image=ImageFactory()))
    lacking = ArticleFactory(status=Status.REVIEW, publish_at=None, standfirst="")
    selected = {"action": "publish_selected", "_selected_action": [ready.pk, lacking.pk]}

    confirm = client.post(changelist(), selected)
    assert confirm.status_code == 200
    assert "Standfirst is written <strong>— missing</strong>" in confirm.content.decode()

    client.post(changelist(), {**selected, "confirm": "1"})

    assert Story.objects.get(pk=ready.pk).status == Status.PUBLISHED
    assert Story.objects.get(pk=lacking.pk).status == Status.REVIEW


def test_bulk_schedule_and_withdraw(client, editor):
    first = checked(ArticleFactory(status=Status.DRAFT, publish_at=None))
    second = checked(ArticleFactory(status=Status.DRAFT, publish_at=None))
    when = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        changelist(),
        {"action": "schedule_selected", "_selected_action": [first.pk, second.pk], "confirm": "1", "publish_at": when},
    )
    assert set(Story.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {
        Status.SCHEDULED
    }

    live = ArticleFactory()
    client.post(
        changelist(),
        {"action": "withdraw_selected", "_selected_action": [live.pk], "confirm": "1", "note": "Duplicate"},
    )
    assert Story.objects.get(pk=live.pk).status == Status.WITHDRAWN
    assert StoryTransition.objects.get(story=live).note == "Duplicate"


def test_bulk_add_context_on_events(client, editor):
    events = [EventFactory(), EventFactory(tags=["Ferries"])]
    client.post(
        reverse("admin:events_event_changelist"),
        {
            "action": "add_context_to_selected",
            "_selected_action": [e.pk for e in events],
            "confirm": "1",
            "tag": "ferries",
        },
    )
    assert TaggedStory.objects.filter(tag__name="Ferries").count() == 2
    assert Tag.objects.filter(name__iexact="ferries").count() == 1


def test_merging_contexts_moves_stories_and_leaves_a_301(client, editor):
    a = ArticleFactory(tags=["Harbor"])
    b = ArticleFactory(tags=["Harbour", "Harbor"])
    c = EventFactory(tags=["Harbour"])
    old, kept = Tag.objects.get(name="Harbor"), Tag.objects.get(name="Harbour")

    confirm = client.post(
        reverse("admin:taggit_tag_changelist"), {"action": "merge_selected", "_selected_action": [old.pk, kept.pk]}
    )
    assert "Keep which context?" in confirm.content.decode()
    client.post(
        reverse("admin:taggit_tag_changelist"),
        {"action": "merge_selected", "_selected_action": [old.pk, kept.pk], "confirm": "1", "target": kept.pk},
    )

    assert not Tag.objects.filter(pk=old.pk).exists()
    assert set(TaggedStory.objects.filter(tag=kept).values_list("content_object_id", flat=True)) == {a.pk, b.pk, c.pk}
    response = client.get("/tags/harbor/")
    assert response.status_code == 301 and response["Location"] == "/tags/harbour/"
    assert client.get("/tags/nothing-here/").status_code == 404


def test_merge_needs_the_permission(client):
    reporter = member("Reporter", "rep")
    client.force_login(reporter)
    one, two = Tag.objects.create(name="One"), Tag.objects.create(name="Two")
    client.post(
        reverse("admin:taggit_tag_changelist"),
        {"action": "merge_selected", "_selected_action": [one.pk, two.pk], "confirm": "1", "target": two.pk},
    )
    assert Tag.objects.filter(pk=one.pk).exists()
    with pytest.raises(Exception, match="may not merge"):
        services.merge_tags(source=one, target=two, by=reporter)


def test_edit_form_suggests_contexts_and_related_stories_from_shared_contexts_and_words(client, editor):
    story = ArticleFactory(headline="Ferry operators warn of winter timetable cuts", tags=["Ferries"])
    sibling = ArticleFactory(headline="Island councils protest ferry cuts", tags=["Ferries", "Islands"])
    wordy = EventFactory(summary="Ferry operators announce new winter routes.", tags=["Transport"])
    unrelated = ArticleFactory(
        headline="Orchestra opens its season",
        standfirst="A programme of Brahms and Sibelius.",
        body="<p>Tickets sold out within hours.</p>",
        tags=["Music"],
    )

    # On PostgreSQL stories are found by their words through search vectors, refreshed after commit.
    refresh_search_vectors()
    url = reverse("admin:newsroom_article_suggestions", args=[story.pk])
    found = client.get(url).json()

    related = [item["id"] for item in found["related"]]
    assert sibling.pk in related and wordy.pk in related
    assert unrelated.pk not in related and story.pk not in related
    assert "Islands" in found["tags"] and "Ferries" not in found["tags"]
    page = client.get(reverse("admin:newsroom_article_change", args=[story.pk])).content.decode()
    assert f'data-suggestions-url="{url}"' in page and "js/admin/suggestions.js" in page


def test_a_new_story_gets_suggestions_from_what_the_form_holds(client, editor):
    sibling = ArticleFactory(headline="Island councils protest ferry cuts", tags=["Ferries", "Islands"])

    refresh_search_vectors()
    url = reverse("admin:newsroom_article_new_suggestions")
    found = client.get(url, {"text": "Ferry cuts anger island councils", "tags": "Ferries, "}).json()

    assert [item["id"] for item in found["related"]] == [sibling.pk]
    assert found["tags"] == ["Islands"]
    page = client.get(reverse("admin:newsroom_article_add")).content.decode()
    assert f'data-suggestions-url="{url}"' in page


def test_suggestions_need_access_to_the_story_kind(client):
    client.force_login(member("Moderator", "mod2"))
    assert client.get(reverse("admin:newsroom_article_new_suggestions"), {"text": "ferry"}).status_code == 403
