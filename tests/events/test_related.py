"""The one Related ranking: editor's links first, then shared contexts, then nearness in time."""

from datetime import date, timedelta

import pytest

from events.related import related_stories
from newsroom.models import Status
from tests.factories import ArticleFactory, EventFactory, RelatedLinkFactory

pytestmark = pytest.mark.django_db

DAY = date(2020, 3, 10)


def _titles(items):
    return [item.title for item in items]


def test_editor_links_come_first_in_their_order_then_shared_contexts():
    story = EventFactory(summary="Centre event.", date=DAY, tags=["Rivers", "Dams"])
    chosen = ArticleFactory(headline="Chosen by the editor")
    RelatedLinkFactory(story=story, url="https://maps.example/river", label="River map", order=1)
    RelatedLinkFactory(story=story, target=chosen, order=0)
    EventFactory(summary="Shares both.", date=DAY + timedelta(days=30), tags=["Rivers", "Dams"])
    EventFactory(summary="Shares one.", date=DAY, tags=["Rivers"])
    items = related_stories(story)
    assert _titles(items) == ["Chosen by the editor", "River map", "Shares both.", "Shares one."]
    assert items[0].chosen_by_editor and items[1].is_external
    assert [t.name for t in items[2].shared] == ["Dams", "Rivers"]
    assert [t.name for t in items[3].shared] == ["Rivers"]


def test_ties_in_shared_contexts_rank_by_nearness_in_time_either_side():
    story = EventFactory(summary="Centre.", date=DAY, tags=["Rivers"])
    EventFactory(summary="Ten days later.", date=DAY + timedelta(days=10), tags=["Rivers"])
    EventFactory(summary="Two days before.", date=DAY - timedelta(days=2), tags=["Rivers"])
    EventFactory(summary="A year before.", date=DAY - timedelta(days=365), tags=["Rivers"])
    EventFactory(summary="Same day.", date=DAY, tags=["Rivers"])
    assert _titles(related_stories(story)) == ["Same day.", "Two days before.", "Ten days later.", "A year before."]


def test_related_never_lists_unpublished_or_unrelated_stories_or_itself():
    story = EventFactory(summary="Centre.", date=DAY, tags=["Rivers"])
    EventFactory(summary="Draft.", date=DAY, tags=["Rivers"], status=Status.DRAFT, publish_at=None)
    EventFactory(summary="Other topic.", date=DAY, tags=["Mountains"])
    hidden = ArticleFactory(headline="Hidden target", status=Status.DRAFT, publish_at=None)
    RelatedLinkFactory(story=story, target=hidden)
    assert related_stories(story) == []


def test_related_is_capped_at_ten_but_keeps_every_editor_link():
    story = EventFactory(summary="Centre.", date=DAY, tags=["Rivers"])
    for n in range(15):
        EventFactory(summary=f"Auto {n}.", date=DAY + timedelta(days=n + 1), tags=["Rivers"])
    assert len(related_stories(story)) == 10
    picks = [ArticleFactory(headline=f"Pick {n}") for n in range(11)]
    for order, pick in enumerate(picks):
        RelatedLinkFactory(story=story, target=pick, order=order)
    items = related_stories(story)
    assert _titles(items) == [f"Pick {n}" for n in range(11)]


def test_articles_and_events_relate_to_each_other():
    article = ArticleFactory(headline="Dam report", tags=["Dams"])
    event = EventFactory(summary="The dam opens.", date=article.date, tags=["Dams"])
    assert _titles(related_stories(article)) == ["The dam opens."]
    assert _titles(related_stories(event)) == ["Dam report"]


def test_related_costs_a_fixed_number_of_queries(django_assert_max_num_queries):
    story = EventFactory(summary="Centre.", date=DAY, tags=["Rivers", "Dams", "Floods"])
    for n in range(40):
        EventFactory(summary=f"Auto {n}.", date=DAY + timedelta(days=n), tags=["Rivers", "Dams"][: 1 + n % 2])
    with django_assert_max_num_queries(5):
        items = related_stories(story)
        _ = [(item.url, [t.name for t in item.shared]) for item in items]


def _related_box(client, story) -> str:
    content = client.get(story.get_absolute_url()).content.decode()
    start = content.index('<section class="related"')
    return content[start : content.index("</section>", start)]


def test_related_box_shows_each_entry_kind_day_title_and_shared_contexts_escaped(client):
    story = EventFactory(summary="Centre event.", date=DAY, tags=["Rivers & <Dams>", "Floods"])
    RelatedLinkFactory(story=story, url="https://maps.example/river?a=1&b=2", label="River <map>", order=0)
    chosen = ArticleFactory(headline="Chosen <one>", article_type="analysis")
    RelatedLinkFactory(story=story, target=chosen, label="Editor's pick", order=1)
    shared = EventFactory(summary="Shares both.", date=DAY + timedelta(days=2), tags=["Rivers & <Dams>", "Floods"])
    box = _related_box(client, story)
    assert (
        '<p class="related__meta"><span class="related__kind">Elsewhere</span></p>\n'
        '          <a class="related__title" href="https://maps.example/river?a=1&amp;b=2" rel="noopener">'
        "River &lt;map&gt;</a>"
    ) in box
    assert (
        '<p class="related__meta"><span class="related__kind">Analysis</span> · '
        f'<time datetime="{chosen.date:%Y-%m-%d}">{chosen.date.day} {chosen.date:%b %Y}</time></p>\n'
        f'          <a class="related__title" href="{chosen.get_absolute_url()}">Editor&#x27;s pick</a>'
    ) in box
    assert (
        '<p class="related__meta"><span class="related__kind">Event</span> · '
        '<time datetime="2020-03-12">12 Mar 2020</time></p>\n'
        f'          <a class="related__title" href="{shared.get_absolute_url()}">Shares both.</a>'
    ) in box
    assert (
        '<p class="related__contexts">Contexts: <a href="/tags/floods/">Floods</a>, '
        '<a href="/tags/rivers-dams/">Rivers &amp; &lt;Dams&gt;</a></p>'
    ) in box
    assert box.count('<li class="related__item">') == 3
