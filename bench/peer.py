"""Dateline side by side with a plain Wagtail 7.0 site holding the same archive: `BENCH_MODE=peer make bench`.

1. Copies the Wagtail site (PEER_DIR, default ../shared/peer/wagtail beside the repository) to a
   writable folder (PEER_WORK), runs its `setup.sh --reset` and its bulk generator: 10,000 events
   over 1,000 days, 2,000 contexts.
2. Builds Dateline's database (BENCH_DB, default dateline_peer) with bench_data at the same size:
   10,000 events spread evenly over 1,000 days, 2,000 contexts, no articles or comments.
3. Serves both the same way, gunicorn 2 workers x 4 gthread threads: Wagtail, Dateline with its
   page cache off (PAGE_CACHE=0: every page rendered, no counts kept), and Dateline with it on. Each
   gunicorn starts in its site's folder, with the site's own release and settings: the peer's pinned
   23.0 with its one shared listening socket, Dateline's with gunicorn.conf.py (a socket per worker).
   A fourth column puts Varnish with Dateline's own VCL (deploy/varnish/dateline.vcl, xkey) in front of
   the cached server, as in the multi-machine layout (README, "Running on several machines"); it is
   skipped with a note when varnishd or the xkey module is missing (PEER_VARNISH=0 skips it too).
4. For each comparable page (a day with the median number of events, a "China" event with a full
   Related list, the /news/ index), wrk -t2 -c16 after a warm-up (PEER_SPLITS runs, fresh connections
   each, see ``measure``), the three servers one after the other, page by page, for PEER_ROUNDS rounds
   (default 3); prints the medians and the ratios.

Only 127.0.0.1 is targeted; every run is bounded by PEER_SECONDS.
"""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402

ROOT = run.ROOT
PEER_PORT = int(os.environ.get("PEER_PORT", "8801"))
CACHED_PORT = run.PORT + 3
VARNISH_PORT = run.PORT + 4
ROUNDS = int(os.environ.get("PEER_ROUNDS", "3"))
SECONDS = float(os.environ.get("PEER_SECONDS", "10"))
SPLITS = max(1, int(os.environ.get("PEER_SPLITS", "4")))
WARMUP = float(os.environ.get("PEER_WARMUP", "2"))
PEER_WORK = Path(os.environ.get("PEER_WORK", str(Path(tempfile.gettempdir()) / "dateline-peer-wagtail")))
PEER_SIZE = ["--events", "10000", "--days", "1000", "--tags", "2000", "--mode", "bulk"]
GOALS = {"uncached": 5, "cached": 50, "varnish": 50}
LABELS = {"uncached": "page cache off", "cached": "page cache on", "varnish": "behind Varnish"}


