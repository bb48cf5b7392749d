"""Related lists an article and its translations once, in the reader's language, and says what each entry is."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from events.related import related_stories
from tests.factories import ArticleFactory, EventFactory, RelatedLinkFactory

pytestmark = pytest.mark.django_db

DAY = date(2020, 3, 10)
NOON = datetime(2020, 3, 10, 12, tzinfo=ZoneInfo("UTC"))


def _titles(items):
    return [item.title for item in items]


def _dam_story_in_three_languages():
    original = ArticleFactory(headline="Dam plan approved", language="en", tags=["Rivers"], publish_at=NOON)
    french = ArticleFactory(
        headline="Le barrage est approuvé",
        language="fr",
        translation_of=original,
        tags=["Rivers"],
        publish_at=NOON + timedelta(hours=1),
    )
    spanish = ArticleFactory(
        headline="Aprobada la presa",
        language="es",
        translation_of=original,
        tags=["Rivers"],
        publish_at=NOON + timedelta(hours=2),
    )
    return original, french, spanish


def test_an_article_and_its_translations_are_one_entry_in_the_readers_language():
    original, french, spanish = _dam_story_in_three_languages()
    EventFactory(summary="River level falls.", date=DAY - timedelta(days=3), tags=["Rivers"])
    english_reader = ArticleFactory(headline="Rivers run low", language="en", tags=["Rivers"], publish_at=NOON)
    french_reader = ArticleFactory(headline="Les rivières baissent", language="fr", tags=["Rivers"], publish_at=NOON)

    # Same contexts, same day: the newest first. The Spanish version ranks first of its set; the reader's
    # version is listed in its place.
    assert _titles(related_stories(english_reader)) == [
        "Les rivières baissent",
        "Dam plan approved",
        "River level falls.",
    ]
    assert _titles(related_stories(french_reader)) == [
        "Rivers run low",
        "Le barrage est approuvé",
        "River level falls.",
    ]


def test_an_event_lists_the_site_language_version():
    _dam_story_in_three_languages()
    event = EventFactory(summary="Rain at last.", date=DAY, tags=["Rivers"])
    assert _titles(related_stories(event)) == ["Dam plan approved"]


def test_a_story_never_lists_its_own_translations():
    original, french, spanish = _dam_story_in_three_languages()
    EventFactory(summary="River level falls.", date=DAY, tags=["Rivers"])
    assert _titles(related_stories(french)) == ["River level falls."]
    assert _titles(related_stories(original)) == ["River level falls."]


def test_an_editors_link_to_one_version_keeps_the_others_out():
    original, french, spanish = _dam_story_in_three_languages()
    reader = EventFactory(summary="Rain at last.", date=DAY, tags=["Rivers"])
    RelatedLinkFactory(story=reader, target=spanish)
    items = related_stories(reader)
    assert _titles(items) == ["Aprobada la presa"]
    assert items[0].chosen_by_editor


def test_entries_carry_their_kind_and_day():
    story = EventFactory(summary="Centre.", date=DAY, tags=["Rivers"])
    ArticleFactory(headline="Dam plan approved", tags=["Rivers"], publish_at=NOON)
    EventFactory(summary="River level falls.", date=DAY - timedelta(days=2), tags=["Rivers"])
    items = related_stories(story)
    assert [(item.title, item.kind, item.date) for item in items] == [
        ("Dam plan approved", "article", DAY),
        ("River level falls.", "event", DAY - timedelta(days=2)),
    ]
