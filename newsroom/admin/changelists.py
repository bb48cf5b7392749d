"""Changelists that cost the same however large the archive: the context and section filters,
the offered sorts and the date bar read from the date index."""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, timedelta

from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.cache import cache
from django.db.models import Count, Q, Subquery
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from taggit.models import Tag

from ..models import Section, Story, TaggedStory
from ..querysets import Status
from ..workflow import effective_status_label

TOP_CONTEXTS = 15
TOP_CONTEXTS_CACHE_SECONDS = 300
# How many of the latest stories the context filter counts contexts over.
RECENT_STORIES_FOR_CONTEXTS = 5000
# The date bar reads the days of a list shorter than this; a longer one it probes period by period (StoryChangeList).
DATE_BAR_READ_BELOW = 20_000
# Past this many years between a list's first and last story, the date bar reads the distinct years instead.
DATE_BAR_MAX_YEARS = 100


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


class StatusFilter(admin.SimpleListFilter):
    """States as readers see them: a scheduled story whose time has come is listed as published.

    ``publish_due`` marks such stories Published in the end; until it runs, "Published" includes them
    and "Scheduled" leaves them out. Both read the (status, publish time) index.
    """

    title = "status"
    parameter_name = "status"

    def __init__(self, request, params, model, model_admin):
        # Links made by the plain status filter this one replaces still choose a state.
        if self.parameter_name not in params and "status__exact" in params:
            params[self.parameter_name] = params.pop("status__exact")
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        value = self.value()
        now = timezone.now()
        if value == Status.PUBLISHED:
            return queryset.filter(Q(status=Status.PUBLISHED) | Q(status=Status.SCHEDULED, publish_at__lte=now))
        if value == Status.SCHEDULED:
            return queryset.filter(status=Status.SCHEDULED, publish_at__gt=now)
        if value in Status.values:
            return queryset.filter(status=value)
        return queryset


class ShownStatusAdmin:
    """The status column and filter of a story list, by ``effective_status`` rather than the stored one.

    Any ``"status"`` in ``list_display`` or ``list_filter`` is swapped for them, so each admin's own
    column order stays where it declares it. The column reads only the row itself: no query per row.
    """

    def get_list_display(self, request):
        return [("shown_status" if name == "status" else name) for name in super().get_list_display(request)]

    def get_list_filter(self, request):
        return [(StatusFilter if name == "status" else name) for name in super().get_list_filter(request)]

    @admin.display(description="status")
    def shown_status(self, obj) -> str:
        return effective_status_label(obj)


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
