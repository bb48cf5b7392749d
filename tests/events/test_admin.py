"""Entering events in the admin: one screen, a new outlet on the way, and a list that stays cheap."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from events.admin import EVENT_SLUG_HELP
from events.models import Event
from newsroom.models import Outlet, Story
from newsroom.querysets import Status
from tests.factories import ArticleFactory, EventFactory, OutletFactory, SourceFactory, StaffFactory
from tests.newsroom.test_admin import (
    add_view_post_data,
    admin_url,
    changelist_pks,
    changelist_query_count,
    form_errors,
    inline_prefixes,
    page_text,
    sidebar,
    sortable_columns,
)

pytestmark = pytest.mark.django_db

SUMMARY = (
    'The port authority <a href="https://port.example/notice">reopens berth 4</a> '
    "after storm repairs that took <em>three</em> months and cost more than planned."
)


@pytest.fixture
def editor(client):
    user = StaffFactory()
    client.force_login(user)
    return user


def event_fields(**overrides) -> dict:
    yesterday = timezone.localdate() - timedelta(days=1)
    fields = {
        "date": yesterday.isoformat(),
        "summary": SUMMARY,
        "category": Event.Category.ECONOMY,
        "tags": "Harbour, Storms",
        "slug": "",
        "status": Status.PUBLISHED,
        "publish_at_0": yesterday.isoformat(),
        "publish_at_1": "18:00:00",
        "comments": Story.Comments.AUTO,
        "comments_close_after_days": "14",
    }
    fields.update(overrides)
    return fields


def test_event_add_page_is_one_screen_with_sources_and_related_links(client, editor):
    response = client.get(admin_url(Event, "add"))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.fields)[:5] == ["date", "summary", "category", "tags", "slug"]
    assert form["date"].value() == timezone.localdate()
    assert form.fields["summary"].widget.attrs["rows"] == 3
    assert form.fields["slug"].help_text == EVENT_SLUG_HELP
    assert form.fields["summary"].help_text == Event._meta.get_field("summary").help_text
    assert inline_prefixes(response) == ["sources", "related_links"]
    content = response.content.decode()
    assert 'id="add_id_sources-0-outlet"' in content
    assert "data-context-suggestions=" in content
    assert response.context["prepopulated_fields"] == [], "an HTML summary makes a poor slug source"


def test_editor_adds_event_with_a_new_outlet_in_the_same_flow(client, editor):
    earlier = ArticleFactory(headline="Storm closes the port")

    popup = client.post(
        admin_url(Outlet, "add") + "?_to_field=id&_popup=1",
        {"name": "Harbour Gazette", "homepage": "https://gazette.example/", "_popup": "1", "_to_field": "id"},
    )
    assert popup.status_code == 200
    outlet = Outlet.objects.get(name="Harbour Gazette")
    assert json.loads(popup.context["popup_response_data"])["value"] == str(outlet.pk)

    data = add_view_post_data(
        client,
        Event,
        event_fields(),
        {
            "sources": [
                {"outlet": outlet.pk, "title": "Berth 4 back", "url": "https://gazette.example/berth", "order": 0},
                {
                    "outlet": OutletFactory().pk,
                    "url": "https://wire.example/port",
                    "published_on": "2024-03-02",
                    "order": 1,
                },
            ],
            "related_links": [{"target": earlier.pk, "url": "", "label": "", "order": 0}],
        },
    )
    response = client.post(admin_url(Event, "add"), {**data, "_workflow": "publish"})

    assert response.status_code == 302, form_errors(response)
    event = Event.objects.get()
    # Saved as a draft, then published through the publish step like any other story.
    assert event.status == Status.DRAFT
    assert response["Location"] == admin_url(Event, "transition", event.pk, "publish")
    assert client.post(response["Location"], {"when": "now"}).status_code == 302
    event = Event.objects.get()
    assert event.created_by == editor
    assert event.slug == "the-port-authority-reopens-berth-4-after-storm-repairs-that"
    assert event.title.startswith("The port authority reopens berth 4 after storm repairs")
    assert '<a href="https://port.example/notice" rel="noopener">reopens berth 4</a>' in event.summary
    assert [s.outlet.name for s in event.sources.all()][0] == "Harbour Gazette"
    assert event.sources.count() == 2
    assert [link.target_id for link in event.related_links.all()] == [earlier.pk]
    assert set(event.tags.names()) == {"Harbour", "Storms"}

    client.logout()
    public = client.get(event.get_absolute_url())
    assert public.status_code == 200
    assert "reopens berth 4" in page_text(public)


def test_event_date_is_editable_and_sets_the_address(client, editor):
    data = add_view_post_data(client, Event, event_fields(date="2012-04-23", slug="berth-reopens"))

    assert client.post(admin_url(Event, "add"), data).status_code == 302

    assert Event.objects.get().get_absolute_url() == "/news/2012/04/23/berth-reopens/"


def test_event_slug_clash_says_what_is_wrong_and_keeps_the_summary(client, editor):
    ArticleFactory(headline="Berth reopens")
    clash = Story.objects.get().date
    data = add_view_post_data(
        client,
        Event,
        event_fields(date=clash.isoformat(), slug="berth-reopens"),
        {"sources": [{"outlet": OutletFactory().pk, "url": "https://wire.example/kept", "order": 0}]},
    )

    response = client.post(admin_url(Event, "add"), data)

    assert response.status_code == 200
    text = page_text(response)
    assert "Another article on" in text
    assert "already uses the address 'berth-reopens'" in text
    assert response.context["adminform"].form["summary"].value() == SUMMARY
    assert 'value="https://wire.example/kept"' in text
    assert not Event.objects.exists()


def test_event_source_needs_a_link(client, editor):
    data = add_view_post_data(
        client, Event, event_fields(), {"sources": [{"outlet": OutletFactory().pk, "title": "No link"}]}
    )

    response = client.post(admin_url(Event, "add"), data)

    assert response.status_code == 200
    assert "This field is required." in page_text(response)
    assert not Event.objects.exists()


def test_event_changelist_search_and_filters(client, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        vote = EventFactory(
            summary="Voters elect a new harbour board.", category=Event.Category.POLITICS, tags=["Harbour"]
        )
        quake = EventFactory(
            summary="A small earthquake shakes the coast.",
            category=Event.Category.DISASTERS,
            date=date(2012, 4, 23),
            tags=["Earthquakes"],
        )
        draft = EventFactory(summary="Draft about the rail strike.", status=Status.DRAFT, publish_at=None)
    url = admin_url(Event, "changelist")

    assert changelist_pks(client, f"{url}?q=harbour") == {vote.pk}
    assert changelist_pks(client, f"{url}?status=draft") == {draft.pk}
    assert changelist_pks(client, f"{url}?category=disasters") == {quake.pk}
    assert changelist_pks(client, f"{url}?context=harbour") == {vote.pk}
    assert changelist_pks(client, f"{url}?date__year=2012") == {quake.pk}
    listing = page_text(client.get(url))
    assert "Voters elect a new harbour board." in listing
    assert "Disasters and accidents" in listing


@pytest.mark.parametrize(
    ("query", "long_list"),
    [
        ("", False),
        ("", True),
        ("?status=published", False),
        ("?category=economy", False),
        ("?context=harbour", True),
        ("?o=1", False),
        ("?o=-6", False),
        ("?date__year=2020", True),
    ],
)
def test_event_changelist_query_count_does_not_grow_with_rows(client, editor, monkeypatch, query, long_list):
    if long_list:
        monkeypatch.setattr("newsroom.admin.changelists.DATE_BAR_READ_BELOW", 0)

    def add_events(numbers):
        for number in numbers:
            # Spread over the days of a dozen years, so the date bar has more to show as rows are added.
            event = EventFactory(
                tags=["Harbour", "Storms"], date=timezone.localdate() - timedelta(days=40 * number + 1)
            )
            SourceFactory(story=event)

    url = admin_url(Event, "changelist") + query
    add_events(range(3))
    client.get(url)
    at_three = changelist_query_count(client, url)
    add_events(range(3, 30))

    assert changelist_query_count(client, url) == at_three
    assert Event.objects.count() == 30


def test_event_list_offers_the_contexts_of_events_and_sorts_by_day_or_publish_time(client, editor):
    yesterday = EventFactory(tags=["Storms"], date=timezone.localdate() - timedelta(days=1))
    last_week = EventFactory(tags=["Storms", "Harbour"], date=timezone.localdate() - timedelta(days=7))
    ArticleFactory(tags=["Elections"])
    url = admin_url(Event, "changelist")

    response = client.get(url)

    assert sidebar(response, "context") == [("All", True), ("Storms", False), ("Harbour", False)]
    assert sortable_columns(response) == {"date", "publish_time"}
    assert [event.pk for event in client.get(f"{url}?o=1").context["cl"].result_list] == [last_week.pk, yesterday.pk]
    chosen = client.get(f"{url}?context=elections")
    assert ("Elections", True) in sidebar(chosen, "context")
    assert list(chosen.context["cl"].result_list) == []


def test_view_on_site_for_a_draft_event_opens_its_preview(client, editor):
    draft = EventFactory(status=Status.DRAFT, publish_at=None)

    response = client.get(admin_url(Event, "change", draft.pk))

    assert f'href="{draft.get_absolute_url()}"' in response.content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 200
