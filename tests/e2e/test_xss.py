"""Over a hundred script-injection attempts, posted as comment, name and website, shown in a real browser.

All of them go on one story page and one queue page so the browser loads each
page once. A page "runs" a payload if a dialog opens, ``window.__xss`` gets set,
the console logs "xss-fired" or the title changes; none of that may happen, and
the reader must see each payload as the text it is.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.utils.text import Truncator
from playwright.sync_api import expect

from newsroom.comments import services
from newsroom.comments.models import Comment
from newsroom.comments.text import clean_single_line
from tests.comments.utils import load_corpus, same_text
from tests.factories import ArticleFactory, CommentFactory, ModeratorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAYLOADS = load_corpus("xss_payloads.txt")
PASSWORD = "correct horse battery staple"
ALLOWED_TAGS = {"LI", "ARTICLE", "HEADER", "SPAN", "A", "BDI", "TIME", "STRONG", "DIV", "P", "BR"}

# Before any page script: a place for payloads to write to, and a record of what the page did.
WATCH = """
window.__xss = undefined;
window.__fired = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  const original = window[name];
  window[name] = function () { window.__fired.push(name); return original.apply(this, arguments); };
}
"""

INSPECT_DOM = """
(root) => {
  const found = [];
  for (const el of root.querySelectorAll("*")) {
    for (const attr of el.getAttributeNames()) {
      if (attr.toLowerCase().startsWith("on")) found.push(el.tagName + " " + attr);
    }
    const href = el.getAttribute("href");
    if (href !== null && !/^(https?:\\/\\/|\\/)/i.test(href)) found.push(el.tagName + " href=" + href);
    const tag = el.tagName.toUpperCase();
    if (["SCRIPT", "IFRAME", "OBJECT", "EMBED", "SVG", "MATH", "IMG", "STYLE", "FORM"].includes(tag)) found.push(tag);
  }
  return found;
}
"""


@pytest.fixture
def hostile_story(settings):
    settings.COMMENTS_PER_PAGE = 1000
    settings.COMMENTS_FLOOD_LIMIT = 10_000
    settings.COMMENTS_MAX_LINKS = 10_000
    story = ArticleFactory(headline="Harbour plan approved")
    for n, payload in enumerate(PAYLOADS):
        # Through the same service the form uses: the payload as comment and as name.
        services.post_comment(
            story=story,
            body=payload,
            name=payload[:100],
            email=f"attacker{n}@readers.example",
            url="https://example.org/",
            ip_address=f"10.0.{n // 250}.{n % 250}",
        )
        # The service and form refuse non-web addresses; store them anyway to prove the page would not use them.
        CommentFactory(story=story, body=f"website {n}: {payload}", name=f"Website {n}", url=payload[:500])
    services.approve(comments=Comment.objects.all(), moderator=ModeratorFactory(username="approver"))
    return story


def watch(page) -> dict:
    seen = {"dialogs": [], "console": []}

    def on_dialog(dialog):
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda message: seen["console"].append(message.text))
    page.add_init_script(WATCH)
    return seen


def assert_nothing_ran(page, seen, title: str | None) -> None:
    page.wait_for_load_state("load")
    # Give error, focus and animation handlers a moment to fire; moving and scrolling covers mouse handlers.
    page.mouse.move(200, 200)
    page.mouse.wheel(0, 2000)
    page.wait_for_timeout(500)
    assert seen["dialogs"] == []
    assert [text for text in seen["console"] if "xss" in text.lower()] == []
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("window.__fired") == []
    if title is not None:
        assert page.title() == title


def test_no_payload_runs_on_the_story_page_and_each_reads_as_text(browser, live_server, hostile_story):
    context = browser.new_context()
    page = context.new_page()
    seen = watch(page)
    page.goto(live_server.url + hostile_story.get_absolute_url())
    expect(page.locator(".comments__list .comment")).to_have_count(2 * len(PAYLOADS), timeout=60_000)
    assert_nothing_ran(page, seen, "Harbour plan approved · Dateline")

    assert page.eval_on_selector(".comments__list", INSPECT_DOM) == []
    tags = set(page.eval_on_selector_all(".comments__list *", "els => els.map(e => e.tagName)"))
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    rels = set(page.eval_on_selector_all(".comments__list a[href^='http']", "els => els.map(e => e.rel)"))
    assert rels == {"nofollow ugc noopener"}

    bodies = page.eval_on_selector_all(".comments__list .comment__body", "els => els.map(e => e.textContent)")
    names = page.eval_on_selector_all(".comments__list .comment__author", "els => els.map(e => e.textContent)")
    for n, payload in enumerate(PAYLOADS):
        assert same_text(bodies[2 * n], payload), (payload, bodies[2 * n])
        assert same_text(names[2 * n], clean_single_line(payload[:100])), payload
        assert same_text(bodies[2 * n + 1], f"website {n}: {payload}")
    context.close()


def test_no_payload_runs_in_the_moderation_queue(browser, live_server, hostile_story, monkeypatch):
    # Every payload on one queue page: "show all" normally stops at 200 rows.
    monkeypatch.setattr(admin.site.get_model_admin(Comment), "list_max_show_all", 1000)
    Comment.objects.update(status="pending", held_reason="First comment from this commenter")
    Comment.objects.filter(name__startswith="Website").update(held_reason="Word list: contains “casino”")
    ModeratorFactory(username="desk", password=PASSWORD)
    context = browser.new_context()
    page = context.new_page()
    seen = watch(page)
    page.goto(live_server.url + "/admin/login/?next=/admin/comments/comment/%3Fall%3D")
    page.get_by_label("Username").fill("desk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # A few hundred rows take the admin a while to render on a busy machine.
    expect(page.locator("#result_list tbody tr")).to_have_count(2 * len(PAYLOADS), timeout=60_000)
    assert_nothing_ran(page, seen, "Comment queue | Dateline")
    assert page.eval_on_selector("#result_list tbody", INSPECT_DOM) == []

    shown = set(page.eval_on_selector_all(".comment-excerpt", "els => els.map(e => e.textContent)"))
    for n, payload in enumerate(PAYLOADS):
        assert Truncator(" ".join(payload.split())).chars(160) in shown, payload
        assert Truncator(" ".join(f"website {n}: {payload}".split())).chars(160) in shown, payload

    # The full comment on its own page, for the payloads that are most likely to break out of an attribute.
    for payload in PAYLOADS[:3]:
        comment = Comment.objects.filter(body=payload.strip()).first()
        page.goto(f"{live_server.url}/admin/comments/comment/{comment.pk}/change/")
        assert_nothing_ran(page, seen, None)
        assert same_text(page.locator(".field-body_text .readonly").text_content(), payload)
    context.close()
