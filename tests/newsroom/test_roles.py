"""The four roles against every story action in the admin: allowed ones work, the rest change nothing."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from newsroom.models import Article, Story, StoryTransition
from newsroom.querysets import Status
from tests.factories import ArticleFactory, EventFactory, OutletFactory, SourceFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("Reporter", "Editor", "Moderator", "Administrator")


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class FormReader(HTMLParser):
    """Collects what a browser would send for the story form on a page."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, []
        self._select, self._textarea, self._text = None, None, ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind in ("submit", "button", "file"):
                return
            self.data.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea:
            self.data.append((self._textarea, self._text))
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self._text += data


def form_data(html: str, form_id: str) -> dict:
    reader = FormReader(form_id)
    reader.feed(html)
    data: dict = {}
    for name, value in reader.data:
        data.setdefault(name, []).append(value)
    return {name: values if len(values) > 1 else values[0] for name, values in data.items()}


def admin_url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def edit_data(model, story, **changes) -> dict:
    """The change form as an all-powerful editor sees it, with ``changes`` typed in."""
    from django.test import Client

    client = Client()
    client.force_login(StaffFactory(username="form-reader"))
    page = client.get(admin_url(model, "change", story.pk))
    assert page.status_code == 200
    data = form_data(page.content.decode(), f"{model._meta.model_name}_form")
    data.update(changes)
    return data


