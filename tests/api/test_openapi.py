"""The OpenAPI document describes what every endpoint really answers.

Schemathesis reads /api/v1/openapi.json, generates requests for each operation
from it (valid and invalid parameters alike) and checks every response against
the document: status codes, content types, headers and bodies. The number of
examples is kept small so the whole module runs in a few seconds per endpoint.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from newsroom.models import Correction
from newsroom.querysets import Status
from tests.factories import ArticleFactory, AuthorFactory, EventFactory, ImageFactory, SectionFactory, SourceFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def in_test_transaction():
    """Requests go straight to the WSGI application, which closes the database connection after each one
    (and so the test's transaction on PostgreSQL) unless told not to, as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def newsroom(db, in_test_transaction):
    section = SectionFactory(name="Harbour desk", slug="harbour")
    author = AuthorFactory(name="Ana Ruiz", slug="ana-ruiz")
    original = ArticleFactory(
        headline="Harbour plan approved", section=section, authors=[author], tags=["Harbour"], lead_image=ImageFactory()
    )
    ArticleFactory(headline="Le plan du port", language="fr", translation_of=original, tags=["Harbour"])
    SourceFactory(story=original)
    Correction.objects.create(story=original, note="The vote was on Tuesday, not Monday.")
    EventFactory(summary="A storm closes the <em>coast</em> road.", tags=["Harbour", "Storms"])
    ArticleFactory(headline="Withdrawn story", status=Status.WITHDRAWN)


def test_the_document_is_at_a_stable_address_and_lists_every_resource(client):
    document = client.get("/api/v1/openapi.json").json()

    assert document["info"]["title"] == "Dateline content API"
    assert {
        "/api/v1/stories",
        "/api/v1/stories/{story_id}",
        "/api/v1/articles",
        "/api/v1/events",
        "/api/v1/contexts",
        "/api/v1/sections",
        "/api/v1/authors",
        "/api/v1/outlets",
    } <= set(document["paths"])


def test_the_interactive_docs_load_their_script_from_this_site(client):
    page = client.get("/api/v1/docs/")

    assert page.status_code == 200
    assert 'src="/static/ninja/swagger-ui-bundle.js"' in page.content.decode()


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_endpoint_answers_as_the_document_says(case, newsroom):
    # Left out: the check that every well-formed request succeeds. A cursor the API never gave out, a section
    # that does not exist or a start date after the end date are well-formed and still refused with a 400
    # that says why; every other check, the response's conformance to the document included, runs.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
