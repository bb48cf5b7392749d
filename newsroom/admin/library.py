"""Admin for what stories cite and carry: sections, authors, outlets, sources, images and contexts."""

from __future__ import annotations

import taggit.admin  # noqa: F401
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import JsonResponse
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from taggit.models import Tag

from ..images import MediaStorageUnavailable
from ..models import Article, Author, Image, Outlet, Section, Source, TaggedStory
from ..services import merge_tags
from ..workflow import may_edit
from .changelists import HasAltTextFilter
from .common import HTTPS_URLS, image_thumbnail, int_or_none, is_changelist, newsroom_time
from .links import CitedInFilter, LinkStatusFilter, OutletLinkStatusFilter, link_status_html, with_link_check

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
        ("Archive", {"fields": ("freeze_after_days",)}),
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
    list_filter = (OutletLinkStatusFilter,)
    search_fields = ("name", "homepage")

    class Media:
        css = {"all": ("css/admin/dateline.css",)}

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
    """Every citation in one list, to find where an outlet or an address is cited. Read only, for everyone.

    A source is part of its story: it is added, changed and removed in the story's own form, under the
    story's permission (a reporter's own draft, any story for an editor), and each change is kept in the
    story's revisions. Edited here, it would bypass both.
    """

    list_display = ("outlet", "title", "story_link", "published_on", "link_check")
    list_select_related = ("outlet", "story")
    list_filter = (LinkStatusFilter, CitedInFilter)
    search_fields = ("title", "url", "outlet__name")
    fields = ("story_link", "outlet", "title", "url", "published_on", "link_check", "archived_url", "order")
    readonly_fields = fields

    class Media:
        css = {"all": ("css/admin/dateline.css",)}

    def get_queryset(self, request):
        return with_link_check(super().get_queryset(request))

    @admin.display(description="link")
    def link_check(self, obj):
        return link_status_html(obj)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Never from this list; but deleting a story takes its sources with it, and Django asks this admin
        # about each of them then: allowed where the story itself may be changed.
        match = getattr(request, "resolver_match", None)
        if obj is None or match is None or (match.url_name or "").startswith("newsroom_source_"):
            return False
        return super().has_delete_permission(request, obj) and may_edit(request.user, obj.story)

    @admin.display(description="story", ordering="story__title")
    def story_link(self, obj):
        """The story's own form, where its sources are edited."""
        # The story index's change page sends the editor on to the article or event form.
        url = reverse(f"{self.admin_site.name}:newsroom_story_change", args=[obj.story_id])
        return format_html('<a href="{}">{}</a>', url, obj.story.title)


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ("thumbnail", "caption", "credit", "alt_text", "dimensions", "uploaded")
    list_display_links = ("thumbnail", "caption")
    list_filter = (HasAltTextFilter,)
    search_fields = ("caption", "credit", "alt_text")
    date_hierarchy = "uploaded_at"
    readonly_fields = ("preview", "dimensions")
    fields = ("file", "preview", "dimensions", "caption", ("credit_kind", "credit"), "alt_text")

    class Media:
        css = {"all": ("css/admin/dateline.css",)}

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except MediaStorageUnavailable as failure:
            if request.method != "POST":
                raise
            # The save was rolled back with its transaction. The same form comes back, refused with the reason,
            # keeping the caption, credit and alt text typed (only the file must be chosen again).
            request.media_storage_failure = str(failure)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        failure = getattr(request, "media_storage_failure", None)
        if failure is None:
            return form

        class RefusedForm(form):
            def clean(self):
                super().clean()
                raise forms.ValidationError(failure, code="media_storage_unavailable")

        return RefusedForm

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or may_change_image(request.user, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or may_change_image(request.user, obj)

    @admin.display(description="")
    def thumbnail(self, obj):
        return image_thumbnail(obj)

    @admin.display(description="preview")
    def preview(self, obj):
        # A form sent back with errors holds a file not stored yet: there is nothing to show until it is.
        if obj is None or obj.pk is None:
            return "—"
        return image_thumbnail(obj, width=320)

    @admin.display(description="uploaded", ordering="uploaded_at")
    def uploaded(self, obj):
        return newsroom_time(obj.uploaded_at)

    @admin.display(description="width × height")
    def dimensions(self, obj) -> str:
        return f"{obj.width} × {obj.height}" if obj.width else "—"


def may_change_image(user, image: Image) -> bool:
    """An image is part of every story that leads with it: its caption, credit and alt text may change only
    where each of those stories may (``may_edit``), so a published story cannot change underneath its editor."""
    stories = Article.objects.filter(lead_image=image).only("pk", "status", "created_by").order_by()
    return all(may_edit(user, story) for story in stories.iterator())


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

    list_title = "Contexts"
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
        if not self.has_view_permission(request):
            raise PermissionDenied
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
