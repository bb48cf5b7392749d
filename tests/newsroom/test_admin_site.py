"""The newsroom's own admin site: its dashboard, readable names and one way of writing times."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from newsroom.adminsite import DatelineAdminSite
from newsroom.models import Article
from tests.factories import ArticleFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db


def member(client, role: str, username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return user


def section(html: str, heading: str) -> str:
    return html.split(f">{heading}</h2>")[1].split("</section>")[0]


def test_admin_site_is_the_newsrooms_own_subclass_with_every_model_registered_on_it():
    assert isinstance(admin.site._wrapped if hasattr(admin.site, "_wrapped") else admin.site, DatelineAdminSite)
    # The index is the class's own method, not a function swapped onto Django's site at import time.
    assert "index" not in vars(admin.site._wrapped)
    assert admin.site.is_registered(Article)
    assert admin.site.index_template == "admin/dateline/dashboard.html"


def test_dashboard_offers_each_role_only_the_desks_it_may_open(client):
    member(client, "Reporter", "rita")
    html = client.get(reverse("admin:index")).content.decode()
    write = section(html, "Write")
    assert 'href="/admin/newsroom/article/"' in write and 'href="/admin/newsroom/article/add/"' in write
    library = section(html, "Library")
    # Reporters may look sections up but not make them.
    assert 'href="/admin/newsroom/section/"' in library and "/admin/newsroom/section/add/" not in library
    assert "Comment queue" not in html

    client.logout()
    member(client, "Moderator", "mo")
    html = client.get(reverse("admin:index")).content.decode()
    assert 'href="/admin/comments/comment/">Comment queue' in section(html, "Readers")
    assert "/admin/newsroom/article/add/" not in html


def test_admin_names_things_as_the_newsroom_does(client):
    member(client, "Editor", "ed")
    index = client.get(reverse("admin:index")).content.decode()
    assert "Taggit" not in index and "TAGGIT" not in index
    assert ">Contexts</a>" in index

    articles = client.get(reverse("admin:newsroom_article_changelist")).content.decode()
    assert "<h1>Articles</h1>" in articles
    assert "Select article to change" not in articles
    assert "<title>Articles | Dateline</title>" in articles
    contexts = client.get(reverse("admin:taggit_tag_changelist")).content.decode()
    assert "<h1>Contexts</h1>" in contexts and "Select tag" not in contexts


def test_admin_writes_times_one_way_in_the_newsrooms_zone(client, settings):
    settings.TIME_ZONE = "Europe/London"
    member(client, "Editor", "ed")
    summer = datetime(2012, 4, 23, 8, 30, tzinfo=ZoneInfo("UTC"))
    story = ArticleFactory(headline="Ferry timetable changes", publish_at=summer)

    change = client.get(reverse("admin:newsroom_article_change", args=[story.pk])).content.decode()
    # The read-only date and the workflow panel, like the lists, say "23 Apr 2012" and the zone's abbreviation.
    assert "23 Apr 2012" in change
    assert "Apr. 23, 2012" not in change and "April 23, 2012" not in change
    listing = client.get(reverse("admin:newsroom_article_changelist")).content.decode()
    assert re.search(r"23 Apr 2012,</span> <span[^>]*>09:30 BST", listing)


def test_saved_source_rows_show_their_address_in_one_box_without_currently_and_change(client):
    member(client, "Editor", "ed")
    story = ArticleFactory(headline="Harbour dredging approved")
    SourceFactory(story=story, url="https://harbourgazette.example/dredging")
    html = client.get(reverse("admin:newsroom_article_change", args=[story.pk])).content.decode()
    assert 'value="https://harbourgazette.example/dredging"' in html
    assert "Currently:" not in html


def test_every_stylesheet_closes_each_rule_it_opens():
    """An unclosed rule silently swallows every rule after it (the context chips once lost their look so)."""
    from pathlib import Path

    from django.conf import settings

    for sheet in sorted(Path(settings.BASE_DIR, "static", "css").rglob("*.css")):
        depth = 0
        text = re.sub(r"/\*.*?\*/", "", sheet.read_text(), flags=re.S)
        for number, line in enumerate(text.splitlines(), 1):
            depth += line.count("{") - line.count("}")
            assert 0 <= depth <= 2, f"{sheet.name}: rule opened but not closed near line {number}"
        assert depth == 0, f"{sheet.name}: {depth} rule(s) never closed"
