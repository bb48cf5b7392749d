"""The editing screen's workflow: inlines, the story form, edit conflicts, transitions, previews,
revisions, corrections and suggestions, shared by article and event admins."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from functools import reduce
from operator import or_
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import reversion
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import LogEntry
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import Resolver404, path, resolve, reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html
from reversion.models import Revision, Version
from taggit.models import Tag

from ..freeze import NOT_READER_VISIBLE, frozen_since, is_frozen
from ..models import (
    Byline,
    Correction,
    PreviewLink,
    RelatedLink,
    Source,
    Story,
    StoryTransition,
    TaggedStory,
    story_path,
)
from ..querysets import Status
from ..sanitize import plain_text
from ..search import SEARCH_CONFIG
from ..services import (
    add_correction,
    add_tag,
    checklist,
    checklist_passes,
    create_preview_link,
    publish_story,
    record_initial_status,
    restore_revision,
    revoke_preview_link,
    transition,
)
from ..tags import parse_contexts
from ..workflow import (
    TRANSITIONS,
    available_transitions,
    diff_rows,
    effective_status,
    effective_status_label,
    live_snapshot,
    may_correct,
    may_edit,
    may_preview,
    may_transition,
    newsroom_time_text,
    publish_at_kind,
    revision_snapshot,
    snapshot_lines,
)
from . import zones
from .changelists import ShownStatusAdmin
from .common import HTTPS_URLS, int_or_none, story_choice_label, without_delete_and_view_links
from .links import link_status_html, with_link_check


class FrozenStoryFormSet(forms.BaseInlineFormSet):
    """Rows of an archived story (sources, byline, links) change only together with a recorded correction."""

    def clean(self):
        super().clean()
        story = self.instance
        if story is None or story.pk is None or not is_frozen(story) or not self.has_changed():
            return
        if not (self.data.get("correction_note") or "").strip():
            raise ValidationError(
                f"This story is archived: its {self.model._meta.verbose_name_plural} change only with a "
                "correction. Write what was wrong in “Correction” at the top and save again."
            )


class StoryInline(admin.TabularInline):
    """An ordered part of a story (byline, source, related link) edited in the story's own form.

    Its rows are reordered by dragging or by keyboard, or by typing the order. Django grants inline rows
    from the part's own model permissions, which a reporter holds for every story; a part may change only
    where the story itself may (``may_edit``), so the rows of a story the user may not edit are shown
    read-only and a forged submission of them is refused.
    """

    classes = ("dateline-reorder",)
    formset = FrozenStoryFormSet

    class Media:
        js = ("js/admin/reorder.js",)

    def _may_edit_story(self, request, obj) -> bool:
        # obj is the story the form belongs to; None while a new story is being written.
        return obj is None or may_edit(request.user, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) and self._may_edit_story(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._may_edit_story(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_edit_story(request, obj)

    def get_extra(self, request, obj=None, **kwargs):
        # Two empty rows on a new story, so a second one can be filled in without JavaScript.
        return 2 if obj is None else 1

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "order":
            kwargs["help_text"] = "Lower numbers come first. Drag a row by its handle or use its arrows to reorder."
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
    fields = ("outlet", "title", "url", "published_on", "link_check", "archived_url", "order")
    readonly_fields = ("link_check",)
    autocomplete_fields = ("outlet",)
    verbose_name = "source"
    verbose_name_plural = "sources"

    def get_queryset(self, request):
        return with_link_check(super().get_queryset(request).select_related("outlet"))

    @admin.display(description="link")
    def link_check(self, obj):
        if obj is None or obj.pk is None:
            return "Checked by the next link check"
        return link_status_html(obj)


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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "target":
            # The story already chosen is named as the search offered it.
            field.label_from_instance = story_choice_label
        return field


class StoryAdminForm(forms.ModelForm):
    """The story form carries the version it was opened at, so a save on top of another is caught.

    Its publish time is typed in the newsroom's zone, or in another one chosen beside it (the local
    time of a dateline far away); either way it is stored as the instant it names.
    """

    # Text rather than a number field, so that a missing or garbled version reaches clean() as "unknown"
    # instead of stopping at a field error the editor cannot see or fix in a hidden input.
    expected_version = forms.CharField(widget=forms.HiddenInput, required=False)
    # Offered (placed in the form) only on an archived story, where a change readers see needs one.
    correction_note = forms.CharField(
        label="Correction",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was wrong and what it now says. Saved with your changes and shown at the foot of the "
        "story and on the corrections page.",
    )
    publish_zone = forms.ChoiceField(
        label="Time typed in",
        required=False,
        help_text="The zone of the publish time typed above, e.g. the dateline's local time. "
        "It is saved as the newsroom's time it names.",
    )

    class Media:
        js = ("js/admin/publish_time.js",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict: dict | None = None
        self.typed_zone_note = ""
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
        self._describe_publish_time()

    def _describe_publish_time(self) -> None:
        """Name the zone beside the publish time, and give the browser what it needs to convert live."""
        field = self.fields.get("publish_at")
        if field is None:
            self.fields.pop("publish_zone", None)
            return
        here = zones.newsroom_zone_name()
        field.help_text = format_html(
            "When the story goes public. Publishing asks whether it goes out with this time (an archive story "
            'keeps its date) or the current one. Typed in the newsroom\'s zone, <span class="dateline-zone-label" '
            'data-zone-label-for="id_publish_at" data-zone="{}" data-zone-abbreviations="{}">{}</span>, unless '
            "another zone is chosen below.",
            here,
            json.dumps(zones.abbreviations_by_offset(here)),
            zones.zone_label(self.instance.publish_at, here),
        )
        zone = self.fields["publish_zone"]
        zone.choices = zones.typed_zone_choices()
        zone.initial = here
        zone.widget.attrs.update(
            {
                "data-newsroom-zone": here,
                "data-zone-abbreviations": json.dumps(zones.abbreviations_by_offset(here)),
                "aria-describedby": "id_publish_zone_result",
            }
        )
        zone.help_text = format_html(
            '{} <output id="id_publish_zone_result" class="dateline-zone-result" for="id_publish_at_0 '
            'id_publish_at_1 id_publish_zone" aria-live="polite"></output>',
            zone.help_text,
        )

    def _read_typed_zone(self, cleaned: dict) -> None:
        """A publish time typed in another zone becomes the instant it names there."""
        chosen = cleaned.get("publish_zone") or zones.newsroom_zone_name()
        typed = cleaned.get("publish_at")
        if typed is None or chosen == zones.newsroom_zone_name() or "publish_at" not in self.fields:
            return
        wall = timezone.make_naive(typed, timezone.get_current_timezone())
        try:
            cleaned["publish_at"] = zones.wall_time_in(wall, chosen)
        except zones.NoSuchTime as error:
            self.add_error("publish_at", str(error))
            return
        self.typed_zone_note = (
            f"Publish time typed as {wall:%H:%M, %-d %b %Y} in {chosen}: "
            f"saved as {zones.in_newsroom_zone_text(cleaned['publish_at'])}."
        )

    def clean(self):
        cleaned = super().clean()
        self._read_typed_zone(cleaned)
        if not self.instance.pk:
            return cleaned
        self._refuse_silent_changes_to_archive(cleaned)
        expected = int_or_none(cleaned.get("expected_version"))
        # The row lock holds until the admin's transaction ends, so two saves at once still queue up.
        current = Story.objects.select_for_update().filter(pk=self.instance.pk).values_list("version", flat=True)
        current = current.first()
        if current is None or expected == current:
            return cleaned
        # A form that does not say which version it was opened at (a hand-made request, a page saved to disk,
        # a script) might be older than the last save: it is treated as stale rather than trusted.
        self.conflict = story_conflict(self.instance.pk, expected, typed=cleaned)
        self.conflict["unknown_version"] = expected is None
        # The form comes back with everything typed; saving again now knowingly replaces the newer version.
        self.data = self.data.copy()
        self.data[self.add_prefix("expected_version")] = str(current)
        cleaned["expected_version"] = str(current)
        if expected is None:
            raise forms.ValidationError(
                "This form did not say which version of the story it was opened at, so saving it could replace "
                "someone else's changes. Nothing you typed is lost: it is all still in the form. Compare it with "
                "the saved story shown below, then save again to keep your version.",
                code="edit_conflict",
            )
        who = self.conflict["who"]
        raise forms.ValidationError(
            f"Someone else saved this story while you were editing it{f' ({who})' if who else ''}. Nothing you "
            "typed is lost: it is all still in the form. Compare it with their changes shown below, then "
            "save again to keep your version.",
            code="edit_conflict",
        )

    def _refuse_silent_changes_to_archive(self, cleaned: dict) -> None:
        """An archived story's readers see every change as a correction: none is made without one."""
        story = self.instance
        if not is_frozen(story) or (cleaned.get("correction_note") or "").strip():
            return
        changed = [name for name in self.changed_data if name not in NOT_READER_VISIBLE and name in self.fields]
        if not changed:
            return
        labels = ", ".join(str(self.fields[name].label or name).lower() for name in changed)
        since = timezone.localtime(frozen_since(story))
        raise forms.ValidationError(
            f"This story is archived (since {dateformat.format(since, 'j F Y')}): what readers see changes only "
            f"with a recorded correction. You changed: {labels}. Write what was wrong and what it now says in "
            "“Correction” and save again, or undo those changes. Nothing you typed is lost.",
            code="archived",
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


class WorkflowAdminMixin(ShownStatusAdmin):
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
        # States move only through the workflow steps, new stories included, so each move passes the
        # checklist and is on record; the form shows the state a reader would see instead.
        fields += ["status", "workflow_state", "publish_time_in_zone"]
        if obj is not None and obj.status not in (Status.DRAFT, Status.REVIEW):
            fields += ["publish_at"]
        return fields

    def get_fieldsets(self, request, obj=None):
        # Whoever may only look at the story sees its publish time, with no zone to type it in.
        may_type = self.has_change_permission(request, obj) if obj is not None else self.has_add_permission(request)
        time_editable = may_type and "publish_at" not in self.get_readonly_fields(request, obj)
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = []
            for field in options.get("fields", ()):
                if field == "status":
                    field = "workflow_state"
                elif field == "publish_at" and not time_editable:
                    field = "publish_time_in_zone"
                fields.append(field)
                if field == "publish_at":
                    fields.append("publish_zone")
            fieldsets.append((name, {**options, "fields": tuple(fields)}))
        if obj is not None and may_type and is_frozen(obj) and may_correct(request.user, obj):
            fieldsets.insert(0, ("Correction", {"fields": ("correction_note",), "classes": ("dateline-frozen-form",)}))
        return fieldsets

    @admin.display(description="status")
    def workflow_state(self, obj):
        if obj is None or obj.pk is None:
            return "Draft until it is published, scheduled or submitted with the buttons below."
        shown = effective_status_label(obj)
        if obj.status == Status.SCHEDULED and shown == Status.PUBLISHED.label:
            return f"{shown} (went out at its scheduled time, {newsroom_time_text(obj.publish_at)})"
        return shown

    @admin.display(description="publish time")
    def publish_time_in_zone(self, obj):
        if obj is None or obj.publish_at is None:
            return "—"
        return f"{newsroom_time_text(obj.publish_at)} ({zones.zone_label(obj.publish_at)})"

    def add_steps(self, request) -> list:
        """The workflow steps a new story can take straight after its first save, as the add form offers them."""
        steps = [
            step
            for step in TRANSITIONS.values()
            if Status.DRAFT in step.sources and request.user.has_perm(step.permission)
        ]
        if request.user.has_perm("newsroom.publish_story"):
            # An editor's own story needs no review by themselves.
            steps = [step for step in steps if step.name != "submit"]
        order = ("publish", "schedule", "submit")
        return sorted(steps, key=lambda step: order.index(step.name) if step.name in order else len(order))

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
        if getattr(form, "typed_zone_note", ""):
            self.message_user(request, form.typed_zone_note)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        note = (form.cleaned_data.get("correction_note") or "").strip()
        if change and note and is_frozen(form.instance):
            add_correction(story=form.instance, note=note, by=request.user)
            self.message_user(request, "The correction is published at the foot of the story with your changes.")

    def response_add(self, request, obj, post_url_continue=None):
        """ "Save and publish…" (or schedule, or submit) saves a draft, then takes the step's own page."""
        step = TRANSITIONS.get(request.POST.get("_workflow", ""))
        if IS_POPUP_VAR in request.POST:
            step = None
        if step is not None and step in self.add_steps(request) and may_transition(request.user, obj, step):
            self.message_user(
                request, f"“{obj}” is saved as a draft. Check it and confirm below: {step.label.lower()}."
            )
            return HttpResponseRedirect(self.transition_url(obj, step.name))
        return super().response_add(request, obj, post_url_continue)

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
        extra_context = {**(extra_context or {}), "suggestions_url": url, "workflow_add_steps": self.add_steps(request)}
        return super().add_view(request, form_url, extra_context)

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
            "workflow_frozen_since": frozen_since(story) if is_frozen(story) else None,
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

    def transition_url(self, story, name: str) -> str:
        prefix = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}"
        return reverse(f"{prefix}_transition", args=[story.pk, name])

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
        publishing = step.name == "publish"
        # The publish time the story carries (typed in the change form, or a schedule): never dropped unasked.
        carried = story.publish_at if publishing else None
        time_kind = publish_at_kind(carried)
        errors = []
        values = {"publish_at": "", "note": "", "override_reason": "", "when": ""}
        if request.method == "POST":
            values = {key: request.POST.get(key, "").strip() for key in values}
            when = None
            if step.needs_time:
                when = parse_local_datetime(values["publish_at"])
                if when is None:
                    errors.append("Give the publish time as a date and time, e.g. 2026-05-01 09:00.")
            if publishing:
                when, problem = self._chosen_publish_time(values, carried, time_kind)
                if problem:
                    errors.append(problem)
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
        elif publishing:
            values["when"] = "now" if time_kind == "now" else ""
            values["publish_at"] = form_time(carried) if carried else ""
        typed = parse_local_datetime(values["publish_at"])
        return self._page(
            request,
            story,
            "admin/newsroom/transition.html",
            title=f"{step.label}: {story}",
            step=step,
            errors=errors,
            values=values,
            shown_status=effective_status_label(story),
            checklist=checklist(story=story) if step.runs_checklist else None,
            checklist_passes=checklist_passes(story=story) if step.runs_checklist else True,
            time_zone=settings.TIME_ZONE,
            zone=self._zone_context(typed),
            time_kind=time_kind,
            carried_text=newsroom_time_text(carried) if carried else "",
            own_address=self._address_at(story, carried) if time_kind == "past" else "",
            now_address=self._address_at(story, timezone.now()) if publishing else "",
            schedule_url=(
                self.transition_url(story, "schedule")
                if time_kind == "future" and may_transition(request.user, story, TRANSITIONS["schedule"])
                else ""
            ),
        )

    @staticmethod
    def _chosen_publish_time(values: dict, carried, time_kind: str):
        """The time "Publish now" was told to use (None: the current time), or a problem to show."""
        choice = values["when"]
        if choice not in ("now", "own"):
            if time_kind == "now":
                return None, ""
            return None, (
                f"This story carries the publish time {newsroom_time_text(carried)}. Choose whether it goes "
                "out with that time or with the current time; nothing has changed yet."
            )
        if choice == "now":
            return None, ""
        when = parse_local_datetime(values["publish_at"])
        if when is None:
            return None, "Give the story's own publish time as a date and time, e.g. 2012-04-23 09:00."
        return when, ""

    @staticmethod
    def _address_at(story, moment) -> str:
        """The address a story published at ``moment`` has: an article's day follows its publish time."""
        if moment is None:
            return ""
        specific = story.specific if type(story) is Story else story
        if specific.kind != Story.Kind.ARTICLE:
            return specific.get_absolute_url()
        return story_path(timezone.localdate(moment, zones.newsroom_zone()), specific.slug)

    @staticmethod
    def _zone_context(moment=None) -> dict:
        """What a publish-time input shows beside it: the zone and its abbreviation for the date typed."""
        here = zones.newsroom_zone_name()
        return {
            "name": here,
            "label": zones.zone_label(moment, here),
            "abbreviations": json.dumps(zones.abbreviations_by_offset(here)),
        }

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
        """GET: what restoring the revision would change, to confirm; POST: restore it."""
        story = self._story_or_404(request, pk)
        if not self.has_change_permission(request, story):
            raise PermissionDenied
        kept = get_object_or_404(
            Revision.objects.filter(
                version__content_type=ContentType.objects.get_for_model(type(story)),
                version__object_id=str(story.pk),
            ).distinct(),
            pk=revision,
        )
        if request.method != "POST":
            return self._page(
                request,
                story,
                "admin/newsroom/restore.html",
                title=f"Restore an earlier version: {story}",
                revision=kept,
                rows=diff_rows(live_snapshot(story), revision_snapshot(kept, story.pk)),
                revisions_url=self.workflow_urls(story)["revisions"],
            )
        if is_frozen(story):
            self.message_user(
                request,
                "This story is archived: it changes only with a recorded correction, so an earlier version is "
                "not restored. Make the change in the story's form with a note under “Correction”.",
                level=messages.ERROR,
            )
            return HttpResponseRedirect(self.workflow_urls(story)["change"])
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
        tag_names = parse_contexts(tags) if tags is not None else None
        # Stories the form's related links point at, saved or not; anything else in the list is ignored.
        linked = [int_or_none(value) for value in request.GET.get("linked", "").split(",")[:100]]
        linked_ids = [pk for pk in linked if pk is not None and 0 < pk < 2**63]
        # A link typed as this site's own address of a story counts as a link to that story.
        urls = request.GET.get("linked_urls", "").split()[:20]
        linked_ids += stories_at(
            urls, hosts={request.get_host(), urlsplit(getattr(settings, "COMMENTS_SITE_URL", "")).netloc}
        )
        return JsonResponse(suggestions_for(story, text=text, tag_names=tag_names, linked_ids=linked_ids))

    # Bulk actions ----------------------------------------------------------------------------------------

    def _take_step(self, request, story, name: str, when, values: dict) -> None:
        """One workflow step on one story, with the publish time, note and override typed into the form."""
        if name == "publish":
            publish_story(
                story=story, by=request.user, publish_at=when, override_reason=values.get("override_reason", "")
            )
            return
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
        keys = ("publish_at", "note", "override_reason", "tag", "when")
        values = {key: request.POST.get(key, "").strip() for key in keys}
        errors: list[str] = []
        # Stories carrying a publish time of their own (an archive date, a schedule) are not published "now" unasked.
        now = timezone.now()
        carrying = (
            {story.pk: publish_at_kind(story.publish_at, now) for story in stories if story.publish_at}
            if name == "publish"
            else {}
        )
        carrying = {pk: kind for pk, kind in carrying.items() if kind != "now"}
        if request.POST.get("confirm"):
            when = parse_local_datetime(values["publish_at"]) if ask_time else None
            if ask_time and when is None:
                errors.append("Give the publish time as a date and time, e.g. 2026-05-01 09:00.")
            if carrying and values["when"] not in ("own", "now"):
                errors.append(
                    "Some of these stories carry a publish time of their own. Choose whether they go out with "
                    "it or with the current time; nothing has changed yet."
                )
            if not errors and ask_tag:
                # An archived story's contexts change only in its own form, with a correction.
                frozen = [story for story in stories if is_frozen(story)]
                try:
                    added = add_tag(
                        stories=[story for story in stories if story not in frozen], name=values["tag"], by=request.user
                    )
                except ValidationError as error:
                    errors.extend(error.messages)
                else:
                    self.message_user(request, f"Added “{values['tag']}” to {added} stor{pluralize(added, 'y,ies')}.")
                    for story in frozen:
                        self.message_user(
                            request,
                            f"Left as it was: {story}: archived, so its contexts change only with a correction in "
                            "its own form",
                            level=messages.WARNING,
                        )
                    return None
            if not errors and step is not None:
                done, refused = 0, []
                for story in stories:
                    if not may_transition(request.user, story, step):
                        refused.append(f"{story}: not possible from {effective_status_label(story).lower()}")
                        continue
                    if story.pk in carrying and values["when"] == "own":
                        if carrying[story.pk] == "future":
                            refused.append(
                                f"{story}: its publish time, {newsroom_time_text(story.publish_at)}, is still "
                                "to come; schedule it instead"
                            )
                            continue
                        when = story.publish_at
                    elif name == "publish":
                        when = None
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
        for story in stories:
            story.shown_status = effective_status(story)
            story.shown_status_label = effective_status_label(story)
            story.carried_kind = carrying.get(story.pk, "")
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
                "zone": self._zone_context(parse_local_datetime(values["publish_at"])),
                "carrying": bool(carrying),
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
    naive = zones.read_typed_datetime(text)
    return None if naive is None else timezone.make_aware(naive, ZoneInfo(settings.TIME_ZONE))


