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
    for label in ("Approve", "Reject", "Spam", "Ban commenter"):
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
    assert (ban.email, ban.network, ban.expires_at, ban.banned_by) == ("troll@readers.example", "", None, moderator)
    assert set(Comment.objects.values_list("status", flat=True)) == {"rejected"}
    other.refresh_from_db()
    assert other.moderated_by == moderator
    with pytest.raises(CommentRefused):
        services.post_comment(story=story, body="I am back", name="Troll", email="troll@readers.example")


def test_banning_a_commenter_leaves_others_on_the_same_address_free_to_comment(client, moderator):
    story = ArticleFactory()
    comment = CommentFactory(story=story, status="pending", email="troll@readers.example", ip_address="203.0.113.5")
    response = decide(client, comment, "ban", follow=True)
    assert "Their network is not banned." in response.content.decode()
    colleague = services.post_comment(
        story=story,
        body="A fair point about the harbour.",
        name="Colleague",
        email="colleague@office.example",
        ip_address="203.0.113.5",
    )
    assert colleague.pk


def test_banning_a_signed_in_commenter_bans_the_account(client, moderator):
    reader = UserFactory(username="loud-reader", email="loud@readers.example")
    comment = CommentFactory(status="pending", user=reader, email=reader.email, ip_address="203.0.113.5")
    decide(client, comment, "ban")
    ban = BannedCommenter.objects.get()
    assert (ban.user, ban.email, ban.network) == (reader, "", "")


def test_a_guest_without_email_cannot_be_banned_in_one_click(client, moderator):
    comment = CommentFactory(status="pending", email="", ip_address="203.0.113.5")
    row = rows(client.get(QUEUE).content.decode())[0]
    assert ">Ban commenter</button>" not in row
    assert "Ban network…</a>" in row
    response = decide(client, comment, "ban", follow=True)
    assert "only their network can be banned" in response.content.decode()
    assert not BannedCommenter.objects.exists()


def ban_network_page(comment) -> str:
    return f"{QUEUE}{comment.pk}/ban-network/"


def test_banning_a_network_asks_for_confirmation_and_shows_who_shares_it(client, moderator):
    story = ArticleFactory()
    for n in range(3):
        CommentFactory(story=story, email=f"staff{n}@office.example", ip_address="203.0.113.5")
    comment = CommentFactory(story=story, status="pending", email="troll@readers.example", ip_address="203.0.113.5")
    row = rows(client.get(QUEUE).content.decode())[0]
    assert f'href="{ban_network_page(comment)}"' in row
    page = client.get(ban_network_page(comment))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Many readers can share one address" in content
    assert "<strong>4</strong> comments from <strong>4</strong> different commenters" in content
    assert 'value="203.0.113.5"' in content and 'value="7"' in content
    assert not BannedCommenter.objects.exists()


def test_confirmed_network_ban_ends_after_the_chosen_days_and_rejects_only_that_comment(client, moderator):
    story = ArticleFactory()
    comment = CommentFactory(story=story, status="pending", email="troll@readers.example", ip_address="203.0.113.5")
    neighbour = CommentFactory(story=story, status="pending", email="n@office.example", ip_address="203.0.113.5")
    response = client.post(ban_network_page(comment), {"network": "203.0.113.0/24", "days": "7", "reason": "abuse"})
    assert response.status_code == 302
    ban = BannedCommenter.objects.get()
    assert (ban.network, ban.email, ban.user, ban.banned_by) == ("203.0.113.0/24", "", None, moderator)
    assert timedelta(days=6, hours=23) < ban.expires_at - timezone.now() <= timedelta(days=7)
    comment.refresh_from_db()
    neighbour.refresh_from_db()
    assert (comment.status, neighbour.status) == ("rejected", "pending")
    with pytest.raises(CommentRefused, match="network"):
        services.post_comment(story=story, body="Hello", name="Other", email="o@x.example", ip_address="203.0.113.77")
    assert services.post_comment(story=story, body="Hello", name="Far", email="f@x.example", ip_address="203.0.114.1")


def test_network_ban_form_explains_bad_input_and_keeps_it(client, moderator):
    comment = CommentFactory(status="pending", ip_address="203.0.113.5")
    for data, message in (
        ({"network": "not-an-address", "days": "7"}, "is not an address or a range"),
        ({"network": "10.0.0.0/8", "days": "7"}, "holds too many readers"),
        ({"network": "203.0.113.5", "days": "0"}, "A ban lasts at least one day."),
        ({"network": "203.0.113.5", "days": "9999"}, "at most 365 days"),
        ({"network": "203.0.113.5", "days": "soon"}, "Give a whole number of days."),
    ):
        response = client.post(ban_network_page(comment), data)
        assert response.status_code == 400
        content = html.unescape(response.content.decode())
        assert message in content
        assert f'value="{data["network"]}"' in content
    assert not BannedCommenter.objects.exists()


