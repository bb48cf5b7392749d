"""Every field of the editor's forms is found once by its visible label, as a browser-driven editor finds it.

A field is looked up the way assistive technology and browser tests look it up: by its accessible name,
matching any element whose name contains the label. A fieldset heading or a helper list of a widget that
repeats a field's label ("Contexts", "Lead image", "Comments") made that field ambiguous.
"""

from __future__ import annotations

import pytest

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