def member(role: str, username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def people():
    return {role: member(role, role.lower()) for role in ROLES} | {"other": member("Reporter", "other-reporter")}


def test_roles_exist_with_their_permissions():
    reporter = set(Group.objects.get(name="Reporter").permissions.values_list("codename", flat=True))
    editor = set(Group.objects.get(name="Editor").permissions.values_list("codename", flat=True))
    moderator = set(Group.objects.get(name="Moderator").permissions.values_list("codename", flat=True))
    administrator = set(Group.objects.get(name="Administrator").permissions.values_list("codename", flat=True))

    assert {"add_article", "change_article", "submit_story", "add_event"} <= reporter
    assert not {"publish_story", "withdraw_story", "delete_article", "view_comment", "change_comment"} & reporter
    assert {
        "publish_story",
        "withdraw_story",
        "correct_story",
        "merge_tags",
        "delete_article",
        "delete_event",
    } <= editor
    assert not {"change_user", "add_user", "change_comment"} & editor
    assert "change_comment" in moderator and "view_article" in moderator
    assert not {"change_article", "add_article", "publish_story", "change_event"} & moderator
    assert {"change_user", "add_group", "publish_story", "change_comment"} <= administrator


# The matrix: (role, action) -> allowed. "own" stories were written by the reporter acting.
ALLOWED = {
    "Reporter": {"add", "change_own", "submit"},
    "Editor": {"add", "change_own", "change_other", "submit", "publish", "schedule", "withdraw", "delete"},
    "Moderator": set(),
    "Administrator": {"add", "change_own", "change_other", "submit", "publish", "schedule", "withdraw", "delete"},
}
ACTIONS = ("add", "change_own", "change_other", "submit", "publish", "schedule", "withdraw", "delete")


def story_of(model, author, **kwargs):
    factory = ArticleFactory if model is Article else EventFactory
    story = factory(status=kwargs.pop("status", Status.DRAFT), publish_at=kwargs.pop("publish_at", None), **kwargs)
    Story.objects.filter(pk=story.pk).update(created_by=author)
    outlet_a, outlet_b = OutletFactory(name="Harbour Gazette"), OutletFactory(name="Coast Herald")
    SourceFactory(story=story, outlet=outlet_a)
    SourceFactory(story=story, outlet=outlet_b)
    return model.objects.get(pk=story.pk)


def snapshot(story) -> tuple:
    fresh = Story.objects.get(pk=story.pk)
    return (fresh.status, fresh.publish_at, fresh.title, fresh.version, StoryTransition.objects.count())


def perform(client, model, action: str, actor, people) -> tuple[bool, object, tuple | None]:
    """Try ``action``; return (whether it took effect, the response, the story's state before)."""
    own_author = actor if actor.groups.filter(name="Reporter").exists() else people["Reporter"]
    if action == "add":
        count = model.objects.count()
        page = client.get(admin_url(model, "add"))
        if page.status_code != 200:
            return False, page, None
        data = form_data(page.content.decode(), f"{model._meta.model_name}_form")
        if model is Article:
            data.update(headline="A reporter's new harbour story", body="<p>Text.</p>")
        else:
            data.update(summary="The harbour reopens after the storm.", date=timezone.localdate().isoformat())
        response = client.post(admin_url(model, "add"), data)
        return model.objects.count() == count + 1, response, None
    if action in ("change_own", "change_other"):
        story = story_of(model, own_author if action == "change_own" else people["other"])
        field = "headline" if model is Article else "summary"
        data = edit_data(model, story, **{field: "Changed by the matrix"})
        before = snapshot(story)
        response = client.post(admin_url(model, "change", story.pk), data)
        return Story.objects.get(pk=story.pk).title == "Changed by the matrix", response, before
    if action == "delete":
        story = story_of(model, own_author)
        before = snapshot(story)
        response = client.post(admin_url(model, "delete", story.pk), {"post": "yes"})
        return not Story.objects.filter(pk=story.pk).exists(), response, before
    start = {
        "submit": Status.DRAFT,
        "publish": Status.REVIEW,
        "schedule": Status.REVIEW,
        "withdraw": Status.PUBLISHED,
    }[action]
    publish_at = timezone.now() - timedelta(hours=1) if start == Status.PUBLISHED else None
    story = story_of(model, own_author, status=start, publish_at=publish_at)
    before = snapshot(story)
    data = {
        "note": "Matrix reason",
        "publish_at": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    url = admin_url(model, "transition", story.pk, action)
    response = client.post(url, data)
    target = {"submit": Status.REVIEW, "publish": Status.PUBLISHED, "schedule": Status.SCHEDULED}.get(
        action, Status.WITHDRAWN
    )
    return Story.objects.get(pk=story.pk).status == target, response, before


@pytest.mark.parametrize("model", [Article, Event], ids=["article", "event"])
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_role_action_matrix(client, people, role, action, model):
    actor = people[role]
    client.force_login(actor)

    done, response, before = perform(client, model, action, actor, people)

    if action in ALLOWED[role]:
        assert done, (role, action, response.status_code)
        assert response.status_code == 302
    else:
        assert not done, (role, action)
        assert response.status_code == 403, (role, action, response.status_code)
        if before is not None:
            story = model.objects.order_by("-pk").first()
            assert snapshot(story) == before


@pytest.mark.parametrize("role", ROLES)
def test_change_page_shows_only_the_controls_a_role_may_use(client, people, role):
    actor = people[role]
    client.force_login(actor)
    own = story_of(Article, people["Reporter"])
    other = story_of(Article, people["other"])
    review = story_of(Article, people["other"], status=Status.REVIEW)

    pages = {
        name: client.get(admin_url(Article, "change", s.pk))
        for name, s in (("own", own), ("other", other), ("review", review))
    }
    html = {name: page.content.decode() for name, page in pages.items()}

    for page in pages.values():
        assert page.status_code == 200
    if role == "Reporter":
        assert "Submit for review" in html["own"] and 'name="_save"' in html["own"]
        assert 'name="_save"' not in html["other"] and "Submit for review" not in html["other"]
        assert "Publish now" not in html["review"] and 'name="_save"' not in html["review"]
    elif role == "Moderator":
        for text in html.values():
            assert 'name="_save"' not in text
            assert "Publish now" not in text and "Submit for review" not in text
    else:
        assert "Publish now" in html["review"] and "Schedule…" in html["review"]
        assert 'name="_save"' in html["other"]


def test_moderator_sees_the_comment_queue_and_reporter_does_not(client, people):
    queue = reverse("admin:comments_comment_changelist")
    client.force_login(people["Reporter"])
    assert client.get(queue).status_code == 403
    client.force_login(people["Moderator"])
    assert client.get(queue).status_code == 200


def test_bulk_actions_are_offered_only_to_editors(client, people):
    story_of(Article, people["Reporter"])
    client.force_login(people["Reporter"])
    reporter_list = client.get(admin_url(Article, "changelist")).content.decode()
    client.force_login(people["Editor"])
    editor_list = client.get(admin_url(Article, "changelist")).content.decode()

    assert "publish_selected" not in reporter_list and "withdraw_selected" not in reporter_list
    assert "publish_selected" in editor_list and "withdraw_selected" in editor_list


def test_demo_accounts_print_one_login_per_role(client, settings):
    import re
    from io import StringIO

    from django.core.management import call_command

    settings.DEBUG = True
    out = StringIO()
    call_command("ensure_demo_accounts", stdout=out)
    logins = dict(re.findall(r"(\w+) login: (\S+ / \S+)", out.getvalue()))

    assert set(logins) == {"Reporter", "Editor", "Moderator", "Administrator"}
    for role, login in logins.items():
        username, password = login.split(" / ")
        assert client.login(username=username, password=password)
        user = client.get("/admin/").wsgi_request.user
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.is_superuser == (role == "Administrator")


# Parts of a story (sources, links, bylines, redirects, preview links) change only where the story may.


def source_change(source) -> str:
    return reverse("admin:newsroom_source_change", args=[source.pk])


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.REVIEW], ids=["published", "submitted"])
def test_reporter_cannot_change_sources_through_the_source_admin(client, people, status):
    story = story_of(Article, people["other"], status=status, publish_at=timezone.now() - timedelta(hours=1))
    source = story.sources.first()
    client.force_login(people["Reporter"])

    response = client.post(
        source_change(source),
        {"story": story.pk, "outlet": source.outlet_id, "title": "Planted by a reporter", "url": source.url},
    )

    assert response.status_code == 403
    assert not story.sources.filter(title="Planted by a reporter").exists()


