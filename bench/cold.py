"""Cold reads: many distinct pages, each requested once, as fast as the server answers.

A crawler or a burst of links to old stories reaches pages no cache holds. Each
of ``connections`` keep-alive connections takes the next address from the list
until none is left, so the server is saturated and no page is asked for twice.

    python bench/cold.py http://127.0.0.1:8765 paths.txt [--connections 8]

prints one JSON line: requests, seconds, requests/s, p50/p99/max in ms, errors,
and how the page cache answered (X-Page-Cache: miss, hit, or none). Only
127.0.0.1 may be targeted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
from collections import Counter
from urllib.parse import urlsplit


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def cold_read(base: str, paths: list[str], connections: int = 8, timeout: float = 30) -> dict:
    address = urlsplit(base)
    if address.hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("cold reads only ever target 127.0.0.1")
    todo = iter(paths)
    lock = threading.Lock()
    latencies: list[float] = []
    served: Counter[str] = Counter()
    errors = Counter()

    def worker() -> None:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=timeout)
        while True:
            with lock:
                path = next(todo, None)
            if path is None:
                break
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(address.hostname, address.port, timeout=timeout)
                with lock:
                    errors["connection"] += 1
                continue
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                served[response.headers.get("X-Page-Cache", "none")] += 1
                if response.status >= 400:
                    errors[str(response.status)] += 1
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "seconds": round(seconds, 2),
        "rps": round(len(latencies) / seconds, 1) if seconds else 0.0,
        "p50": round(statistics.median(latencies), 1) if latencies else float("nan"),
        "p99": round(percentile(latencies, 0.99), 1),
        "max": round(max(latencies), 1) if latencies else float("nan"),
        "errors": sum(errors.values()),
        "served": dict(served),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="http://127.0.0.1:PORT")
    parser.add_argument("paths", help="a file with one path a line")
    parser.add_argument("--connections", type=int, default=8)
    options = parser.parse_args()
    with open(options.paths) as listing:
        paths = [line.strip() for line in listing if line.strip()]
    print(json.dumps(cold_read(options.base, paths, options.connections)))


if __name__ == "__main__":
    main()
