"""Sign-in throttling (django-axes): failed sign-ins lock the account and the address for the cool-off,
with a page that says so, and an administrator can lift the lock from the admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
OFFICE = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def editor():
    user = StaffFactory(username="edna", is_superuser=False)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def admin_sign_in(client, username, password, address=OFFICE):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_times(client, username, times, address=OFFICE):
    for _ in range(times):
        response = admin_sign_in(client, username, "not the password", address)
        assert response.status_code in (200, 429)
    return response


def test_five_wrong_passwords_lock_the_account_and_show_when_to_try_again(client, editor):
    for _ in range(4):
        response = admin_sign_in(client, "edna", "not the password")
        assert response.status_code == 200
        assert b"Please enter the correct username and password" in response.content
    response = admin_sign_in(client, "edna", "not the password")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-ins" in page
    assert "after 5 failed attempts" in page
    assert "Wait 15 minutes before you try again" in page
    # In the admin's own look, not a bare text answer.
    assert "Dateline newsroom" in page and 'id="header"' in page
    assert response["Retry-After"] == str(15 * 60)
    assert "no-cache" in response["Cache-Control"]
    assert AccessAttempt.objects.get(username="edna").failures_since_start == 5


def test_the_right_password_during_the_lock_is_refused(client, editor):
    fail_times(client, "edna", 5)
    response = admin_sign_in(client, "edna", PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content
    assert not signed_in(client)
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_locked_account_is_locked_from_every_address(client, editor):
    fail_times(client, "edna", 5)
    response = admin_sign_in(client, "edna", PASSWORD, address=ELSEWHERE)
    assert response.status_code == 429
    assert not signed_in(client)


def test_failures_on_several_accounts_lock_the_address_for_every_account(client, editor):
    for name in ("alice", "bob", "carol", "dave", "erin"):
        admin_sign_in(client, name, "guessing")
    response = admin_sign_in(client, "edna", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    # The account itself is not under attack: from another network it signs in.
    response = admin_sign_in(client, "edna", PASSWORD, address=ELSEWHERE)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_lock_lifts_after_the_cool_off(client, editor):
    fail_times(client, "edna", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = admin_sign_in(client, "edna", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_limits_follow_the_settings(client, editor, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    admin_sign_in(client, "edna", "wrong")
    response = admin_sign_in(client, "edna", "wrong")
    assert response.status_code == 429
    assert b"after 2 failed attempts" in response.content
    assert b"Wait 30 minutes" in response.content


def test_a_successful_sign_in_clears_earlier_failures(client, editor):
    fail_times(client, "edna", 4)
    assert admin_sign_in(client, "edna", PASSWORD).status_code == 302
    client.logout()
    fail_times(client, "edna", 4)
    assert admin_sign_in(client, "edna", PASSWORD).status_code == 302


def test_an_administrator_sees_the_attempts_and_unlocking_restores_access(client, editor):
    fail_times(client, "edna", 5)
    StaffFactory(username="chief")
    assert admin_sign_in(client, "chief", PASSWORD, address=ELSEWHERE).status_code == 302
    changelist = reverse("admin:axes_accessattempt_changelist")
    listing = client.get(changelist)
    assert listing.status_code == 200
    assert b"edna" in listing.content
    attempt = AccessAttempt.objects.get(username="edna")
    confirm = client.post(changelist, {"action": "delete_selected", "_selected_action": [attempt.pk]})
    assert confirm.status_code == 200
    done = client.post(changelist, {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"})
    assert done.status_code == 302
    assert not AccessAttempt.objects.filter(username="edna").exists()
    client.logout()
    response = admin_sign_in(client, "edna", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("role", ["Reporter", "Editor", "Moderator"])
def test_only_administrators_see_sign_in_attempts(client, role):
    user = StaffFactory(username=f"staff-{role.lower()}", is_superuser=False)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    for name in ("accessattempt", "accesslog", "accessfailurelog"):
        assert client.get(reverse(f"admin:axes_{name}_changelist")).status_code == 403


def test_the_demo_administrator_sees_sign_in_attempts(client, settings):
    settings.DEBUG = True
    call_command("ensure_demo_accounts", verbosity=0)
    client.force_login(get_user_model().objects.get(username="admin"))
    for name in ("accessattempt", "accesslog", "accessfailurelog"):
        assert client.get(reverse(f"admin:axes_{name}_changelist")).status_code == 200


def reader_with_confirmed_email(email="reader@readers.example"):
    user = UserFactory(username="reader", email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def test_readers_sign_in_form_locks_with_a_page_in_the_site_style(client):
    reader_with_confirmed_email()
    url = reverse("account_login")
    for _ in range(4):
        response = client.post(url, {"login": "reader@readers.example", "password": "nope"}, REMOTE_ADDR=OFFICE)
        assert response.status_code == 200
        assert "You are not signed in." in response.content.decode()
    response = client.post(url, {"login": "reader@readers.example", "password": "nope"}, REMOTE_ADDR=OFFICE)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-ins" in page
    assert 'class="masthead"' in page
    response = client.post(url, {"login": "reader@readers.example", "password": PASSWORD}, REMOTE_ADDR=OFFICE)
    assert response.status_code == 429
    assert not signed_in(client)


def test_reader_failures_count_under_the_address_whatever_its_case(client):
    reader_with_confirmed_email()
    for login in ("Reader@Readers.example", "READER@readers.example", "reader@readers.example"):
        client.post(reverse("account_login"), {"login": login, "password": "nope"}, REMOTE_ADDR=OFFICE)
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "reader@readers.example" and attempt.failures_since_start == 3


def test_a_locked_reader_is_refused_from_another_address_too(client):
    reader_with_confirmed_email()
    for _ in range(5):
        client.post(
            reverse("account_login"), {"login": "reader@readers.example", "password": "nope"}, REMOTE_ADDR=OFFICE
        )
    response = client.post(
        reverse("account_login"), {"login": "reader@readers.example", "password": PASSWORD}, REMOTE_ADDR=ELSEWHERE
    )
    assert response.status_code == 429
    assert not signed_in(client)


def test_a_reader_signs_in_after_a_few_mistakes_and_the_count_starts_again(client):
    reader_with_confirmed_email()
    for _ in range(3):
        client.post(
            reverse("account_login"), {"login": "reader@readers.example", "password": "nope"}, REMOTE_ADDR=OFFICE
        )
    response = client.post(
        reverse("account_login"), {"login": "reader@readers.example", "password": PASSWORD}, REMOTE_ADDR=OFFICE
    )
    assert response.status_code == 302
    assert signed_in(client)
    assert not AccessAttempt.objects.exists()


def test_an_overlong_name_typed_into_the_readers_sign_in_counts_as_one_failure(client):
    response = client.post(reverse("account_login"), {"login": "x" * 10_000 + "@example.org", "password": "nope"})
    assert response.status_code == 200
    attempts = AccessAttempt.objects.all()
    assert all(len(attempt.username) <= 150 for attempt in attempts)


def test_the_address_comes_from_the_trusted_proxy(client, editor, settings):
    settings.COMMENTS_TRUSTED_PROXIES = 1
    for _ in range(5):
        client.post(
            reverse("admin:login"),
            {"username": "edna", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"10.9.9.9, {OFFICE}",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {OFFICE}


def test_demo_logins_still_sign_in_through_the_form(client, settings):
    settings.DEBUG = True
    call_command("ensure_demo_accounts", verbosity=0)
    for username in ("reporter", "editor", "moderator", "admin"):
        client.logout()
        response = admin_sign_in(client, username, f"dateline-{username}")
        assert response.status_code == 302, username
        assert signed_in(client)
