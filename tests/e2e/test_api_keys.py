"""An administrator issues a partner's API key in the admin, copies it once, and the partner uses it."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.e2e.conftest import VIEWPORTS, admin_sign_in, screenshot
from tests.factories import StaffFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_administrator_issues_a_key_that_is_shown_once_and_works(live_server, page_at, settings, viewport):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    chief = StaffFactory(username="chief")
    page = page_at(viewport)
    admin_sign_in(page, live_server, "chief")
    # Signed in before going on, or the next address would cut the sign-in short.
    page.get_by_role("link", name="Log out").or_(page.get_by_role("button", name="Log out")).first.wait_for()

    page.goto(live_server.url + "/admin/api/apikey/add/")
    page.get_by_label("Name").fill("Harbour Radio app")
    page.get_by_label("Owner").select_option(str(chief.pk))
    page.get_by_role("button", name="Save", exact=True).click()

    key = page.get_by_label("API key").input_value()
    assert re.fullmatch(r"dl_[0-9a-f]{8}_[A-Za-z0-9_-]{40,}", key)
    screenshot(page, f"api-key-created-{viewport}")
    assert Client().get("/api/v1/sections", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200

    page.get_by_role("link", name="Back to the API keys").click()
    expect(page.locator("#result_list")).to_contain_text("Harbour Radio app")
    expect(page.locator("body")).not_to_contain_text(key)
