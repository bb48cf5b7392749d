"""Archive freeze: an old published story changes only through a recorded correction."""

from __future__ import annotations

from datetime import timedelta

import pytest
import reversion
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from newsroom.freeze import is_frozen
from newsroom.models import Article, Correction, Source
from tests.factories import ArticleFactory, EventFactory, SectionFactory, SourceFactory, UserFactory
from tests.newsroom.test_roles import edit_data

pytestmark = pytest.mark.django_db


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def editor(client):
    user = UserFactory(username="desk", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client.force_login(user)
    return user


@pytest.fixture
def archived(settings):
    settings.DATELINE_FREEZE_AFTER_DAYS = 365
    story = ArticleFactory(headline="Old harbour vote", publish_at=days_ago(400))
    SourceFactory(story=story, title="Gazette report")
    return story


def change_url(story) -> str:
    return reverse("admin:newsroom_article_change", args=[story.pk])


def test_the_section_age_wins_over_the_site_default_and_empty_means_the_default(settings):
    settings.DATELINE_FREEZE_AFTER_DAYS = 365
    quick = SectionFactory(freeze_after_days=30)
    assert is_frozen(ArticleFactory(section=quick, publish_at=days_ago(40)))
    assert not is_frozen(ArticleFactory(section=quick, publish_at=days_ago(10)))
    assert not is_frozen(ArticleFactory(section=SectionFactory(), publish_at=days_ago(300)))
    assert is_frozen(EventFactory(date=timezone.localdate() - timedelta(days=400), publish_at=days_ago(400)))
    settings.DATELINE_FREEZE_AFTER_DAYS = None
    assert not is_frozen(ArticleFactory(section=SectionFactory(), publish_at=days_ago(4000)))


def test_change_form_says_at_the_top_that_the_story_is_archived(client, editor, archived):
    html = client.get(change_url(archived)).content.decode()
    assert "Archived story" in html
    assert html.index("Archived since") < html.index('name="headline"')
    assert 'name="correction_note"' in html


def test_an_edit_without_a_correction_is_refused_and_keeps_what_was_typed(client, editor, archived):
    data = edit_data(Article, archived, headline="Rewritten quietly")
    response = client.post(change_url(archived), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This story is archived" in html and "You changed: headline" in html
    assert 'value="Rewritten quietly"' in html
    assert Article.objects.get(pk=archived.pk).headline == "Old harbour vote"


def test_a_source_change_without_a_correction_is_refused(client, editor, archived):
    data = edit_data(Article, archived, **{"sources-0-title": "Quietly retitled"})
    response = client.post(change_url(archived), data)
    assert response.status_code == 200
    assert "its sources change only with a correction" in response.content.decode()
    assert Source.objects.get(story=archived).title == "Gazette report"


def test_an_edit_with_a_correction_is_saved_and_the_correction_published(client, editor, archived):
    data = edit_data(
        Article, archived, headline="Old harbour vote, corrected", correction_note="The vote was in May, not June."
    )
    response = client.post(change_url(archived), data)
    assert response.status_code == 302
    assert Article.objects.get(pk=archived.pk).headline == "Old harbour vote, corrected"
    assert list(Correction.objects.filter(story=archived).values_list("note", flat=True)) == [
        "The vote was in May, not June."
    ]
    assert "The vote was in May, not June." in client.get(archived.get_absolute_url()).content.decode()


def test_settings_readers_do_not_see_may_still_change(client, editor, archived):
    data = edit_data(Article, archived, comments="closed")
    assert client.post(change_url(archived), data).status_code == 302
    assert not Correction.objects.exists()


def test_a_correction_note_alone_is_still_allowed(client, editor, archived):
    url = reverse("admin:newsroom_article_correct", args=[archived.pk])
    assert client.post(url, {"note": "The council has nine members."}).status_code == 302
    assert Correction.objects.filter(story=archived).count() == 1


def test_a_recent_story_is_edited_as_before(client, editor, settings):
    settings.DATELINE_FREEZE_AFTER_DAYS = 365
    story = ArticleFactory(headline="Fresh harbour vote")
    html = client.get(change_url(story)).content.decode()
    assert "Archived since" not in html and 'name="correction_note"' not in html
    assert client.post(change_url(story), edit_data(Article, story, headline="Fresh, edited")).status_code == 302


def test_archived_story_page_is_kept_long_and_its_comments_are_closed(client, archived):
    response = client.get(archived.get_absolute_url())
    assert "max-age=86400" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    html = response.content.decode()
    assert "Comments are closed on archived stories." in html
    assert 'name="body"' not in html.split('id="comments"')[1]


def test_comments_posted_to_an_archived_story_are_refused(client, archived):
    response = client.post(reverse("comments:post", args=[archived.pk]), {"body": "Late word", "name": "Ana"})
    assert response.status_code == 302
    assert not archived.reader_comments.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Comments are closed on archived stories." in page


def test_a_recent_story_keeps_the_short_lifetime_and_open_comments(client, settings):
    settings.DATELINE_FREEZE_AFTER_DAYS = 365
    story = ArticleFactory()
    response = client.get(story.get_absolute_url())
    assert "max-age=86400" not in response.get("Cache-Control", "")
    assert "Comments are closed on archived stories." not in response.content.decode()


def test_the_page_cache_replays_an_archived_story_with_its_long_lifetime(client, archived, settings):
    settings.DATELINE_PAGE_CACHE = True
    first = client.get(archived.get_absolute_url())
    second = client.get(archived.get_absolute_url())
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    # Browsers keep it a day; shared caches in front are told the same (s-maxage) and are purged on a correction.
    assert first["Cache-Control"] == second["Cache-Control"]
    assert "public" in first["Cache-Control"] and "max-age=86400" in first["Cache-Control"]
    recent = ArticleFactory()
    client.get(recent.get_absolute_url())
    assert "max-age=86400" not in client.get(recent.get_absolute_url())["Cache-Control"]


def test_an_archived_event_is_guarded_the_same_way(client, editor, settings):
    from events.models import Event

    settings.DATELINE_FREEZE_AFTER_DAYS = 365
    event = EventFactory(
        summary="The ferry line closes.", date=timezone.localdate() - timedelta(days=400), publish_at=days_ago(400)
    )
    url = reverse("admin:events_event_change", args=[event.pk])
    response = client.post(url, edit_data(Event, event, summary="The ferry line closes for good."))
    assert response.status_code == 200 and "This story is archived" in response.content.decode()
    assert Event.objects.get(pk=event.pk).summary == "The ferry line closes."


def test_bulk_add_context_leaves_archived_stories_as_they_were(client, editor, archived):
    from newsroom.models import TaggedStory

    recent = ArticleFactory()
    response = client.post(
        reverse("admin:newsroom_article_changelist"),
        {
            "action": "add_context_to_selected",
            "_selected_action": [archived.pk, recent.pk],
            "confirm": "1",
            "tag": "Ferries",
        },
        follow=True,
    )
    assert list(TaggedStory.objects.filter(tag__name="Ferries").values_list("content_object_id", flat=True)) == [
        recent.pk
    ]
    assert "archived, so its contexts change only with a correction" in response.content.decode()


def test_an_archived_story_is_not_restored_to_an_earlier_version(client, editor, archived):
    from reversion.models import Version

    with reversion.create_revision():
        archived.save()
    revision = Version.objects.get_for_object_reference(type(archived), archived.pk).first().revision
    url = reverse("admin:newsroom_article_restore", args=[archived.pk, revision.pk])
    response = client.post(url, follow=True)
    assert "an earlier version is not restored" in response.content.decode()


def test_a_page_carrying_a_message_for_one_reader_is_not_kept_long(client, archived):
    client.post(reverse("comments:post", args=[archived.pk]), {"body": "Late word", "name": "Ana"})
    response = client.get(archived.get_absolute_url())
    assert "Comments are closed on archived stories." in response.content.decode()
    assert "max-age=86400" not in response.get("Cache-Control", "")
