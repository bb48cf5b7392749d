"""Events are entered in one screen: the day, one sentence, its category, contexts and sources."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone

from newsroom.admin import (
    COMMENT_FIELDS,
    ContextFilter,
    RelatedLinkInline,
    SourceInline,
    StoryContentAdmin,
    is_changelist,
)
from newsroom.admin.editor import RichTextAdminMixin

from .models import Event

EVENT_SLUG_HELP = (
    "Last part of the address, unique per day across articles and events. "
    "Leave empty and one is made from the first words of the summary."
)


@admin.register(Event)
class EventAdmin(RichTextAdminMixin, StoryContentAdmin):
    textarea_rows = {"summary": 3}
    rich_text_fields = {"summary": "inline"}
    list_display = ("date", "summary_text", "category", "contexts", "status", "publish_time")
    list_display_links = ("summary_text",)
    # Only the orders an index can give straight away; status and category are filters instead.
    sortable_by = ("date", "publish_time")
    list_filter = ("status", "category", ContextFilter)
    search_fields = ("title", "slug")
    date_hierarchy = "date"
    inlines = (SourceInline, RelatedLinkInline)
    fieldsets = (
        (None, {"fields": ("date", "summary", "category", "tags", "slug")}),
        ("Publishing", {"fields": ("status", "publish_at")}),
        ("Discussion", {"fields": COMMENT_FIELDS, "classes": ("collapse",)}),
    )

    def get_changeform_initial_data(self, request):
        # Most events are entered on the day they happen.
        return {"date": timezone.localdate(), **super().get_changeform_initial_data(request)}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "slug" in form.base_fields:
            form.base_fields["slug"].help_text = EVENT_SLUG_HELP
        return form

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_changelist(request):
            queryset = queryset.prefetch_related("tags")
        return queryset

    @admin.display(description="summary", ordering="title")
    def summary_text(self, obj) -> str:
        return obj.title

    @admin.display(description="contexts")
    def contexts(self, obj) -> str:
        return ", ".join(sorted(tag.name for tag in obj.tags.all())) or "—"
