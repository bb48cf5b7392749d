"""What a reader finds with /search/, on PostgreSQL (ranked full text) and elsewhere (simple match)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsroom.models import Article, Byline, Status, Story
from newsroom.search import _refresh_pending, parse_query, refresh_search_vectors
from tests.factories import ArticleFactory, AuthorFactory, EventFactory, SectionFactory

pytestmark = pytest.mark.django_db

ON_POSTGRES = connection.vendor == "postgresql"
NOW = timezone.now()


def search(client, **params):
    return client.get("/search/", params)


def titles(response) -> list[str]:
    return [re.sub(r"<[^>]+>", "", hit.title) for hit in response.context["hits"]]


def test_finds_words_in_the_body_headline_and_standfirst(client, indexed):
    with indexed():
        ArticleFactory(headline="Ferry timetable changes", body="<p>The <em>lighthouse</em> keeper retires.</p>")
        ArticleFactory(headline="Lighthouse restored", body="<p>Nothing else.</p>")
        ArticleFactory(headline="Quiet week", standfirst="The lighthouse reopens to visitors.")
        ArticleFactory(headline="Unrelated budget story")
    response = search(client, q="lighthouse")
    assert response.status_code == 200
    assert sorted(titles(response)) == ["Ferry timetable changes", "Lighthouse restored", "Quiet week"]


def test_every_word_must_appear(client, indexed):
    with indexed():
        ArticleFactory(headline="Harbour dredging approved", body="<p>The council agreed.</p>")
        ArticleFactory(headline="Harbour fees rise", body="<p>Boat owners object.</p>")
    assert titles(search(client, q="harbour council")) == ["Harbour dredging approved"]


def test_finds_events_by_their_summary(client, indexed):
    with indexed():
        EventFactory(summary="A <em>magnitude 5</em> earthquake shakes the northern valley.")
        ArticleFactory(headline="Valley vineyards expand")
    response = search(client, q="earthquake")
    assert titles(response) == ["A magnitude 5 earthquake shakes the northern valley."]
    assert response.context["hits"][0].kind == Story.Kind.EVENT


def test_a_quoted_phrase_needs_the_words_side_by_side(client, indexed):
    with indexed():
        ArticleFactory(headline="Night bus service returns", body="<p>Passengers cheered.</p>")
        ArticleFactory(headline="Bus drivers ask for a night shift bonus", body="<p>Talks continue.</p>")
    assert titles(search(client, q='"night bus"')) == ["Night bus service returns"]
    assert len(titles(search(client, q="night bus"))) == 2


def test_a_minus_sign_leaves_out_stories_with_that_word(client, indexed):
    with indexed():
        ArticleFactory(headline="Stadium plan approved", body="<p>Football fans welcome it.</p>")
        ArticleFactory(headline="Stadium plan for athletics", body="<p>Running track included.</p>")
    assert titles(search(client, q="stadium -football")) == ["Stadium plan for athletics"]


def test_or_accepts_either_word(client, indexed):
    with indexed():
        ArticleFactory(headline="Dockers strike at dawn")
        ArticleFactory(headline="Nurses plan walkout")
        ArticleFactory(headline="Library hours extended")
    assert sorted(titles(search(client, q="strike or walkout"))) == ["Dockers strike at dawn", "Nurses plan walkout"]


def test_only_published_stories_are_found(client, indexed):
    with indexed():
        ArticleFactory(headline="Tramway published story")
        ArticleFactory(headline="Tramway draft story", status=Status.DRAFT, publish_at=None)
        ArticleFactory(headline="Tramway in review", status=Status.REVIEW, publish_at=None)
        ArticleFactory(headline="Tramway scheduled later", status=Status.SCHEDULED, publish_at=NOW + timedelta(days=1))
        ArticleFactory(
            headline="Tramway scheduled and due", status=Status.SCHEDULED, publish_at=NOW - timedelta(minutes=5)
        )
        ArticleFactory(headline="Tramway withdrawn", status=Status.WITHDRAWN, publish_at=NOW - timedelta(days=1))
        EventFactory(summary="Tramway event still a draft.", status=Status.DRAFT, publish_at=None)
    assert sorted(titles(search(client, q="tramway"))) == ["Tramway published story", "Tramway scheduled and due"]


def test_matched_words_are_marked_and_story_text_is_escaped(client, indexed):
    with indexed():
        ArticleFactory(
            headline="Marina <script>alert(1)</script> expansion",
            standfirst="Owners say <img src=x onerror=alert(2)> the marina is full.",
            body="<p>The marina waiting list is long.</p>",
        )
    response = search(client, q="marina")
    html = response.content.decode()
    assert "<mark>Marina</mark>" in html or "<mark>marina</mark>" in html
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    snippet = str(response.context["hits"][0].snippet)
    assert "<mark>marina</mark>" in snippet
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0


def test_results_are_a_list_with_headings_and_the_form_is_labelled(client, indexed):
    with indexed():
        ArticleFactory(headline="Orchard harvest begins")
    html = search(client, q="orchard").content.decode()
    assert re.search(r'<label[^>]*for="search-q"', html)
    assert 'id="search-q"' in html and 'value="orchard"' in html
    assert '<ol class="results"' in html
    assert re.search(r'<h3 class="result__title"><a href="[^"]+">.*Orchard.*</a></h3>', html)
    assert 'name="robots" content="noindex' in html


def test_every_page_has_a_labelled_search_box_in_the_masthead(client):
    html = client.get("/").content.decode()
    assert 'role="search"' in html
    assert re.search(r'<label[^>]*for="masthead-q"[^>]*>Search articles and events</label>', html)
    assert 'action="/search/"' in html


def test_empty_search_shows_a_hint_and_no_results(client):
    ArticleFactory(headline="Anything at all")
    for params in ({}, {"q": ""}, {"q": "   "}):
        response = search(client, **params)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Type a few words" in html
        assert "results" not in response.context
        assert 'class="results"' not in html


def test_an_overlong_search_is_refused_with_a_message(client):
    response = search(client, q="harbour " * 30)
    assert response.status_code == 400
    html = response.content.decode()
    assert "the limit is 200" in html
    assert 'class="results"' not in html


@pytest.mark.parametrize(
    "query",
    ["!!!", "-", '"', '""', "or", "or or", "- - -", "&|!:*()", "the", "the and of", "'", "a:*", "<>"],
)
def test_punctuation_and_common_words_never_break_the_search(client, indexed, query):
    with indexed():
        ArticleFactory(headline="Harbour news")
    response = search(client, q=query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "has no words to look for" in html or "result" in html


def test_a_nul_byte_in_the_query_is_refused_before_the_search_runs(client):
    # No browser sends one from a search box; it comes from scanners, and the database cannot store it.
    response = search(client, q="harbour\x00")
    assert response.status_code == 400
    assert "We could not read that address" in response.content.decode()


def test_a_query_of_only_punctuation_gets_a_hint(client):
    html = search(client, q="!!! ???").content.decode()
    assert "has no words to look for" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "banana"}, "“banana” is not a kind of story. Choose article or event."),
        ({"type": "gossip"}, "“gossip” is not a kind of article. Choose news, editorial, opinion or analysis."),
        ({"section": "nope"}, "There is no section “nope”."),
        ({"category": "weather"}, "“weather” is not an event category."),
        ({"tag": "no-such-context"}, "There is no context “no-such-context”."),
        ({"author": "nobody"}, "There is no author “nobody”."),
        ({"from": "notadate"}, "The start date “notadate” is not a date."),
        ({"to": "2024-02-30"}, "The end date “2024-02-30” is not a date."),
        (
            {"from": "2024-05-01", "to": "2024-04-01"},
            "The start date (2024-05-01) comes after the end date (2024-04-01).",
        ),
    ],
)
def test_unknown_filter_values_get_a_clear_message(client, params, message):
    ArticleFactory(headline="Harbour news")
    response = search(client, q="harbour", **params)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&quot;", '"')
    assert "hits" not in response.context


def test_several_wrong_filters_are_all_listed_with_a_way_out(client):
    response = search(client, q="harbour", kind="banana", section="nope", **{"from": "x"})
    problems = response.context["problems"]
    assert len(problems) == 3
    assert response.context["retry_url"] == "?q=harbour"


def test_filter_values_are_shown_escaped(client):
    response = search(client, q="harbour", section="<script>x</script>")
    html = response.content.decode()
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_filters_narrow_the_results(client, indexed):
    opinion = SectionFactory(name="Opinion", slug="opinion")
    editorials = SectionFactory(name="Editorials", slug="editorials", parent=opinion)
    world = SectionFactory(name="World", slug="world")
    ana = AuthorFactory(name="Ana Ruiz", slug="ana-ruiz")
    with indexed():
        ArticleFactory(
            headline="Canal opinion piece",
            section=editorials,
            article_type=Article.ArticleType.EDITORIAL,
            authors=[ana],
            tags=["Canals"],
        )
        ArticleFactory(
            headline="Canal news report",
            section=world,
            publish_at=NOW - timedelta(days=40),
            tags=["Shipping"],
        )
        EventFactory(summary="The canal closes for repairs.", category="economy", tags=["Canals"])
    cases = {
        "kind=article": ({"kind": "article"}, ["Canal news report", "Canal opinion piece"]),
        "kind=event": ({"kind": "event"}, ["The canal closes for repairs."]),
        "type": ({"type": "editorial"}, ["Canal opinion piece"]),
        "parent section": ({"section": "opinion"}, ["Canal opinion piece"]),
        "subsection": ({"section": "opinion/editorials"}, ["Canal opinion piece"]),
        "category": ({"category": "economy"}, ["The canal closes for repairs."]),
        "tag": ({"tag": "canals"}, ["Canal opinion piece", "The canal closes for repairs."]),
        "author": ({"author": "ana-ruiz"}, ["Canal opinion piece"]),
        "from": (
            {"from": (NOW - timedelta(days=10)).date().isoformat()},
            ["Canal opinion piece", "The canal closes for repairs."],
        ),
        "to": ({"to": (NOW - timedelta(days=20)).date().isoformat()}, ["Canal news report"]),
    }
    for name, (params, expected) in cases.items():
        response = search(client, q="canal", **params)
        assert response.status_code == 200, name
        assert sorted(titles(response)) == expected, name


def test_facets_count_the_current_results(client, indexed):
    world = SectionFactory(name="World", slug="world")
    sport = SectionFactory(name="Sport", slug="sport")
    ana = AuthorFactory(name="Ana Ruiz", slug="ana-ruiz")
    ben = AuthorFactory(name="Ben Okoro", slug="ben-okoro")
    with indexed():
        ArticleFactory(headline="River flood warning", section=world, authors=[ana], tags=["Floods", "Weather"])
        ArticleFactory(headline="River flood defences", section=world, authors=[ana, ben], tags=["Floods"])
        ArticleFactory(
            headline="River regatta",
            section=sport,
            article_type=Article.ArticleType.OPINION,
            authors=[ben],
            tags=["Rowing"],
        )
        EventFactory(summary="The river bursts its banks.", category="disasters", tags=["Floods"])
        ArticleFactory(headline="Mountain rescue", section=sport, authors=[ana], tags=["Floods"])
    response = search(client, q="river")
    facets = {facet.name: {v.label: v.count for v in facet.values} for facet in response.context["facets"]}
    assert facets["kind"] == {"Article": 3, "Event": 1}
    assert facets["type"] == {"News": 2, "Opinion": 1}
    assert facets["section"] == {"World": 2, "Sport": 1}
    assert facets["category"] == {"Disasters and accidents": 1}
    assert facets["tag"] == {"Floods": 3, "Weather": 1, "Rowing": 1}
    assert facets["author"] == {"Ana Ruiz": 2, "Ben Okoro": 2}

    html = response.content.decode()
    assert re.search(r'<a href="\?q=river&amp;tag=floods">Floods</a>\s*<span class="facet__count">3</span>', html)

    narrowed = search(client, q="river", section="world")
    facets = {facet.name: {v.label: v.count for v in facet.values} for facet in narrowed.context["facets"]}
    assert facets["section"] == {"World": 2}
    assert facets["tag"] == {"Floods": 2, "Weather": 1}
    selected = [v for facet in narrowed.context["facets"] for v in facet.values if v.selected]
    assert [(v.label, v.url) for v in selected] == [("World", "?q=river")]
    assert narrowed.context["active"][0]["text"] == "Section: World"


def test_tag_and_author_facets_show_the_ten_most_common(client, indexed):
    with indexed():
        for n in range(14):
            ArticleFactory(headline=f"Glacier report {n}", tags=[f"Context {n:02d}", "Ice"])
    facets = {facet.name: facet for facet in search(client, q="glacier").context["facets"]}
    assert len(facets["tag"].values) == 10
    assert facets["tag"].values[0].label == "Ice"
    assert facets["tag"].values[0].count == 14


def test_pagination_keeps_the_query_and_filters(client, indexed, settings):
    settings.DATELINE_PAGE_SIZE = 3
    world = SectionFactory(name="World", slug="world")
    with indexed():
        for n in range(7):
            ArticleFactory(headline=f"Volcano update {n}", section=world, publish_at=NOW - timedelta(hours=n + 1))
        ArticleFactory(headline="Volcano elsewhere")
    first = search(client, q="volcano", section="world")
    assert first.context["paginator"].count == 7
    html = first.content.decode()
    assert 'href="?q=volcano&amp;section=world&amp;page=2"' in html
    second = client.get("/search/?q=volcano&section=world&page=2")
    assert len(second.context["hits"]) == 3
    assert "Volcano elsewhere" not in second.content.decode()
    seen = titles(first) + titles(second) + titles(client.get("/search/?q=volcano&section=world&page=3"))
    assert sorted(seen) == sorted(f"Volcano update {n}" for n in range(7))


@pytest.mark.parametrize("page", ["abc", "0", "999", "-1"])
def test_odd_page_numbers_still_show_a_page(client, indexed, page):
    with indexed():
        ArticleFactory(headline="Comet sighting")
    response = client.get(f"/search/?q=comet&page={page}")
    assert response.status_code == 200
    assert titles(response) == ["Comet sighting"]


def test_search_runs_a_constant_number_of_queries(client, django_capture_on_commit_callbacks):
    section = SectionFactory(name="World", slug="world")
    author = AuthorFactory(name="Ana Ruiz", slug="ana-ruiz")

    def make(count: int, start: int) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            for n in range(start, start + count):
                ArticleFactory(
                    headline=f"Bridge works {n}", section=section, authors=[author], tags=["Bridges", f"T{n}"]
                )
                EventFactory(summary=f"The bridge closes for night works, phase {n}.", tags=["Bridges"])

    counts = []
    make(5, 0)
    for size in (10, 60):
        if size == 60:
            make(25, 100)
        url = "/search/?q=bridge&tag=bridges&author=ana-ruiz&section=world&from=2000-01-01"
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 12, counts


def test_query_parser_reads_phrases_exclusions_and_or():
    parsed = parse_query('"night bus" -strike tram or ferry -"late train"')
    assert parsed.wanted == ["night bus", "tram", "ferry"]
    assert [[(t.text, t.negated) for t in group] for group in parsed.alternatives] == [
        [("night bus", False), ("strike", True), ("tram", False)],
        [("ferry", False), ("late train", True)],
    ]
    assert not parse_query('!!! - "" or').is_searchable


@pytest.mark.skipif(ON_POSTGRES, reason="PostgreSQL ranks by relevance instead")
def test_without_postgres_results_come_newest_first(client):
    ArticleFactory(headline="Tunnel old", publish_at=NOW - timedelta(days=3))
    ArticleFactory(headline="Tunnel new", publish_at=NOW - timedelta(hours=1))
    assert titles(search(client, q="tunnel")) == ["Tunnel new", "Tunnel old"]


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL full-text search")
def test_a_headline_match_outranks_a_body_match(client, indexed):
    with indexed():
        ArticleFactory(
            headline="Council agenda", body="<p>Items include the aqueduct.</p>", publish_at=NOW - timedelta(hours=1)
        )
        ArticleFactory(headline="Aqueduct repairs begin", publish_at=NOW - timedelta(days=20))
    assert titles(search(client, q="aqueduct")) == ["Aqueduct repairs begin", "Council agenda"]


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL full-text search")
def test_stemming_finds_other_forms_of_a_word(client, indexed):
    with indexed():
        ArticleFactory(headline="Fishermen protested the quota")
    assert titles(search(client, q="protesting")) == ["Fishermen protested the quota"]


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL full-text search")
def test_editing_a_story_updates_what_it_is_found_by(client, indexed):
    with indexed():
        article = ArticleFactory(headline="Placeholder headline", body="<p>First draft.</p>")
    assert titles(search(client, q="pelican")) == []
    with indexed():
        article.body = "<p>A pelican lands on the <strong>town hall</strong>.</p>"
        article.save()
    assert titles(search(client, q="pelican")) == ["Placeholder headline"]
    snippet = str(search(client, q="pelican").context["hits"][0].snippet)
    assert "<mark>pelican</mark>" in snippet
    assert "<strong>" not in snippet


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL full-text search")
def test_saving_only_the_status_does_not_reindex(django_capture_on_commit_callbacks):
    article = ArticleFactory(headline="Status only")
    with django_capture_on_commit_callbacks() as callbacks:
        article.save(update_fields=["status"])
    # A status change still purges the pages that show the story; it only must not rebuild the search vector.
    reindexing = [c for c in callbacks if getattr(c, "func", None) in (refresh_search_vectors, _refresh_pending)]
    assert reindexing == []


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL full-text search")
def test_search_vectors_can_be_rebuilt_for_the_whole_archive(client):
    ArticleFactory(headline="Windmill restored")
    EventFactory(summary="A windmill catches fire.")
    assert Story.objects.filter(search_vector__isnull=False).count() == 0
    assert refresh_search_vectors() == 2
    assert len(titles(search(client, q="windmill"))) == 2


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL full-text search")
def test_snippets_come_from_the_opening_of_a_long_story(client, indexed):
    filler = "<p>" + "The council met again and talked about the budget. " * 80 + "</p>"
    with indexed():
        ArticleFactory(
            headline="Ferry timetable",
            standfirst="Crossings change in spring.",
            body="<p>The lighthouse keeper spoke first.</p>" + filler + "<p>A cormorant nested on the pier.</p>",
        )
    opening = str(search(client, q="lighthouse").context["hits"][0].snippet)
    assert "<mark>lighthouse</mark>" in opening
    assert opening.endswith(" …")

    # Words found only far down still find the story; its snippet is the opening, marked nowhere.
    deep = search(client, q="cormorant")
    assert titles(deep) == ["Ferry timetable"]
    snippet = str(deep.context["hits"][0].snippet)
    assert "<mark>" not in snippet
    assert snippet.startswith("Crossings change in spring.")


def test_each_result_shows_its_kind_section_date_and_byline(client, indexed):
    world = SectionFactory(name="World", slug="world")
    ana = AuthorFactory(name="Ana Ruiz", slug="ana-ruiz")
    ben = AuthorFactory(name="Ben Okoro", slug="ben-okoro")
    day = timezone.localdate() - timedelta(days=3)
    with indexed():
        opinion = ArticleFactory(
            headline="Kelp farms deserve a chance",
            section=world,
            article_type=Article.ArticleType.OPINION,
            authors=[ana, ben],
            date=day,
        )
        event = EventFactory(summary="A kelp farm opens off the cape.", category="disasters", date=day)
    html = search(client, q="kelp").content.decode()
    items = re.findall(r'<li class="result result--(\w+)">(.*?)</li>', html, re.S)
    by_kind = {kind: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", body)).strip() for kind, body in items}
    assert by_kind["article"].startswith(f"Opinion · World · {opinion.date:%-d %b %Y} Kelp farms deserve a chance")
    assert by_kind["article"].endswith("By Ana Ruiz and Ben Okoro")
    assert (
        by_kind["event"] == f"Event · Disasters and accidents · {event.date:%-d %b %Y} A kelp farm opens off the cape."
    )
    assert f'<a href="{opinion.get_absolute_url()}">' in html
    assert '<a href="/authors/ana-ruiz/">Ana Ruiz</a>' in html


def test_a_results_byline_follows_the_editors_order_and_escapes_names(client, indexed):
    first = AuthorFactory(name="Zoë <b>O'Neill</b>", slug="zoe-oneill")
    second = AuthorFactory(name="Adam Ng", slug="adam-ng")
    with indexed():
        article = ArticleFactory(headline="Seagrass meadows return")
    # Added in one order, shown in the order the editor set.
    Byline.objects.create(article=article, author=second, order=2)
    Byline.objects.create(article=article, author=first, order=1)
    html = search(client, q="seagrass").content.decode()
    byline = re.search(r'<p class="byline">(.*?)</p>', html, re.S).group(1)
    assert byline == (
        'By <span class="byline__author"><a href="/authors/zoe-oneill/">Zoë &lt;b&gt;O&#x27;Neill&lt;/b&gt;</a></span>'
        ' and <span class="byline__author"><a href="/authors/adam-ng/">Adam Ng</a></span>'
    )
