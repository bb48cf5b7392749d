"""How an event reads in a list of stories (/news/, a context's page): category, day, summary, link."""

from __future__ import annotations

from datetime import date

import pytest

from events.models import Event
from tests.factories import EventFactory

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
