"""Breaking news: readers at saturation through Varnish while the desk publishes, corrects and moderates.

Starts the loopback cluster (deploy/cluster/cluster.py), fills it with `manage.py bench_data` (BENCH_SIZE:
tiny, small, medium or full, the last two as in `make bench`), then runs the same load twice, once with
site-wide invalidation (every change purges every page: PURGE_SCOPE=site) and once with keyed invalidation
(a change purges the keys it touches). At full size, CLUSTER_SHARED_BUFFERS gives the cluster's two
PostgreSQL servers more than the tests' 64MB.

- readers: wrk at saturation through Varnish, each request a page drawn from a Zipf law (exponent 1) over
  the front page, day pages, story pages, context pages and section pages, newest and busiest first;
- an editor publishes a story or adds a correction every 5 s, and a moderator approves a comment every 2 s.

Reported side by side: Varnish's hit ratio, reader p50/p99, freshness (from the commit until every page
showing the change serves it, through Varnish and from each application server directly) and database
transactions per second on the primary and the replica (Django runs in autocommit, so one query is one
transaction). The table is printed and saved as /tmp/dateline-breaking-news.md.

    .venv/bin/python bench/breaking_news.py            # BENCH_SIZE=small, BENCH_SECONDS=30 per run
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy" / "cluster"))
import cluster  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "30"))
SIZE = os.environ.get("BENCH_SIZE", "small")
SIZES = {
    "tiny": ["--articles", "200", "--events", "1000", "--tags", "60", "--comments", "2000"],
    "small": ["--small"],
    # The sizes of `make bench` (bench/run.py): a million events and 200,000 articles at full size.
    "medium": ["--articles", "20000", "--events", "100000", "--tags", "5000", "--comments", "200000"],
    "full": ["--articles", "200000", "--events", "1000000", "--tags", "50000", "--comments", "2000000"],
}
EDIT_EVERY = 5.0
APPROVE_EVERY = 2.0
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
SAMPLES = 20_000
WORK = Path("/tmp/dateline-breaking-news")


def log(message: str) -> None:
    print(f"breaking-news: {message}", flush=True)


# Pages and their popularity ------------------------------------------------------------------------------


def reader_paths(primary: str) -> list[str]:
    """Addresses ranked newest and busiest first, interleaved by kind, then drawn by a Zipf law."""
    import psycopg

    with psycopg.connect(primary) as db:
        stories = [
            f"/news/{day:%Y/%m/%d}/{slug}/"
            for day, slug in db.execute(
                "SELECT date, slug FROM newsroom_story WHERE status = 'published' ORDER BY publish_at DESC LIMIT 600"
            )
        ]
        days = [
            f"/news/{day:%Y/%m/%d}/"
            for (day,) in db.execute(
                "SELECT DISTINCT date FROM newsroom_story WHERE status = 'published' ORDER BY date DESC LIMIT 150"
            )
        ]
        contexts = [
            f"/tags/{slug}/"
            for (slug,) in db.execute(
                "SELECT t.slug FROM taggit_tag t JOIN newsroom_taggedstory ts ON ts.tag_id = t.id "
                "GROUP BY t.slug ORDER BY COUNT(*) DESC LIMIT 150"
            )
        ]
        sections = [f"/sections/{path}/" for (path,) in db.execute("SELECT path FROM newsroom_section ORDER BY id")]
    ranked = ["/", "/news/"]
    for group in zip_longest_all(stories, days, contexts, sections):
        ranked.extend(group)
    weights = [1 / (rank + 1) for rank in range(len(ranked))]
    chooser = random.Random(1)
    return chooser.choices(ranked, weights=weights, k=SAMPLES)


def zip_longest_all(*lists):
    for index in range(max(len(items) for items in lists)):
        yield [items[index] for items in lists if index < len(items)]


def wrk_script(paths: list[str]) -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    script = WORK / "zipf.lua"
    listed = ",\n".join(json.dumps(path) for path in paths)
    script.write_text(
        f"paths = {{\n{listed}\n}}\n"
        "counter = 0\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        '  return wrk.format("GET", paths[math.random(#paths)])\n'
        "end\n"
    )
    return script


# Measures ------------------------------------------------------------------------------------------------


def varnish_counters() -> dict[str, int]:
    answer = subprocess.run(
        ["varnishstat", "-n", str(cluster.STATE / "varnish"), "-1", "-j"], capture_output=True, text=True, check=True
    )
    data = json.loads(answer.stdout)
    counters = data.get("counters", data)
    names = ("MAIN.cache_hit", "MAIN.cache_miss", "MAIN.s_pass", "MAIN.cache_hitmiss", "MAIN.client_req")
    return {name: counters.get(name, {}).get("value", 0) for name in names}


def transactions(url: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        return db.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()").fetchone()[0]


def run_wrk(script: Path) -> dict:
    # wrk runs at a lower priority: on a small machine it would otherwise take the cores from the desk and the
    # application servers, and the run would measure the scheduler rather than the caching.
    answer = subprocess.run(
        [
            "nice",
            "-n",
            "10",
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{SECONDS}s",
            "--latency",
            "-s",
            str(script),
            cluster.addresses()["varnish"],
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    text = answer.stdout

    def latency(label: str) -> float:
        found = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", text, flags=re.M)
        value, unit = float(found.group(1)), found.group(2)
        return value * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    requests = int(re.search(r"(\d+) requests in", text).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {
        "requests": requests,
        "rps": requests / SECONDS,
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": int(bad.group(1)) if bad else 0,
    }


# The desk ------------------------------------------------------------------------------------------------


def desk() -> None:
    """Run in the cluster's environment: an editor every 5 s and a moderator every 2 s, for SECONDS."""
    sys.path.insert(0, str(ROOT))
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from taggit.models import Tag

    from newsroom.comments.models import Comment
    from newsroom.comments.services import approve
    from newsroom.models import Article, Section, Story
    from newsroom.querysets import Status
    from newsroom.services import add_correction

    user, _ = get_user_model().objects.get_or_create(username="bench-desk", defaults={"is_superuser": True})
    bases = [cluster.addresses()[name] for name in ("varnish", "app_a", "app_b")]
    stop_at = time.monotonic() + SECONDS
    freshness: list[float] = []
    edits: list[dict] = []
    approved = 0
    popular = list(Story.objects.published().order_by("-publish_at").values_list("pk", flat=True)[:50])
    context = Tag.objects.order_by("pk").first()
    section = Section.objects.order_by("pk").first()

    def seen_everywhere(paths: list[str], marker: str, started: float) -> tuple[float, str, int, float]:
        """Seconds until every address shows ``marker`` on every base (each polled by its own thread), the
        address that took longest, how many answers it gave without the marker first (a page kept too long)
        and how long its slowest answer took (a page rendered slowly)."""
        times: list[tuple[float, str, int, float]] = []

        def poll(url: str) -> None:
            stale, slowest = 0, 0.0
            while time.monotonic() - started < 30:
                asked = time.monotonic()
                try:
                    with urllib.request.urlopen(url, timeout=10) as answer:
                        text = answer.read().decode("utf-8", "replace")
                        slowest = max(slowest, time.monotonic() - asked)
                        if marker in text:
                            times.append((time.monotonic() - started, url, stale, slowest))
                            return
                        stale += 1
                except OSError:
                    pass
                time.sleep(0.02)
            print(f"breaking-news: {url} did not show {marker!r} within 30 s", file=sys.stderr, flush=True)
            times.append((math.inf, url, stale, slowest))

        pollers = [threading.Thread(target=poll, args=(base + path,)) for base in bases for path in paths]
        for poller in pollers:
            poller.start()
        for poller in pollers:
            poller.join()
        return max(times)

    def moderator():
        nonlocal approved
        while time.monotonic() < stop_at:
            waiting = Comment.objects.filter(status="pending", story_id__in=popular).order_by("pk").first()
            if waiting is None:
                story = Story.objects.get(pk=random.choice(popular))
                waiting = Comment.objects.create(
                    story=story, name="Reader", body=f"A reader's view {uuid.uuid4().hex[:6]}"
                )
            approved += approve(comments=[waiting.pk], moderator=user)
            time.sleep(APPROVE_EVERY)

    helper = threading.Thread(target=moderator, daemon=True)
    helper.start()
    turn = 0
    while time.monotonic() < stop_at:
        began = time.monotonic()
        marker = f"Desk {uuid.uuid4().hex[:10]}"
        if turn % 2 == 0:
            story = Article.objects.create(
                headline=f"{marker} breaking", slug=f"breaking-{uuid.uuid4().hex[:10]}", standfirst="Breaking.",
                body="<p>Developing story.</p>", section=section, status=Status.PUBLISHED,
                publish_at=django.utils.timezone.now(), comments="closed",
            )  # fmt: skip
            story.tags.add(context)
            popular.insert(0, story.pk)
            paths = ["/", "/news/", f"/news/{story.date:%Y/%m/%d}/", f"/tags/{context.slug}/"]
        else:
            story = Story.objects.get(pk=random.choice(popular[:10]))
            add_correction(story=story, note=f"{marker}: a figure was wrong.", by=None)
            paths = [story.get_absolute_url()]
        started = time.monotonic()
        seconds, slowest, stale, answer = seen_everywhere(paths, marker, started)
        freshness.append(seconds)
        edit = "new story" if turn % 2 == 0 else "correction"
        edits.append({"edit": edit, "seconds": seconds, "slowest": slowest, "stale": stale, "answer": answer})
        turn += 1
        time.sleep(max(0.0, EDIT_EVERY - (time.monotonic() - began)))
    helper.join(APPROVE_EVERY + 5)
    print(json.dumps({"freshness": freshness, "edits": turn, "approved": approved, "each": edits}))


