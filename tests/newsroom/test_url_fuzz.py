"""No address answers 500 to a malformed or hostile request.

Every route of the site's URLconf (public pages, feeds, sitemaps, comments and media) is
found by walking ``newsroom.urls``, so a route added later is fuzzed without touching this
file. Each path parameter in turn gets hostile values while the others keep values that
point at real rows, so the hostile value reaches the deepest code that reads it; then each
common query parameter gets the same treatment on the route's real address.

What is asserted:
- nothing answers 5xx, to GET, HEAD or POST, anonymous or signed in as an editor;
- a NUL byte or bytes that are not UTF-8, in the path or the query, answer 400;
- a hostile path parameter names nothing, so it answers 4xx or a redirect;
- a query parameter a page does not read may be ignored (200), but never crashes it.

The admin gets a lighter pass: each model's list with hostile list parameters, and its
change page with hostile object ids.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.exceptions import BadRequest
from django.db import DataError
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone

from events.models import Event
from newsroom.models import PreviewLink
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    EventFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

STORY_DAY = date(2012, 4, 23)

# Percent-encoded as they travel on the wire; the client decodes the path as a WSGI server does.
NUL = ["%00", "vote%00", "%00%00%00"]
NOT_UTF8 = ["%ff%fe", "%c0%af", "caf%e9", "%ed%a0%80"]
HOSTILE = [
    *NUL,
    *NOT_UTF8,
    "x" * 10_000,
    "../../etc/passwd",
    "..%2f..%2fetc%2fpasswd",
    "%2e%2e%2f%2e%2e%2f",
    "99999999999999999999",
    "-1",
    "0",
    "0000",
    "10000",
    "13",
    "32",
    "abc",
    "%20",
    "%3Cscript%3E",
    "'%22;--",
]
QUERY_PARAMS = [
    "page",
    "cpage",
    "q",
    "sort",
    "format",
    "from",
    "to",
    "kind",
    "type",
    "category",
    "tag",
    "section",
    "author",
    "next",
]
QUERY_VALUES = ["x" * 10_000, "../../etc/passwd", "99999999999999999999", "-1", "0", "abc", "%5B%5D", "1e9"]
# Dates the date routes accept by shape but that do not exist.
BAD_DATES = [
    {"year": "0000", "month": "01", "day": "01"},
    {"year": "9999", "month": "12", "day": "31"},
    {"year": "2012", "month": "13", "day": "01"},
    {"year": "2012", "month": "00", "day": "01"},
    {"year": "2012", "month": "04", "day": "32"},
    {"year": "2012", "month": "02", "day": "30"},
    {"year": "2011", "month": "02", "day": "29"},
    {"year": "2012", "month": "4", "day": "0"},
    {"year": "2012", "month": "99", "day": "99"},
]
MALFORMED = set(NUL) | set(NOT_UTF8)
# Routes that take a POST without a form token by design: a story page's script reporting a read can change
# nothing but a counter (newsroom.popularity), so it answers 204 with or without one.
NO_TOKEN_NEEDED = {"newsroom:read"}
# Values some route may legitimately accept (a day "13", a slug "abc"); the rest name nothing anywhere.
MAYBE_VALID = {"-1", "0", "0000", "10000", "13", "32", "abc"}


@pytest.fixture(autouse=True)
def quiet_logs():
    """Thousands of expected 404s and 400s would bury a real failure's report."""
    loggers = [logging.getLogger(name) for name in ("django.request", "django.security")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


@dataclass(frozen=True)
class Route:
    name: str
    template: str  # the address with "{param}" holes
    params: tuple[str, ...]

    def __str__(self) -> str:
        return self.name


GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def _template(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return CONVERTER.sub(r"{\1}", str(pattern._route))
    if isinstance(pattern, RegexPattern):
        text = GROUP.sub(r"{\1}", pattern._regex).lstrip("^").rstrip("$")
        return re.sub(r"\\(.)", r"\1", text)
    raise TypeError(f"Unknown pattern type {type(pattern)!r}")


def walk(resolver, prefix: str = "", namespace: str = "") -> list[Route]:
    routes = []
    for entry in resolver.url_patterns:
        here = prefix + _template(entry.pattern)
        if isinstance(entry, URLResolver):
            if here.startswith("admin/"):
                continue  # the admin has its own pass below
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            routes += walk(entry, here, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else here
            routes.append(Route(name, "/" + here, tuple(re.findall(r"{(\w+)}", here))))
    return routes


ROUTES = walk(get_resolver("newsroom.urls"))


def test_the_walk_finds_every_kind_of_route():
    names = {route.name for route in ROUTES}
    assert {"newsroom:story", "newsroom:tag", "newsroom:search", "comments:post", "comments:flag"} <= names
    assert len(ROUTES) >= 30


@pytest.fixture
def site():
    section = SectionFactory(name="Harbour desk", slug="harbour")
    author = AuthorFactory(name="Ana Ruiz", slug="ana-ruiz")
    article = ArticleFactory(
        headline="Harbour plan approved",
        slug="vote",
        section=section,
        authors=[author],
        publish_at=datetime(2012, 4, 23, 9, tzinfo=ZoneInfo("UTC")),
        tags=["Harbour"],
    )
    EventFactory(summary="A storm closes the road.", date=STORY_DAY, slug="storm", tags=["Harbour"])
    comment = CommentFactory(story=article)
    link = PreviewLink.objects.create(story=article, expires_at=timezone.now() + timedelta(days=1))
    return {
        "year": "2012",
        "month": "04",
        "day": "23",
        "slug": "vote",
        "path": section.path,
        "story_id": str(article.pk),
        "pk": str(comment.pk),
        "token": link.get_absolute_url().rstrip("/").rsplit("/", 1)[-1],
        "section": "pages",
        "tag_slug": "harbour",
        "author_slug": "ana-ruiz",
    }


def good_values(route: Route, site: dict) -> dict[str, str]:
    values = {}
    for param in route.params:
        if param == "slug" and "tag" in route.name:
            values[param] = site["tag_slug"]
        elif param == "slug" and "author" in route.name:
            values[param] = site["author_slug"]
        else:
            values[param] = site.get(param, "x")
    return values


def fill(route: Route, values: dict[str, str]) -> str:
    return route.template.format(**values)


@pytest.mark.parametrize(
    "url",
    [
        "/sections/harbour/?page=%00",
        "/sections/harbour%00/",
        "/feeds/sections/harbour/rss/?page=%00",
        "/feeds/tags/harbour%00/rss/",
        "/search/?q=caf%e9",
    ],
)
def test_a_nul_byte_or_broken_utf8_answers_400_with_a_page_for_readers(site, url):
    response = Client(raise_request_exception=False).get(url)

    assert response.status_code == 400
    assert "We could not read that address" in response.content.decode()


@pytest.fixture(params=["anonymous", "editor"])
def client(request, site):
    client = Client(raise_request_exception=False)
    if request.param == "editor":
        editor = UserFactory(username="fuzz-editor", is_staff=True)
        editor.groups.add(Group.objects.get(name="Editor"))
        client.force_login(editor)
    return client


def csrf_client(client: Client) -> tuple[Client, str]:
    """The same signed-in client with CSRF checks on, and a valid token for it."""
    checked = Client(enforce_csrf_checks=True, raise_request_exception=False)
    checked.cookies = client.cookies
    token = _get_new_csrf_string()
    checked.cookies["csrftoken"] = token
    return checked, token


class Problems:
    def __init__(self) -> None:
        self.found: list[str] = []

    def check(self, method: str, url: str, response, *, expect_4xx_or_3xx: bool, expect_400: bool) -> None:
        status = response.status_code
        shown = url if len(url) < 120 else url[:100] + f"... ({len(url)} chars)"
        if status >= 500:
            self.found.append(f"{method} {shown} -> {status}")
        elif expect_400 and status != 400:
            self.found.append(f"{method} {shown} -> {status}, expected 400")
        elif expect_4xx_or_3xx and not 300 <= status < 500:
            self.found.append(f"{method} {shown} -> {status}, expected 4xx or a redirect")


def send(client: Client, method: str, url: str, problems: Problems, **expect) -> None:
    if method == "GET":
        response = client.get(url)
    elif method == "HEAD":
        response = client.head(url)
    else:
        response = client.post(url, {"body": "x", "name": "y", "email": "a@b.example", "reason": "spam"})
    problems.check(method, url, response, **expect)


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_hostile_path_parameters_never_answer_500(client, site, route):
    problems = Problems()
    good = good_values(route, site)
    for param in route.params:
        for value in HOSTILE:
            url = fill(route, {**good, param: value})
            expect = {"expect_4xx_or_3xx": value not in MAYBE_VALID, "expect_400": value in MALFORMED}
            send(client, "GET", url, problems, **expect)
            if value in MALFORMED or value == "99999999999999999999":
                send(client, "HEAD", url, problems, **expect)
    if {"year", "month"} <= set(route.params):
        for bad in BAD_DATES:
            url = fill(route, {**good, **{k: v for k, v in bad.items() if k in route.params}})
            if url != fill(route, good):
                send(client, "GET", url, problems, expect_4xx_or_3xx=True, expect_400=False)
    assert not problems.found, "\n".join(problems.found)


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_hostile_query_parameters_never_answer_500(client, site, route):
    problems = Problems()
    base = fill(route, good_values(route, site))
    for param in QUERY_PARAMS:
        for value in QUERY_VALUES:
            send(client, "GET", f"{base}?{param}={value}", problems, expect_4xx_or_3xx=False, expect_400=False)
    # The malformed ones are refused before any view reads the query, whatever the parameter.
    for param in ["page", "q"]:
        for value in MALFORMED:
            send(client, "GET", f"{base}?{param}={value}", problems, expect_4xx_or_3xx=True, expect_400=True)
    for raw in ["%00", "%ff=1", "page=1&page=%00", "=", "&&&", "page", "a%00b=1"]:
        url = f"{base}?{raw}"
        send(client, "HEAD", url, problems, expect_4xx_or_3xx=False, expect_400="%00" in raw or "%ff" in raw)
    assert not problems.found, "\n".join(problems.found)


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_posts_with_and_without_a_csrf_token_never_answer_500(client, site, route):
    problems = Problems()
    base = fill(route, good_values(route, site))
    checked, token = csrf_client(client)
    for value in ["", "%00", "x" * 10_000, "\x00", "\udcff"[:0] + "caf\u00e9", "99999999999999999999"]:
        data = {"body": value, "name": value, "email": value, "reason": value, "username": value, "password": value}
        for with_token in (False, True):
            payload = {**data, "csrfmiddlewaretoken": token} if with_token else data
            response = checked.post(base, payload)
            problems.check(
                f"POST({'token' if with_token else 'no token'})",
                f"{base} {value[:20]!r}",
                response,
                expect_4xx_or_3xx=not with_token and route.name not in NO_TOKEN_NEEDED,
                expect_400=False,
            )
    response = checked.post(f"{base}?page=%00", {"csrfmiddlewaretoken": token})
    problems.check("POST", f"{base}?page=%00", response, expect_4xx_or_3xx=True, expect_400=True)
    assert not problems.found, "\n".join(problems.found)


# --- The admin ------------------------------------------------------------------------------

ADMIN_LIST_QUERIES = [
    "p=-1",
    "p=0",
    "p=99999999999999999999",
    "p=abc",
    "o=999",
    "o=-999.abc",
    "o=%00",
    "q=%00",
    "q=" + "x" * 10_000,
    "q=%ff%fe",
    "status__exact=%00",
    "status__exact=nonsense",
    "date__year=99999",
    "date__month=13",
    "date__day=32",
    "publish_at__gte=%00",
    "publish_at__gte=not-a-date",
    "id__in=1,abc",
    # Numbers no database column holds: they fail only when the list's query runs.
    "id__in=99999999999999999999999",
    "date__year=99999999999999999999999",
    "story=99999999999999999999999",
    "all=%00",
    "_changelist_filters=%00",
    "e=1",
]


def admin_models():
    return sorted(f"{model._meta.app_label}/{model._meta.model_name}" for model in admin.site._registry)


@pytest.fixture
def editor_client(site):
    client = Client(raise_request_exception=False)
    editor = UserFactory(username="fuzz-admin-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    client.force_login(editor)
    return client


@pytest.mark.parametrize("model", admin_models())
def test_admin_lists_and_change_pages_never_answer_500_to_hostile_parameters(editor_client, model):
    problems = Problems()
    base = f"/admin/{model}/"
    for query in ADMIN_LIST_QUERIES:
        url = f"{base}?{query}"
        send(editor_client, "GET", url, problems, expect_4xx_or_3xx=False, expect_400="%00" in query)
    for object_id in ["%00", "99999999999999999999", "-1", "abc", quote("../../etc/passwd", safe=""), "%ff%fe"]:
        for suffix in ["change/", "delete/", "history/"]:
            url = f"{base}{object_id}/{suffix}"
            send(editor_client, "GET", url, problems, expect_4xx_or_3xx=True, expect_400=False)
    assert not problems.found, "\n".join(problems.found)


def test_an_admin_list_asked_for_a_number_no_column_holds_comes_back_unfiltered(editor_client):
    # A year no date holds fails in Python on every database (a 23-digit id fails on SQLite only:
    # PostgreSQL compares it as a number and finds nothing).
    response = editor_client.get("/admin/newsroom/article/?date__year=99999999999999999999999")
    assert response.status_code == 302
    assert response["Location"] == "/admin/newsroom/article/?e=1"
    page = editor_client.get(response["Location"])
    assert page.status_code == 200
    assert "the list is shown without it" in page.content.decode()


@pytest.mark.parametrize("error", [OverflowError("Python int too large"), DataError("value out of range")])
@pytest.mark.parametrize("path", ["/news/", "/api/v1/stories/"])
def test_a_value_out_of_range_on_any_other_page_answers_400_not_500(rf, error, path):
    from newsroom.malformed import MalformedRequestMiddleware

    def failing_view(request):
        raise error

    request = rf.get(path)
    middleware = MalformedRequestMiddleware(failing_view)
    if path.startswith("/api/"):
        response = middleware.process_exception(request, error)
        assert response.status_code == 400
        assert b"out of range" in response.content
    else:
        with pytest.raises(BadRequest):
            middleware.process_exception(request, error)
    # A write that fails this way is a fault of the site, and is not hidden as the reader's.
    assert middleware.process_exception(rf.post(path), error) is None


@pytest.mark.parametrize("selected", [["abc"], ["1", "abc"], ["%00"], ["1.5"]])
def test_an_action_posted_with_a_garbled_selection_comes_back_to_the_list_and_changes_nothing(
    editor_client, site, selected
):
    before = Event.objects.count()
    response = editor_client.post(
        "/admin/events/event/", {"action": "delete_selected", "_selected_action": selected, "post": "yes"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/events/event/"
    page = editor_client.get(response["Location"]).content.decode()
    assert "The items ticked could not be found" in page
    assert Event.objects.count() == before > 0
