"""Dateline under load, as in production: `make bench` (small) or `BENCH_SIZE=full make bench`.

1. Fills a separate PostgreSQL database (BENCH_DB, default dateline_bench) with
   `manage.py bench_data` unless it already holds the requested size.
2. Counts the queries each page costs, in-process, with a warm navigation cache.
3. Serves the site with granian (WSGI, threads), DEBUG off, WhiteNoise, and drives
   every page from separate processes: bench/pace.py at a fixed rate (p50/p99 from
   when each request was due) and wrk at saturation (requests per second per core).
4. Serves again with whole-page caching on, and has nginx serve the very same bytes
   as a static file, and prints the ratios side by side.

Only 127.0.0.1 is ever targeted; every load run is bounded in time and count.
Environment: BENCH_SIZE (small|full|medium), BENCH_DB, BENCH_SECONDS (per run, default 4),
BENCH_PACE_SECONDS (per fixed-rate run, default BENCH_SECONDS; at 10/s, 20 s gives p99 from 200 requests),
BENCH_RATE (fixed rate, default 10/s), BENCH_PORT (default 8765), CACHE_URL (default Redis
on 127.0.0.1:6379/2 when it answers, else local memory).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
GRANIAN = ROOT / ".venv" / "bin" / "granian"
SIZES = {
    "tiny": "--articles 300 --events 1500 --tags 100 --comments 2000 --years 5",
    "small": "--articles 2000 --events 10000 --tags 500 --comments 20000 --years 10",
    "medium": "--articles 20000 --events 100000 --tags 5000 --comments 200000",
    "full": "--articles 200000 --events 1000000 --tags 50000 --comments 2000000",
    # The Wagtail comparison's size (bench/peer.py): its events, days and contexts, nothing else.
    "peer": "--articles 0 --events 10000 --tags 2000 --comments 0 --days 1000 --flat",
}
SIZE = os.environ.get("BENCH_SIZE", "small")
DB = os.environ.get("BENCH_DB", "dateline_bench")
PG = "postgres://postgres@127.0.0.1:5432"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
NGINX_PORT = PORT + 1
FRONT_PORT = PORT + 2
SECONDS = float(os.environ.get("BENCH_SECONDS", "4"))
# A p99 from 40 requests is their worst one; longer fixed-rate runs make it a percentile again.
PACE_SECONDS = float(os.environ.get("BENCH_PACE_SECONDS", str(SECONDS)))
RATE = float(os.environ.get("BENCH_RATE", "10"))
# "" runs everything; "cold" only the cold reads. (`BENCH_MODE=peer make bench` runs bench/peer.py instead.)
MODE = os.environ.get("BENCH_MODE", "")
# A regular expression on the row labels, to run a few rows (e.g. "search"); the front and tag rows stay,
# since the summary's ratios are worked out from them.
ONLY = os.environ.get("BENCH_PAGES", "")
COLD_PAGES = int(os.environ.get("BENCH_COLD_PAGES", "1000"))
COLD_ROUNDS = int(os.environ.get("BENCH_COLD_ROUNDS", "3"))
CORES = os.cpu_count() or 1
WORK = Path(tempfile.mkdtemp(prefix="dateline-bench-"))
# nginx's workers run as an unprivileged user and must be able to read the saved page.
WORK.chmod(0o755)


def log(message: str) -> None:
    print(f"== {message}", flush=True)


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


CACHE_URL = os.environ.get("CACHE_URL") or ("redis://127.0.0.1:6379/2" if redis_answers() else "")
SERVER_ENV = {
    "DATABASE_URL": f"{PG}/{DB}",
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_COOKIES": "0",
    "STATIC_ROOT": str(WORK / "static"),
    "CACHE_URL": CACHE_URL,
    "CONN_MAX_AGE": "600",
    # The load comes from one address; the content API's per-address limit would answer it 429.
    "API_RATE_ANONYMOUS": "100000000/m",
    "LOG_LEVEL": "ERROR",
}


# Tools ------------------------------------------------------------------------


def ensure_tools() -> None:
    missing_apt = [pkg for cmd, pkg in (("wrk", "wrk"), ("nginx", "nginx-light")) if not find_binary(cmd)]
    if missing_apt and shutil.which("apt-get") and os.geteuid() == 0:
        log(f"installing {' '.join(missing_apt)}")
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing_apt], check=False, stdout=subprocess.DEVNULL)
    if not GRANIAN.exists():
        subprocess.run([str(PY), "-m", "pip", "install", "--quiet", "-r", str(ROOT / "requirements.txt")], check=False)
    missing = [name for name in ("wrk", "nginx", "pg_isready", "createdb") if not find_binary(name)]
    if not GRANIAN.exists():
        missing.append("granian (pip install -r requirements.txt)")
    if missing:
        sys.exit(
            "bench: missing " + ", ".join(missing) + " (Debian: apt-get install wrk nginx-light postgresql-client)"
        )
    if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]).returncode != 0:
        sys.exit("bench: PostgreSQL is not answering on 127.0.0.1:5432")


def find_binary(name: str) -> str | None:
    return shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/usr/local/sbin") / name) if p.exists()), None
    )


# Database ---------------------------------------------------------------------


def manage(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(PY), "manage.py", *args], cwd=ROOT, env={**os.environ, **SERVER_ENV, **(env or {})}, check=check
    )


def psql(sql: str, db: str = "postgres") -> str:
    result = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-tAc", sql], capture_output=True, text=True
    )
    return result.stdout.strip()


def ensure_database() -> None:
    wanted = f"bench_data {SIZES[SIZE]}"
    have = psql(f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{DB}'")
    if have == wanted:
        log(f"database {DB} already holds size {SIZE}")
        manage("migrate", "--noinput", "-v0")
        return
    log(f"building database {DB} at size {SIZE}")
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    manage("migrate", "--noinput", "-v0")
    started = time.monotonic()
    manage("bench_data", *SIZES[SIZE].split())
    log(f"generated in {time.monotonic() - started:.0f} s")
    psql(f"COMMENT ON DATABASE {DB} IS '{wanted}'")


# Pages and query counts (in-process, against the bench database) ---------------


def django_setup() -> None:
    os.environ.update(SERVER_ENV)
    os.environ["PAGE_CACHE"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def pick_pages() -> tuple[list[tuple[str, str, str]], str]:
    """(label, path, kind) for each benchmarked page, and the admin session cookie.

    The public rows come from bench/pages.py, one or more for every public URL pattern.
    """
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from bench import pages as bench_pages

    picks = bench_pages.pick(search_queries())
    pages = [(label, path, "public") for label, path, _key in bench_pages.addresses(picks)]

    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True, "email": "bench@example.org"}
    )
    user.is_staff = user.is_superuser = True
    user.set_password("bench-password")
    user.save()
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()

    pages += [
        ("admin articles", "/admin/newsroom/article/", "admin"),
        ("admin events", "/admin/events/event/", "admin"),
        ("admin comments", "/admin/comments/comment/", "admin"),
    ]
    if ONLY:
        pages = [page for page in pages if re.search(ONLY, page[0]) or page[0] == "front" or "tag page" in page[0]]
    return pages, f"sessionid={session.session_key}"


def search_queries() -> list[tuple[str, str]]:
    """(label, query) for the search rows: one to six common words, middling and rare words, a phrase.

    Drawn from the generator's own vocabulary (seed 1), so every word is in the data at its expected rate.
    """
    from newsroom.management.commands._text import vocabulary

    words = vocabulary(1)
    common = words.common(6)
    queries = [(f"{n} common word{'s' if n > 1 else ''}", " ".join(common[:n])) for n in range(1, 7)]
    queries += [
        ("middling word", words.middling(1)[0]),
        ("rare word", words.rare(1)[0]),
        ("common + rare", f"{common[0]} {words.rare(2)[1]}"),
        ("phrase", f'"{words.phrases[0]}"'),
    ]
    return queries


def count_queries(pages, cookie: str) -> dict[str, str]:
    """Queries per request: "steady/first", as in production with the site version kept.

    Steady: the page rendered again with nothing changed since (list counts, page
    anchors and long comment threads' counts kept, as on every render between two
    edits). First: the first render after an edit, with the site version moved on
    as the editor's save moves it, so everything kept under the version is worked
    out again; the most-read list (refreshed each minute) and the header's section
    list stay as they were.
    """
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from newsroom import surrogate

    settings.DATELINE_PAGE_CACHE, settings.DATELINE_PAGE_CACHE_SERVE = True, False
    anonymous, staff = Client(), Client()
    staff.cookies.load(cookie)
    counts = {}
    for label, path, kind in pages:
        client = staff if kind == "admin" else anonymous
        numbers = []
        for first in (False, True):
            client.get(path)
            if first:
                surrogate.move_versions_on([surrogate.SITE])
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            numbers.append(str(len(queries)) if response.status_code == 200 else f"HTTP {response.status_code}")
        counts[label] = "/".join(numbers)
    return counts


# Servers ----------------------------------------------------------------------


class Server:
    def __init__(self, page_cache: bool):
        # Both runs keep the site version, so list counts and page anchors stay cached as in production;
        # the dynamic run renders every page instead of replaying it.
        env = {**os.environ, **SERVER_ENV, "PAGE_CACHE": "1", "PAGE_CACHE_SERVE": "1" if page_cache else "0"}
        command = [
            str(GRANIAN), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(PORT),
            "--workers", str(CORES), "--blocking-threads", "4", "--no-access-log", "--log-level", "error",
            "newsroom.wsgi:application",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
        wait_for(f"http://127.0.0.1:{PORT}/robots.txt")

    def rss_mb(self) -> float:
        return tree_rss(self.process.pid) / 1024

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"bench: nothing answered at {url}")


def tree_rss(pid: int) -> int:
    """Resident memory in KiB of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        found = re.search(r"VmRSS:\s+(\d+)", status)
        total += int(found.group(1)) if found else 0
    return total


