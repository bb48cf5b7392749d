"""gunicorn started in the project's folder takes ``gunicorn.conf.py``: each worker listens on a socket of its
own, and new connections reach every worker.

The server runs a small application that answers with its worker's process id, so the tests see which worker
took each connection; the settings under test are the server's, whatever application it serves.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not GUNICORN.exists(), reason="reads Linux's socket table; needs gunicorn"
)


def pid_application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(str(os.getpid()))))])
    return [str(os.getpid()).encode()]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening_sockets(port: int) -> int:
    """How many sockets listen on 127.0.0.1:``port``, from the kernel's table (state 0A is LISTEN)."""
    wanted = f"0100007F:{port:04X}"
    with open("/proc/net/tcp") as table:
        return sum(1 for line in table.readlines()[1:] if line.split()[1] == wanted and line.split()[3] == "0A")


def _ask(connection: socket.socket) -> int:
    connection.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.split(b"\r\n\r\n", 1)[1]:
        chunk = connection.recv(4096)
        assert chunk, "the server closed the connection instead of keeping it open"
        answer += chunk
    return int(answer.split(b"\r\n\r\n", 1)[1])


@pytest.fixture
def served():
    """gunicorn with two workers, started where production starts it, and the port it listens on."""
    port = _free_port()
    process = subprocess.Popen(
        [str(GUNICORN), "tests.newsroom.test_gunicorn_config:pid_application", "--workers", "2", "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        # Both workers booted: two sockets with the settings, one (the master's) without them.
        deadline = time.monotonic() + 10
        while _listening_sockets(port) < 2 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_each_worker_listens_on_a_socket_of_its_own(served):
    assert _listening_sockets(served) == 2


def test_a_burst_of_keep_alive_connections_reaches_both_workers(served):
    # Opened together, as a proxy's pool or a load test opens them, then each asked once and kept open.
    connections = [socket.create_connection(("127.0.0.1", served), timeout=10) for _ in range(32)]
    try:
        workers = [_ask(connection) for connection in connections]
        assert len(set(workers)) == 2
        # A connection stays with the worker that took it.
        assert [_ask(connection) for connection in connections] == workers
    finally:
        for connection in connections:
            connection.close()
