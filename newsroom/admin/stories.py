"""Admin for stories themselves: what articles and events share, articles, and the story index."""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin
from django.contrib.postgres.search import SearchQuery
from django.db import connections
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from ..models import Article, Byline, Story, StoryRedirect
from ..pagination import EstimatedCountPaginator
from ..search import SEARCH_CONFIG
from ..tags import CONTEXTS_HELP, ContextsField
from ..workflow import may_edit
from .changelists import ContextFilter, SectionFilter, ShownStatusAdmin, StoryChangeList
from .common import (
    COMMENT_FIELDS,
    image_thumbnail,
    is_changelist,
    newsroom_time,
    story_choice_label,
    without_delete_and_view_links,
)
from .editor import RichTextAdminMixin
from .workflow import BylineInline, RelatedLinkInline, SourceInline, WorkflowAdminMixin
from .zones import TypedPublishTimeField

# Up to this many articles found by an author's name are gathered by id; past it, each listed row is checked.
NAME_MATCH_IDS = 10_000


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

    def extra_search(self, term: str) -> tuple[QuerySet | None, Q | None]:
        """Further stories a search for ``term`` finds: a query for their ids when they are few, or a
        condition on the listed row when they are many. (None, None) when there are none."""
        return None, None

    def get_search_results(self, request, queryset, search_term):
        """On PostgreSQL, every word typed as the start of a word in the story, from the full-text index.

        A substring match (Django's default) reads every row of a million-story table: seconds per
        search. The story's search vector holds its headline, standfirst or summary and body, stemmed,
        and ``word:*`` matches any indexed word starting with what was typed, so "harb" finds "harbour".
        """
        term = search_term.strip()
        words = re.findall(r"[^\W_]+", term)
        few, condition = self.extra_search(term) if term else (None, None)
        extra = Q(pk__in=few) if few is not None else condition
        if not words or connections[queryset.db].vendor != "postgresql":
            matched, may_have_duplicates = super().get_search_results(request, queryset, search_term)
            if extra is None:
                return matched, may_have_duplicates
            return queryset.filter(Q(pk__in=matched.values("pk")) | extra), may_have_duplicates
        query = SearchQuery(" & ".join(f"{word}:*" for word in words), search_type="raw", config=SEARCH_CONFIG)
        if few is not None:
            # The words and a few stories more: both sets of ids gathered (unordered) and combined.
            ids = Story.objects.order_by().filter(search_vector=query).values("pk").union(few.order_by())
            return queryset.filter(pk__in=ids), False
        # Otherwise conditions on the listed row, so PostgreSQL can walk the list in its order and stop
        # at a page for a common word or name, or gather a rare word from the GIN index.
        if condition is not None:
            return queryset.filter(Q(search_vector=query) | condition), False
        return queryset.filter(search_vector=query), False

    def get_changelist(self, request, **kwargs):
        return StoryChangeList

    def get_deleted_objects(self, objs, request):
        """What goes with a story (its sources, links, byline, reader comments, history) is part of it.

        Django would also ask each of those models' own admins, and refuse the delete when the user may not
        delete, say, comments in the moderation queue. Whether the story may go is decided by the story's own
        permission (``has_delete_permission``); its parts follow it.
        """
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    # Rows for text areas whose length differs from the admin's default, by field name.
    textarea_rows: dict[str, int] = {}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "tags":
            kwargs.update(form_class=ContextsField, help_text=CONTEXTS_HELP)
        if db_field.name == "publish_at":
            kwargs["form_class"] = TypedPublishTimeField
        formfield = without_delete_and_view_links(super().formfield_for_dbfield(db_field, request, **kwargs))
        if db_field.name in self.textarea_rows and formfield is not None:
            formfield.widget.attrs["rows"] = self.textarea_rows[db_field.name]
        if db_field.name == "tags" and formfield is not None:
            formfield.widget.attrs.update(
                {
                    "class": "vLargeTextField dateline-contexts",
                    "rows": 2,
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
class ArticleAdmin(RichTextAdminMixin, StoryContentAdmin):
    textarea_rows = {"standfirst": 3, "body": 24}
    rich_text_fields = {"body": "body"}
    preview_field = "body"
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
    # No heading repeats a field's label ("Contexts", "Lead image"): a heading names its fieldset for assistive
    # technology, so a field found by its label ("Contexts") would be found twice.
    fieldsets = (
        (None, {"fields": ("headline", "slug", "standfirst", "body", "tags")}),
        ("Placement", {"fields": ("article_type", "section", "dateline", "language", "translation_of")}),
        ("Picture", {"fields": ("lead_image", "lead_image_preview")}),
        (
            "Publishing",
            {
                "fields": ("status", "publish_at", "date"),
                "description": "The date in the address follows the publish time, in the newsroom's time zone.",
            },
        ),
        ("Discussion", {"fields": COMMENT_FIELDS, "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_changelist(request):
            queryset = queryset.prefetch_related(
                Prefetch("bylines", queryset=Byline.objects.select_related("author").order_by("order", "pk"))
            )
        return queryset

    def extra_search(self, term: str) -> tuple[QuerySet | None, Q | None]:
        # Articles are also found by their authors' names, without a join that would repeat articles and
        # force DISTINCT. An author's few hundred articles are gathered by id beside the words' matches.
        # Part of many names (76,000 articles for "ana" on the benchmark archive) becomes a check of each
        # listed article's own bylines instead, so the list is walked in its order and stops at a page.
        bylines = Byline.objects.filter(author__name__icontains=term)
        ids = bylines.values_list("article_id", flat=True)
        found = ids[: NAME_MATCH_IDS + 1].count()
        if not found:
            return None, None
        if found <= NAME_MATCH_IDS:
            return ids, None
        return None, Q(Exists(bylines.filter(article=OuterRef("pk"))))

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
class StoryAdmin(ShownStatusAdmin, admin.ModelAdmin):
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

    def autocomplete_label(self, obj) -> str:
        """How a story is offered in a related link's search (DatelineAdminSite.autocomplete_view)."""
        return story_choice_label(obj)

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
    """Old addresses of stories. A redirect is part of its story: it changes only where the story may."""

    list_display = ("old_date", "old_slug", "story", "created_at")
    list_select_related = ("story",)
    search_fields = ("old_slug", "story__title")
    autocomplete_fields = ("story",)
    date_hierarchy = "old_date"

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or may_edit(request.user, obj.story)

    def has_delete_permission(self, request, obj=None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or may_edit(request.user, obj.story)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class RedirectForm(form):
            def clean_story(self):
                story = self.cleaned_data.get("story")
                # Pointing an address at a story, or away from one, changes both stories' addresses.
                moved_from = self.instance.story if self.instance.pk and self.instance.story_id else None
                for changed in {story, moved_from} - {None}:
                    if not may_edit(user, changed):
                        raise forms.ValidationError(
                            f"You may not change the addresses of “{changed}”: only those who may edit a "
                            "story may add or move its old addresses.",
                            code="story_not_editable",
                        )
                return story

        return RedirectForm
