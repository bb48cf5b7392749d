"""The editors' desk: admin for stories, the people and outlets they cite, and images.

Articles and events share ``StoryContentAdmin`` (publishing, contexts, sources
and related links); ``events.admin`` builds on it. Changelists are written to
cost the same number of queries however many rows a page shows.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import reversion
import taggit.admin  # noqa: F401
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import LogEntry
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchQuery
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, models
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import dateformat, formats, timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, strip_tags
from django.utils.text import capfirst
from reversion.models import Revision, Version
from taggit.models import Tag
from taggit.utils import parse_tags

from .models import (
    Article,
    Author,
    Byline,
    Correction,
    Image,
    Outlet,
    PreviewLink,
    RelatedLink,
    Section,
    Source,
    Story,
    StoryRedirect,
    StoryTransition,
    TaggedStory,
)
from .pagination import EstimatedCountPaginator
from .querysets import Status
from .search import SEARCH_CONFIG
from .services import (
    add_correction,
    add_tag,
    checklist,
    checklist_passes,
    create_preview_link,
    merge_tags,
    record_initial_status,
    restore_revision,
    revoke_preview_link,
    transition,
)
from .workflow import (
    TRANSITIONS,
    available_transitions,
    dashboard,
    diff_rows,
    live_snapshot,
    may_correct,
    may_edit,
    may_preview,
    may_transition,
    revision_snapshot,
    snapshot_lines,
)

admin.site.site_header = "Dateline newsroom"
admin.site.site_title = "Dateline"
admin.site.index_title = "Newsroom desk"
# The changelists carry many useful columns; the sidebar would push the status column off a laptop screen.
admin.site.enable_nav_sidebar = False

THUMBNAIL_WIDTH = 48
TOP_CONTEXTS = 15
TOP_CONTEXTS_CACHE_SECONDS = 300
# How many of the latest stories the context filter counts contexts over.
RECENT_STORIES_FOR_CONTEXTS = 5000
# The date bar reads the days of a list shorter than this; a longer one it probes period by period (StoryChangeList).
DATE_BAR_READ_BELOW = 20_000
# Past this many years between a list's first and last story, the date bar reads the distinct years instead.
DATE_BAR_MAX_YEARS = 100
CONTEXT_SUGGESTIONS = 10
COMMENT_FIELDS = ("comments", "comments_close_after_days", "comment_max_length", "comments_require_account")

# An address pasted without its scheme is far more likely to be https than http.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def image_thumbnail(image: Image | None, width: int = THUMBNAIL_WIDTH):
    """A small rendition of ``image`` with its alt text, or a dash when there is none."""
    if image is None or not image.file:
        return "—"
    height = round(width * image.height / image.width) if image.width else width
    return format_html(
        '<img src="{}" alt="{}" width="{}" height="{}" loading="lazy" class="dateline-thumbnail">',
        # Twice the displayed width keeps the thumbnail sharp on high-density screens.
        image.best_url(width * 2),
        image.alt_text,
        width,
        height,
    )


def newsroom_time(moment):
    """A timestamp in the newsroom's own zone, whatever zone the editor's browser is in."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE))
    # Day and time wrap as two units, never mid-date, in narrow list columns.
    return format_html(
        '<span class="dateline-nowrap">{}</span> <span class="dateline-nowrap">{}</span>',
        dateformat.format(local, "j M Y,"),
        dateformat.format(local, "H:i T"),
    )


