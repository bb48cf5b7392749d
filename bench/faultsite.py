"""The fault benchmarks' own PostgreSQL server and Dateline site (bench/pg_restart.py, bench/cache_down.py).

``PrivatePostgres`` is a throwaway server in a temporary folder, on a free loopback port.

The fault benchmarks stop and restart PostgreSQL; they must never touch a
server other people use. This one is made with ``initdb`` and driven with
``pg_ctl``, listens on 127.0.0.1 only, trusts local connections and is removed
on ``stop``. Run as root, the PostgreSQL programs run as the ``postgres`` user
(``initdb`` refuses root).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
GRANIAN = ROOT / ".venv" / "bin" / "granian"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivatePostgres:
    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="dateline-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = free_port()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if self._as_postgres else []
        return subprocess.run(
            [*prefix, *command], check=check, capture_output=True, text=True, cwd=self.folder, timeout=120
        )

    def pg_ctl(self, action: str, *extra: str, check: bool = True) -> subprocess.CompletedProcess:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        return self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", *extra, action,
            check=check,
        )  # fmt: skip

    def start(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.pg_ctl("start")

    def create_database(self, name: str) -> None:
        self._run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def ready(self) -> bool:
        result = self._run(
            str(PG_BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port), "-t", "1", check=False
        )
        return result.returncode == 0

    def wait_ready(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not self.ready():
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL on port {self.port} did not come back; see {self.log}")
            time.sleep(0.02)

    def stop(self) -> None:
        self.pg_ctl("stop", "-m", "immediate", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


class Server:
    """One granian serving the site on a free loopback port."""

    def __init__(self, env: dict, log_path: Path, *, workers: int, threads: int):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        command = [
            str(GRANIAN), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(self.port),
            "--workers", str(workers), "--blocking-threads", str(threads), "--no-access-log", "--log-level", "warning",
            "newsroom.wsgi:application",
        ]  # fmt: skip
        with open(log_path, "a") as server_log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.base + "/robots.txt", timeout=5).read()
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"granian did not answer; see {log_path}") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class DatelineSite:
    """The demo newsroom in a private PostgreSQL, served by granian as in production (DEBUG off, WSGI, threads)."""

    def __init__(self, pg: PrivatePostgres, work: Path):
        self.pg, self.work = pg, work
        self.env = {
            **os.environ,
            "DATABASE_URL": pg.url("dateline"),
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_COOKIES": "0",
            "STATIC_ROOT": str(work / "static"),
            "MEDIA_ROOT": str(work / "media"),
            "CACHE_URL": "",
            "CONN_MAX_AGE": "600",
            "LOG_LEVEL": "WARNING",
        }
        self.servers: list[Server] = []

    def prepare(self) -> None:
        self.pg.create_database("dateline")
        for command in (["migrate", "--noinput", "-v0"], ["load_demo"], ["collectstatic", "--noinput", "-v0"]):
            print("== manage.py " + " ".join(command), flush=True)
            subprocess.run(
                [str(PY), "manage.py", *command], cwd=ROOT, env=self.env, check=True, stdout=subprocess.DEVNULL
            )

    def serve(self, *, workers: int = 2, threads: int = 4, **env: str) -> Server:
        log_path = self.work / f"granian-{len(self.servers)}.log"
        server = Server({**self.env, **env}, log_path, workers=workers, threads=threads)
        self.servers.append(server)
        return server

    def close(self) -> None:
        for server in self.servers:
            server.stop()
        shutil.rmtree(self.work, ignore_errors=True)