def test_network_bans_lift_by_themselves():
    story = ArticleFactory()
    BannedCommenter.objects.create(network="198.51.100.66/32", expires_at=timezone.now() - timedelta(minutes=1))
    assert services.post_comment(
        story=story, body="Back again", name="R", email="r@x.example", ip_address="198.51.100.66"
    )


def test_network_ban_needs_the_ban_permission(client, moderator):
    comment = CommentFactory(status="pending", ip_address="203.0.113.5")
    moderator.groups.clear()
    moderator.user_permissions.add(*Permission.objects.filter(codename__in=["view_comment", "change_comment"]))
    assert client.get(ban_network_page(comment)).status_code == 403
    assert client.post(ban_network_page(comment), {"network": "203.0.113.5", "days": "7"}).status_code == 403
    assert not BannedCommenter.objects.exists()


def test_flagged_comments_are_marked_in_the_queue_and_have_their_own_tab(client, moderator):
    flagged = CommentFactory(status="approved", body="Flagged but still shown")
    Comment.objects.filter(pk=flagged.pk).update(flag_count=2)
    hidden = CommentFactory(status="pending", body="Hidden by flags", held_reason="Flagged by 3 readers: spam")
    Comment.objects.filter(pk=hidden.pk).update(flag_count=3)
    CommentFactory(status="pending", body="Never flagged")
    dealt_with = CommentFactory(status="rejected", body="Rejected after flags")
    Comment.objects.filter(pk=dealt_with.pk).update(flag_count=4)
    queue = client.get(QUEUE).content.decode()
    [hidden_row] = [row for row in rows(queue) if "Hidden by flags" in row]
    assert "Flagged by readers (3)" in hidden_row
    [plain_row] = [row for row in rows(queue) if "Never flagged" in row]
    assert "Flagged by readers" not in plain_row
    assert "Flagged by readers (2)</a>" in queue
    tab = client.get(QUEUE, {"status": "flagged"}).content.decode()
    assert "Flagged but still shown" in tab and "Hidden by flags" in tab
    assert "Never flagged" not in tab and "Rejected after flags" not in tab


def test_flags_are_counted_on_the_dashboard(client, moderator):
    flagged = CommentFactory(status="approved")
    Comment.objects.filter(pk=flagged.pk).update(flag_count=1)
    CommentFactory(status="approved")
    assert services.flagged_comment_count() == 1
    assert Template("{% load moderation %}{% flagged_comment_count %}").render(Context()) == "1"
    dashboard = client.get("/admin/").content.decode()
    assert f'<a href="{QUEUE}?status=flagged">1 comment flagged by readers</a>' in dashboard


def test_approving_a_flagged_comment_takes_it_off_the_flagged_count(client, moderator):
    flagged = CommentFactory(status="pending")
    Comment.objects.filter(pk=flagged.pk).update(flag_count=3)
    assert services.flagged_comment_count() == 1
    decide(client, flagged, "approve")
    assert services.flagged_comment_count() == 0


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
    assert "Give an email, an account or a network to ban." in response.content.decode()
    client.post("/admin/comments/bannedcommenter/add/", {"email": "Loud@Readers.example", "reason": "abuse"})
    ban = BannedCommenter.objects.get()
    assert (ban.email, ban.banned_by) == ("loud@readers.example", moderator)


def test_a_network_ban_in_the_admin_needs_an_end_and_names_no_person(client, moderator):
    add = "/admin/comments/bannedcommenter/add/"
    ends = {"expires_at_0": "2030-01-01", "expires_at_1": "10:00"}
    response = client.post(add, {"network": "203.0.113.9"})
    assert "A network ban needs an end" in html.unescape(response.content.decode())
    response = client.post(add, {"network": "203.0.113.9", "email": "x@readers.example", **ends})
    assert "not both in one ban" in html.unescape(response.content.decode())
    response = client.post(add, {"network": "203.0.113.300", **ends})
    assert "is not an address or a range" in html.unescape(response.content.decode())
    assert not BannedCommenter.objects.exists()
    response = client.post(add, {"network": " 203.0.113.9 ", **ends})
    assert response.status_code == 302
    assert BannedCommenter.objects.get().network == "203.0.113.9/32"


def test_searching_bans_by_address_finds_the_range_that_holds_it(client, moderator):
    BannedCommenter.objects.create(network="203.0.113.0/24", expires_at=timezone.now() + timedelta(days=1))
    BannedCommenter.objects.create(email="other@readers.example")
    content = client.get("/admin/comments/bannedcommenter/", {"q": "203.0.113.77"}).content.decode()
    assert "203.0.113.0/24" in content and "other@readers.example" not in content


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
