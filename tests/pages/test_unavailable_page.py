"""The page readers get while the database cannot be reached is valid HTML too (Nu HTML Checker)."""

import pytest
from django.test import Client

from tests.factories import ArticleFactory, SectionFactory
from tests.newsroom.test_database_down import database_down
from tests.pages.conftest import vnu_errors

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["get", "post"])
def test_unavailable_page_passes_the_nu_html_checker(vnu_command, tmp_path, method):
    section = SectionFactory(name="Harbour desk", slug="harbour-desk")
    story = ArticleFactory(section=section)
    client = Client(raise_request_exception=False)
    assert client.get("/").status_code == 200  # keeps the navigation in the cache, as on a live site
    with database_down():
        # A page read, and a comment sent (the page then says it was not saved).
        response = client.get("/") if method == "get" else client.post(f"/comments/post/{story.pk}/", {"body": "Hi"})
    assert response.status_code == 503
    assert "Harbour desk" in response.content.decode()
    page = tmp_path / "unavailable.html"
    page.write_bytes(response.content)
    errors = vnu_errors(vnu_command, [page])
    assert not errors, "\n".join(errors)