SUGGESTION_LIMIT = 8
# Stories a context adds as candidates (its newest), and contexts (of the form and its links) looked at.
SUGGESTION_PER_CONTEXT = 100
SUGGESTION_CONTEXTS = 12
# Stories found by their words: PostgreSQL is asked for at least this many so it can use the GIN index
# for rare words (see newsroom.search.find_candidates); the newest are kept.
SUGGESTION_TEXT_ROWS = 500
SUGGESTION_CANDIDATES = 200
# Words and names of the form's text that are looked up, and how much of the text is read.
SUGGESTION_TERMS = 12
SUGGESTION_TEXT_CHARS = 6000
WORD = re.compile(r"[^\W\d_]{4,}")
# A run of capitalised words, possibly joined by a short lower-case particle ("Bank of England").
NAME = re.compile(r"\b[A-Z][^\W\d_]+(?:[ '’-](?:(?:of|de|la|del|von|van|al|bin)\s)?[A-Z][^\W\d_]+)*")
# Common words that say nothing about what a story is about.
STOP_WORDS_TEXT = """
about above after again against also among around because been before being below between both
could does doing down during each either from further have having here hers herself himself into
itself just more most much must near none only other ought ours over said same says should since
some such than that their theirs them themselves then there these they this those through under
until upon very wants were what when where which while whom will with within without would your
yours year years week weeks today yesterday monday tuesday wednesday thursday friday saturday sunday
told tells according many like make made last next first still even back well people time
"""
STOP_WORDS = frozenset(STOP_WORDS_TEXT.split())
# Short words that open a sentence or phrase with a capital without being part of a name.
NAME_OPENERS_TEXT = (
    "a an and as at but by for from he her his i if in it its of on or our she so the their they this to we with"
)
NAME_OPENERS = frozenset(NAME_OPENERS_TEXT.split())
SCORE_FORM_CONTEXT = 3
SCORE_LINKED_CONTEXT = 1
SCORE_NAME = 3
SCORE_WORD = 1
SCORE_TEXT = 0.5


