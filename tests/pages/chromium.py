"""Debian's chromium for the page checks, started in a thread of its own.

Playwright's sync API refuses to start while another instance runs in the same
thread, and the browser tests under tests/e2e keep theirs open for the whole
run. A worker thread has its own event loop, so these checks can run beside it.
"""

import os
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def with_chromium(work):
    """Run ``work(browser)`` with a fresh headless chromium and return its result."""
    executable = shutil.which("chromium")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium package is required for the page checks in CI.")
        pytest.skip("chromium is not installed (apt-get install chromium)")

    def run():
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True, args=LAUNCH_ARGS)
            try:
                return work(browser)
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()