def is_changelist(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return bool(match and match.url_name and match.url_name.endswith("_changelist"))


def most_used_contexts(kind: str | None = None) -> list[tuple[str, str]]:
    """Slugs and names of the contexts most used by the latest stories (of one kind), most used first.

    Counting every link of the archive takes seconds on millions of them; the latest few thousand
    stories take milliseconds, through the date index and the link table's (story, context) index,
    and say better what the desk is working on now.
    """
    recent = Story.objects.all()
    if kind:
        recent = recent.filter(kind=kind)
    recent = recent.order_by("-date", "-pk").values("pk")[:RECENT_STORIES_FOR_CONTEXTS]
    rows = (
        TaggedStory.objects.filter(content_object__in=recent)
        .values("tag__slug", "tag__name")
        .annotate(uses=Count("*"))
        .order_by("-uses", "tag__name")[:TOP_CONTEXTS]
    )
    return [(row["tag__slug"], row["tag__name"]) for row in rows]


class ContextFilter(admin.SimpleListFilter):
    """The contexts most used lately, plus any other one named in the address.

    The vocabulary runs to tens of thousands of contexts, far too many to list:
    ``?context=<slug>`` filters by any of them, and the one chosen is always shown.
    """

    title = "context"
    parameter_name = "context"

    def lookups(self, request, model_admin):
        kind = model_admin.model._meta.model_name
        kind = kind if kind in Story.Kind.values else None
        # A few minutes' staleness is fine for a list of suggestions.
        choices = cache.get_or_set(
            f"dateline:admin:top-contexts:{kind or 'all'}", lambda: most_used_contexts(kind), TOP_CONTEXTS_CACHE_SECONDS
        )
        chosen = self.value()
        if chosen and chosen not in {slug for slug, _ in choices}:
            tag = self.chosen_tag
            choices = [*choices, (chosen, tag["name"] if tag else chosen)]
        return choices

    @cached_property
    def chosen_tag(self) -> dict | None:
        return Tag.objects.filter(slug=self.value()).values("pk", "name").first() if self.value() else None

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        tag = self.chosen_tag
        if tag is None:
            # No such context: the join on its slug finds nothing, at once.
            return queryset.filter(tagged_items__tag__slug=self.value())
        # By the context's id rather than a join on its slug: the planner then knows from its statistics
        # whether the context is common (walk the list in order, checking each story) or rare (start from its links).
        return queryset.filter(tagged_items__tag_id=tag["pk"])


class SectionFilter(admin.SimpleListFilter):
    """Sections by full path; choosing a section includes its subsections."""

    title = "section"
    parameter_name = "section"

    def lookups(self, request, model_admin):
        # One query for the whole tree; Section.__str__ would ask the database once per ancestor.
        rows = {
            pk: (name, parent, path)
            for pk, name, parent, path in Section.objects.values_list("pk", "name", "parent", "path")
        }
        self.section_paths = {pk: section_path for pk, (_, _, section_path) in rows.items()}
        choices = []
        for pk, (name, parent_id, section_path) in rows.items():
            names, seen = [name], {pk}
            while parent_id and parent_id not in seen and parent_id in rows:
                seen.add(parent_id)
                parent_name, parent_id, _ = rows[parent_id]
                names.insert(0, parent_name)
            choices.append((section_path, " › ".join(names)))
        return sorted(choices, key=lambda choice: choice[1].casefold())

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        value = self.value().strip("/")
        # Section ids rather than a join on paths, so the planner sees how common the chosen sections are.
        chosen = [pk for pk, path in self.section_paths.items() if path == value or path.startswith(f"{value}/")]
        if not chosen:
            # No such section: the join on its path finds nothing, at once.
            return queryset.filter(section__path=value)
        return queryset.filter(section_id__in=chosen)


class HasAltTextFilter(admin.SimpleListFilter):
    title = "alt text"
    parameter_name = "alt"

    def lookups(self, request, model_admin):
        return [("missing", "Missing"), ("present", "Written")]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(alt_text="")
        if self.value() == "present":
            return queryset.exclude(alt_text="")
        return queryset


def without_delete_and_view_links(formfield):
    """Keep the add and edit links next to a related field, drop delete and view.

    Deleting an outlet or another article from inside a story's form is never what an editor means to do.
    """
    widget = getattr(formfield, "widget", None)
    if isinstance(widget, RelatedFieldWidgetWrapper):
        widget.can_delete_related = False
        widget.can_view_related = False
    return formfield


class StoryInline(admin.TabularInline):
    def get_extra(self, request, obj=None, **kwargs):
        # Two empty rows on a new story, so a second one can be filled in without JavaScript.
        return 2 if obj is None else 1

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return without_delete_and_view_links(super().formfield_for_dbfield(db_field, request, **kwargs))


class BylineInline(StoryInline):
    model = Byline
    fields = ("author", "role", "order")
    autocomplete_fields = ("author",)
    verbose_name = "byline"
    verbose_name_plural = "byline"


class SourceInline(StoryInline):
    model = Source
    formfield_overrides = HTTPS_URLS
    fk_name = "story"
    fields = ("outlet", "title", "url", "published_on", "order")
    autocomplete_fields = ("outlet",)
    verbose_name = "source"
    verbose_name_plural = "sources"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("outlet")


class RelatedLinkInline(StoryInline):
    model = RelatedLink
    formfield_overrides = HTTPS_URLS
    fk_name = "story"
    fields = ("target", "url", "label", "order")
    autocomplete_fields = ("target",)
    verbose_name = "related link"
    verbose_name_plural = "related links"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("target")


class StoryAdminForm(forms.ModelForm):
    """The story form carries the version it was opened at, so a save on top of another is caught."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict: dict | None = None
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        expected = cleaned.get("expected_version")
        # The row lock holds until the admin's transaction ends, so two saves at once still queue up.
        current = Story.objects.select_for_update().filter(pk=self.instance.pk).values_list("version", flat=True)
        current = current.first()
        if expected is None or current is None or expected == current:
            return cleaned
        self.conflict = story_conflict(self.instance.pk, expected, typed=cleaned)
        # The form comes back with everything typed; saving again now knowingly replaces the newer version.
        self.data = self.data.copy()
        self.data[self.add_prefix("expected_version")] = str(current)
        who = self.conflict["who"]
        raise forms.ValidationError(
            f"Someone else saved this story while you were editing it{f' ({who})' if who else ''}. Nothing you "
            "typed is lost: it is all still in the form. Compare it with their changes shown below, then "
            "save again to keep your version.",
            code="edit_conflict",
        )


def story_conflict(story_pk: int, expected: int, typed: dict) -> dict:
    """What changed in a story since the version a form was opened at, and who saved it.

    Without a revision of the version the form was opened at (stories written before revisions were
    kept), the saved text is compared with what was typed instead.
    """
    story = Story.objects.get(pk=story_pk)
    versions = Version.objects.get_for_object_reference(Story, story_pk).select_related("revision__user")
    latest = versions.first()
    who = ""
    if latest is not None and latest.revision.user is not None:
        user = latest.revision.user
        moment = timezone.localtime(latest.revision.date_created)
        who = f"{user.get_full_name() or user.get_username()} at {dateformat.format(moment, 'H:i')}"
    baseline = None
    for version in versions[:50]:
        if version.field_dict.get("version") == expected:
            baseline = version.revision
            break
    now = live_snapshot(story)
    if baseline is not None:
        changes = diff_rows(revision_snapshot(baseline, story_pk), now)
    else:
        yours = snapshot_lines({name: value for name, value in typed.items() if not hasattr(value, "pk")}, {})
        changes = diff_rows({label: now[label] for label in yours if label in now}, yours)
    return {"who": who, "changes": changes, "known": baseline is not None}


class WorkflowAdminMixin:
    """Roles, workflow buttons, the audit trail, revisions, corrections and preview links for stories."""

    form = StoryAdminForm
    actions = ("publish_selected", "schedule_selected", "withdraw_selected", "add_context_to_selected")

    # Permissions ---------------------------------------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or may_edit(request.user, obj)

    def has_publish_permission(self, request):
        return request.user.has_perm("newsroom.publish_story")

    def has_withdraw_permission(self, request):
        return request.user.has_perm("newsroom.withdraw_story")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # States and times move through the workflow buttons, so each move is on record.
            fields += ["status"]
            if obj.status not in (Status.DRAFT, Status.REVIEW):
                fields += ["publish_at"]
        elif not request.user.has_perm("newsroom.publish_story"):
            fields += ["status"]
        return fields

    # Saving ----------------------------------------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        with reversion.create_revision():
            reversion.set_user(request.user)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            record_initial_status(story=obj, by=request.user)

    def log_addition(self, request, obj, message):
        if reversion.is_active():
            reversion.set_comment("Created")
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        if reversion.is_active():
            entry = LogEntry(change_message=json.dumps(message) if isinstance(message, list) else message)
            reversion.set_comment(entry.get_change_message() or "Saved without changes")
        return super().log_change(request, obj, message)

    # The change page -------------------------------------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        url = reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_new_suggestions")
        return super().add_view(request, form_url, {**(extra_context or {}), "suggestions_url": url})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        story = self.get_object(request, object_id)
        if story is not None:
            extra_context = {**(extra_context or {}), **self.workflow_context(request, story)}
        return super().change_view(request, object_id, form_url, extra_context)

    def workflow_context(self, request, story) -> dict:
        user = request.user
        return {
            "workflow_story": story,
            "workflow_transitions": available_transitions(user, story),
            "workflow_trail": StoryTransition.objects.filter(story=story).select_related("by")[:50],
            "workflow_corrections": Correction.objects.filter(story=story).select_related("by"),
            "workflow_may_correct": may_correct(user, story),
            "workflow_previews": PreviewLink.objects.filter(story=story)[:10] if may_preview(user, story) else [],
            "workflow_may_preview": may_preview(user, story),
            "workflow_checklist": checklist(story=story),
            "workflow_urls": self.workflow_urls(story),
            "workflow_now": timezone.now(),
            "suggestions_url": self.workflow_urls(story)["suggestions"],
        }

    def workflow_urls(self, story) -> dict[str, str]:
        prefix = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}"
        return {
            "correct": reverse(f"{prefix}_correct", args=[story.pk]),
            "preview": reverse(f"{prefix}_preview", args=[story.pk]),
            "revisions": reverse(f"{prefix}_revisions", args=[story.pk]),
            "change": reverse(f"{prefix}_change", args=[story.pk]),
            "suggestions": reverse(f"{prefix}_suggestions", args=[story.pk]),
        }

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/workflow/<str:name>/", wrap(self.transition_view), name=f"{info}_transition"),
            path("<int:pk>/correct/", wrap(self.correct_view), name=f"{info}_correct"),
            path("<int:pk>/preview-links/", wrap(self.preview_view), name=f"{info}_preview"),
            path("<int:pk>/revisions/", wrap(self.revisions_view), name=f"{info}_revisions"),
            path("<int:pk>/revisions/<int:revision>/restore/", wrap(self.restore_view), name=f"{info}_restore"),
            path("<int:pk>/suggestions/", wrap(self.suggestions_view), name=f"{info}_suggestions"),
            path("suggestions/", wrap(self.suggestions_view), name=f"{info}_new_suggestions"),
            *super().get_urls(),
        ]

    def _story_or_404(self, request, pk):
        story = self.get_object(request, str(pk))
        if story is None or not self.has_view_permission(request, story):
            raise Http404("No such story.")
        return story

    def _page(self, request, story, template: str, **context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": story,
            "story": story,
            "change_url": self.workflow_urls(story)["change"],
            **context,
        }
        return TemplateResponse(request, template, context)

    def transition_view(self, request, pk, name):
        story = self._story_or_404(request, pk)
        step = TRANSITIONS.get(name)
        if step is None:
            raise Http404("No such step.")
        if not may_transition(request.user, story, step):
            raise PermissionDenied
        errors = []
        values = {"publish_at": "", "note": "", "override_reason": ""}
        if request.method == "POST":
            values = {key: request.POST.get(key, "").strip() for key in values}
            when = None
            if step.needs_time:
                when = parse_local_datetime(values["publish_at"])
                if when is None:
                    errors.append("Give the publish time as a date and time, e.g. 2026-05-01 09:00.")
            if not errors:
                try:
                    transition(
                        story=story,
                        name=name,
                        by=request.user,
                        publish_at=when,
                        note=values["note"],
                        override_reason=values["override_reason"],
                    )
                except ValidationError as error:
                    errors.extend(error.messages)
                else:
                    self.message_user(request, f"{step.label}: done. “{story}” is now {transition_status(step)}.")
                    return HttpResponseRedirect(self.workflow_urls(story)["change"])
        elif step.needs_time:
            suggested = story.publish_at if story.publish_at and story.publish_at > timezone.now() else None
            suggested = suggested or (timezone.now() + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
            values["publish_at"] = dateformat.format(timezone.localtime(suggested), r"Y-m-d\TH:i")
        return self._page(
            request,
            story,
            "admin/newsroom/transition.html",
            title=f"{step.label}: {story}",
            step=step,
            errors=errors,
            values=values,
            checklist=checklist(story=story) if step.runs_checklist else None,
            checklist_passes=checklist_passes(story=story) if step.runs_checklist else True,
            time_zone=settings.TIME_ZONE,
        )

    def correct_view(self, request, pk):
        story = self._story_or_404(request, pk)
        if not may_correct(request.user, story):
            raise PermissionDenied
        errors, note = [], ""
        if request.method == "POST":
            note = request.POST.get("note", "")
            try:
                add_correction(story=story, note=note, by=request.user)
            except ValidationError as error:
                errors.extend(error.messages)
            else:
                self.message_user(request, "The correction is published at the foot of the story.")
                return HttpResponseRedirect(self.workflow_urls(story)["change"])
        return self._page(
            request,
            story,
            "admin/newsroom/correct.html",
            title=f"Add a correction: {story}",
            errors=errors,
            note=note,
            corrections=Correction.objects.filter(story=story),
        )

    def preview_view(self, request, pk):
        story = self._story_or_404(request, pk)
        if request.method != "POST" or not may_preview(request.user, story):
            raise PermissionDenied
        revoke = request.POST.get("revoke")
        if revoke:
            link = get_object_or_404(PreviewLink, pk=revoke, story=story)
            revoke_preview_link(link=link, by=request.user)
            self.message_user(request, "The preview link no longer opens the story.")
        else:
            link = create_preview_link(story=story, by=request.user)
            address = request.build_absolute_uri(link.get_absolute_url())
            self.message_user(
                request,
                format_html(
                    'Preview link made, valid until {}: <a href="{}">{}</a>',
                    dateformat.format(timezone.localtime(link.expires_at), "j M Y, H:i"),
                    address,
                    address,
                ),
            )
        return HttpResponseRedirect(self.workflow_urls(story)["change"] + "#workflow-previews")

    def revisions_view(self, request, pk):
        story = self._story_or_404(request, pk)
        revisions = list(
            Revision.objects.filter(
                version__content_type=ContentType.objects.get_for_model(type(story)),
                version__object_id=str(story.pk),
            )
            .select_related("user")
            .order_by("-date_created", "-pk")
            .distinct()[:100]
        )
        by_pk = {revision.pk: revision for revision in revisions}
        older, newer, rows = None, None, []
        if revisions:
            newer = by_pk.get(_int(request.GET.get("to"))) or revisions[0]
            older = by_pk.get(_int(request.GET.get("from"))) or (revisions[1] if len(revisions) > 1 else None)
        if older is not None and newer is not None and older.pk != newer.pk:
            if older.date_created > newer.date_created:
                older, newer = newer, older
            rows = diff_rows(revision_snapshot(older, story.pk), revision_snapshot(newer, story.pk))
        return self._page(
            request,
            story,
            "admin/newsroom/revisions.html",
            title=f"Revisions: {story}",
            revisions=revisions,
            older=older,
            newer=newer,
            rows=rows,
            may_restore=self.has_change_permission(request, story),
            restore_url_name=f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_restore",
        )

    def restore_view(self, request, pk, revision):
        story = self._story_or_404(request, pk)
        if request.method != "POST" or not self.has_change_permission(request, story):
            raise PermissionDenied
        kept = get_object_or_404(Revision, pk=revision)
        try:
            restore_revision(story=story, revision=kept, by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), level=messages.ERROR)
        else:
            when = dateformat.format(timezone.localtime(kept.date_created), "j M Y, H:i")
            self.message_user(request, f"Restored the version saved {when}. The previous one is kept in the history.")
        return HttpResponseRedirect(self.workflow_urls(story)["change"])

    def suggestions_view(self, request, pk=None):
        story = self._story_or_404(request, pk) if pk is not None else None
        if story is None and not self.has_add_permission(request):
            raise PermissionDenied
        text, tags = request.GET.get("text"), request.GET.get("tags")
        tag_names = parse_tags(tags) if tags is not None else None
        return JsonResponse(suggestions_for(story, text=text, tag_names=tag_names))

    # Bulk actions ----------------------------------------------------------------------------------------

    def _bulk(self, request, queryset, name: str, *, ask_time=False, ask_reason=False, ask_tag=False):
        step = TRANSITIONS.get(name)
        stories = list(queryset)
        values = {key: request.POST.get(key, "").strip() for key in ("publish_at", "note", "override_reason", "tag")}
        errors: list[str] = []
        if request.POST.get("confirm"):
            when = parse_local_datetime(values["publish_at"]) if ask_time else None
            if ask_time and when is None:
                errors.append("Give the publish time as a date and time, e.g. 2026-05-01 09:00.")
            if not errors and ask_tag:
                try:
                    added = add_tag(stories=stories, name=values["tag"], by=request.user)
                except ValidationError as error:
                    errors.extend(error.messages)
                else:
                    self.message_user(request, f"Added “{values['tag']}” to {added} stor{pluralize(added, 'y,ies')}.")
                    return None
            if not errors and step is not None:
                done, refused = 0, []
                for story in stories:
                    if not may_transition(request.user, story, step):
                        refused.append(f"{story}: not possible from {story.get_status_display().lower()}")
                        continue
                    try:
                        transition(
                            story=story,
                            name=name,
                            by=request.user,
                            publish_at=when,
                            note=values["note"],
                            override_reason=values["override_reason"],
                        )
                        done += 1
                    except (ValidationError, PermissionDenied) as error:
                        refused.append(f"{story}: {' '.join(getattr(error, 'messages', [str(error)]))}")
                if done:
                    self.message_user(request, f"{step.label}: {done} stor{pluralize(done, 'y,ies')}.")
                for line in refused:
                    self.message_user(request, f"Left as it was: {line}", level=messages.WARNING)
                return None
        if ask_time and not values["publish_at"]:
            soon = (timezone.now() + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
            values["publish_at"] = dateformat.format(timezone.localtime(soon), r"Y-m-d\TH:i")
        lists = [(story, checklist(story=story) if step and step.runs_checklist else []) for story in stories]
        return TemplateResponse(
            request,
            "admin/newsroom/bulk_action.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": step.label + " selected stories" if step else "Add a context to selected stories",
                "action": request.POST.get("action"),
                "stories": lists,
                "step": step,
                "ask_time": ask_time,
                "ask_reason": ask_reason,
                "ask_tag": ask_tag,
                "values": values,
                "errors": errors,
                "any_failing": any(not item.passed for _, items in lists for item in items),
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "time_zone": settings.TIME_ZONE,
            },
        )

    @admin.action(description="Publish selected stories now", permissions=["publish"])
    def publish_selected(self, request, queryset):
        return self._bulk(request, queryset, "publish")

    @admin.action(description="Schedule selected stories", permissions=["publish"])
    def schedule_selected(self, request, queryset):
        return self._bulk(request, queryset, "schedule", ask_time=True)

    @admin.action(description="Withdraw selected stories", permissions=["withdraw"])
    def withdraw_selected(self, request, queryset):
        return self._bulk(request, queryset, "withdraw", ask_reason=True)

    @admin.action(description="Add a context to selected stories", permissions=["publish"])
    def add_context_to_selected(self, request, queryset):
        return self._bulk(request, queryset, "", ask_tag=True)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def transition_status(step) -> str:
    return Status(step.target).label.lower()


def parse_local_datetime(text: str):
    """A date and time typed in the newsroom's zone, as an aware datetime; None when unreadable."""
    text = (text or "").strip().replace("T", " ")
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            naive = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return timezone.make_aware(naive, ZoneInfo(settings.TIME_ZONE))
    return None


SUGGESTION_LIMIT = 8
SUGGESTION_CANDIDATES = 200
WORD = re.compile(r"[^\W\d_]{5,}")


def suggestions_for(story=None, *, text: str | None = None, tag_names: list[str] | None = None) -> dict:
    """Contexts and related stories for the edit form, from stories sharing its contexts and words.

    ``text`` and ``tag_names`` are what the form holds now (a new story has nothing saved yet);
    without them the saved story is used. Candidates come from indexed lookups (shared contexts,
    then headline words), bounded, so a very common context never means ranking the whole archive.
    """
    story_pk = story.pk if story is not None else None
    if tag_names is not None:
        own_tags = set(Tag.objects.filter(name__in=tag_names).values_list("pk", flat=True))
    elif story_pk:
        own_tags = set(TaggedStory.objects.filter(content_object_id=story_pk).values_list("tag_id", flat=True))
    else:
        own_tags = set()
    if text is None:
        text = story.title if story is not None else ""
    words = {word.lower() for word in WORD.findall(strip_tags(text))}
    candidates: dict[int, int] = {}
    if own_tags:
        rows = (
            TaggedStory.objects.filter(tag_id__in=own_tags)
            .exclude(content_object_id=story_pk)
            .values("content_object_id")
            .annotate(shared=Count("pk"))
            .order_by("-shared", "-content_object_id")[:SUGGESTION_CANDIDATES]
        )
        candidates.update({row["content_object_id"]: row["shared"] * 3 for row in rows})
    if words:
        matching = Q()
        for word in sorted(words)[:8]:
            matching |= Q(title__icontains=word)
        for pk, title in (
            Story.objects.filter(matching)
            .exclude(pk=story_pk)
            .order_by("-date")
            .values_list("pk", "title")[:SUGGESTION_CANDIDATES]
        ):
            shared = len(words & {w.lower() for w in WORD.findall(title)})
            candidates[pk] = candidates.get(pk, 0) + shared
    ranked = sorted(candidates, key=lambda pk: -candidates[pk])
    linked = set(
        RelatedLink.objects.filter(story_id=story_pk, target__isnull=False).values_list("target_id", flat=True)
    )
    related_ids = [pk for pk in ranked if pk not in linked][:SUGGESTION_LIMIT]
    titles = dict(Story.objects.filter(pk__in=related_ids).values_list("pk", "title"))
    tag_counts = (
        TaggedStory.objects.filter(content_object_id__in=ranked[:SUGGESTION_CANDIDATES])
        .exclude(tag_id__in=own_tags)
        .values("tag__name")
        .annotate(uses=Count("pk"))
        .order_by("-uses", "tag__name")[:SUGGESTION_LIMIT]
    )
    return {
        "tags": [row["tag__name"] for row in tag_counts],
        "related": [{"id": pk, "title": titles[pk]} for pk in related_ids if pk in titles],
    }


class OfferedSortsChangeList(ChangeList):
    """Sorts only by the columns the admin offers, even when an old link asks for another one.

    The columns left out of ``sortable_by`` are those no index can order a big table by.
    """

    def get_ordering_field(self, field_name):
        if field_name not in self.sortable_by:
            return None
        return super().get_ordering_field(field_name)

    def get_ordering(self, request, queryset):
        if ORDER_VAR in self.params and not any(
            self._offered(part.rpartition("-")[2]) for part in self.params[ORDER_VAR].split(".")
        ):
            # Nothing asked for is offered: the list's usual order rather than by id alone.
            del self.params[ORDER_VAR]
        return super().get_ordering(request, queryset)

    def _offered(self, index: str) -> bool:
        try:
            return self.list_display[int(index)] in self.sortable_by
        except (ValueError, IndexError):
            return False


class StoryChangeList(OfferedSortsChangeList):
    """The story lists, with a date bar that does not read the whole archive.

    Django's date hierarchy reads the first and last date and then every distinct year of the
    (filtered) list: two passes over a million stories on every page. Here a short list is read
    once, for its distinct days; a long one is probed instead: for each year (or month, or day)
    the bar could show, the first story in it, found by a short walk of the date index, all the
    probes in one query.
    """

    @cached_property
    def date_links(self) -> dict:
        field = self.date_hierarchy
        year, month, day = (self.params.get(f"{field}__{part}") for part in ("year", "month", "day"))

        def link(filters: dict) -> str:
            return self.get_query_string(filters, [f"{field}__"])

        if self.query and self.result_count >= DATE_BAR_READ_BELOW:
            # A search matching tens of thousands of stories: finding the days among them would read them
            # all. The editor narrows the search first; the list itself stays newest first.
            return {"show": False, "back": None, "choices": []}
        if not year:
            first, last = self._first_and_last()
            if first is None or first.year != last.year:
                years = [] if first is None else self._years_with_stories(first.year, last.year)
                return {
                    "show": True,
                    "back": None,
                    "choices": [
                        {"link": link({f"{field}__year": str(number)}), "title": str(number)} for number in years
                    ],
                }
            year = first.year
            if first.month == last.month:
                month = first.month
        year = int(year)
        if month and day:
            chosen = date(year, int(month), int(day))
            return {
                "show": True,
                "back": {
                    "link": link({f"{field}__year": year, f"{field}__month": month}),
                    "title": capfirst(formats.date_format(chosen, "YEAR_MONTH_FORMAT")),
                },
                "choices": [{"title": capfirst(formats.date_format(chosen, "MONTH_DAY_FORMAT"))}],
            }
        if month:
            start = date(year, int(month), 1)
            days = [start + timedelta(days=offset) for offset in range((next_month(start) - start).days)]
            return {
                "show": True,
                "back": {"link": link({f"{field}__year": year}), "title": str(year)},
                "choices": [
                    {
                        "link": link({f"{field}__year": year, f"{field}__month": month, f"{field}__day": one.day}),
                        "title": capfirst(formats.date_format(one, "MONTH_DAY_FORMAT")),
                    }
                    for one in self._periods_with_stories({one: (one, one + timedelta(days=1)) for one in days})
                ],
            }
        months = [date(year, number, 1) for number in range(1, 13)]
        return {
            "show": True,
            "back": {"link": link({}), "title": "All dates"},
            "choices": [
                {
                    "link": link({f"{field}__year": year, f"{field}__month": one.month}),
                    "title": capfirst(formats.date_format(one, "YEAR_MONTH_FORMAT")),
                }
                for one in self._periods_with_stories({one: (one, next_month(one)) for one in months})
            ],
        }

    @cached_property
    def _stories(self):
        return self.queryset.order_by().select_related(None).prefetch_related(None)

    @cached_property
    def _short(self) -> bool:
        """Whether the list is read whole for its days rather than probed.

        The count is the paginator's, on a long list the planner's estimate, so deciding costs no query.
        A search is read whole: its conditions match text across the archive, which every probe would do
        again (a search with too many matches shows no date bar at all).
        """
        return self.result_count < DATE_BAR_READ_BELOW or bool(self.query)

    @cached_property
    def _days(self) -> list[date]:
        """Every day of a short list that has a story, in order: one read of the list."""
        return list(self._stories.dates(self.date_hierarchy, "day"))

    def _first_and_last(self) -> tuple[date | None, date | None]:
        if self._short:
            return (self._days[0], self._days[-1]) if self._days else (None, None)
        field = self.date_hierarchy
        dates = self._stories.values(field)
        bounds = self._stories.annotate(
            first=Subquery(dates.order_by(field)[:1]), last=Subquery(dates.order_by(f"-{field}")[:1])
        ).values_list("first", "last")[:1]
        return bounds[0] if bounds else (None, None)

    def _years_with_stories(self, first: int, last: int) -> list[int]:
        if not self._short and last - first > DATE_BAR_MAX_YEARS:
            return [moment.year for moment in self._stories.dates(self.date_hierarchy, "year")]
        return self._periods_with_stories(
            {number: (date(number, 1, 1), date(number + 1, 1, 1)) for number in range(first, last + 1)}
        )

    def _periods_with_stories(self, periods: dict) -> list:
        """The keys of ``periods`` (start and end dates) that hold at least one story of the list, in order.

        On a long list each probe asks for the period's first date rather than whether any row exists:
        with an order to follow, the planner walks the date index from the period's start; asked only
        "any row?", it may merge-join whole tables in id order, which on an archive loaded oldest first
        means reading most of it before reaching a recent year.
        """
        if self._short:
            days = self._days
            found = []
            for key, (start, end) in periods.items():
                # The first day with a story on or after the period's start: is it inside the period?
                at = bisect_left(days, start)
                if at < len(days) and days[at] < end:
                    found.append(key)
            return found
        field = self.date_hierarchy
        probes = {
            f"period_{number}": Subquery(
                self._stories.filter(**{f"{field}__gte": start, f"{field}__lt": end}).order_by(field).values(field)[:1]
            )
            for number, (start, end) in enumerate(periods.values())
        }
        found = self._stories.annotate(**probes).values_list(*probes)[:1]
        if not found:
            return []
        return [key for key, first in zip(periods, found[0], strict=True) if first is not None]


def next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


class StoryContentAdmin(WorkflowAdminMixin, admin.ModelAdmin):
    """What article and event admins share: publishing, contexts, sources, related links."""

    save_on_top = True
    list_per_page = 50
    # A second COUNT over the whole archive on every filtered page is not worth its cost.
    show_full_result_count = False
    # Past a few thousand rows the page count comes from the planner's estimate, not a full COUNT(*).
    paginator = EstimatedCountPaginator
    # Counts beside every filter choice would each count a good part of the archive.
    show_facets = admin.ShowFacets.NEVER
    # Its date bar comes from StoryChangeList.date_links instead of Django's date hierarchy tag.
    change_list_template = "admin/newsroom/story_change_list.html"

    class Media:
        js = ("js/admin/contexts.js",)
        css = {"all": ("css/admin/dateline.css",)}

    def view_on_site(self, obj) -> str:
        # Straight to the public address: staff see drafts there as a preview.
        return obj.get_absolute_url()

    def extra_search_ids(self, term: str):
        """Ids of further stories a search for ``term`` finds, or None."""
        return None

    def get_search_results(self, request, queryset, search_term):
        """On PostgreSQL, every word typed as the start of a word in the story, from the full-text index.

        A substring match (Django's default) reads every row of a million-story table: seconds per
        search. The story's search vector holds its headline, standfirst or summary and body, stemmed,
        and ``word:*`` matches any indexed word starting with what was typed, so "harb" finds "harbour".
        """
        term = search_term.strip()
        words = re.findall(r"[^\W_]+", term)
        extra = self.extra_search_ids(term) if term else None
        if not words or connections[queryset.db].vendor != "postgresql":
            matched, may_have_duplicates = super().get_search_results(request, queryset, search_term)
            if extra is None:
                return matched, may_have_duplicates
            return queryset.filter(Q(pk__in=matched.values("pk")) | Q(pk__in=extra)), may_have_duplicates
        query = SearchQuery(" & ".join(f"{word}:*" for word in words), search_type="raw", config=SEARCH_CONFIG)
        ids = Story.objects.filter(search_vector=query).values("pk")
        if extra is not None:
            ids = ids.union(extra)
        return queryset.filter(pk__in=ids), False

    def get_changelist(self, request, **kwargs):
        return StoryChangeList

    # Rows for text areas whose length differs from the admin's default, by field name.
    textarea_rows: dict[str, int] = {}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = without_delete_and_view_links(super().formfield_for_dbfield(db_field, request, **kwargs))
        if db_field.name in self.textarea_rows and formfield is not None:
            formfield.widget.attrs["rows"] = self.textarea_rows[db_field.name]
        if db_field.name == "tags" and formfield is not None:
            formfield.widget.attrs.update(
                {
                    "class": "vTextField",
                    "autocomplete": "off",
                    "data-context-suggestions": reverse(f"{self.admin_site.name}:taggit_tag_suggestions"),
                }
            )
        return formfield

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="publish time", ordering="publish_at")
    def publish_time(self, obj):
        return newsroom_time(obj.publish_at)


