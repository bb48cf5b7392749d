"""Corrections in the open: a feed of them, found from the corrections page, every footer and each note."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone

from newsroom import services
from newsroom.querysets import Status
from tests.factories import ArticleFactory, EventFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def corrected():
    story = ArticleFactory(headline="Council votes on the harbour plan")
    draft = ArticleFactory(headline="Draft with a slip", status=Status.DRAFT, publish_at=None)
    now = timezone.now()
    services.add_correction(
        story=story, note="The vote was on Tuesday, <not> Monday.", by=None, when=now - timedelta(hours=2)
    )
    services.add_correction(story=story, note="The mayor's name is Ana Ruiz.", by=None, when=now - timedelta(hours=1))
    services.add_correction(story=draft, note="Never shown.", by=None)
    return story


def test_rss_feed_lists_corrections_to_published_stories_newest_first(client, corrected):
    response = client.get(reverse("newsroom:feed_corrections"))
    assert response.status_code == 200
    items = ElementTree.fromstring(response.content).findall("./channel/item")
    assert [item.findtext("description") for item in items] == [
        "<p>The mayor&#x27;s name is Ana Ruiz.</p>",
        "<p>The vote was on Tuesday, &lt;not&gt; Monday.</p>",
    ]
    assert items[0].findtext("title") == "Correction: Council votes on the harbour plan"
    assert items[0].findtext("link").endswith(corrected.get_absolute_url() + "#corrections")


def test_atom_feed_carries_the_same_corrections(client, corrected):
    response = client.get(reverse("newsroom:feed_corrections_atom"))
    entries = ElementTree.fromstring(response.content).findall(f"{ATOM}entry")
    assert len(entries) == 2
    assert entries[0].findtext(f"{ATOM}title") == "Correction: Council votes on the harbour plan"


def test_corrections_page_links_its_feeds_and_announces_them_in_its_head(client, corrected):
    html = client.get(reverse("newsroom:corrections")).content.decode()
    head = html.split("</head>")[0]
    assert 'type="application/rss+xml" title="Dateline: corrections (RSS)" href="/feeds/corrections/rss/"' in head
    assert 'type="application/atom+xml" title="Dateline: corrections (Atom)" href="/feeds/corrections/atom/"' in head
    body = html.split("</head>")[1]
    assert 'href="/feeds/corrections/rss/">RSS</a>' in body


def test_every_page_footer_links_to_the_corrections_page(client, corrected):
    event = EventFactory()
    for address in ("/", "/news/", event.get_absolute_url(), reverse("newsroom:search")):
        footer = client.get(address).content.decode().split('class="site-footer"')[1]
        assert 'href="/corrections/">Corrections</a>' in footer, address


def test_a_corrected_storys_note_links_to_all_corrections(client, corrected):
    html = client.get(corrected.get_absolute_url()).content.decode()
    note = html.split('id="corrections"')[1].split("</section>")[0]
    assert '<a href="/corrections/">All corrections</a>' in note
    plain = ArticleFactory()
    assert 'href="/corrections/">All corrections' not in client.get(plain.get_absolute_url()).content.decode()
