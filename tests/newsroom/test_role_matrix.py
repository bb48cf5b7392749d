"""Every role against every admin screen and every admin URL, generated from the admin registry and the URLconf.

The rows of the matrix are not written by hand: every model admin registered on ``admin.site`` and every
URL the admin site (and each model admin's ``get_urls()``) answers becomes a test below. Each is tried
by each role (anonymous, a reader's account, a reporter, another reporter, an editor, a moderator, an
administrator) with GET and with a real POST (the form as the page offers it, re-posted), on objects in
each state that matters. "Allowed" means the page answered or the change is in the database; "refused"
means a refusal (login page, 403, 404 or 405) and a database exactly as it was.

What each role may do is written out in two tables below:

- ``MODEL_RULES``, keyed by ``"app_label.ModelName"``: who may view, add, change and delete in that admin;
- ``URL_RULES``, keyed by the URL's name (as in ``reverse("admin:<name>")``): who gets the page on GET and
  whose POST changes the database.

**A new admin screen needs one line here, or the suite fails** naming it. For a model admin that editors
manage and reporters may only read, for instance::

    "frontpage.Placement": Admin(view=STAFF_WRITERS, add=EDITORS, change=EDITORS, delete=EDITORS, objects=...),

``objects`` builds the row(s) to try change, delete and history on (keyed by state) when the shared data
below has none; ``add_fields`` gives what to type into the add form (``change_field`` names the field
typed into on the change form). For a custom admin URL (keyed by its name, or by its route if it has none)::

    "newsroom_article_preview_body": Url(get=STAFF_WRITERS, post=NOBODY, args=story_args("article")),

Role sets (``EDITORS``, ``MODERATORS``...) and per-state rules (``EDIT_STORY``: editors on any story, the
reporter on their own draft only) are defined just below the roles. All stories are the reporter's: the
"other reporter" role is how "someone else's draft" is tried.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, reverse
from django.utils import timezone
from reversion.models import Revision
from taggit.models import Tag

from newsroom import services
from newsroom.api.models import ApiKey
from newsroom.frontpage import services as frontpage_services
from newsroom.frontpage.arrangement import Place
from newsroom.frontpage.models import Zone
from newsroom.importers.models import LegacyAddress
from newsroom.models import Article, Byline, RelatedLink, Source, Story, StoryRedirect
from newsroom.querysets import Status
from newsroom.webhooks.models import Delivery, Endpoint, Message
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    EventFactory,
    ImageFactory,
    OutletFactory,
    SectionFactory,
    SourceFactory,
    UserFactory,
    WordRuleFactory,
    png_upload,
)
from tests.newsroom.test_roles import form_data

# Roles ------------------------------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
READER = "reader"  # a reader's account: signed in, no staff flag
REPORTER = "reporter"
OTHER_REPORTER = "other reporter"
EDITOR = "editor"
MODERATOR = "moderator"
ADMINISTRATOR = "administrator"
ROLES = (ANONYMOUS, READER, REPORTER, OTHER_REPORTER, EDITOR, MODERATOR, ADMINISTRATOR)
GROUPS = {REPORTER: "Reporter", OTHER_REPORTER: "Reporter", EDITOR: "Editor", MODERATOR: "Moderator"}
GROUPS[ADMINISTRATOR] = "Administrator"

NOBODY: frozenset[str] = frozenset()
ADMINISTRATORS = frozenset({ADMINISTRATOR})
EDITORS = frozenset({EDITOR, ADMINISTRATOR})
MODERATORS = frozenset({MODERATOR, ADMINISTRATOR})
STAFF_WRITERS = frozenset({REPORTER, OTHER_REPORTER, EDITOR, ADMINISTRATOR})
STORY_READERS = STAFF_WRITERS | {MODERATOR}
STAFF = STORY_READERS
EVERYONE = frozenset(ROLES)

# Story states. Every story is the reporter's own.
DRAFT, SUBMITTED, PUBLISHED = "draft", "submitted", "published"
STORY_STATES = (DRAFT, SUBMITTED, PUBLISHED)
ANY = "any"

# A rule is a set of roles, or a function of the role and the state of the object tried.
Who = frozenset[str] | Callable[[str, str], bool]


def EDIT_STORY(role: str, state: str) -> bool:
    """may_edit: editors change any story; the reporter changes their own story while it is a draft."""
    return role in EDITORS or (role == REPORTER and state == DRAFT)


def PREVIEW_STORY(role: str, state: str) -> bool:
    """Preview links are made under the story's own rule."""
    return EDIT_STORY(role, state)


def TAKE_STEP(role: str, state: str) -> bool:
    """The workflow step tried in each state: submit a draft, publish a submitted story, withdraw a live one."""
    if state == DRAFT:
        return role in EDITORS or role == REPORTER
    return role in EDITORS


def CORRECT_STORY(role: str, state: str) -> bool:
    """Corrections go on live stories only, by editors."""
    return role in EDITORS and state == PUBLISHED


def allows(who: Who, role: str, state: str) -> bool:
    return who(role, state) if callable(who) else role in who


# What to try, per model admin and per admin URL ---------------------------------------------------------------

