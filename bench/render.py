"""How long Dateline takes to render its main pages, in process: `.venv/bin/python bench/render.py`.

Every page goes through the whole Django handler (a WSGI call, with every middleware), with the page
cache off and DEBUG off, against the database in DATABASE_URL (a database filled by
`manage.py bench_data`; see bench/run.py SIZES): front, latest, day, event, article, context, the largest
section, the busiest author and the ten search shapes of `make bench`. After a warm-up, each page is rendered
RENDER_ROUNDS times (default 200); the table gives the queries one render runs and the median and
90th percentile of its CPU time (time.process_time) and wall time, in milliseconds.

Environment: DATABASE_URL (required), RENDER_ROUNDS, RENDER_WARMUP (default 20), RENDER_PAGES (a
regular expression on the row labels), RENDER_PROFILE=<label> (profile that one page with cProfile and
print the 40 costliest functions by cumulative time, instead of the table), CACHE_URL (default: local
memory), STATIC_ROOT (default: a folder in the temporary directory, filled by collectstatic once).
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("RENDER_ROUNDS", "200"))
WARMUP = int(os.environ.get("RENDER_WARMUP", "20"))
ONLY = os.environ.get("RENDER_PAGES", "")
PROFILE = os.environ.get("RENDER_PROFILE", "")


def django_setup() -> None:
    if not os.environ.get("DATABASE_URL"):
        sys.exit("bench/render.py: set DATABASE_URL to a database filled by `manage.py bench_data`")
    os.environ.update(
        {
            "DEBUG": "0",
            "PAGE_CACHE": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECURE_COOKIES": "0",
            "LOG_LEVEL": "ERROR",
        }
    )
    os.environ.setdefault("CACHE_URL", "")
    # DEBUG off serves static files from the manifest collectstatic writes.
    os.environ.setdefault("STATIC_ROOT", str(Path(tempfile.gettempdir()) / "dateline-render-static"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if not (Path(os.environ["STATIC_ROOT"]) / "staticfiles.json").exists():
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)


def pick_pages() -> list[tuple[str, str]]:
    """(label, path): the heavy case of each kind of page the bench database holds."""
    from django.db.models import Count
    from django.urls import reverse

    from bench import pages as bench_pages
    from newsroom.models import Story

    picks = bench_pages.pick()
    live = Story.objects.published()
    # An article showing everything an article can: a lead image, bylines and sources, the most of them.
    article = (
        live.filter(kind="article", article__lead_image__isnull=False)
        .annotate(lines=Count("article__bylines", distinct=True), cited=Count("sources", distinct=True))
        .order_by("-lines", "-cited", "-date")
        .first()
    ) or picks.article
    rows = [
        ("front", reverse("newsroom:home")),
        ("latest /news/", reverse("newsroom:latest")),
        ("day", reverse("newsroom:day", kwargs=bench_pages.day_kwargs(picks.day))),
        ("event (China, Related)", bench_pages.story_url(picks.event)),
        # The side-by-side database (bench/peer.py) holds events only.
        *([("article (image, bylines, sources)", bench_pages.story_url(article))] if article else []),
        ("context /tags/china/", reverse("newsroom:tag", args=[picks.tag])),
        *_list_pages(live),
        # One search per shape make bench measures: one to six common words, middling, rare, a phrase.
        *bench_pages.search_addresses(dataclasses.replace(picks, search=_search_queries())),
    ]
    return [row for row in rows if not ONLY or re.search(ONLY, row[0])]


def _search_queries() -> list[tuple[str, str]]:
    from bench.run import search_queries

    return search_queries()


def _list_pages(live) -> list[tuple[str, str]]:
    """The section holding the most stories, subsections included, and the author with the most bylines."""
    from django.db.models import Count

    from newsroom.models import Author, Section

    rows = []
    counts = dict(live.filter(kind="article").values_list("article__section").annotate(n=Count("pk")).order_by())
    sections = list(Section.objects.all())
    if sections:
        biggest = max(
            sections,
            key=lambda s: sum(n for pk, n in counts.items() if pk and _under(sections, pk, s.pk)),
        )
        rows.append(("section (largest)", biggest.get_absolute_url()))
        tree = [s.pk for s in sections if _under(sections, s.pk, biggest.pk)]
        middle = _middle_page(live.filter(article__section_id__in=tree))
        rows.append((f"section (largest) page {middle}", f"{biggest.get_absolute_url()}?page={middle}"))
    author = Author.objects.annotate(n=Count("bylines")).order_by("-n").first()
    if author is not None:
        rows.append(("author (most bylines)", author.get_absolute_url()))
        middle = _middle_page(live.filter(article__bylines__author=author))
        rows.append((f"author (most bylines) page {middle}", f"{author.get_absolute_url()}?page={middle}"))
    return rows


def _middle_page(stories) -> int:
    """The page in the middle of a list: the deepest an ``OFFSET`` walks (past it a list is read from its end)."""
    from newsroom.views import PAGE_SIZE

    return max(1, stories.count() // PAGE_SIZE // 2)


def _under(sections, pk: int, root: int) -> bool:
    parents = {section.pk: section.parent_id for section in sections}
    while pk is not None:
        if pk == root:
            return True
        pk = parents.get(pk)
    return False


def environ(address: str) -> dict:
    path, _, query = address.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT": "text/html",
        "HTTP_ACCEPT_ENCODING": "gzip",
        "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def render(application, path: str) -> tuple[str, int]:
    status = []

    def start_response(line, headers, exc_info=None):
        status.append(line)

    body = application(environ(path), start_response)
    size = sum(len(chunk) for chunk in body)
    if hasattr(body, "close"):
        body.close()
    return status[0], size


def measure(application, path: str) -> dict:
    from django.db import connection

    for _ in range(WARMUP):
        render(application, path)
    # Counted as they run: the handler empties connection.queries when each request starts.
    queries = []

    def timed(execute, sql, *args):
        started = time.perf_counter()
        try:
            return execute(sql, *args)
        finally:
            queries.append(((time.perf_counter() - started) * 1000, sql))

    with connection.execute_wrapper(timed):
        status, size = render(application, path)
    if os.environ.get("RENDER_SHOW_QUERIES"):
        print("\n".join(f"  {ms:7.2f} ms  {' '.join(sql.split())[:200]}" for ms, sql in queries))
    cpu, wall = [], []
    for _ in range(ROUNDS):
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        render(application, path)
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started_wall) * 1000)
    deciles = lambda values: statistics.quantiles(values, n=10)  # noqa: E731
    return {
        "status": status.split()[0],
        "bytes": size,
        "queries": len(queries),
        "cpu": (statistics.median(cpu), deciles(cpu)[8]),
        "wall": (statistics.median(wall), deciles(wall)[8]),
    }


def profile(application, path: str) -> None:
    for _ in range(WARMUP):
        render(application, path)
    try:
        from pyinstrument import Profiler
    except ImportError:
        Profiler = None
    if Profiler is not None:
        # A call tree of where the time goes; pyinstrument is in requirements-dev.txt.
        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(ROUNDS):
            render(application, path)
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
        return
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(ROUNDS):
        render(application, path)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main() -> None:
    django_setup()
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    pages = pick_pages()
    if PROFILE:
        label, path = next(page for page in pages if re.search(PROFILE, page[0]))
        print(f"profiling {label}: {path}", flush=True)
        profile(application, path)
        return
    print(f"{ROUNDS} renders per page after {WARMUP} to warm up; milliseconds", flush=True)
    columns = ("CPU p50", "CPU p90", "wall p50", "wall p90")
    header = f"{'page':36} {'status':>6} {'KB':>5} {'queries':>7} " + " ".join(f"{name:>8}" for name in columns)
    print(header)
    print("-" * len(header))
    for label, path in pages:
        row = measure(application, path)
        print(
            f"{label:36} {row['status']:>6} {row['bytes'] / 1024:5.1f} {row['queries']:7d} "
            f"{row['cpu'][0]:8.2f} {row['cpu'][1]:8.2f} {row['wall'][0]:8.2f} {row['wall'][1]:8.2f}",
            flush=True,
        )
    for label, path in pages:
        print(f"  {label}: {path}")


if __name__ == "__main__":
    main()
