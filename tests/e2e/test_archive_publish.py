"""An editor enters a 2012 story into the archive in a real browser: the zone is named and converted while
typing, "Save and publish…" asks which time to use, and the story keeps its 2012 address."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import expect

from newsroom.admin.zones import zone_label as zone_label_at
from newsroom.models import Article, StoryTransition
from newsroom.querysets import Status
from newsroom.workflow import grant_role_permissions
from tests.e2e.conftest import admin_sign_in, screenshot
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def editor(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TIME_ZONE = "Europe/London"
    # Transactional tests empty the database between them, roles included; put them back.
    grant_role_permissions(Group, Permission)
    user = UserFactory(username="eddie", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def zone_label_now() -> str:
    return zone_label_at(None, "Europe/London")


def test_editor_enters_a_2012_story_with_its_original_time_and_it_keeps_its_2012_address(browser, live_server, editor):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    admin_sign_in(page, live_server, "eddie")

    page.goto(live_server.url + "/admin/newsroom/article/add/")
    expect(page.locator("select[name='status']")).to_have_count(0)
    page.get_by_label("Headline").fill("Harbour strike ends after nine days")
    page.get_by_label("Standfirst").fill("Dockers return to work after the port agrees a new rota.")
    page.get_by_label("Body").fill("<p>The strike ended on Monday morning.</p>")
    page.locator("#id_publish_at_0").fill("2012-04-23")
    page.locator("#id_publish_at_1").fill("09:00")
    zone_label = page.locator(".dateline-zone-label[data-zone-label-for='id_publish_at']")
    expect(zone_label).to_have_text("Europe/London, BST")
    page.locator("#id_publish_at_0").fill("2012-01-10")
    expect(zone_label).to_have_text("Europe/London, GMT")
    # The admin's own "Today" link fills the date without an input event; the label follows it too.
    page.locator("#id_publish_at_0").locator("xpath=..").get_by_role("link", name="Today").click()
    expect(zone_label).to_have_text(zone_label_now())
    page.locator("#id_publish_at_0").fill("2012-04-23")
    expect(zone_label).to_have_text("Europe/London, BST")

    # A correspondent's local time converts live to the newsroom's time.
    typed_in = page.get_by_label("Time typed in")
    typed_in.select_option("Asia/Tokyo")
    expect(page.locator("#id_publish_zone_result")).to_have_text(
        "09:00 in Asia/Tokyo is 01:00 BST, 23 Apr 2012 in Europe/London."
    )
    typed_in.select_option("Europe/London")
    expect(page.locator("#id_publish_zone_result")).to_have_text("")
    screenshot(page, "archive-add-form")

    page.get_by_role("button", name="Save and publish…").first.click()

    expect(page.get_by_text("is saved as a draft")).to_be_visible()
    expect(page.get_by_text("carries its own publish time")).to_be_visible()
    expect(page.get_by_text("/news/2012/04/23/harbour-strike-ends-after-nine-days/").first).to_be_visible()
    article = Article.objects.get(headline="Harbour strike ends after nine days")
    assert article.status == Status.DRAFT
    # Unanswered, the question stops the step and changes nothing.
    page.get_by_label("Publish anyway because").fill("Archive copy from the print edition")
    page.locator("#id_when_now").evaluate("radio => radio.form.noValidate = true")
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_text("Choose whether it goes out with that time or with the current time")).to_be_visible()
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT

    page.get_by_label("With its own time, in the past:").check()
    expect(page.locator("#id_publish_at")).to_have_value("2012-04-23T09:00")
    screenshot(page, "archive-publish-question")
    page.get_by_role("button", name="Publish now").click()

    expect(page.get_by_text("is now published")).to_be_visible()
    expect(page.get_by_role("cell", name="Published with its original time 23 Apr 2012, 09:00")).to_be_visible()
    article = Article.objects.get(pk=article.pk)
    assert article.status == Status.PUBLISHED
    assert article.publish_at == datetime(2012, 4, 23, 9, tzinfo=ZoneInfo("Europe/London"))
    assert StoryTransition.objects.filter(story=article, to_status=Status.PUBLISHED).count() == 1

    reader = browser.new_context().new_page()
    response = reader.goto(live_server.url + "/news/2012/04/23/harbour-strike-ends-after-nine-days/")
    assert response.status == 200
    expect(reader.get_by_role("heading", level=1)).to_have_text("Harbour strike ends after nine days")
    context.close()
