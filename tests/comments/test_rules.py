"""Each rule a new comment meets, with a case that only that rule catches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from newsroom.comments import services
from newsroom.comments.models import BannedCommenter, Comment
from newsroom.comments.rules import CommentRefused
from tests.factories import ArticleFactory, CommentFactory, UserFactory, WordRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    return ArticleFactory(headline="Harbour plan approved")


@pytest.fixture
def trusted(story):
    """A guest a moderator has approved before: only content rules can hold them."""
    CommentFactory(story=story, name="Maria Lopes", email="maria@readers.example", status="approved")
    return {"name": "Maria Lopes", "email": "maria@readers.example"}


def post(story, **fields) -> Comment:
    values = {
        "story": story,
        "body": "The new berth will help the ferry timetable.",
        "name": "Maria Lopes",
        "email": "maria@readers.example",
        "ip_address": "198.51.100.7",
        "fill_seconds": 30.0,
    }
    values.update(fields)
    return services.post_comment(**values)


def refused(story, **fields) -> CommentRefused:
    with pytest.raises(CommentRefused) as caught:
        post(story, **fields)
    return caught.value


# Holds.


def test_first_comment_from_a_new_commenter_is_held(story):
    comment = post(story)
    assert comment.status == "pending"
    assert comment.held_reasons == ["First comment from this commenter"]


def test_commenter_approved_before_goes_straight_through(story, trusted):
    comment = post(story, **trusted)
    assert comment.status == "approved"
    assert comment.held_reason == ""


def test_approval_trusts_an_account_whatever_name_it_shows(story):
    reader = UserFactory(first_name="Ana", last_name="Ruiz")
    CommentFactory(story=story, user=reader, name="Ana Ruiz", status="approved")
    reader.first_name = "Ana María"
    reader.save()
    assert post(story, user=reader).status == "approved"


def test_guest_borrowing_a_trusted_email_under_another_name_is_held(story, trusted):
    comment = post(story, name="Someone Else", email=trusted["email"])
    assert comment.status == "pending"
    assert "First comment from this commenter" in comment.held_reasons


def test_rejected_comments_do_not_make_a_commenter_trusted(story):
    CommentFactory(story=story, name="Maria Lopes", email="maria@readers.example", status="rejected")
    assert post(story).status == "pending"


def test_more_links_than_allowed_are_held_even_from_a_trusted_commenter(story, trusted, settings):
    settings.COMMENTS_MAX_LINKS = 2
    body = "Sources: https://a.example/1 and www.b.example/2 and bit.ly/3abc"
    comment = post(story, body=body, **trusted)
    assert comment.status == "pending"
    assert comment.held_reasons == ["3 links (more than 2)"]


def test_links_up_to_the_limit_pass(story, trusted, settings):
    settings.COMMENTS_MAX_LINKS = 2
    comment = post(story, body="See https://a.example/1 and https://b.example/2 for the plans.", **trusted)
    assert comment.status == "approved"


def test_link_limit_is_configurable(story, trusted, settings):
    settings.COMMENTS_MAX_LINKS = 0
    assert post(story, body="The plans: https://a.example/1", **trusted).status == "pending"


def test_word_list_hold_sends_a_trusted_commenter_to_the_queue(story, trusted):
    WordRuleFactory(phrase="ferry cartel", action="hold")
    comment = post(story, body="Ask the Ferry   Cartel who paid for this.", **trusted)
    assert comment.status == "pending"
    assert comment.held_reasons == ["Word list: contains “ferry cartel”"]


def test_word_list_spam_files_the_comment_as_spam(story, trusted):
    WordRuleFactory(phrase="cheap pills", action="spam")
    comment = post(story, body="CHEAP PILLS here", **trusted)
    assert comment.status == "spam"
    assert comment.held_reasons == ["Word list: contains “cheap pills” (marked as spam)"]


def test_word_list_sees_through_lookalike_letters_and_hidden_characters(story, trusted):
    WordRuleFactory(phrase="casino", action="hold")
    fullwidth = post(story, body="Best ｃａｓｉｎｏ in town", **trusted)
    hidden = post(story, body="Best cas\u200bino around", **trusted)
    assert fullwidth.status == hidden.status == "pending"


def test_word_list_matches_whole_words_only(story, trusted):
    WordRuleFactory(phrase="ass", action="hold")
    assert post(story, body="The assembly passed the harbour budget.", **trusted).status == "approved"


def test_word_list_checks_the_name_too(story):
    WordRuleFactory(phrase="viagra", action="spam")
    assert post(story, name="Viagra Seller", email="x@spam.example").status == "spam"


def test_several_reasons_are_all_kept(story, settings):
    settings.COMMENTS_MAX_LINKS = 1
    WordRuleFactory(phrase="click here", action="hold")
    comment = post(story, body="Click here: https://a.example and https://b.example")
    assert comment.status == "pending"
    assert comment.held_reasons == [
        "Word list: contains “click here”",
        "2 links (more than 1)",
        "First comment from this commenter",
    ]


# Refusals.


def test_same_text_twice_is_refused_as_a_duplicate(story):
    post(story, body="Exactly the same words.")
    refusal = refused(story, body="  exactly the SAME   words. ")
    assert refusal.code == "duplicate"
    assert "already posted this comment" in refusal.message
    assert Comment.objects.count() == 1


def test_same_text_from_another_reader_elsewhere_is_not_a_duplicate(story):
    post(story, body="Exactly the same words.")
    other = post(story, body="Exactly the same words.", name="Jo", email="jo@readers.example", ip_address="203.0.113.9")
    assert other.pk


def test_duplicate_window_ends(story, settings):
    settings.COMMENTS_DUPLICATE_WINDOW = 600
    first = post(story, body="Exactly the same words.")
    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(seconds=601))
    assert post(story, body="Exactly the same words.").pk != first.pk


def test_flood_from_one_address_is_refused_with_a_clear_message(story, settings):
    settings.COMMENTS_FLOOD_LIMIT = 3
    for n in range(3):
        post(story, body=f"Point number {n}", email=f"r{n}@readers.example", name=f"R{n}")
    refusal = refused(story, body="Point number 4", email="r4@readers.example", name="R4")
    assert refusal.code == "flood"
    assert "3 comments in the last minute" in refusal.message
    assert "Wait a minute" in refusal.message


def test_flood_from_one_account_is_refused_whatever_the_address(story, settings):
    settings.COMMENTS_FLOOD_LIMIT = 2
    reader = UserFactory()
    post(story, user=reader, body="one", ip_address="203.0.113.1")
    post(story, user=reader, body="two", ip_address="203.0.113.2")
    assert refused(story, user=reader, body="three", ip_address="203.0.113.3").code == "flood"


def test_flood_counts_only_the_last_minute(story, settings):
    settings.COMMENTS_FLOOD_LIMIT = 1
    first = post(story, body="one")
    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(seconds=61))
    assert post(story, body="two").pk


def test_filled_honeypot_is_refused(story):
    refusal = refused(story, honeypot="Buy cheap watches")
    assert refusal.code == "honeypot"
    assert not Comment.objects.exists()


def test_form_sent_faster_than_a_person_types_is_held_for_a_moderator_with_the_reason(story, trusted, settings):
    settings.COMMENTS_MIN_FILL_SECONDS = 3
    fast = post(story, fill_seconds=0.4, **trusted)
    assert fast.status == "pending"
    assert fast.held_reasons == ["Sent 0.4 s after the form opened (a person takes 3 s or more)"]
    assert fast.body == "The new berth will help the ferry timetable."
    assert post(story, body="Taking my time.", fill_seconds=3.5, **trusted).status == "approved"


@pytest.mark.parametrize("banned", ["email", "account", "address"])
def test_banned_commenters_are_refused(story, banned):
    reader = UserFactory(email="blocked@readers.example")
    if banned == "email":
        BannedCommenter.objects.create(email="Blocked@Readers.example")
        fields = {"email": "blocked@readers.example", "name": "Blocked"}
    elif banned == "account":
        BannedCommenter.objects.create(user=reader)
        fields = {"user": reader}
    else:
        BannedCommenter.objects.create(network="198.51.100.66/32", expires_at=timezone.now() + timedelta(days=7))
        fields = {"ip_address": "198.51.100.66"}
    refusal = refused(story, **fields)
    assert refusal.code == "banned"
    assert "not accepted" in refusal.message or "paused until" in refusal.message


@pytest.mark.parametrize("address", ["2001:db8:5::17", "198.51.100.200", "::ffff:198.51.100.9"])
def test_addresses_inside_a_banned_range_are_refused_with_the_end_of_the_ban(story, address):
    BannedCommenter.objects.create(network="198.51.100.0/24", expires_at=timezone.now() + timedelta(days=3))
    BannedCommenter.objects.create(network="2001:db8:5::/48", expires_at=timezone.now() + timedelta(days=3))
    refusal = refused(story, ip_address=address)
    assert refusal.code == "banned"
    assert "Comments from your network are paused until" in refusal.message


def test_closed_story_refuses_comments(story):
    story.comments = "closed"
    story.save()
    assert refused(story).code == "closed"


def test_story_that_requires_accounts_refuses_guests(story):
    story.comments_require_account = True
    story.save()
    assert refused(story).code == "account_required"
    assert post(story, user=UserFactory()).pk


def test_comment_longer_than_the_limit_is_refused_by_the_service_too(story):
    story.comment_max_length = 250
    story.save()
    assert refused(story, body="x" * 251).code == "too_long"
    assert post(story, body="x" * 250).pk
