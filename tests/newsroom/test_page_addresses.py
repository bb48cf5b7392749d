"""The addresses every page links in its header and footer are the routes' own."""

from __future__ import annotations

import pytest
from django.template import engines
from django.urls import reverse, set_script_prefix

pytestmark = pytest.mark.django_db


def test_header_and_footer_link_the_addresses_of_their_routes(client):
    content = client.get(reverse("newsroom:latest")).content.decode()
    for name in ("newsroom:home", "newsroom:latest", "newsroom:corrections", "newsroom:feed_latest", "account_login"):
        assert f'href="{reverse(name)}"' in content
    assert f'action="{reverse("newsroom:search")}"' in content


def test_fixed_address_follows_the_script_prefix():
    template = engines["django"].from_string("{% load dateline %}{% fixed_url 'newsroom:latest' %}")
    try:
        set_script_prefix("/paper/")
        assert template.render({}) == "/paper/news/"
    finally:
        set_script_prefix("/")
    assert template.render({}) == "/news/"


@pytest.mark.parametrize("path", ["news", "news/world", "opinion/editorials/letters", "café/été", "a b/c%d"])
def test_section_address_is_the_one_its_route_gives(path):
    from newsroom.models import Section

    assert Section(name="Any", slug="any", path=path).get_absolute_url() == reverse(
        "newsroom:section", kwargs={"path": path}
    )