# The views a model admin has unless it says otherwise, tried for every entry of MODEL_RULES.
STANDARD_VIEWS = ("changelist", "add", "change", "delete", "history")


@dataclass(frozen=True)
class Admin:
    """Who may do what in one model admin.

    ``change_field`` is the form field typed into for the change POST (None: nothing on the form is editable,
    so an allowed POST must answer with a redirect and leave the row as it was). ``bulk_delete`` is the
    changelist's "delete selected" action, ``delete`` unless given. ``change_page`` is the status of an
    allowed GET of the change page (the story index redirects to the article or event form).
    """

    view: Who = NOBODY
    add: Who = NOBODY
    change: Who = NOBODY
    delete: Who = NOBODY
    bulk_delete: Who | None = None
    change_field: str | None = "name"
    changes: Callable[[SimpleNamespace, object], dict] | None = None
    add_fields: Callable[[SimpleNamespace], dict] | None = None
    objects: Callable[[SimpleNamespace], dict[str, object]] | None = None
    change_page: int = 200
    # Posted instead of the change page's own form, when that form shows nothing editable to anyone.
    change_data: Callable[[SimpleNamespace, object], dict] | None = None
    # The standard views the admin answers (change, delete and history come together); the others must not
    # even have an address.
    views: tuple[str, ...] = STANDARD_VIEWS
    # For an admin whose changelist is itself the editing screen: what its form posts to change the rows
    # listed. Those with ``change`` must change them; everyone else must leave them as they were.
    screen_data: Callable[[SimpleNamespace], dict] | None = None


@dataclass(frozen=True)
class Url:
    """Who gets a custom admin URL's page on GET (``get``) and whose POST changes the database (``post``)."""

    get: Who = NOBODY
    post: Who = NOBODY
    args: Callable[[SimpleNamespace, str], list] = lambda world, state: []
    states: tuple[str, ...] = (ANY,)
    data: Callable[[SimpleNamespace, str], dict] = lambda world, state: {}
    query: dict = field(default_factory=dict)
    # Status(es) of an allowed GET; 302 for addresses that send the user on (anywhere but the login page).
    ok_status: int | tuple[int, ...] = 200


def story_objects(kind: str) -> Callable[[SimpleNamespace], dict]:
    return lambda world: world.stories[kind]


def each_story(attribute: str) -> Callable[[SimpleNamespace], dict]:
    """One part (the first source, the old address...) of the article in each state."""
    return lambda world: {state: getattr(world, attribute)[state] for state in STORY_STATES}


def article_changes(world, story) -> dict:
    return {"headline": "Changed by the role matrix", "sources-0-title": "Source retitled by the role matrix"}


def event_changes(world, story) -> dict:
    return {"summary": "Changed by the role matrix.", "sources-0-title": "Source retitled by the role matrix"}


def source_data(world, source) -> dict:
    return {
        "story": source.story_id,
        "outlet": source.outlet_id,
        "title": "Planted by the role matrix",
        "url": "https://planted.example/",
        "order": 0,
    }


