"""Dateline's settings for gunicorn, read when gunicorn starts in this folder; options on its command line win.

``gunicorn newsroom.wsgi:application`` here serves with one worker per core, four threads each.

Each worker listens on a socket of its own (``reuse_port``: gunicorn binds one per worker with
``SO_REUSEPORT``), and the kernel shares new connections out among them. With the one socket gunicorn
otherwise shares between its workers, the first worker to wake takes a whole burst of new connections (a
proxy's pool, a load test's clients) and keeps them for as long as they stay open: it is then held to one
core by its interpreter lock while the others wait for work. On the side-by-side benchmark's event page,
one worker held all 16 connections in most runs and answered half the requests two workers answer.

Two things differ from one shared socket. A second gunicorn started on the same address shares it instead of
failing with "address in use". And connections still waiting in a worker's queue when that worker exits (a
restart, a timeout) are reset rather than handed to another worker: a proxy in front with more than one
server tries such a request on the next (nginx's default ``proxy_next_upstream error timeout``).
"""

import os

reuse_port = True
# The cores this process may run on (a container's share, not the host's), where the system tells.
cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
workers = int(os.environ.get("WEB_CONCURRENCY") or cores)
worker_class = "gthread"
threads = 4
# gunicorn 25.1 opens a control socket for its gunicornc tool by default; Dateline does not use it.
control_socket_disable = True
