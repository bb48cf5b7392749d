"""What a reader sees and does under a story: the form, their own pending comment, approved comments, flags."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import dateformat, timezone

from newsroom.comments import services
from newsroom.comments.models import Comment, CommentFlag
from tests.comments.utils import form_data, post_url, started_token
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    EventFactory,
    ModeratorFactory,
    SectionFactory,
    UserFactory,
    WordRuleFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    return ArticleFactory(headline="Harbour plan approved")


def page(client, story, **params) -> str:
    response = client.get(story.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


def section_of(content: str) -> str:
    start = content.index('<section class="comments"')
    return content[start : content.index("</section>", start)]


# The form.


def test_article_and_event_pages_carry_the_comment_form_and_standards_link(client):
    for story in (ArticleFactory(), EventFactory()):
        content = page(client, story)
        assert f'action="/comments/post/{story.pk}/#comment-form"' in content
        assert 'href="/community-standards/"' in content
        assert "I have read the" in content


def test_limit_defaults_to_the_site_setting(client, story, settings):
    settings.COMMENTS_MAX_LENGTH = 2000
    content = page(client, story)
    assert 'data-max-length="2000"' in content
    assert "Up to 2,000 characters." in content


def test_section_limit_applies_when_the_story_sets_none(client):
    story = ArticleFactory(section=SectionFactory(comment_max_length=500))
    assert 'data-max-length="500"' in page(client, story)


def test_story_limit_wins_over_its_section(client):
    story = ArticleFactory(section=SectionFactory(comment_max_length=500), comment_max_length=250)
    assert "Up to 250 characters." in page(client, story)


def test_too_long_comment_says_by_how_much_and_keeps_the_text(client):
    story = ArticleFactory(comment_max_length=250)
    body = "Harbour " * 40  # 320 characters before trimming
    response = client.post(post_url(story), form_data(story, body=body))
    content = response.content.decode()
    assert response.status_code == 400
    assert "Your comment is 319 characters long and the limit here is 250. Shorten it by 69 characters." in content
    assert body.strip() in html.unescape(content)
    assert not Comment.objects.exists()


def test_missing_fields_each_say_what_is_wrong_and_typed_values_stay(client, story):
    response = client.post(
        post_url(story), form_data(story, body="", name="", email="not-an-email", agree=None, url="javascript:alert(1)")
    )
    content = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "Your comment was not posted." in content
    assert "Write a comment before sending." in content
    assert "Give a name to show with your comment." in content
    assert "Enter an email address such as name@example.org." in content
    assert "Enter a web address such as https://example.org, or leave this empty." in content
    assert "Tick the box to confirm you have read the community standards." in content
    assert 'value="not-an-email"' in content
    assert "<h1" in content and "Harbour plan approved" in content


def test_checked_box_and_typed_comment_survive_another_error(client, story):
    response = client.post(post_url(story), form_data(story, body="My view on the berth", name=""))
    content = response.content.decode()
    assert "My view on the berth</textarea>" in content
    assert 'name="agree" id="id_agree" checked' in content


def test_signed_in_reader_sees_no_name_or_email_fields(client, story):
    client.force_login(UserFactory(first_name="Ana", last_name="Ruiz"))
    content = page(client, story)
    assert "Commenting as <strong><bdi>Ana Ruiz</bdi></strong>" in content
    assert 'name="email"' not in content


def test_story_requiring_accounts_shows_sign_in_instead_of_the_form(client):
    story = ArticleFactory(section=SectionFactory(comments_require_account=True))
    content = page(client, story)
    assert "Sign in to comment" in content
    assert "create an account" in content
    assert 'name="body"' not in content
    response = client.post(post_url(story), form_data(story))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_reader_signs_in_with_their_email_and_comes_back_to_the_form(client):
    story = ArticleFactory(comments_require_account=True)
    reader = UserFactory(username="ana", email="ana@readers.example")
    EmailAddress.objects.create(user=reader, email=reader.email, verified=True, primary=True)
    sign_in = f"/accounts/login/?next={story.get_absolute_url()}%23comment-form"
    assert client.get(sign_in).status_code == 200
    response = client.post(
        sign_in,
        {"login": "ana@readers.example", "password": "correct horse battery staple", "next": story.get_absolute_url()},
    )
    assert response["Location"] == story.get_absolute_url()
    assert 'name="body"' in page(client, story)


def test_the_former_comments_sign_in_address_leads_to_the_readers_sign_in(client):
    response = client.get("/comments/sign-in/?next=/news/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/news/"


def test_closed_story_says_so_and_refuses_posts(client):
    story = ArticleFactory(comments="closed")
    content = page(client, story)
    assert "Comments are closed on this story." in content
    assert 'name="body"' not in content
    client.post(post_url(story), form_data(story))
    assert not Comment.objects.exists()


def test_comments_close_after_the_story_number_of_days(client):
    story = ArticleFactory(
        comments="auto", comments_close_after_days=3, publish_at=timezone.now() - timedelta(days=3, minutes=1)
    )
    assert "Comments closed 3 days after publication." in page(client, story)
    recent = ArticleFactory(comments="auto", comments_close_after_days=3)
    assert "Comments close on" in page(client, recent)


def test_the_closing_day_is_the_local_day_of_the_closing_moment(client, settings):
    settings.TIME_ZONE = "Pacific/Auckland"
    # Published at 14:00 UTC, three days before: comments close at 14:00 UTC, 03:00 the next day in Auckland.
    published = (timezone.now() - timedelta(days=1)).replace(hour=14, minute=0, second=0, microsecond=0)
    story = ArticleFactory(comments="auto", comments_close_after_days=3, publish_at=published)
    closing = timezone.localtime(published + timedelta(days=3), timezone.get_fixed_timezone(0))
    local_day = (closing + timedelta(days=1)).date()

    assert f"Comments close on {local_day.day} {local_day:%B %Y}." in page(client, story)


def test_unpublished_story_takes_no_comments(client):
    draft = ArticleFactory(status="draft", publish_at=None)
    assert client.post(post_url(draft), form_data(draft)).status_code == 404


def test_form_from_another_story_or_a_forged_timestamp_saves_nothing_and_asks_to_confirm(client, story):
    other = ArticleFactory()
    for started in (started_token(other), "forged", ""):
        response = client.post(post_url(story), form_data(story, started=started))
        content = html.unescape(response.content.decode())
        assert "Confirm your comment" in content
        assert "The new berth will help the ferry timetable.</textarea>" in content
        assert not Comment.objects.exists()


def test_refused_comment_shows_the_reason_and_keeps_the_text(client, story):
    response = client.post(post_url(story), form_data(story, subject="Cheap watches"))
    content = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "a field meant to stay empty was filled in" in content
    assert "The new berth will help the ferry timetable." in content


def test_comment_sent_faster_than_a_person_types_waits_for_a_moderator(client, story, settings):
    settings.COMMENTS_MIN_FILL_SECONDS = 5
    response = client.post(post_url(story), form_data(story, started=started_token(story, seconds_ago=1)), follow=True)
    assert "Your comment is awaiting moderation" in response.content.decode()
    assert Comment.objects.get().held_reasons[0].startswith("Sent 1.")


def test_flood_answers_429_with_the_form_kept(client, story, settings):
    settings.COMMENTS_FLOOD_LIMIT = 1
    client.post(post_url(story), form_data(story, body="first"))
    response = client.post(post_url(story), form_data(story, body="second thoughts"))
    assert response.status_code == 429
    content = response.content.decode()
    assert "1 comments in the last minute" in content
    assert "second thoughts</textarea>" in content


# After posting.


def test_reader_sees_their_own_comment_awaiting_moderation_and_nobody_else_does(client, story):
    response = client.post(post_url(story), form_data(story, body="Waiting for a moderator."), follow=True)
    content = response.content.decode()
    comment = Comment.objects.get()
    assert response.redirect_chain[-1][0] == f"{story.get_absolute_url()}#comment-{comment.pk}"
    assert "Your comment is awaiting moderation" in content
    assert "Awaiting moderation</strong>" in content
    assert "Waiting for a moderator." in content
    stranger = page(Client(), story)
    assert "Waiting for a moderator." not in stranger
    assert "No comments yet." in stranger


def test_approved_comment_appears_for_everyone_and_leaves_the_waiting_list(client, story):
    client.post(post_url(story), form_data(story, body="Now approved."))
    services.approve(comments=Comment.objects.all(), moderator=ModeratorFactory())
    for reader in (client, Client()):
        section = section_of(page(reader, story))
        assert "Now approved." in section
        assert "Awaiting moderation" not in section
        assert "1 comment<" in section


def test_trusted_reader_is_told_their_comment_is_published(client, story):
    CommentFactory(story=story, name="Maria Lopes", email="maria@readers.example")
    response = client.post(post_url(story), form_data(story, body="Second thoughts."), follow=True)
    assert "Your comment is published." in response.content.decode()


def test_approved_comments_show_oldest_first_with_name_time_and_permalink(client, story):
    newer = CommentFactory(story=story, name="Second Reader", body="Second.")
    older = CommentFactory(story=story, name="First Reader", body="First.")
    Comment.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(hours=2))
    CommentFactory(story=story, body="Hidden pending.", status="pending")
    CommentFactory(story=story, body="Hidden spam.", status="spam")
    section = section_of(page(client, story))
    assert section.index("First.") < section.index("Second.")
    assert "Hidden" not in section
    assert f'id="comment-{newer.pk}"' in section
    assert f'href="/comments/{older.pk}/"' in section
    assert "<bdi>First Reader</bdi>" in section
    assert "<time datetime=" in section


def test_permalink_leads_to_the_right_page_of_comments(client, story, settings):
    settings.COMMENTS_PER_PAGE = 2
    comments = [CommentFactory(story=story) for _ in range(5)]
    first = f"{story.get_absolute_url()}#comment-{comments[0].pk}"
    assert client.get(f"/comments/{comments[0].pk}/")["Location"] == first
    expected = f"{story.get_absolute_url()}?cpage=3#comment-{comments[4].pk}"
    assert client.get(f"/comments/{comments[4].pk}/")["Location"] == expected
    assert "Comments page 3 of 3" in page(client, story, cpage=3)


def test_permalink_of_a_pending_or_rejected_comment_is_404_for_strangers(client, story):
    for status in ("pending", "rejected", "spam"):
        comment = CommentFactory(story=story, status=status)
        assert client.get(f"/comments/{comment.pk}/").status_code == 404


def test_nonsense_comment_page_numbers_do_not_break_the_page(client, story):
    CommentFactory(story=story)
    for value in ("abc", "-1", "9999", "1e9"):
        assert client.get(story.get_absolute_url(), {"cpage": value}).status_code == 200


def test_comment_body_is_escaped_with_paragraphs_and_safe_links(client, story):
    CommentFactory(
        story=story,
        body="<b>bold?</b> See https://example.org/a?b=1&c=2.\n\nSecond para <script>alert(1)</script>\nline two",
        url="javascript:alert(1)",
    )
    section = section_of(page(client, story))
    assert "<b>bold?</b>" not in section
    assert "&lt;b&gt;bold?&lt;/b&gt;" in section
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section
    assert (
        '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">https://example.org/a?b=1&amp;c=2</a>.'
        in section
    )
    assert section.count('<p dir="auto">') == 2
    assert "<br>line two" in section
    assert "javascript:" not in section


def test_listed_comment_shows_its_escaped_name_local_time_permalink_and_flag_link(client, story):
    comment = CommentFactory(story=story, name="<b>Ann & Bo</b>", body="Fine.")
    # Posted at 12:05 UTC in July: 13:05 in London, summer time.
    Comment.objects.filter(pk=comment.pk).update(created_at=datetime(2024, 7, 1, 12, 5, 9, tzinfo=UTC))
    section = section_of(page(client, story))
    name = "&lt;b&gt;Ann &amp; Bo&lt;/b&gt;"
    assert (
        f'<li><article class="comment" id="comment-{comment.pk}">\n'
        '  <header class="comment__meta">\n'
        f'    <span class="comment__author"><bdi>{name}</bdi></span>\n'
        f'    <a class="comment__permalink" href="/comments/{comment.pk}/" title="Link to this comment">'
        '<time datetime="2024-07-01T13:05:09+0100">1 July 2024, 13:05</time></a>\n'
        "    \n"
        "  </header>\n"
        '  <div class="comment__body"><p dir="auto">Fine.</p></div>\n'
        f'  <p class="comment__actions"><a href="/comments/{comment.pk}/flag/" rel="nofollow">Flag'
        f'<span class="visually-hidden"> the comment by <bdi>{name}</bdi></span></a></p>\n'
        "</article>\n</li>"
    ) in section
    assert "<b>Ann" not in section
    assert client.get(f"/comments/{comment.pk}/flag/").status_code == 200


@pytest.mark.parametrize(
    "posted",
    [
        datetime(2024, 1, 15, 23, 59, 59, tzinfo=UTC),
        # 01:30 in London happens twice that night: the date filter leaves out the offset it cannot tell.
        datetime(2024, 10, 27, 0, 30, tzinfo=UTC),
        datetime(2024, 10, 27, 1, 30, tzinfo=UTC),
    ],
)
def test_listed_comment_time_reads_as_the_date_filter_writes_it(client, story, posted):
    comment = CommentFactory(story=story)
    Comment.objects.filter(pk=comment.pk).update(created_at=posted)
    local = timezone.localtime(posted)
    machine, shown = dateformat.format(local, "Y-m-d\\TH:i:sO"), dateformat.format(local, "j F Y, H:i")
    assert f'<time datetime="{machine}">{shown}</time>' in section_of(page(client, story))


def test_commenter_website_links_the_name_only_when_it_is_a_web_address(client, story):
    CommentFactory(story=story, name="Has Site", url="https://maria.example/")
    CommentFactory(story=story, name="Bad Site", url="data:text/html,<script>alert(1)</script>")
    section = section_of(page(client, story))
    assert '<a href="https://maria.example/" rel="nofollow ugc noopener"><bdi>Has Site</bdi></a>' in section
    assert "data:text" not in section


# Flags.


def test_reader_flags_a_comment_with_a_reason(client, story):
    comment = CommentFactory(story=story)
    assert "What is wrong with this comment?" in client.get(f"/comments/{comment.pk}/flag/").content.decode()
    response = client.post(f"/comments/{comment.pk}/flag/", {"reason": "abuse"}, follow=True)
    assert "A moderator will look at this comment." in response.content.decode()
    flag = CommentFlag.objects.get()
    assert (flag.reason, flag.ip_address) == ("abuse", "127.0.0.1")
    comment.refresh_from_db()
    assert (comment.flag_count, comment.status) == (1, "approved")


def test_flag_without_a_reason_says_so(client, story):
    comment = CommentFactory(story=story)
    response = client.post(f"/comments/{comment.pk}/flag/", {})
    assert response.status_code == 400
    assert "Choose what is wrong with this comment." in response.content.decode()


def test_one_reader_flagging_twice_counts_once(client, story):
    comment = CommentFactory(story=story)
    client.post(f"/comments/{comment.pk}/flag/", {"reason": "spam"})
    response = client.post(f"/comments/{comment.pk}/flag/", {"reason": "spam"}, follow=True)
    assert "You have already flagged this comment." in response.content.decode()
    comment.refresh_from_db()
    assert comment.flag_count == 1


def test_enough_flags_send_a_comment_back_to_the_queue_and_off_the_page(client, story, settings):
    settings.COMMENTS_FLAGS_TO_HIDE = 2
    comment = CommentFactory(story=story, body="Rude remark.")
    services.flag_comment(comment=comment, reason="abuse", ip_address="203.0.113.1")
    assert "Rude remark." in page(client, story)
    response = client.post(f"/comments/{comment.pk}/flag/", {"reason": "spam"}, follow=True)
    content = response.content.decode()
    assert "The comment is hidden until a moderator has looked at it." in content
    assert "Rude remark." not in content
    comment.refresh_from_db()
    assert comment.status == "pending"
    assert comment.held_reasons == ["Flagged by 2 readers: abusive or hateful, spam or advertising"]


def test_moderator_approval_after_flags_resets_the_count(story, settings):
    settings.COMMENTS_FLAGS_TO_HIDE = 1
    comment = CommentFactory(story=story)
    services.flag_comment(comment=comment, reason="abuse", ip_address="203.0.113.1")
    services.approve(comments=[comment], moderator=ModeratorFactory())
    comment.refresh_from_db()
    assert (comment.status, comment.flag_count) == ("approved", 0)


def test_only_approved_comments_can_be_flagged(client, story):
    comment = CommentFactory(story=story, status="pending")
    assert client.post(f"/comments/{comment.pk}/flag/", {"reason": "spam"}).status_code == 404


# Community standards.


def test_community_standards_page_explains_the_rules(client, settings):
    settings.COMMENTS_MAX_LINKS = 2
    content = client.get("/community-standards/").content.decode()
    assert "<h1>Community standards</h1>" in content
    assert "more than 2 links" in content


# Cost.


def _story_page_queries(client, story) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(story.get_absolute_url()).status_code == 200
    return len(queries)


@pytest.mark.parametrize("factory", [ArticleFactory, EventFactory])
def test_story_page_runs_the_same_queries_with_2_or_40_comments(client, factory):
    story = factory()
    client.get("/")
    for _ in range(2):
        CommentFactory(story=story)
    few = _story_page_queries(client, story)
    for _ in range(38):
        CommentFactory(story=story)
    many = _story_page_queries(client, story)
    assert few == many


def test_reader_with_pending_comments_costs_one_query_more_whatever_their_number(client, story, settings):
    settings.COMMENTS_FLOOD_LIMIT = 100
    client.get("/")
    for n in range(2):
        client.post(post_url(story), form_data(story, body=f"mine {n}", email=f"m{n}@readers.example"))
    two = _story_page_queries(client, story)
    for n in range(2, 6):
        client.post(post_url(story), form_data(story, body=f"mine {n}", email=f"m{n}@readers.example"))
    six = _story_page_queries(client, story)
    assert two == six
    assert len(re.findall("Awaiting moderation</strong>", page(client, story))) == 6


def test_many_comments_are_paginated(client, story, settings):
    settings.COMMENTS_PER_PAGE = 50
    for n in range(55):
        CommentFactory(story=story, body=f"Comment body {n:02d}.")
    first = section_of(page(client, story))
    assert "55 comments" in first
    assert first.count('class="comment"') == 50
    assert "Later comments" in first
    second = section_of(page(client, story, cpage=2))
    assert second.count('class="comment"') == 5
    assert "Earlier comments" in second


def test_spam_sender_is_shown_their_comment_as_waiting_like_anyone_else(client, story):
    WordRuleFactory(phrase="cheap pills", action="spam")
    response = client.post(post_url(story), form_data(story, body="cheap pills for all"), follow=True)
    content = response.content.decode()
    assert Comment.objects.get().status == "spam"
    assert "Your comment is awaiting moderation" in content
    assert "cheap pills for all" in section_of(content)
    assert "cheap pills for all" not in page(Client(), story)


def test_comment_section_reads_its_comments_in_one_query(client, story):
    for _ in range(3):
        CommentFactory(story=story)
    with CaptureQueriesContext(connection) as queries:
        client.get(story.get_absolute_url())
    assert len(_comment_reads(queries)) == 1


def _comment_reads(queries) -> list[str]:
    """Statements that read comments themselves (the story's query only asks whether any is approved)."""
    return [q["sql"] for q in queries if q["sql"].startswith('SELECT "comments_comment".')]


def test_sign_in_page_keeps_the_newsroom_name_in_the_masthead(client, settings):
    settings.DATELINE_SITE_NAME = "Harbour Herald"
    content = client.get("/accounts/login/").content.decode()
    assert '<a class="masthead__name" href="/">Harbour Herald</a>' in content


def test_whole_page_cache_shows_an_approved_comment_at_once(
    client, story, settings, django_capture_on_commit_callbacks
):
    settings.DATELINE_PAGE_CACHE = True
    comment = CommentFactory(story=story, status="pending", body="Cached page test.")
    reader = Client()
    assert "Cached page test." not in page(reader, story)
    assert "Cached page test." not in page(reader, story)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(comments=[comment], moderator=ModeratorFactory())
    assert "Cached page test." in page(reader, story)


def _counts_thread(queries) -> bool:
    return any("COUNT(" in query["sql"].upper() and "comments_comment" in query["sql"] for query in queries)


def test_long_thread_count_survives_other_stories_and_changes_with_its_own_comments(
    client, story, settings, django_capture_on_commit_callbacks
):
    settings.DATELINE_PAGE_CACHE = True
    settings.COMMENTS_PER_PAGE = 3
    moderator = ModeratorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(4):
            CommentFactory(story=story, body=f"Comment body {n}.")
        waiting = CommentFactory(story=story, status="pending", body="Held for a moderator.")
    assert "4 comments" in section_of(page(client, story))

    # Another story published: the site version moves on, but this thread is not counted again.
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(headline="Elsewhere on the site")
    with CaptureQueriesContext(connection) as queries:
        assert "4 comments" in section_of(page(client, story))
    assert not _counts_thread(queries)

    # One of its own comments approved, then one deleted: the count follows at once.
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(comments=[waiting], moderator=moderator)
    assert "5 comments" in section_of(page(client, story))
    with django_capture_on_commit_callbacks(execute=True):
        Comment.objects.filter(story=story).first().delete()
    assert "4 comments" in section_of(page(client, story))


def test_story_without_approved_comments_reads_none_and_shows_one_once_approved(client, story):
    held = CommentFactory(story=story, status="pending", body="Held back for now.")
    CommentFactory(story=story, status="rejected", body="Never shown.")
    with CaptureQueriesContext(connection) as queries:
        html = page(client, story)
    # The story's own query reads the thread's kept size; no statement reads the comments.
    assert _comment_reads(queries) == []
    assert any("comments_threadcount" in q["sql"] for q in queries)
    assert "Held back for now." not in html and "Never shown." not in html
    assert 'class="comment"' not in section_of(html)
    services.approve(comments=[held], moderator=ModeratorFactory())
    shown = section_of(page(Client(), story))
    assert "Held back for now." in shown and "1 comment" in shown


def test_a_french_story_pages_comments_read_in_french_with_their_count_and_pages(client, settings):
    settings.LANGUAGE_CODE = "fr"
    settings.COMMENTS_PER_PAGE = 2
    story = EventFactory(summary="Une tempête ferme la route côtière.")
    for number in range(3):
        CommentFactory(story=story, body=f"Avis numéro {number}.")

    section = section_of(page(client, story))

    assert '<h2 id="comments-heading" class="comments__heading">3 commentaires</h2>' in section
    assert 'Lisez la <a href="/community-standards/">charte de la communauté</a>' in section
    assert f'action="/comments/post/{story.pk}/#comment-form"' in section
    assert "Commentaires, page 1 sur 2" in section
    assert 'href="?cpage=2#comments">Commentaires suivants →</a>' in section
