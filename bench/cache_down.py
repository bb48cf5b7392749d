"""What a page costs while Redis is down: `.venv/bin/python bench/cache_down.py`.

The demo newsroom in a private PostgreSQL (bench/faultsite.py), served by
granian as in production (DEBUG off), with the cache (CACHE_URL) in four states:

- up:     a redis-server this script starts on a free loopback port;
- closed: nothing listens on the port (connection refused at once);
- hung:   that redis-server stopped with SIGSTOP: it accepts connections and never
          answers, so every try waits for the socket timeout (0.25 s);
- locmem: no CACHE_URL (each process keeps its own cache), for comparison.

Every page renders (PAGE_CACHE_SERVE=0, as the benchmark's dynamic run), so the
difference is the cost of the cache itself and of what it would have saved
(list counts and page anchors, navigation, sitemap data). One reader requests
each page from each of the four servers in turn, ROUNDS times after a warm-up
round (so the machine's changing load falls on every state alike), and the
median and the worst answer per page are printed for each state.

Only 127.0.0.1 is used. Environment: ROUNDS (default 30).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from faultsite import DatelineSite, PrivatePostgres, free_port  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "30"))


def fetch(url: str) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, (time.perf_counter() - started) * 1000


def pages(base: str) -> list[str]:
    """Fixed pages plus the first story, day and tag the front page links to."""
    front = urllib.request.urlopen(base + "/", timeout=30).read().decode()
    story = re.search(r'href="(/news/\d{4}/\d{2}/\d{2}/[-\w]+/)"', front)
    tag = re.search(r'href="(/tags/[-\w]+/)"', front)
    found = [story.group(1)] if story else []
    if story:
        found.append(re.sub(r"[-\w]+/$", "", story.group(1)))
    if tag:
        found.append(tag.group(1))
    return ["/", "/news/", *found, "/search/?q=harbour", "/feeds/latest/rss/", "/sitemap.xml"]


def measure(bases: dict[str, str], paths: list[str]) -> dict[str, dict[str, tuple[float, float, set[int]]]]:
    """Each page from each server in turn, so that the machine's changing load falls on every state alike."""
    for base in bases.values():
        for path in paths:
            fetch(base + path)
    timings = {state: {path: [] for path in paths} for state in bases}
    statuses = {state: {path: set() for path in paths} for state in bases}
    for _ in range(ROUNDS):
        for path in paths:
            for state, base in bases.items():
                status, ms = fetch(base + path)
                timings[state][path].append(ms)
                statuses[state][path].add(status)
    return {
        state: {path: (statistics.median(t), max(t), statuses[state][path]) for path, t in by_path.items()}
        for state, by_path in timings.items()
    }


class Redis:
    def __init__(self, folder: Path):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", str(folder),
            ],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while fetch_ping(self.port) is False:
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGCONT)
        self.process.terminate()
        self.process.wait(10)


def fetch_ping(port: int) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def main() -> int:
    if shutil.which("redis-server") is None:
        sys.exit("cache_down: redis-server is needed (apt-get install redis-server)")
    pg = PrivatePostgres()
    site = DatelineSite(pg, Path(tempfile.mkdtemp(prefix="dateline-cache-down-")))
    redises: list[Redis] = []
    try:
        print(f"== starting a private PostgreSQL on 127.0.0.1:{pg.port}", flush=True)
        pg.start()
        site.prepare()
        up, hung = Redis(site.work), Redis(site.work)
        redises += [up, hung]
        states = {
            "up": f"redis://127.0.0.1:{up.port}/0",
            "closed": f"redis://127.0.0.1:{free_port()}/0",
            "hung": f"redis://127.0.0.1:{hung.port}/0",
            "locmem": "",
        }
        servers = {
            state: site.serve(workers=1, threads=4, CACHE_URL=url, PAGE_CACHE="1", PAGE_CACHE_SERVE="0")
            for state, url in states.items()
        }
        hung.process.send_signal(signal.SIGSTOP)
        paths = pages(servers["locmem"].base)
        print(f"== {ROUNDS} rounds of {len(paths)} pages from each of: {', '.join(states)}", flush=True)
        results = measure({state: server.base for state, server in servers.items()}, paths)

        names = list(states)
        print()
        print("| page | " + " | ".join(f"{name}: median / worst (ms)" for name in names) + " |")
        print("| --- | " + " | ".join("---" for _ in names) + " |")
        for path in paths:
            cells = []
            for name in names:
                median, worst, codes = results[name][path]
                flag = "" if codes == {200} else f" HTTP {sorted(codes)}"
                cells.append(f"{median:.1f} / {worst:.1f}{flag}")
            print(f"| `{path}` | " + " | ".join(cells) + " |")
        print()
        for name in ("closed", "hung", "locmem"):
            added = [results[name][p][0] - results["up"][p][0] for p in paths]
            print(
                f"added per page, {name} against up: median {statistics.median(added):+.1f} ms, "
                f"largest {max(added):+.1f} ms"
            )
        for name, server in servers.items():
            text = server.log()
            print(
                f"server log ({name}): {text.count('unreachable')} 'unreachable' warnings, "
                f"{text.count('Traceback')} tracebacks"
            )
        failed = any(codes != {200} for state in results.values() for _, _, codes in state.values())
        return 1 if failed else 0
    finally:
        for redis in redises:
            redis.stop()
        site.close()
        pg.stop()


if __name__ == "__main__":
    sys.exit(main())
