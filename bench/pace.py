"""Open-loop load at a fixed rate: one request every 1/rate seconds, whatever the server does.

Latency is measured from when each request was due, not from when it could
be sent, so a stalled server shows up in p99 instead of quietly lowering the
rate. Prints one JSON line: sent, errors, p50/p99/max in milliseconds.

    python bench/pace.py URL --rate 20 --seconds 5 [--cookie "sessionid=..."] [--connections 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
from urllib.parse import urlsplit


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--cookie", default="")
    parser.add_argument("--grace", type=float, default=30, help="seconds past the run before giving up")
    args = parser.parse_args()

    parts = urlsplit(args.url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    total = max(1, int(args.rate * args.seconds))
    start = time.perf_counter() + 0.2
    lock = threading.Lock()
    state = {"next": 0}
    latencies: list[float] = []
    errors = [0]

    # A server that falls far behind is not waited for: what is still unsent then is counted as an error.
    deadline = start + args.seconds + args.grace

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=args.grace)
        headers = {"Cookie": args.cookie} if args.cookie else {}
        while True:
            with lock:
                index = state["next"]
                state["next"] += 1
            if index >= total:
                break
            if time.perf_counter() > deadline:
                with lock:
                    errors[0] += 1
                continue
            due = start + index / args.rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            try:
                conn.request("GET", target, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status < 400
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=args.grace)
                ok = False
            elapsed = time.perf_counter() - due
            with lock:
                latencies.append(elapsed * 1000)
                if not ok:
                    errors[0] += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(args.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(
        json.dumps(
            {
                "sent": len(latencies),
                "asked": total,
                "errors": errors[0],
                "p50": percentile(latencies, 0.50),
                "p99": percentile(latencies, 0.99),
                "max": max(latencies, default=float("nan")),
            }
        )
    )


if __name__ == "__main__":
    main()
