"""How Dateline rides out a PostgreSQL restart: `.venv/bin/python bench/pg_restart.py`.

Starts a PostgreSQL server of its own (bench/faultsite.py: initdb + pg_ctl in a
temporary folder, a free port on 127.0.0.1; never the machine's shared server),
loads the demo newsroom into it, and serves Dateline with granian as in
production (DEBUG off, WSGI, threads, persistent connections with health
checks, the page cache off so every request needs the database). A few
readers poll pages without pause while the script

1. restarts PostgreSQL (`pg_ctl restart -m fast`), and
2. stops it, leaves it down for OUTAGE_SECONDS (default 3), and starts it again.

For each it prints what the readers got (by status), whether any answer was a
500, and how long after PostgreSQL accepted connections again the site served
every reader again ("recovery"). The server's log is searched for tracebacks.

Only 127.0.0.1 is used. Environment: OUTAGE_SECONDS, READERS (default 4).
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from faultsite import DatelineSite, PrivatePostgres  # noqa: E402

OUTAGE_SECONDS = float(os.environ.get("OUTAGE_SECONDS", "3"))
READERS = int(os.environ.get("READERS", "4"))
PATHS = ["/", "/news/", "/search/?q=harbour", "/sitemap.xml"]


def log(message: str) -> None:
    print(f"== {message}", flush=True)


class Readers:
    """Threads that request pages back to back and note (time, status) for each answer."""

    def __init__(self, base: str, paths: list[str]):
        self.base, self.paths = base, paths
        self.answers: list[tuple[float, int]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._read, args=(n,), daemon=True) for n in range(READERS)]

    def _read(self, number: int) -> None:
        path = self.paths[number % len(self.paths)]
        while not self._stop.is_set():
            try:
                with urllib.request.urlopen(self.base + path, timeout=10) as response:
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
                if status == 503 and not error.headers.get("Retry-After"):
                    status = -503
            except OSError:
                status = 0
            with self._lock:
                self.answers.append((time.monotonic(), status))
            time.sleep(0.01)

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def between(self, start: float, end: float) -> list[tuple[float, int]]:
        with self._lock:
            return [answer for answer in self.answers if start <= answer[0] < end]


def recovery(answers: list[tuple[float, int]], back_at: float) -> float | None:
    """Seconds from ``back_at`` to the first answer after which every answer was a 200."""
    last_bad = max((moment for moment, status in answers if status != 200), default=None)
    later = [moment for moment, status in answers if status == 200 and (last_bad is None or moment > last_bad)]
    if not later:
        return None
    return max(0.0, min(later) - back_at)


def report(name: str, readers: Readers, start: float, back_at: float, end: float) -> dict:
    answers = readers.between(start, end)
    during = Counter(status for moment, status in answers if moment < back_at)
    after = Counter(status for moment, status in answers if moment >= back_at)
    seconds = recovery(answers, back_at)
    names = {200: "200", 503: "503 with Retry-After", -503: "503 WITHOUT Retry-After", 500: "500", 0: "no answer"}

    def show(counts: Counter) -> str:
        return ", ".join(f"{names.get(code, str(code))}: {n}" for code, n in sorted(counts.items())) or "none"

    log(f"{name}: PostgreSQL back {back_at - start:.2f} s after the command")
    print(f"   answers until then: {show(during)}")
    print(f"   answers after:      {show(after)}")
    print(f"   recovery: {'never' if seconds is None else f'{seconds:.2f} s'} after PostgreSQL accepted connections")
    return {"during": during, "after": after, "recovery": seconds}


def main() -> int:
    pg = PrivatePostgres()
    site = DatelineSite(pg, Path(tempfile.mkdtemp(prefix="dateline-pg-restart-")))
    readers = None
    try:
        log(f"starting a private PostgreSQL on 127.0.0.1:{pg.port} in {pg.folder}")
        pg.start()
        site.prepare()
        log("serving with granian, 2 workers x 4 threads, the page cache off")
        server = site.serve(PAGE_CACHE="0")
        base = server.base

        readers = Readers(base, PATHS)
        readers.start()
        time.sleep(2)

        results = {}
        start = time.monotonic()
        pg.pg_ctl("restart", "-m", "fast")
        back_at = time.monotonic()
        time.sleep(3)
        results["restart"] = report("pg_ctl restart -m fast", readers, start, back_at, time.monotonic())

        start = time.monotonic()
        pg.pg_ctl("stop", "-m", "fast")
        time.sleep(OUTAGE_SECONDS)
        pg.pg_ctl("start")
        back_at = time.monotonic()
        time.sleep(3)
        results["outage"] = report(
            f"stopped for {OUTAGE_SECONDS:.0f} s, then started", readers, start, back_at, time.monotonic()
        )
        readers.stop()
        readers = None

        text = server.log()
        log(
            f"server log: {text.count('Database unavailable')} 'Database unavailable' warnings, "
            f"{text.count('Traceback')} tracebacks"
        )
        bad = sum(r["during"][500] + r["after"][500] + r["during"][-503] for r in results.values())
        never = [name for name, r in results.items() if r["recovery"] is None]
        if bad or never:
            log(f"FAILED: {bad} answers were 500 or 503 without Retry-After; no recovery in {never or 'none'}")
            return 1
        return 0
    finally:
        if readers is not None:
            readers.stop()
        site.close()
        pg.stop()


if __name__ == "__main__":
    sys.exit(main())
