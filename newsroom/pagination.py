"""Paginators for very large tables.

An exact ``COUNT(*)`` over millions of rows reads every row (PostgreSQL keeps no
row count), which is what stalls admin lists on a big archive. Past a size where
nobody needs the exact figure, the planner's own estimate is good enough to
number the pages.
"""

from __future__ import annotations

import json
from datetime import date

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property


def planner_estimate(queryset: QuerySet) -> int | None:
    """How many rows PostgreSQL expects ``queryset`` to return, without running it."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        # A filter that can match nothing (an empty list of ids, .none()) never reaches the database.
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """Exact counts for small results, the planner's estimate once it passes ``exact_below``."""

    exact_below = 20_000

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            estimate = planner_estimate(self.object_list)
            if estimate is not None and estimate >= self.exact_below:
                return estimate
        return super().count


class ArchivePaginator(Paginator):
    """Numbered pages of a long public list, where page 5,000 costs what page 1 does.

    The count is kept until the lists change (see ``newsroom.pagecache``): it
    only changes when something is published or changed, which is exactly when
    the ``lists`` key is purged. So are *anchors*: the sort key of every
    ``anchor_stride``-th row, found once and kept under the same version. A page
    then starts from the anchor below it (a seek on the list's index) and skips
    fewer than ``anchor_stride`` rows, instead of an ``OFFSET`` that walks every
    row before it. Page numbers in addresses keep working, and every page
    shows exactly the rows an ``OFFSET`` would.

    With the page cache off (while developing) nothing is kept:
    it counts every time and reads a page past the middle from the far end, so
    no page walks more than half the list.

    The list must be a queryset ordered on a unique key whose fields all sort
    the same way (the story lists end their order with the id).

    A list whose stories are counted month by month where they are kept (the
    archive, a context, a section, an author: ``months``) needs neither: its
    pages are numbered from those counts, and a page reads from the start of
    the month it falls in (the rows dated before the following month), so it
    walks at most that month's stories, cache or no cache, on the first render
    after a change as on every other.
    """

    anchor_stride = 100

    def __init__(self, *args, count_key: str = "", known_count=None, months=None, seek_field: str = "date", **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key
        # A list whose size is kept elsewhere (the archive's month counts) gives a callable instead.
        self.known_count = known_count
        # A newest-first list whose size is kept month by month gives a callable answering those months,
        # newest first, as (first day of the month, stories): they number the pages, and a page starts its
        # reading at the month it falls in (``seek_field`` holds the list's day), whatever the list's length.
        self.months = months
        self.seek_field = seek_field

    @cached_property
    def month_counts(self) -> list | None:
        return list(self.months()) if self.months is not None else None

    def _kept(self, name: str, compute):
        from . import pagecache

        if not self.count_key:
            return compute()
        return pagecache.remember(f"list:{name}:{self.count_key}", compute)

    @cached_property
    def count(self) -> int:
        if self.month_counts is not None:
            return sum(count for _, count in self.month_counts)
        if self.known_count is not None:
            return self.known_count()
        return self._kept("count", lambda: Paginator.count.func(self))

    @cached_property
    def _sort_key(self) -> tuple[list[str], bool] | None:
        """The ordering's field names and whether it runs newest (largest) first."""
        if not isinstance(self.object_list, QuerySet) or not self.object_list.ordered:
            return None
        order = [str(field) for field in self.object_list.query.order_by]
        if not order or any(not isinstance(field, str) or "__" in field for field in order):
            return None
        descending = {field.startswith("-") for field in order}
        if len(descending) != 1:
            return None
        return [field.lstrip("-") for field in order], descending.pop()

    def _anchor(self, number: int) -> list | None:
        """The sort key of row ``number * anchor_stride``: one walk of the index, then kept for the version."""
        fields, _ = self._sort_key

        def compute():
            offset = number * self.anchor_stride
            rows = list(self.object_list.values_list(*fields)[offset : offset + 1])
            return list(rows[0]) if rows else None

        return self._kept(f"anchor{number}", compute)

    def _start(self, number: int) -> tuple[QuerySet, int]:
        """The list from anchor ``number`` on, and how many of its rows come before that anchor."""
        fields, descending = self._sort_key
        anchor = self._anchor(number)
        if anchor is None or any(value is None for value in anchor):
            return self.object_list, number * self.anchor_stride
        past = "lt" if descending else "gt"
        at_or_past = "lte" if descending else "gte"
        # Row order (a, b, c) at or past the anchor, spelt out so that both databases can seek on the index.
        condition = Q()
        for position, field in enumerate(fields):
            equal = {name: anchor[index] for index, name in enumerate(fields[:position])}
            last = position == len(fields) - 1
            condition |= Q(**equal, **{f"{field}__{at_or_past if last else past}": anchor[position]})
        bound = Q(**{f"{fields[0]}__{at_or_past}": anchor[0]})
        return self.object_list.filter(bound & condition), 0

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if self.month_counts is not None and bottom > 0:
            return self._page_from_its_month(number, bottom, top)
        if self._sort_key is None or bottom < self.anchor_stride:
            return super().page(number)
        from . import pagecache

        if self.count_key and pagecache.enabled():
            start, skip = self._start(bottom // self.anchor_stride)
            skip += bottom % self.anchor_stride
            return self._get_page(start[skip : skip + top - bottom], number, self)
        if bottom * 2 <= self.count:
            return super().page(number)
        items = self._evaluate(self.object_list.reverse()[self.count - top : self.count - bottom])
        items.reverse()
        return self._get_page(items, number, self)

    def _get_page(self, object_list, number, paginator):
        return super()._get_page(self._evaluate(object_list), number, paginator)

    @staticmethod
    def _evaluate(rows) -> list:
        """A page's rows as a list; a page of a story list is read with the listing statement (newsroom.storyread)."""
        from .storyread import listed

        return listed(rows)

    def _page_from_its_month(self, number: int, bottom: int, top: int):
        """The page's rows read from the start of the month its first row is in: the newer months' rows are
        all dated after it and number exactly their kept counts, so they are skipped by the list's own index
        on the day instead of walked. The walk is at most a month's stories, whatever the list's length."""
        before = 0
        for month, count in self.month_counts:
            if bottom < before + count:
                following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
                rows = self.object_list.filter(**{f"{self.seek_field}__lt": following})
                skip = bottom - before
                return self._get_page(rows[skip : skip + top - bottom], number, self)
            before += count
        return self._get_page([], number, self)
