"""Signed-in readers' pages are never stored or replayed to anyone, and stored pages never name a reader."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import ArticleFactory
from tests.readers.helpers import confirmed_reader, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.DATELINE_PAGE_CACHE = True
    settings.DATELINE_PAGE_CACHE_SERVE = True


@pytest.fixture
def reader_client():
    confirmed_reader(name="Ana from the harbour")
    client = Client()
    sign_in(client)
    return client


@pytest.mark.parametrize("address", ["/", "/news/", "story"])
def test_a_page_rendered_for_a_signed_in_reader_is_not_stored(reader_client, address):
    story = ArticleFactory()
    url = story.get_absolute_url() if address == "story" else address
    response = reader_client.get(url)
    assert "Ana from the harbour" in response.content.decode()
    assert "X-Page-Cache" not in response
    anonymous = Client().get(url)
    assert anonymous["X-Page-Cache"] == "miss"
    assert "Ana from the harbour" not in anonymous.content.decode()
    assert ">Sign in</a>" in anonymous.content.decode()


def test_a_stored_page_is_not_replayed_to_a_signed_in_reader(reader_client):
    story = ArticleFactory()
    Client().get(story.get_absolute_url())
    assert Client().get(story.get_absolute_url())["X-Page-Cache"] == "hit"
    response = reader_client.get(story.get_absolute_url())
    assert "X-Page-Cache" not in response
    page = response.content.decode()
    assert "Ana from the harbour" in page and ">Sign in</a>" not in page


def test_after_signing_out_the_reader_gets_stored_pages_again(reader_client):
    story = ArticleFactory()
    Client().get(story.get_absolute_url())
    response = reader_client.post("/accounts/logout/")
    assert response.cookies["sessionid"]["max-age"] == 0
    # As a browser does with a cookie the site has expired.
    for name in [name for name, cookie in reader_client.cookies.items() if not cookie.value]:
        del reader_client.cookies[name]
    response = reader_client.get(story.get_absolute_url())
    assert response["X-Page-Cache"] == "hit"
    assert ">Sign in</a>" in response.content.decode()


@pytest.mark.parametrize("address", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_account_pages_are_never_stored(client, address):
    for _ in range(2):
        response = client.get(address)
        assert response.status_code == 200
        assert "X-Page-Cache" not in response
