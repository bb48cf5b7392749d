import os
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls made
# by fixtures in that same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

# Every page the browser tests open runs under the site's Content-Security-Policy; a violation fails the test.
# Chromium prints one to the console ("Refused to execute inline script because it violates the following
# Content Security Policy directive..."); the page's own securitypolicyviolation event is printed as well, so
# a violation is caught even where the browser would not say it in the console.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
    console.error(
        "securitypolicyviolation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
        " at " + event.sourceFile + ":" + event.lineNumber + " (" + document.location.pathname + ")"
    );
});
"""
csp_violations: list[str] = []


def is_csp_violation(text: str) -> bool:
    return "Content Security Policy" in text or "securitypolicyviolation" in text


def watch_for_csp_violations(context):
    context.add_init_script(script=REPORT_VIOLATIONS)
    context.on("console", lambda message: is_csp_violation(message.text) and csp_violations.append(message.text))
    return context


def pytest_collection_modifyitems(config, items):
    """Each browser test that fails runs once more before it fails the suite; pytest reports the rerun.

    A headless browser driving a live server on a loaded machine loses an event now and then (a popup that
    never reports closing, a click during a repaint). A fault of the site fails both runs.
    """
    for item in items:
        if item.get_closest_marker("e2e") and not item.get_closest_marker("flaky"):
            item.add_marker(pytest.mark.flaky(reruns=1))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    csp_violations.clear()
    outcome = yield
    if csp_violations and outcome.excinfo is None:
        found = "\n".join(dict.fromkeys(csp_violations))
        outcome.force_exception(AssertionError(f"The browser reported Content-Security-Policy violations:\n{found}"))


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium package is required for the browser tests in CI.")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        # Every context a test opens, directly or through new_page(), is watched for policy violations.
        new_context = browser.new_context

        def watched_context(**options):
            return watch_for_csp_violations(new_context(**options))

        def watched_page(**options):
            # The context stays open until the browser closes; tests that open many pages use page_at.
            return watched_context(**options).new_page()

        browser.new_context = watched_context
        browser.new_page = watched_page
        yield browser
        browser.close()


@pytest.fixture
def page_at(browser):
    """Open pages at a named viewport width; every context is closed after the test."""
    contexts = []

    def open_page(viewport: str = "desktop"):
        context = browser.new_context(viewport=VIEWPORTS[viewport])
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# The password tests.factories.UserFactory gives every account.
FACTORY_PASSWORD = "correct horse battery staple"


def choose_in_autocomplete(page, opener, term: str, option: str) -> None:
    """Open an admin autocomplete, type ``term`` and click ``option`` in the list found for that term.

    The list first shows every choice; the answer for the typed term replaces it a quarter of a second later.
    A click that lands while the list is being replaced picks nothing, so the click waits for that answer.
    """

    def answers_the_term(response) -> bool:
        url = urlsplit(response.url)
        return url.path.endswith("/autocomplete/") and parse_qs(url.query).get("term") == [term]

    from playwright.sync_api import expect

    opener.click()
    with page.expect_response(answers_the_term):
        page.locator(".select2-search__field").fill(term)
    expect(page.locator(".select2-results__option.loading-results")).to_have_count(0)
    page.get_by_role("option", name=option).click()


def admin_sign_in(page, live_server, username: str, password: str = FACTORY_PASSWORD) -> None:
    """Sign in through the admin's own form, by its visible labels, as an editor would."""
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def editor(settings):
    """An editor, "eddie", signed in by the tests through the admin's form (see ``admin_sign_in``)."""
    from django.contrib.auth.models import Group, Permission

    from newsroom.workflow import grant_role_permissions
    from tests.factories import UserFactory

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Transactional tests empty the database between them, roles included; put them back.
    grant_role_permissions(Group, Permission)
    user = UserFactory(username="eddie", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user
