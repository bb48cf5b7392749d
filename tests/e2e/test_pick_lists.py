"""The admin's search-as-you-type pick lists let go of the page when the editor clicks elsewhere.

A pick list closed by a click somewhere else gives the focus back to its own box. The browser used to
scroll the page back to that box between the press and the release of the mouse button, so the click
landed on whatever had scrolled under the pointer: "Save draft" at the top of the form did nothing.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from events.models import Event
from tests.e2e.conftest import admin_sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("clicks_the_message", [False, True], ids=["left-open", "no-results-clicked"])
def test_save_at_the_top_works_while_a_pick_list_below_is_open(browser, live_server, editor, clicks_the_message):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    admin_sign_in(page, live_server, "eddie")
    page.goto(live_server.url + "/admin/events/event/add/")
    page.get_by_label("Date").fill("2012-04-23")
    page.get_by_label("Summary").fill("Ferries stop running after a storm.")

    # The related story's pick list, at the foot of the form, is opened and searched, and nothing is picked.
    page.locator("#related_links-0 .select2-selection").click()
    page.locator(".select2-search__field").fill("no such story")
    expect(page.locator(".select2-results__option")).to_have_text("No results found")
    if clicks_the_message:
        page.locator(".select2-results__option").click()

    page.get_by_role("button", name="Save draft", exact=True).first.click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    assert Event.objects.get().summary.startswith("Ferries stop running")
