"""What a request leaves behind: a page's data is freed when the page is done, and long-lived objects are frozen."""

import gc
import weakref

import pytest
from django.template import engines
from django.test import RequestFactory

from newsroom import wsgi


class Story:
    headline = "Harbour wall repaired before the winter storms"


@pytest.fixture
def no_collector():
    """Only reference counting frees anything while the test runs."""
    was_enabled = gc.isenabled()
    gc.disable()
    yield
    if was_enabled:
        gc.enable()


def test_a_rendered_pages_data_is_freed_without_waiting_for_the_garbage_collector(no_collector):
    template = engines["django"].from_string("<h1>{{ story.headline }}</h1>{% for n in numbers %}{{ n }}{% endfor %}")
    story = Story()
    left = weakref.ref(story)

    html = template.render({"story": story, "numbers": [1, 2]}, request=RequestFactory().get("/"))
    del story

    assert html == "<h1>Harbour wall repaired before the winter storms</h1>12"
    assert left() is None


def test_a_template_that_fails_still_lets_its_data_go(no_collector):
    template = engines["django"].from_string("{% include 'no/such/template.html' %}")
    story = Story()
    left = weakref.ref(story)

    with pytest.raises(Exception, match="no/such/template.html"):
        template.render({"story": story}, request=RequestFactory().get("/"))
    del story

    assert left() is None


def test_the_test_client_still_sees_the_context_a_page_was_rendered_with(client, db):
    response = client.get("/search/?q=harbour")

    assert response.status_code == 200
    assert response.context["q"] == "harbour"


def test_a_worker_freezes_what_it_has_loaded_at_start_and_again_after_its_first_requests(monkeypatch):
    monkeypatch.setattr(wsgi, "FREEZE_AFTER_REQUESTS", (2, 4))
    frozen_after = []
    served = []

    def page(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    monkeypatch.setattr(wsgi.FreezingApplication, "freeze", lambda self: frozen_after.append(len(served)))
    application = wsgi.FreezingApplication(page)
    for _ in range(6):
        served.append(application({}, lambda status, headers: None))

    assert frozen_after == [0, 1, 3]
    assert served == [[b"ok"]] * 6
