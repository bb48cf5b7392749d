"""Contexts as chips in a real browser: a phrase stays one context, existing ones come from autocomplete."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from taggit.models import Tag

from newsroom.models import Article
from tests.e2e.conftest import admin_sign_in
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def signed_in_page(browser, live_server, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    admin_sign_in(page, live_server, username)
    return context, page


def test_editor_types_a_phrase_picks_a_suggestion_and_exactly_those_contexts_are_stored(browser, live_server, editor):
    ArticleFactory(tags=["North Korea"])
    article = ArticleFactory(headline="Defectors describe the journey south", tags=["Stray"])
    context, page = signed_in_page(browser, live_server, "eddie")
    page.goto(f"{live_server.url}/admin/newsroom/article/{article.pk}/change/")

    contexts = page.get_by_role("combobox", name="Contexts")
    chosen = page.get_by_role("list", name="Already chosen")
    expect(chosen.get_by_role("listitem")).to_have_text(["Stray×"])

    contexts.fill("North Korean defectors")
    contexts.press("Enter")
    expect(chosen.get_by_role("listitem")).to_have_count(2)
    expect(contexts).to_have_value("")

    contexts.press_sequentially("north k")
    suggestion = page.get_by_role("listbox", name="Suggestions").get_by_role("option", name="North Korea")
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect(chosen.get_by_text("North Korea", exact=True)).to_be_visible()

    page.get_by_role("button", name="Remove Stray").click()
    expect(chosen.get_by_role("listitem")).to_have_count(2)
    expect(page.get_by_role("status").filter(has_text="Removed Stray")).to_have_count(1)

    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()

    stored = sorted(Article.objects.get(pk=article.pk).tags.names())
    assert stored == ["North Korea", "North Korean defectors"]
    assert not Tag.objects.filter(name__in=["North", "Korean", "defectors", "north k"]).exists()
    assert Tag.objects.filter(name__iexact="north korea").count() == 1
    # The chips come back as they were saved.
    expect(page.get_by_role("list", name="Already chosen").get_by_role("listitem")).to_have_count(2)

    reader = browser.new_context().new_page()
    reader.goto(live_server.url + article.get_absolute_url())
    links = reader.get_by_role("navigation", name="Contexts").get_by_role("link")
    expect(links).to_have_text(["North Korea", "North Korean defectors"])
    reader.context.close()
    context.close()


def two_rail_suggestions(browser, live_server):
    """An article with no contexts open in the admin, "rail" typed, and the two existing rail contexts offered.

    On a loaded machine the list may first answer a shorter word ("rai"): this waits for "rail"'s answer.
    Returns the browser context, the page, the article, the contexts box and the suggestions list.
    """
    ArticleFactory(tags=["Rail strikes"])
    ArticleFactory(tags=["Rail fares"])
    article = ArticleFactory(tags=[])
    context, page = signed_in_page(browser, live_server, "eddie")
    page.goto(f"{live_server.url}/admin/newsroom/article/{article.pk}/change/")
    contexts = page.get_by_role("combobox", name="Contexts")
    existing = page.get_by_role("listbox", name="Suggestions")
    with page.expect_response(lambda response: "q=rail" in response.url):
        contexts.press_sequentially("rail")
    expect(existing.get_by_role("option")).to_have_count(2)
    return context, page, article, contexts, existing


def test_contexts_are_added_and_removed_from_the_keyboard(browser, live_server, editor):
    context, page, article, contexts, existing = two_rail_suggestions(browser, live_server)
    chosen = page.get_by_role("list", name="Already chosen")
    contexts.press("ArrowDown")
    contexts.press("ArrowDown")
    expect(existing.get_by_role("option", selected=True)).to_have_count(1)
    picked = existing.get_by_role("option", selected=True).inner_text()
    assert picked == existing.get_by_role("option").nth(1).inner_text()
    contexts.press("Enter")
    expect(chosen.get_by_role("listitem")).to_have_text([f"{picked}×"])

    # A comma ends a context too; a phrase with spaces is still one.
    contexts.press_sequentially("Night trains in Europe,")
    expect(chosen.get_by_role("listitem")).to_have_count(2)
    contexts.press_sequentially("Oops")
    contexts.press("Enter")
    expect(chosen.get_by_role("listitem")).to_have_count(3)
    contexts.press("Backspace")
    expect(chosen.get_by_role("listitem")).to_have_count(2)

    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    assert sorted(Article.objects.get(pk=article.pk).tags.names()) == sorted([picked, "Night trains in Europe"])
    context.close()


def test_without_javascript_a_phrase_typed_in_the_box_is_one_context(browser, live_server, editor):
    article = ArticleFactory(tags=[])
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    admin_sign_in(page, live_server, "eddie")
    page.goto(f"{live_server.url}/admin/newsroom/article/{article.pk}/change/")
    page.get_by_role("textbox", name="Contexts").fill("North Korean defectors\nRail strikes, Elections")
    # The buttons under the form, where the editor is after typing the contexts.
    page.get_by_role("button", name="Save and continue editing").last.click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    assert sorted(Article.objects.get(pk=article.pk).tags.names()) == [
        "Elections",
        "North Korean defectors",
        "Rail strikes",
    ]
    context.close()


def test_a_suggestion_highlighted_from_the_keyboard_stays_chosen_when_a_later_lookup_answers(
    browser, live_server, editor
):
    context, page, _, contexts, existing = two_rail_suggestions(browser, live_server)
    contexts.press("ArrowDown")
    picked = existing.get_by_role("option", selected=True).inner_text()

    # Another lookup answers after the editor picked: a slow network, or a character typed and taken back.
    with page.expect_response(lambda response: "q=rail" in response.url):
        contexts.press_sequentially("s")
        contexts.press("Backspace")
    expect(existing.get_by_role("option", selected=True)).to_have_text(picked)
    contexts.press("Enter")

    expect(page.get_by_role("list", name="Already chosen").get_by_role("listitem")).to_have_text([f"{picked}×"])
    context.close()