# The runs ------------------------------------------------------------------------------------------------


def restart_apps(scope: str) -> None:
    for name in ("app_a", "app_b"):
        cluster.kill_pidfile(cluster.STATE / f"{name}.pid")
    os.environ["PURGE_SCOPE"] = scope
    for name in ("app_a", "app_b"):
        cluster.start_app(name)
    for name in ("app_a", "app_b"):
        cluster.wait_for(lambda name=name: cluster.answers(cluster.addresses()[name] + "/robots.txt"), name)
    # A clean start for both runs: nothing kept in Varnish or in the shared cache.
    request = urllib.request.Request(
        cluster.addresses()["varnish"] + "/", method="PURGE", headers={"xkey-purge": "site"}
    )
    urllib.request.urlopen(request, timeout=5).read()
    subprocess.run(["redis-cli", "-p", str(cluster.PORTS["redis"]), "FLUSHALL"], check=True, capture_output=True)


def warm(paths: list[str]) -> None:
    """Request every address once through Varnish, so both runs start from a full cache."""
    from concurrent.futures import ThreadPoolExecutor

    base = cluster.addresses()["varnish"]
    # Varnish takes restarted servers back only after their health checks pass: until then it answers 503,
    # and a warm-up that ignored that would leave the cache empty for the run.
    cluster.wait_for(
        lambda: cluster.answers(f"{base}/robots.txt?warm={time.monotonic()}"), "Varnish's backends", seconds=60
    )

    def fetch(path: str) -> bool:
        for _ in range(5):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(base + path, timeout=60).read()
                return True
            time.sleep(0.5)
        return False

    addresses = sorted(set(paths))
    with ThreadPoolExecutor(8) as pool:
        failed = [path for path, ok in zip(addresses, pool.map(fetch, addresses), strict=True) if not ok]
    if failed:
        raise SystemExit(f"breaking-news: {len(failed)} addresses did not answer the warm-up, e.g. {failed[:3]}")