MODEL_RULES: dict[str, Admin] = {
    "auth.User": Admin(
        view=ADMINISTRATORS,
        add=ADMINISTRATORS,
        change=ADMINISTRATORS,
        delete=ADMINISTRATORS,
        change_field="first_name",
        objects=lambda world: {ANY: world.target_user},
        add_fields=lambda world: {
            "username": "matrix-new-user",
            "password1": "Harbour-lights-2026",
            "password2": "Harbour-lights-2026",
            "usable_password": "true",
        },
    ),
    "auth.Group": Admin(
        view=ADMINISTRATORS,
        add=ADMINISTRATORS,
        change=ADMINISTRATORS,
        delete=ADMINISTRATORS,
        objects=lambda world: {ANY: world.group},
        add_fields=lambda world: {"name": "Matrix night desk"},
    ),
    "newsroom.Section": Admin(
        view=STAFF_WRITERS,
        add=EDITORS,
        change=EDITORS,
        delete=EDITORS,
        objects=lambda world: {ANY: world.section},
        add_fields=lambda world: {"name": "Matrix section", "slug": "matrix-section", "order": 0},
    ),
    "newsroom.Author": Admin(
        view=STAFF_WRITERS,
        add=EDITORS,
        change=EDITORS,
        delete=EDITORS,
        objects=lambda world: {ANY: world.author},
        add_fields=lambda world: {"name": "Matrix Author", "slug": "matrix-author"},
    ),
    "newsroom.Outlet": Admin(
        view=STAFF_WRITERS,
        add=STAFF_WRITERS,
        change=EDITORS,
        delete=EDITORS,
        objects=lambda world: {ANY: world.outlet},
        add_fields=lambda world: {"name": "Matrix Outlet", "homepage": "https://matrix-outlet.example/"},
    ),
    # Sources are edited in the story's own form only: the standalone list is read only for everyone.
    "newsroom.Source": Admin(
        view=STAFF_WRITERS,
        change_field=None,
        objects=each_story("sources"),
        change_data=source_data,
        add_fields=lambda world: source_data(world, world.sources[DRAFT]),
    ),
    # The lead image of the published article: changing it changes that story.
    "newsroom.Image": Admin(
        view=STAFF_WRITERS,
        add=STAFF_WRITERS,
        change=EDITORS,
        delete=EDITORS,
        change_field="caption",
        objects=lambda world: {PUBLISHED: world.image},
        add_fields=lambda world: {"file": png_upload("matrix.png"), "caption": "Quay", "alt_text": "A quay"},
    ),
    "taggit.Tag": Admin(
        view=STAFF_WRITERS,
        add=EDITORS,
        change=EDITORS,
        delete=EDITORS,
        objects=lambda world: {ANY: world.tag},
        add_fields=lambda world: {"name": "Matrix context", "slug": "matrix-context"},
    ),
    "newsroom.Article": Admin(
        view=STORY_READERS,
        add=STAFF_WRITERS,
        change=EDIT_STORY,
        delete=EDITORS,
        change_field="headline",
        changes=article_changes,
        objects=story_objects("article"),
        add_fields=lambda world: {"headline": "A new harbour story from the matrix", "body": "<p>Text.</p>"},
    ),
    "events.Event": Admin(
        view=STORY_READERS,
        add=STAFF_WRITERS,
        change=EDIT_STORY,
        delete=EDITORS,
        change_field="summary",
        changes=event_changes,
        objects=story_objects("event"),
        add_fields=lambda world: {
            "summary": "The matrix ferry sails again.",
            "date": timezone.localdate().isoformat(),
        },
    ),
    # The story index only lists; opening a story sends the user on to the article or event form.
    "newsroom.Story": Admin(
        view=STORY_READERS,
        delete=EDITORS,
        bulk_delete=NOBODY,
        change_field=None,
        change_page=302,
        objects=lambda world: {state: Story.objects.get(pk=s.pk) for state, s in world.stories["article"].items()},
    ),
    "newsroom.StoryRedirect": Admin(
        view=EDITORS,
        add=EDITORS,
        change=EDITORS,
        delete=EDITORS,
        change_field="old_slug",
        changes=lambda world, obj: {"old_slug": "moved-by-the-matrix"},
        objects=each_story("redirects"),
        add_fields=lambda world: {
            "old_date": "2020-01-02",
            "old_slug": "matrix-old-address",
            "story": world.stories["article"][PUBLISHED].pk,
        },
    ),
    # Comments are decided with the queue's buttons; their form shows nothing to edit.
    "comments.Comment": Admin(
        view=MODERATORS,
        change=MODERATORS,
        delete=ADMINISTRATORS,
        change_field=None,
        objects=lambda world: {ANY: world.comment},
    ),
    "comments.WordRule": Admin(
        view=MODERATORS,
        add=MODERATORS,
        change=MODERATORS,
        delete=MODERATORS,
        change_field="note",
        objects=lambda world: {ANY: world.word_rule},
        add_fields=lambda world: {"phrase": "matrixspam", "action": "hold", "note": "Seen in the matrix"},
    ),
    "comments.BannedCommenter": Admin(
        view=MODERATORS,
        add=MODERATORS,
        change=MODERATORS,
        delete=MODERATORS,
        change_field="reason",
        objects=lambda world: {ANY: world.ban},
        add_fields=lambda world: {"email": "another.spammer@readers.example", "reason": "Link spam"},
    ),
    # Sign-in throttling: failures counted and sign-ins logged, written by sign-ins only and never edited.
    # An administrator lifts a lock by deleting the attempts of the account or address.
    "axes.AccessAttempt": Admin(
        view=ADMINISTRATORS, delete=ADMINISTRATORS, change_field=None, objects=lambda world: {ANY: world.access_attempt}
    ),
    "axes.AccessFailureLog": Admin(
        view=ADMINISTRATORS, delete=ADMINISTRATORS, change_field=None, objects=lambda world: {ANY: world.access_failure}
    ),
    "axes.AccessLog": Admin(
        view=ADMINISTRATORS, delete=ADMINISTRATORS, change_field=None, objects=lambda world: {ANY: world.access_log}
    ),
    # The front page desk is the placements' changelist and nothing else: publishing from it replaces the
    # placements, for those who hold frontpage.curate_frontpage.
    "frontpage.Placement": Admin(
        view=EDITORS,
        change=EDITORS,
        views=("changelist",),
        screen_data=lambda world: {
            "p0-story": world.stories["article"][PUBLISHED].pk,
            "p0-area": "lead",
            "p0-order": "1",
            "based_on": world.front_revision.pk,
            "action": "publish",
        },
    ),
    "frontpage.Zone": Admin(
        view=EDITORS,
        add=EDITORS,
        change=EDITORS,
        delete=EDITORS,
        change_field="heading",
        objects=lambda world: {ANY: world.zone},
        add_fields=lambda world: {
            "heading": "Matrix elections",
            "slug": "matrix-elections",
            "position": 30,
            "capacity": 3,
            "fill": "news",
        },
    ),
    # Partners' keys to the content API: credentials, so administrators only. A new key is shown once.
    "api.ApiKey": Admin(
        view=ADMINISTRATORS,
        add=ADMINISTRATORS,
        change=ADMINISTRATORS,
        delete=ADMINISTRATORS,
        objects=lambda world: {ANY: api_key(world)},
        add_fields=lambda world: {"name": "Matrix partner app", "owner": world.target_user.pk},
    ),
    # The front page's history: written by publishing and by zone changes only, read by curators.
    "frontpage.Revision": Admin(view=EDITORS, change_field=None, objects=lambda world: {ANY: world.front_revision}),
    # Webhooks: editors register receivers; the delivery log is written by the sender only and read by editors.
    "webhooks.Endpoint": Admin(
        view=EDITORS,
        add=EDITORS,
        change=EDITORS,
        delete=EDITORS,
        change_field="description",
        objects=lambda world: {ANY: world.endpoint},
        add_fields=lambda world: {
            "url": "https://hooks.example.org/matrix",
            "description": "Matrix partner",
            "events": ["story.published"],
            "active": "on",
        },
    ),
    "webhooks.Delivery": Admin(view=EDITORS, change_field=None, objects=lambda world: {ANY: world.delivery}),
    # Old addresses are written by imports only; like a story's own redirects, editors read and may drop them.
    "importers.LegacyAddress": Admin(
        view=EDITORS, delete=EDITORS, change_field=None, objects=lambda world: {ANY: world.legacy}
    ),
}


