"""The article body's rich text: the allow-list the editor shares, library figures, and the live preview."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_prose_editor.config import allowlist_from_extensions

from newsroom.admin.editor import EDITOR_EXTENSIONS, INLINE_EXTENSIONS
from newsroom.demo.articles import ARTICLES
from newsroom.demo.loader import _body
from newsroom.figures import render_body
from newsroom.markdown import body_html, story_document
from newsroom.models import Article, Byline, Image
from newsroom.querysets import Status
from newsroom.sanitize import ATTRIBUTES, BODY_TAGS, INLINE_TAGS, clean_body, clean_inline
from newsroom.workflow import grant_role_permissions
from tests.factories import ArticleFactory, AuthorFactory, EventFactory, ImageFactory, UserFactory
from tests.newsroom.test_roles import admin_url, form_data

pytestmark = pytest.mark.django_db


# --- The allow-list and the editor agree -------------------------------------------------------------------


def test_allow_list_is_exactly_what_the_editor_can_make():
    editor = allowlist_from_extensions(EDITOR_EXTENSIONS)
    # The library figure is Dateline's own node: a figure carrying only the image id.
    assert editor["tags"] | {"figure"} == BODY_TAGS
    assert ATTRIBUTES["figure"] == {"data-image"}
    assert ATTRIBUTES["a"] <= set(editor["attributes"]["a"])
    assert allowlist_from_extensions(INLINE_EXTENSIONS)["tags"] - {"p"} == INLINE_TAGS


def test_every_demo_body_is_stored_as_the_allow_list_keeps_it():
    for spec in ARTICLES:
        body = clean_body(_body(spec.body))
        assert clean_body(body) == body
        assert body.count("<p>") == _body(spec.body).count("<p>")


def test_what_the_editor_makes_is_kept_unchanged():
    made = (
        "<h2>Harbour plans</h2>\n<p>The <strong>council</strong> voted <em>31 to 18</em>.<br>Residents object.</p>\n"
        '<ul><li><p>Dredging</p></li><li><p>A <a href="https://port.example/quay" title="Plans" rel="noopener">new '
        'quay</a></p></li></ul>\n<ol><li><p>First</p></li></ol>\n<blockquote><p>"We will watch."</p></blockquote>\n'
        '<figure data-image="42"></figure>\n<h3>What next</h3>\n<p><a href="mailto:desk@dateline.example" '
        'rel="noopener">Write to us</a></p>'
    )
    assert clean_body(made) == made


def test_editors_block_spacing_is_stored_one_block_per_line():
    assert clean_body("<h2>A</h2><p>b</p>  <p>c</p>") == "<h2>A</h2>\n<p>b</p>\n<p>c</p>"


def test_links_other_than_web_and_mail_addresses_are_stripped_but_keep_their_words():
    cleaned = clean_body(
        '<p><a href="javascript:alert(1)">one</a> <a href="/news/">two</a> <a href="data:text/html,x">three</a> '
        '<a href="ftp://files.example/">four</a> <a href="HTTPS://ok.example/">five</a></p>'
    )
    assert cleaned == '<p>one two three four <a href="HTTPS://ok.example/" rel="noopener">five</a></p>'


def test_older_markup_maps_onto_the_editors_nearest_equivalent():
    cleaned = clean_body("<h1>Top</h1><h4>Low</h4><p><b>bold</b> <i>italic</i></p>")
    assert cleaned == "<h2>Top</h2>\n<h3>Low</h3>\n<p><strong>bold</strong> <em>italic</em></p>"


def test_scripts_styles_spans_and_handlers_never_reach_the_page():
    cleaned = clean_body(
        '<p class="MsoNormal" style="color:red" onclick="alert(1)"><span style="font-family:Arial">Residents'
        "</span><script>alert(2)</script><style>p{}</style></p>"
        '<figure data-image="7" onmouseover="alert(3)"><img src="x" onerror="alert(4)"><figcaption>typed</figcaption>'
        "</figure>"
    )
    assert cleaned == '<p>Residents</p>\n<figure data-image="7"></figure>'


def test_a_figure_keeps_only_a_numeric_image_id():
    assert clean_body('<figure data-image="7 onload=x">caption</figure>') == "caption"
    assert clean_body("<figure><figcaption>Old caption</figcaption></figure>") == "<p>Old caption</p>"


def test_event_summary_keeps_bold_italic_and_links_only():
    cleaned = clean_inline(
        '<p>Storm <b>closes</b> the <i>port</i>; <a href="https://x.example/">details</a>.</p><h2>x</h2>'
    )
    assert (
        cleaned
        == 'Storm <strong>closes</strong> the <em>port</em>; <a href="https://x.example/" rel="noopener">details</a>.x'
    )


# --- Figures on the page -----------------------------------------------------------------------------------


def test_figures_show_the_librarys_picture_caption_and_credit():
    image = ImageFactory(caption="Dredgers at North Quay", credit="Ana Ruiz / Dateline", alt_text="Two dredgers")
    html = render_body(f'<p>Before.</p>\n<figure data-image="{image.pk}"></figure>\n<p>After.</p>')
    assert "Dredgers at North Quay" in html
    assert '<span class="credit">Photo: Ana Ruiz / Dateline</span>' in html
    assert f'<source type="image/webp" srcset="{image.srcset()}"' in html
    assert 'alt="Two dredgers"' in html
    assert html.index("Before.") < html.index("<img") < html.index("After.")


def test_a_caption_corrected_in_the_library_shows_in_every_body():
    image = ImageFactory(credit="Wrong Name")
    first = ArticleFactory(body=f'<figure data-image="{image.pk}"></figure>')
    second = ArticleFactory(body=f'<p>x</p><figure data-image="{image.pk}"></figure>')
    Image.objects.filter(pk=image.pk).update(credit="Right Name")
    for article in (first, second):
        page = render_body(Article.objects.get(pk=article.pk).body)
        assert "Right Name" in page and "Wrong Name" not in page


def test_all_figures_of_a_body_are_read_in_one_query(django_assert_num_queries):
    images = [ImageFactory(caption=f"Picture {n}") for n in range(6)]
    body = clean_body("".join(f'<p>{n}</p><figure data-image="{image.pk}"></figure>' for n, image in enumerate(images)))
    with django_assert_num_queries(1):
        html = render_body(body)
    assert all(f"Picture {n}" in html for n in range(6))
    with django_assert_num_queries(0):
        render_body("<p>No pictures.</p>")


def test_a_deleted_image_leaves_no_empty_figure():
    image = ImageFactory()
    body = f'<p>Text.</p>\n<figure data-image="{image.pk}"></figure>'
    image.delete()
    assert render_body(body) == "<p>Text.</p>\n"


def test_story_page_costs_the_same_queries_for_one_figure_or_many(client):
    one_image = ImageFactory()
    one = ArticleFactory(body=f'<p>One.</p><figure data-image="{one_image.pk}"></figure>')
    many_images = [ImageFactory(caption=f"Frame {n}") for n in range(8)]
    many = ArticleFactory(body="".join(f'<figure data-image="{image.pk}"></figure>' for image in many_images))
    client.get("/")
    counts = []
    for article in (one, many):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    page = client.get(many.get_absolute_url()).content.decode()
    assert all(f"Frame {n}" in page for n in range(8))
    assert page.count('class="story__image story__figure"') == 8


def test_markdown_export_shows_a_figure_as_image_caption_and_credit():
    image = ImageFactory(caption="Dredgers at work", credit="Ana Ruiz", alt_text="Two dredgers")
    markdown = body_html(f'<p>Text.</p><figure data-image="{image.pk}"></figure>', {image.pk: image})
    assert f"![Two dredgers]({image.best_url()})\n*Dredgers at work* · Photo: Ana Ruiz" in markdown
    assert body_html('<figure data-image="999"></figure><p>Rest.</p>', {}) == "Rest."


def test_story_markdown_includes_its_figures():
    image = ImageFactory(caption="Harbour at dawn")
    article = ArticleFactory(body=f'<p>Text.</p><figure data-image="{image.pk}"></figure>')
    assert "*Harbour at dawn* · Photo: Test Photographer / Dateline" in story_document(article, [])


def test_static_export_carries_a_body_figure_and_its_picture(tmp_path):
    from datetime import datetime
    from io import StringIO
    from zoneinfo import ZoneInfo

    from django.core.management import call_command

    image = ImageFactory(caption="Dredgers at North Quay")
    ArticleFactory(
        headline="Berth approved",
        slug="berth",
        publish_at=datetime(2012, 4, 23, 9, tzinfo=ZoneInfo("UTC")),
        body=f'<p>Text.</p><figure data-image="{image.pk}"></figure>',
    )
    site = tmp_path / "site"
    site.mkdir()
    call_command(
        "export_static", str(site), "--no-progress", "--base-url", "https://news.example.org", stdout=StringIO()
    )
    page = (site / "news/2012/04/23/berth/index.html").read_text()
    assert "Dredgers at North Quay" in page and 'class="story__image story__figure"' in page
    for rendition in image.renditions.values():
        assert (site / "media" / rendition["file"]).is_file()


# --- The editing screen and the live preview --------------------------------------------------------------


@pytest.fixture
def people(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    grant_role_permissions(Group, Permission)
    found = {}
    for role, username in (("Reporter", "rosa"), ("Reporter", "other"), ("Editor", "eddie"), ("Moderator", "mo")):
        user = UserFactory(username=username, is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        found[username] = user
    return found


def own_draft(user, **fields):
    article = ArticleFactory(status=Status.DRAFT, publish_at=None, created_by=user, **fields)
    Byline.objects.create(article=article, author=AuthorFactory(user=user), order=0)
    return article


def preview_data(client, article=None, **changes) -> dict:
    url = admin_url(Article, "change", article.pk) if article else admin_url(Article, "add")
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page.content.decode(), "article_form")
    data.update(changes)
    return data


def preview_url(article=None) -> str:
    return admin_url(Article, "live_preview", *([article.pk] if article else []))


def test_body_is_edited_in_the_rich_text_editor_with_a_word_count(client, people):
    client.force_login(people["eddie"])
    article = ArticleFactory(body="<p>Four words are here.</p><p>And three more.</p>")
    page = client.get(admin_url(Article, "change", article.pk)).content.decode()
    assert 'data-rich-text="{&quot;mode&quot;:&quot;body&quot;' in page
    assert "js/admin/editor.js" in page and 'type="module"' in page
    assert "7 words" in page and "1 min read" in page
    assert "Insert image from library" in page and "Upload a new image" in page
    assert 'formaction="' + preview_url(article) + '"' in page


def test_event_summary_uses_the_one_paragraph_editor(client, people):
    client.force_login(people["eddie"])
    event = EventFactory()
    page = client.get(reverse_event_change(event)).content.decode()
    assert 'data-rich-text="{&quot;mode&quot;:&quot;inline&quot;,&quot;extensions&quot;:' in page
    assert "Preview</button>" not in page


def reverse_event_change(event) -> str:
    from events.models import Event

    return admin_url(Event, "change", event.pk)


def test_editor_previews_a_new_article_without_saving_it(client, people):
    client.force_login(people["eddie"])
    data = preview_data(
        client,
        headline="Harbour berth approved",
        slug="harbour-berth-approved",
        body='<h2>The vote</h2><p>Councillors <script>alert(1)</script>agreed.</p><figure data-image="1"></figure>',
    )
    before = Article.objects.count()
    response = client.post(preview_url(), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Harbour berth approved" in page and "<h2>The vote</h2>" in page
    assert "<script>alert(1)</script>" not in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert Article.objects.count() == before


def test_preview_of_changes_leaves_the_saved_story_as_it_was(client, people):
    client.force_login(people["eddie"])
    article = ArticleFactory(headline="Old headline", body="<p>Old body.</p>")
    image = ImageFactory(caption="New picture")
    data = preview_data(
        client, article, headline="New headline", body=f'<p>New body.</p><figure data-image="{image.pk}"></figure>'
    )
    response = client.post(preview_url(article), data)
    page = response.content.decode()
    assert "New headline" in page and "New body." in page and "New picture" in page
    article.refresh_from_db()
    assert article.headline == "Old headline" and article.body == "<p>Old body.</p>"


def test_preview_with_mistakes_lists_them_and_saves_nothing(client, people):
    client.force_login(people["eddie"])
    data = preview_data(client, headline="", body="<p>Draft.</p>")
    response = client.post(preview_url(), data)
    assert response.status_code == 200
    assert "The preview needs a few fixes first" in response.content.decode()
    assert "Headline" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_reporter_previews_own_draft_but_not_someone_elses(client, people):
    mine = own_draft(people["rosa"], headline="Rosa's draft")
    theirs = own_draft(people["other"], headline="Other draft")
    client.force_login(people["rosa"])
    response = client.post(preview_url(mine), preview_data(client, mine, body="<p>Typed now.</p>"))
    assert response.status_code == 200 and "Typed now." in response.content.decode()
    response = client.post(preview_url(theirs), {"headline": "Hijacked", "body": "<p>x</p>"})
    assert response.status_code == 403


def test_reporter_cannot_preview_own_story_once_submitted(client, people):
    mine = own_draft(people["rosa"])
    Article.objects.filter(pk=mine.pk).update(status=Status.REVIEW)
    client.force_login(people["rosa"])
    assert client.post(preview_url(mine), {"headline": "x"}).status_code == 403


def test_moderator_may_not_preview(client, people):
    article = ArticleFactory()
    client.force_login(people["mo"])
    assert client.post(preview_url(), {"headline": "x", "body": "<p>x</p>"}).status_code == 403
    assert client.post(preview_url(article), {"headline": "x", "body": "<p>x</p>"}).status_code == 403


def test_preview_answers_only_posts_from_signed_in_staff(client, people):
    article = ArticleFactory()
    assert client.post(preview_url(article), {"headline": "x"}).status_code == 302
    client.force_login(people["eddie"])
    assert client.get(preview_url(article)).status_code == 405
    assert client.post(admin_url(Article, "change", "nope").replace("change", "live-preview"), {}).status_code == 404


def test_figure_lookup_describes_library_images_and_ignores_junk(client, people):
    image = ImageFactory(caption="Dredgers", credit="Ana Ruiz")
    client.force_login(people["rosa"])
    url = admin_url(Article, "figure_images")
    data = client.get(url, {"ids": f"{image.pk},abc,,-1,99999999999999999999999,{image.pk + 1000}"}).json()
    assert [(item["id"], item["caption"], item["credit"]) for item in data["images"]] == [
        (image.pk, "Dredgers", "Ana Ruiz")
    ]
    assert data["images"][0]["src"]
    client.force_login(people["mo"])
    assert client.get(url, {"ids": str(image.pk)}).status_code == 403


def test_preview_refused_by_the_database_says_so_instead_of_failing(client, people, monkeypatch):
    from django.db import IntegrityError

    client.force_login(people["eddie"])
    data = preview_data(client, headline="Racing for an address", body="<p>Text.</p>")

    def refuse(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(Article, "save", refuse)
    response = client.post(preview_url(), data)
    assert response.status_code == 200
    assert "The database refused this version of the story" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"
