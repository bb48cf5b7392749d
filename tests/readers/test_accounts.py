"""Reader accounts: signing up with a confirmed email, signing in and out, resetting a password."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail

from newsroom.readers.models import ReaderProfile
from tests.comments.utils import form_data, post_url
from tests.factories import ArticleFactory, StaffFactory
from tests.readers.helpers import PASSWORD, confirmation_path, confirmed_reader, sign_in, sign_up

pytestmark = pytest.mark.django_db
User = get_user_model()


def signed_in_user(client):
    return User.objects.filter(pk=client.session.get("_auth_user_id")).first()


def test_sign_up_sends_a_confirmation_link_and_the_link_signs_the_reader_in(client):
    response = sign_up(client)
    assert response.status_code == 302
    assert client.get(response["Location"]).content.decode().count("Check your email") >= 1
    assert signed_in_user(client) is None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@readers.example"]
    assert "Confirm your email address" in message.subject
    assert '"Ana from the harbour"' in message.body

    path = confirmation_path("ana@readers.example")
    page = client.get(path)
    assert page.status_code == 200
    assert "ana@readers.example" in page.content.decode()
    response = client.post(path)
    assert response.status_code == 302
    reader = signed_in_user(client)
    assert reader is not None and reader.email == "ana@readers.example"
    assert EmailAddress.objects.get(user=reader).verified
    assert reader.reader_profile.display_name == "Ana from the harbour"


def test_a_reader_who_has_not_confirmed_cannot_sign_in_or_comment(client):
    sign_up(client)
    client.logout()
    response = sign_in(client)
    assert signed_in_user(client) is None
    assert response["Location"] == "/accounts/confirm-email/"
    story = ArticleFactory(comments_require_account=True)
    response = client.post(post_url(story), form_data(story))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not story.reader_comments.exists()


def test_sign_up_keeps_what_was_typed_and_says_what_is_wrong(client):
    response = client.post(
        "/accounts/signup/",
        {"display_name": "  ", "email": "not-an-address", "password1": PASSWORD, "password2": "different"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your account was not created." in page
    assert "Give the name to show with your comments." in page
    assert 'value="not-an-address"' in page
    assert not User.objects.exists()


def test_a_second_sign_up_with_a_taken_address_creates_nothing_and_tells_the_owner(client):
    confirmed_reader()
    response = sign_up(client, name="Someone else")
    assert response.status_code == 302
    assert User.objects.count() == 1
    assert mail.outbox and mail.outbox[-1].to == ["ana@readers.example"]


def test_reader_signs_in_by_email_address_whatever_its_case(client):
    confirmed_reader()
    response = sign_in(client, email="Ana@Readers.Example")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/"
    assert signed_in_user(client).email == "ana@readers.example"


def test_a_wrong_password_says_so_and_signs_nobody_in(client):
    confirmed_reader()
    response = sign_in(client, password="not it")
    assert response.status_code == 200
    assert "You are not signed in." in response.content.decode()
    assert signed_in_user(client) is None


def test_sign_in_returns_the_reader_to_the_story_they_came_from(client):
    confirmed_reader()
    story = ArticleFactory(comments_require_account=True)
    response = sign_in(client, next=story.get_absolute_url())
    assert response["Location"] == story.get_absolute_url()


def test_sign_in_never_sends_a_reader_to_another_site(client):
    confirmed_reader()
    response = sign_in(client, next="https://elsewhere.example/")
    assert response["Location"] == "/accounts/"


def test_sign_out_ends_the_session(client):
    confirmed_reader()
    sign_in(client)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_user(client) is None
    assert "messages" not in client.cookies or not client.cookies["messages"].value


def test_forgotten_password_is_reset_through_the_link_in_the_email(client):
    confirmed_reader()
    response = client.post("/accounts/password/reset/", {"email": "ana@readers.example"})
    assert response.status_code == 302
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", mail.outbox[-1].body).group(1)
    response = client.get(link)
    assert response.status_code == 302
    form_page = client.get(response["Location"])
    assert "Choose a new password" in form_page.content.decode()
    new = "lanterns-over-the-quay"
    response = client.post(response["Location"], {"password1": new, "password2": new})
    assert response.status_code == 302
    client.logout()
    assert sign_in(client, password=PASSWORD).status_code == 200
    assert sign_in(client, password=new).status_code == 302


def test_a_reset_for_an_unknown_address_reveals_nothing(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@readers.example"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"


@pytest.mark.parametrize("path", ["/accounts/confirm-email/not-a-key/", "/accounts/password/reset/key/1-not-a-token/"])
def test_a_wrong_or_used_link_from_an_email_answers_404_with_what_to_do(client, path):
    response = client.get(path)
    assert response.status_code == 404
    page = response.content.decode()
    assert "has expired or has already been used" in page
    assert 'class="masthead"' in page


# No staff rights from the public site.


def test_sign_up_with_staff_fields_posted_gives_no_staff_rights(client):
    sign_up(
        client,
        is_staff="1",
        is_superuser="on",
        is_active="1",
        groups="1",
        user_permissions="1",
        username="admin",
    )
    client.post(confirmation_path("ana@readers.example"))
    reader = User.objects.get(email="ana@readers.example")
    assert not reader.is_staff and not reader.is_superuser
    assert not reader.groups.exists()
    assert not reader.user_permissions.exists()
    assert reader.get_all_permissions() == set()
    assert reader.username != "admin"


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/newsroom/article/", "/admin/comments/comment/", "/admin/auth/user/1/change/"]
)
def test_a_reader_gets_the_admin_sign_in_page_for_admin_addresses(client, path):
    sign_up(client)
    client.post(confirmation_path("ana@readers.example"))
    assert signed_in_user(client) is not None
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    response = client.get(response["Location"])
    assert "You are authenticated as" in response.content.decode()


def test_reader_accounts_have_no_profile_page_in_the_admin(client):
    # allauth's email address screen is not on the editors' admin.
    StaffFactory(username="chief", password=PASSWORD)
    client.force_login(User.objects.get(username="chief"))
    assert client.get("/admin/account/emailaddress/").status_code == 404


# The masthead.


def test_masthead_says_sign_in_to_anonymous_readers(client):
    story = ArticleFactory()
    page = client.get(story.get_absolute_url()).content.decode()
    assert '<a href="/accounts/login/">Sign in</a>' in page
    assert "Your account" not in page


def test_masthead_shows_the_signed_in_readers_name_and_their_account_link(client):
    confirmed_reader(name="Ana <the harbour>")
    sign_in(client)
    story = ArticleFactory()
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Signed in as <bdi>Ana &lt;the harbour&gt;</bdi>" in page
    assert '<a href="/accounts/">Your account</a>' in page
    assert ">Sign in</a>" not in page


def test_a_reader_profile_is_made_for_an_older_account_on_first_visit(client):
    user = confirmed_reader()
    ReaderProfile.objects.filter(user=user).delete()
    sign_in(client)
    assert client.get("/accounts/").status_code == 200
    assert ReaderProfile.objects.filter(user=user).exists()


def test_a_reader_changes_their_password_from_their_account(client):
    confirmed_reader()
    sign_in(client)
    new = "lanterns-over-the-quay"
    response = client.post("/accounts/password/change/", {"oldpassword": PASSWORD, "password1": new, "password2": new})
    assert response.status_code == 302
    client.logout()
    assert sign_in(client, password=new).status_code == 302


def test_a_wrong_current_password_leaves_the_password_unchanged(client):
    confirmed_reader()
    sign_in(client)
    response = client.post(
        "/accounts/password/change/", {"oldpassword": "guess", "password1": "x-new-pass-1", "password2": "x-new-pass-1"}
    )
    assert response.status_code == 200
    assert "Your password is unchanged." in response.content.decode()


def test_a_reader_adds_an_address_which_counts_only_once_confirmed(client):
    confirmed_reader()
    sign_in(client)
    assert client.get("/accounts/email/").status_code == 200
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    response = client.post("/accounts/email/", {"action_add": "", "email": "ana@elsewhere.example"})
    assert response.status_code == 302
    added = EmailAddress.objects.get(email="ana@elsewhere.example")
    assert not added.verified
    assert confirmation_path("ana@elsewhere.example")
    client.logout()
    assert sign_in(client, email="ana@elsewhere.example").status_code == 302
    assert signed_in_user(client) is None


def test_changing_addresses_asks_for_the_password_first(client):
    confirmed_reader()
    sign_in(client)
    response = client.post("/accounts/email/", {"action_add": "", "email": "ana@elsewhere.example"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/reauthenticate/")
    assert not EmailAddress.objects.filter(email="ana@elsewhere.example").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Confirm it is you" in page and 'class="masthead"' in page
    wrong = client.post(response["Location"], {"password": "guess"})
    assert wrong.status_code == 200 and "Not confirmed." in wrong.content.decode()
    assert client.post(response["Location"], {"password": PASSWORD}).status_code == 302
