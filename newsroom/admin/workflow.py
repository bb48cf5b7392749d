"""The editing screen's workflow: inlines, the story form, edit conflicts, transitions, previews,
revisions, corrections and suggestions, shared by article and event admins."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import reversion
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html, strip_tags
from reversion.models import Revision, Version
from taggit.models import Tag
from taggit.utils import parse_tags

from ..models import Byline, Correction, PreviewLink, RelatedLink, Source, Story, StoryTransition, TaggedStory
from ..querysets import Status
from ..services import (
    add_correction,
    add_tag,
    checklist,
    checklist_passes,
    create_preview_link,
    record_initial_status,
    restore_revision,
    revoke_preview_link,
    transition,
)
from ..workflow import (
    TRANSITIONS,
    available_transitions,
    diff_rows,
    live_snapshot,
    may_correct,
    may_edit,
    may_preview,
    may_transition,
    revision_snapshot,
    snapshot_lines,
)
from .common import HTTPS_URLS, int_or_none, without_delete_and_view_links


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

    def get_object(self, request, object_id, from_field=None):
        # Articles and events are keyed by their link to Story, and lookups through a link skip the check
        # Django makes that a number fits the column: an id no row can have would reach the database and fail.
        number = int_or_none(object_id)
        if from_field is None and number is not None and not 0 < number < 2**63:
            return None
        return super().get_object(request, object_id, from_field)

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
                    self._take_step(request, story, name, when, values)
                except ValidationError as error:
                    errors.extend(error.messages)
                else:
                    self.message_user(request, f"{step.label}: done. “{story}” is now {transition_status(step)}.")
                    return HttpResponseRedirect(self.workflow_urls(story)["change"])
        elif step.needs_time:
            suggested = story.publish_at if story.publish_at and story.publish_at > timezone.now() else None
            values["publish_at"] = form_time(suggested or next_whole_hour())
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
            newer = by_pk.get(int_or_none(request.GET.get("to"))) or revisions[0]
            older = by_pk.get(int_or_none(request.GET.get("from"))) or (revisions[1] if len(revisions) > 1 else None)
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

    def _take_step(self, request, story, name: str, when, values: dict) -> None:
        """One workflow step on one story, with the publish time, note and override typed into the form."""
        transition(
            story=story,
            name=name,
            by=request.user,
            publish_at=when,
            note=values["note"],
            override_reason=values["override_reason"],
        )

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
                        self._take_step(request, story, name, when, values)
                        done += 1
                    except (ValidationError, PermissionDenied) as error:
                        refused.append(f"{story}: {' '.join(getattr(error, 'messages', [str(error)]))}")
                if done:
                    self.message_user(request, f"{step.label}: {done} stor{pluralize(done, 'y,ies')}.")
                for line in refused:
                    self.message_user(request, f"Left as it was: {line}", level=messages.WARNING)
                return None
        if ask_time and not values["publish_at"]:
            values["publish_at"] = form_time(next_whole_hour())
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


def transition_status(step) -> str:
    return Status(step.target).label.lower()


def next_whole_hour():
    """The publish time a scheduling form suggests when the story has none ahead."""
    return (timezone.now() + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)


def form_time(moment) -> str:
    """A moment as a datetime-local field shows it, in the newsroom's zone."""
    return dateformat.format(timezone.localtime(moment), r"Y-m-d\TH:i")


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
