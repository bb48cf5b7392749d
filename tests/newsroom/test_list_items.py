"""How a story reads in a list of stories (/news/, a day, a context, a section, the front page)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.utils import translation

from events.models import Event
from tests.factories import ArticleFactory, AuthorFactory, EventFactory, ImageFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_event_in_a_list_shows_its_category_day_summary_and_a_link_to_its_page(client):
    event = EventFactory(
        date=date(2021, 9, 4),
        category=Event.Category.SCIENCE,
        summary='A probe lands <a href="https://space.example/">on the moon</a>.',
        tags=["Space"],
    )
    for address in ("/news/", "/tags/space/"):
        content = client.get(address).content.decode()
        assert (
            '<article class="item item--event">\n  \n'
            f'    <p class="item__meta"><span class="kicker">{event.get_category_display()}</span> · '
            '<a href="/news/2021/09/04/"><time datetime="2021-09-04">4 Sep 2021</time></a></p>\n'
            '    <p class="item__summary">A probe lands '
            '<a href="https://space.example/" rel="noopener">on the moon</a>. '
            f'<a class="item__more" href="{event.get_absolute_url()}">Sources and related</a></p>\n'
            "  \n</article>"
        ) in content


def test_a_days_events_and_the_fronts_current_events_show_each_summary_with_a_link_to_its_page(client):
    events = [
        EventFactory(
            date=date(2021, 9, 4),
            category=Event.Category.SCIENCE,
            summary='A probe lands <a href="https://space.example/">on the moon</a>.',
        ),
        EventFactory(
            date=date(2021, 9, 4), category=Event.Category.SCIENCE, summary="A second probe is <em>lost</em>."
        ),
    ]
    day = client.get("/news/2021/09/04/").content.decode()
    front = client.get("/").content.decode().split('id="current-events"')[1]
    label = Event.Category.SCIENCE.label
    for event in events:
        summary = event.summary
        assert (
            f'<li>{summary} <a class="item__more" href="{event.get_absolute_url()}">Sources and related</a></li>'
        ) in day
        assert (
            f'<li><span class="kicker">{label}</span> {summary} '
            f'<a class="item__more" href="{event.get_absolute_url()}">More</a></li>'
        ) in front
    assert day.count(f'<h3 class="category">{label}</h3>') == 1


def test_article_in_a_list_shows_its_picture_kind_section_day_headline_standfirst_and_byline(client):
    section = SectionFactory(name="Opinion & Debate", slug="opinion")
    article = ArticleFactory(
        headline="Why the <script>harbour</script> plan fails",
        standfirst='A "modest" proposal & its critics.',
        article_type="opinion",
        section=section,
        lead_image=ImageFactory(),
        publish_at=datetime(2021, 9, 4, 10, 30, tzinfo=UTC),
        authors=[AuthorFactory(name="Ana O'Neil", slug="ana-oneil")],
        tags=["Harbour"],
    )
    url = article.get_absolute_url()
    for address in ("/news/", "/tags/harbour/", "/sections/opinion/", "/authors/ana-oneil/"):
        content = client.get(address).content.decode()
        item = content.split('<article class="item item--article">')[1].split("</article>")[0]
        assert (
            f'<a class="item__image-link" href="{url}" tabindex="-1" aria-hidden="true"><picture class="picture">'
            in item
        )
        assert 'class="item__image"' in item and 'alt=""' in item and 'loading="lazy"' in item
        assert (
            '<p class="item__meta"><span class="kicker">Opinion</span> '
            '<a href="/sections/opinion/">Opinion &amp; Debate</a> · '
            '<time datetime="2021-09-04T11:30:00+0100">4 Sep 2021</time></p>'
        ) in item
        assert (
            f'<h3 class="item__title"><a href="{url}">Why the &lt;script&gt;harbour&lt;/script&gt; plan fails</a></h3>'
        ) in item
        assert '<p class="item__standfirst">A &quot;modest&quot; proposal &amp; its critics.</p>' in item
        assert '<a href="/authors/ana-oneil/">Ana O&#x27;Neil</a>' in item
        assert "<script>" not in item


@pytest.mark.parametrize(
    "moment, machine, shown",
    [
        # British summer time, then winter: the offset follows the day, as the date filter wrote it.
        (datetime(2021, 9, 4, 23, 30, tzinfo=UTC), "2021-09-05T00:30:00+0100", "5 Sep 2021"),
        (datetime(2021, 12, 4, 9, 5, 7, tzinfo=UTC), "2021-12-04T09:05:07+0000", "4 Dec 2021"),
    ],
)
def test_article_item_gives_its_time_in_the_newsrooms_zone(client, moment, machine, shown):
    ArticleFactory(publish_at=moment, headline="Ferry timetable changes")
    content = client.get("/news/").content.decode()
    assert f'<time datetime="{machine}">{shown}</time></p>' in content


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_item_time_reads_as_the_date_filter_writes_it_in_any_language(language):
    from django.template.defaultfilters import date as date_filter
    from django.utils import translation
    from django.utils.timezone import template_localtime

    from newsroom.templatetags.dateline import _item_time

    moment = datetime(2021, 2, 4, 10, 0, 9, tzinfo=UTC)
    with translation.override(language):
        local = template_localtime(moment)
        machine, shown = date_filter(local, "Y-m-d\\TH:i:sO"), date_filter(local, "j M Y")
        expected = f'<time datetime="{machine}">{shown}</time>'
        assert _item_time(moment) == expected


def test_a_french_newsrooms_front_page_names_its_current_events_categories_in_french(client, settings):
    settings.LANGUAGE_CODE = "fr"
    event = EventFactory(category=Event.Category.SCIENCE, summary="Une sonde se pose sur la lune.")
    with translation.override("fr"):
        label = translation.gettext(Event.Category.SCIENCE.label)
    assert label != Event.Category.SCIENCE.label
    front = client.get("/").content.decode().split('id="current-events"')[1]
    assert f'<li><span class="kicker">{label}</span> {event.summary} ' in front
    # The same words as the event's own page and the lists of stories.
    assert f'<p class="kicker">{label}</p>' in client.get(event.get_absolute_url()).content.decode()


def test_a_months_page_lists_each_event_and_article_on_one_line_with_its_kind_and_a_link(client):
    event = EventFactory(
        date=date(2021, 9, 4),
        category=Event.Category.SCIENCE,
        summary='A probe lands <a href="https://space.example/">on the moon</a>.',
    )
    article = ArticleFactory(
        publish_at=datetime(2021, 9, 4, 12, tzinfo=UTC),
        article_type="editorial",
        headline='Why "<b>moon</b>" & why now',
    )
    content = client.get("/news/2021/09/").content.decode()
    assert (
        f'<li><span class="kicker">{event.get_category_display()}</span> A probe lands '
        '<a href="https://space.example/" rel="noopener">on the moon</a>. '
        f'<a class="item__more" href="{event.get_absolute_url()}">More</a></li>'
    ) in content
    assert (
        '<li><span class="kicker">Editorial</span> '
        f'<a href="{article.get_absolute_url()}">Why &quot;&lt;b&gt;moon&lt;/b&gt;&quot; &amp; why now</a></li>'
    ) in content
    assert "<b>moon</b>" not in content
