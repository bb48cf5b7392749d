"""What check_sources found about cited addresses, as the admin lists and the story form show it."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.html import format_html

from ..models import BROKEN_LINK_STATUSES, LinkCheck, Source, Story
from .common import newsroom_time

BROKEN = "broken"
UNCHECKED = "unchecked"


def link_status_condition(value: str, url=None) -> Q | None:
    """Rows whose address (``url``, an outer reference to a URL column) last checked as ``value``."""
    url = url if url is not None else OuterRef("url")
    checks = LinkCheck.objects.filter(url=url)
    if value == BROKEN:
        return Q(Exists(checks.filter(status__in=BROKEN_LINK_STATUSES)))
    if value == UNCHECKED:
        return ~Q(Exists(checks))
    if value in LinkCheck.Status.values:
        return Q(Exists(checks.filter(status=value)))
    return None


def broken_published_sources():
    """Citations in published stories whose link is gone or not answering: the dashboard's count."""
    return Source.objects.filter(story__in=Story.objects.published()).filter(link_status_condition(BROKEN))


def with_link_check(queryset):
    """Each source with its address's last check, read in the same query as the sources themselves."""
    checks = LinkCheck.objects.filter(url=OuterRef("url"))
    return queryset.annotate(
        link_status=Subquery(checks.values("status")[:1]),
        link_since=Subquery(checks.values("status_since")[:1]),
        link_checked=Subquery(checks.values("checked_at")[:1]),
        link_moved_to=Subquery(checks.values("redirect_to")[:1]),
        link_detail=Subquery(checks.values("detail")[:1]),
    )


def link_status_html(source):
    """The status an editor sees beside a source: what, since when, and where a moved link now goes."""
    status = getattr(source, "link_status", None)
    if not status:
        return format_html('<span class="dateline-link dateline-link--unchecked">{}</span>', "Not checked yet")
    label = LinkCheck.Status(status).label
    parts = [
        format_html('<span class="dateline-link dateline-link--{}">{}</span>', status, label),
        format_html(" since {}", newsroom_time(source.link_since)),
    ]
    if status == LinkCheck.Status.REDIRECTED and source.link_moved_to:
        parts.append(
            format_html(' → <a href="{}" rel="noopener noreferrer">{}</a>', source.link_moved_to, source.link_moved_to)
        )
    elif source.link_detail and status != LinkCheck.Status.OK:
        parts.append(format_html(" ({})", source.link_detail))
    if status == LinkCheck.Status.GONE and not source.archived_url and source.proposed_archived_url:
        # What readers are offered until an editor gives a copy of their own.
        parts.append(
            format_html(' · <a href="{}" rel="noopener noreferrer">proposed copy</a>', source.proposed_archived_url)
        )
    return format_html("{}" * len(parts), *parts)


class LinkStatusFilter(admin.SimpleListFilter):
    """Sources by what the last check of their address found."""

    title = "link"
    parameter_name = "link"
    url_reference = "url"

    def lookups(self, request, model_admin):
        return [
            (BROKEN, "Broken (gone or not answering)"),
            *LinkCheck.Status.choices,
            (UNCHECKED, "Not checked yet"),
        ]

    def queryset(self, request, queryset):
        condition = link_status_condition(self.value() or "", OuterRef(self.url_reference))
        return queryset if condition is None else queryset.filter(condition)


class OutletLinkStatusFilter(LinkStatusFilter):
    """Outlets with at least one citation whose address last checked this way."""

    title = "cited links"

    def queryset(self, request, queryset):
        condition = link_status_condition(self.value() or "")
        if condition is None:
            return queryset
        return queryset.filter(Exists(Source.objects.filter(outlet=OuterRef("pk")).filter(condition)))


class CitedInFilter(admin.SimpleListFilter):
    title = "cited in"
    parameter_name = "cited_in"

    def lookups(self, request, model_admin):
        return [("published", "Published stories")]

    def queryset(self, request, queryset):
        if self.value() == "published":
            return queryset.filter(story__in=Story.objects.published())
        return queryset
