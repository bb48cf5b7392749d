"""A reader comments, a moderator approves from the queue, everyone sees it: in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from newsroom.comments.models import Comment
from tests.e2e.conftest import VIEWPORTS, screenshot
from tests.factories import ArticleFactory, CommentFactory, ModeratorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def story(settings):
    # The browser fills the form faster than a person would.
    settings.COMMENTS_MIN_FILL_SECONDS = 0
    story = ArticleFactory(headline="Harbour plan approved after a two-year argument", comment_max_length=250)
    CommentFactory(story=story, name="Earlier Reader", body="The berth has needed this for years.")
    return story


def write_comment(page, body: str, *, name: str = "Maria Lopes", email: str = "maria@readers.example") -> None:
    page.get_by_label("Your comment").fill(body)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("I have read the community standards").check()


def test_reader_posts_moderator_approves_everyone_sees_it(browser, live_server, story):
    reader = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = reader.new_page()
    page.goto(live_server.url + story.get_absolute_url())
    write_comment(page, "The ferry timetable must change while the berth is closed.\n\nWho decides?")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Your comment is awaiting moderation")).to_be_visible()
    mine = page.locator(".comment--pending")
    expect(mine).to_contain_text("Awaiting moderation")
    expect(mine).to_contain_text("Who decides?")
    screenshot(page, "comments-pending-desktop")

    stranger = browser.new_context()
    other = stranger.new_page()
    other.goto(live_server.url + story.get_absolute_url())
    expect(other.locator(".comments")).not_to_contain_text("Who decides?")

    ModeratorFactory(username="desk", password=PASSWORD)
    moderator = browser.new_context(viewport=VIEWPORTS["desktop"])
    desk = moderator.new_page()
    desk.goto(live_server.url + "/admin/comments/comment/")
    desk.get_by_label("Username").fill("desk")
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Log in").click()
    row = desk.locator("#result_list tbody tr", has_text="Who decides?")
    expect(row).to_contain_text("First comment from this commenter")
    expect(row).to_contain_text("0 approved · 0 rejected")
    screenshot(desk, "comments-queue-desktop")
    row.get_by_role("button", name="Approve comment by Maria Lopes").click()
    expect(desk.get_by_text("Approved: the comment by Maria Lopes.")).to_be_visible()
    expect(desk.locator("#result_list", has_text="Who decides?")).to_have_count(0)

    other.reload()
    approved = other.locator(".comment", has_text="Who decides?")
    expect(approved).to_contain_text("Maria Lopes")
    expect(approved.locator(".comment__body p")).to_have_count(2)
    expect(other.get_by_role("heading", name="2 comments")).to_be_visible()
    page.reload()
    expect(page.locator(".comment--pending")).to_have_count(0)
    comment = Comment.objects.get(body__contains="Who decides?")
    assert comment.moderated_by.username == "desk"
    for context in (reader, stranger, moderator):
        context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_counter_counts_down_and_errors_keep_what_was_typed(page_at, live_server, story, viewport):
    page = page_at(viewport)
    page.goto(live_server.url + story.get_absolute_url())
    counter = page.locator("#id_body_helptext")
    expect(counter).to_have_text("250 of 250 characters left")
    page.get_by_label("Your comment").fill("x" * 240)
    expect(counter).to_have_text("10 of 250 characters left")
    page.get_by_label("Your comment").fill("x" * 260)
    expect(counter).to_have_text("10 characters over the limit of 250")
    page.get_by_label("Name").fill("Maria Lopes")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Your comment was not posted.")).to_be_visible()
    expect(page.get_by_text("Shorten it by 10 characters.")).to_be_visible()
    expect(page.get_by_text("Tick the box to confirm you have read the community standards.")).to_be_visible()
    expect(page.get_by_label("Your comment")).to_have_value("x" * 260)
    expect(page.get_by_label("Name")).to_have_value("Maria Lopes")
    screenshot(page, f"comments-errors-{viewport}")
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]


def test_a_reader_posts_from_a_page_the_page_cache_kept(browser, live_server, story, settings):
    settings.DATELINE_PAGE_CACHE = True
    earlier = browser.new_context()
    first = earlier.new_page().goto(live_server.url + story.get_absolute_url())
    assert first.headers["x-page-cache"] == "miss"  # an earlier reader: the page is now kept
    earlier.close()
    reader = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = reader.new_page()
    answer = page.goto(live_server.url + story.get_absolute_url())
    assert answer.headers["x-page-cache"] == "hit"
    assert answer.headers["cache-control"].startswith("public")
    form = page.locator("form.comment-form")
    expect(form.locator('input[name="csrfmiddlewaretoken"]')).to_have_count(0)
    write_comment(page, "Posted from the page everyone shares.")
    # Starting to write fetched this reader's own form token and time stamp.
    expect(form.locator('input[name="csrfmiddlewaretoken"]')).not_to_have_value("")
    expect(form.locator('input[name="started"]')).not_to_have_value("")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Your comment is awaiting moderation")).to_be_visible()
    expect(page.locator(".comment--pending")).to_contain_text("Posted from the page everyone shares.")
    assert Comment.objects.get(body="Posted from the page everyone shares.").status == "pending"
    reader.close()


def test_a_reader_whose_token_request_fails_confirms_and_loses_nothing(browser, live_server, story):
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    page.route("**/comments/token/**", lambda route: route.abort())
    page.goto(live_server.url + story.get_absolute_url())
    write_comment(page, "Sent while the token could not be fetched.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("heading", name="Confirm your comment")).to_be_visible()
    expect(page.get_by_label("Your comment")).to_have_value("Sent while the token could not be fetched.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment--pending")).to_contain_text("Sent while the token could not be fetched.")
    context.close()


def test_commenting_works_without_javascript(browser, live_server, story):
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORTS["phone"])
    page = context.new_page()
    page.goto(live_server.url + story.get_absolute_url())
    expect(page.locator("#id_body_helptext")).to_have_text("Up to 250 characters.")
    write_comment(page, "Posted with scripts switched off.")
    page.get_by_role("button", name="Post comment").click()
    # The shared page's form has no token: nothing is lost, the reader confirms once.
    expect(page.get_by_role("heading", name="Confirm your comment")).to_be_visible()
    expect(page.get_by_label("Your comment")).to_have_value("Posted with scripts switched off.")
    expect(page.get_by_label("Name")).to_have_value("Maria Lopes")
    expect(page.get_by_label("I have read the community standards")).to_be_checked()
    assert not Comment.objects.filter(body="Posted with scripts switched off.").exists()
    screenshot(page, "comments-confirm-phone")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment--pending")).to_contain_text("Posted with scripts switched off.")
    screenshot(page, "comments-pending-phone")
    context.close()


def test_reader_flags_a_comment(page_at, live_server, story):
    page = page_at("desktop")
    page.goto(live_server.url + story.get_absolute_url())
    page.get_by_role("link", name=re.compile("Flag")).first.click()
    page.get_by_label("Abusive or hateful").check()
    page.get_by_role("button", name="Send flag").click()
    expect(page.get_by_text("A moderator will look at this comment.")).to_be_visible()
