"""The article body's rich-text editor in a real browser, under a Content-Security-Policy without inline script.

An editor writes with the toolbar by its labels, picks a picture from the library through the admin's
own popup, pastes plain text and a word processor's HTML through the browser's real paste path, and
the reader's page shows the structure and nothing else.
"""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from newsroom.demo.articles import ARTICLES
from newsroom.demo.loader import _body
from newsroom.models import Article
from newsroom.querysets import Status
from newsroom.sanitize import clean_body
from newsroom.workflow import grant_role_permissions
from tests.comments.utils import load_corpus
from tests.e2e.conftest import admin_sign_in, screenshot
from tests.factories import ArticleFactory, ImageFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
# The strictest policy the editing screen must work under: scripts only from the site itself.
POLICY = "script-src 'self'; object-src 'none'; base-uri 'self'"
PAYLOADS = load_corpus("xss_payloads.txt")

# Dispatches a paste the way the browser does for Ctrl+V: a ClipboardEvent carrying a DataTransfer.
PASTE = """([area, items]) => {
  const data = new DataTransfer()
  for (const [type, value] of Object.entries(items)) data.setData(type, value)
  const event = new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true })
  document.querySelector(area).dispatchEvent(event)
}"""

WATCH = """
window.__xss = undefined;
window.__fired = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  const original = window[name];
  window[name] = function () { window.__fired.push(name); return original.apply(this, arguments); };
}
"""

PLAIN_TEXT = (
    "Harbour dues will rise by four per cent from April,\nthe authority said.\n\n"
    "Shipping lines were told in a letter on Monday.\n\n\n"
    "The council will review the berth's cost every year."
)
WORD_PROCESSOR = (
    '<meta charset="utf-8"><h1 style="color:red" class="MsoTitle">Reaction on the quay</h1>'
    '<p class="MsoNormal" style="margin:0"><span style="font-family:Arial;font-size:14pt">Residents of the Saltings '
    "<b>welcomed</b> the <i>night ban</i></span><script>window.__xss=1</script></p>"
    # Word's own list markup: paragraphs with the bullet as text.
    "<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]>"
    "<span style='font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt \"Times New Roman\"'>"
    "&nbsp;&nbsp; </span></span></span><![endif]><span lang=EN-GB>Fewer lorries at night<o:p></o:p></span></p>"
    "<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]>"
    "<span style='font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt \"Times New Roman\"'>"
    "&nbsp;&nbsp; </span></span></span><![endif]>A new footpath<o:p></o:p></p>"
    '<p onclick="window.__xss=1"><a href="https://saltings.example/statement" style="color:blue" '
    'onmouseover="window.__xss=1">Read the residents\' statement</a> <a href="javascript:window.__xss=1">x</a></p>'
    "<style>p { color: red }</style>"
)


