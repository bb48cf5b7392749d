"""Who may do what to a story, and which moves between states exist.

The roles are Django groups made by a data migration from ``ROLE_PERMISSIONS``; the
admin, the services and the tests all ask the helpers here, so the rules live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from .querysets import LIVE_STATUSES, Status

REPORTER = "Reporter"
EDITOR = "Editor"
MODERATOR = "Moderator"
ADMINISTRATOR = "Administrator"

VIEW = ("view",)
EVERYTHING = ("view", "add", "change", "delete")
WORKFLOW_PERMISSIONS = ("submit_story", "publish_story", "withdraw_story", "correct_story", "merge_tags")

# app label -> model -> actions (or custom codenames, which are kept whole).
ROLE_PERMISSIONS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    REPORTER: {
        "newsroom": {
            "story": ("view", "submit_story"),
            "article": ("view", "add", "change"),
            "byline": EVERYTHING,
            "source": EVERYTHING,
            "relatedlink": EVERYTHING,
            "outlet": ("view", "add"),
            "image": ("view", "add"),
            "author": VIEW,
            "section": VIEW,
        },
        "events": {"event": ("view", "add", "change")},
        "taggit": {"tag": VIEW},
    },
    EDITOR: {
        "newsroom": {
            "story": (*VIEW, *WORKFLOW_PERMISSIONS),
            "article": EVERYTHING,
            "byline": EVERYTHING,
            "source": EVERYTHING,
            "relatedlink": EVERYTHING,
            "outlet": EVERYTHING,
            "image": EVERYTHING,
            "author": EVERYTHING,
            "section": EVERYTHING,
            "storyredirect": EVERYTHING,
            "correction": EVERYTHING,
            "previewlink": EVERYTHING,
            "storytransition": VIEW,
            "tagredirect": VIEW,
        },
        "events": {"event": EVERYTHING},
        "taggit": {"tag": EVERYTHING},
        "frontpage": {"placement": (*VIEW, "curate_frontpage"), "zone": EVERYTHING, "revision": VIEW},
        "webhooks": {"endpoint": EVERYTHING, "delivery": VIEW},
        # Old addresses from imports go with their story: whoever may delete the story may delete them.
        "importers": {"legacyaddress": ("view", "delete")},
    },
    # The comments app grants the queue itself; here moderators only read stories.
    MODERATOR: {
        "newsroom": {"story": VIEW, "article": VIEW},
        "events": {"event": VIEW},
    },
}

# Administrators get every permission there is, accounts included.
ALL_PERMISSIONS_ROLES = (ADMINISTRATOR,)


def role_codenames(role: str) -> set[tuple[str, str]]:
    """(app label, codename) pairs a role is given."""
    pairs = set()
    for app_label, models in ROLE_PERMISSIONS.get(role, {}).items():
        for model, actions in models.items():
            for action in actions:
                pairs.add((app_label, action if "_" in action else f"{action}_{model}"))
    return pairs


def grant_role_permissions(group_model, permission_model) -> None:
    """Create each role's group and give it exactly its permissions (used by the migration and the demo)."""
    for role in (REPORTER, EDITOR, MODERATOR):
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = role_codenames(role)
        permissions = [
            permission
            for permission in permission_model.objects.select_related("content_type")
            if (permission.content_type.app_label, permission.codename) in wanted
        ]
        if role == MODERATOR:
            # The comments app owns the rest of the moderator's grants; keep them.
            group.permissions.add(*permissions)
        else:
            group.permissions.set(permissions)
    for role in ALL_PERMISSIONS_ROLES:
        group, _ = group_model.objects.get_or_create(name=role)
        group.permissions.set(permission_model.objects.all())


# Transitions -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    permission: str
    # Reporters may submit only what they wrote; everything else needs an editor's permission anyway.
    own_only_without: str | None = None
    needs_time: bool = False
    runs_checklist: bool = False
    asks_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "submit",
            "Submit for review",
            (Status.DRAFT,),
            Status.REVIEW,
            "newsroom.submit_story",
            own_only_without="newsroom.publish_story",
        ),
        Transition(
            "return", "Send back to draft", (Status.REVIEW, Status.SCHEDULED), Status.DRAFT, "newsroom.publish_story"
        ),
        Transition(
            "schedule",
            "Schedule",
            (Status.DRAFT, Status.REVIEW, Status.SCHEDULED),
            Status.SCHEDULED,
            "newsroom.publish_story",
            needs_time=True,
            runs_checklist=True,
        ),
        Transition(
            "publish",
            "Publish now",
            (Status.DRAFT, Status.REVIEW, Status.SCHEDULED),
            Status.PUBLISHED,
            "newsroom.publish_story",
            runs_checklist=True,
        ),
        Transition(
            "withdraw",
            "Withdraw",
            (Status.PUBLISHED, Status.SCHEDULED),
            Status.WITHDRAWN,
            "newsroom.withdraw_story",
            asks_reason=True,
        ),
        Transition("reinstate", "Return to draft", (Status.WITHDRAWN,), Status.DRAFT, "newsroom.withdraw_story"),
    )
}