def one_run(scope: str, script: Path, paths: list[str]) -> dict:
    log(f"{scope}: warming {len(set(paths))} addresses")
    restart_apps(scope)
    warm(paths)
    log(f"{scope}: readers and desk for {SECONDS} s")
    info = cluster.addresses()
    env = {**os.environ, **info["env"], "PURGE_SCOPE": scope, "BENCH_SECONDS": str(SECONDS)}
    before = varnish_counters(), transactions(info["primary"]), transactions(info["replica"])
    desk_log = open(WORK / f"desk-{scope}.log", "w")  # noqa: SIM115
    desk_process = subprocess.Popen(
        [sys.executable, __file__, "--desk"], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=desk_log, text=True
    )
    load = run_wrk(script)
    out, _ = desk_process.communicate(timeout=SECONDS + 60)
    desk_log.close()
    if desk_process.returncode != 0 or not out.strip():
        raise SystemExit(f"breaking-news: the desk failed; see {WORK}/desk-{scope}.log")
    after = varnish_counters(), transactions(info["primary"]), transactions(info["replica"])
    desk_result = json.loads(out.strip().splitlines()[-1])
    counts = {name: after[0][name] - before[0][name] for name in after[0]}
    looked_up = counts["MAIN.cache_hit"] + counts["MAIN.cache_miss"] + counts["MAIN.s_pass"]
    # A page Varnish may not keep (one that sets a cookie or is marked private) is remembered as such and
    # handed on each time.
    handed_on = counts["MAIN.cache_hitmiss"] + counts["MAIN.s_pass"]
    fresh = [f for f in desk_result["freshness"] if math.isfinite(f)]
    return {
        "scope": scope,
        **load,
        "hit_ratio": counts["MAIN.cache_hit"] / max(1, looked_up),
        "passed": handed_on / max(1, looked_up),
        "fresh_p50": statistics.median(fresh) if fresh else math.inf,
        "fresh_max": max(fresh) if fresh else math.inf,
        "never_fresh": len(desk_result["freshness"]) - len(fresh),
        "edits": desk_result["edits"],
        "each": desk_result["each"],
        "approved": desk_result["approved"],
        "primary_tps": (after[1] - before[1]) / SECONDS,
        "replica_tps": (after[2] - before[2]) / SECONDS,
    }