def api_key(world) -> ApiKey:
    key = ApiKey(name="Matrix radio app", owner=world.target_user)
    key.issue()
    key.save()
    return key


def story_args(kind: str, *extra) -> Callable[[SimpleNamespace, str], list]:
    return lambda world, state: [world.stories[kind][state].pk, *extra]


STEP_IN_STATE = {DRAFT: "submit", SUBMITTED: "publish", PUBLISHED: "withdraw"}


def workflow_urls(prefix: str, kind: str) -> dict[str, Url]:
    """The workflow screens every story admin has (article and event alike)."""
    return {
        f"{prefix}_transition": Url(
            get=TAKE_STEP,
            post=TAKE_STEP,
            states=STORY_STATES,
            args=lambda world, state: [world.stories[kind][state].pk, STEP_IN_STATE[state]],
            data=lambda world, state: {"note": "Checked by the matrix", "override_reason": "Matrix run"},
        ),
        f"{prefix}_correct": Url(
            get=CORRECT_STORY,
            post=CORRECT_STORY,
            states=STORY_STATES,
            args=story_args(kind),
            data=lambda world, state: {"note": "An earlier version misspelt the harbour master's name."},
        ),
        # Making a preview link is POST only: a GET changes nothing and shows nothing.
        f"{prefix}_preview": Url(get=NOBODY, post=PREVIEW_STORY, states=STORY_STATES, args=story_args(kind)),
        f"{prefix}_revisions": Url(get=STORY_READERS, post=NOBODY, states=STORY_STATES, args=story_args(kind)),
        # GET shows what restoring would change, for confirmation; only the POST restores.
        f"{prefix}_restore": Url(
            get=EDIT_STORY,
            post=EDIT_STORY,
            states=STORY_STATES,
            args=lambda world, state: [world.stories[kind][state].pk, world.first_revisions[kind][state]],
        ),
        f"{prefix}_suggestions": Url(
            get=STORY_READERS,
            post=NOBODY,
            states=STORY_STATES,
            args=story_args(kind),
            query={"text": "harbour council", "tags": "Harbour"},
        ),
        f"{prefix}_new_suggestions": Url(get=STAFF_WRITERS, post=NOBODY, query={"text": "harbour council"}),
        # The rich editor's figures: caption and credit of library images, for those who may see the library.
        f"{prefix}_figure_images": Url(get=STAFF_WRITERS, post=NOBODY, query={"ids": "1,2"}),
        # The live preview renders the form as typed and writes nothing (its transaction is rolled back);
        # it answers POST only. Who may preview is checked in tests/newsroom/test_rich_text.py.
        f"{prefix}_live_preview": Url(get=NOBODY, post=NOBODY),
    }


