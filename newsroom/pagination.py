"""Paginators for very large tables.

An exact ``COUNT(*)`` over millions of rows reads every row (PostgreSQL keeps no
row count), which is what stalls admin lists on a big archive. Past a size where
nobody needs the exact figure, the planner's own estimate is good enough to
number the pages.
"""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property


def planner_estimate(queryset: QuerySet) -> int | None:
    """How many rows PostgreSQL expects ``queryset`` to return, without running it."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
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


class CachedCountPaginator(Paginator):
    """Counts a public list once per site version instead of on every request.

    The count of a popular context's stories reads every one of them; it only
    changes when something is published or changed, which is exactly when the
    page cache's version moves on. Without the page cache (development, tests)
    it counts every time.
    """

    def __init__(self, *args, count_key: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self) -> int:
        from django.core.cache import cache

        from . import pagecache

        if not self.count_key or not pagecache.enabled():
            return super().count
        key = f"dateline:count:{pagecache.current_version()}:{self.count_key}"
        value = cache.get(key)
        if value is None:
            value = super().count
            cache.set(key, value, pagecache.timeout())
        return value