def stories_at(urls: list[str], *, hosts: set[str]) -> list[int]:
    """The stories that addresses on this site (``hosts``, or no host) lead to, old addresses included."""
    found: list[int] = []
    for url in urls:
        try:
            parts = urlsplit(url if "://" in url or url.startswith("/") else f"https://{url}")
            if parts.netloc and parts.netloc not in hosts:
                continue
            match = resolve(parts.path)
        except (ValueError, Resolver404):
            continue
        if match.url_name != "story" or "slug" not in match.kwargs:
            continue
        try:
            day = date(int(match.kwargs["year"]), int(match.kwargs["month"]), int(match.kwargs["day"]))
        except (KeyError, ValueError):
            continue
        slug = match.kwargs["slug"]
        here = Story.objects.filter(date=day, slug=slug)
        moved = Story.objects.filter(redirects__old_date=day, redirects__old_slug=slug)
        pk = here.values_list("pk", flat=True).first() or moved.values_list("pk", flat=True).first()
        if pk is not None:
            found.append(pk)
    return found


def text_terms(text: str) -> tuple[dict[str, int], list[str]]:
    """The words (lower case, with how often they occur) and names a story's text is about."""
    text = plain_text(text)[:SUGGESTION_TEXT_CHARS]
    words: dict[str, int] = {}
    for word in WORD.findall(text):
        word = word.lower()
        if word not in STOP_WORDS:
            words[word] = words.get(word, 0) + 1
    names: dict[str, str] = {}
    for sentence in re.split(r"(?<=[.!?:;])\s+|\n+", text):
        for match in NAME.finditer(sentence):
            name, start = match.group(), match.start()
            # "The Bank of England", "In Seoul": a capitalised opener is not part of the name.
            while (first := name.split(" ", 1)[0]).lower() in NAME_OPENERS and " " in name:
                name, start = name[len(first) + 1 :], start + len(first) + 1
            # A single capitalised word opening a sentence is usually just the sentence's first word.
            single = " " not in name and "-" not in name
            lowered = name.lower()
            if single and (start == 0 or lowered in STOP_WORDS or lowered in NAME_OPENERS or len(name) < 3):
                continue
            names.setdefault(name.casefold(), name)
    return words, list(names.values())


