"""Bylines, sources and related links are ordered parts of a story: the form says how to reorder them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from events.models import Event
from newsroom.models import Article
from tests.factories import UserFactory
from tests.newsroom.test_admin import admin_url, page_text

pytestmark = pytest.mark.django_db

HELP = "Lower numbers come first. Drag a row by its handle or use its arrows to reorder."


@pytest.fixture
def editor(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = UserFactory(username="desk", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client.force_login(user)
    return user


@pytest.mark.parametrize(("model", "inlines"), [(Article, 3), (Event, 2)])
def test_every_ordered_part_of_a_story_can_be_reordered_and_says_how(client, editor, model, inlines):
    page = page_text(client.get(admin_url(model, "add")))
    assert page.count(f'title="{HELP}"') == inlines
    assert page.count('class="module dateline-reorder"') == inlines
    assert "js/admin/reorder.js" in page
