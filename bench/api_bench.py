"""Latency of the content API against the benchmark database, in-process.

    BENCH_SIZE=medium .venv/bin/python bench/api_bench.py

Builds or reuses BENCH_DB at BENCH_SIZE exactly as bench/run.py does, then asks
the API, through Django's test client (no server or network in the figures), for:
a page of 50 stories (the first, and one 40 pages deep by cursor), a page of 50
changes since a year ago (the first, and one 40 pages deep), a search, and one
story with its related list. Prints queries per request and p50/p99 latency over
BENCH_REQUESTS requests each (default 200), after a warm-up.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402  (bench/run.py: sizes, the database and Django's settings for it)

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
WARM_UP = 10
DEPTH = 40


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    run.ensure_tools = lambda: None
    run.ensure_database()
    os.environ["API_RATE_ANONYMOUS"] = "100000000/s"
    run.django_setup()

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from newsroom.models import Story

    client = Client()

    def deep(url: str) -> str:
        """The address of the page DEPTH pages after ``url``, found by following the cursors."""
        for _ in range(DEPTH):
            following = client.get(url).json()["next"]
            if following is None:
                break
            url = following.removeprefix("http://testserver")
        return url

    year_ago = (timezone.now() - timedelta(days=365)).isoformat().replace("+00:00", "Z")
    first = "/api/v1/stories?limit=50"
    since = f"/api/v1/stories?limit=50&updated_since={year_ago}"
    story = Story.objects.published().order_by("-tagged_items__tag_id", "-pk").values_list("pk", flat=True)[:1][0]
    cases = [
        ("page of 50 stories", first),
        (f"page of 50 stories, {DEPTH} pages deep", deep(first)),
        ("updated_since a year ago, page of 50", since),
        (f"updated_since a year ago, {DEPTH} pages deep", deep(since)),
        ("search 'election', page of 50", "/api/v1/stories?limit=50&q=election"),
        ("one story with related", f"/api/v1/stories/{story}"),
    ]
    print(f"content API on {run.DB} ({run.SIZE}, {Story.objects.count()} stories), {REQUESTS} requests each")
    # The application's own CPU time is shown too: on a shared machine wall-clock latency mostly measures the others.
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| request | queries | p50 ms | p99 ms | app CPU p50 ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, url in cases:
        counted: list[str] = []

        def count(execute, sql, params, many, context, counted=counted):
            counted.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        for _ in range(WARM_UP):
            client.get(url)
        timings, cpu = [], []
        for _ in range(REQUESTS):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        print(
            f"| {label} | {len(counted)} | {statistics.median(timings):.1f} | {percentile(timings, 0.99):.1f} "
            f"| {statistics.median(cpu):.1f} |",
            flush=True,
        )
    shutil.rmtree(run.WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