@admin.register(Article)
class ArticleAdmin(StoryContentAdmin):
    textarea_rows = {"standfirst": 3, "body": 24}
    list_display = (
        "thumbnail",
        "headline",
        "byline",
        "section_name",
        "article_type",
        "language_code",
        "status",
        "publish_time",
    )
    list_display_links = ("headline",)
    # Only the orders an index can give straight away; status, type, section and language are filters instead.
    sortable_by = ("publish_time",)
    list_filter = ("status", "article_type", SectionFilter, ContextFilter, "language")
    list_select_related = ("section__parent", "lead_image")
    search_fields = ("headline", "slug", "standfirst", "dateline")
    date_hierarchy = "date"
    prepopulated_fields = {"slug": ("headline",)}
    autocomplete_fields = ("section", "translation_of", "lead_image")
    readonly_fields = ("date", "lead_image_preview")
    inlines = (BylineInline, SourceInline, RelatedLinkInline)
    fieldsets = (
        (None, {"fields": ("headline", "slug", "standfirst", "body")}),
        ("Kind and place", {"fields": ("article_type", "section", "dateline", "language", "translation_of")}),
        ("Lead image", {"fields": ("lead_image", "lead_image_preview")}),
        ("Contexts", {"fields": ("tags",)}),
        (
            "Publishing",
            {
                "fields": ("status", "publish_at", "date"),
                "description": "The date in the address follows the publish time, in the newsroom's time zone.",
            },
        ),
        ("Comments", {"fields": COMMENT_FIELDS, "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_changelist(request):
            queryset = queryset.prefetch_related(
                Prefetch("bylines", queryset=Byline.objects.select_related("author").order_by("order", "pk"))
            )
        return queryset

    def extra_search_ids(self, term: str):
        # Articles are also found by their authors' names; the ids come from the bylines, without a join
        # that would repeat articles and force DISTINCT.
        return Byline.objects.filter(author__name__icontains=term).values("article_id")

    @admin.display(description="")
    def thumbnail(self, obj):
        return image_thumbnail(obj.lead_image)

    @admin.display(description="byline")
    def byline(self, obj) -> str:
        return ", ".join(b.author.name for b in obj.bylines.all()) or "—"

    @admin.display(description="section", ordering="section__name")
    def section_name(self, obj) -> str:
        section = obj.section
        if section is None:
            return "—"
        return f"{section.parent.name} › {section.name}" if section.parent_id else section.name

    @admin.display(description="language", ordering="language")
    def language_code(self, obj):
        return format_html('<abbr title="{}">{}</abbr>', obj.get_language_display(), obj.language)

    @admin.display(description="current lead image")
    def lead_image_preview(self, obj):
        return image_thumbnail(obj.lead_image, width=240)


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    """Every article and event in one list: the search behind related-link autocompletes.

    Stories are written and deleted through their own admin; opening one here goes there.
    """

    list_display = ("title", "kind", "date", "status", "publish_time")
    list_filter = ("kind", "status")
    search_fields = ("title", "slug")
    date_hierarchy = "date"
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting an article or event removes its story row too; whoever may delete the one may delete the other.
        if obj is None or obj.kind not in self._kind_admins():
            return False
        return self._kind_admins()[obj.kind].has_delete_permission(request, obj)

    def has_view_permission(self, request, obj=None) -> bool:
        # Whoever may see articles or events may find them here to link to them.
        if super().has_view_permission(request, obj):
            return True
        return any(model_admin.has_view_permission(request) for model_admin in self._kind_admins().values())

    def change_view(self, request, object_id, form_url="", extra_context=None):
        story = self.get_object(request, object_id)
        if story is not None and story.kind in self._kind_admins():
            opts = self._kind_admins()[story.kind].model._meta
            url = reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[story.pk])
            # Opened from a related-link field, the story must stay in its popup window.
            query = request.GET.urlencode()
            return HttpResponseRedirect(f"{url}?{query}" if query else url)
        return super().change_view(request, object_id, form_url, extra_context)

    def view_on_site(self, obj) -> str:
        return obj.get_absolute_url()

    @admin.display(description="publish time", ordering="publish_at")
    def publish_time(self, obj):
        return newsroom_time(obj.publish_at)

    def _kind_admins(self) -> dict[str, admin.ModelAdmin]:
        return {
            model._meta.model_name: model_admin
            for model, model_admin in self.admin_site._registry.items()
            if issubclass(model, Story) and model is not Story
        }


@admin.register(StoryRedirect)
class StoryRedirectAdmin(admin.ModelAdmin):
    list_display = ("old_date", "old_slug", "story", "created_at")
    list_select_related = ("story",)
    search_fields = ("old_slug", "story__title")
    autocomplete_fields = ("story",)
    date_hierarchy = "old_date"


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("name", "path", "order")
    list_editable = ("order",)
    search_fields = ("name", "slug", "path")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "parent", "order", "description")}),
        ("Comments", {"fields": ("comment_max_length", "comments_require_account")}),
    )
    ordering = ("path",)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "role", "email", "user")
    list_select_related = ("user",)
    search_fields = ("name", "slug", "role", "email")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("photo", "user")
    fields = ("name", "slug", "role", "email", "bio", "photo", "user")


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("name", "homepage", "citation_count")
    search_fields = ("name", "homepage")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_changelist(request):
            queryset = queryset.annotate(citation_total=Count("citations"))
        return queryset

    @admin.display(description="citations", ordering="citation_total")
    def citation_count(self, obj) -> int:
        return obj.citation_total


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ("outlet", "title", "story", "published_on")
    list_select_related = ("outlet", "story")
    search_fields = ("title", "url", "outlet__name")
    autocomplete_fields = ("story", "outlet")
    fields = ("story", "outlet", "title", "url", "published_on", "order")


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ("thumbnail", "caption", "credit", "alt_text", "dimensions", "uploaded")
    list_display_links = ("thumbnail", "caption")
    list_filter = (HasAltTextFilter,)
    search_fields = ("caption", "credit", "alt_text")
    date_hierarchy = "uploaded_at"
    readonly_fields = ("preview", "dimensions")
    fields = ("file", "preview", "dimensions", "caption", "credit", "alt_text")

    class Media:
        css = {"all": ("css/admin/dateline.css",)}

    @admin.display(description="")
    def thumbnail(self, obj):
        return image_thumbnail(obj)

    @admin.display(description="preview")
    def preview(self, obj):
        return image_thumbnail(obj, width=320)

    @admin.display(description="uploaded", ordering="uploaded_at")
    def uploaded(self, obj):
        return newsroom_time(obj.uploaded_at)

    @admin.display(description="width × height")
    def dimensions(self, obj) -> str:
        return f"{obj.width} × {obj.height}" if obj.width else "—"