def is_own(user, story) -> bool:
    return story.created_by_id is not None and story.created_by_id == user.pk


def effective_status(story) -> str:
    """A scheduled story whose time has come is published, whether or not publish_due has run."""
    if story.status == Status.SCHEDULED and story.is_published:
        return Status.PUBLISHED
    return story.status


def effective_status_label(story) -> str:
    return Status(effective_status(story)).label


# A publish time this close to the present is "now": the editor means the moment they press the button.
NOW_TOLERANCE = timedelta(minutes=2)


def publish_at_kind(moment, now=None) -> str:
    """Whether a publish time is "past", "now" or "future", as the publish step asks about it."""
    now = now or timezone.now()
    if moment is None or abs(moment - now) <= NOW_TOLERANCE:
        return "now"
    return "past" if moment < now else "future"


def newsroom_time_text(moment) -> str:
    """A moment as the trail and messages say it, in the newsroom's zone: "23 Apr 2012, 09:00"."""
    from django.conf import settings
    from django.utils import dateformat

    return dateformat.format(timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE)), "j M Y, H:i")


def may_transition(user, story, transition: Transition) -> bool:
    if effective_status(story) not in transition.sources:
        return False
    if not user.has_perm(transition.permission):
        return False
    if transition.own_only_without and not user.has_perm(transition.own_only_without):
        return is_own(user, story)
    return True


def available_transitions(user, story) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if may_transition(user, story, t)]


def may_edit(user, story) -> bool:
    """Editors edit any story; a reporter edits only their own, and only until it is submitted."""
    if user.has_perm("newsroom.publish_story"):
        return True
    return is_own(user, story) and story.status == Status.DRAFT


def may_correct(user, story) -> bool:
    return user.has_perm("newsroom.correct_story") and story.status in LIVE_STATUSES


def may_preview(user, story) -> bool:
    """Making or revoking a preview link is a change to the story: a reporter does it only while they may edit."""
    return user.has_perm("newsroom.add_previewlink") or (
        user.has_perm("newsroom.submit_story") and may_edit(user, story)
    )


# Reader-side questions about a story's state --------------------------------------------------------------

# Saving a story a moment after its publish time is not an update a reader needs to hear about.
UPDATE_GRACE_SECONDS = 120


def withdrawn_story(*, year: str, month: str, day: str, slug: str):
    """The withdrawn story at this address, or None."""
    from datetime import date

    from .models import Story

    try:
        when = date(int(year), int(month), int(day))
    except ValueError:
        return None
    withdrawn = Story.objects.filter(status=Status.WITHDRAWN)
    story = withdrawn.filter(date=when, slug=slug).first()
    if story is None:
        # An address the story had before its slug or date changed was public too: it says the same.
        story = withdrawn.filter(redirects__old_date=when, redirects__old_slug=slug).first()
    return story


def story_updates(story) -> dict:
    """The corrections a story page shows at its foot and the time for its "Updated" line."""
    corrections = list(story.corrections.all()) if getattr(story, "has_corrections", True) else []
    last_updated = None
    if corrections:
        last_updated = corrections[0].published_at
    elif story.publish_at:
        # A story filed after its publish time (copied in from the wire, say) was not updated by being saved.
        since = max(story.publish_at, story.created_at)
        if (story.updated_at - since).total_seconds() > UPDATE_GRACE_SECONDS:
            last_updated = story.updated_at
    return {"corrections": corrections, "last_updated": last_updated}


# What the admin shows -------------------------------------------------------------------------------------

DASHBOARD_ROWS = 8


def dashboard(user) -> dict:
    """The editor's day on the admin index: my drafts, waiting for review, scheduled next, just published."""
    from django.utils import timezone

    from .models import Story

    now = timezone.now()
    stories = Story.objects.only("pk", "kind", "title", "status", "publish_at", "updated_at", "created_by")
    return {
        "my_drafts": list(
            stories.filter(created_by=user, status=Status.DRAFT).order_by("-updated_at")[:DASHBOARD_ROWS]
        ),
        "in_review": list(stories.filter(status=Status.REVIEW).order_by("updated_at")[:DASHBOARD_ROWS]),
        "scheduled_next": list(
            stories.filter(status=Status.SCHEDULED, publish_at__gt=now).order_by("publish_at")[:DASHBOARD_ROWS]
        ),
        "recently_published": list(stories.published(now).order_by("-publish_at")[:DASHBOARD_ROWS]),
    }


