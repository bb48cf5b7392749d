"""The words around a story follow the story's language where Dateline has them; everything else is English."""

import ast
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import translation

from tests.factories import ArticleFactory, EventFactory, ImageFactory, SourceFactory

pytestmark = pytest.mark.django_db

NOVEMBER = datetime(2026, 11, 12, 15, 50, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def pair():
    english = ArticleFactory(
        headline="Brevance votes to keep its bilingual schools",
        publish_at=NOVEMBER,
        tags=["Brevance"],
        lead_image=ImageFactory(caption="A school", credit="Dateline graphics desk", credit_kind="illustration"),
    )
    french = ArticleFactory(
        headline="La Brevance vote le maintien de ses écoles bilingues",
        language="fr",
        translation_of=english,
        publish_at=NOVEMBER,
        tags=["Brevance"],
        lead_image=english.lead_image,
    )
    SourceFactory(story=french, outlet__name="Le Veilleur", title="Écoles bilingues")
    EventFactory(summary="The council votes on the schools.", tags=["Brevance"], date=NOVEMBER.date())
    return english, french


def test_a_french_story_is_framed_in_french(client, pair):
    english, french = pair
    response = client.get(french.get_absolute_url())
    html = response.content.decode()
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in html
    for words in [
        "Publié le",
        "12 novembre 2026",
        "Partager cet article",
        '<h2 id="related-heading">À lire aussi</h2>',
        "Contexte :",
        '<span class="related__kind">Événement</span>',
        "Illustration : Dateline graphics desk",
        ">Imprimer</a>",
        "Aller au contenu",
        "Commentaires",
        "Aussi en :",
    ]:
        assert words in html, words
    for english_words in ["Share this story", "Published", ">Related<", "Skip to content"]:
        assert english_words not in html.replace("datePublished", ""), english_words


def test_the_english_original_and_other_pages_stay_english(client, pair):
    english, french = pair
    client.get(french.get_absolute_url())
    html = client.get(english.get_absolute_url()).content.decode()
    assert '<html lang="en">' in html
    assert "Share this story" in html and "12 November 2026" in html and "Partager" not in html
    day = client.get(f"/news/{NOVEMBER:%Y/%m/%d}/").content.decode()
    assert "Sources and related" in day and "Sources et liens" not in day
    assert translation.get_language() == settings.LANGUAGE_CODE


def test_a_story_in_a_language_without_a_catalogue_is_framed_in_english(client):
    german = ArticleFactory(headline="Brevance stimmt ab", language="de", publish_at=NOVEMBER)
    response = client.get(german.get_absolute_url())
    html = response.content.decode()
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in html and '<article class="story story--article" lang="de">' in html
    assert "Share this story" in html and "12 November 2026" in html


def _catalogue_entries(path: Path) -> list[tuple[str, str]]:
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n")[1:]:
        if "msgctxt" in block or "msgid_plural" in block:
            continue
        parts = re.split(r"^(msgid|msgstr) ", block, flags=re.M)
        fields = dict(zip(parts[1::2], parts[2::2], strict=True))
        read = {
            name: "".join(ast.literal_eval(line) for line in value.strip().splitlines())
            for name, value in fields.items()
        }
        entries.append((read["msgid"], read["msgstr"]))
    return entries


def test_the_compiled_french_catalogue_matches_its_source():
    entries = _catalogue_entries(Path(settings.BASE_DIR) / "locale/fr/LC_MESSAGES/django.po")
    assert len(entries) > 50
    with translation.override("fr"):
        for msgid, msgstr in entries:
            assert msgstr, f"untranslated: {msgid}"
            assert translation.gettext(msgid) == msgstr, f"django.mo is older than django.po at {msgid!r}"


def test_a_related_story_sharing_several_contexts_names_them_in_the_plural_in_either_language(client):
    english = ArticleFactory(headline="Ferries return to the harbour", tags=["Harbour", "Ferries"])
    french = ArticleFactory(headline="Les ferries reviennent au port", language="fr", tags=["Harbour", "Ferries"])
    EventFactory(summary="The ferry line reopens.", tags=["Harbour", "Ferries"])
    assert '<p class="related__contexts">Contexts: ' in client.get(english.get_absolute_url()).content.decode()
    assert '<p class="related__contexts">Contextes : ' in client.get(french.get_absolute_url()).content.decode()
