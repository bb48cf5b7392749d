"""Demo content keeps every address it had when slugs were transliterated with Unidecode.

The expected addresses in ``data/demo_slugs.json`` were written by the loader before the switch to
anyascii; a transliteration change that altered any of them would break readers' links.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from taggit.models import Tag

from newsroom.demo import loader, pictures
from newsroom.models import Author, Section, Source, Story, ascii_slugify

pytestmark = pytest.mark.django_db

EXPECTED = Path(__file__).parent / "data" / "demo_slugs.json"
# The loader dates stories relative to "now", and source addresses carry those dates.
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def demo_addresses() -> dict[str, list]:
    return {
        # A draft with no publish time is dated the day it is saved, whatever "now" the loader was given.
        "stories": sorted(
            f"{day:%Y-%m-%d}/{slug}" if publish_at else f"undated/{slug}"
            for day, slug, publish_at in Story.objects.values_list("date", "slug", "publish_at")
        ),
        "contexts": sorted(Tag.objects.values_list("slug", flat=True)),
        "authors": sorted(Author.objects.values_list("slug", flat=True)),
        "sections": sorted(Section.objects.values_list("path", flat=True)),
        "sources": sorted(Source.objects.values_list("url", flat=True)),
    }


def test_demo_content_keeps_the_slugs_it_had_before_the_transliteration_change(monkeypatch):
    monkeypatch.setattr(pictures, "SCALE", 0.1)
    assert loader.load(now=NOW) is not None

    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    actual = demo_addresses()
    for kind in expected:
        assert actual[kind] == expected[kind], kind


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        # What Unidecode gave for these names; Latin, Greek and Cyrillic transliterate the same way now.
        ("Café Müller", "cafe-muller"),
        ("Łódź", "lodz"),
        ("São Paulo", "sao-paulo"),
        ("Smørrebrød", "smorrebrod"),
        ("Straße", "strasse"),
        ("Côte d’Ivoire", "cote-divoire"),
        ("Crème brûlée — 2026", "creme-brulee-2026"),
        ("Đà Nẵng", "da-nang"),
        ("Þingvellir", "thingvellir"),
        ("Ελλάδα", "ellada"),
        ("Москва", "moskva"),
        ("€100 fine", "eur100-fine"),
    ],
)
def test_ascii_slugify_transliterates_names_as_before(name, slug):
    assert ascii_slugify(name) == slug
