"""Check every cited address and record whether it still works: see ``newsroom.linkcheck``."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from newsroom.linkcheck import GONE, Checker
from newsroom.models import LinkCheck, Source, Story

LOCK_KEY = "dateline:check-sources:lock"
# pg_try_advisory_lock takes a number: this one is "DLCS" in ASCII.
ADVISORY_LOCK_ID = 0x444C4353
# A run that died without letting go of the cache lock blocks the next ones no longer than this.
CACHE_LOCK_SECONDS = 6 * 60 * 60


class AlreadyRunning(Exception):
    pass


@contextmanager
def single_run():
    """Hold the site-wide lock for the length of one run; raise AlreadyRunning if another run holds it.

    On PostgreSQL an advisory lock, released by the database if the process dies; elsewhere a cache key.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_ID])
            if not cursor.fetchone()[0]:
                raise AlreadyRunning
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_ID])
        return
    token = uuid.uuid4().hex
    if not cache.add(LOCK_KEY, token, CACHE_LOCK_SECONDS):
        raise AlreadyRunning
    try:
        yield
    finally:
        if cache.get(LOCK_KEY) == token:
            cache.delete(LOCK_KEY)


def site_url() -> str:
    configured = getattr(settings, "COMMENTS_SITE_URL", "")
    if configured:
        return configured.rstrip("/") + "/"
    try:
        from django.contrib.sites.models import Site

        return f"https://{Site.objects.get_current().domain}/"
    except Exception:  # noqa: BLE001  (no sites framework or no row: the name alone still identifies us)
        return ""


def user_agent() -> str:
    url = site_url()
    return f"Dateline link checker ({settings.DATELINE_SITE_NAME}{'; +' + url if url else ''})"


def addresses_due(*, older_than: timedelta, only_published: bool, limit: int | None) -> list[str]:
    """Cited addresses never checked or last checked before ``older_than`` ago, the longest-waiting first."""
    sources = Source.objects.all()
    if only_published:
        sources = sources.filter(story__in=Story.objects.published())
    last = LinkCheck.objects.filter(url=OuterRef("url")).values("checked_at")[:1]
    rows = (
        sources.values("url")
        .distinct()
        .annotate(last_checked=Subquery(last))
        .filter(Q(last_checked__isnull=True) | Q(last_checked__lt=timezone.now() - older_than))
        .order_by(F("last_checked").asc(nulls_first=True), "url")
        .values_list("url", flat=True)
    )
    if limit:
        rows = rows[:limit]
    return list(rows)


def record(url: str, result, *, now) -> LinkCheck:
    check = LinkCheck.objects.filter(url=url).first()
    if check is None:
        check = LinkCheck(url=url, status_since=now)
    elif check.status != result.status:
        check.status_since = now
    check.status = result.status
    check.checked_at = now
    check.redirect_to = result.redirect_to[:1000]
    check.detail = result.detail[:200]
    check.save()
    if result.status == GONE:
        # Readers of a gone link are offered the web archive's copy from the day it was cited.
        for source in Source.objects.filter(url=url, archived_url="", proposed_archived_url="").select_related("story"):
            Source.objects.filter(pk=source.pk).update(proposed_archived_url=source.proposed_archive_address())
    return check


class Command(BaseCommand):
    help = (
        "Check that the addresses stories cite still answer, and record for each whether it works, moved, "
        "is gone or errs, and since when. Safe from cron: a second run while one is going exits at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="Check at most this many addresses.")
        parser.add_argument(
            "--older-than",
            type=float,
            default=24,
            metavar="HOURS",
            help="Check again only addresses last checked at least this many hours ago (default 24; 0: all).",
        )
        parser.add_argument("--only-published", action="store_true", help="Only addresses cited by published stories.")
        parser.add_argument(
            "--workers", type=int, default=settings.DATELINE_LINK_CHECK_WORKERS, help="Checks at once (default 8)."
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=settings.DATELINE_LINK_CHECK_TIMEOUT,
            help="Seconds each request may take (default 10).",
        )

    def handle(self, *args, **options):
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        if options["older_than"] < 0 or options["workers"] < 1 or options["timeout"] <= 0:
            raise CommandError("--older-than cannot be negative; --workers and --timeout must be positive.")
        try:
            with single_run():
                counts = self.run(options)
        except AlreadyRunning:
            self.stderr.write("Another check_sources run is still going; this one stops without checking.")
            return
        if options["verbosity"] >= 1:
            summary = ", ".join(f"{count} {label.lower()}" for label, count in counts.items() if count)
            total = sum(counts.values())
            self.stdout.write(
                f"Checked {total} address{'es' if total != 1 else ''}" + (f": {summary}." if total else ".")
            )

    def run(self, options) -> dict[str, int]:
        urls = addresses_due(
            older_than=timedelta(hours=options["older_than"]),
            only_published=options["only_published"],
            limit=options["limit"],
        )
        checker = Checker(user_agent=user_agent(), timeout=options["timeout"])
        counts = {label: 0 for label in LinkCheck.Status.labels}
        labels = dict(LinkCheck.Status.choices)
        with ThreadPoolExecutor(max_workers=options["workers"]) as pool:
            # Requests run in the pool; every write happens here, on the command's own connection.
            for url, result in zip(urls, pool.map(checker.check, urls), strict=True):
                record(url, result, now=timezone.now())
                counts[labels[result.status]] += 1
                if options["verbosity"] >= 2:
                    self.stdout.write(f"{labels[result.status]}: {url} {result.detail} {result.redirect_to}".rstrip())
        return counts