def peer_source() -> Path:
    """PEER_DIR, else ../shared/peer/wagtail beside this checkout or beside the main checkout of a worktree."""
    if os.environ.get("PEER_DIR"):
        return Path(os.environ["PEER_DIR"]).resolve()
    candidates = [ROOT.parent / "shared" / "peer" / "wagtail"]
    common = subprocess.run(
        ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    if common:
        candidates.append(Path(common).parent.parent / "shared" / "peer" / "wagtail")
    for candidate in candidates:
        if (candidate / "setup.sh").exists():
            return candidate
    sys.exit(f"bench: no Wagtail peer at {candidates[0]}; set PEER_DIR to its folder")


def build_peer() -> dict[str, str]:
    """The Wagtail site copied, set up and filled; returns what its bench_targets.py picks."""
    source = peer_source()
    run.log(f"Wagtail peer from {source} into {PEER_WORK}")
    shutil.copytree(
        source, PEER_WORK, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".venv", "__pycache__", "*.log", "static")
    )
    for path in [PEER_WORK, *PEER_WORK.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o200)
    subprocess.run(["bash", "setup.sh", "--reset"], cwd=PEER_WORK, check=True)
    started = time.monotonic()
    subprocess.run([str(PEER_WORK / ".venv" / "bin" / "python"), "manage.py", "generate", *PEER_SIZE], cwd=PEER_WORK,
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    run.log(f"Wagtail archive generated in {time.monotonic() - started:.0f} s")
    output = subprocess.run(
        [str(PEER_WORK / ".venv" / "bin" / "python"), "bench_targets.py"],
        cwd=PEER_WORK,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(line.split("=", 1) for line in output.splitlines() if "=" in line)


def dateline_pages() -> dict[str, str]:
    """Dateline's counterparts of the peer's pages, chosen by the same rules."""
    from django.db.models import Count

    from bench.pages import story_url
    from newsroom.models import Story

    events = Story.objects.published().filter(kind="event")
    per_day = list(events.values("date").annotate(n=Count("pk")).values_list("date", "n"))
    median = int(statistics.median(n for _, n in per_day))
    day = max(date for date, n in per_day if n == median)
    event = (
        events.filter(tagged_items__tag__slug="china").annotate(n=Count("tagged_items")).order_by("-n", "-date").first()
    )
    return {
        "day": f"/news/{day:%Y/%m/%d}/",
        "day_events": str(median),
        "event": story_url(event),
        "event_tags": str(event.tags.count()),
        "index": "/news/",
    }


def gunicorn(command: list[str], cwd: Path, env: dict, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [*command, "--bind", f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "gthread", "--threads", "4",
         "--log-level", "warning"],
        cwd=cwd, env=env, start_new_session=True,
    )  # fmt: skip
    run.wait_for(f"http://127.0.0.1:{port}/news/", seconds=60)
    return process


def varnish(backend_port: int, port: int) -> subprocess.Popen | None:
    """varnishd in the foreground with Dateline's VCL and one backend, or None when it is not installed."""
    binary = shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin")
    vmods = [
        *Path("/usr/lib").glob("*/varnish/vmods/libvmod_xkey.so"),
        *Path("/usr/lib/varnish").glob("vmods/libvmod_xkey.so"),
    ]
    if os.environ.get("PEER_VARNISH", "1") == "0" or not binary or not vmods:
        run.log("Varnish column skipped (needs Debian's varnish and varnish-modules)")
        return None
    folder = run.WORK / "vcl"
    folder.mkdir(exist_ok=True)
    probe = (ROOT / "deploy" / "varnish" / "backends.vcl").read_text().split("backend app1")[0]
    (folder / "backends.vcl").write_text(
        f'{probe}backend app1 {{\n    .host = "127.0.0.1";\n    .port = "{backend_port}";\n'
        "    .probe = dateline_alive;\n}\n\n"
        "sub vcl_init {\n    new apps = directors.round_robin();\n    apps.add_backend(app1);\n}\n"
    )
    shutil.copy(ROOT / "deploy" / "varnish" / "dateline.vcl", folder / "dateline.vcl")
    folder.chmod(0o755)
    process = subprocess.Popen(
        [binary, "-F", "-a", f"127.0.0.1:{port}", "-n", str(run.WORK / "varnish"), "-p", f"vcl_path={folder}",
         "-f", "dateline.vcl", "-s", "malloc,128m", "-T", "none"],
        start_new_session=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    run.wait_for(f"http://127.0.0.1:{port}/news/", seconds=60)
    return process


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def cpu_ticks(session: int | None) -> tuple[int, int]:
    """CPU time (clock ticks, user + system) used so far by one server's session, and by PostgreSQL and Redis.

    Redis serves only Dateline's page cache here (Wagtail keeps no cache), so its time is Dateline's.
    """
    server = database = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name, fields = stat.split("(", 1)[1].rsplit(")", 1)
        fields = fields.split()
        used = int(fields[11]) + int(fields[12])
        if session is not None and int(fields[3]) == session:
            server += used
        elif name.startswith(("postgres", "redis-server")):
            database += used
    return server, database


def measure(url: str, session: int | None = None) -> dict:
    """wrk's requests/s and latency for one address; with the server's session id, also its CPU time per request.

    Requests/s on a shared 2-core machine swing by 2x between runs of the same code; the CPU time each
    request costs the server and PostgreSQL barely moves, so the report gives both.

    The timed part is PEER_SPLITS runs of wrk one after the other (SECONDS in all), each opening its own 16
    connections. Where gunicorn's two workers share one listening socket (the peer's), they share the
    connections of a run by chance, and a worker holding most of them is held to one core by its
    interpreter lock: one long run measured one such split. Several runs average over several splits.
    Dateline's workers each listen on a socket of their own (gunicorn.conf.py), which the kernel shares
    the connections among. Requests/s is every run's requests over their time, p50 the median of the runs'
    and p99 the highest.
    """
    subprocess.run(["wrk", "-t2", "-c16", f"-d{max(1, int(WARMUP))}s", url], capture_output=True, check=False)
    seconds = max(1, round(SECONDS / SPLITS))
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "--timeout", "10s", url]
    before = cpu_ticks(session)
    outputs = [
        subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout for _ in range(SPLITS)
    ]
    after = cpu_ticks(session)
    runs = [run.parse_wrk(output) for output in outputs]
    requests = sum(found["requests"] for found in runs)
    elapsed = sum(found["seconds"] for found in runs)
    result = {
        "rps": requests / elapsed if elapsed else 0.0,
        "p50": statistics.median(found["p50"] for found in runs),
        "p99": max(found["p99"] for found in runs),
        "errors": sum(found["errors"] for found in runs),
    }
    if session is not None and requests:
        per_request = 1000 / os.sysconf("SC_CLK_TCK") / requests
        result["cpu_app"] = (after[0] - before[0]) * per_request
        result["cpu_db"] = (after[1] - before[1]) * per_request
    return result


def main() -> None:
    # The bench's database and size, set here rather than from BENCH_SIZE: the peer's size is the point.
    run.SIZE = "peer"
    run.DB = os.environ.get("BENCH_DB", "dateline_peer")
    run.SERVER_ENV["DATABASE_URL"] = f"{run.PG}/{run.DB}"
    run.ensure_tools()
    targets = build_peer()
    run.ensure_database()
    run.manage("collectstatic", "--noinput", "-v0")
    run.django_setup()
    ours = dateline_pages()
    pages = [
        ("day", targets["DAY_URL"], ours["day"], f"{targets['DAY_EVENTS']} / {ours['day_events']} events"),
        ("event + Related", targets["EVENT_URL"], ours["event"],
         f"{targets['EVENT_TAGS']} / {ours['event_tags']} contexts"),
        ("/news/ index", targets["INDEX_URL"], ours["index"], "latest"),
    ]  # fmt: skip
    env = {**os.environ, **run.SERVER_ENV}
    dateline_gunicorn = [str(ROOT / ".venv" / "bin" / "gunicorn"), "newsroom.wsgi:application"]
    servers = {
        "wagtail": gunicorn(
            [str(PEER_WORK / ".venv" / "bin" / "gunicorn"), "peer.wsgi:application"],
            PEER_WORK,
            {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"},
            PEER_PORT,
        )
    }
    results: dict[tuple[str, str], list[dict]] = {}
    try:
        servers["uncached"] = gunicorn(dateline_gunicorn, ROOT, {**env, "PAGE_CACHE": "0"}, run.PORT)
        servers["cached"] = gunicorn(
            dateline_gunicorn, ROOT, {**env, "PAGE_CACHE": "1", "PAGE_CACHE_SERVE": "1"}, CACHED_PORT
        )
        ports = {"wagtail": PEER_PORT, "uncached": run.PORT, "cached": CACHED_PORT}
        front = varnish(CACHED_PORT, VARNISH_PORT)
        if front is not None:
            servers["varnish"] = front
            ports["varnish"] = VARNISH_PORT
        for number in range(1, ROUNDS + 1):
            run.log(f"round {number} of {ROUNDS}")
            for label, theirs, mine, _note in pages:
                for name, port in ports.items():
                    url = f"http://127.0.0.1:{port}{theirs if name == 'wagtail' else mine}"
                    # Behind Varnish the server's CPU is not the whole cost: only rendering servers are timed.
                    session = None if name == "varnish" else os.getsid(servers[name].pid)
                    result = measure(url, session)
                    results.setdefault((label, name), []).append(result)
                    cpu = (
                        f"  CPU/request {result['cpu_app']:.2f} + {result['cpu_db']:.2f} ms"
                        if "cpu_app" in result
                        else ""
                    )
                    print(
                        f"   {label:<16} {name:<9} {run.fmt(result['rps'])} rps  p50 {run.fmt(result['p50'])} ms"
                        f"  p99 {run.fmt(result['p99'])} ms  errors {result['errors']}{cpu}",
                        flush=True,
                    )
    finally:
        for process in servers.values():
            stop(process)
    report = render(pages, results)
    print(report)
    saved = Path(tempfile.gettempdir()) / "dateline-bench-peer.md"
    saved.write_text(report)
    run.log(f"table saved to {saved}")
    shutil.rmtree(run.WORK, ignore_errors=True)


def render(pages, results) -> str:
    def median(label, name, key):
        return statistics.median(r[key] for r in results[(label, name)])

    def spread(label, name):
        values = [r["rps"] for r in results[(label, name)]]
        return f"{run.fmt(min(values), 0)}-{run.fmt(max(values), 0)}"

    ours_names = [name for name in LABELS if any(key[1] == name for key in results)]
    header = "".join(f"| Dateline, {LABELS[name]}: rps | p99 | x Wagtail " for name in ours_names)
    lines = [
        f"## Dateline and Wagtail 7.0, 10,000 events over 1,000 days, {run.CORES} cores",
        "",
        f"Both served by gunicorn, 2 workers x 4 gthread threads, DEBUG off, PostgreSQL on the same machine; "
        "Wagtail with its pinned gunicorn 23.0, whose workers share one listening socket, Dateline with its own "
        "release and gunicorn.conf.py, a listening socket per worker. "
        f"wrk -t2 -c16, {WARMUP:.0f} s warm-up then {SECONDS:.0f} s in {SPLITS} runs with fresh connections, "
        "servers taken in turn page by page; "
        f"medians of {ROUNDS} rounds (range of requests/s in brackets). Page cache off: PAGE_CACHE=0 "
        "(every page rendered, no counts kept); page cache on: Dateline's own page cache; behind Varnish: "
        "deploy/varnish/dateline.vcl in front of the page-cache-on server.",
        "",
        "| page | Wagtail URL | Dateline URL | notes | Wagtail rps | Wagtail p99 " + header + "|",
        "|---|---|---|---|---:|---:|" + "---:|---:|---:|" * len(ours_names),
    ]
    verdicts = []
    for label, theirs, mine, note in pages:
        base = median(label, "wagtail", "rps")
        cells = [label, f"`{theirs}`", f"`{mine}`", note, f"{run.fmt(base)} ({spread(label, 'wagtail')})",
                 run.fmt(median(label, "wagtail", "p99"))]  # fmt: skip
        for name in ours_names:
            ours = median(label, name, "rps")
            ratio = ours / base if base else float("nan")
            cells += [f"{run.fmt(ours)} ({spread(label, name)})", run.fmt(median(label, name, "p99")), f"{ratio:.1f}x"]
            verdicts.append(
                f"- {label}, {LABELS[name]}: {ratio:.1f}x Wagtail (goal {GOALS[name]}x): "
                + ("met" if ratio >= GOALS[name] else "not met")
            )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join([*lines, "", *verdicts, *cpu_table(pages, results)]) + "\n"


def cpu_table(pages, results) -> list[str]:
    """CPU time per request, the server's and PostgreSQL's, where it was measured: the steadier comparison."""
    timed = [name for name in ("wagtail", "uncached", "cached") if all(
        "cpu_app" in result for label, *_ in pages for result in results.get((label, name), [{}])
    )]  # fmt: skip
    if "wagtail" not in timed or len(timed) < 2:
        return []

    def cost(label, name):
        rows = results[(label, name)]
        return statistics.median(r["cpu_app"] for r in rows), statistics.median(r["cpu_db"] for r in rows)

    ours = [name for name in timed if name != "wagtail"]
    lines = [
        "",
        "CPU time per request in milliseconds, server + PostgreSQL and Redis (medians; from /proc, over each wrk run). "
        "Wagtail's total over Dateline's is how many times as many requests Dateline answers per core.",
        "",
        "| page | Wagtail | " + " | ".join(f"Dateline, {LABELS[name]} | x Wagtail" for name in ours) + " |",
        "|---|---:|" + "---:|---:|" * len(ours),
    ]
    for label, *_ in pages:
        app, db = cost(label, "wagtail")
        cells = [label, f"{app:.2f} + {db:.2f}"]
        for name in ours:
            our_app, our_db = cost(label, name)
            total = our_app + our_db
            cells += [f"{our_app:.2f} + {our_db:.2f}", f"{(app + db) / total:.1f}x" if total else "-"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


if __name__ == "__main__":
    main()