# Load -------------------------------------------------------------------------


def to_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(url: str, cookie: str = "", seconds: float = SECONDS, connections: int = 8) -> dict:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, int(seconds))}s", "--latency", "--timeout", "10s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30).stdout
    found = parse_wrk(output)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    return {"rps": float(rps.group(1)) if rps else 0.0, **{k: found[k] for k in ("p50", "p99", "errors")}}


def parse_wrk(output: str) -> dict:
    """One wrk run's requests, its duration in seconds, its p50 and p99 in milliseconds and its failed answers."""
    found = {name: re.search(pattern, output) for name, pattern in (
        ("p50", r"50%\s+([\d.]+\w+)"), ("p99", r"99%\s+([\d.]+\w+)"),
        ("bad", r"Non-2xx or 3xx responses: (\d+)"), ("done", r"(\d+) requests in ([\d.]+)(\w+)"),
    )}  # fmt: skip
    done = found["done"]
    return {
        "requests": int(done.group(1)) if done else 0,
        "seconds": to_ms(done.group(2) + done.group(3)) / 1000 if done else 0.0,
        "p50": to_ms(found["p50"].group(1)) if found["p50"] else float("nan"),
        "p99": to_ms(found["p99"].group(1)) if found["p99"] else float("nan"),
        "errors": int(found["bad"].group(1)) if found["bad"] else 0,
    }