def story_text(story) -> str:
    """What a saved story says: headline, standfirst and body, or an event's summary."""
    specific = getattr(story, story.kind, None)
    parts = [getattr(specific, field, "") or "" for field in ("headline", "standfirst", "body", "summary")]
    return " ".join(part for part in parts if part) or story.title


def suggestions_for(
    story=None,
    *,
    text: str | None = None,
    tag_names: list[str] | None = None,
    linked_ids: list[int] | None = None,
) -> dict:
    """Contexts and related stories for the edit form, ranked by what the story says.

    ``text`` (headline, standfirst and body, or summary), ``tag_names`` and ``linked_ids`` (stories
    the form's related links point at, saved or not) are what the form holds now; without them the
    saved story is used. A candidate story scores for each of the form's contexts it shares, each
    context it shares with the linked stories, each name (a run of capitalised words) and each word
    of the text in its headline or summary. Candidates come from bounded, indexed lookups: the
    newest live stories of each context, and of the text's words (PostgreSQL's full-text index;
    elsewhere a substring match) — never a ranking of the whole archive. The story itself and
    stories already linked are never offered.
    """
    story_pk = story.pk if story is not None else None
    if tag_names is not None:
        # Matched ignoring case, as taggit matches them when the story is saved.
        spelled = [Q(name__iexact=name) for name in tag_names[:SUGGESTION_CONTEXTS]]
        own_tags = dict(Tag.objects.filter(reduce(or_, spelled)).values_list("pk", "name")) if spelled else {}
    elif story_pk:
        own_tags = dict(
            TaggedStory.objects.filter(content_object_id=story_pk).values_list("tag_id", "tag__name")[
                :SUGGESTION_CONTEXTS
            ]
        )
    else:
        own_tags = {}
    own_names = {name.casefold() for name in [*(tag_names or []), *own_tags.values()]}
    if text is None:
        text = story_text(story) if story is not None else ""
    words, names = text_terms(text)

    linked = set(linked_ids or [])
    if story_pk:
        linked |= set(
            RelatedLink.objects.filter(story_id=story_pk, target__isnull=False).values_list("target_id", flat=True)
        )
    excluded = linked | ({story_pk} if story_pk else set())
    linked_tags = set(
        TaggedStory.objects.filter(content_object_id__in=sorted(linked)[:50])
        .exclude(tag_id__in=own_tags)
        .values_list("tag_id", flat=True)[:SUGGESTION_CONTEXTS]
    )

    scores: dict[int, float] = {}
    reasons: dict[int, list[str]] = {}
    for tags, weight in ((own_tags, SCORE_FORM_CONTEXT), (linked_tags, SCORE_LINKED_CONTEXT)):
        for tag_id in tags:
            # The context's newest live stories, straight from its listing index.
            for pk in (
                TaggedStory.objects.filter(tag_id=tag_id, listed=True)
                .order_by("-story_date", "-story_publish_at", "-content_object_id")
                .values_list("content_object_id", flat=True)[:SUGGESTION_PER_CONTEXT]
            ):
                if pk not in excluded:
                    scores[pk] = scores.get(pk, 0) + weight

    text_rows = text_candidates(words, names, excluded)
    rows = {pk: (title, day, kind) for pk, title, day, kind in text_rows}
    for pk, (title, _day, _kind) in rows.items():
        matched = title_matches(title, words, names)
        # Found by the text index, so its text holds some of the words even when its title does not.
        scores[pk] = (
            scores.get(pk, 0) + SCORE_TEXT + SCORE_NAME * len(matched["names"]) + SCORE_WORD * len(matched["words"])
        )

    shortlist = sorted(scores, key=lambda pk: (-scores[pk], -pk))[:SUGGESTION_CANDIDATES]
    missing = [pk for pk in shortlist if pk not in rows]
    rows.update(
        {
            pk: (title, day, kind)
            for pk, title, day, kind in Story.objects.published()
            .filter(pk__in=missing)
            .values_list("pk", "title", "date", "kind")
        }
    )
    shortlist = [pk for pk in shortlist if pk in rows]
    # Equal scores go to the more recent story.
    shortlist.sort(key=lambda pk: (-scores[pk], -rows[pk][1].toordinal(), -pk))
    shared_tags: dict[int, list[str]] = {}
    for pk, name in TaggedStory.objects.filter(
        content_object_id__in=shortlist[:SUGGESTION_LIMIT], tag_id__in=[*own_tags, *linked_tags]
    ).values_list("content_object_id", "tag__name"):
        shared_tags.setdefault(pk, []).append(name)
    related = []
    for pk in shortlist[:SUGGESTION_LIMIT]:
        title, day, kind = rows[pk]
        matched = title_matches(title, words, names)
        why = []
        if shared_tags.get(pk):
            why.append("contexts: " + ", ".join(sorted(shared_tags[pk])))
        if matched["names"]:
            why.append("names: " + ", ".join(matched["names"]))
        if matched["words"]:
            why.append("words: " + ", ".join(matched["words"][:5]))
        reasons[pk] = why
        related.append(
            {
                "id": pk,
                "title": title,
                "date": day.isoformat(),
                "date_display": dateformat.format(day, "j M Y"),
                "kind": kind,
                "kind_display": Story.Kind(kind).label,
                "why": "; ".join(why),
            }
        )

    return {"tags": suggested_contexts(shortlist, scores, own_names, linked_tags, words, names), "related": related}


