"""Every field of the editor's forms is found once by its visible label, as a browser-driven editor finds it.

A field is looked up the way assistive technology and browser tests look it up: by its accessible name,
matching any element whose name contains the label. A fieldset heading or a helper list of a widget that
repeats a field's label ("Contexts", "Lead image", "Comments") made that field ambiguous.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from newsroom.models import Article
from tests.e2e.conftest import admin_sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FORMS = {
    "/admin/newsroom/article/add/": [
        "Headline",
        "Slug",
        "Standfirst",
        "Body",
        "Contexts",
        "Kind",
        "Section",
        "Dateline",
        "Language",
        "Translation of",
        "Lead image",
        "Publish time",
        "Time typed in",
        "Comments",
        "Close after (days)",
        "Comment length limit",
    ],
    "/admin/events/event/add/": ["Summary", "Category", "Contexts", "Slug", "Comments"],
    "/admin/newsroom/image/add/": ["Image file", "Caption", "Credit", "Kind of picture", "Alt text"],
    "/admin/newsroom/author/add/": ["Name", "Role", "Email"],
    "/admin/newsroom/outlet/add/": ["Name"],
}


def test_each_field_of_the_editors_forms_is_found_once_by_its_label(browser, live_server, editor):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    admin_sign_in(page, live_server, "eddie")
    found = {}
    for address, labels in FORMS.items():
        page.goto(live_server.url + address)
        page.wait_for_load_state("networkidle")
        for label in labels:
            found[(address, label)] = page.get_by_label(label).count()
    assert {key: count for key, count in found.items() if count != 1} == {}


def test_contexts_typed_by_label_stay_whole(browser, live_server, editor):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    admin_sign_in(page, live_server, "eddie")
    page.goto(live_server.url + "/admin/events/event/add/")
    contexts = page.get_by_label("Contexts")
    contexts.fill("North Korean defectors")
    contexts.press("Enter")
    contexts.fill("Rail strikes,")
    chosen = page.get_by_role("list", name="Already chosen").get_by_role("listitem")
    assert [text.rstrip("×") for text in chosen.all_text_contents()] == ["North Korean defectors", "Rail strikes"]


def test_a_publish_time_typed_whole_into_the_box_found_by_its_label_is_kept(browser, live_server, editor, settings):
    settings.TIME_ZONE = "Europe/London"
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    admin_sign_in(page, live_server, "eddie")
    page.goto(live_server.url + "/admin/newsroom/article/add/")
    page.get_by_label("Headline").fill("Ferry timetable changes for the summer")
    page.get_by_label("Publish time").fill("2012-04-23 09:00")
    # The time box has a name of its own: the word shown before it.
    expect(page.get_by_label("Time", exact=True)).to_have_value("")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    article = Article.objects.get(headline="Ferry timetable changes for the summer")
    assert article.publish_at == datetime(2012, 4, 23, 9, tzinfo=ZoneInfo("Europe/London"))
