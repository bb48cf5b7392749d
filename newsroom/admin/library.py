"""Admin for what stories cite and carry: sections, authors, outlets, sources, images and contexts."""

from __future__ import annotations

import taggit.admin  # noqa: F401
from django import forms
from django.contrib import admin, messages
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import JsonResponse
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path
from taggit.models import Tag

from ..models import Author, Image, Outlet, Section, Source, TaggedStory
from ..services import merge_tags
from .changelists import HasAltTextFilter
from .common import HTTPS_URLS, image_thumbnail, int_or_none, is_changelist, newsroom_time

CONTEXT_SUGGESTIONS = 10


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


class ContextForm(forms.ModelForm):
    # taggit's slug field accepts any letters, but the context's page address takes ASCII only; a name
    # the browser cannot turn into a slug ("北朝鮮", "!!!") gets one made on save (newsroom.tagslugs).
    slug = forms.SlugField(
        label="slug",
        max_length=100,
        required=False,
        help_text="The context's address, /tags/<slug>/: letters a-z, digits and hyphens. "
        "Leave empty to make one from the name.",
    )

    class Meta:
        model = Tag
        fields = ("name", "slug")


@admin.register(Tag)
class ContextAdmin(admin.ModelAdmin):
    """Contexts are taggit's tags, shared by articles and events."""

    form = ContextForm
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
        target_pk = int_or_none(request.POST.get("target"))
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
