"""Signed preview links: a draft for someone without an account, until it expires or is revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsroom import services
from newsroom.models import PreviewLink
from newsroom.querysets import Status
from tests.factories import ArticleFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return ArticleFactory(headline="Secret harbour deal", status=Status.DRAFT, publish_at=None)


def test_preview_link_shows_a_draft_to_anyone_marked_noindex_and_uncached(client, draft):
    link = services.create_preview_link(story=draft, by=None)

    response = client.get(link.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "Secret harbour deal" in html
    assert '<meta name="robots" content="noindex' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_links_last_48_hours_by_default(draft):
    link = services.create_preview_link(story=draft, by=None)
    assert timedelta(hours=47, minutes=59) < link.expires_at - timezone.now() <= timedelta(hours=48)


def test_expired_revoked_and_tampered_links_answer_404(client, draft):
    expired = services.create_preview_link(story=draft, by=None)
    PreviewLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    revoked = services.create_preview_link(story=draft, by=None)
    services.revoke_preview_link(link=revoked, by=None)
    good = services.create_preview_link(story=draft, by=None)
    token = good.get_absolute_url().rstrip("/").rsplit("/", 1)[1]
    tampered = reverse("newsroom:preview", kwargs={"token": token[:-1] + ("A" if token[-1] != "A" else "B")})
    unsigned = reverse("newsroom:preview", kwargs={"token": good.key})

    for url in (expired.get_absolute_url(), revoked.get_absolute_url(), tampered, unsigned):
        assert client.get(url).status_code == 404, url
    assert client.get(good.get_absolute_url()).status_code == 200


def test_editor_makes_and_revokes_a_link_from_the_change_page(client, draft):
    client.force_login(StaffFactory())
    url = reverse("admin:newsroom_article_preview", args=[draft.pk])

    client.post(url)
    link = PreviewLink.objects.get(story=draft)
    change = client.get(reverse("admin:newsroom_article_change", args=[draft.pk])).content.decode()
    assert link.get_absolute_url() in change

    client.post(url, {"revoke": link.pk})
    assert PreviewLink.objects.get(pk=link.pk).revoked
    client.logout()
    assert client.get(link.get_absolute_url()).status_code == 404


def test_preview_views_are_not_counted_as_reads(client, draft):
    from newsroom.models import StoryViewCount

    link = services.create_preview_link(story=draft, by=None)
    client.get(link.get_absolute_url())
    assert not StoryViewCount.objects.exists()
