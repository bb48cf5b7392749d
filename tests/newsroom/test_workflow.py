"""Stories moving Draft → In review → Scheduled / Published → Withdrawn, on record, with no worker running."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from newsroom import services
from newsroom.models import Article, Story, StoryTransition
from newsroom.querysets import Status
from tests.factories import (
    ArticleFactory,
    EventFactory,
    ImageFactory,
    OutletFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def member(role: str, username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def reporter():
    return member("Reporter", "reporter")


@pytest.fixture
def editor():
    return member("Editor", "editor")


def ready_article(author=None, **kwargs) -> Article:
    """A draft that passes the pre-publish checklist."""
    kwargs.setdefault("status", Status.DRAFT)
    kwargs.setdefault("publish_at", None)
    article = ArticleFactory(lead_image=ImageFactory(), **kwargs)
    if author is not None:
        Story.objects.filter(pk=article.pk).update(created_by=author)
    SourceFactory(story=article, outlet=OutletFactory(name="Harbour Gazette"))
    SourceFactory(story=article, outlet=OutletFactory(name="Coast Herald"))
    return Article.objects.get(pk=article.pk)


def test_each_move_records_who_when_and_from_where(reporter, editor):
    article = ready_article(author=reporter)

    services.submit_story(story=article, by=reporter)
    when = timezone.now() + timedelta(hours=2)
    services.schedule_story(story=article, by=editor, publish_at=when)
    services.publish_story(story=article, by=editor)
    services.withdraw_story(story=article, by=editor, reason="Legal advice")

    trail = list(StoryTransition.objects.filter(story=article).order_by("at", "pk"))
    assert [(t.from_status, t.to_status, t.by) for t in trail] == [
        (Status.DRAFT, Status.REVIEW, reporter),
        (Status.REVIEW, Status.SCHEDULED, editor),
        (Status.SCHEDULED, Status.PUBLISHED, editor),
        (Status.PUBLISHED, Status.WITHDRAWN, editor),
    ]
    assert trail[1].publish_at == when
    assert trail[3].note == "Legal advice"
    assert Story.objects.get(pk=article.pk).status == Status.WITHDRAWN


def test_reporter_cannot_publish_or_submit_someone_elses_story(reporter, editor):
    other = member("Reporter", "other")
    article = ready_article(author=other)

    with pytest.raises(PermissionDenied):
        services.submit_story(story=article, by=reporter)
    with pytest.raises(PermissionDenied):
        services.publish_story(story=article, by=reporter)
    assert Story.objects.get(pk=article.pk).status == Status.DRAFT
    assert not StoryTransition.objects.exists()


def test_impossible_moves_are_refused_and_change_nothing(editor):
    article = ready_article()

    with pytest.raises(ValidationError):
        services.withdraw_story(story=article, by=editor, reason="No")
    with pytest.raises(ValidationError):
        services.schedule_story(story=article, by=editor, publish_at=timezone.now() - timedelta(minutes=1))
    assert Story.objects.get(pk=article.pk).status == Status.DRAFT
    assert not StoryTransition.objects.exists()


def test_scheduled_story_appears_at_its_time_with_nothing_running(client, editor):
    article = ready_article(headline="Ferry timetable changes at nine")
    nine = timezone.now() + timedelta(minutes=2)
    services.schedule_story(story=article, by=editor, publish_at=nine)
    article.refresh_from_db()

    assert client.get(article.get_absolute_url()).status_code == 404
    assert "Ferry timetable" not in client.get("/news/").content.decode()
    assert not Story.objects.published().filter(pk=article.pk).exists()

    # Time passes; no command runs.
    Story.objects.filter(pk=article.pk).update(publish_at=timezone.now() - timedelta(seconds=1))

    assert client.get(article.get_absolute_url()).status_code == 200
    assert "Ferry timetable" in client.get("/news/").content.decode()
    assert Story.objects.get(pk=article.pk).status == Status.SCHEDULED


def test_publish_due_moves_due_stories_once_and_is_safe_to_repeat(editor):
    due = ready_article()
    later = ready_article()
    services.schedule_story(story=due, by=editor, publish_at=timezone.now() + timedelta(minutes=1))
    services.schedule_story(story=later, by=editor, publish_at=timezone.now() + timedelta(days=1))
    Story.objects.filter(pk=due.pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    published_before = Story.objects.published().count()

    out = StringIO()
    call_command("publish_due", stdout=out)
    assert out.getvalue().strip() == "Published 1 due story."
    call_command("publish_due", stdout=out)

    assert Story.objects.get(pk=due.pk).status == Status.PUBLISHED
    assert Story.objects.get(pk=later.pk).status == Status.SCHEDULED
    assert Story.objects.published().count() == published_before
    moves = StoryTransition.objects.filter(story=due, to_status=Status.PUBLISHED)
    assert moves.count() == 1 and moves.get().by is None


def test_withdrawn_story_answers_410_and_leaves_every_list(client, editor):
    article = ArticleFactory(headline="Harbour story that was wrong", tags=["Harbour"])
    event = EventFactory(summary="Harbour event that was wrong.", tags=["Harbour"])
    url = article.get_absolute_url()
    for story in (article, event):
        services.withdraw_story(story=story, by=editor, reason="Could not be verified")

    response = client.get(url)
    assert response.status_code == 410
    assert "This story has been withdrawn" in response.content.decode()
    assert client.get(Story.objects.get(pk=event.pk).get_absolute_url()).status_code == 410
    for page in ("/", "/news/", "/tags/harbour/", "/feeds/latest/rss/", "/feeds/events/rss/", "/sitemap-news.xml"):
        text = client.get(page).content.decode()
        assert "that was wrong" not in text, page
        assert url not in text, page


def test_changing_a_published_storys_slug_leaves_a_301(client, editor):
    article = ArticleFactory(slug="harbour-vote")
    old = article.get_absolute_url()
    article.slug = "harbour-vote-result"
    article.save()

    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_checklist_blocks_publishing_until_overridden_with_a_reason(editor):
    article = ArticleFactory(status=Status.REVIEW, publish_at=None, standfirst="", lead_image=ImageFactory(alt_text=""))
    SourceFactory(story=article)

    labels = {item.label: item.passed for item in services.checklist(story=article)}
    assert labels == {
        "Sources cite at least two independent outlets": False,
        "Lead image has alt text": False,
        "Lead image has a credit": True,
        "Standfirst is written": False,
    }
    with pytest.raises(ValidationError, match="checklist"):
        services.publish_story(story=article, by=editor)
    assert Story.objects.get(pk=article.pk).status == Status.REVIEW

    services.publish_story(story=article, by=editor, override_reason="Breaking news; second source to follow")

    move = StoryTransition.objects.get(story=article)
    assert move.checklist_overridden
    assert "Breaking news; second source to follow" in move.note


def test_events_need_one_source(editor):
    event = EventFactory(status=Status.REVIEW, publish_at=None)
    assert [item.passed for item in services.checklist(story=event)] == [False]
    SourceFactory(story=event)
    services.publish_story(story=Story.objects.get(pk=event.pk), by=editor)
    assert Story.objects.published().filter(pk=event.pk).exists()


# In the admin ----------------------------------------------------------------------------------------------


def transition_url(story, name: str) -> str:
    return reverse("admin:newsroom_article_transition", args=[story.pk, name])


def test_editor_publishes_through_the_checklist_page_and_the_trail_shows_it(client, editor):
    article = ready_article(status=Status.REVIEW)
    client.force_login(editor)

    page = client.get(transition_url(article, "publish")).content.decode()
    assert "Pre-publish checklist" in page
    assert "Publish anyway because" not in page
    response = client.post(transition_url(article, "publish"))
    assert response.status_code == 302

    change = client.get(reverse("admin:newsroom_article_change", args=[article.pk])).content.decode()
    assert "In review → Published" in change
    assert "editor" in change


def test_failing_checklist_page_asks_for_a_reason_and_keeps_it(client, editor):
    article = ArticleFactory(status=Status.REVIEW, publish_at=None, standfirst="")
    client.force_login(editor)

    page = client.get(transition_url(article, "publish")).content.decode()
    assert "Standfirst is written <strong>— missing</strong>" in page
    refused = client.post(transition_url(article, "publish"))
    assert refused.status_code == 200
    assert "give a reason" in refused.content.decode()
    assert Story.objects.get(pk=article.pk).status == Status.REVIEW

    client.post(transition_url(article, "publish"), {"override_reason": "Agency copy, checked by phone"})

    assert Story.objects.get(pk=article.pk).status == Status.PUBLISHED
    change = client.get(reverse("admin:newsroom_article_change", args=[article.pk])).content.decode()
    assert "Checklist overridden: Agency copy, checked by phone" in change


def test_schedule_page_takes_a_time_in_the_newsroom_zone(client, editor, settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    article = ready_article(status=Status.REVIEW)
    client.force_login(editor)

    client.post(transition_url(article, "schedule"), {"publish_at": "2099-05-01T09:00"})

    article.refresh_from_db()
    assert article.status == Status.SCHEDULED
    assert timezone.localtime(article.publish_at).strftime("%Y-%m-%d %H:%M %Z") == "2099-05-01 09:00 JST"


def test_status_is_not_typed_into_the_change_form(client, editor):
    article = ready_article()
    client.force_login(editor)
    page = client.get(reverse("admin:newsroom_article_change", args=[article.pk])).content.decode()
    assert 'name="status"' not in page
    assert "Publish now…" in page and "Schedule…" in page


def test_a_due_scheduled_story_is_treated_as_published(editor):
    article = ready_article()
    services.schedule_story(story=article, by=editor, publish_at=timezone.now() + timedelta(minutes=1))
    Story.objects.filter(pk=article.pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    due = Story.objects.get(pk=article.pk)

    with pytest.raises(ValidationError):
        services.transition(story=due, name="return", by=editor)
    services.withdraw_story(story=due, by=editor, reason="Embargo broken")
    assert Story.objects.get(pk=article.pk).status == Status.WITHDRAWN


def test_a_withdrawn_storys_old_address_shows_the_withdrawn_notice(client, editor):
    article = ArticleFactory(headline="Harbour story that was wrong")
    old = article.get_absolute_url()
    article.slug = "harbour-story-renamed"
    article.save()
    assert client.get(old).status_code == 301
    services.withdraw_story(story=article, by=editor, reason="Could not be verified")

    for address in (old, Story.objects.get(pk=article.pk).get_absolute_url()):
        response = client.get(address)
        assert response.status_code == 410, address
        assert "This story has been withdrawn" in response.content.decode()
