"""The editing screen as an editor sees it at 1280 px: long values fit their boxes."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import admin_sign_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
HEADLINE = "Port Arlen council approves a deepwater berth at North Quay after two years of hearings and protests"


def test_a_hundred_character_headline_is_seen_whole_on_the_article_form(browser, live_server, editor):
    assert len(HEADLINE) >= 100
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    admin_sign_in(page, live_server, "eddie")
    page.goto(live_server.url + "/admin/newsroom/article/add/")
    headline = page.get_by_label("Headline:")
    headline.fill(HEADLINE)
    overflow = headline.evaluate("box => box.scrollWidth - box.clientWidth")
    assert overflow <= 0, f"{overflow}px of the headline are hidden"
    screenshot(page, "admin-article-form-desktop")
    context.close()
