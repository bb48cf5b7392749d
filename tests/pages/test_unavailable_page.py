"""The page readers get while the database cannot be reached is valid HTML too (Nu HTML Checker)."""

import json
import subprocess

import pytest
from django.test import Client

from tests.factories import ArticleFactory, SectionFactory
from tests.newsroom.test_database_down import database_down

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
    result = subprocess.run(
        [*vnu_command, "--format", "json", "--stdout", "--exit-zero-always", str(page)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    errors = [
        m["message"] for m in json.loads(result.stdout)["messages"] if m["type"] in {"error", "non-document-error"}
    ]
    assert not errors, "\n".join(errors)
