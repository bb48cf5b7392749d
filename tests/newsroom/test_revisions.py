"""Every save keeps a revision; editors compare any two and restore one in a click."""

from __future__ import annotations

import pytest
from django.urls import reverse
from reversion.models import Revision

from newsroom import services
from newsroom.models import Article, Source, Story
from newsroom.querysets import Status
from tests.factories import ArticleFactory, OutletFactory, SourceFactory, StaffFactory
from tests.newsroom.test_roles import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = StaffFactory(username="ruth")
    client.force_login(user)
    return user


def change_url(story) -> str:
    return reverse("admin:newsroom_article_change", args=[story.pk])


def edit(client, story, **changes):
    data = form_data(client.get(change_url(story)).content.decode(), "article_form")
    data.update(changes)
    response = client.post(change_url(story), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def revisions_of(story):
    return Revision.objects.filter(version__object_id=str(story.pk)).distinct().order_by("date_created", "pk")


def test_each_admin_save_keeps_a_revision_with_who_and_what(client, editor):
    article = ArticleFactory(headline="Harbour plan approved")

    edit(client, article, headline="Harbour plan approved after long debate")
    edit(client, article, standfirst="A new standfirst.")

    revisions = list(revisions_of(article))
    assert len(revisions) == 2
    assert all(revision.user == editor for revision in revisions)
    assert "Headline" in revisions[0].get_comment()


def test_revisions_page_shows_a_readable_diff_of_two_saves(client, editor):
    article = ArticleFactory(headline="Harbour plan approved", body="<p>The council voted on Tuesday.</p>")
    edit(client, article)
    edit(client, article, headline="Harbour plan finally approved", body="<p>The council voted on Wednesday.</p>")

    page = client.get(reverse("admin:newsroom_article_revisions", args=[article.pk])).content.decode()

    assert "Harbour plan <ins>finally</ins> approved" in page
    assert "<del>Tuesday.</del> <ins>Wednesday.</ins>" in page
    assert "<p>" not in page.split("dateline-diff", 1)[1].split("</table>", 1)[0]


def test_restore_brings_back_text_and_sources_but_not_the_state(client, editor):
    article = ArticleFactory(headline="Original headline")
    SourceFactory(story=article, outlet=OutletFactory(name="Harbour Gazette"), title="First source")
    edit(client, article)
    first = revisions_of(article).last()
    edit(client, article, headline="Rewritten headline")
    SourceFactory(story=article, outlet=OutletFactory(name="Coast Herald"), title="Added later")
    Source.objects.filter(title="First source").delete()
    Story.objects.filter(pk=article.pk).update(status=Status.WITHDRAWN)

    response = client.post(reverse("admin:newsroom_article_restore", args=[article.pk, first.pk]))

    assert response.status_code == 302
    restored = Article.objects.get(pk=article.pk)
    assert restored.headline == "Original headline"
    assert restored.title == "Original headline"
    assert list(restored.sources.values_list("title", flat=True)) == ["First source"]
    assert restored.status == Status.WITHDRAWN
    assert revisions_of(article).count() == 3


def test_restore_needs_permission_to_edit(client, editor, settings):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    article = ArticleFactory(headline="Original headline")
    services.save_revision(story=article, by=editor, comment="Filed")
    revision = revisions_of(article).first()
    Article.objects.filter(pk=article.pk).update(headline="Now")
    moderator = UserFactory(username="mod", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderator"))
    client.force_login(moderator)

    assert client.post(reverse("admin:newsroom_article_restore", args=[article.pk, revision.pk])).status_code == 403
    assert Article.objects.get(pk=article.pk).headline == "Now"