URL_RULES: dict[str, Url] = {
    # Importing an archive from the admin: administrators only; a POST without a file imports nothing.
    "importers_import": Url(get=ADMINISTRATORS, post=NOBODY),
    # The admin site's own pages.
    "index": Url(get=STAFF, post=NOBODY),
    # A form for those not signed in as staff; staff are sent on to the desk.
    "login": Url(get={ANONYMOUS, READER}, post=NOBODY),
    # Signing out is POST only; it ends the session (a row of the database).
    "logout": Url(get=NOBODY, post=STAFF),
    "password_change": Url(
        get=STAFF,
        post=STAFF,
        data=lambda world, state: {
            "old_password": PASSWORD,
            "new_password1": "Harbour-lights-2026",
            "new_password2": "Harbour-lights-2026",
        },
    ),
    "password_change_done": Url(get=STAFF, post=NOBODY),
    "autocomplete": Url(
        get=STAFF_WRITERS,
        post=NOBODY,
        query={"app_label": "newsroom", "model_name": "article", "field_name": "section", "term": "Sec"},
    ),
    "jsi18n": Url(get=STAFF, post=NOBODY),
    "view_on_site": Url(
        get=STAFF,
        post=NOBODY,
        ok_status=302,
        args=lambda world, state: [
            ContentType.objects.get_for_model(Article).pk,
            world.stories["article"][PUBLISHED].pk,
        ],
    ),
    "app_list": Url(get=STAFF, post=NOBODY, args=lambda world, state: ["newsroom"]),
    # Django's own: an object's bare address leads to its change page, and unknown addresses answer 404.
    "<path:object_id>/": Url(get=STAFF, post=NOBODY, ok_status=302),
    "(?P<url>.*)$": Url(get=NOBODY, post=NOBODY),
    "auth_user_password_change": Url(
        get=ADMINISTRATORS,
        post=ADMINISTRATORS,
        args=lambda world, state: [world.target_user.pk],
        data=lambda world, state: {
            "password1": "Harbour-lights-2026",
            "password2": "Harbour-lights-2026",
            "usable_password": "true",
        },
    ),
    **workflow_urls("newsroom_article", "article"),
    **workflow_urls("events_event", "event"),
    "taggit_tag_suggestions": Url(get=STAFF_WRITERS, post=NOBODY, query={"q": "Harb"}),
    # Decisions are POST only; the moderator and the time are recorded with each.
    "comments_comment_decide": Url(
        get=NOBODY, post=MODERATORS, args=lambda world, state: [world.comment.pk, "approve"]
    ),
    # GET asks for confirmation (range, days, reason); only the POST bans the network and rejects the comment.
    "comments_comment_ban_network": Url(
        get=MODERATORS,
        post=MODERATORS,
        args=lambda world, state: [world.comment.pk],
        data=lambda world, state: {"network": "192.0.2.0/24", "days": "7", "reason": "Link spam from the matrix"},
    ),
    # The front page desk's live search: JSON for curators, and it changes nothing.
    "frontpage_stories": Url(get=EDITORS, post=NOBODY, query={"q": "Harbour council"}),
}


# Finding every admin and admin URL --------------------------------------------------------------------------


def registered_admins() -> dict[str, admin.ModelAdmin]:
    return {model._meta.label: model_admin for model, model_admin in admin.site._registry.items()}


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def admin_urls() -> dict[str, str]:
    """Every custom URL of the admin: key (its name, or its route when it has none) -> route."""
    standard = {
        f"{model._meta.app_label}_{model._meta.model_name}_{view}"
        for model in admin.site._registry
        for view in STANDARD_VIEWS
    }
    found: dict[str, str] = {}
    patterns = list(walk(admin.site.get_urls()))
    for model_admin in admin.site._registry.values():
        patterns += list(walk(model_admin.get_urls()))
    for route, pattern in patterns:
        if pattern.name in standard:
            continue
        key = pattern.name or str(pattern.pattern)
        found.setdefault(key, route)
    return found


# The data every test shares, built once for the module --------------------------------------------------------

PASSWORD = "Quay-side-matrix-1"


@pytest.fixture(scope="module")
def module_media(tmp_path_factory):
    return tmp_path_factory.mktemp("matrix-media")


@pytest.fixture(autouse=True)
def media_root(module_media):
    """Uploads of the shared data stay where every test of the module can read them."""
    return module_media


