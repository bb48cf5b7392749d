"""Moderators hear about a long queue by email, once per crossing, after the comment is saved."""

from __future__ import annotations

import pytest
from django.core import mail

from newsroom.comments import services
from newsroom.comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory, ModeratorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue_setup(settings):
    settings.COMMENTS_QUEUE_ALERT_THRESHOLD = 3
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ModeratorFactory(email="desk@dateline.example")
    ModeratorFactory(email="")
    UserFactory(email="reader@readers.example")
    return ArticleFactory()


def post_new(story, n: int, captured) -> Comment:
    with captured(execute=True):
        return services.post_comment(
            story=story,
            body=f"Comment number {n}",
            name=f"Reader {n}",
            email=f"r{n}@readers.example",
            ip_address=f"203.0.113.{n}",
        )


def test_email_goes_to_moderators_when_the_queue_reaches_the_threshold(queue_setup, django_capture_on_commit_callbacks):
    post_new(queue_setup, 1, django_capture_on_commit_callbacks)
    post_new(queue_setup, 2, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    post_new(queue_setup, 3, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert message.to == ["desk@dateline.example"]
    assert message.subject == "3 comments are waiting for moderation"
    assert "/admin/comments/comment/" in message.body


def test_no_second_email_while_the_queue_stays_long(queue_setup, django_capture_on_commit_callbacks):
    for n in range(1, 6):
        post_new(queue_setup, n, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_emailed_again_after_the_queue_drained_and_filled_up(queue_setup, django_capture_on_commit_callbacks):
    for n in range(1, 4):
        post_new(queue_setup, n, django_capture_on_commit_callbacks)
    services.approve(comments=Comment.objects.all(), moderator=ModeratorFactory())
    for n in range(4, 7):
        post_new(queue_setup, n, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2


def test_nothing_is_sent_before_the_transaction_commits(queue_setup, django_capture_on_commit_callbacks):
    for n in range(1, 3):
        post_new(queue_setup, n, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        CommentFactory(story=queue_setup, status="pending")
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_flags_that_send_a_comment_back_count_towards_the_queue(
    queue_setup, settings, django_capture_on_commit_callbacks
):
    settings.COMMENTS_FLAGS_TO_HIDE = 1
    CommentFactory.create_batch(2, story=queue_setup, status="pending")
    approved = CommentFactory(story=queue_setup)
    with django_capture_on_commit_callbacks(execute=True):
        services.flag_comment(comment=approved, reason="abuse", ip_address="203.0.113.50")
    assert len(mail.outbox) == 1


def test_email_goes_to_the_console_unless_configured(monkeypatch):
    import runpy

    import newsroom.settings

    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    values = runpy.run_path(newsroom.settings.__file__)
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    assert runpy.run_path(newsroom.settings.__file__)["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