# taggit's own Tag admin is built for its generic tagged items, which Dateline does not use: stories are
# tagged through TaggedStory. taggit.admin is imported above so that its registration always comes first.
admin.site.unregister(Tag)


@admin.register(Tag)
class ContextAdmin(admin.ModelAdmin):
    """Contexts are taggit's tags, shared by articles and events."""

    list_display = ("name", "slug", "story_count")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("name",)
    actions = ("merge_selected",)

    def has_merge_permission(self, request) -> bool:
        return request.user.has_perm("newsroom.merge_tags")

    @admin.action(description="Merge selected contexts into one", permissions=["merge"])
    def merge_selected(self, request, queryset):
        tags = list(queryset.order_by("name"))
        if len(tags) < 2:
            self.message_user(request, "Choose at least two contexts to merge.", level=messages.WARNING)
            return None
        target_pk = _int(request.POST.get("target"))
        target = next((tag for tag in tags if tag.pk == target_pk), None)
        if request.POST.get("confirm") and target is not None:
            moved = 0
            for tag in tags:
                if tag.pk != target.pk:
                    moved += merge_tags(source=tag, target=target, by=request.user)
            self.message_user(
                request,
                f"Merged {len(tags) - 1} context{pluralize(len(tags) - 1)} into “{target.name}”; "
                f"{moved} stor{pluralize(moved, 'y,ies')} moved. Old addresses now lead to the merged context.",
            )
            return None
        return TemplateResponse(
            request,
            "admin/newsroom/merge_tags.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Merge contexts",
                "tags": tags,
                "counts": dict(
                    TaggedStory.objects.filter(tag__in=tags)
                    .values("tag")
                    .annotate(n=Count("pk"))
                    .values_list("tag", "n")
                ),
                "action": request.POST.get("action"),
            },
        )

    def get_urls(self):
        suggestions = path(
            "suggestions/",
            self.admin_site.admin_view(self.suggestions_view),
            name="taggit_tag_suggestions",
        )
        return [suggestions, *super().get_urls()]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_changelist(request):
            # A correlated count is worked out for the rows on the page only, not the whole vocabulary.
            uses = TaggedStory.objects.filter(tag=OuterRef("pk")).order_by().values("tag").annotate(n=Count("pk"))
            queryset = queryset.annotate(uses=Coalesce(Subquery(uses.values("n"), output_field=IntegerField()), 0))
        return queryset

    @admin.display(description="stories", ordering="uses")
    def story_count(self, obj) -> int:
        return obj.uses

    def suggestions_view(self, request):
        """Names of existing contexts containing ``q``, most used first, for the contexts field."""
        term = request.GET.get("q", "").strip()
        if not term:
            return JsonResponse({"results": []})
        matches = (
            Tag.objects.filter(name__icontains=term)
            .annotate(uses=Count("newsroom_taggedstory_items"))
            .order_by("-uses", "name")
            .values_list("name", flat=True)[:CONTEXT_SUGGESTIONS]
        )
        return JsonResponse({"results": list(matches)})


# The admin index doubles as the editor's dashboard. Wrapping the site's own index view keeps Django's
# app list and recent actions as they are and adds the day's work above them.
_plain_index = admin.site.index


def index_with_dashboard(request, extra_context=None):
    context = {**(extra_context or {}), "dashboard": dashboard(request.user)}
    if request.user.has_perm("comments.change_comment"):
        context["dashboard"]["comments_waiting"] = pending_comments()
    return _plain_index(request, extra_context=context)


def pending_comments() -> int | None:
    try:
        from newsroom.comments.services import pending_comment_count
    except ImportError:
        return None
    return pending_comment_count()


admin.site.index = index_with_dashboard
