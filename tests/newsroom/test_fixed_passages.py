"""Fixed passages (``{% fixed %}``): the header's and footer's words rendered once per language, never a page's own.

A passage is kept by language, script prefix and site name, and forgotten when settings change; what it may
hold is checked when the template is read, so a story's title or a reader's name can never be kept in one.
"""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import override_settings
from django.urls import set_script_prefix
from django.utils import translation

from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def render(source: str, **context) -> str:
    return Template("{% load i18n static dateline %}" + source).render(Context(context))


def test_a_fixed_passage_shows_its_words_in_the_language_of_each_page():
    template = Template('{% load i18n dateline %}{% fixed %}<a href="{% fixed_url "newsroom:latest" %}">'
                        '{% translate "Latest" %}</a>{% endfixed %}')  # fmt: skip

    with translation.override("en"):
        assert template.render(Context()) == '<a href="/news/">Latest</a>'
    with translation.override("fr"):
        assert template.render(Context()) == '<a href="/news/">Dernières nouvelles</a>'
    with translation.override("en"):
        assert template.render(Context()) == '<a href="/news/">Latest</a>'


def test_a_fixed_passage_follows_the_script_prefix_the_site_is_served_under():
    template = Template('{% load dateline %}{% fixed %}{% fixed_url "newsroom:corrections" %}{% endfixed %}')
    try:
        set_script_prefix("/paper/")
        assert template.render(Context()) == "/paper/corrections/"
    finally:
        set_script_prefix("/")
    assert template.render(Context()) == "/corrections/"


def test_a_fixed_passage_shows_the_site_name_it_is_given():
    source = "{% fixed %}{% blocktranslate %}{{ site_name }}: latest (RSS){% endblocktranslate %}{% endfixed %}"

    assert render(source, site_name="Harbour Gazette") == "Harbour Gazette: latest (RSS)"
    assert render(source, site_name="Valley Post") == "Valley Post: latest (RSS)"


def test_a_change_of_settings_forgets_every_fixed_passage():
    template = Template("{% load static dateline %}{% fixed %}{% static 'css/site.css' %}{% endfixed %}")
    before = template.render(Context())

    with override_settings(STATIC_URL="/assets/"):
        assert template.render(Context()) == "/assets/css/site.css"
    assert template.render(Context()) == before


def test_an_address_a_fixed_passage_names_for_itself_stays_inside_it():
    source = "{% fixed %}{% url 'newsroom:home' as home %}[{{ home }}]{% endfixed %}({{ home }})"

    assert render(source) == "[/]()"
    assert render(source) == "[/]()"


@pytest.mark.parametrize(
    "passage",
    [
        "{{ story.title }}",
        "{{ site_name|upper }}",
        "{% translate story.kind %}",
        "{% translate 'Latest' as latest %}",
        "{% blocktranslate with name=reader %}Hello {{ name }}{% endblocktranslate %}",
        "{% blocktranslate %}Hello {{ reader }}{% endblocktranslate %}",
        "{% blocktranslate count n=total %}one{% plural %}many{% endblocktranslate %}",
        "{% static path %}",
        "{% url 'newsroom:tag' slug %}",
        "{% fixed_url name %}",
        "{% if user.is_authenticated %}Signed in{% endif %}",
        "{% now 'Y' %}",
    ],
)
def test_a_fixed_passage_refuses_anything_that_may_differ_between_pages(passage):
    with pytest.raises(TemplateSyntaxError, match="fixed"):
        Template("{% load i18n static dateline %}{% fixed %}" + passage + "{% endfixed %}")


def test_pages_with_fixed_passages_show_the_site_name_and_header_words(client, settings):
    settings.DATELINE_SITE_NAME = "Harbour Gazette"
    event = EventFactory(summary="A storm closes the coast road.")

    for address in ("/", "/news/", event.get_absolute_url()):
        page = client.get(address).content.decode()
        assert 'title="Harbour Gazette: latest (RSS)"' in page
        assert '<a class="masthead__name" href="/">Harbour Gazette</a>' in page
        assert ">Skip to content</a>" in page
