"""The editors' desk: admin for stories, the people and outlets they cite, and images.

Articles and events share ``StoryContentAdmin`` (publishing, contexts, sources
and related links); ``events.admin`` builds on it. Changelists are written to
cost the same number of queries however many rows a page shows.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import taggit.admin  # noqa: F401
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.cache import cache
from django.db import models
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html
from taggit.models import Tag

from .models import (
    Article,
    Author,
    Byline,
    Image,
    Outlet,
    RelatedLink,
    Section,
    Source,
    Story,
    StoryRedirect,
    TaggedStory,
)

admin.site.site_header = "Dateline newsroom"
admin.site.site_title = "Dateline"
admin.site.index_title = "Newsroom desk"

THUMBNAIL_WIDTH = 48
TOP_CONTEXTS = 15
TOP_CONTEXTS_CACHE_SECONDS = 300
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


class ContextFilter(admin.SimpleListFilter):
    """The most-used contexts, plus any other one named in the address.

    The vocabulary runs to tens of thousands of contexts, far too many to list:
    ``?context=<slug>`` filters by any of them.
    """

    title = "context"
    parameter_name = "context"

    def lookups(self, request, model_admin):
        kind = model_admin.model._meta.model_name
        kind = kind if kind in Story.Kind.values else None

        def most_used() -> list[tuple[str, str]]:
            items = TaggedStory.objects.all()
            if kind:
                items = items.filter(content_object__kind=kind)
            rows = items.values("tag__slug", "tag__name").annotate(uses=Count("pk")).order_by("-uses", "tag__name")
            return [(row["tag__slug"], row["tag__name"]) for row in rows[:TOP_CONTEXTS]]

        # Counting every tagging on each page load is the one costly query here; a few minutes' staleness is fine.
        choices = cache.get_or_set(
            f"dateline:admin:top-contexts:{kind or 'all'}", most_used, TOP_CONTEXTS_CACHE_SECONDS
        )
        chosen = self.value()
        if chosen and chosen not in {slug for slug, _ in choices}:
            name = Tag.objects.filter(slug=chosen).values_list("name", flat=True).first()
            choices = [*choices, (chosen, name or chosen)]
        return choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tagged_items__tag__slug=self.value())
        return queryset


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
        if self.value():
            value = self.value().strip("/")
            return queryset.filter(Q(section__path=value) | Q(section__path__startswith=f"{value}/"))
        return queryset


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


class StoryContentAdmin(admin.ModelAdmin):
    """What article and event admins share: publishing, contexts, sources, related links."""

    save_on_top = True
    list_per_page = 50
    # A second COUNT over the whole archive on every filtered page is not worth its cost.
    show_full_result_count = False

    class Media:
        js = ("js/admin/contexts.js",)
        css = {"all": ("css/admin/dateline.css",)}

    def view_on_site(self, obj) -> str:
        # Straight to the public address: staff see drafts there as a preview.
        return obj.get_absolute_url()

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

    def get_search_results(self, request, queryset, search_term):
        matched, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not term:
            return matched, may_have_duplicates
        # Authors are searched with a subquery: joining bylines would repeat articles and force DISTINCT.
        by_author = Exists(Byline.objects.filter(article=OuterRef("pk"), author__name__icontains=term))
        return queryset.filter(Q(pk__in=matched.values("pk")) | by_author), may_have_duplicates

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
        return False

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
