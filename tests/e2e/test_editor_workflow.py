"""The newsroom's day in a real browser: a reporter files, an editor schedules and corrects, two windows collide."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from playwright.sync_api import expect

from newsroom.models import Article, Story
from newsroom.querysets import Status
from newsroom.workflow import grant_role_permissions
from tests.e2e.conftest import admin_sign_in, screenshot
from tests.factories import ArticleFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Transactional tests empty the database between them, roles included; put them back.
    grant_role_permissions(Group, Permission)
    people = {}
    for username, role in (("rosa", "Reporter"), ("eddie", "Editor")):
        user = UserFactory(username=username, is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        people[username] = user
    return people


def sign_in(browser, live_server, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    admin_sign_in(page, live_server, username)
    return context, page


def test_reporter_files_editor_schedules_it_appears_on_time_and_is_corrected(browser, live_server, staff):
    ArticleFactory(headline="Island councils protest ferry timetable cuts", tags=["Ferries"])
    reporter, page = sign_in(browser, live_server, "rosa")
    page.goto(live_server.url + "/admin/newsroom/article/add/")
    page.get_by_label("Headline").fill("Ferry operators warn of winter timetable cuts")
    # One click takes a suggested context from stories sharing the headline's words.
    page.get_by_role("button", name="+ Ferries").click()
    expect(page.get_by_role("list", name="Already chosen").get_by_role("listitem")).to_have_text(["Ferries×"])
    page.get_by_label("Standfirst").fill("Two island routes would lose their evening sailings.")
    page.get_by_label("Body").fill("The operators told the island councils on Monday.")
    page.get_by_role("button", name="Save and continue editing").first.click()
    page.get_by_role("link", name="Submit for review…").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("is now in review")).to_be_visible()
    article = Article.objects.get(headline="Ferry operators warn of winter timetable cuts")
    assert article.status == Status.REVIEW
    assert list(article.tags.names()) == ["Ferries"]
    # Once submitted, the reporter can read but no longer change it.
    assert page.get_by_role("button", name="Save", exact=True).count() == 0
    reporter.close()

    editor, page = sign_in(browser, live_server, "eddie")
    review = page.locator("#dash-review").locator("xpath=..")
    review.get_by_role("link", name="Ferry operators warn of winter timetable cuts").click()
    page.get_by_role("link", name="Schedule…").click()
    two_minutes = timezone.localtime() + timedelta(minutes=2)
    page.get_by_label("Publish anyway because").fill("Councils confirmed by phone; sources to be added")
    page.get_by_label("Publish at").fill(two_minutes.strftime("%Y-%m-%dT%H:%M"))
    screenshot(page, "editor-schedule")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("is now scheduled")).to_be_visible()
    article = Article.objects.get(pk=article.pk)
    assert article.status == Status.SCHEDULED

    reader = browser.new_context().new_page()
    story_url = live_server.url + article.get_absolute_url()
    assert reader.goto(story_url).status == 404

    # The clock reaches the publish time. Nothing but the web server is running.
    Story.objects.filter(pk=article.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    assert reader.goto(story_url).status == 200
    assert reader.get_by_role("heading", level=1).inner_text() == "Ferry operators warn of winter timetable cuts"
    reader.goto(live_server.url + "/news/")
    expect(reader.get_by_role("link", name="Ferry operators warn of winter timetable cuts")).to_be_visible()

    page.goto(live_server.url + f"/admin/newsroom/article/{article.pk}/change/")
    page.get_by_role("link", name="Add a correction…").click()
    page.get_by_label("Correction").fill("An earlier version said three routes; it is two.")
    page.get_by_role("button", name="Publish correction").click()
    expect(page.get_by_text("An earlier version said three routes; it is two.").first).to_be_visible()
    assert page.get_by_role("cell", name="Scheduled → Published").count() == 0
    expect(page.get_by_role("cell", name="In review → Scheduled")).to_be_visible()
    screenshot(page, "editor-change-with-history")

    reader.goto(story_url)
    corrections = reader.get_by_role("region", name="Corrections")
    expect(corrections.get_by_text("An earlier version said three routes; it is two.")).to_be_visible()
    expect(reader.get_by_text("Updated").first).to_be_visible()
    reader.goto(live_server.url + "/corrections/")
    expect(reader.get_by_text("An earlier version said three routes; it is two.")).to_be_visible()
    editor.close()


def test_two_windows_editing_one_story_lose_nothing(browser, live_server, staff):
    article = ArticleFactory(headline="Harbour plan approved", standfirst="The vote was close.")
    context, first = sign_in(browser, live_server, "eddie")
    second = context.new_page()
    change = live_server.url + f"/admin/newsroom/article/{article.pk}/change/"
    first.goto(change)
    second.goto(change)

    first.get_by_label("Headline").fill("Harbour plan narrowly approved")
    first.get_by_role("button", name="Save and continue editing").first.click()
    expect(first.get_by_text("was changed successfully")).to_be_visible()

    typed = "The vote was 16 to 15 after a night of argument."
    second.get_by_label("Standfirst").fill(typed)
    second.get_by_role("button", name="Save and continue editing").first.click()

    alert = second.get_by_role("alert").filter(has_text="Someone else saved this story")
    expect(alert.first).to_be_visible()
    assert second.get_by_label("Standfirst").input_value() == typed
    screenshot(second, "editor-conflict")
    assert Article.objects.get(pk=article.pk).standfirst == "The vote was close."

    second.get_by_role("button", name="Save and continue editing").first.click()
    expect(second.get_by_text("was changed successfully")).to_be_visible()
    assert Article.objects.get(pk=article.pk).standfirst == typed
    context.close()
