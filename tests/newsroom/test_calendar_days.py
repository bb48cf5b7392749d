"""The ``date`` filter keeps a calendar day's text: the pages read exactly as with Django's own filter."""

import datetime
import zoneinfo

import pytest
from django.template import Context, Template
from django.template.defaultfilters import date as django_date
from django.utils import timezone, translation

from newsroom.templatetags.calendar_days import _day_text

DAY = datetime.date(2012, 4, 23)
EVERY_LETTER = "d D E F j l L m M n N S t w W y Y z b c U r"


def rendered(source: str, **values) -> str:
    return Template(source).render(Context(values))


@pytest.fixture(autouse=True)
def fresh():
    _day_text.cache_clear()
    yield
    _day_text.cache_clear()


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("form", [*EVERY_LETTER.split(), "j M Y", "l j F Y", "Y-m-d", "DATE_FORMAT", None])
def test_a_day_reads_as_djangos_filter_writes_it_twice_over(language, form):
    with translation.override(language):
        expected = django_date(DAY, form)
        argument = "" if form is None else f':"{form}"'
        first = rendered("{{ day|date" + argument + " }}", day=DAY)
        again = rendered("{{ day|date" + argument + " }}", day=DAY)
    assert expected
    assert first == again == str(expected).replace("'", "&#x27;")


def test_the_same_day_is_written_in_the_language_of_the_page():
    source = '{{ day|date:"l j F Y" }}'
    with translation.override("en"):
        english = rendered(source, day=DAY)
    with translation.override("fr"):
        french = rendered(source, day=DAY)
    with translation.override("en"):
        english_again = rendered(source, day=DAY)
    assert english == english_again == "Monday 23 April 2012"
    assert french == "lundi 23 avril 2012"


def test_a_changed_date_format_setting_is_followed(settings):
    with translation.override(None):
        before = rendered("{{ day|date }}", day=DAY)
        settings.DATE_FORMAT = "Y/m/d"
        after = rendered("{{ day|date }}", day=DAY)
    assert before != after
    assert after == "2012/04/23"


def test_a_moment_is_written_in_the_time_zone_it_is_shown_in():
    moment = datetime.datetime(2012, 4, 23, 23, 30, tzinfo=datetime.UTC)
    source = '{{ moment|date:"j F Y, H:i" }}'
    with timezone.override(zoneinfo.ZoneInfo("Europe/London")):
        london = rendered(source, moment=moment)
    with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        new_york = rendered(source, moment=moment)
    assert london == "24 April 2012, 00:30"
    assert new_york == "23 April 2012, 19:30"


def test_nothing_and_not_a_date_read_as_with_djangos_filter():
    assert rendered("[{{ nothing|date:'j M Y' }}]", nothing=None) == "[]"
    assert rendered("[{{ word|date:'j M Y' }}]", word="yesterday") == "[]"


def test_a_day_written_by_a_template_twice_is_written_once():
    template = Template('{{ day|date:"j M Y" }} {{ day|date }}')
    with translation.override("en"):
        template.render(Context({"day": DAY}))
        template.render(Context({"day": DAY}))
    kept = _day_text.cache_info()
    assert (kept.misses, kept.hits) == (2, 2)
