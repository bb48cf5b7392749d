"""The front page desk: one screen to arrange, preview and publish the front page, and the zones it has.

The screen is the front page's changelist. Editors hold ``frontpage.curate_frontpage``; everyone else gets
403 on the screen, its searches, previews and publishing alike.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.dateparse import parse_datetime

from . import arrangement, services
from .arrangement import Arrangement, Place
from .forms import MAX_ROWS, Board, area_choices, find_stories, to_id
from .models import Placement, Revision, Zone

PERMISSION = "frontpage.curate_frontpage"
HISTORY_ROWS = 20


def may_curate(request) -> bool:
    return request.user.is_active and request.user.is_staff and request.user.has_perm(PERMISSION)


@admin.register(Placement)
class FrontPageAdmin(admin.ModelAdmin):
    """Registered on the placements so "Front page" appears on the admin index for those who may arrange it."""

    def has_module_permission(self, request):
        return may_curate(request)

    def has_view_permission(self, request, obj=None):
        return may_curate(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return may_curate(request)

    def has_delete_permission(self, request, obj=None):
        # Placements are removed on the screen; this also lets an editor remove a zone along with its stories.
        return may_curate(request)

    def get_urls(self):
        return [
            path("stories/", self.admin_site.admin_view(self.stories_view), name="frontpage_stories"),
            path("", self.admin_site.admin_view(self.changelist_view), name="frontpage_placement_changelist"),
        ]

    def stories_view(self, request):
        """Stories to place, by words of their headline, as JSON for the screen's live search."""
        if not may_curate(request):
            raise PermissionDenied
        exclude = {to_id(value) for value in request.GET.getlist("placed")[:MAX_ROWS]} - {None}
        results = [
            {
                "id": story.pk,
                "title": story.title,
                "date": story.date.isoformat(),
                "date_label": f"{story.date:%-d %b %Y}",
                "kind": story_kind(story),
                "status": story.get_status_display(),
            }
            for story in find_stories(request.GET.get("q", ""), exclude=exclude)
        ]
        response = JsonResponse({"results": results})
        add_never_cache_headers(response)
        return response

    def changelist_view(self, request, extra_context=None):
        if not may_curate(request):
            raise PermissionDenied
        stored = arrangement.load()
        zones = stored.zones
        if request.method == "POST":
            return self.handle_post(request, zones, stored)
        based_on = services.latest_revision_id()
        places = list(stored.places)
        restored = to_id(request.GET.get("restore"))
        if restored is not None:
            revision = get_object_or_404(Revision, pk=restored)
            places = places_from_revision(revision, zones)
            messages.info(
                request,
                f"The arrangement of {timezone.localtime(revision.created_at):%-d %b %Y, %H:%M} is loaded. "
                "Nothing changes on the front page until you publish it.",
            )
        board = Board(zones=zones, stored=stored, places=places)
        return self.render_screen(request, board, based_on=based_on)

    def handle_post(self, request, zones, stored):
        board = Board(zones=zones, stored=stored, data=request.POST)
        based_on = to_id(request.POST.get("based_on"))
        action = request.POST.get("action", "")
        if request.POST.get("add"):
            problem = board.add(request.POST["add"], request.POST.get("add_area", "top"))
            if problem:
                messages.warning(request, problem)
                return self.render_screen(request, board, based_on=based_on)
            # The story is in its place: the search has done its job.
            return self.render_screen(request, board, based_on=based_on, query="")
        if action == "search":
            return self.render_screen(request, board, based_on=based_on)
        if not board.is_valid():
            return self.render_screen(request, board, based_on=based_on)
        if action == "preview":
            return self.preview(request, zones, board.places())
        if action == "publish":
            try:
                services.publish_arrangement(places=board.places(), user=request.user, based_on=based_on)
            except services.Vanished as vanished:
                board.problems.append(f"{vanished} Nothing was published; check the arrangement and publish again.")
                return self.render_screen(request, board, based_on=based_on)
            except services.Conflict as conflict:
                latest = conflict.latest
                who = latest.user.get_username() if latest.user else "someone"
                board.problems.append(
                    f"The front page was published by {who} at {timezone.localtime(latest.created_at):%H:%M} "
                    "after you opened this screen. Your arrangement is still here: look at the history below, "
                    "then publish again to replace theirs."
                )
                return self.render_screen(request, board, based_on=latest.pk)
            messages.success(request, "The front page is published. Readers see it now.")
            return HttpResponseRedirect(reverse("admin:frontpage_placement_changelist"))
        return self.render_screen(request, board, based_on=based_on)

    def preview(self, request, zones, places: list[Place]):
        """The public front page as it would look with ``places``; marked noindex and never stored."""
        from newsroom.views import FrontPageView

        view = FrontPageView(arrangement=Arrangement(zones, tuple(places)))
        view.setup(request)
        context = view.get_context_data()
        context["front_preview"] = True
        response = TemplateResponse(request, FrontPageView.template_name, context)
        response["X-Robots-Tag"] = "noindex, nofollow"
        add_never_cache_headers(response)
        return response

    def render_screen(self, request, board: Board, *, based_on: int | None, query: str | None = None):
        if query is None:
            query = request.POST.get("q", "") if request.method == "POST" else request.GET.get("q", "")
        add_area = request.POST.get("add_area", "top") if request.method == "POST" else "top"
        results = None
        if query:
            results = [(story, story_kind(story)) for story in find_stories(query, exclude=board.story_ids())]
        context = {
            **self.admin_site.each_context(request),
            "title": "Front page",
            "opts": self.model._meta,
            "board": board,
            "columns": board.columns(),
            "areas": area_choices(board.zones),
            "based_on": based_on or "",
            "query": query,
            "add_area": add_area,
            "results": results,
            "history": Revision.objects.select_related("user")[:HISTORY_ROWS],
            "may_edit_zones": request.user.has_perm("frontpage.change_zone"),
            "time_zone": timezone.get_current_timezone_name(),
        }
        response = TemplateResponse(request, "admin/frontpage/curate.html", context)
        add_never_cache_headers(response)
        return response