def text_candidates(words: dict[str, int], names: list[str], excluded: set[int]) -> list[tuple]:
    """Newest live stories whose text holds the most telling of ``words`` and ``names``: (pk, title, date, kind)."""
    terms = names[: SUGGESTION_TERMS // 2]
    terms += sorted(words, key=lambda word: (-words[word], -len(word), word))[: SUGGESTION_TERMS - len(terms)]
    if not terms:
        return []
    stories = Story.objects.published().exclude(pk__in=excluded)
    if connections[stories.db].vendor == "postgresql":
        query = reduce(
            or_,
            (
                SearchQuery(term, search_type="phrase" if " " in term else "plain", config=SEARCH_CONFIG)
                for term in terms
            ),
        )
        stories = stories.filter(search_vector=query)
    else:
        stories = stories.filter(reduce(or_, (Q(title__icontains=term) for term in terms)))
    rows = stories.newest_first().values_list("pk", "title", "date", "kind")[:SUGGESTION_TEXT_ROWS]
    return list(rows)[:SUGGESTION_CANDIDATES]


def title_matches(title: str, words: dict[str, int], names: list[str]) -> dict[str, list[str]]:
    """Which of the text's names and words a candidate's headline or summary holds."""
    folded = title.casefold()
    found_names = [name for name in names if re.search(rf"\b{re.escape(name.casefold())}\b", folded)]
    in_names = {word for name in found_names for word in WORD.findall(name.lower())}
    title_words = {word.lower() for word in WORD.findall(title)}
    found_words = sorted((title_words & set(words)) - in_names, key=lambda word: (-words[word], word))
    return {"names": found_names, "words": found_words}


def suggested_contexts(
    shortlist: list[int], scores: dict[int, float], own_names: set[str], linked_tags: set[int], words, names
) -> list[str]:
    """Contexts the form lacks: those named in its text, those of linked stories and of the best candidates."""
    weights: dict[str, float] = {}
    spelled = {*names, *(word.capitalize() for word in words), *words}
    for name in Tag.objects.filter(name__in=sorted(spelled)[:200]).values_list("name", flat=True):
        weights[name] = weights.get(name, 0) + 8
    for name in Tag.objects.filter(pk__in=linked_tags).values_list("name", flat=True):
        weights[name] = weights.get(name, 0) + 5
    best = shortlist[:50]
    for pk, name in TaggedStory.objects.filter(content_object_id__in=best).values_list(
        "content_object_id", "tag__name"
    ):
        weights[name] = weights.get(name, 0) + scores.get(pk, 0)
    ranked = sorted((name for name in weights if name.casefold() not in own_names), key=lambda n: (-weights[n], n))
    return ranked[:SUGGESTION_LIMIT]
