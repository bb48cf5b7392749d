"""Editors see what the link checker found: in the sources and outlets lists, the story form and the dashboard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsroom.models import LinkCheck, Status
from tests.factories import ArticleFactory, OutletFactory, SourceFactory, StaffFactory

pytestmark = pytest.mark.django_db


def checked(source, status: str, **extra) -> LinkCheck:
    now = timezone.now()
    return LinkCheck.objects.create(
        url=source.url, status=status, status_since=now - timedelta(days=2), checked_at=now, **extra
    )


@pytest.fixture
def editor(client):
    client.force_login(StaffFactory())
    return client


@pytest.fixture
def cited():
    story = ArticleFactory(headline="Harbour vote")
    draft = ArticleFactory(headline="Unfinished piece", status=Status.DRAFT, publish_at=None)
    gazette, herald = OutletFactory(name="Harbour Gazette"), OutletFactory(name="Hill Herald")
    sources = {
        "gone": SourceFactory(story=story, outlet=gazette, title="Gone piece"),
        "moved": SourceFactory(story=story, outlet=herald, title="Moved piece"),
        "fine": SourceFactory(story=story, outlet=herald, title="Fine piece"),
        "draft-gone": SourceFactory(story=draft, outlet=herald, title="Draft's gone piece"),
        "unchecked": SourceFactory(story=story, outlet=herald, title="Never checked piece"),
    }
    checked(sources["gone"], "gone", detail="HTTP 404")
    checked(sources["moved"], "redirected", redirect_to="https://new.example/piece")
    checked(sources["fine"], "ok")
    checked(sources["draft-gone"], "error", detail="timed out")
    return story, sources


def titles(response) -> set[str]:
    return {row.title for row in response.context["cl"].result_list}


def test_sources_list_filters_by_link_status_and_shows_it(editor, cited):
    url = reverse("admin:newsroom_source_changelist")
    page = editor.get(url)
    html = page.content.decode()
    assert "Gone</span> since" in html and "(HTTP 404)" in html
    assert "https://new.example/piece" in html and "Not checked yet" in html
    assert titles(editor.get(url + "?link=broken")) == {"Gone piece", "Draft's gone piece"}
    assert titles(editor.get(url + "?link=broken&cited_in=published")) == {"Gone piece"}
    assert titles(editor.get(url + "?link=redirected")) == {"Moved piece"}
    assert titles(editor.get(url + "?link=unchecked")) == {"Never checked piece"}


def test_outlets_list_filters_by_their_citations_link_status(editor, cited):
    url = reverse("admin:newsroom_outlet_changelist")
    names = lambda response: {outlet.name for outlet in response.context["cl"].result_list}  # noqa: E731
    assert names(editor.get(url + "?link=gone")) == {"Harbour Gazette"}
    assert names(editor.get(url + "?link=broken")) == {"Harbour Gazette", "Hill Herald"}
    assert names(editor.get(url + "?link=ok")) == {"Hill Herald"}


def test_story_form_shows_each_source_rows_link_status(editor, cited):
    story, _ = cited
    html = editor.get(reverse("admin:newsroom_article_change", args=[story.pk])).content.decode()
    assert html.count("dateline-link--gone") == 1
    assert "dateline-link--redirected" in html and "Not checked yet" in html
    assert 'name="sources-0-archived_url"' in html


def test_dashboard_counts_broken_links_in_published_stories_with_a_link_to_them(editor, cited):
    html = editor.get(reverse("admin:index")).content.decode()
    part = html.split('id="dash-broken-links"')[1].split("</p>")[0]
    assert "1 broken link in published stories" in part
    assert 'href="/admin/newsroom/source/?link=broken&amp;cited_in=published"' in part


def test_dashboard_with_no_broken_links_says_so(editor):
    html = editor.get(reverse("admin:index")).content.decode()
    assert "No broken links in published stories." in html
