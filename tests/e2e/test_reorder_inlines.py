"""Reordering sources, bylines and related links on the story form: by dragging, by keyboard, and without JS."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from newsroom.models import Byline, Source
from tests.e2e.conftest import admin_sign_in, choose_in_autocomplete
from tests.factories import ArticleFactory, AuthorFactory, OutletFactory, SourceFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def signed_in_page(browser, live_server, *, javascript=True):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, java_script_enabled=javascript)
    page = context.new_page()
    admin_sign_in(page, live_server, "eddie")
    return context, page


def article_with_three_sources():
    article = ArticleFactory(headline="Harbour dredging starts next week")
    for order, (outlet, title) in enumerate(
        (
            ("Harbour Gazette", "Dredging contract signed"),
            ("Coast Wire", "Port confirms dates"),
            ("Bay Times", "Residents fear noise"),
        )
    ):
        SourceFactory(story=article, outlet=OutletFactory(name=outlet), title=title, order=order)
    return article


def forbid_inline_scripts(page) -> list[str]:
    """Serve admin pages with a policy that allows scripts from files only; returns what the browser refused."""

    def with_policy(route):
        response = route.fetch()
        headers = {**response.headers, "content-security-policy": "script-src 'self'; object-src 'none'"}
        route.fulfill(response=response, headers=headers)

    page.route("**/admin/newsroom/article/*/change/", with_policy)
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    return refused


def values(fields) -> list[str]:
    return fields.evaluate_all("fields => fields.map((field) => field.value)")


def source_rows(page):
    return page.locator("#sources-group tbody tr.form-row.has_original")


def test_dragging_the_third_source_to_first_is_saved_and_shown_in_that_order(browser, live_server, editor):
    article = article_with_three_sources()
    context, page = signed_in_page(browser, live_server)
    page.goto(f"{live_server.url}/admin/newsroom/article/{article.pk}/change/")

    rows = source_rows(page)
    expect(rows).to_have_count(3)
    rows.nth(2).locator(".dateline-reorder__handle").drag_to(rows.nth(0), target_position={"x": 5, "y": 3})
    assert values(rows.locator("td.field-title input")) == [
        "Residents fear noise",
        "Dredging contract signed",
        "Port confirms dates",
    ]
    assert values(rows.locator("td.field-order input")) == ["1", "2", "3"]
    expect(page.locator("#sources-group [role=status]")).to_have_text(
        "Bay Times: Residents fear noise moved to position 1 of 3.", use_inner_text=True
    )

    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    assert list(Source.objects.filter(story=article).values_list("title", flat=True)) == [
        "Residents fear noise",
        "Dredging contract signed",
        "Port confirms dates",
    ]

    reader = browser.new_context().new_page()
    reader.goto(live_server.url + article.get_absolute_url())
    expect(reader.locator(".sources__list li a")).to_have_text(
        ["Residents fear noise", "Dredging contract signed", "Port confirms dates"]
    )
    reader.context.close()
    context.close()


def test_sources_and_bylines_are_reordered_from_the_keyboard_and_announced(browser, live_server, editor):
    article = article_with_three_sources()
    first, second = AuthorFactory(name="Ana Ruiz"), AuthorFactory(name="Bo Chen")
    Byline.objects.create(article=article, author=first, order=0)
    Byline.objects.create(article=article, author=second, order=1)
    context, page = signed_in_page(browser, live_server)
    refused = forbid_inline_scripts(page)
    page.goto(f"{live_server.url}/admin/newsroom/article/{article.pk}/change/")

    rows = source_rows(page)
    status = page.locator("#sources-group [role=status]")
    # The first source's "Move down" button, pressed from the keyboard, keeps the focus on it.
    move_down = page.locator("#sources-0").get_by_role("button", name="Move down")
    move_down.focus()
    page.keyboard.press("Enter")
    expect(status).to_have_text(
        "Harbour Gazette: Dredging contract signed moved to position 2 of 3.", use_inner_text=True
    )
    expect(move_down).to_be_focused()
    page.keyboard.press("Space")
    expect(status).to_have_text(
        "Harbour Gazette: Dredging contract signed moved to position 3 of 3.", use_inner_text=True
    )
    page.keyboard.press("Enter")
    expect(status).to_have_text("Harbour Gazette: Dredging contract signed is already last.", use_inner_text=True)

    # Alt+Up from a field in the row moves it too.
    rows.nth(1).locator("td.field-title input").focus()
    page.keyboard.press("Alt+ArrowUp")
    assert values(rows.locator("td.field-title input")) == [
        "Residents fear noise",
        "Port confirms dates",
        "Dredging contract signed",
    ]

    bylines = page.locator("#bylines-group tbody tr.form-row.has_original")
    bylines.nth(1).get_by_role("button", name="Move up").click()
    expect(page.locator("#bylines-group [role=status]")).to_have_text(
        "Bo Chen (Correspondent) moved to position 1 of 2.", use_inner_text=True
    )

    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    assert list(Source.objects.filter(story=article).values_list("title", flat=True)) == [
        "Residents fear noise",
        "Port confirms dates",
        "Dredging contract signed",
    ]
    assert list(Byline.objects.filter(article=article).values_list("author__name", flat=True)) == [
        "Bo Chen",
        "Ana Ruiz",
    ]
    assert not [line for line in refused if "reorder" in line or "inline" in line.lower()], refused
    context.close()


def test_a_new_source_goes_last_and_empty_rows_are_left_alone(browser, live_server, editor):
    article = article_with_three_sources()
    context, page = signed_in_page(browser, live_server)
    page.goto(f"{live_server.url}/admin/newsroom/article/{article.pk}/change/")
    # Rows added with "Add another" can be moved too.
    page.locator("#sources-group .add-row a").click()
    rows = page.locator("#sources-group tbody tr.form-row:not(.empty-form)")
    expect(rows).to_have_count(5)
    expect(rows.get_by_role("button", name="Move up")).to_have_count(5)
    new_row = page.locator("#sources-group tbody tr.form-row:not(.has_original):not(.empty-form)").first
    new_row.locator("td.field-title input").fill("Dredger arrives")
    new_row.locator("td.field-url input").fill("https://news.example/dredger")
    new_row.locator("td.field-url input").blur()
    expect(new_row.locator("td.field-order input")).to_have_value("3")
    choose_in_autocomplete(page, new_row.locator(".select2-selection"), "Bay", "Bay Times")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    assert list(Source.objects.filter(story=article).values_list("title", flat=True))[-1] == "Dredger arrives"
    context.close()


def test_without_javascript_the_order_numbers_are_typed(browser, live_server, editor):
    article = article_with_three_sources()
    context, page = signed_in_page(browser, live_server, javascript=False)
    page.goto(f"{live_server.url}/admin/newsroom/article/{article.pk}/change/")
    rows = source_rows(page)
    expect(rows.get_by_role("button", name="Move up")).to_have_count(0)
    rows.nth(2).locator("td.field-order input").fill("0")
    rows.nth(0).locator("td.field-order input").fill("5")
    page.get_by_role("button", name="Save and continue editing").first.click()
    assert list(Source.objects.filter(story=article).values_list("title", flat=True)) == [
        "Residents fear noise",
        "Port confirms dates",
        "Dredging contract signed",
    ]
    context.close()
