"""A reader's whole life with an account, in a real browser: sign up, confirm, comment, follow it, leave."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from newsroom.comments import services
from newsroom.comments.models import Comment
from tests.e2e.conftest import VIEWPORTS, screenshot
from tests.factories import ArticleFactory, ModeratorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "harbour-lights-at-dusk"
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)")


@pytest.fixture
def story(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The browser fills the form faster than a person would.
    settings.COMMENTS_MIN_FILL_SECONDS = 0
    return ArticleFactory(headline="Ferry timetable changes for the winter", comments_require_account=True)


def test_reader_signs_up_comments_follows_it_and_deletes_the_account(browser, live_server, story):
    page = browser.new_context(viewport=VIEWPORTS["desktop"]).new_page()
    page.goto(live_server.url + story.get_absolute_url())
    expect(page.get_by_text("Only signed-in readers can comment on this story.")).to_be_visible()
    page.get_by_role("link", name="create an account").click()

    page.get_by_label("Display name").fill("Ana from the harbour")
    page.get_by_label("Email").fill("ana@readers.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    screenshot(page, "reader-sign-up-desktop")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    link = CONFIRM_LINK.search(mail.outbox[-1].body).group(1)
    page.goto(live_server.url + link)
    page.get_by_role("button", name="Confirm").click()

    # Confirming signs the reader in and takes them back to the story they came from.
    expect(page).to_have_url(re.compile(re.escape(story.get_absolute_url())))
    expect(page.get_by_role("banner")).to_contain_text("Ana from the harbour")
    page.get_by_label("Your comment").fill("The early crossing matters to everyone who works in town.")
    page.get_by_label("I have read the community standards").check()
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Your comment is awaiting moderation")).to_be_visible()

    page.get_by_role("link", name="Your account").click()
    mine = page.locator(".reader-comment", has_text="The early crossing matters")
    expect(mine).to_contain_text("Awaiting moderation")
    expect(mine).to_contain_text("Ferry timetable changes for the winter")
    screenshot(page, "reader-account-desktop")

    services.approve(comments=Comment.objects.all(), moderator=ModeratorFactory())
    page.reload()
    expect(mine).to_contain_text("Published")

    # allauth's own address page, with its scripts, runs under the site's policy in the site's frame.
    page.get_by_role("link", name="Change your email address").click()
    expect(page.get_by_role("banner")).to_contain_text("Ana from the harbour")
    expect(page.locator("main")).to_contain_text("ana@readers.example")
    screenshot(page, "reader-email-desktop")
    page.get_by_role("banner").get_by_role("link", name="Your account").click()

    page.get_by_role("link", name="Delete your account").click()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", name="Your account is deleted")).to_be_visible()

    page.goto(live_server.url + story.get_absolute_url())
    comment = page.locator(".comment", has_text="The early crossing matters")
    expect(comment).to_contain_text("a deleted reader")
    expect(comment).not_to_contain_text("Ana from the harbour")
    expect(page.get_by_role("banner").get_by_role("link", name="Sign in")).to_be_visible()


def test_sign_in_and_sign_up_pages_fit_a_phone(browser, live_server, story):
    page = browser.new_context(viewport=VIEWPORTS["phone"]).new_page()
    for address, name in (("/accounts/login/", "reader-sign-in-phone"), ("/accounts/signup/", "reader-sign-up-phone")):
        page.goto(live_server.url + address)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS["phone"]["width"], f"{address} is {width}px wide"
        screenshot(page, name)


def test_a_signed_in_readers_masthead_fits_a_phone(browser, live_server, story):
    from tests.readers.helpers import PASSWORD as READER_PASSWORD
    from tests.readers.helpers import confirmed_reader

    confirmed_reader(name="Ana Beatriz from the harbour front")
    page = browser.new_context(viewport=VIEWPORTS["phone"]).new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("ana@readers.example")
    page.get_by_label("Password").fill(READER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server.url + story.get_absolute_url())
    expect(page.get_by_role("banner").get_by_role("link", name="Your account")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS["phone"]["width"], f"the story page is {width}px wide"
    screenshot(page, "reader-story-signed-in-phone")