def test_source_admin_is_read_only_even_for_editors(client, people):
    story = story_of(Article, people["Reporter"])
    source = story.sources.first()
    client.force_login(people["Editor"])

    page = client.get(source_change(source))
    listing = client.get(reverse("admin:newsroom_source_changelist")).content.decode()
    add = client.get(reverse("admin:newsroom_source_add"))

    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html and 'name="title"' not in html
    # The way to change a source: the story's own form, one click away.
    assert reverse("admin:newsroom_story_change", args=[story.pk]) in html
    assert add.status_code == 403
    assert source.title in listing


def test_sources_of_a_story_the_reporter_may_not_edit_are_shown_read_only(client, people):
    story = story_of(Article, people["Reporter"], status=Status.REVIEW)
    client.force_login(people["Reporter"])

    html = client.get(admin_url(Article, "change", story.pk)).content.decode()

    assert "Harbour Gazette" in html
    assert 'name="sources-0-title"' not in html and 'name="sources-2-title"' not in html
    assert 'name="sources-MAX_NUM_FORMS" value="0"' in html


def test_reporter_edits_the_sources_of_their_own_draft_in_its_form(client, people):
    story = story_of(Article, people["Reporter"])
    client.force_login(people["Reporter"])
    page = client.get(admin_url(Article, "change", story.pk)).content.decode()
    data = form_data(page, "article_form")
    data["sources-0-title"] = "Harbour board minutes"

    response = client.post(admin_url(Article, "change", story.pk), data)

    assert response.status_code == 302
    assert story.sources.filter(title="Harbour board minutes").exists()


def test_reporter_cannot_make_a_preview_link_once_the_story_is_submitted(client, people):
    from newsroom.models import PreviewLink

    own_draft = story_of(Article, people["Reporter"])
    submitted = story_of(Article, people["Reporter"], status=Status.REVIEW)
    client.force_login(people["Reporter"])

    refused = client.post(admin_url(Article, "preview", submitted.pk))
    made = client.post(admin_url(Article, "preview", own_draft.pk))

    assert refused.status_code == 403
    assert not PreviewLink.objects.filter(story=submitted).exists()
    assert made.status_code == 302
    assert PreviewLink.objects.filter(story=own_draft).exists()


def test_redirects_change_only_for_stories_the_user_may_edit(client, people):
    from django.contrib.auth.models import Permission

    from newsroom.models import StoryRedirect

    # A reporter trusted with the redirect list still cannot point an old address at a published story.
    reporter = people["Reporter"]
    reporter.user_permissions.add(*Permission.objects.filter(codename__endswith="_storyredirect"))
    published = story_of(Article, people["other"], status=Status.PUBLISHED, publish_at=timezone.now())
    own_draft = story_of(Article, reporter)
    kept = StoryRedirect.objects.create(old_date=published.date, old_slug="old-harbour-plan", story=published)
    client.force_login(reporter)
    add = reverse("admin:newsroom_storyredirect_add")

    refused = client.post(add, {"old_date": "2020-01-02", "old_slug": "planted", "story": published.pk})
    allowed = client.post(add, {"old_date": "2020-01-03", "old_slug": "my-old-draft", "story": own_draft.pk})
    change = client.post(
        reverse("admin:newsroom_storyredirect_change", args=[kept.pk]),
        {"old_date": "2020-01-04", "old_slug": "moved", "story": own_draft.pk},
    )

    assert refused.status_code == 200
    assert "You may not change the addresses of" in refused.content.decode()
    assert not StoryRedirect.objects.filter(old_slug="planted").exists()
    assert allowed.status_code == 302
    assert StoryRedirect.objects.filter(old_slug="my-old-draft", story=own_draft).exists()
    assert change.status_code == 403
    kept.refresh_from_db()
    assert (kept.old_slug, kept.story_id) == ("old-harbour-plan", published.pk)


# A change form that does not carry the version it was opened at is treated as stale.


