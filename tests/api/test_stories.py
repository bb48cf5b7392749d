"""The content API's stories: only what is published, everything a story carries, filters and search."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from events.related import related_stories
from newsroom.models import Byline, Correction, Story
from newsroom.querysets import Status
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    EventFactory,
    ImageFactory,
    OutletFactory,
    SectionFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_lists_show_published_stories_only(api):
    live = ArticleFactory(headline="Ferry returns to service")
    event = EventFactory(summary="The lighthouse reopens to visitors.")
    ArticleFactory(headline="A draft about the quay", status=Status.DRAFT, publish_at=None)
    ArticleFactory(headline="Tomorrow's story", status=Status.SCHEDULED, publish_at=timezone.now() + timedelta(days=1))
    ArticleFactory(headline="A withdrawn story", status=Status.WITHDRAWN)

    assert sorted(ids(api.get("/api/v1/stories"))) == sorted([live.pk, event.pk])
    assert ids(api.get("/api/v1/articles")) == [live.pk]
    assert ids(api.get("/api/v1/events")) == [event.pk]
    assert ids(api.get("/api/v1/stories?kind=event")) == [event.pk]


def test_a_draft_answers_404_and_a_withdrawn_story_410_with_its_tombstone(api):
    draft = ArticleFactory(status=Status.DRAFT, publish_at=None)
    gone = ArticleFactory(headline="Pulled story", status=Status.WITHDRAWN)

    assert api.get(f"/api/v1/stories/{draft.pk}").status_code == 404
    response = api.get(f"/api/v1/stories/{gone.pk}")
    assert response.status_code == 410
    assert response.json() == {
        "id": gone.pk,
        "url": f"http://testserver{gone.get_absolute_url()}",
        "withdrawn": True,
        "updated_at": response.json()["updated_at"],
    }
    assert "Pulled story" not in response.content.decode()


def test_an_article_carries_byline_sources_contexts_image_translations_and_corrections(api):
    opinion = SectionFactory(name="Opinion", slug="opinion")
    ana = AuthorFactory(name="Ana Ruiz", slug="ana-ruiz", role="Correspondent")
    image = ImageFactory()
    article = ArticleFactory(
        headline="Harbour dredging starts",
        section=opinion,
        authors=[ana],
        tags=["Harbour", "Dredging"],
        lead_image=image,
        dateline="PORT ARLEN",
    )
    Byline.objects.filter(article=article).update(role="Additional reporting")
    SourceFactory(story=article, outlet=OutletFactory(name="Harbour Gazette"), title="Dredgers arrive", order=0)
    french = ArticleFactory(headline="Le dragage commence", language="fr", translation_of=article)
    Correction.objects.create(story=article, note="An earlier version gave the wrong depth.")

    data = api.get(f"/api/v1/articles/{article.pk}").json()

    assert data["title"] == "Harbour dredging starts"
    assert [c["slug"] for c in data["contexts"]] == ["dredging", "harbour"]
    assert data["sources"][0]["outlet"]["name"] == "Harbour Gazette"
    assert data["sources"][0]["title"] == "Dredgers arrive"
    assert data["corrections"][0]["note"] == "An earlier version gave the wrong depth."
    part = data["article"]
    assert part["byline"] == [
        {
            "author": {
                "id": ana.pk,
                "name": "Ana Ruiz",
                "slug": "ana-ruiz",
                "role": "Correspondent",
                "url": "http://testserver/authors/ana-ruiz/",
            },
            "role": "Additional reporting",
        }
    ]
    assert part["section"]["path"] == "opinion"
    assert part["dateline"] == "PORT ARLEN"
    assert part["translations"] == [
        {"id": french.pk, "language": "fr", "title": "Le dragage commence", "url": part["translations"][0]["url"]}
    ]
    renditions = part["lead_image"]["renditions"]
    assert renditions and all(
        r["format"] == "image/webp" and r["url"].startswith("http://testserver/") for r in renditions
    )
    assert [r["width"] for r in renditions] == sorted(r["width"] for r in renditions)
    assert part["lead_image"]["alt_text"] == image.alt_text
    # The translation points back at its original.
    french_data = api.get(f"/api/v1/articles/{french.pk}").json()
    assert french_data["article"]["translation_of"] == article.pk
    assert [t["id"] for t in french_data["article"]["translations"]] == [article.pk]


def test_an_event_carries_its_summary_and_category(api):
    event = EventFactory(summary="The <em>Kestrel</em> ferry sails again.", tags=["Ferries"])

    data = api.get(f"/api/v1/events/{event.pk}").json()

    assert data["kind"] == "event"
    assert data["article"] is None
    assert data["event"]["summary"] == "The <em>Kestrel</em> ferry sails again."
    assert data["event"]["category_label"] == "Business and economy"
    assert api.get(f"/api/v1/articles/{event.pk}").status_code == 404


def test_related_stories_are_the_ones_the_story_page_shows(api):
    story = ArticleFactory(headline="Port strike enters its second week", tags=["Port", "Strikes"])
    both = EventFactory(summary="Dockers walk out.", tags=["Port", "Strikes"])
    one = ArticleFactory(headline="Port fees rise", tags=["Port"])
    ArticleFactory(headline="Unrelated bake sale", tags=["Baking"])

    data = api.get(f"/api/v1/stories/{story.pk}").json()

    expected = [item.story.pk for item in related_stories(Story.objects.get(pk=story.pk))]
    assert [item["story_id"] for item in data["related"]] == expected == [both.pk, one.pk]
    assert [c["slug"] for c in data["related"][0]["shared_contexts"]] == ["port", "strikes"]


def test_filters_by_section_context_author_dates_and_language(api):
    opinion = SectionFactory(name="Opinion", slug="opinion")
    editorials = SectionFactory(name="Editorials", slug="editorials", parent=opinion)
    ana = AuthorFactory(slug="ana-ruiz")
    leader = ArticleFactory(section=editorials, authors=[ana], tags=["Harbour"])
    old = ArticleFactory(publish_at=datetime(2012, 4, 23, 9, tzinfo=UTC), language="fr")
    event = EventFactory(date=date(2012, 4, 23), tags=["Harbour"])

    assert ids(api.get("/api/v1/stories?section=opinion")) == [leader.pk]
    assert ids(api.get("/api/v1/stories?author=ana-ruiz")) == [leader.pk]
    assert sorted(ids(api.get("/api/v1/stories?context=harbour"))) == sorted([leader.pk, event.pk])
    assert sorted(ids(api.get("/api/v1/stories?from=2012-04-23&to=2012-04-23"))) == sorted([old.pk, event.pk])
    assert ids(api.get("/api/v1/stories?language=fr")) == [old.pk]


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("section=no-such-desk", 400, "There is no section"),
        ("context=no-such-context", 400, "There is no context"),
        ("author=nobody", 400, "There is no author"),
        ("language=xx", 422, "language"),
        ("from=2024-05-01&to=2024-04-01", 400, "comes after"),
        ("from=yesterday", 422, "from"),
        ("kind=poem", 422, "kind"),
        ("limit=0", 422, "limit"),
        ("limit=1000", 422, "limit"),
        ("updated_since=last-week", 422, "updated_since"),
        ("cursor=not-a-cursor", 400, "cursor"),
        ("q=%22%22", 400, "no words"),
        ("q=x&updated_since=2024-01-01T00:00:00Z", 400, "either"),
    ],
)
def test_bad_parameters_answer_json_that_says_what_is_wrong(api, query, status, words):
    ArticleFactory()

    response = api.get(f"/api/v1/stories?{query}")

    assert response.status_code == status
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert words in response.content.decode()


def test_search_finds_what_the_site_search_finds(api, indexed):
    with indexed():
        ferry = ArticleFactory(headline="Ferry timetable changes", body="<p>The Kestrel sails at nine.</p>")
        EventFactory(summary="The bakery on Quay Street closes.")

    assert ids(api.get("/api/v1/stories?q=kestrel")) == [ferry.pk]
    assert ids(api.get("/api/v1/stories?q=kestrel&kind=event")) == []


def test_search_pages_follow_the_cursor_without_repeats(api, indexed):
    with indexed():
        made = {ArticleFactory(headline=f"Harbour story {n}").pk for n in range(5)}

    first = api.get("/api/v1/stories?q=harbour&limit=2").json()
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()

    seen = [i["id"] for page in (first, second, third) for i in page["items"]]
    assert sorted(seen) == sorted(made)
    assert third["next"] is None


def test_context_list_names_only_contexts_of_published_stories_without_reading_the_stories(api):
    from newsroom.api.api import used_contexts

    ArticleFactory(headline="Ferry returns to service", tags=["Ferries"])
    EventFactory(summary="The lighthouse reopens to visitors.", tags=["Lighthouses", "Ferries"])
    ArticleFactory(headline="A draft", status=Status.DRAFT, publish_at=None, tags=["Draft only"])
    ArticleFactory(
        headline="Embargoed", status=Status.SCHEDULED, publish_at=timezone.now() + timedelta(days=1), tags=["Embargo"]
    )
    ArticleFactory(headline="A withdrawn story", status=Status.WITHDRAWN, tags=["Withdrawn only"])
    response = api.get("/api/v1/contexts")
    assert response.status_code == 200
    assert [item["slug"] for item in response.json()["items"]] == ["ferries", "lighthouses"]
    assert api.get("/api/v1/contexts/embargo").status_code == 404
    # One step along each context's own links, never a join through every story of the archive.
    assert f'"{Story._meta.db_table}"' not in str(used_contexts().query)
