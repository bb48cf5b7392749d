"""A search works on the newest matching stories only, and tells the reader so."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsroom import search
from tests.factories import ArticleFactory, AuthorFactory, EventFactory, SectionFactory

pytestmark = pytest.mark.django_db

ON_POSTGRES = connection.vendor == "postgresql"
NOW = timezone.now()


@pytest.fixture
def bound(settings):
    settings.DATELINE_SEARCH_CANDIDATES = 5
    return 5


def titles(response) -> list[str]:
    return [re.sub(r"<[^>]+>", "", hit.title) for hit in response.context["hits"]]


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def make_ferry_stories(count: int) -> None:
    """``count`` articles about the ferry, one day apart, "Ferry story 0" the newest."""
    for n in range(count):
        ArticleFactory(headline=f"Ferry story {n}", publish_at=NOW - timedelta(days=n, hours=1))


def test_more_matches_than_the_bound_shows_the_newest_and_says_so(client, indexed, bound):
    with indexed():
        make_ferry_stories(8)
    response = client.get("/search/", {"q": "ferry"})
    assert response.status_code == 200
    assert sorted(titles(response)) == [f"Ferry story {n}" for n in range(5)]
    page = text(response)
    assert "More than 5 results for “ferry”" in page
    assert "showing the newest 5" in page
    assert "Only the newest 5 matches are" in page


def test_as_many_matches_as_the_bound_are_counted_exactly(client, indexed, bound):
    with indexed():
        make_ferry_stories(5)
    page = text(client.get("/search/", {"q": "ferry"}))
    assert "5 results for “ferry”" in page
    assert "More than" not in page
    assert "Only the newest" not in page


def test_a_small_bound_still_asks_the_database_for_enough_rows_to_choose_the_index(client, indexed, bound):
    # Asked for a handful of rows, PostgreSQL walks every story by date for a word it knows nothing of.
    # A filtered search always asks the index query (an unfiltered one may be settled in date order first).
    with indexed():
        make_ferry_stories(8)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", {"q": "ferry", "kind": "article"})
    assert sorted(titles(response)) == [f"Ferry story {n}" for n in range(5)]
    assert "More than 5 results" in text(response)
    candidate_queries = [q["sql"] for q in queries if re.search(r"ORDER BY .* LIMIT \d+$", q["sql"])]
    assert [int(sql.rsplit("LIMIT ", 1)[1]) for sql in candidate_queries] == [search.PLANNED_ROWS + 1]


def test_facets_count_within_the_bound(client, indexed, bound):
    world = SectionFactory(name="World", slug="world")
    with indexed():
        for n in range(4):
            ArticleFactory(
                headline=f"Ferry strike {n}", section=world, tags=["Strikes"], publish_at=NOW - timedelta(days=n + 1)
            )
        for n in range(4):
            EventFactory(
                summary=f"Ferry crews walk out, day {n}.",
                tags=["Strikes"],
                date=(NOW - timedelta(days=n + 10)).date(),
                publish_at=NOW - timedelta(days=n + 10),
            )
    response = client.get("/search/", {"q": "ferry"})
    facets = {facet.name: {v.label: v.count for v in facet.values} for facet in response.context["facets"]}
    # The four articles are newer than every event, so only one event is among the newest five.
    assert facets["kind"] == {"Article": 4, "Event": 1}
    assert facets["section"] == {"World": 4}
    assert facets["tag"] == {"Strikes": 5}
    assert "Counts are among the newest 5 matches." in text(response)


def test_pages_run_through_the_bound_and_stop_there(client, indexed, bound, settings):
    settings.DATELINE_PAGE_SIZE = 2
    with indexed():
        make_ferry_stories(9)
    first = client.get("/search/", {"q": "ferry"})
    assert "Page 1 of 3" in text(first)
    assert 'href="?q=ferry&amp;page=2"' in first.content.decode()
    last = client.get("/search/", {"q": "ferry", "page": "3"})
    assert len(last.context["hits"]) == 1
    assert "Page 3 of 3" in text(last)
    beyond = client.get("/search/", {"q": "ferry", "page": "4"})
    assert titles(beyond) == titles(last)
    seen = titles(first) + titles(client.get("/search/", {"q": "ferry", "page": "2"})) + titles(last)
    assert sorted(seen) == [f"Ferry story {n}" for n in range(5)]


def test_an_old_story_is_still_found_by_a_distinctive_word(client, indexed, bound):
    with indexed():
        make_ferry_stories(8)
        ArticleFactory(
            headline="Ferry timetable of 1998",
            body="<p>The old quayside kiosk sold tickets.</p>",
            publish_at=NOW - timedelta(days=9000),
        )
    assert "Ferry timetable of 1998" not in titles(client.get("/search/", {"q": "ferry"}))
    response = client.get("/search/", {"q": "quayside"})
    assert titles(response) == ["Ferry timetable of 1998"]
    assert "1 result for “quayside”" in text(response)


def test_the_reader_can_continue_past_the_bound_by_date(client, indexed, bound):
    with indexed():
        make_ferry_stories(8)
    response = client.get("/search/", {"q": "ferry"})
    oldest_shown = (NOW - timedelta(days=4, hours=1)).astimezone(timezone.get_current_timezone()).date()
    link = re.search(r'<a href="([^"]+)">Search stories up to ([^<]+)</a>', response.content.decode())
    assert link, "no link to older matches"
    assert link.group(1) == f"?q=ferry&amp;to={oldest_shown.isoformat()}"
    older = client.get("/search/", {"q": "ferry", "to": oldest_shown.isoformat()})
    assert sorted(titles(older)) == [f"Ferry story {n}" for n in range(4, 8)]
    assert "More than" not in text(older)


def test_several_matches_on_one_day_move_on_to_the_day_before(client, indexed, bound):
    day = NOW - timedelta(days=3)
    with indexed():
        for n in range(7):
            ArticleFactory(headline=f"Ferry crowd {n}", publish_at=day - timedelta(minutes=n))
    response = client.get("/search/", {"q": "ferry"})
    day_before = (day.astimezone(timezone.get_current_timezone()) - timedelta(days=1)).date()
    assert f"to={day_before.isoformat()}" in response.content.decode()


def test_the_bound_takes_the_newest_matches_on_every_database(client, indexed, bound):
    with indexed():
        make_ferry_stories(7)
    got = titles(client.get("/search/", {"q": "ferry"}))
    if ON_POSTGRES:
        assert sorted(got) == [f"Ferry story {n}" for n in range(5)]
    else:
        assert got == [f"Ferry story {n}" for n in range(5)]


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL full-text search")
def test_the_best_match_among_the_newest_comes_first(client, indexed, bound):
    with indexed():
        ArticleFactory(headline="Lighthouse keeper retires", publish_at=NOW - timedelta(days=40))
        for n in range(5):
            ArticleFactory(
                headline=f"Coastal notes {n}",
                body="<p>Walkers pass the lighthouse.</p>",
                publish_at=NOW - timedelta(days=n + 1),
            )
        ArticleFactory(headline="Lighthouse repainted", publish_at=NOW - timedelta(days=3, hours=12))
    response = client.get("/search/", {"q": "lighthouse"})
    shown = titles(response)
    # The older headline match lies beyond the newest five; the newer one is ranked first.
    assert shown[0] == "Lighthouse repainted"
    assert "Lighthouse keeper retires" not in shown
    assert len(shown) == 5
    assert "best matches first" in text(response)


def make_bridge_stories(count: int, start: int, section, author) -> None:
    for n in range(start, start + count):
        ArticleFactory(
            headline=f"Bridge works {n}",
            section=section,
            authors=[author],
            tags=["Bridges", f"Span {n}"],
            publish_at=NOW - timedelta(hours=n + 1),
        )
        # Events fall between the articles in time, so every page has articles and their bylines to show.
        happened = NOW - timedelta(hours=n + 1, minutes=30)
        EventFactory(
            summary=f"The bridge closes for night works, phase {n}.",
            tags=["Bridges"],
            date=happened.astimezone(timezone.get_current_timezone()).date(),
            publish_at=happened,
        )


@pytest.mark.parametrize(
    "params",
    [
        {"q": "bridge"},
        {"q": "bridge", "page": "2"},
        {"q": "bridge", "kind": "article"},
        {"q": "bridge", "tag": "bridges", "author": "ana-ruiz", "section": "world", "from": "2000-01-01"},
    ],
    ids=["plain", "page-2", "kind", "every-filter"],
)
def test_a_search_runs_as_many_queries_for_5_matches_as_for_50(client, django_capture_on_commit_callbacks, params):
    section = SectionFactory(name="World", slug="world")
    author = AuthorFactory(name="Ana Ruiz", slug="ana-ruiz")
    counts = []
    for count, start in ((5, 0), (45, 100)):
        with django_capture_on_commit_callbacks(execute=True):
            make_bridge_stories(count, start, section, author)
        client.get("/search/", params)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/search/", params)
        assert response.status_code == 200
        assert response.context["hits"]
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    # Candidates, the page with its bylines, and one query for every facet; plus one lookup per section,
    # context or author filter. On PostgreSQL an unfiltered search first reads the newest stories in date
    # order, which here (a word on few stories) does not settle it.
    lookups = sum(name in params for name in ("tag", "author", "section"))
    first_look = ON_POSTGRES and set(params) <= {"q", "page"}
    assert counts[0] == 3 + lookups + first_look, counts