def report(runs: list[dict]) -> str:
    rows = [
        ("Varnish hit ratio (hits / all lookups)", lambda r: f"{r['hit_ratio'] * 100:.1f}%"),
        ("of which handed to the application uncached (pages with a form)", lambda r: f"{r['passed'] * 100:.1f}%"),
        ("reader requests/s", lambda r: f"{r['rps']:.0f}"),
        ("reader answers that were not 2xx/3xx", lambda r: f"{r['errors']}"),
        ("reader p50", lambda r: f"{r['p50']:.2f} ms"),
        ("reader p99", lambda r: f"{r['p99']:.2f} ms"),
        ("freshness p50 (Varnish, A and B)", lambda r: f"{r['fresh_p50'] * 1000:.0f} ms"),
        ("freshness worst", lambda r: f"{r['fresh_max'] * 1000:.0f} ms"),
        ("edits / comments approved", lambda r: f"{r['edits']} / {r['approved']}"),
        ("primary transactions/s", lambda r: f"{r['primary_tps']:.0f}"),
        ("replica transactions/s", lambda r: f"{r['replica_tps']:.0f}"),
    ]
    lines = [
        f"Breaking news, BENCH_SIZE={SIZE}, {SECONDS} s per run, wrk -c{CONNECTIONS} through Varnish, "
        f"{os.cpu_count()} cores shared by everything",
        "",
        "| | " + " | ".join(f"{r['scope']}-wide" if r["scope"] == "site" else "keyed" for r in runs) + " |",
        "| --- | " + " | ".join("---" for _ in runs) + " |",
    ]
    lines += [f"| {label} | " + " | ".join(show(r) for r in runs) + " |" for label, show in rows]
    lines.append("")
    for run in runs:
        each = ", ".join(
            f"{edit['edit']} {edit['seconds'] * 1000:.0f} ms ({urlsplit(edit['slowest']).port} "
            f"{urlsplit(edit['slowest']).path}: {edit.get('stale', 0)} stale answers, "
            f"slowest answer {edit.get('answer', 0) * 1000:.0f} ms)"
            for edit in run["each"]
        )
        lines.append(
            f"- {run['scope']}: each edit, and the slowest address (port, path) to show it, with the answers it "
            f"gave without the edit first and its slowest answer: {each}"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    if "--desk" in sys.argv:
        desk()
        return
    if SIZE not in SIZES:
        raise SystemExit(f"breaking-news: BENCH_SIZE is one of {', '.join(SIZES)}, not {SIZE!r}")
    info = cluster.start()
    try:
        log(f"filling the cluster: bench_data {' '.join(SIZES[SIZE])}")
        subprocess.run(
            [str(cluster.VENV_BIN / "python"), str(ROOT / "manage.py"), "bench_data", *SIZES[SIZE]],
            env={**os.environ, **info["env"]},
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        paths = reader_paths(info["primary"])
        script = wrk_script(paths)
        runs = [one_run(scope, script, paths) for scope in ("site", "keys")]
    finally:
        cluster.stop()
    table = report(runs)
    (Path("/tmp") / "dateline-breaking-news.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
