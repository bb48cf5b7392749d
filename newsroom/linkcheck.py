"""Checking that cited addresses still answer, politely: robots.txt, a named User-Agent, timeouts.

This module only talks HTTP and knows nothing of the database, so its checks can run in a thread pool
while the ``check_sources`` command records what they found from its own thread.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

OK, REDIRECTED, GONE, ERROR, BLOCKED = "ok", "redirected", "gone", "error", "blocked"
GONE_CODES = (404, 410)
# Some servers refuse HEAD or answer it wrongly; a GET (whose body is never read) settles it.
RETRY_WITH_GET = (400, 401, 403, 405, 406, 429, 500, 501, 502, 503)
REDIRECT_CODES = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Result:
    status: str
    detail: str = ""
    redirect_to: str = ""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are followed by hand, to count them and to report where a link ended up."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Checker:
    def __init__(self, *, user_agent: str, timeout: float = 10.0, max_redirects: int = 5):
        self.user_agent = user_agent
        self.timeout = timeout
        self.max_redirects = max_redirects
        self._opener = urllib.request.build_opener(_NoRedirects)
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._robots_lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        # Hosts that could not be reached for their robots.txt (no such name, refused, silent): their links
        # are reported with the same error instead of each waiting out the timeout again.
        self._unreachable: dict[str, str] = {}

    # robots.txt ------------------------------------------------------------------------------------------

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:
            host_lock = self._host_locks.setdefault(origin, threading.Lock())
        # One fetch of robots.txt per host, even when several of its links are checked at once.
        with host_lock:
            if origin not in self._robots:
                self._robots[origin] = self._read_robots(origin)
        parser = self._robots[origin]
        return parser is None or parser.can_fetch(self.user_agent, url)

    def unreachable(self, url: str) -> str:
        parts = urlsplit(url)
        return self._unreachable.get(f"{parts.scheme}://{parts.netloc}", "")

    def _read_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | None:
        """The host's rules; None (everything allowed) when it has none or cannot say."""
        parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        try:
            with self._open(origin + "/robots.txt", "GET") as response:
                text = response.read(512 * 1024).decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            error.close()
            if error.code in (401, 403):
                # The convention robotparser itself follows: a host that forbids its rules forbids everything.
                parser.disallow_all = True
                return parser
            return None
        except OSError as error:
            self._unreachable[origin] = describe(error)
            return None
        except (http.client.HTTPException, ValueError):
            return None
        parser.parse(text.splitlines())
        return parser

    # Checking --------------------------------------------------------------------------------------------

    def check(self, url: str) -> Result:
        try:
            if not self.allowed(url):
                return Result(BLOCKED, "robots.txt asks robots not to fetch it")
            down = self.unreachable(url)
            if down:
                return Result(ERROR, down)
            return self._follow(url)
        except Exception as error:  # noqa: BLE001  (one odd address must never stop the others' checks)
            return Result(ERROR, describe(error))

    def _follow(self, url: str) -> Result:
        current = url
        for _hop in range(self.max_redirects + 1):
            code, location = self._ask(current)
            if code in REDIRECT_CODES and location:
                current = urljoin(current, location)
                if urlsplit(current).scheme not in ("http", "https"):
                    return Result(ERROR, "redirected to an address that is not a web page")
                continue
            if 200 <= code < 300:
                if current != url:
                    return Result(REDIRECTED, f"HTTP {code}", redirect_to=current)
                return Result(OK, f"HTTP {code}")
            if code in GONE_CODES:
                return Result(GONE, f"HTTP {code}" + (f" at {current}" if current != url else ""))
            return Result(ERROR, f"HTTP {code}")
        return Result(ERROR, f"more than {self.max_redirects} redirects")

    def _ask(self, url: str) -> tuple[int, str]:
        """One request, HEAD then GET if the answer to HEAD is not to be trusted: (status code, Location)."""
        code, location = self._request(url, "HEAD")
        if code in RETRY_WITH_GET:
            code, location = self._request(url, "GET")
        return code, location

    def _request(self, url: str, method: str) -> tuple[int, str]:
        try:
            with self._open(url, method) as response:
                return response.status, response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            location = error.headers.get("Location", "") if error.headers else ""
            error.close()
            return error.code, location

    def _open(self, url: str, method: str):
        request = urllib.request.Request(
            url, method=method, headers={"User-Agent": self.user_agent, "Accept": "text/html,*/*;q=0.5"}
        )
        return self._opener.open(request, timeout=self.timeout)


def describe(error: BaseException) -> str:
    """A few words an editor can act on, instead of a traceback."""
    if isinstance(error, urllib.error.URLError) and not isinstance(error, urllib.error.HTTPError):
        error = error.reason if isinstance(error.reason, BaseException) else error
    if isinstance(error, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(error, socket.gaierror):
        return "no such host (DNS)"
    if isinstance(error, http.client.RemoteDisconnected):
        return "closed the connection without answering"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ConnectionResetError):
        return "connection reset"
    if isinstance(error, ssl.SSLError):
        return "TLS certificate or handshake failed"
    text = str(error) or type(error).__name__
    return text[:200]