def build_world() -> SimpleNamespace:
    world = SimpleNamespace()
    world.users = {}
    for role in ROLES[1:]:
        user = UserFactory(username=f"matrix-{role.replace(' ', '-')}", is_staff=role != READER, password=PASSWORD)
        if role in GROUPS:
            user.groups.add(Group.objects.get(name=GROUPS[role]))
        world.users[role] = user
    reporter = world.users[REPORTER]
    world.target_user = UserFactory(username="matrix-target", is_staff=True)
    world.group = Group.objects.create(name="Matrix desk")
    world.section = SectionFactory(name="Matrix Weather", slug="matrix-weather")
    world.author = AuthorFactory(name="Mara Trix", slug="mara-trix")
    world.outlet = OutletFactory(name="Matrix Courier")
    world.tag = Tag.objects.create(name="Harbour", slug="harbour")
    world.image = ImageFactory(caption="Cranes over the harbour")
    # Comments hang off a story of their own, so that deleting a story of the matrix never asks about them.
    commented = ArticleFactory(headline="Readers discuss the harbour plan")
    world.comment = CommentFactory(story=commented, status="pending", body="Where will the ferries berth?")
    world.word_rule = WordRuleFactory(phrase="matrixword")
    world.ban = apps.get_model("comments", "BannedCommenter").objects.create(email="spam@readers.example")

    world.stories = {"article": {}, "event": {}}
    world.sources, world.redirects = {}, {}
    world.first_revisions = {"article": {}, "event": {}}
    past = timezone.now() - timedelta(hours=2)
    for state, status in ((DRAFT, Status.DRAFT), (SUBMITTED, Status.REVIEW), (PUBLISHED, Status.PUBLISHED)):
        publish_at = past if state == PUBLISHED else None
        article = ArticleFactory(headline=f"Harbour council story, {state}", status=status, publish_at=publish_at)
        event = EventFactory(summary=f"The harbour council meets ({state}).", status=status, publish_at=publish_at)
        for kind, story in (("article", article), ("event", event)):
            Story.objects.filter(pk=story.pk).update(created_by=reporter)
            story.tags.add(world.tag)
            source = SourceFactory(story=story, outlet=OutletFactory(name=f"Gazette for the {kind} {state}"))
            RelatedLink.objects.create(story=story, target=commented, order=0)
            # Two revisions: restoring the first one brings its words back.
            services.save_revision(story=story, by=reporter, comment="Filed")
            world.first_revisions[kind][state] = Revision.objects.order_by("-pk").first().pk
            specific = type(story).objects.get(pk=story.pk)
            if kind == "article":
                specific.standfirst = "A second standfirst, saved after the first revision."
            else:
                specific.summary = f"The harbour council meets again ({state})."
            specific.save()
            services.save_revision(story=story, by=reporter, comment="Rewritten")
            world.stories[kind][state] = type(story).objects.get(pk=story.pk)
            if kind == "article":
                Byline.objects.create(article=article, author=AuthorFactory(), order=0)
                world.sources[state] = source
                world.redirects[state] = StoryRedirect.objects.create(
                    old_date=article.date - timedelta(days=400), old_slug=f"old-address-{state}", story=article
                )
    Article.objects.filter(pk=world.stories["article"][PUBLISHED].pk).update(lead_image=world.image)

    # A locked account: its failures, the failure log and a sign-in from the same address.
    seen = {
        "user_agent": "Matrix browser",
        "ip_address": "198.51.100.7",
        "username": "matrix-locked",
        "http_accept": "text/html",
        "path_info": "/admin/login/",
    }
    world.access_attempt = AccessAttempt.objects.create(**seen, get_data="", post_data="", failures_since_start=5)
    world.access_failure = AccessFailureLog.objects.create(**seen, locked_out=True)
    world.access_log = AccessLog.objects.create(**seen)

    # The front page as published: the live article among the top stories, and a zone of its own.
    world.zone = Zone.objects.create(heading="Matrix harbour desk", slug="matrix-harbour-desk", position=20)
    world.front_revision = frontpage_services.publish_arrangement(
        places=[Place(world.stories["article"][PUBLISHED].pk, "top", 1, None)],
        user=world.users[EDITOR],
        based_on=frontpage_services.latest_revision_id(),
    )

    # A receiver and one delivery in its log.
    world.endpoint = Endpoint.objects.create(
        url="https://hooks.example.org/in", description="Matrix receiver", events=["story.published"]
    )
    message = Message.objects.create(type="story.published", story_id=None, payload="{}")
    world.delivery = Delivery.objects.create(message=message, endpoint=world.endpoint)
    world.legacy = LegacyAddress.objects.create(path="/2012/04/23/old-post/", story=world.stories["article"][PUBLISHED])
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, module_media):
    with (
        override_settings(MEDIA_ROOT=module_media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Trying things --------------------------------------------------------------------------------------------------


def rows_written() -> int:
    """How many rows this connection has inserted, updated or deleted so far, sessions included.

    Read from the database's own counters, so telling "nothing changed" costs one call, not a read of
    every table around each of the matrix's thousands of requests.
    """
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        return connection.connection.total_changes
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Counts of the current transaction, rolled-back savepoints included: it only ever grows.
            cursor.execute("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_all_tables")
            return int(cursor.fetchone()[0])
    pytest.skip(f"The matrix reads the write counters of SQLite and PostgreSQL, not {connection.vendor}'s.")


@dataclass
class Attempt:
    response: object
    changed: int
    seen_before: object = None
    seen_after: object = None


def attempt(client, method: str, url: str, data=None, see: Callable[[], object] | None = None) -> Attempt:
    """One request, its effect on the database and on ``see()``; then everything it did is undone."""
    with transaction.atomic():
        seen_before = see() if see else None
        before = rows_written()
        response = client.get(url, data or {}) if method == "GET" else client.post(url, data or {})
        after = rows_written()
        seen_after = see() if see else None
        transaction.set_rollback(True)
    return Attempt(response, after - before, seen_before, seen_after)


def refused(response) -> bool:
    """A refusal: no permission, nothing there, wrong method, or sent to the login page or the desk's front."""
    if response.status_code in (403, 404, 405):
        return True
    if response.status_code != 302:
        return False
    return response["Location"].startswith(reverse("admin:login")) or response["Location"] == reverse("admin:index")


def clients(world) -> dict[str, Client]:
    made = {ANONYMOUS: Client()}
    for role, user in world.users.items():
        made[role] = Client()
        made[role].force_login(user)
    return made


def page_form(client, url: str, form_id: str) -> dict:
    page = client.get(url)
    if page.status_code != 200:
        return {}
    return form_data(page.content.decode(), form_id)


class Findings:
    """Every difference between the rules and what happened, reported together."""

    def __init__(self, key: str):
        self.key, self.lines = key, []

    def expect(self, allowed: bool, happened: bool, what: str, detail: str = "") -> None:
        if allowed != happened:
            wanted = "allowed" if allowed else "refused"
            got = "it was allowed" if happened else "it was refused"
            self.lines.append(f"{self.key}: {what}: expected {wanted}, but {got}{f' ({detail})' if detail else ''}")

    def fail(self, line: str) -> None:
        self.lines.append(f"{self.key}: {line}")

    def check(self) -> None:
        assert not self.lines, "\n".join(self.lines)


def check_get(findings, who: Who, role: str, state: str, tried: Attempt, what: str, ok_status=200) -> bool:
    status = tried.response.status_code
    if tried.changed:
        findings.fail(f"{what}: a GET changed the database ({tried.changed} rows written)")
    if not refused(tried.response) and status not in (ok_status if isinstance(ok_status, tuple) else (ok_status,)):
        findings.fail(f"{what}: answered {status}, neither {ok_status} nor a refusal")
        return False
    findings.expect(allows(who, role, state), not refused(tried.response), what, f"status {status}")
    return not refused(tried.response)


def check_post(findings, who: Who, role: str, state: str, tried: Attempt, what: str, took_effect: bool) -> None:
    allowed = allows(who, role, state)
    if allowed:
        findings.expect(True, took_effect, what, f"status {tried.response.status_code}, nothing changed")
    elif tried.changed:
        findings.expect(False, True, what, f"the database changed: {tried.changed} rows written")


# The matrix -----------------------------------------------------------------------------------------------------

ADMIN_KEYS = sorted(set(registered_admins()) | set(MODEL_RULES))
URL_KEYS = sorted(set(admin_urls()) | set(URL_RULES))


def missing_rules() -> list[str]:
    missing_admins = sorted(set(registered_admins()) - set(MODEL_RULES))
    missing_urls = sorted(set(admin_urls()) - set(URL_RULES))
    stale = sorted((set(MODEL_RULES) - set(registered_admins())) | (set(URL_RULES) - set(admin_urls())))
    problems = [f"model admin {key} has no entry in MODEL_RULES" for key in missing_admins]
    problems += [f"admin URL {key} has no entry in URL_RULES" for key in missing_urls]
    problems += [f"{key} has a rule but no longer exists" for key in stale]
    return problems


def test_every_admin_and_admin_url_has_a_rule():
    problems = missing_rules()
    assert not problems, "Add one line per admin screen to tests/newsroom/test_role_matrix.py:\n" + "\n".join(problems)


def test_an_admin_registered_without_a_rule_is_named_by_the_suite():
    from django.http import HttpResponse
    from django.urls import path

    unregistered = next(model for model in apps.get_models() if model not in admin.site._registry)

    class UnruledAdmin(admin.ModelAdmin):
        def get_urls(self):
            unruled = path("unruled/", self.admin_site.admin_view(lambda request: HttpResponse()), name="unruled")
            return [unruled, *super().get_urls()]

    admin.site.register(unregistered, UnruledAdmin)
    try:
        problems = missing_rules()
    finally:
        admin.site.unregister(unregistered)

    assert problems == [
        f"model admin {unregistered._meta.label} has no entry in MODEL_RULES",
        "admin URL unruled has no entry in URL_RULES",
    ]
    assert not missing_rules()


def has_address(info: str, view: str) -> bool:
    try:
        reverse(f"{info}_{view}", args=[1] if view in ("change", "delete", "history") else [])
    except NoReverseMatch:
        return False
    return True


def object_states(rules: Admin, world, model) -> dict[str, object]:
    if rules.objects is not None:
        return rules.objects(world)
    first = model._default_manager.order_by("pk").first()
    return {ANY: first} if first is not None else {}


@pytest.mark.django_db
@pytest.mark.parametrize("key", ADMIN_KEYS)
def test_model_admin_matrix(world, key):
    findings = Findings(key)
    admins = registered_admins()
    if key not in MODEL_RULES or key not in admins:
        findings.fail("no rule for it in MODEL_RULES, or no such model admin (see the module's docstring)")
        findings.check()
    rules, model_admin = MODEL_RULES[key], admins[key]
    model = model_admin.model
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    form_id = f"{model._meta.model_name}_form"
    by_role = clients(world)
    reader = by_role[ADMINISTRATOR]
    for view in set(STANDARD_VIEWS) - set(rules.views):
        if has_address(info, view):
            findings.fail(f"it answers the {view} view, which its entry's views= leaves out")
    per_object = {"change", "delete", "history"} & set(rules.views)
    objects = object_states(rules, world, model) if per_object else {}
    if per_object and not objects:
        findings.fail("no row to try change, delete and history on: give its entry objects=")

    def all_rows():
        return list(model._base_manager.order_by("pk").values())

    # The add form as the administrator sees it: defaults and the inlines' management forms.
    add_url = reverse(f"{info}_add") if "add" in rules.views else None
    add_base = page_form(reader, add_url, form_id) if add_url else {}
    for role, client in by_role.items():
        changelist = attempt(client, "GET", reverse(f"{info}_changelist"))
        check_get(findings, rules.view, role, ANY, changelist, f"{role} GET changelist")
        if rules.screen_data is not None:
            tried = attempt(client, "POST", reverse(f"{info}_changelist"), rules.screen_data(world), see=all_rows)
            took_effect = tried.seen_before != tried.seen_after
            check_post(findings, rules.change, role, ANY, tried, f"{role} POST changelist", took_effect)
        if add_url is None:
            continue
        check_get(findings, rules.add, role, ANY, attempt(client, "GET", add_url), f"{role} GET add")
        data = {**add_base, **(rules.add_fields(world) if rules.add_fields else {})}
        tried = attempt(client, "POST", add_url, data, see=model._base_manager.count)
        added = tried.seen_after == tried.seen_before + 1
        check_post(findings, rules.add, role, ANY, tried, f"{role} POST add", added)

    for state, obj in objects.items():
        change_url = reverse(f"{info}_change", args=[obj.pk])
        if rules.change_data is not None:
            change_base = rules.change_data(world, obj)
        else:
            change_base = page_form(reader, change_url, form_id)
            if rules.change_field is not None:
                change_base[rules.change_field] = "changed-by-the-role-matrix"
            if rules.changes is not None:
                change_base.update(rules.changes(world, obj))

        def row(obj=obj):
            return list(model._base_manager.filter(pk=obj.pk).values())

        def parts(obj=obj):
            """The row, and for a story the sources its form's inline edits too."""
            if not isinstance(obj, Story):
                return row(obj)
            return row(obj), list(Source.objects.filter(story_id=obj.pk).values_list("title", flat=True))

        def exists(obj=obj):
            return model._base_manager.filter(pk=obj.pk).exists()

        for role, client in by_role.items():
            what = f"{role} %s ({state})"
            page = attempt(client, "GET", change_url)
            shown = check_get(findings, rules.view, role, state, page, what % "GET change", ok_status=rules.change_page)
            if shown and rules.change_page == 200:
                offers_save = 'name="_save"' in page.response.content.decode()
                may_change = allows(rules.change, role, state) and rules.change_field is not None
                findings.expect(may_change, offers_save, what % "save button on the change page")

            tried = attempt(client, "POST", change_url, change_base, see=parts)
            if rules.change_field is None and allows(rules.change, role, state):
                # Nothing on the form is editable: accepted, and the row as it was.
                accepted = tried.response.status_code == 302 and tried.seen_before == tried.seen_after
                findings.expect(True, accepted, what % "POST change", f"status {tried.response.status_code}")
            else:
                # A story's form changes the story and, through its inline, its sources: both must have moved.
                if isinstance(obj, Story):
                    took_effect = all(b != a for b, a in zip(tried.seen_before, tried.seen_after, strict=True))
                else:
                    took_effect = tried.seen_before != tried.seen_after
                check_post(findings, rules.change, role, state, tried, what % "POST change", took_effect)

            delete_url = reverse(f"{info}_delete", args=[obj.pk])
            check_get(findings, rules.delete, role, state, attempt(client, "GET", delete_url), what % "GET delete")
            tried = attempt(client, "POST", delete_url, {"post": "yes"}, see=exists)
            check_post(findings, rules.delete, role, state, tried, what % "POST delete", not tried.seen_after)

            bulk = {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes", "index": 0}
            tried = attempt(client, "POST", reverse(f"{info}_changelist"), bulk, see=exists)
            bulk_rule = rules.delete if rules.bulk_delete is None else rules.bulk_delete
            check_post(findings, bulk_rule, role, state, tried, what % "delete selected", not tried.seen_after)

            history_url = reverse(f"{info}_history", args=[obj.pk])
            check_get(findings, rules.view, role, state, attempt(client, "GET", history_url), what % "GET history")
            tried = attempt(client, "POST", history_url, {})
            check_post(findings, NOBODY, role, state, tried, what % "POST history", bool(tried.changed))
    findings.check()


def url_for(key: str, rules: Url, world, state: str) -> str:
    if key == "<path:object_id>/":
        return reverse("admin:newsroom_section_changelist") + f"{world.section.pk}/"
    if key == "(?P<url>.*)$":
        return reverse("admin:index") + "no-such-desk/"
    return reverse(f"admin:{key}", args=rules.args(world, state))


@pytest.mark.django_db
@pytest.mark.parametrize("key", URL_KEYS)
def test_admin_url_matrix(world, key):
    findings = Findings(key)
    known = admin_urls()
    if key not in URL_RULES or key not in known:
        findings.fail("no rule for it in URL_RULES, or no such admin URL (see the module's docstring)")
        findings.check()
    rules = URL_RULES[key]
    for state in rules.states:
        url = url_for(key, rules, world, state)
        for role, client in clients(world).items():
            what = f"{role} %s ({state})"
            tried = attempt(client, "GET", url, rules.query)
            check_get(findings, rules.get, role, state, tried, what % "GET", ok_status=rules.ok_status)
            tried = attempt(client, "POST", url, rules.data(world, state))
            check_post(findings, rules.post, role, state, tried, what % "POST", bool(tried.changed))
    findings.check()
