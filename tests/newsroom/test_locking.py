"""Two people editing the same story: the second save is refused, shown what changed, and loses nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from newsroom import services
from newsroom.models import Article, Story
from tests.factories import ArticleFactory, EventFactory, StaffFactory
from tests.newsroom.test_roles import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def open_form(client, model, story) -> dict:
    opts = model._meta
    page = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[story.pk]))
    assert page.status_code == 200
    return form_data(page.content.decode(), f"{opts.model_name}_form")


def save(client, model, story, data):
    opts = model._meta
    return client.post(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[story.pk]), data)


@pytest.fixture
def two_editors():
    first, second = Client(), Client()
    first.force_login(StaffFactory(username="ana", first_name="Ana", last_name="Ruiz"))
    second.force_login(StaffFactory(username="ben"))
    return first, second


def test_second_save_is_refused_with_what_changed_and_keeps_the_typing(two_editors):
    ana, ben = two_editors
    article = ArticleFactory(headline="Council approves harbour plan", standfirst="The vote was close.")
    services.save_revision(story=article, by=None, comment="Filed")
    ana_form, ben_form = open_form(ana, Article, article), open_form(ben, Article, article)

    ana_form["headline"] = "Council narrowly approves harbour plan"
    assert save(ana, Article, article, ana_form).status_code == 302

    ben_form["standfirst"] = "Ben's careful rewrite of the standfirst."
    refused = save(ben, Article, article, ben_form)

    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Someone else saved this story while you were editing it (Ana Ruiz at" in html
    assert "Nothing you typed is lost" in html
    assert "<ins>narrowly</ins>" in html
    assert "Ben&#x27;s careful rewrite of the standfirst." in html
    saved = Article.objects.get(pk=article.pk)
    assert saved.headline == "Council narrowly approves harbour plan"
    assert saved.standfirst == "The vote was close."

    # Having seen the other change, saving again keeps Ben's version on purpose.
    again = form_data(html, "article_form")
    assert save(ben, Article, article, again).status_code == 302
    saved = Article.objects.get(pk=article.pk)
    assert saved.standfirst == "Ben's careful rewrite of the standfirst."
    assert saved.headline == "Council approves harbour plan"


def test_saves_one_after_another_are_not_conflicts(two_editors):
    ana, _ = two_editors
    article = ArticleFactory()
    for headline in ("First fix", "Second fix"):
        data = open_form(ana, Article, article)
        data["headline"] = headline
        assert save(ana, Article, article, data).status_code == 302
    assert Article.objects.get(pk=article.pk).headline == "Second fix"


def test_every_save_moves_the_version_on():
    article = ArticleFactory()
    start = Story.objects.get(pk=article.pk).version
    article.headline = "Changed"
    article.save()
    assert Story.objects.get(pk=article.pk).version == start + 1


def test_events_are_locked_the_same_way(two_editors):
    from events.models import Event

    ana, ben = two_editors
    event = EventFactory(summary="The ferry strike ends.")
    ana_form, ben_form = open_form(ana, Event, event), open_form(ben, Event, event)
    ana_form["summary"] = "The ferry strike ends after nine days."
    save(ana, Event, event, ana_form)
    ben_form["summary"] = "The ferry strike is over."

    refused = save(ben, Event, event, ben_form)

    assert refused.status_code == 200
    assert "Someone else saved this story" in refused.content.decode()
    assert Event.objects.get(pk=event.pk).summary == "The ferry strike ends after nine days."


def test_without_an_earlier_revision_the_refusal_compares_saved_and_typed(two_editors):
    ana, ben = two_editors
    article = ArticleFactory(headline="Council approves harbour plan")
    ana_form, ben_form = open_form(ana, Article, article), open_form(ben, Article, article)
    ana_form["headline"] = "Council narrowly approves harbour plan"
    save(ana, Article, article, ana_form)
    ben_form["headline"] = "Council approves the harbour plan"

    html = save(ben, Article, article, ben_form).content.decode()

    assert "Where the saved story and your form differ" in html
    assert "<del>narrowly</del>" in html and "<ins>the</ins>" in html
