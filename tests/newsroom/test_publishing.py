"""Publishing controls: archive stories with their own time, zones named and converted, one set of workflow
controls for articles and events, scheduled stories shown as published from their time on, confirmed restores."""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from reversion.models import Revision

from events.models import Event
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
from tests.newsroom.test_admin import add_view_post_data, article_fields
from tests.newsroom.test_roles import form_data

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
ARCHIVE_TIME = datetime(2012, 4, 23, 9, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def newsroom_in_london(settings):
    settings.TIME_ZONE = "Europe/London"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def member(role: str, username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def editor(client):
    user = member("Editor", "desk")
    client.force_login(user)
    return user


def admin_url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def checked(story):
    """Sources from two outlets, so the pre-publish checklist passes."""
    SourceFactory(story=story, outlet=OutletFactory(name="Harbour Gazette"))
    SourceFactory(story=story, outlet=OutletFactory(name="Coast Herald"))
    return type(story).objects.get(pk=story.pk)


def draft_article(**kwargs) -> Article:
    kwargs.setdefault("status", Status.DRAFT)
    kwargs.setdefault("publish_at", None)
    return checked(ArticleFactory(lead_image=ImageFactory(), **kwargs))


def text(response) -> str:
    return html.unescape(response.content.decode())


def words(response) -> str:
    """The page as a reader sees it: text without markup, spaces collapsed."""
    return " ".join(html.unescape(strip_tags(response.content.decode())).split())


# Entering the archive ---------------------------------------------------------------------------------------


def test_archive_article_published_with_its_original_time_keeps_its_2012_address(client, editor):
    article = draft_article(headline="Harbour strike ends after nine days", slug="harbour-strike-ends")

    services.publish_story(story=article, by=editor, publish_at=ARCHIVE_TIME)

    article = Article.objects.get(pk=article.pk)
    assert article.status == Status.PUBLISHED
    assert article.publish_at == ARCHIVE_TIME
    assert article.get_absolute_url() == "/news/2012/04/23/harbour-strike-ends/"
    client.logout()
    assert client.get("/news/2012/04/23/harbour-strike-ends/").status_code == 200
    assert "Harbour strike ends" in text(client.get("/news/2012/04/23/"))
    move = StoryTransition.objects.get(story=article)
    assert (move.from_status, move.to_status, move.publish_at) == (Status.DRAFT, Status.PUBLISHED, ARCHIVE_TIME)
    assert move.note == "Published with its original time 23 Apr 2012, 09:00"
    revision = Revision.objects.filter(version__object_id=str(article.pk)).latest("date_created")
    assert revision.get_comment() == "Published with its original time 23 Apr 2012, 09:00"


def test_the_change_page_history_says_the_story_went_out_with_its_original_time(client, editor):
    article = draft_article(slug="harbour-strike-ends")
    services.publish_story(story=article, by=editor, publish_at=ARCHIVE_TIME)

    page = text(client.get(admin_url(Article, "change", article.pk)))

    assert "Draft → Published" in page
    assert "Published with its original time 23 Apr 2012, 09:00" in page


def test_publishing_with_a_time_still_to_come_is_refused(editor):
    article = draft_article()

    with pytest.raises(Exception, match="schedule"):
        services.publish_story(story=article, by=editor, publish_at=timezone.now() + timedelta(days=2))

    assert Story.objects.get(pk=article.pk).status == Status.DRAFT
    assert not StoryTransition.objects.exists()


def test_publish_now_with_a_typed_past_time_asks_and_does_not_discard_it(client, editor):
    article = draft_article(headline="Lighthouse keeper retires", slug="lighthouse-keeper-retires")
    # The editor typed the original time into the change form of the draft.
    Article.objects.filter(pk=article.pk).update(publish_at=ARCHIVE_TIME)
    url = admin_url(Article, "transition", article.pk, "publish")

    page = text(client.get(url))
    assert "carries its own publish time, 23 Apr 2012, 09:00, which has passed" in words(client.get(url))
    assert "/news/2012/04/23/lighthouse-keeper-retires/" in page
    assert 'name="when" value="own"' in page and 'name="when" value="now"' in page
    assert 'value="own" id="id_when_own" checked' not in page and 'id="id_when_now" checked' not in page

    unanswered = client.post(url)
    assert unanswered.status_code == 200
    assert "Choose whether it goes out with that time or with the current time" in text(unanswered)
    unchanged = Article.objects.get(pk=article.pk)
    assert (unchanged.status, unchanged.publish_at) == (Status.DRAFT, ARCHIVE_TIME)

    assert client.post(url, {"when": "own", "publish_at": "2012-04-23T09:00"}).status_code == 302
    published = Article.objects.get(pk=article.pk)
    assert (published.status, published.publish_at) == (Status.PUBLISHED, ARCHIVE_TIME)
    assert published.get_absolute_url() == "/news/2012/04/23/lighthouse-keeper-retires/"


def test_publish_now_with_the_current_time_chosen_moves_the_story_to_today(client, editor):
    article = draft_article(slug="lighthouse-keeper-retires")
    Article.objects.filter(pk=article.pk).update(publish_at=ARCHIVE_TIME)

    client.post(admin_url(Article, "transition", article.pk, "publish"), {"when": "now"})

    published = Article.objects.get(pk=article.pk)
    assert published.status == Status.PUBLISHED
    assert abs(published.publish_at - timezone.now()) < timedelta(minutes=1)
    assert published.date == timezone.localdate()
    assert "original time" not in StoryTransition.objects.get(story=article).note


def test_publish_now_with_a_future_time_offers_to_schedule_instead(client, editor):
    later = timezone.now() + timedelta(days=3)
    article = draft_article(publish_at=later)
    url = admin_url(Article, "transition", article.pk, "publish")

    page = text(client.get(url))
    assert "a publish time still to come" in page
    assert admin_url(Article, "transition", article.pk, "schedule") in page
    refused = client.post(url, {"when": "own", "publish_at": timezone.localtime(later).strftime("%Y-%m-%dT%H:%M")})
    assert "schedule the story for it" in text(refused)
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT

    schedule = text(client.get(admin_url(Article, "transition", article.pk, "schedule")))
    assert timezone.localtime(later).strftime("%Y-%m-%dT%H:%M") in schedule


def test_a_story_without_a_time_of_its_own_publishes_now_without_a_question(client, editor):
    article = draft_article()

    response = client.post(admin_url(Article, "transition", article.pk, "publish"))

    assert response.status_code == 302
    assert Story.objects.get(pk=article.pk).status == Status.PUBLISHED


def test_an_event_keeps_its_own_day_whichever_time_it_goes_out_with(client, editor):
    event = checked(EventFactory(date=ARCHIVE_TIME.date(), status=Status.DRAFT, publish_at=ARCHIVE_TIME, slug="berth"))

    client.post(admin_url(Event, "transition", event.pk, "publish"), {"when": "own", "publish_at": "2012-04-23T09:00"})

    event = Event.objects.get(pk=event.pk)
    assert (event.status, event.publish_at) == (Status.PUBLISHED, ARCHIVE_TIME)
    assert event.get_absolute_url() == "/news/2012/04/23/berth/"


def test_bulk_publish_asks_about_stories_carrying_their_own_time(client, editor):
    archive = draft_article(slug="from-the-archive")
    Article.objects.filter(pk=archive.pk).update(publish_at=ARCHIVE_TIME)
    fresh = draft_article()
    selected = {"action": "publish_selected", "_selected_action": [archive.pk, fresh.pk], "confirm": "1"}

    unanswered = client.post(admin_url(Article, "changelist"), selected)
    assert "carry a publish time of their own" in text(unanswered)
    assert set(Story.objects.filter(pk__in=[archive.pk, fresh.pk]).values_list("status", flat=True)) == {Status.DRAFT}

    client.post(admin_url(Article, "changelist"), {**selected, "when": "own"})

    archive, fresh = Article.objects.get(pk=archive.pk), Article.objects.get(pk=fresh.pk)
    assert archive.get_absolute_url() == "/news/2012/04/23/from-the-archive/"
    assert archive.status == fresh.status == Status.PUBLISHED
    assert fresh.date == timezone.localdate()


# One set of workflow controls, new stories included ---------------------------------------------------------


@pytest.mark.parametrize("model", [Article, Event])
def test_add_form_has_no_status_dropdown_and_offers_save_draft_or_save_and_publish(client, editor, model):
    page = client.get(admin_url(model, "add")).content.decode()

    assert 'name="status"' not in page
    assert 'value="Save draft"' in page
    assert "Save and publish…" in page and "Save and schedule…" in page
    assert "Submit for review" not in page


def test_a_reporters_add_form_offers_submit_for_review(client):
    client.force_login(member("Reporter", "rosa"))

    page = client.get(admin_url(Article, "add")).content.decode()

    assert 'name="status"' not in page
    assert "Save and submit for review…" in page and "Save and publish…" not in page


def test_creating_a_story_as_published_runs_the_checklist(client, editor):
    # No sources and no standfirst: the checklist fails.
    data = add_view_post_data(client, Article, article_fields(standfirst="", slug="ferry-cuts"))

    response = client.post(admin_url(Article, "add"), {**data, "_workflow": "publish"})

    article = Article.objects.get(slug="ferry-cuts")
    url = admin_url(Article, "transition", article.pk, "publish")
    assert response.status_code == 302 and response["Location"] == url
    assert article.status == Status.DRAFT
    page = words(client.get(url))
    assert "Pre-publish checklist" in page and "Standfirst is written — missing" in page
    refused = client.post(url, {"when": "now"})
    assert "give a reason" in text(refused)
    assert Story.objects.get(pk=article.pk).status == Status.DRAFT

    client.post(url, {"when": "now", "override_reason": "Agency copy, checked by phone"})

    assert Story.objects.get(pk=article.pk).status == Status.PUBLISHED
    move = StoryTransition.objects.get(story=article)
    assert move.checklist_overridden and "Agency copy, checked by phone" in move.note


def test_a_status_posted_to_the_add_form_does_not_publish(client, editor):
    data = add_view_post_data(client, Article, article_fields(slug="sneaky", status=Status.PUBLISHED))

    assert client.post(admin_url(Article, "add"), data).status_code == 302

    article = Article.objects.get(slug="sneaky")
    assert article.status == Status.DRAFT
    assert not StoryTransition.objects.filter(story=article).exists()
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == 404


def test_event_change_form_has_the_same_workflow_controls_as_an_article(client, editor):
    event = checked(EventFactory(status=Status.REVIEW, publish_at=None))
    article = draft_article(status=Status.REVIEW)

    for model, story in ((Event, event), (Article, article)):
        page = client.get(admin_url(model, "change", story.pk)).content.decode()
        assert 'name="status"' not in page, model
        assert "Publish now…" in page and "Schedule…" in page, model


# Scheduled shows as published from its time on ------------------------------------------------------------


def due_and_future(kind=ArticleFactory):
    due = kind(status=Status.SCHEDULED, publish_at=timezone.now() - timedelta(minutes=5))
    later = kind(status=Status.SCHEDULED, publish_at=timezone.now() + timedelta(days=1))
    return due, later


def status_cells(response) -> dict[int, str]:
    page = response.content.decode()
    cl = response.context["cl"]
    cells = page.split('<td class="field-shown_status">')[1:]
    return {obj.pk: cell.split("</td>", 1)[0] for obj, cell in zip(cl.result_list, cells, strict=True)}


@pytest.mark.parametrize(
    ("model", "factory"), [(Article, ArticleFactory), (Event, EventFactory), (Story, ArticleFactory)]
)
def test_a_due_scheduled_story_shows_published_in_lists_and_filters_before_publish_due(client, editor, model, factory):
    due, later = due_and_future(factory)
    url = admin_url(model, "changelist")

    cells = status_cells(client.get(url))
    assert cells[due.pk] == "Published"
    assert cells[later.pk] == "Scheduled"
    published = {obj.pk for obj in client.get(f"{url}?status=published").context["cl"].result_list}
    scheduled = {obj.pk for obj in client.get(f"{url}?status=scheduled").context["cl"].result_list}
    assert due.pk in published and later.pk not in published
    assert scheduled == {later.pk}
    # Links made by the plain status filter mean the same.
    old_link = client.get(f"{url}?status__exact=scheduled").context["cl"].result_list
    assert {obj.pk for obj in old_link} == {later.pk}
    assert Story.objects.get(pk=due.pk).status == Status.SCHEDULED


def test_the_status_filter_keeps_the_changelist_query_count_constant(client, editor):
    url = admin_url(Article, "changelist") + "?status=published"

    def count() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    due_and_future()
    client.get(url)
    few = count()
    for _ in range(6):
        due_and_future()
        ArticleFactory()
    assert count() == few


def test_dashboard_and_workflow_panel_show_a_due_scheduled_story_as_published(client, editor):
    due = ArticleFactory(headline="Ferry timetable changes", status=Status.SCHEDULED, publish_at=timezone.now())
    Story.objects.filter(pk=due.pk).update(publish_at=timezone.now() - timedelta(minutes=5))

    index = client.get(reverse("admin:index")).content.decode()
    assert "Ferry timetable changes" in index.split('id="dash-published"')[1].split("</section>")[0]
    assert "Ferry timetable changes" not in index.split('id="dash-scheduled"')[1].split("</section>")[0]

    change = text(client.get(admin_url(Article, "change", due.pk)))
    assert '<span class="dateline-status dateline-status--published">Published</span>' in change
    assert "went out at its scheduled time" in change
    withdraw = text(client.get(admin_url(Article, "transition", due.pk, "withdraw")))
    assert "is <strong>published</strong>" in withdraw


# Restoring a revision is confirmed against what it changes ---------------------------------------------------


def change_url(story) -> str:
    return admin_url(Article, "change", story.pk)


def edit(client, story, **changes):
    data = form_data(client.get(change_url(story)).content.decode(), "article_form")
    data.update(changes)
    response = client.post(change_url(story), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_restore_confirmation_shows_the_diff_and_a_get_changes_nothing(client, editor):
    article = ArticleFactory(headline="Harbour plan approved")
    edit(client, article)
    first = Revision.objects.filter(version__object_id=str(article.pk)).earliest("date_created")
    edit(client, article, headline="Harbour plan finally approved")
    revisions_before = Revision.objects.count()
    url = admin_url(Article, "restore", article.pk, first.pk)

    revisions_page = client.get(admin_url(Article, "revisions", article.pk)).content.decode()
    assert f'href="{url}"' in revisions_page
    page = client.get(url)

    assert page.status_code == 200
    body = page.content.decode()
    assert "Harbour plan <del>finally</del> approved" in body
    assert 'name="csrfmiddlewaretoken"' in body and 'method="post"' in body
    assert Article.objects.get(pk=article.pk).headline == "Harbour plan finally approved"
    assert Revision.objects.count() == revisions_before

    assert client.post(url).status_code == 302
    assert Article.objects.get(pk=article.pk).headline == "Harbour plan approved"


def test_restore_is_refused_without_the_csrf_token(editor):
    article = ArticleFactory(headline="Harbour plan approved")
    services.save_revision(story=article, by=editor, comment="Filed")
    revision = Revision.objects.get()
    Article.objects.filter(pk=article.pk).update(headline="Changed since")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)

    response = strict.post(admin_url(Article, "restore", article.pk, revision.pk))

    assert response.status_code == 403
    assert Article.objects.get(pk=article.pk).headline == "Changed since"


def test_restore_page_of_a_revision_of_another_story_is_not_found(client, editor):
    mine, other = ArticleFactory(), ArticleFactory()
    services.save_revision(story=other, by=editor, comment="Filed")
    revision = Revision.objects.get()

    assert client.get(admin_url(Article, "restore", mine.pk, revision.pk)).status_code == 404
    assert client.post(admin_url(Article, "restore", mine.pk, revision.pk)).status_code == 404


def test_restore_page_needs_permission_to_edit(client, editor):
    article = ArticleFactory()
    services.save_revision(story=article, by=editor, comment="Filed")
    client.force_login(member("Moderator", "mod"))

    assert client.get(admin_url(Article, "restore", article.pk, Revision.objects.get().pk)).status_code == 403


# Times in the newsroom's zone, shown and converted ----------------------------------------------------------


def test_time_typed_in_the_datelines_zone_is_saved_as_the_newsroom_time_it_names(client, editor):
    article = draft_article(dateline="TOKYO")
    data = form_data(client.get(change_url(article)).content.decode(), "article_form")
    data.update({"publish_at_0": "2026-07-01", "publish_at_1": "09:00:00", "publish_zone": "Asia/Tokyo"})

    response = client.post(change_url(article), data, follow=True)

    saved = Article.objects.get(pk=article.pk).publish_at
    assert saved == datetime(2026, 7, 1, 0, 0, tzinfo=ZoneInfo("UTC"))
    assert timezone.localtime(saved, LONDON).strftime("%H:%M %Z") == "01:00 BST"
    assert "typed as 09:00, 1 Jul 2026 in Asia/Tokyo: saved as 01:00 BST, 1 Jul 2026 (Europe/London)" in text(response)


def test_time_typed_in_the_newsroom_zone_is_kept_as_typed(client, editor):
    article = draft_article()
    data = form_data(client.get(change_url(article)).content.decode(), "article_form")
    data.update({"publish_at_0": "2026-01-15", "publish_at_1": "09:00:00"})

    client.post(change_url(article), data)

    assert Article.objects.get(pk=article.pk).publish_at == datetime(2026, 1, 15, 9, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("typed_date", "typed_time", "saved"),
    [
        ("2012-04-23 09:00", "", datetime(2012, 4, 23, 9, tzinfo=LONDON)),
        ("2012-04-23T21:15", "", datetime(2012, 4, 23, 21, 15, tzinfo=LONDON)),
        ("23 April 2012, 9.30am", "", datetime(2012, 4, 23, 9, 30, tzinfo=LONDON)),
        ("April 23, 2012", "9:30 pm", datetime(2012, 4, 23, 21, 30, tzinfo=LONDON)),
        ("23/04/2012", "", datetime(2012, 4, 23, 0, 0, tzinfo=LONDON)),
    ],
)
def test_a_publish_time_typed_the_way_an_editor_writes_it_is_read_as_meant(
    client, editor, typed_date, typed_time, saved
):
    article = draft_article()
    data = form_data(client.get(change_url(article)).content.decode(), "article_form")
    data.update({"publish_at_0": typed_date, "publish_at_1": typed_time})

    response = client.post(change_url(article), data)

    assert response.status_code == 302, text(response)
    assert Article.objects.get(pk=article.pk).publish_at == saved


def test_an_unreadable_publish_date_is_refused_and_what_was_typed_is_kept(client, editor):
    article = draft_article()
    data = form_data(client.get(change_url(article)).content.decode(), "article_form")
    data.update({"publish_at_0": "the twenty-third", "publish_at_1": "09:00"})

    response = client.post(change_url(article), data)

    assert response.status_code == 200
    assert "Enter a valid date" in text(response)
    assert 'value="the twenty-third"' in response.content.decode()
    assert Article.objects.get(pk=article.pk).publish_at is None


def test_a_time_the_typed_zone_skips_is_refused_and_what_was_typed_is_kept(client, editor):
    article = draft_article(headline="Storm reaches the coast")
    data = form_data(client.get(change_url(article)).content.decode(), "article_form")
    data.update({"publish_at_0": "2026-03-08", "publish_at_1": "02:30:00", "publish_zone": "America/New_York"})

    response = client.post(change_url(article), data)

    assert response.status_code == 200
    assert "does not exist in America/New_York" in text(response)
    assert 'value="2026-03-08"' in response.content.decode()
    assert Article.objects.get(pk=article.pk).publish_at is None


def test_an_unknown_zone_is_refused_with_a_message(client, editor):
    article = draft_article()
    data = form_data(client.get(change_url(article)).content.decode(), "article_form")
    data.update({"publish_at_0": "2026-07-01", "publish_at_1": "09:00:00", "publish_zone": "Mars/Olympus"})

    response = client.post(change_url(article), data)

    assert response.status_code == 200
    assert "Select a valid choice" in text(response)


def test_every_publish_time_input_names_the_zone_for_the_date_typed(client, editor):
    summer = draft_article(publish_at=datetime(2026, 7, 1, 9, tzinfo=LONDON))
    winter = draft_article(publish_at=datetime(2026, 1, 15, 9, tzinfo=LONDON))

    summer_page = text(client.get(change_url(summer)))
    assert "Europe/London, BST" in summer_page
    assert 'id="id_publish_zone"' in summer_page and "Time typed in" in summer_page
    assert 'option value="Asia/Tokyo"' in summer_page
    assert "js/admin/publish_time.js" in summer_page
    assert "Europe/London, GMT" in text(client.get(change_url(winter)))
    schedule = text(client.get(admin_url(Article, "transition", summer.pk, "schedule")))
    assert "Publish at (" in schedule and "Europe/London, " in schedule.split("Publish at (", 1)[1][:200]
    publish = text(client.get(admin_url(Article, "transition", summer.pk, "publish")))
    assert "Europe/London, BST" in publish
    bulk = text(
        client.post(admin_url(Article, "changelist"), {"action": "schedule_selected", "_selected_action": [summer.pk]})
    )
    assert "Europe/London, " in bulk.split("Publish at (", 1)[1][:200]


def test_a_published_storys_time_is_read_only_and_offers_no_zone(client, editor):
    article = ArticleFactory()

    Article.objects.filter(pk=article.pk).update(publish_at=ARCHIVE_TIME)

    page = client.get(change_url(article)).content.decode()

    assert 'name="publish_at_0"' not in page and 'id="id_publish_zone"' not in page
    assert "23 Apr 2012, 09:00 (Europe/London, BST)" in page


def test_publish_now_on_a_story_scheduled_for_later_offers_to_leave_it_scheduled(client, editor):
    later = timezone.now() + timedelta(days=3)
    article = draft_article()
    services.schedule_story(story=article, by=editor, publish_at=later)
    url = admin_url(Article, "transition", article.pk, "publish")

    assert "Leave it scheduled" in text(client.get(url))
    client.post(url)
    assert Story.objects.get(pk=article.pk).publish_at == later

    client.post(url, {"when": "now"})
    published = Story.objects.get(pk=article.pk)
    assert published.status == Status.PUBLISHED and published.publish_at < later