def pace(url: str, rate: float, cookie: str = "") -> dict:
    command = [str(PY), str(ROOT / "bench" / "pace.py"), url, "--rate", str(rate), "--seconds", str(PACE_SECONDS)]
    if cookie:
        command += ["--cookie", cookie]
    try:
        output = subprocess.run(command, capture_output=True, text=True, timeout=PACE_SECONDS + 90).stdout
        return json.loads(output.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, ValueError, IndexError):
        return {"sent": 0, "errors": -1, "p50": float("nan"), "p99": float("nan"), "max": float("nan")}


def warm_up(url: str, cookie: str = "") -> float:
    """Milliseconds of one request made before a page's runs."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
    except OSError:
        return float("nan")
    return (time.monotonic() - started) * 1000


def saturate_public(pages, port: int) -> dict[str, dict]:
    """Each public page requested once (stored, or written as a page file), then wrk at saturation.

    "served" is the first answer's X-Page-Cache: hit, miss, or "file" when nginx answered from a page file.
    """
    results = {}
    for label, path, kind in pages:
        if kind != "public":
            continue
        url = f"http://127.0.0.1:{port}{path}"
        with urllib.request.urlopen(url) as response:
            response.read()
            served = response.headers.get("X-Page-Cache", "")
        results[label] = {**wrk(url), "served": served}
    return results


def rate_for(label: str) -> float:
    if label == "sitemap year":
        return max(1.0, RATE / 10)
    if label.startswith("admin"):
        return max(1.0, RATE / 4)
    return RATE


def plain_http_front(conf: str) -> str:
    """The production front without its TLS: no port-80 redirect server, no certificates.

    The benchmark measures serving, not the handshake, and has no certificate to offer.
    """
    redirect = re.search(r"server \{\n    listen 80;.*?\n\}\n\n", conf, flags=re.S)
    assert redirect, "deploy/nginx-dateline.conf no longer has its port-80 redirect server"
    conf = conf.replace(redirect.group(0), "")
    kept = [
        line for line in conf.splitlines() if not line.strip().startswith(("ssl_", "listen [::]:443", "server_name "))
    ]
    return "\n".join(kept) + "\n"


def run_nginx(body: bytes) -> subprocess.Popen:
    """nginx serving ``body`` as a static file, and the production front (page files, else the app)."""
    root = WORK / "nginx"
    (root / "www").mkdir(parents=True, exist_ok=True)
    (root / "www" / "index.html").write_bytes(body)
    for path in (root, root / "www", root / "www" / "index.html"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    front = plain_http_front((ROOT / "deploy" / "nginx-dateline.conf").read_text())
    for production, here in (
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{FRONT_PORT};"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{PORT};"),
    ):
        assert production in front, f"deploy/nginx-dateline.conf no longer has {production!r}"
        front = front.replace(production, here)
    (root / "front.conf").write_text(front)
    template = string.Template((ROOT / "bench" / "nginx.conf.template").read_text())
    config = root / "nginx.conf"
    config.write_text(template.substitute(root=root, port=NGINX_PORT, workers=CORES))
    process = subprocess.Popen(
        [find_binary("nginx"), "-c", str(config), "-p", str(root), "-g", "daemon off;"], start_new_session=True
    )
    wait_for(f"http://127.0.0.1:{NGINX_PORT}/index.html")
    return process


# Cold reads ---------------------------------------------------------------------


def cold_paths(rounds: int, count: int) -> list[list[str]]:
    """``rounds`` lists of ``count`` story addresses, no story in two lists, drawn across the whole archive."""
    from bench.pages import story_url
    from newsroom.models import Story

    ids = list(Story.objects.published().values_list("pk", flat=True))
    chosen = random.Random(11).sample(ids, min(len(ids), rounds * count))
    stories = {story.pk: story for story in Story.objects.filter(pk__in=chosen).only("date", "slug")}
    paths = [story_url(stories[pk]) for pk in chosen]
    return [paths[index * count : (index + 1) * count] for index in range(rounds)]


def run_cold() -> dict:
    """Each round: COLD_PAGES story pages nobody has asked for yet, each once, 8 connections, page cache on."""
    from newsroom import surrogate

    rounds = cold_paths(COLD_ROUNDS, COLD_PAGES)
    # Pages stored by earlier runs (the story rows' own) must not be replayed: a new site version leaves none.
    surrogate.move_versions_on([surrogate.SITE])
    log(f"cold reads: {COLD_ROUNDS} rounds of {COLD_PAGES} distinct story pages, each requested once")
    server = Server(page_cache=True)
    results = []
    try:
        warm_up(f"http://127.0.0.1:{PORT}/")
        for number, paths in enumerate(rounds, 1):
            listing = WORK / f"cold-{number}.txt"
            listing.write_text("\n".join(paths) + "\n")
            command = [str(PY), str(ROOT / "bench" / "cold.py"), f"http://127.0.0.1:{PORT}", str(listing)]
            output = subprocess.run(command, capture_output=True, text=True, timeout=1800).stdout
            result = json.loads(output.strip().splitlines()[-1])
            results.append(result)
            print(
                f"   round {number}: {result['requests']} pages in {result['seconds']} s, {fmt(result['rps'])} rps, "
                f"p50 {fmt(result['p50'])} ms, p99 {fmt(result['p99'])} ms, errors {result['errors']}, "
                f"served {result['served']}",
                flush=True,
            )
    finally:
        server.stop()
    return {
        "rounds": results,
        "rps": statistics.median(r["rps"] for r in results),
        "p50": statistics.median(r["p50"] for r in results),
        "p99": statistics.median(r["p99"] for r in results),
    }


def render_cold(cold: dict) -> str:
    lines = [
        f"### Cold reads: {COLD_PAGES} distinct story pages per round, each requested once (page cache on, "
        f"so every request is a miss), 8 keep-alive connections (bench/cold.py), {CORES} cores",
        "",
        "| round | pages | seconds | rps | rps/core | p50 ms | p99 ms | max ms | errors | X-Page-Cache |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for number, r in enumerate(cold["rounds"], 1):
        served = ", ".join(f"{k} {v}" for k, v in sorted(r["served"].items()))
        lines.append(
            f"| {number} | {r['requests']} | {r['seconds']} | {fmt(r['rps'])} | {fmt(r['rps'] / CORES)} | "
            f"{fmt(r['p50'])} | {fmt(r['p99'])} | {fmt(r['max'])} | {r['errors']} | {served} |"
        )
    lines += [
        "",
        f"Median of {len(cold['rounds'])} rounds: {fmt(cold['rps'] / CORES)} requests/s per core, "
        f"p50 {fmt(cold['p50'])} ms, p99 {fmt(cold['p99'])} ms.",
    ]
    return "\n".join(lines) + "\n"


# Report -----------------------------------------------------------------------


def fmt(value: float, digits: int = 1) -> str:
    return "—" if value != value else f"{value:,.{digits}f}"


def main() -> None:
    if SIZE not in SIZES:
        sys.exit(f"bench: BENCH_SIZE must be one of {', '.join(SIZES)}")
    ensure_tools()
    ensure_database()
    manage("collectstatic", "--noinput", "-v0")
    django_setup()
    if MODE == "cold":
        report = render_cold(run_cold())
        print(report)
        saved = Path(tempfile.gettempdir()) / f"dateline-bench-{SIZE}-cold.md"
        saved.write_text(report)
        log(f"table saved to {saved}")
        shutil.rmtree(WORK, ignore_errors=True)
        return
    pages, cookie = pick_pages()
    queries = count_queries(pages, cookie)
    rows: dict[str, dict] = {}

    log(
        f"dynamic pages (every page rendered), fixed rate {RATE:.0f}/s for {PACE_SECONDS:.0f} s, "
        f"then saturation for {SECONDS:.0f} s"
    )
    server = Server(page_cache=False)
    try:
        for label, path, kind in pages:
            url = f"http://127.0.0.1:{PORT}{path}"
            use = cookie if kind == "admin" else ""
            rate = rate_for(label)
            # One request first, as a reader before us would have made: the runs measure the steady state,
            # and what the first render after a change costs is the "first" query count and the note below.
            first_ms = warm_up(url, use)
            fixed = pace(url, rate, use)
            full = wrk(url, use)
            rows[label] = {
                "path": path,
                "queries": queries[label],
                "rate": rate,
                "fixed": fixed,
                "sat": full,
                "first_ms": first_ms,
            }
            print(
                f"   {label:<18} q={queries[label]:>5}  p50 {fmt(fixed['p50'])} ms  p99 {fmt(fixed['p99'])} ms"
                f"  sat {fmt(full['rps'])} rps  errors {fixed['errors'] + full['errors']}",
                flush=True,
            )
        dynamic_rss = server.rss_mb()
    finally:
        server.stop()

    log("the same pages from the page cache, straight from the application")
    server = Server(page_cache=True)
    try:
        cached = saturate_public(pages, PORT)
        front_bytes = urllib.request.urlopen(f"http://127.0.0.1:{PORT}/").read()
        cached_rss = server.rss_mb()

        log("through the nginx front (page files where written, else the application), and nginx static")
        nginx = run_nginx(front_bytes)
        try:
            fronted = saturate_public(pages, FRONT_PORT)
            static = wrk(f"http://127.0.0.1:{NGINX_PORT}/index.html")
        finally:
            os.killpg(nginx.pid, signal.SIGTERM)
            nginx.wait(10)
    finally:
        server.stop()

    report = render(pages, rows, cached, fronted, static, dynamic_rss, cached_rss, len(front_bytes))
    if not ONLY:
        report += "\n" + render_cold(run_cold())
    print(report)
    saved = Path(tempfile.gettempdir()) / f"dateline-bench-{SIZE}.md"
    saved.write_text(report)
    log(f"table saved to {saved}")
    shutil.rmtree(WORK, ignore_errors=True)


def render(pages, rows, cached, fronted, static, dynamic_rss, cached_rss, front_size) -> str:
    lines = [
        f"## Dateline bench: size {SIZE} ({SIZES[SIZE]}), {CORES} cores, granian WSGI {CORES} workers x 4 threads, "
        f"cache {'Redis' if CACHE_URL.startswith('redis') else 'local memory'}",
        "",
        f"Fixed rate: bench/pace.py, open loop, {PACE_SECONDS:.0f} s per page. Saturation: wrk -c8, {SECONDS:.0f} s. "
        "Latencies in ms; first ms: one request before the runs (the first render since the server started, "
        "so counts and anchors are worked out there); rps/core = saturated requests per second / cores.",
        "",
        "Cached: the page cache on, straight from granian. Front: through nginx with deploy/nginx-dateline.conf "
        "(front column: 'file' when nginx answered from a page file, otherwise granian's own answer to the "
        "first request through the front).",
        "",
        "| page | queries steady/first | first ms | fixed rate/s | p50 | p99 | sat. p50 | sat. p99 | rps/core "
        "| cached rps/core | cached p99 | front rps/core | front p99 | front |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, _path, _kind in pages:
        row = rows[label]
        hit = cached.get(label)
        lines.append(
            f"| {label} | {row['queries']} | {fmt(row['first_ms'], 0)} | {fmt(row['rate'], 0)} | "
            f"{fmt(row['fixed']['p50'])} | "
            f"{fmt(row['fixed']['p99'])} | {fmt(row['sat']['p50'])} | {fmt(row['sat']['p99'])} | "
            f"{fmt(row['sat']['rps'] / CORES, 0)} | {fmt(hit['rps'] / CORES, 0) if hit else '—'} | "
            f"{fmt(hit['p99']) if hit else '—'} | "
            + (
                f"{fmt(fronted[label]['rps'] / CORES, 0)} | {fmt(fronted[label]['p99'])} | "
                f"{fronted[label]['served'] or '—'} |"
                if label in fronted
                else "— | — | — |"
            )
        )
    front, deep_label = (
        rows["front"],
        next(label for label, _, _ in pages if label.startswith("tag page ") and label != "tag page 1"),
    )
    ratios = [
        "",
        f"Server memory (RSS, all granian processes) after the dynamic runs: {dynamic_rss:.0f} MB; "
        f"after the cached runs: {cached_rss:.0f} MB.",
        "",
        f"Front page ({front_size:,} bytes), saturated, side by side:",
        f"- dynamic: {fmt(front['sat']['rps'], 0)} rps, p50 {fmt(front['sat']['p50'], 2)} ms",
        f"- cached: {fmt(cached['front']['rps'], 0)} rps, p50 {fmt(cached['front']['p50'], 2)} ms",
        f"- cached through the nginx front: {fmt(fronted['front']['rps'], 0)} rps, "
        f"p50 {fmt(fronted['front']['p50'], 2)} ms ({fronted['front']['served']})",
        f"- nginx static: {fmt(static['rps'], 0)} rps, p50 {fmt(static['p50'], 2)} ms",
        f"- cached / dynamic throughput: {cached['front']['rps'] / max(front['sat']['rps'], 0.01):.1f}x "
        f"from the application, {fronted['front']['rps'] / max(front['sat']['rps'], 0.01):.1f}x through the front",
        f"- nginx static / cached: {static['rps'] / max(cached['front']['rps'], 0.01):.1f}x from the application, "
        f"{static['rps'] / max(fronted['front']['rps'], 0.01):.1f}x through the front",
        f"- {deep_label} p99 / tag page 1 p99 (fixed rate): "
        f"{rows[deep_label]['fixed']['p99'] / max(rows['tag page 1']['fixed']['p99'], 0.001):.2f}x",
    ]
    for index, name in ((0, "steady"), (1, "first render after a change")):
        queries = {
            label: int(rows[label]["queries"].split("/")[index])
            for label, _, kind in pages
            if kind == "public" and rows[label]["queries"].split("/")[index].isdigit()
        }
        most = max(queries, key=queries.get)
        ratios.append(f"- most queries on a public page, {name}: {queries[most]} ({most})")
    return "\n".join(lines + ratios) + "\n"


if __name__ == "__main__":
    main()