def snapshot_lines(fields: dict, rows: dict[str, list[dict]]) -> dict[str, str]:
    """A story's content as label -> readable text, from either a revision or the database.

    ``fields`` maps attribute names to values (story and article or event together); ``rows`` holds the
    sources, related links, contexts and byline as dictionaries of attribute names.
    """
    from taggit.models import Tag

    from .models import Author, Image, Outlet, Section, Story

    def lookup(model, pk, attribute="name"):
        if not pk:
            return ""
        found = model.objects.filter(pk=pk).values_list(attribute, flat=True).first()
        return str(found) if found is not None else f"(#{pk}, since deleted)"

    lines: dict[str, str] = {}
    labels = [
        ("headline", "Headline"),
        ("standfirst", "Standfirst"),
        ("body", "Body"),
        ("summary", "Summary"),
        ("category", "Category"),
        ("article_type", "Kind"),
        ("dateline", "Dateline"),
        ("language", "Language"),
        ("slug", "Slug"),
        ("date", "Date"),
        ("comments", "Comments"),
    ]
    for name, label in labels:
        if name in fields:
            value = fields[name]
            lines[label] = "" if value is None else str(value)
    if "section_id" in fields:
        lines["Section"] = lookup(Section, fields["section_id"], "path")
    if "lead_image_id" in fields:
        lines["Lead image"] = lookup(Image, fields["lead_image_id"], "caption")
    tags = sorted(lookup(Tag, row["tag_id"]) for row in rows.get("tags", []))
    lines["Contexts"] = ", ".join(tags)
    lines["Sources"] = "\n".join(
        f"{lookup(Outlet, row['outlet_id'])}: {row.get('title') or ''} <{row['url']}>"
        for row in sorted(rows.get("sources", []), key=lambda r: (r.get("order", 0), r.get("id") or 0))
    )
    lines["Related links"] = "\n".join(
        (row.get("label") or (lookup(Story, row["target_id"], "title") if row.get("target_id") else row.get("url")))
        for row in sorted(rows.get("links", []), key=lambda r: (r.get("order", 0), r.get("id") or 0))
    )
    if "headline" in fields:
        lines["Byline"] = ", ".join(
            lookup(Author, row["author_id"])
            for row in sorted(rows.get("bylines", []), key=lambda r: (r.get("order", 0), r.get("id") or 0))
        )
    return lines


def live_snapshot(story) -> dict[str, str]:
    """The story as the database holds it now."""
    from .models import Byline, RelatedLink, Source, TaggedStory

    specific = story if type(story).__name__ != "Story" else story.specific
    fields = {field.attname: getattr(specific, field.attname) for field in specific._meta.concrete_fields}
    for field in specific._meta.concrete_fields:
        if field.name in ("section", "lead_image"):
            fields[f"{field.name}_id"] = getattr(specific, field.attname)
    rows = {
        "sources": list(Source.objects.filter(story_id=story.pk).values()),
        "links": list(RelatedLink.objects.filter(story_id=story.pk).values()),
        "tags": list(TaggedStory.objects.filter(content_object_id=story.pk).values()),
        "bylines": list(Byline.objects.filter(article_id=story.pk).values()),
    }
    return snapshot_lines(fields, rows)


def revision_snapshot(revision, story_pk: int) -> dict[str, str]:
    """The story as ``revision`` kept it."""
    from .models import Byline, RelatedLink, Source, Story, TaggedStory

    fields: dict = {}
    rows: dict[str, list[dict]] = {"sources": [], "links": [], "tags": [], "bylines": []}
    kinds = {
        Source: ("sources", "story_id"),
        RelatedLink: ("links", "story_id"),
        TaggedStory: ("tags", "content_object_id"),
    }
    kinds[Byline] = ("bylines", "article_id")
    for version in revision.version_set.all():
        model = version._model
        if model is None:
            continue
        if issubclass(model, Story):
            if str(version.object_id) == str(story_pk):
                fields.update(version.field_dict)
            continue
        if model in kinds:
            key, owner = kinds[model]
            data = version.field_dict
            if data.get(owner) == story_pk:
                rows[key].append({**data, "id": int(version.object_id)})
    return snapshot_lines(fields, rows)


def diff_rows(old: dict[str, str], new: dict[str, str]) -> list[dict]:
    """Fields that differ, each with a word-level diff marked up with <del> and <ins>."""
    import difflib

    from django.utils.html import escape, strip_tags
    from django.utils.safestring import mark_safe

    rows = []
    for label in dict.fromkeys([*old, *new]):
        before, after = old.get(label, ""), new.get(label, "")
        if before == after:
            continue
        if label == "Body":
            # Readers see words, not markup: compare the paragraphs' text.
            before = strip_tags(before.replace("</p>", "</p>\n")).strip()
            after = strip_tags(after.replace("</p>", "</p>\n")).strip()
        a, b = before.split(" "), after.split(" ")
        parts = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if op == "equal":
                parts.append(escape(" ".join(a[i1:i2])))
                continue
            if i2 > i1:
                parts.append(f"<del>{escape(' '.join(a[i1:i2]))}</del>")
            if j2 > j1:
                parts.append(f"<ins>{escape(' '.join(b[j1:j2]))}</ins>")
        rows.append({"label": label, "before": before, "after": after, "diff": mark_safe(" ".join(parts))})
    return rows