def story_kind(story) -> str:
    if story.kind == "article" and hasattr(story, "article"):
        return story.article.get_article_type_display()
    return story.get_kind_display()


def places_from_revision(revision: Revision, zones) -> list[Place]:
    """A history row's arrangement, leaving out zones removed since and times already past."""
    areas = {area for area, _ in area_choices(zones)}
    now = timezone.now()
    places = []
    for item in revision.arrangement if isinstance(revision.arrangement, list) else []:
        try:
            expires = parse_datetime(item["expires_at"]) if item.get("expires_at") else None
            place = Place(int(item["story"]), str(item["area"]), int(item["position"]), expires)
        except (KeyError, TypeError, ValueError):
            continue
        if place.area in areas and (expires is None or (isinstance(expires, datetime) and expires > now)):
            places.append(place)
    return places


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ("heading", "position", "capacity", "fill")
    list_editable = ("position", "capacity", "fill")
    list_display_links = ("heading",)
    fields = ("heading", "slug", "position", "capacity", "fill")
    search_fields = ("heading",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            changed = ", ".join(str(form.fields[name].label).lower() for name in form.changed_data) or "nothing"
            summary = f"Changed the zone “{obj.heading}” ({changed})."
        else:
            summary = f"Added the zone “{obj.heading}”."
        services.record_zone_change(user=request.user, summary=summary)

    def delete_model(self, request, obj):
        placed = obj.placements.count()
        heading = obj.heading
        super().delete_model(request, obj)
        what = f" and its {placed} placement{'s' if placed != 1 else ''}" if placed else ""
        services.record_zone_change(user=request.user, summary=f"Removed the zone “{heading}”{what}.")

    def delete_queryset(self, request, queryset):
        for zone in queryset:
            self.delete_model(request, zone)


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "summary")
    list_select_related = ("user",)
    readonly_fields = ("created_at", "user", "summary", "arrangement")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
