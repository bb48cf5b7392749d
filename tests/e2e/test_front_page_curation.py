"""An editor arranges the front page in a real browser: finds a lead by its headline, drags the top stories
into order, previews, publishes, and readers see it at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from newsroom.frontpage.arrangement import Place
from newsroom.frontpage.models import Placement
from newsroom.frontpage.services import latest_revision_id, publish_arrangement
from tests.e2e.conftest import admin_sign_in, screenshot
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def headline_order(page, selector: str, *headlines: str) -> list[str]:
    text = page.locator(selector).inner_text()
    return sorted((h for h in headlines if h in text), key=text.index)


def test_editor_sets_a_lead_drags_top_stories_previews_and_publishes(browser, live_server, editor):
    now = timezone.now()
    for n in range(8):
        ArticleFactory(headline=f"Routine harbour update {n}", publish_at=now - timedelta(hours=n + 1))
    lead = ArticleFactory(headline="Ferry timetable cuts announced", publish_at=now - timedelta(days=3))
    assert lead.pk not in set(Placement.objects.values_list("story_id", flat=True))
    first = ArticleFactory(headline="Island councils protest the cuts", publish_at=now - timedelta(days=4))
    second = ArticleFactory(headline="Operators defend the winter timetable", publish_at=now - timedelta(days=5))
    publish_arrangement(
        places=[Place(first.pk, "top", 1), Place(second.pk, "top", 2)], user=editor, based_on=latest_revision_id()
    )

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    admin_sign_in(page, live_server, "eddie")
    # The admin index lists the front page desk under its own app.
    page.locator("#content-main").locator('a[href="/admin/frontpage/placement/"]').first.click()
    expect(page.get_by_role("heading", name="Front page", level=1)).to_be_visible()

    # The headline search suggests stories as the editor types, with their date and kind.
    page.get_by_label("Add to").select_option(label="Lead story")
    page.get_by_label("Headline").fill("ferry timetable")
    suggestion = page.get_by_role("button", name="Ferry timetable cuts announced")
    expect(suggestion).to_be_visible()
    expect(page.locator("#fp-results")).to_contain_text("News")
    suggestion.click()
    lead_column = page.locator('.fp-list[data-area="lead"]')
    expect(lead_column).to_contain_text("Ferry timetable cuts announced")

    # Drag the second top story above the first.
    top = page.locator('.fp-list[data-area="top"]')
    moving = top.locator(".fp-row", has_text="Operators defend the winter timetable")
    moving.drag_to(
        top.locator(".fp-row", has_text="Island councils protest the cuts"), target_position={"x": 40, "y": 5}
    )
    expect(top.locator(".fp-row").first).to_contain_text("Operators defend the winter timetable")
    expect(top.locator(".fp-row").first.locator(".fp-order")).to_have_value("1")
    screenshot(page, "front-page-desk")

    with context.expect_page() as opened:
        page.get_by_role("button", name="Preview").click()
    preview = opened.value
    preview.wait_for_load_state()
    expect(preview.get_by_text("Preview of the front page")).to_be_visible()
    expect(preview.locator(".lead")).to_contain_text("Ferry timetable cuts announced")
    assert headline_order(
        preview, ".front__leads", "Operators defend the winter timetable", "Island councils protest the cuts"
    ) == ["Operators defend the winter timetable", "Island councils protest the cuts"]
    preview.close()
    assert not Placement.objects.filter(story=lead).exists()

    page.get_by_role("button", name="Publish front page").click()
    expect(page.get_by_text("The front page is published")).to_be_visible()
    expect(page.locator(".fp-history")).to_contain_text("Placed “Ferry timetable cuts announced” as the lead story.")
    expect(page.locator(".fp-history")).to_contain_text("eddie")
    assert Placement.objects.get(slot="lead").story_id == lead.pk

    reader = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    reader.goto(live_server.url + "/")
    expect(reader.locator(".lead")).to_contain_text("Ferry timetable cuts announced")
    assert headline_order(
        reader, ".front__leads", "Operators defend the winter timetable", "Island councils protest the cuts"
    ) == ["Operators defend the winter timetable", "Island councils protest the cuts"]
    reader.context.close()
    context.close()


def test_keyboard_buttons_move_a_story_between_places(browser, live_server, editor):
    now = timezone.now()
    first = ArticleFactory(headline="Island councils protest the cuts", publish_at=now - timedelta(days=4))
    second = ArticleFactory(headline="Operators defend the winter timetable", publish_at=now - timedelta(days=5))
    publish_arrangement(
        places=[Place(first.pk, "top", 1), Place(second.pk, "top", 2)], user=editor, based_on=latest_revision_id()
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    admin_sign_in(page, live_server, "eddie")
    page.goto(live_server.url + "/admin/frontpage/placement/")
    top = page.locator('.fp-list[data-area="top"]')
    row = top.locator(".fp-row", has_text="Operators defend the winter timetable")
    row.get_by_role("button", name="Move up").focus()
    page.keyboard.press("Enter")
    expect(top.locator(".fp-row").first).to_contain_text("Operators defend the winter timetable")
    row.get_by_label("Where").select_option(label="Lead story")
    expect(page.locator('.fp-list[data-area="lead"]')).to_contain_text("Operators defend the winter timetable")
    page.get_by_role("button", name="Publish front page").click()
    expect(page.get_by_text("The front page is published")).to_be_visible()
    assert Placement.objects.get(story=second).slot == "lead"
    assert Placement.objects.get(story=first).position == 1
    context.close()
