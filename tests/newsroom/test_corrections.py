"""Corrections are data: dated notes at the foot of the story and on a public page, newest first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from newsroom import services
from newsroom.models import Correction
from newsroom.querysets import Status
from tests.factories import ArticleFactory, EventFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = UserFactory(username="desk", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def test_correction_shows_updated_time_and_note_at_the_foot(client, editor):
    article = ArticleFactory(headline="Council votes on the harbour plan")
    when = timezone.now() - timedelta(minutes=5)

    services.add_correction(story=article, note="The vote was on Tuesday, not Monday.", by=editor, when=when)

    html = client.get(article.get_absolute_url()).content.decode()
    assert f'Updated <time datetime="{timezone.localtime(when):%Y-%m-%dT%H:%M}' in html
    foot = html.split('id="corrections"', 1)[1]
    assert "The vote was on Tuesday, not Monday." in foot


def test_event_page_shows_its_corrections(client, editor):
    event = EventFactory(summary="The port reopens berth four.")
    services.add_correction(story=event, note="It was berth four, not berth five.", by=editor)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Updated" in html and "It was berth four, not berth five." in html


def test_story_without_corrections_says_nothing_about_updates(client):
    article = ArticleFactory()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Updated" not in html and 'id="corrections"' not in html


def test_corrections_page_lists_all_newest_first_and_paginates(client, editor, settings):
    settings.DATELINE_PAGE_SIZE = 20
    stories = [ArticleFactory(headline=f"Story {n}") for n in range(3)]
    now = timezone.now()
    for n, story in enumerate(stories):
        services.add_correction(story=story, note=f"Fix number {n}.", by=editor, when=now - timedelta(hours=3 - n))
    draft = ArticleFactory(status=Status.DRAFT, publish_at=None)
    Correction.objects.create(story=draft, note="Draft note hidden.", by=editor)

    html = client.get(reverse("newsroom:corrections")).content.decode()

    assert html.index("Fix number 2.") < html.index("Fix number 1.") < html.index("Fix number 0.")
    assert "Draft note hidden." not in html
    assert stories[0].get_absolute_url() in html


def test_corrections_page_is_paginated(client, editor):
    story = ArticleFactory()
    for n in range(25):
        Correction.objects.create(story=story, note=f"Note {n:02d}.", by=editor)
    first = client.get(reverse("newsroom:corrections")).content.decode()
    second = client.get(reverse("newsroom:corrections") + "?page=2")
    assert "Page 1 of 2" in first
    assert second.status_code == 200


def test_only_editors_correct_and_only_live_stories(editor):
    reporter = UserFactory(username="rep", is_staff=True)
    reporter.groups.add(Group.objects.get(name="Reporter"))
    article = ArticleFactory()
    with pytest.raises(PermissionDenied):
        services.add_correction(story=article, note="Sneaky", by=reporter)
    with pytest.raises(PermissionDenied):
        services.add_correction(story=ArticleFactory(status=Status.DRAFT, publish_at=None), note="x", by=editor)
    assert not Correction.objects.exists()


def test_editor_adds_a_correction_in_the_admin(client):
    client.force_login(StaffFactory())
    article = ArticleFactory()
    url = reverse("admin:newsroom_article_correct", args=[article.pk])

    assert client.get(url).status_code == 200
    response = client.post(url, {"note": "The mayor's name is spelt Abernethy."})

    assert response.status_code == 302
    change = client.get(reverse("admin:newsroom_article_change", args=[article.pk])).content.decode()
    assert "The mayor&#x27;s name is spelt Abernethy." in change
    assert "The mayor&#x27;s name is spelt Abernethy." in client.get(article.get_absolute_url()).content.decode()
