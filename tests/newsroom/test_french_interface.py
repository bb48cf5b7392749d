"""A newsroom that sets LANGUAGE_CODE = "fr" shows its list pages in French; an English one keeps its words."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from events.models import Event
from newsroom.threads import BUSY_YEAR
from tests.factories import ArticleFactory, EventFactory

pytestmark = pytest.mark.django_db

DAY = date(2024, 3, 14)
NOON = datetime(2024, 3, 14, 12, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def french(settings):
    settings.LANGUAGE_CODE = "fr"


@pytest.fixture
def day_of_news():
    """An article and two events on one day, all in the "Port" context."""
    ArticleFactory(headline="Harbour plan approved", publish_at=NOON, tags=["Port"])
    EventFactory(summary="A storm closes the coast road.", category=Event.Category.DISASTERS, date=DAY, tags=["Port"])
    EventFactory(summary="A probe lands on the moon.", category=Event.Category.SCIENCE, date=DAY, tags=["Port"])


def page(client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200
    return response.content.decode()


def test_a_french_front_page_names_its_rubrics_and_links_in_french(client, french):
    ArticleFactory(headline="Harbour plan approved")
    EventFactory(summary="A probe lands on the moon.", category=Event.Category.SCIENCE)
    html = page(client, "/")
    assert "<title>Dateline : l'actualité et les événements du jour</title>" in html
    assert '<h2 id="top-stories" class="rubric">À la une</h2>' in html
    assert '<h2 id="current-events" class="rubric">L\'actualité au jour le jour</h2>' in html
    assert '<span class="kicker">Sciences et techniques</span> A probe lands on the moon.' in html
    assert '">En savoir plus</a></li>' in html
    assert ">Toute l'actualité par date →</a>" in html
    for english in ["news and the day's events", "Top stories", "Current events", ">More<", "Everything by date"]:
        assert english not in html, english


def test_a_french_front_page_with_nothing_published_says_so_in_french(client, french):
    html = page(client, "/")
    assert "Aucun article n'a encore été publié." in html
    assert "Aucun événement n'a encore été consigné." in html
    assert "No stories have been published yet." not in html
    assert "No events have been logged yet." not in html


def test_a_french_day_page_heads_its_events_and_articles_in_french(client, french, day_of_news):
    html = page(client, "/news/2024/03/14/")
    assert '<nav class="breadcrumbs" aria-label="Fil d\'Ariane"><ol><li><a href="/">Accueil</a></li>' in html
    assert '<li><a href="/news/">Actualité</a></li>' in html
    assert '<h2 id="day-events" class="rubric">Événements</h2>' in html
    assert '<h3 class="category">Catastrophes et accidents</h3>' in html
    assert '<h3 class="category">Sciences et techniques</h3>' in html
    assert '<h2 id="day-articles" class="rubric">Articles</h2>' in html
    assert '">Sources et liens</a></li>' in html
    assert 'title="Cette journée en Markdown"' in html
    assert '<nav class="pager" aria-label="Autres jours">' in html
    for english in [">Home<", ">News<", ">Events<", "Disasters and accidents", "Sources and related", "Other days"]:
        assert english not in html, english


def test_a_french_day_page_with_nothing_on_it_says_so_in_french(client, french, day_of_news):
    html = page(client, "/news/2024/03/13/")
    assert '<p class="empty">Rien n\'a été publié ce jour-là.</p>' in html
    assert "Nothing was published on this day." not in html


def test_a_french_month_page_names_event_categories_and_article_kinds_in_french(client, french, day_of_news):
    ArticleFactory(headline="The harbour deserves better", article_type="editorial", publish_at=NOON)
    html = page(client, "/news/2024/03/")
    assert '<span class="kicker">Catastrophes et accidents</span> A storm closes the coast road.' in html
    assert '<span class="kicker">Sciences et techniques</span> A probe lands on the moon.' in html
    assert '<span class="kicker">Éditorial</span> <a href=' in html
    assert '">En savoir plus</a></li>' in html
    assert '<nav class="pager" aria-label="Autres mois">' in html
    for english in ["Disasters and accidents", "Science and technology", ">Editorial<", ">More<", "Other months"]:
        assert english not in html, english


def test_a_french_year_page_counts_stories_in_french(client, french, day_of_news):
    html = page(client, "/news/2024/")
    assert '<span class="count">3 articles</span>' in html
    assert '<nav class="pager" aria-label="Autres années">' in html
    assert "3 stories" not in html and "Other years" not in html


def test_a_french_context_page_introduces_and_counts_its_stories_in_french(client, french, day_of_news):
    html = page(client, "/tags/port/")
    assert '<p class="kicker">Contexte</p>' in html
    assert "Tous les articles et événements sur Port, du plus récent au plus ancien. 3 articles." in html
    assert '<span class="timeline__count">3 articles</span>' in html
    assert "Suivez Port dans un lecteur de flux : <a " in html
    assert 'title="Dateline : Port (RSS)"' in html
    for english in [">Context<", "Every article and event", "3 stories", "Follow Port", "in a feed reader"]:
        assert english not in html, english


def test_a_french_search_page_labels_its_form_results_and_filters_in_french(client, french, indexed):
    with indexed():
        ArticleFactory(headline="Harbour plan approved")
        EventFactory(summary="The harbour reopens after the storm.")
    html = page(client, "/search/?q=harbour")
    assert "<title>« harbour » : recherche · Dateline</title>" in html
    assert "<h1>Recherche</h1>" in html
    assert "2 résultats pour « harbour »" in html
    assert '<h2 id="refine-heading" class="facets__heading">Affiner</h2>' in html
    assert '<legend class="facet__name">Dates</legend>' in html
    assert '<button type="submit">Appliquer les dates</button>' in html
    for english in ["<h1>Search</h1>", "results for", ">Refine<", "Apply dates", "Put a phrase in"]:
        assert english not in html, english


def test_a_french_search_that_finds_nothing_says_so_in_french(client, french):
    html = page(client, "/search/?q=lighthouse")
    assert "0 résultat pour « lighthouse »" in html
    assert "Aucun article ni événement publié ne correspond." in html
    assert "No published article or event matches" not in html


def test_a_french_empty_search_page_suggests_how_to_search_in_french(client, french):
    html = page(client, "/search/")
    assert "<title>Recherche · Dateline</title>" in html
    assert "Tapez quelques mots pour chercher dans tous les articles et événements publiés." in html
    assert 'Vous pouvez aussi parcourir <a href="/news/">toute l\'actualité par date</a>' in html
    assert "Type a few words" not in html and "You can also browse" not in html


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("/", ['<h2 id="current-events" class="rubric">Current events</h2>', "Top stories", ">Everything by date →<"]),
        ("/news/2024/03/14/", ['<h2 id="day-events" class="rubric">Events</h2>', ">Sources and related<", ">Home<"]),
        ("/news/2024/03/", ['<span class="kicker">Disasters and accidents</span>', ">More</a>", '"Other months"']),
        ("/news/2024/", ['<span class="count">3 stories</span>', '"Other years"']),
        ("/tags/port/", ["Every article and event about Port, newest first. 3 stories.", "Follow Port in a feed"]),
        ("/search/?q=reopens", ["1 result for “reopens”", ">Refine<", "<h1>Search</h1>", "Apply dates"]),
    ],
)
def test_an_english_newsroom_keeps_its_english_words(client, indexed, day_of_news, address, words):
    with indexed():
        EventFactory(summary="The harbour reopens after the storm.")
    html = page(client, address)
    for english in words:
        assert english in html, english
    for french in ["À la une", "L'actualité au jour le jour", "Événements", "En savoir plus", "Contexte", "Affiner"]:
        assert french not in html, french


def test_a_french_masthead_invites_readers_to_sign_in_in_french(client, french):
    ArticleFactory(headline="Harbour plan approved")
    html = page(client, "/news/")
    assert ">Se connecter</a>" in html
    assert '<h2 class="visually-hidden">Articles</h2>' in html
    assert ">Sign in<" not in html and ">Stories<" not in html


def test_a_french_contexts_busy_year_is_split_into_months_named_in_french(client, french):
    for n in range(BUSY_YEAR + 1):
        ArticleFactory(publish_at=timezone.make_aware(datetime(2023, 5, 1 + n % 28, 9)), tags=["Harbour"])
    html = page(client, "/tags/harbour/")
    assert '<h3 class="timeline__month">Mai 2023 <span class="timeline__count">' in html
    assert "May 2023" not in html


def test_a_french_search_explains_wrong_filters_in_french(client, french):
    ArticleFactory(headline="Harbour plan approved")
    response = client.get("/search/?q=harbour&kind=poem&from=yesterday")
    assert response.status_code == 400
    html = response.content.decode()
    assert "« poem » n&#x27;est pas un type de contenu. Choisissez article ou event." in html
    assert "La date de début « yesterday » n&#x27;est pas une date." in html
    assert "is not a kind of story" not in html and "is not a date" not in html


def test_a_french_search_names_its_filters_and_refinements_in_french(
    client, french, django_capture_on_commit_callbacks
):
    # On PostgreSQL a story is indexed for search once it is committed.
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(headline="Harbour plan approved", tags=["Port"])
        EventFactory(summary="A harbour storm closes the road.", category=Event.Category.DISASTERS, tags=["Port"])
    html = page(client, "/search/?q=harbour&from=2024-03-01&to=2030-12-31")
    assert ">Du 1 mars 2024 <span" in html and ">Au 31 décembre 2030 <span" in html
    for heading in ["Type", "Catégorie d&#x27;événement", "Contextes"]:
        assert f'class="facet__name">{heading}</h3>' in html, heading
    assert ">Événement</a>" in html and ">Catastrophes et accidents</a>" in html
    # Each result says what it is in French too.
    assert '<span class="kicker">Événement</span> · <span>Catastrophes et accidents</span>' in html
    html = page(client, "/search/?q=harbour&type=news")
    assert ">Genre d&#x27;article : Actualité <span" in html
    for english in ["Article kind", "Event category", ">From ", ">Event</a>"]:
        assert english not in html, english
