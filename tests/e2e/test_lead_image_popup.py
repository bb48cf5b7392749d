"""A lead image added through the "+" popup survives a failed save of the article, and is stored once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from newsroom.models import Article, Image
from newsroom.workflow import grant_role_permissions
from tests.e2e.conftest import admin_sign_in, choose_in_autocomplete
from tests.factories import ArticleFactory, ImageFactory, OutletFactory, UserFactory, png_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def staff_member(role: str):
    grant_role_permissions(Group, Permission)
    user = UserFactory(username=role.lower(), is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def uploads(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path


def signed_in_page(browser, live_server, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    admin_sign_in(page, live_server, username)
    return page


def upload_from_popup(page, caption="New cranes at the container port", alt="Three cranes against a grey sky"):
    with page.expect_popup() as opened:
        page.locator("#add_id_lead_image").click()
    popup = opened.value
    popup.wait_for_load_state()
    popup.get_by_label("File").set_input_files(
        {"name": "cranes.png", "mimeType": "image/png", "buffer": png_bytes(640, 480)}
    )
    popup.get_by_label("Caption").fill(caption)
    popup.get_by_label("Alt text").fill(alt)
    popup.get_by_role("button", name="Save", exact=True).click()
    # The popup closes once the upload is checked and its renditions made (WebP and AVIF at each width):
    # seconds on a busy machine, so it gets longer than Playwright's default 30 s.
    try:
        popup.wait_for_event("close", timeout=90_000)
    except PlaywrightTimeoutError:
        shown = "" if popup.is_closed() else f"{popup.url}\n{popup.content()[:3000]}"
        pytest.fail(f"the image popup stayed open; it showed:\n{shown}")


@pytest.mark.parametrize("role", ["Reporter", "Editor"])
def test_an_image_added_from_the_popup_is_kept_after_a_failed_save_and_stored_once(browser, live_server, uploads, role):
    user = staff_member(role)
    page = signed_in_page(browser, live_server, user.username)
    page.goto(live_server.url + "/admin/newsroom/article/add/")
    page.get_by_label("Standfirst").fill("Cranes arrived overnight.")
    upload_from_popup(page)
    image = Image.objects.get()

    # No headline: the article is refused and the form comes back with the image still chosen and shown.
    page.get_by_role("button", name="Save draft", exact=True).first.click()
    expect(page.get_by_text("Please correct the error below.")).to_be_visible()
    expect(page.locator(".field-lead_image select option:checked")).to_have_text(image.caption)
    expect(page.locator(".field-lead_image .select2-selection__rendered")).to_contain_text(image.caption)
    expect(page.locator(".field-lead_image_preview img")).to_have_attribute("alt", image.alt_text)

    page.get_by_label("Headline").fill("Cranes arrive at the container port")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    assert Image.objects.count() == 1
    assert Article.objects.get().lead_image == image
    page.context.close()


def test_a_new_image_chosen_on_a_change_form_is_kept_when_a_source_is_refused(browser, live_server, uploads):
    user = staff_member("Editor")
    OutletFactory(name="Harbour Gazette")
    old = ImageFactory(caption="Old picture", alt_text="The old quay")
    article = ArticleFactory(lead_image=old)
    page = signed_in_page(browser, live_server, user.username)
    page.goto(f"{live_server.url}/admin/newsroom/article/{article.pk}/change/")
    upload_from_popup(page, caption="New cranes", alt="Three cranes")
    new = Image.objects.exclude(pk=old.pk).get()

    page.locator("#sources-0 td.field-title input").fill("Cranes ordered")
    page.locator("#sources-0 td.field-url input").fill("not an address")
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.get_by_text("Please correct the error")).to_be_visible()
    expect(page.locator(".field-lead_image select option:checked")).to_have_text("New cranes")
    expect(page.locator(".field-lead_image_preview img")).to_have_attribute("alt", "Three cranes")

    page.locator("#sources-0 td.field-url input").fill("https://news.example/cranes")
    choose_in_autocomplete(page, page.locator("#sources-0 .select2-selection"), "Gazette", "Harbour Gazette")
    expect(page.locator("#sources-0 .select2-selection__rendered")).to_contain_text("Harbour Gazette")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    assert Image.objects.count() == 2
    assert Article.objects.get(pk=article.pk).lead_image == new
    page.context.close()
