"""What readers see on the front page once editors have arranged it, and what they never see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsroom import pagecache
from newsroom.frontpage import arrangement
from newsroom.frontpage.models import Placement, Revision, Zone
from newsroom.models import Article, Status, Story
from tests.factories import EventFactory

from .conftest import publish, story

pytestmark = pytest.mark.django_db


def top_stories(client) -> str:
    """The "Top stories" column of the front page, up to the zones and the most-read list."""
    html = client.get("/").content.decode()
    return html.split('id="top-stories"')[1].split("front__zone")[0].split("most-read")[0]


def order_of(html: str, *headlines: str) -> list[str]:
    present = [h for h in headlines if h in html]
    return sorted(present, key=html.index)


def test_nothing_placed_shows_the_newest_news_with_the_newest_as_lead(client):
    for n in range(9):
        story(f"Harbour story {n}", hours_ago=n + 1)
    html = top_stories(client)
    assert html.split('class="lead"')[1].index("Harbour story 0") < 400
    assert order_of(html, *(f"Harbour story {n}" for n in range(9))) == [f"Harbour story {n}" for n in range(7)]


def test_placed_lead_and_top_stories_come_first_in_the_editors_order_then_the_newest(client):
    stories = [story(f"Harbour story {n}", hours_ago=n + 1) for n in range(10)]
    publish((stories[8], "lead"), (stories[5], "top"), (stories[9], "top"))
    html = top_stories(client)
    lead = html.split('class="lead"')[1].split("</div>")[0]
    assert "Harbour story 8" in lead
    shown = order_of(html, *(f"Harbour story {n}" for n in range(10)))
    assert shown == ["Harbour story 8", "Harbour story 5", "Harbour story 9"] + [f"Harbour story {n}" for n in range(4)]


def test_a_placement_past_its_expiry_drops_out_and_its_place_is_filled(client):
    stories = [story(f"Harbour story {n}", hours_ago=n + 1) for n in range(9)]
    publish((stories[8], "lead", timezone.now() + timedelta(hours=2)))
    assert "Harbour story 8" in top_stories(client).split('class="lead"')[1].split("</div>")[0]
    later = arrangement.lay_out(arrangement.current(), now=timezone.now() + timedelta(hours=3))
    assert later.lead.title == "Harbour story 0"
    assert "Harbour story 8" not in [s.title for s in later.top]
    # Stored directly, as an expired placement sits in the table until the next publish.
    Placement.objects.filter(story=stories[8]).update(expires_at=timezone.now() - timedelta(minutes=1))
    arrangement._renew_stamp()
    html = top_stories(client)
    assert "Harbour story 8" not in html
    assert "Harbour story 0" in html.split('class="lead"')[1].split("</div>")[0]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW, Status.WITHDRAWN])
def test_a_placed_story_readers_may_not_see_is_never_shown(client, status):
    hidden = story("Unpublished harbour secret", hours_ago=1)
    others = [story(f"Harbour story {n}", hours_ago=n + 2) for n in range(3)]
    publish((hidden, "lead"), (others[2], "top"))
    Article.objects.filter(pk=hidden.pk).update(status=status)
    arrangement._renew_stamp()
    html = client.get("/").content.decode()
    assert "Unpublished harbour secret" not in html
    assert "Harbour story 0" in html.split('class="lead"')[1].split("</div>")[0]
    assert "Harbour story 2" in html


def test_a_scheduled_placed_story_appears_only_once_its_time_comes(client):
    soon = story("Budget embargo lifts", publish_at=timezone.now() + timedelta(hours=1), status=Status.SCHEDULED)
    story("Harbour story", hours_ago=1)
    publish((soon, "lead"))
    assert "Budget embargo lifts" not in client.get("/").content.decode()
    later = arrangement.lay_out(arrangement.current(), now=timezone.now() + timedelta(hours=2))
    assert later.lead.pk == soon.pk


def test_no_story_is_shown_twice_on_the_page(client, opinion_zone):
    newest = story("Newest harbour story", hours_ago=1)
    comment = story("Why the harbour matters", hours_ago=2, article_type=Article.ArticleType.OPINION)
    for n in range(8):
        story(f"Harbour story {n}", hours_ago=n + 3)
    # The newest story placed in the top list, the newest opinion piece placed in the top list too.
    publish((newest, "top"), (comment, "top"))
    html = client.get("/").content.decode()
    assert html.count("Newest harbour story") == 1
    assert html.count("Why the harbour matters") == 1
    shown = arrangement.lay_out(arrangement.current()).stories()
    assert len({s.pk for s in shown}) == len(shown)


def test_zones_show_their_heading_placed_stories_first_then_their_fill(client, opinion_zone):
    election = Zone.objects.create(heading="Election 2026", position=5, capacity=3)
    poll = story("Polls open in the north", hours_ago=5)
    debate = story("Candidates meet for the last debate", hours_ago=6)
    old_view = story("A long view of the harbour vote", hours_ago=30, article_type=Article.ArticleType.OPINION)
    for n in range(3):
        story(f"Opinion piece {n}", hours_ago=n + 1, article_type=Article.ArticleType.OPINION)
    publish(
        (debate, f"zone-{election.pk}"),
        (poll, f"zone-{election.pk}"),
        (old_view, f"zone-{opinion_zone.pk}"),
    )
    html = client.get("/").content.decode()
    zone = html.split('id="zone-election-2026"')[1].split("</section>")[0]
    assert "Election 2026" in html
    assert order_of(zone, "Polls open in the north", "Candidates meet for the last debate") == [
        "Candidates meet for the last debate",
        "Polls open in the north",
    ]
    opinion = html.split('id="zone-opinion"')[1].split("</section>")[0]
    assert order_of(
        opinion, "A long view of the harbour vote", "Opinion piece 0", "Opinion piece 1", "Opinion piece 2"
    ) == [
        "A long view of the harbour vote",
        "Opinion piece 0",
        "Opinion piece 1",
        "Opinion piece 2",
    ]
    # The election zone comes before Opinion, as its order number says.
    assert html.index('id="zone-election-2026"') < html.index('id="zone-opinion"')


def test_a_zone_with_nothing_placed_and_no_fill_is_hidden(client):
    Zone.objects.create(heading="Analysis desk", capacity=3)
    story("Harbour story")
    assert "Analysis desk" not in client.get("/").content.decode()


def test_zone_headings_are_escaped(client):
    zone = Zone.objects.create(heading="<script>alert(1)</script>", capacity=2)
    publish((story("Harbour story"), f"zone-{zone.pk}"))
    html = client.get("/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _front_queries(client) -> int:
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_front_page_runs_the_same_number_of_queries_with_placements(client, opinion_zone):
    stories = [story(f"Harbour story {n}", hours_ago=n + 1) for n in range(12)]
    opinions = [story(f"Opinion {n}", hours_ago=n + 1, article_type=Article.ArticleType.OPINION) for n in range(6)]
    for _n in range(4):
        EventFactory()
    plain = _front_queries(client)
    election = Zone.objects.create(heading="Election 2026", capacity=4)
    analysis = Zone.objects.create(heading="Analysis", capacity=3, fill=Zone.Fill.ANALYSIS)
    story("Reading the harbour vote", article_type=Article.ArticleType.ANALYSIS)
    publish(
        (stories[11], "lead"),
        (stories[10], "top"),
        (stories[9], "top", timezone.now() + timedelta(hours=1)),
        (stories[3], f"zone-{election.pk}"),
        (opinions[5], f"zone-{opinion_zone.pk}"),
        (stories[4], f"zone-{analysis.pk}"),
    )
    arranged = _front_queries(client)
    assert arranged == plain
    # One story list with its bylines, whatever is placed and however many zones fill themselves, and the
    # events; the page as it was before there was anything to arrange ran five.
    assert plain == 3


def test_the_arrangement_is_read_from_the_database_when_the_cache_is_down(client, monkeypatch):
    stories = [story(f"Harbour story {n}", hours_ago=n + 1) for n in range(4)]
    publish((stories[3], "lead"))

    def down(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(arrangement.cache, "get_many", down)
    monkeypatch.setattr(arrangement.cache, "set", down)
    # The rest of the page needs the cache anyway; what matters here is that the arrangement never does.
    assert arrangement.current().places[0].story == stories[3].pk
    assert arrangement.lay_out(arrangement.current()).lead.pk == stories[3].pk


def test_events_column_is_unchanged_by_the_arrangement(client):
    EventFactory(summary="The ferry strike ends after nine days.")
    publish((story("Harbour story"), "lead"))
    assert "The ferry strike ends after nine days." in client.get("/").content.decode()


def test_a_deleted_story_leaves_the_front_page_and_its_placement(client):
    gone = story("Harbour story to delete")
    story("Harbour story kept", hours_ago=3)
    publish((gone, "lead"))
    Story.objects.filter(pk=gone.pk).delete()
    assert not Placement.objects.exists()
    assert "Harbour story kept" in client.get("/").content.decode()


def test_when_every_story_is_placed_below_the_lead_the_first_top_story_leads(client):
    first, second = story("First harbour story"), story("Second harbour story", hours_ago=2)
    publish((second, "top"), (first, "top"))
    html = top_stories(client)
    assert "Second harbour story" in html.split('class="lead"')[1].split("</div>")[0]
    assert "First harbour story" in html


def test_stored_pages_expire_by_themselves_when_a_placement_does(client, settings, committed):
    settings.DATELINE_PAGE_CACHE = True
    leaving = story("Harbour story leaving at noon", hours_ago=30)
    story("Harbour story", hours_ago=1)
    moment = timezone.now() + timedelta(hours=1)
    committed(lambda: publish((leaving, "lead", moment)))
    assert client.get("/")["X-Page-Cache"] == "miss"
    assert client.get("/")["X-Page-Cache"] == "hit"
    # The placement's expiry is the next moment pages change by the clock alone: a cache in front is told so.
    assert pagecache.cache.get(pagecache.DUE_KEY) == pytest.approx(moment.timestamp())
    shared = int(client.get("/")["Cache-Control"].split("s-maxage=")[1])
    assert 3500 < shared <= 3600


def test_removing_a_zone_removes_its_placements_and_its_heading_from_the_page(client, committed, staff_in):
    zone = Zone.objects.create(heading="Election 2026", capacity=3)
    placed = story("Polls open in the north")
    publish((placed, f"zone-{zone.pk}"))
    assert "Election 2026" in client.get("/").content.decode()
    editor = staff_in("Editor", "edith")
    client.force_login(editor)
    response = committed(lambda: client.post(f"/admin/frontpage/zone/{zone.pk}/delete/", {"post": "yes"}))
    assert response.status_code == 302
    assert not Placement.objects.exists()
    assert Revision.objects.first().summary == "Removed the zone “Election 2026” and its 1 placement."
    client.logout()
    assert "Election 2026" not in client.get("/").content.decode()


def test_a_zone_stays_full_when_its_newest_story_is_placed_elsewhere(client, opinion_zone):
    pieces = [story(f"Opinion piece {n}", hours_ago=n + 1, article_type=Article.ArticleType.OPINION) for n in range(6)]
    story("Harbour story", hours_ago=1)
    publish((pieces[0], "top"), (pieces[1], "lead"))
    front = arrangement.lay_out(arrangement.current())
    (opinion,) = front.zones
    assert [s.title for s in opinion.stories] == [f"Opinion piece {n}" for n in range(2, 6)]


def test_a_placed_event_is_not_listed_again_among_the_current_events(client):
    zone = Zone.objects.create(heading="Election 2026", capacity=2)
    vote = EventFactory(summary="The assembly calls an election for March.")
    EventFactory(summary="The ferry strike ends after nine days.")
    story("Harbour story")
    publish((vote, f"zone-{zone.pk}"))
    html = client.get("/").content.decode()
    assert html.count("The assembly calls an election for March.") == 1
    assert (
        "The assembly calls an election for March." in html.split('id="zone-election-2026"')[1].split("</section>")[0]
    )
    assert "The ferry strike ends after nine days." in html.split('id="current-events"')[1]


def test_a_zone_filled_with_news_takes_the_newest_news_the_top_stories_left(client):
    news = [story(f"News story {n}", hours_ago=n + 1) for n in range(14)]
    analyses = [
        story(f"Analysis piece {n}", hours_ago=n + 1.5, article_type=Article.ArticleType.ANALYSIS) for n in range(2)
    ]
    Zone.objects.create(heading="More news", capacity=3, fill=Zone.Fill.NEWS)
    # The oldest news story leads; the newest news and analysis then fill the six top stories.
    publish((news[13], "lead"))
    front = arrangement.lay_out(arrangement.current())
    assert front.lead.title == "News story 13"
    assert [s.title for s in front.top] == [
        "News story 0",
        "Analysis piece 0",
        "News story 1",
        "Analysis piece 1",
        "News story 2",
        "News story 3",
    ]
    (zone,) = front.zones
    assert [s.title for s in zone.stories] == ["News story 4", "News story 5", "News story 6"]
    assert len({s.pk for s in front.stories()}) == len(front.stories()) == 10
    assert analyses[0].pk in {s.pk for s in front.top}