@pytest.mark.parametrize("version", [None, "", "three"], ids=["missing", "empty", "not-a-number"])
def test_save_without_a_readable_version_is_shown_as_a_conflict_and_keeps_the_typing(client, people, version):
    from newsroom import services

    story = story_of(Article, people["Reporter"])
    data = edit_data(Article, story, standfirst="A standfirst typed into an old copy of the form.")
    if version is None:
        del data["expected_version"]
    else:
        data["expected_version"] = version
    # Someone saves the story after that copy of the form was made.
    Article.objects.get(pk=story.pk).save()
    services.save_revision(story=story, by=people["Editor"], comment="Saved by the desk")
    client.force_login(people["Editor"])

    response = client.post(admin_url(Article, "change", story.pk), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "This form did not say which version of the story it was opened at" in html
    assert "Nothing you typed is lost" in html
    assert "A standfirst typed into an old copy of the form." in html
    assert Article.objects.get(pk=story.pk).standfirst != "A standfirst typed into an old copy of the form."
    # Having seen the saved story, saving the returned form again keeps what was typed.
    again = client.post(admin_url(Article, "change", story.pk), form_data(html, "article_form"))
    assert again.status_code == 302
    assert Article.objects.get(pk=story.pk).standfirst == "A standfirst typed into an old copy of the form."


def test_an_image_a_published_story_leads_with_changes_only_for_those_who_may_edit_that_story(client, people):
    from django.contrib.auth.models import Permission

    from tests.factories import ImageFactory

    # A reporter trusted with the image library still cannot recaption a published story's lead image.
    reporter = people["Reporter"]
    reporter.user_permissions.add(Permission.objects.get(codename="change_image"))
    published = story_of(Article, people["other"], status=Status.PUBLISHED, publish_at=timezone.now())
    own_draft = story_of(Article, reporter)
    theirs, mine = ImageFactory(caption="Cranes at dusk"), ImageFactory(caption="My harbour photo")
    Article.objects.filter(pk=published.pk).update(lead_image=theirs)
    Article.objects.filter(pk=own_draft.pk).update(lead_image=mine)
    client.force_login(reporter)

    def recaption(image, caption):
        url = reverse("admin:newsroom_image_change", args=[image.pk])
        data = form_data(client.get(url).content.decode(), "image_form")
        return client.post(url, {**data, "caption": caption})

    refused, allowed = recaption(theirs, "Recaptioned"), recaption(mine, "Cranes, recaptioned")

    assert refused.status_code == 403
    assert allowed.status_code == 302
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.caption == "Cranes at dusk"
    assert mine.caption == "Cranes, recaptioned"


def locked_attempt():
    from axes.models import AccessAttempt

    return AccessAttempt.objects.create(
        user_agent="Firefox",
        ip_address="198.51.100.7",
        username="night-desk",
        http_accept="text/html",
        path_info="/admin/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )


def test_administrator_who_is_not_a_superuser_sees_sign_in_attempts_and_unlocks_an_account(client, people):
    attempt = locked_attempt()
    administrator = people["Administrator"]
    assert not administrator.is_superuser
    client.force_login(administrator)

    listing = client.get(reverse("admin:axes_accessattempt_changelist"))
    response = client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})

    assert listing.status_code == 200
    assert "night-desk" in listing.content.decode()
    assert response.status_code == 302
    assert not type(attempt).objects.filter(pk=attempt.pk).exists()


def test_roles_receive_the_permissions_of_apps_installed_after_their_migration():
    """Sign-in throttling and the front page came after the roles' migration; migrating again grants theirs."""
    from django.contrib.auth.models import Permission
    from django.core.management.sql import emit_post_migrate_signal

    administrator, editor = Group.objects.get(name="Administrator"), Group.objects.get(name="Editor")
    administrator.permissions.remove(*Permission.objects.filter(content_type__app_label__in=["axes", "frontpage"]))
    editor.permissions.remove(*Permission.objects.filter(content_type__app_label="frontpage"))

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert administrator.permissions.count() == Permission.objects.count()
    assert editor.permissions.filter(codename="curate_frontpage").exists()
    assert not editor.permissions.filter(content_type__app_label="axes").exists()


def test_sign_in_attempts_are_shown_read_only_and_a_change_is_refused(client, people):
    attempt = locked_attempt()
    client.force_login(people["Administrator"])
    url = reverse("admin:axes_accessattempt_change", args=[attempt.pk])

    page = client.get(url)
    response = client.post(url, {"username": "someone-else"})

    assert page.status_code == 200
    assert "night-desk" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert response.status_code == 403
    assert type(attempt).objects.get(pk=attempt.pk).username == "night-desk"


@pytest.mark.parametrize("factory", [ArticleFactory, EventFactory], ids=["article", "event"])
def test_editor_deletes_a_story_that_has_reader_comments(client, factory):
    from newsroom.comments.models import Comment
    from tests.factories import CommentFactory

    editor = UserFactory(username="desk-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    client.force_login(editor)
    story = factory()
    CommentFactory(story=story, status="approved")
    opts = type(story)._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[story.pk])

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Are you sure" in confirm.content.decode()
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Story.objects.filter(pk=story.pk).exists()
    assert not Comment.objects.filter(story_id=story.pk).exists()
