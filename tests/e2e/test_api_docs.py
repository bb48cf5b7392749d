"""The content API's interactive documentation works in a browser under the site's Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_developer_opens_the_api_docs_and_tries_the_story_list(live_server, page_at, settings):
    settings.API_RATE_ANONYMOUS = "1000/m"
    ArticleFactory(headline="Harbour plan approved")
    page = page_at("desktop")

    page.goto(live_server.url + "/api/v1/docs/")
    page.get_by_text("/api/v1/stories", exact=True).first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()

    expect(page.locator(".live-responses-table")).to_contain_text("Harbour plan approved")
    screenshot(page, "api-docs-desktop")
