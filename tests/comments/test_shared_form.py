"""A story's comment form is the same for every reader, so story pages can be kept by a shared cache.

The form token and the time stamp come from /comments/token/<id>/ when the reader starts to write; a post
without a good token saves nothing and comes back as "Confirm your comment", everything typed kept.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from newsroom.comments.models import Comment
from tests.comments.utils import form_data, post_url
from tests.factories import ArticleFactory, CommentFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db

TYPED = {
    "body": "The new berth <b>will</b> help the “ferry” timetable.\n\nWho decides?",
    "name": "Maria Lopes",
    "email": "maria@readers.example",
    "url": "https://maria.example/notes",
    "agree": "on",
    "subject": "",
}


@pytest.fixture
def story():
    return ArticleFactory(headline="Harbour plan approved", comments="open")


@pytest.fixture(autouse=True)
def quick_readers(settings):
    """These readers press "Post comment" on the confirm page at once; the time trap has tests of its own."""
    settings.COMMENTS_MIN_FILL_SECONDS = 0


@pytest.fixture
def strict():
    """A browser whose posts go through Django's CSRF check, as real ones do."""
    return Client(enforce_csrf_checks=True)


class FormFields(HTMLParser):
    """What a browser would send from the page's comment form: every field with its value."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.inside = False
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "comment-form" in (attrs.get("class") or ""):
            self.inside = True
        elif self.inside and tag == "input" and attrs.get("name"):
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.fields[attrs["name"]] = attrs.get("value") or "on"
            else:
                self.fields[attrs["name"]] = attrs.get("value") or ""
        elif self.inside and tag == "textarea":
            self.textarea = attrs["name"]
            self.fields[self.textarea] = ""

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.inside = False


def form_fields(response) -> dict[str, str]:
    parser = FormFields()
    parser.feed(response.content.decode())
    # A browser drops the one line break that follows <textarea>.
    if parser.fields.get("body", "").startswith("\n"):
        parser.fields["body"] = parser.fields["body"][1:]
    return parser.fields


def token_for(client, story) -> dict:
    response = client.get(f"/comments/token/{story.pk}/")
    assert response.status_code == 200
    return response.json()


def test_the_story_page_form_carries_no_token_or_time_stamp_and_names_where_to_ask(client, story):
    for page_of in (story, EventFactory(comments="open")):
        fields = form_fields(client.get(page_of.get_absolute_url()))
        assert "csrfmiddlewaretoken" not in fields
        assert fields["started"] == ""
        content = client.get(page_of.get_absolute_url()).content.decode()
        assert f'data-token-url="/comments/token/{page_of.pk}/"' in content


def test_the_token_address_answers_a_private_token_and_a_post_with_it_goes_through(strict, story):
    response = strict.get(f"/comments/token/{story.pk}/")
    assert response.status_code == 200
    assert {"private", "no-store"} <= {word.strip() for word in response["Cache-Control"].split(",")}
    assert "X-Page-Cache" not in response
    assert "csrftoken" in response.cookies
    answer = response.json()
    assert answer["csrfmiddlewaretoken"] and answer["started"]
    posted = strict.post(post_url(story), {**form_data(story), "csrfmiddlewaretoken": answer["csrfmiddlewaretoken"]})
    assert posted.status_code == 302
    assert Comment.objects.get().status == "pending"


def test_the_token_address_of_a_story_readers_cannot_see_is_404(client):
    draft = ArticleFactory(status="draft", publish_at=None)
    assert client.get(f"/comments/token/{draft.pk}/").status_code == 404
    assert client.get("/comments/token/999999/").status_code == 404
    assert client.post(f"/comments/token/{draft.pk}/").status_code == 405


@pytest.mark.parametrize("token", [None, "wrong" * 8], ids=["no token", "wrong token"])
def test_a_post_without_a_good_token_saves_nothing_and_asks_to_confirm_with_everything_typed(strict, story, token):
    strict.get(f"/comments/token/{story.pk}/")  # the reader has a cookie; the page's form had no token
    sent = {**TYPED, "started": ""}
    if token:
        sent["csrfmiddlewaretoken"] = token
    response = strict.post(post_url(story), sent)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Confirm your comment" in content
    assert "Forbidden" not in content and "CSRF" not in content
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "<b>will</b>" not in content, "what was typed is shown as text, never as markup"
    assert not Comment.objects.exists()
    fields = form_fields(response)
    for name, value in TYPED.items():
        assert fields.get(name, "") == value, name
    assert fields["csrfmiddlewaretoken"] and fields["started"]

    confirmed = strict.post(post_url(story), fields, follow=True)
    comment = Comment.objects.get()
    assert comment.status == "pending"
    assert (comment.body, comment.name, comment.email, comment.url) == (
        TYPED["body"],
        TYPED["name"],
        TYPED["email"],
        TYPED["url"],
    )
    assert "Your comment is awaiting moderation" in confirmed.content.decode()


def test_the_confirm_page_of_a_french_story_is_in_french(strict):
    story = ArticleFactory(headline="Le port rouvre", language="fr", comments="open")
    response = strict.post(post_url(story), TYPED)
    content = response.content.decode()
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in content
    assert "Confirmez votre commentaire" in content and "Publier le commentaire" in content


def test_a_page_elsewhere_posting_in_the_readers_name_only_reaches_the_confirm_page(strict, story):
    token = token_for(strict, story)["csrfmiddlewaretoken"]
    response = strict.post(
        post_url(story),
        {**form_data(story, body="Posted from another site."), "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_REFERER="https://elsewhere.example/page",
    )
    assert response.status_code == 200
    assert "Confirm your comment" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_signed_in_reader_without_a_token_confirms_too(strict, story):
    strict.force_login(UserFactory(first_name="Ana", last_name="Ruiz"))
    response = strict.post(post_url(story), {"body": "Signed in and scripts off.", "agree": "on"})
    assert "Confirm your comment" in response.content.decode()
    assert "Commenting as <strong><bdi>Ana Ruiz</bdi></strong>" in response.content.decode()
    assert not Comment.objects.exists()
    strict.post(post_url(story), form_fields(response))
    assert Comment.objects.get().name == "Ana Ruiz"


def test_a_post_sent_as_soon_as_the_token_came_is_kept_for_a_moderator_with_the_reason(strict, story, settings):
    settings.COMMENTS_MIN_FILL_SECONDS = 3
    # A reader approved before, whose comments otherwise appear at once.
    CommentFactory(story=story, name=TYPED["name"], email=TYPED["email"], status="approved")
    answer = token_for(strict, story)
    response = strict.post(post_url(story), {**TYPED, **answer}, follow=True)
    assert "Your comment is awaiting moderation" in response.content.decode()
    held = Comment.objects.get(body=TYPED["body"])
    assert held.status == "pending"
    assert held.held_reasons[0].startswith("Sent 0.")
    assert held.held_reasons[0].endswith("s after the form opened (a person takes 3 s or more)")


def test_a_confirm_page_sent_back_at_once_is_kept_for_a_moderator(strict, story, settings):
    settings.COMMENTS_MIN_FILL_SECONDS = 3
    confirm = strict.post(post_url(story), TYPED)
    response = strict.post(post_url(story), form_fields(confirm), follow=True)
    assert "Your comment is awaiting moderation" in response.content.decode()
    held = Comment.objects.get()
    assert held.body == TYPED["body"]
    assert any(reason.endswith("after the form opened (a person takes 3 s or more)") for reason in held.held_reasons)


def test_a_post_with_a_token_but_no_time_stamp_asks_to_confirm(strict, story):
    token = token_for(strict, story)["csrfmiddlewaretoken"]
    response = strict.post(post_url(story), {**TYPED, "csrfmiddlewaretoken": token})
    assert "Confirm your comment" in response.content.decode()
    assert not Comment.objects.exists()


def test_malformed_posts_never_answer_500(strict, story):
    for sent in ({}, {"body": "\x00" * 3, "agree": "yes", "started": "\x00"}, {"csrfmiddlewaretoken": "\x00"}):
        assert strict.post(post_url(story), sent).status_code == 200
    assert not Comment.objects.exists()


def page_form(client, story) -> tuple[str, dict[str, str]]:
    """The comment form's opening tag and fields as a reader's browser gets them on the story page."""
    html = client.get(story.get_absolute_url()).content.decode()
    start = html.index('<form class="comment-form"')
    parser = FormFields()
    parser.feed(html)
    return html[start : html.index(">", start) + 1], html[start : html.index("</form>", start)], parser.fields


def test_story_pages_in_turn_each_show_a_form_for_their_own_story_in_their_own_language(client, settings):
    settings.COMMENTS_MAX_LENGTH = 3000
    english = ArticleFactory(headline="Harbour plan approved", comments="open")
    french = ArticleFactory(headline="Le port s'agrandit", language="fr", comments="open")
    event = EventFactory(summary="The ferry timetable changes.", comments="open")
    short = ArticleFactory(headline="Short replies only", comments="open", comment_max_length=500)
    shown = {}
    for _ in range(2):
        for story in (english, french, event, short):
            shown[story.pk] = page_form(client, story)
    assert "Up to 500 characters." in shown[short.pk][1]
    for story in (english, french, event):
        opening, form, fields = shown[story.pk]
        assert f'action="{post_url(story)}#comment-form"' in opening
        assert f'data-token-url="/comments/token/{story.pk}/"' in opening
        assert set(fields) >= {"body", "name", "email", "url", "subject", "started"}
        assert fields["body"].strip() == "" and fields["started"] == ""
        assert "Up to 3,000 characters." in form
    assert "Votre commentaire" in shown[french.pk][1]
    assert "Your comment" in shown[english.pk][1] and "Your comment" in shown[event.pk][1]
    assert "Votre commentaire" not in shown[english.pk][1]


def test_a_form_sent_back_with_an_error_keeps_what_this_reader_typed_after_blank_forms_were_shown(strict, story):
    page_form(strict, story)
    page_form(strict, ArticleFactory(headline="Another story", comments="open"))
    response = strict.post(post_url(story), {**TYPED, "email": "not an address"})
    text = response.content.decode()
    assert "Maria Lopes" in text
    assert "Who decides?" in text
    assert "Your comment" in text
