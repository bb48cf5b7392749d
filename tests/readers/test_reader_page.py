"""The reader's own page: their comments and how each fared, their name, email choices, deleting the account."""

from __future__ import annotations

import pytest
from axes.models import AccessLog
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from newsroom.comments import services as comment_services
from newsroom.comments.models import BannedCommenter, Comment
from newsroom.readers.models import ReaderProfile
from tests.comments.utils import form_data, post_url
from tests.factories import ArticleFactory, CommentFactory, ModeratorFactory, StaffFactory, UserFactory
from tests.readers.helpers import PASSWORD, confirmed_reader, sign_in

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def reader(client):
    user = confirmed_reader()
    sign_in(client)
    return user


def test_the_account_page_asks_anonymous_visitors_to_sign_in(client):
    response = client.get("/accounts/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/"


def test_a_signed_in_reader_comments_on_a_sign_in_only_story_and_it_waits_for_moderation(client, reader):
    story = ArticleFactory(comments_require_account=True, headline="Ferry timetable changes")
    content = client.get(story.get_absolute_url()).content.decode()
    assert "Commenting as <strong><bdi>Ana from the harbour</bdi></strong>" in content
    response = client.post(post_url(story), form_data(story, body="The early ferry matters to us."))
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.user == reader
    assert comment.name == "Ana from the harbour"
    assert comment.email == "ana@readers.example"
    assert comment.status == "pending"


def test_the_account_page_lists_the_readers_comments_with_what_happened_to_each(client, reader):
    story = ArticleFactory(headline="Harbour plan approved")
    CommentFactory(story=story, user=reader, body="Waiting one.", status="pending")
    CommentFactory(story=story, user=reader, body="Published one.", status="approved")
    CommentFactory(story=story, user=reader, body="Refused one.", status="rejected")
    CommentFactory(story=story, user=reader, body="Binned one.", status="spam")
    CommentFactory(story=story, body="Somebody else's.", status="approved")
    page = client.get("/accounts/").content.decode()
    assert "Waiting one." in page and "Published one." in page and "Refused one." in page
    assert "Somebody else&#x27;s." not in page and "Somebody else's." not in page
    assert page.count("Awaiting moderation") == 1
    assert page.count(">Published<") == 1
    assert page.count("Not published") == 2
    assert "Spam" not in page
    assert "Harbour plan approved" in page


def test_the_account_page_shows_a_readers_comment_as_text_never_as_markup(client, reader):
    CommentFactory(story=ArticleFactory(), user=reader, body="<script>alert(1)</script>")
    page = client.get("/accounts/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_account_page_pages_through_many_comments_in_a_constant_number_of_queries(
    client, reader, django_assert_max_num_queries
):
    story = ArticleFactory()
    for number in range(25):
        CommentFactory(story=story, user=reader, body=f"Comment number {number}.")
    with django_assert_max_num_queries(12):
        first = client.get("/accounts/").content.decode()
    assert "Comment number 24." in first and "Comment number 4." not in first
    assert "Page 1 of 2" in first
    second = client.get("/accounts/?page=2").content.decode()
    assert "Comment number 4." in second
    assert client.get("/accounts/?page=abc").status_code == 200


def test_changing_the_display_name_changes_it_on_earlier_comments(client, reader):
    comment = CommentFactory(story=ArticleFactory(), user=reader, name="Ana from the harbour", status="approved")
    response = client.post("/accounts/name/", {"display_name": "  Ana   R.  "})
    assert response.status_code == 302
    assert ReaderProfile.objects.get(user=reader).display_name == "Ana R."
    comment.refresh_from_db()
    assert comment.name == "Ana R."
    assert "Your display name is changed" in client.get("/accounts/").content.decode()


def test_an_empty_display_name_is_refused_and_the_old_one_kept(client, reader):
    response = client.post("/accounts/name/", {"display_name": "   "})
    assert response.status_code == 400
    assert "Give the name to show with your comments." in response.content.decode()
    assert ReaderProfile.objects.get(user=reader).display_name == "Ana from the harbour"


def test_the_email_choice_is_stored(client, reader):
    assert ReaderProfile.objects.get(user=reader).notify_decisions
    client.post("/accounts/email-choices/", {})
    assert not ReaderProfile.objects.get(user=reader).notify_decisions
    page = client.get("/accounts/").content.decode()
    assert 'name="notify_decisions" id="id_notify_decisions">' in page
    client.post("/accounts/email-choices/", {"notify_decisions": "on"})
    assert ReaderProfile.objects.get(user=reader).notify_decisions


def test_a_reader_who_asked_is_emailed_when_a_moderator_decides(reader, django_capture_on_commit_callbacks):
    story = ArticleFactory(headline="Harbour plan approved")
    published = CommentFactory(story=story, user=reader, status="pending")
    refused = CommentFactory(story=story, user=reader, status="pending")
    moderator = ModeratorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        comment_services.approve(comments=[published], moderator=moderator)
        comment_services.reject(comments=[refused], moderator=moderator)
    subjects = sorted(message.subject for message in mail.outbox if message.to == ["ana@readers.example"])
    assert subjects == [
        "Your comment on “Harbour plan approved” is published",
        "Your comment on “Harbour plan approved” was not published",
    ]
    assert "/accounts/" in mail.outbox[-1].body


def test_a_reader_who_said_no_is_not_emailed_about_decisions(reader, django_capture_on_commit_callbacks):
    ReaderProfile.objects.filter(user=reader).update(notify_decisions=False)
    comment = CommentFactory(story=ArticleFactory(), user=reader, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        comment_services.approve(comments=[comment], moderator=ModeratorFactory())
    assert not [message for message in mail.outbox if message.to == ["ana@readers.example"]]


def test_a_mail_server_that_is_down_does_not_undo_a_decision(reader, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    comment = CommentFactory(story=ArticleFactory(), user=reader, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        comment_services.approve(comments=[comment], moderator=ModeratorFactory())
    comment.refresh_from_db()
    assert comment.status == "approved"


# Deleting the account.


def test_deleting_asks_for_the_password_and_a_wrong_one_deletes_nothing(client, reader):
    page = client.get("/accounts/delete/").content.decode()
    assert "Your password" in page
    response = client.post("/accounts/delete/", {"password": "not it"})
    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    assert User.objects.filter(pk=reader.pk).exists()


def test_deleting_anonymises_the_readers_comments_by_default(client, reader):
    story = ArticleFactory()
    comment = CommentFactory(
        story=story, user=reader, name="Ana from the harbour", email="ana@readers.example", status="approved"
    )
    assert "shown as from “a deleted reader”" in client.get("/accounts/delete/").content.decode()
    response = client.post("/accounts/delete/", {"password": PASSWORD})
    assert response["Location"] == "/accounts/deleted/"
    assert "Your account is deleted" in client.get("/accounts/deleted/").content.decode()
    assert not User.objects.filter(pk=reader.pk).exists()
    comment.refresh_from_db()
    assert comment.user is None
    assert (comment.name, comment.email, comment.url, comment.ip_address) == ("a deleted reader", "", "", None)
    story_page = Client().get(story.get_absolute_url()).content.decode()
    assert "a deleted reader" in story_page
    assert "Ana from the harbour" not in story_page
    assert client.get("/accounts/").status_code == 302


def test_deleting_removes_the_comments_when_the_site_says_so(client, reader, settings):
    settings.DATELINE_DELETED_READER_COMMENTS = "remove"
    story = ArticleFactory()
    CommentFactory(story=story, user=reader, body="Gone with the account.", status="approved")
    kept = CommentFactory(story=story, body="Somebody else's.", status="approved")
    assert "will be removed" in client.get("/accounts/delete/").content.decode()
    client.post("/accounts/delete/", {"password": PASSWORD})
    assert list(Comment.objects.all()) == [kept]
    assert "Gone with the account." not in Client().get(story.get_absolute_url()).content.decode()


def test_a_ban_on_a_deleted_account_still_holds_its_email_address(client, reader):
    BannedCommenter.objects.create(user=reader, reason="Abuse")
    client.post("/accounts/delete/", {"password": PASSWORD})
    assert BannedCommenter.objects.get().email == "ana@readers.example"


def test_deleting_forgets_the_readers_successful_sign_ins(client, reader):
    names = [reader.get_username(), "ana@readers.example"]
    assert AccessLog.objects.filter(username__in=names).exists()
    client.post("/accounts/delete/", {"password": PASSWORD})
    assert not AccessLog.objects.filter(username__in=names).exists()


def test_a_staff_account_cannot_be_deleted_from_the_public_site(client):
    StaffFactory(username="chief", password=PASSWORD)
    client.force_login(User.objects.get(username="chief"))
    assert "closed by an administrator" in client.get("/accounts/delete/").content.decode()
    response = client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 403
    assert User.objects.filter(username="chief").exists()


def test_wrong_passwords_at_deletion_count_towards_the_sign_in_lock(client, reader):
    for _ in range(5):
        response = client.post("/accounts/delete/", {"password": "guess"})
    assert response.status_code == 429
    response = client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 429
    assert User.objects.filter(pk=reader.pk).exists()


def test_a_reader_sees_only_their_own_comments_on_their_page(client, reader):
    other = UserFactory()
    CommentFactory(story=ArticleFactory(), user=other, body="Not Ana's comment.")
    assert "Not Ana" not in client.get("/accounts/").content.decode()