@pytest.fixture
def staff(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    grant_role_permissions(Group, Permission)
    user = UserFactory(username="eddie", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def open_desk(browser, live_server, *, policy: bool = True):
    """An editor signed in, every admin page served with the policy, and what the browser refused recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def with_policy(route):
        try:
            response = route.fetch()
            route.fulfill(response=response, headers={**response.headers, "content-security-policy": POLICY})
        except PlaywrightError:
            # The page moved on (a popup closed, a form was sent) before this response was read.
            pass

    if policy:
        context.route("**/admin/**", with_policy)
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(f"{message.text} at {message.location}") if "Content Security Policy" in message.text else 0
        ),
    )
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    admin_sign_in(page, live_server, "eddie")
    return context, page, refused, dialogs


def paste(page, items: dict[str, str], field: str = "body") -> None:
    page.evaluate(PASTE, [f".field-{field} .ProseMirror", items])


def publish(article: Article) -> Article:
    article.status = Status.PUBLISHED
    article.publish_at = timezone.now()
    article.save()
    return article


def test_editor_writes_an_article_with_toolbar_library_image_and_paste(browser, live_server, staff):
    image = ImageFactory(caption="Dredgers at North Quay", credit="Ana Ruiz / Dateline", alt_text="Two dredgers")
    context, page, refused, dialogs = open_desk(browser, live_server)
    started = time.monotonic()
    page.goto(live_server.url + "/admin/newsroom/article/add/")
    page.get_by_label("Headline").fill("Night ban agreed for the new berth")
    page.get_by_label("Standfirst").fill("Lorries will stay off the Saltings roads after ten.")
    body = page.get_by_label("Body")
    expect(body).to_be_visible()
    body.click()

    page.keyboard.type("What was agreed")
    page.get_by_role("button", name="Subheading", exact=True).click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("The authority accepted three conditions.")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Bulleted list").click()
    page.keyboard.type("No lorries after ten at night")
    page.keyboard.press("Enter")
    page.keyboard.type("A noise monitor on the quay")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(page.locator("#id_body_count")).to_contain_text("20 words")

    page.keyboard.type("Read the decision")
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("End")
    page.keyboard.press("Shift+Home")
    page.get_by_role("button", name="Link", exact=True).click()
    page.get_by_label("Address").fill("javascript:window.__xss=1")
    page.get_by_role("button", name="Save link").click()
    expect(page.get_by_role("alert")).to_contain_text("a link must start with https://, http:// or mailto:")
    page.get_by_role("button", name="Link", exact=True).click()
    page.get_by_label("Address").fill("https://council.example/decisions/berth")
    page.get_by_role("button", name="Save link").click()
    expect(page.locator("#id_body_message")).to_be_hidden()
    expect(body.get_by_role("link", name="Read the decision")).to_be_visible()
    # The linked words stay selected, as in any word processor; a click on the empty line below moves on.
    body.locator("p").last.click()
    page.wait_for_function(
        "() => document.querySelector('#id_body').richTextEditor.state.selection.$from.parent.textContent === ''"
    )

    with page.expect_popup() as opened:
        page.get_by_role("button", name="Insert image from library").click()
    library = opened.value
    # The admin's popup script wires its links once the page has loaded.
    library.wait_for_load_state("load")
    library.get_by_role("link", name="Dredgers at North Quay").click()
    figure = page.locator(".rich-text-figure")
    expect(figure).to_contain_text("Dredgers at North Quay")
    expect(figure).to_contain_text("Ana Ruiz / Dateline")

    page.evaluate(
        """() => {
          const data = new DataTransfer()
          data.items.add(new File([new Uint8Array([137, 80, 78, 71])], "photo.png", { type: "image/png" }))
          const event = new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true })
          document.querySelector(".field-body .ProseMirror").dispatchEvent(event)
        }"""
    )
    expect(page.get_by_role("alert")).to_contain_text("upload it with “Upload a new image”")
    # Everything so far ran under the policy without a single refusal.
    assert refused == []

    paste(page, {"text/plain": PLAIN_TEXT})
    page.keyboard.press("Enter")
    paste(page, {"text/html": WORD_PROCESSOR, "text/plain": "Reaction on the quay"})
    expect(page.locator("#id_body_count")).not_to_contain_text("20 words")

    page.get_by_role("button", name="Preview").click()
    preview = page.frame_locator("#id_body_preview")
    expect(preview.get_by_role("heading", name="Night ban agreed for the new berth")).to_be_visible()
    expect(preview.locator(".story__figure figcaption")).to_contain_text("Dredgers at North Quay")
    assert Article.objects.count() == 0
    screenshot(page, "rich-editor-preview")

    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    elapsed = time.monotonic() - started
    print(f"\nScripted editor task (open form to saved article): {elapsed:.1f} s")
    # The pasted handlers are reported by the browser as it reads the clipboard into an inert document,
    # where they could never run; nothing else was refused.
    assert all(message.startswith("Executing inline event handler") for message in refused), refused
    assert dialogs == [] and page.evaluate("window.__xss") is None

    article = Article.objects.get(headline="Night ban agreed for the new berth")
    stored = article.body
    for unwanted in ("<script", "style=", "<span", "class=", "onclick", "onmouseover", "javascript:", "<h1"):
        assert unwanted not in stored, unwanted
    assert f'<figure data-image="{image.pk}"></figure>' in stored
    context.close()

    publish(article)
    reader = browser.new_context().new_page()
    seen_dialogs: list[str] = []
    reader.on("dialog", lambda dialog: (seen_dialogs.append(dialog.message), dialog.dismiss()))
    reader.add_init_script(WATCH)
    reader.goto(live_server.url + article.get_absolute_url())
    story = reader.locator(".story__body")
    expect(story.get_by_role("heading", level=2, name="What was agreed")).to_be_visible()
    expect(story.get_by_role("heading", level=2, name="Reaction on the quay")).to_be_visible()
    expect(story.locator("ul li")).to_have_text(
        ["No lorries after ten at night", "A noise monitor on the quay", "Fewer lorries at night", "A new footpath"]
    )
    expect(story.get_by_role("link", name="Read the decision")).to_have_attribute(
        "href", "https://council.example/decisions/berth"
    )
    expect(story.get_by_role("link", name="Read the residents' statement")).to_have_attribute(
        "href", "https://saltings.example/statement"
    )
    expect(story.locator("strong")).to_have_text("welcomed")
    expect(story.locator("em")).to_have_text("night ban")
    pictured = story.locator("figure.story__figure")
    expect(pictured.locator("figcaption")).to_have_text("Dredgers at North Quay Photo: Ana Ruiz / Dateline")
    expect(pictured.locator('source[type="image/webp"]')).to_have_attribute("srcset", image.srcset())
    expect(pictured.locator("img")).to_have_attribute("alt", "Two dredgers")
    expect(story.locator("p", has_text="Harbour dues will rise")).to_have_text(
        "Harbour dues will rise by four per cent from April, the authority said."
    )
    expect(story.locator("p", has_text="Shipping lines were told")).to_have_count(1)
    expect(story.locator("p", has_text="review the berth's cost")).to_have_count(1)
    # Nothing pasted keeps a style, class or span; only the figure Dateline draws itself has its own markup.
    pasted_junk = "script, style, [style], span:not(figure *), [class]:not(figure, figure *, .bare-url)"
    assert story.locator(pasted_junk).count() == 0
    reader.wait_for_timeout(300)
    assert seen_dialogs == [] and reader.evaluate("window.__xss") is None and reader.evaluate("window.__fired") == []
    screenshot(reader, "rich-editor-public-page")
    reader.context.close()


def test_pasted_attacks_never_run_in_the_editor_or_on_the_page(browser, live_server, staff):
    # Without the policy: the editor itself must not run what is pasted.
    context, page, refused, dialogs = open_desk(browser, live_server, policy=False)
    page.add_init_script(WATCH)
    page.goto(live_server.url + "/admin/newsroom/article/add/")
    page.get_by_label("Headline").fill("Pasted from everywhere")
    page.get_by_label("Body").click()
    for payload in PAYLOADS:
        paste(page, {"text/html": payload, "text/plain": payload})
        page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None and page.evaluate("window.__fired") == []
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    assert dialogs == []
    context.close()

    article = publish(Article.objects.get(headline="Pasted from everywhere"))
    # Payloads may survive as the text they are; no tag may carry a handler, a style or a script address.
    tags = re.findall(r"<[^>]+>", article.body)
    assert {re.match(r"</?(\w+)", tag)[1] for tag in tags} <= {"p", "br", "a", "strong", "em", "h2", "h3", "ul", "li"}
    for tag in tags:
        assert not re.search(r"\s(on\w+|style|src)=", tag, re.IGNORECASE), tag
        assert re.fullmatch(r'<a href="(https?://|mailto:)[^"]*"( title="[^"]*")? rel="noopener">|</?\w+>', tag), tag
    reader = browser.new_context().new_page()
    seen: list[str] = []
    reader.on("dialog", lambda dialog: (seen.append(dialog.message), dialog.dismiss()))
    reader.on("console", lambda message: seen.append(message.text) if "xss" in message.text.lower() else 0)
    reader.add_init_script(WATCH)
    reader.goto(live_server.url + article.get_absolute_url())
    reader.mouse.move(200, 200)
    reader.mouse.wheel(0, 2000)
    reader.wait_for_timeout(500)
    assert seen == []
    assert reader.evaluate("window.__xss") is None and reader.evaluate("window.__fired") == []
    assert reader.title().startswith("Pasted from everywhere")
    reader.context.close()


def test_demo_bodies_open_in_the_editor_and_save_unchanged(browser, live_server, staff):
    bodies = [clean_body(_body(spec.body)) for spec in ARTICLES]
    demo = ArticleFactory(headline="Demo article", body=bodies[0])
    stored = Article.objects.get(pk=demo.pk).body
    context, page, refused, dialogs = open_desk(browser, live_server)
    page.goto(live_server.url + f"/admin/newsroom/article/{demo.pk}/change/")
    expect(page.get_by_label("Body")).to_be_visible()
    # Every demo body, loaded into the editor and written back out as the editor would save it.
    written = page.evaluate(
        """(bodies) => {
          const editor = document.querySelector("#id_body").richTextEditor
          const out = bodies.map((body) => { editor.commands.setContent(body); return editor.getHTML() })
          editor.commands.setContent(bodies[0])
          return out
        }""",
        bodies,
    )
    assert [clean_body(html) for html in written] == bodies
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    assert Article.objects.get(pk=demo.pk).body == stored
    assert refused == []
    context.close()


def test_event_summary_editor_keeps_one_sentence_with_emphasis(browser, live_server, staff):
    context, page, refused, dialogs = open_desk(browser, live_server)
    page.goto(live_server.url + "/admin/events/event/add/")
    summary = page.get_by_label("Summary")
    summary.click()
    page.keyboard.type("The port ")
    page.get_by_role("button", name="Bold").click()
    page.keyboard.type("reopens")
    page.get_by_role("button", name="Bold").click()
    page.keyboard.type(" after repairs.")
    page.keyboard.press("Enter")
    page.keyboard.type(" Ferries resume.")
    paste(page, {"text/html": "<h2>Second</h2><p>para<b>graph</b></p>"}, field="summary")
    assert page.locator(".field-summary .ProseMirror p").count() == 1
    assert page.get_by_role("button", name="Bulleted list").count() == 0
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    from events.models import Event

    summary = Event.objects.get().summary
    assert summary.startswith("The port <strong>reopens</strong> after repairs.")
    assert "<p>" not in summary and "<h2>" not in summary
    assert refused == []
    context.close()


# A copy from Google Docs: bold and italic are only styles, the whole copy sits in a <b> that is not bold.
STYLED_COPY = (
    '<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-1">'
    '<p dir="ltr" style="line-height:1.38"><span style="font-weight:700;color:#000">Ferry fares</span>'
    '<span style="font-weight:400"> rise </span><span style="font-style:italic">again</span></p></b>'
    '<p onclick="window.__xss=1" style="color:red" onmouseover="window.__xss=1">Timetable '
    '<img src="x" onerror="window.__xss=1"><svg onload="window.__xss=1"></svg></p>'
    '<!-- <p title=" --><img src=x onerror="window.__xss=1"> " -->'
    "<style>p { color: red }</style><p>Last<script>window.__xss=1</script></p>"
)


def test_editor_and_pasted_styles_and_handlers_raise_no_policy_report(browser, live_server, staff):
    # The site's own policy (style-src 'self', no inline script) is the one the page runs under here.
    context, page, refused, dialogs = open_desk(browser, live_server, policy=False)
    page.add_init_script(WATCH)
    page.goto(live_server.url + "/admin/newsroom/article/add/")
    editing_area = page.locator(".field-body .ProseMirror")
    expect(editing_area).to_be_visible()
    # The editor's base rules come from the stylesheet, not from a <style> element written at run time.
    assert page.locator("style").count() == 0
    assert editing_area.evaluate("(area) => getComputedStyle(area).whiteSpace") in {"break-spaces", "pre-wrap"}

    editing_area.click()
    paste(page, {"text/html": STYLED_COPY, "text/plain": "Ferry fares rise again"})
    expect(editing_area.locator("strong", has_text="Ferry fares")).to_be_visible()
    expect(editing_area.locator("em", has_text="again")).to_be_visible()
    # The non-bold wrapper made nothing else bold.
    assert editing_area.locator("strong").all_inner_texts() == ["Ferry fares"]
    expect(editing_area.locator("p", has_text="Timetable")).to_be_visible()
    # Word's lists are found by their styles, which never reach the browser's parser as styles.
    paste(page, {"text/html": WORD_PROCESSOR, "text/plain": "Reaction on the quay"})
    expect(editing_area.locator("ul li")).to_have_text(["Fewer lorries at night", "A new footpath"])
    assert editing_area.locator("[style], [onclick], [onmouseover], img, svg, script, style").count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None and page.evaluate("window.__fired") == []
    assert refused == [] and dialogs == []
    context.close()
