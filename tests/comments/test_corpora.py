"""Corpora: spam the rules must catch, ordinary comments they must let through, and markup that must stay text."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from newsroom.comments import services
from newsroom.comments.models import Comment, WordRule
from newsroom.comments.rules import CommentRefused
from tests.comments.utils import load_corpus
from tests.factories import ArticleFactory, CommentFactory, ModeratorFactory

pytestmark = pytest.mark.django_db

XSS = load_corpus("xss_payloads.txt")
SPAM = load_corpus("spam_comments.txt")
NORMAL = load_corpus("normal_comments.txt")

# The word list a new site starts with (the data migration's list), made here so the test stands alone.
WORD_LIST = {
    "viagra": "spam",
    "cialis": "spam",
    "payday loan": "spam",
    "payday loans": "spam",
    "replica watches": "spam",
    "essay writing service": "spam",
    "crypto giveaway": "spam",
    "casino bonus": "spam",
    "work from home": "hold",
    "earn money fast": "hold",
    "click here": "hold",
    "buy now": "hold",
    "limited offer": "hold",
    "whatsapp": "hold",
    "telegram": "hold",
}


def test_corpora_are_big_enough():
    assert len(XSS) >= 100
    assert len(SPAM) >= 25
    assert len(NORMAL) >= 25


@pytest.fixture
def trusted_story(settings):
    settings.COMMENTS_FLOOD_LIMIT = 1000
    for phrase, action in WORD_LIST.items():
        WordRule.objects.update_or_create(phrase=phrase, defaults={"action": action})
    story = ArticleFactory()
    CommentFactory(story=story, name="Regular Reader", email="regular@readers.example")
    return story


def post_as_regular(story, body: str) -> Comment:
    return services.post_comment(
        story=story, body=body, name="Regular Reader", email="regular@readers.example", ip_address="198.51.100.20"
    )


@pytest.mark.parametrize("body", SPAM)
def test_spam_never_reaches_the_page_even_from_a_trusted_commenter(trusted_story, body):
    try:
        comment = post_as_regular(trusted_story, body)
    except CommentRefused:
        return
    assert comment.status in ("pending", "spam"), comment.held_reason
    assert comment.held_reasons
    assert body not in Client().get(trusted_story.get_absolute_url()).content.decode()


def test_ordinary_comments_go_straight_through_for_a_trusted_commenter(trusted_story):
    held = {}
    for body in NORMAL:
        comment = post_as_regular(trusted_story, body)
        if comment.status != "approved":
            held[body] = comment.held_reason
    assert held == {}
    assert Comment.objects.approved().count() == len(NORMAL) + 1


class MarkupCensus(HTMLParser):
    """Every element and attribute inside the part of a page that shows readers' words."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


SAFE_ELEMENTS = {"li", "article", "header", "span", "a", "bdi", "time", "strong", "div", "p", "br", "ol"}
SAFE_ATTRIBUTES = {"class", "id", "href", "rel", "datetime", "dir", "title"}


def assert_only_our_markup(fragment: str) -> None:
    census = MarkupCensus()
    census.feed(fragment)
    assert census.elements
    for tag, attrs in census.elements:
        assert tag in SAFE_ELEMENTS, (tag, attrs)
        assert set(attrs) <= SAFE_ATTRIBUTES, (tag, attrs)
        href = attrs.get("href")
        if href is not None:
            assert href.startswith(("https://", "http://", "/comments/")), href
        if tag == "a" and href and not href.startswith("/comments/"):
            assert attrs.get("rel") == "nofollow ugc noopener"


def test_hostile_markup_in_body_name_and_website_stays_text_on_the_story_page(settings):
    settings.COMMENTS_PER_PAGE = 1000
    story = ArticleFactory()
    for payload in XSS:
        CommentFactory(story=story, body=payload, name=payload[:100], url=payload[:500])
    content = Client().get(story.get_absolute_url()).content.decode()
    start = content.index('<ol class="comments__list">')
    fragment = content[start : content.index("</ol>", start) + 5]
    assert_only_our_markup(fragment)
    assert fragment.count('class="comment"') == len(XSS)


def test_hostile_markup_stays_text_in_the_moderation_queue(client):
    client.force_login(ModeratorFactory())
    story = ArticleFactory()
    for payload in XSS:
        CommentFactory(
            story=story, body=payload, name=payload[:100], url=payload[:500], status="pending", held_reason=payload
        )
    content = client.get("/admin/comments/comment/", {"all": ""}).content.decode()
    table = content[content.index("<tbody>") : content.index("</tbody>")]
    census = MarkupCensus()
    census.feed(table)
    tags = {tag for tag, _ in census.elements}
    assert tags <= {
        "time",
        "tbody",
        "tr",
        "td",
        "th",
        "input",
        "span",
        "a",
        "bdi",
        "br",
        "small",
        "ul",
        "li",
        "button",
    }, tags
    for tag, attrs in census.elements:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if "href" in attrs:
            assert attrs["href"].startswith(("/", "http://", "https://")), attrs["href"]
