"""The moderation queue in the admin, as a moderator uses it."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsroom.comments import services
from newsroom.comments.models import BannedCommenter, Comment, WordRule
from newsroom.comments.permissions import MODERATOR_GROUP
from newsroom.comments.rules import CommentRefused
from tests.factories import ArticleFactory, CommentFactory, EventFactory, ModeratorFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "/admin/comments/comment/"


@pytest.fixture
def moderator(client):
    user = ModeratorFactory(username="mod", email="mod@dateline.example")
    client.force_login(user)
    return user


def decide(client, comment, decision, **extra):
    return client.post(f"{QUEUE}{comment.pk}/decide/{decision}/", **extra)


def rows(content: str) -> list[str]:
    return re.findall(r"<tr[^>]*>.*?</tr>", content.split("<tbody>", 1)[1], flags=re.S) if "<tbody>" in content else []


def test_moderator_group_has_exactly_the_moderator_permissions():
    group = Group.objects.get(name=MODERATOR_GROUP)
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
    assert granted == {
        "comments.view_comment",
        "comments.change_comment",
        "comments.view_commentflag",
        "comments.view_wordrule",
        "comments.add_wordrule",
        "comments.change_wordrule",
        "comments.delete_wordrule",
        "comments.view_bannedcommenter",
        "comments.add_bannedcommenter",
        "comments.change_bannedcommenter",
        "comments.delete_bannedcommenter",
        "newsroom.view_story",
        "newsroom.view_article",
        "events.view_event",
    }


def test_queue_opens_on_pending_comments_only(client, moderator):
    CommentFactory(body="Already approved text")
    CommentFactory(body="Waiting text", status="pending", held_reason="First comment from this commenter")
    content = client.get(QUEUE).content.decode()
    assert "Waiting text" in content
    assert "Already approved text" not in content
    assert "<strong>1</strong> comment awaiting moderation." in content


def test_all_statuses_view_puts_pending_first(client, moderator):
    CommentFactory(body="Approved newest")
    pending = CommentFactory(body="Pending oldest", status="pending")
    Comment.objects.filter(pk=pending.pk).update(created_at=timezone.now() - timedelta(days=3))
    content = client.get(QUEUE, {"status": "all"}).content.decode()
    assert content.index("Pending oldest") < content.index("Approved newest")


def test_queue_row_shows_story_commenter_history_reason_and_escaped_text(client, moderator):
    story = ArticleFactory(headline="Harbour plan approved")
    for status in ("approved", "approved", "rejected"):
        CommentFactory(story=story, name="Maria Lopes", email="maria@readers.example", status=status)
    CommentFactory(
        story=story,
        name="Maria Lopes",
        email="maria@readers.example",
        status="pending",
        body="<img src=x onerror=alert(1)> see https://a.example https://b.example https://c.example",
        held_reason="3 links (more than 2)\nWord list: contains “casino”",
    )
    content = client.get(QUEUE).content.decode()
    [row] = rows(content)
    assert "Harbour plan approved" in row
    assert "Maria Lopes" in row and "maria@readers.example" in row
    assert '<span class="comment-history">2 approved</span> · <span class="comment-history">1 rejected</span>' in row
    assert "<li>3 links (more than 2)</li><li>Word list: contains “casino”</li>" in row
    assert "&lt;img src=x onerror=alert(1)&gt;" in row
    assert "<img src=x" not in row
    for label in ("Approve", "Reject", "Spam", "Ban"):
        assert f">{label}</button>" in row


@pytest.mark.parametrize(
    "query", ["", "?status=flagged", "?status=approved", "?status=all", "?o=6", "?status=spam&o=-7"]
)
def test_queue_costs_the_same_queries_with_3_or_30_comments(client, moderator, query):
    story = ArticleFactory()

    def add(count):
        # ``count`` comments of each status, from a handful of commenters, the pending and spam ones flagged.
        for _ in range(count):
            number = Comment.objects.count()
            for status, flags in (("pending", 1), ("approved", 0), ("spam", 2)):
                CommentFactory(
                    story=story, status=status, email=f"reader{number % 7}@readers.example", flag_count=flags
                )

    def cost():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(QUEUE + query).status_code == 200
        return len(queries)

    add(3)
    few = cost()
    add(27)
    assert Comment.objects.filter(status="pending").count() == 30
    assert cost() == few


def test_commenter_history_shows_on_later_pages_of_the_queue_too(client, moderator):
    for _ in range(2):
        CommentFactory(name="Maria Lopes", email="maria@readers.example", status="approved")
    maria = CommentFactory(name="Maria Lopes", email="maria@readers.example", status="pending")
    Comment.objects.filter(pk=maria.pk).update(created_at=timezone.now() - timedelta(days=1))
    CommentFactory.create_batch(50, status="pending")

    second_page = client.get(QUEUE, {"p": "2"}).content.decode()

    [row] = rows(second_page)
    assert "Maria Lopes" in row
    assert '<span class="comment-history">2 approved</span> · <span class="comment-history">0 rejected</span>' in row


def test_queue_tabs_sort_by_time_posted_and_the_all_tab_keeps_pending_first(client, moderator):
    older = CommentFactory(body="Older pending", status="pending")
    Comment.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=2))
    CommentFactory(body="Newer pending", status="pending")
    CommentFactory(body="Newest approved")

    queue = client.get(QUEUE).content.decode()
    oldest_first = client.get(QUEUE, {"o": "6"}).content.decode()
    everything = client.get(QUEUE, {"status": "all", "o": "7"}).content.decode()

    assert re.findall(r'<th scope="col" class="sortable column-(\w+)', queue) == ["posted"]
    assert queue.index("Newer pending") < queue.index("Older pending")
    assert oldest_first.index("Older pending") < oldest_first.index("Newer pending")
    assert "sortable" not in everything.split("<tbody>")[0].split('id="result_list"')[1]
    assert everything.index("Older pending") < everything.index("Newest approved")
    assert "Show counts" not in queue


def test_one_click_approve_records_who_and_when_and_returns_to_the_queue(client, moderator):
    comment = CommentFactory(status="pending")
    referer = f"http://testserver{QUEUE}?status=pending&p=1"
    response = decide(client, comment, "approve", HTTP_REFERER=referer)
    assert response.status_code == 302
    assert response["Location"] == referer
    comment.refresh_from_db()
    assert comment.status == "approved"
    assert comment.moderated_by == moderator
    assert timezone.now() - comment.moderated_at < timedelta(minutes=1)
    assert "Approved: the comment by" in client.get(QUEUE).content.decode()


@pytest.mark.parametrize(("decision", "status"), [("reject", "rejected"), ("spam", "spam")])
def test_one_click_reject_and_spam(client, moderator, decision, status):
    comment = CommentFactory(status="pending")
    decide(client, comment, decision)
    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by) == (status, moderator)


def test_one_click_ban_refuses_the_commenter_and_rejects_what_waits(client, moderator):
    story = ArticleFactory()
    comment = CommentFactory(story=story, status="pending", email="troll@readers.example", ip_address="203.0.113.5")
    other = CommentFactory(story=story, status="pending", email="troll@readers.example", ip_address="203.0.113.6")
    decide(client, comment, "ban")
    ban = BannedCommenter.objects.get()
    assert (ban.email, ban.ip_address, ban.banned_by) == ("troll@readers.example", "203.0.113.5", moderator)
    assert set(Comment.objects.values_list("status", flat=True)) == {"rejected"}
    other.refresh_from_db()
    assert other.moderated_by == moderator
    with pytest.raises(CommentRefused):
        services.post_comment(story=story, body="I am back", name="Troll", email="troll@readers.example")


def test_decisions_refuse_get_and_unknown_decisions(client, moderator):
    comment = CommentFactory(status="pending")
    assert client.get(f"{QUEUE}{comment.pk}/decide/approve/").status_code == 405
    assert decide(client, comment, "delete-everything").status_code == 404
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_decisions_need_the_csrf_token():
    comment = CommentFactory(status="pending")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ModeratorFactory())
    assert decide(browser, comment, "approve").status_code == 403
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_staff_without_comment_permissions_get_403(client):
    client.force_login(UserFactory(is_staff=True))
    comment = CommentFactory(status="pending")
    assert client.get(QUEUE).status_code == 403
    assert decide(client, comment, "approve").status_code == 403
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_readers_who_are_not_staff_are_sent_to_log_in(client):
    client.force_login(UserFactory())
    comment = CommentFactory(status="pending")
    assert decide(client, comment, "approve").status_code == 302
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_view_only_staff_see_the_queue_without_decision_buttons(client):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(viewer)
    comment = CommentFactory(status="pending")
    content = client.get(QUEUE).content.decode()
    assert "comment-decision" not in content
    assert decide(client, comment, "approve").status_code == 403


@pytest.mark.parametrize(
    ("action", "status"),
    [("approve_selected", "approved"), ("reject_selected", "rejected"), ("spam_selected", "spam")],
)
def test_bulk_decisions(client, moderator, action, status):
    chosen = [CommentFactory(status="pending") for _ in range(3)]
    untouched = CommentFactory(status="pending")
    client.post(QUEUE, {"action": action, "_selected_action": [c.pk for c in chosen]})
    assert set(Comment.objects.filter(pk__in=[c.pk for c in chosen]).values_list("status", "moderated_by")) == {
        (status, moderator.pk)
    }
    untouched.refresh_from_db()
    assert untouched.status == "pending"


def test_bulk_ban(client, moderator):
    chosen = [CommentFactory(status="pending", email=f"spammer{n}@readers.example") for n in range(2)]
    client.post(QUEUE, {"action": "ban_selected", "_selected_action": [c.pk for c in chosen]})
    assert set(BannedCommenter.objects.values_list("email", flat=True)) == {
        "spammer0@readers.example",
        "spammer1@readers.example",
    }


def test_change_page_shows_the_comment_escaped_with_decision_buttons(client, moderator):
    comment = CommentFactory(status="pending", body="<script>alert('x')</script>\nSecond line", url="javascript:x")
    content = client.get(f"{QUEUE}{comment.pk}/change/").content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in content
    assert "<script>alert(" not in content
    assert f'formaction="{QUEUE}{comment.pk}/decide/approve/"' in content
    assert 'name="_save"' not in content


def test_moderator_edits_the_word_list_and_a_near_duplicate_gets_a_message(client, moderator):
    response = client.post("/admin/comments/wordrule/add/", {"phrase": "  Ferry   CARTEL ", "action": "hold"})
    assert response.status_code == 302
    assert WordRule.objects.filter(phrase="ferry cartel").exists()
    again = client.post("/admin/comments/wordrule/add/", {"phrase": "ferry cartel", "action": "spam"})
    assert again.status_code == 200
    assert "already exists" in html.unescape(again.content.decode())


def test_a_ban_must_name_someone(client, moderator):
    response = client.post("/admin/comments/bannedcommenter/add/", {"reason": "nothing"})
    assert response.status_code == 200
    assert "Give an email, an account or an address to ban." in response.content.decode()
    client.post("/admin/comments/bannedcommenter/add/", {"email": "Loud@Readers.example", "reason": "abuse"})
    ban = BannedCommenter.objects.get()
    assert (ban.email, ban.banned_by) == ("loud@readers.example", moderator)


def test_moderator_may_read_stories_but_not_change_them(moderator):
    assert moderator.has_perm("newsroom.view_article")
    assert moderator.has_perm("events.view_event")
    assert not moderator.has_perm("newsroom.change_article")
    assert not moderator.has_perm("comments.delete_comment")


def test_demo_moderator_can_log_in_and_open_the_queue(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a-demo-password-123")
    user = services.ensure_demo_moderator()
    assert services.ensure_demo_moderator().pk == user.pk
    assert user.groups.filter(name=MODERATOR_GROUP).exists()
    browser = Client()
    assert browser.login(username="moderator", password="a-demo-password-123")
    assert browser.get(QUEUE).status_code == 200


def test_dashboard_gets_the_pending_count_from_a_tag_and_the_service():
    CommentFactory(status="pending", story=EventFactory())
    CommentFactory(status="pending")
    CommentFactory(status="approved")
    assert services.pending_comment_count() == 2
    assert Template("{% load moderation %}{% pending_comment_count %}").render(Context()) == "2"


def test_queue_search_finds_text_and_exact_addresses(client, moderator):
    CommentFactory(status="pending", body="About the ferry", ip_address="203.0.113.9")
    CommentFactory(status="pending", body="About the bridge", ip_address="198.51.100.1")
    by_word = client.get(QUEUE, {"q": "ferry"}).content.decode()
    assert "About the ferry" in by_word and "About the bridge" not in by_word
    by_address = client.get(QUEUE, {"q": "198.51.100.1"}).content.decode()
    assert "About the bridge" in by_address and "About the ferry" not in by_address
    assert client.get("/admin/comments/bannedcommenter/", {"q": "not an address"}).status_code == 200


def test_queue_search_finds_part_of_a_text_name_address_or_story_title_in_any_case(client, moderator):
    lagoon = ArticleFactory(headline="Tidal lagoon approved")
    CommentFactory(status="pending", body="Cheap pills at PillShop-example.net today")
    CommentFactory(status="pending", body="Kind words from Marguerite", name="Marguerite Okafor")
    CommentFactory(status="pending", body="Kites over the dunes", email="kites@coastmail.example")
    CommentFactory(status="pending", body="The sluice gates worry me", story=lagoon)
    CommentFactory(status="approved", body="A reply about the sluice gates", story=lagoon)
    bodies = {
        "Cheap pills at PillShop-example.net today",
        "Kind words from Marguerite",
        "Kites over the dunes",
        "The sluice gates worry me",
        "A reply about the sluice gates",
    }

    def found(q: str) -> set[str]:
        page = html.unescape(client.get(QUEUE, {"q": q, "status": "all"}).content.decode())
        return {body for body in bodies if body in page}

    assert found("pillshop") == {"Cheap pills at PillShop-example.net today"}
    assert found("OKAF") == {"Kind words from Marguerite"}
    assert found("coastmail") == {"Kites over the dunes"}
    assert found("lagoon") == {"The sluice gates worry me", "A reply about the sluice gates"}
    # Every word must match somewhere, and a quoted phrase is one word.
    assert found("lagoon worry") == {"The sluice gates worry me"}
    assert found('"gates worry"') == {"The sluice gates worry me"}
    assert found("lagoon dunes") == set()
    # Words too short for the index are still found, by reading the comments.
    assert found("pills at") == {"Cheap pills at PillShop-example.net today"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram indexes are PostgreSQL's")
def test_queue_search_matches_story_titles_by_id_so_each_word_stays_on_the_comment_row(client, moderator):
    lagoon = ArticleFactory(headline="Tidal lagoon approved")
    CommentFactory(status="pending", body="The sluice gates worry me", story=lagoon)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(QUEUE, {"q": "lagoon"}).content.decode()
    assert "The sluice gates worry me" in page
    comment_queries = [q["sql"] for q in queries if 'FROM "comments_comment"' in q["sql"]]
    assert comment_queries
    # The titles were looked up on their own; the comment list compares only its own columns.
    assert not [sql for sql in comment_queries if 'UPPER("newsroom_story"."title"' in sql]
    assert any(f'"comments_comment"."story_id" IN ({lagoon.pk})' in sql for sql in comment_queries)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram indexes are PostgreSQL's")
def test_the_searched_columns_have_valid_trigram_indexes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, i.indisvalid, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE %s",
            ["%_trgm"],
        )
        found = {name: (valid, definition) for name, valid, definition in cursor.fetchall()}
    assert sorted(found) == ["comment_body_trgm", "comment_email_trgm", "comment_name_trgm", "story_title_trgm"]
    for valid, definition in found.values():
        # Built concurrently, an index that failed half-way would be left invalid and unused.
        assert valid
        assert "gin_trgm_ops" in definition and "upper(" in definition


def test_each_decision_is_announced_as_a_saved_comment(moderator):
    from django.db.models.signals import post_save

    heard = []

    def listener(sender, instance, update_fields=None, **kwargs):
        heard.append((instance.pk, instance.status, sorted(update_fields or [])))

    comments = [CommentFactory(status="pending") for _ in range(2)]
    post_save.connect(listener, sender=Comment)
    try:
        assert services.approve(comments=comments, moderator=moderator) == 2
    finally:
        post_save.disconnect(listener, sender=Comment)
    assert heard == [
        (comments[0].pk, "approved", ["flag_count", "moderated_at", "moderated_by", "status"]),
        (comments[1].pk, "approved", ["flag_count", "moderated_at", "moderated_by", "status"]),
    ]
