"""Dateline on several machines, on this one: `make cluster` starts it, `make cluster-stop` stops it.

On loopback, in a state folder (CLUSTER_DIR, default /tmp/dateline-cluster):

- a PostgreSQL primary and a streaming replica (initdb, then pg_basebackup -R), run as the postgres user
  when started as root;
- Redis, the shared cache (sessions live in the database, counters and kept pages in Redis);
- moto's standalone S3 server holding the media bucket;
- two application servers (granian), each reading from the replica and writing to the primary;
- Varnish with deploy/varnish/dateline.vcl in front of both, taking them in turn.

`cluster.py env` prints the addresses as shell variables. Ports start at CLUSTER_PORT (default 7400).
Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
STATE = Path(os.environ.get("CLUSTER_DIR", "/tmp/dateline-cluster"))
PG = STATE / "pg"
BASE = int(os.environ.get("CLUSTER_PORT", "7400"))
PORTS = {
    "primary": BASE + 1,
    "replica": BASE + 2,
    "redis": BASE + 3,
    "s3": BASE + 4,
    "app_a": BASE + 11,
    "app_b": BASE + 12,
    "varnish": BASE + 80,
}
BUCKET = "dateline-media"
DATABASE = "dateline"
SECRET = "cluster-only-secret-key-not-for-production-0123456789abcdefghijklmnop"
PG_SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sockets}'
wal_level = replica
max_wal_senders = 5
hot_standby = on
# A throwaway cluster: durability buys nothing here and costs seconds. Commits still write their WAL at
# once (synchronous_commit on, as in production), so the replica receives a change within milliseconds
# rather than at the WAL writer's next round.
fsync = off
full_page_writes = off
shared_buffers = {shared_buffers}
"""


def log(message: str) -> None:
    print(f"cluster: {message}", flush=True)


# Tools -------------------------------------------------------------------------------------------------


def pg_bin(name: str) -> str:
    """PostgreSQL's own programs: Debian keeps initdb and pg_ctl out of PATH, under /usr/lib/postgresql."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    for folder in versions:
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if found:
        return found
    raise SystemExit(f"cluster: {name} not found (Debian: apt-get install postgresql)")


def tool(name: str, package: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if not found:
        raise SystemExit(f"cluster: {name} not found (Debian: apt-get install {package})")
    return found


def missing_tools() -> list[str]:
    """What this machine lacks to run the cluster, as Debian package names."""
    missing = []
    if not (shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin")):
        missing.append("varnish")
    if not list(Path("/usr/lib").glob("*/varnish/vmods/libvmod_xkey.so")) and not list(
        Path("/usr/lib/varnish/vmods").glob("libvmod_xkey.so")
    ):
        missing.append("varnish-modules")
    if not shutil.which("redis-server"):
        missing.append("redis-server")
    try:
        pg_bin("initdb")
        pg_bin("pg_basebackup")
    except SystemExit:
        missing.append("postgresql")
    return missing


def as_postgres() -> list[str]:
    """Prefix for PostgreSQL's programs: they refuse to run as root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"]
    return []


def run(command: list[str], **kwargs) -> None:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, **kwargs)


def wait_for(check, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise SystemExit(f"cluster: {what} did not start within {seconds:.0f} s (logs in {STATE})")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except OSError:
        return False


# Services ----------------------------------------------------------------------------------------------


def database_url(which: str) -> str:
    return f"postgres://postgres@127.0.0.1:{PORTS[which]}/{DATABASE}"


def app_env() -> dict[str, str]:
    """The application servers' environment: the multi-machine settings of README "Running on several machines"."""
    return {
        "DEBUG": "0",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "0",
        "DATABASE_URL": database_url("primary"),
        "DATABASE_REPLICA_URLS": database_url("replica"),
        "CACHE_URL": f"redis://127.0.0.1:{PORTS['redis']}/0",
        "MEDIA_STORAGE_URL": (
            f"s3://{BUCKET}?endpoint_url=http://127.0.0.1:{PORTS['s3']}&region=us-east-1&url_protocol=http&acl=public-read"
        ),
        "AWS_ACCESS_KEY_ID": "cluster",
        "AWS_SECRET_ACCESS_KEY": "cluster",
        "HTTP_CACHE_PURGE_URLS": f"http://127.0.0.1:{PORTS['varnish']}/",
        "STATIC_ROOT": str(STATE / "static"),
        "CONN_MAX_AGE": "60",
        # Each server reports the replica's state within a second of it changing.
        "DATABASE_REPLICA_CHECK_SECONDS": "1",
        "DATABASE_REPLICA_RETRY_SECONDS": "3",
        "LOG_LEVEL": "WARNING",
    }


def manage(*args: str) -> None:
    run([str(VENV_BIN / "python"), str(ROOT / "manage.py"), *args], env={**os.environ, **app_env()}, cwd=ROOT)


def start_primary() -> None:
    # PostgreSQL's data, sockets and logs in one folder of its own user's.
    PG.mkdir()
    if os.geteuid() == 0:
        postgres = pwd.getpwnam("postgres")
        os.chown(PG, postgres.pw_uid, postgres.pw_gid)
    data, sockets = PG / "primary", PG / "sockets"
    run([*as_postgres(), "mkdir", "-p", str(sockets)])
    run([*as_postgres(), pg_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
    with open(data / "postgresql.conf", "a") as conf:
        # Small for the tests; the full-size benchmark gives the two servers as much as the main one has.
        shared_buffers = os.environ.get("CLUSTER_SHARED_BUFFERS", "64MB")
        conf.write(PG_SETTINGS.format(port=PORTS["primary"], sockets=sockets, shared_buffers=shared_buffers))
    start_postgres(data, "primary")


def start_postgres(data: Path, name: str) -> None:
    run([*as_postgres(), pg_bin("pg_ctl"), "-D", str(data), "-l", str(PG / f"{name}.log"), "-w", "start"])


def start_replica() -> None:
    data = PG / "replica"
    run(
        [*as_postgres(), pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(PORTS["primary"]), "-U", "postgres"]
        + ["-D", str(data), "-R", "-X", "stream", "-c", "fast"]
    )
    with open(data / "postgresql.conf", "a") as conf:
        conf.write(f"port = {PORTS['replica']}\n")
    start_postgres(data, "replica")


def stop_postgres(name: str, mode: str = "fast") -> None:
    data = PG / name
    if (data / "postmaster.pid").exists():
        subprocess.run(
            [*as_postgres(), pg_bin("pg_ctl"), "-D", str(data), "-m", mode, "-w", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def stop_replica() -> None:
    """Stop the replica alone (the end-to-end test's fault)."""
    stop_postgres("replica", "immediate")


def create_database() -> None:
    import psycopg

    with psycopg.connect(f"postgres://postgres@127.0.0.1:{PORTS['primary']}/postgres", autocommit=True) as db:
        db.execute(f"CREATE DATABASE {DATABASE}")


def start_redis() -> None:
    run(
        [tool("redis-server", "redis-server"), "--port", str(PORTS["redis"]), "--bind", "127.0.0.1"]
        + ["--save", "", "--appendonly", "no", "--daemonize", "yes", "--dir", str(STATE)]
        + ["--pidfile", str(STATE / "redis.pid"), "--logfile", str(STATE / "redis.log")]
    )


def spawn(name: str, command: list[str], env: dict | None = None) -> None:
    with open(STATE / f"{name}.log", "ab") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT, start_new_session=True
        )
    (STATE / f"{name}.pid").write_text(str(process.pid))


def start_s3() -> None:
    spawn("s3", [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(PORTS["s3"])])
    wait_for(lambda: answers(f"http://127.0.0.1:{PORTS['s3']}/"), "the S3 server")
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{PORTS['s3']}",
        region_name="us-east-1",
        aws_access_key_id="cluster",
        aws_secret_access_key="cluster",
    )
    s3.create_bucket(Bucket=BUCKET)


def start_app(name: str) -> None:
    port = PORTS[name]
    command = [str(VENV_BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", "1", "--blocking-threads", "4", "--no-access-log", "newsroom.wsgi:application"]
    spawn(name, command, env={**os.environ, **app_env()})


def write_backends() -> None:
    probe = (ROOT / "deploy" / "varnish" / "backends.vcl").read_text().split("backend app1")[0]
    backends = [probe]
    for number, name in enumerate(("app_a", "app_b"), start=1):
        backends.append(
            f'backend app{number} {{\n    .host = "127.0.0.1";\n    .port = "{PORTS[name]}";\n'
            "    .probe = dateline_alive;\n}\n\n"
        )
    backends.append(
        "sub vcl_init {\n    new apps = directors.round_robin();\n"
        "    apps.add_backend(app1);\n    apps.add_backend(app2);\n}\n"
    )
    folder = STATE / "vcl"
    folder.mkdir()
    (folder / "backends.vcl").write_text("".join(backends))
    shutil.copy(ROOT / "deploy" / "varnish" / "dateline.vcl", folder / "dateline.vcl")
    os.chmod(folder, 0o755)


def start_varnish() -> None:
    write_backends()
    command = [tool("varnishd", "varnish"), "-a", f"127.0.0.1:{PORTS['varnish']}", "-n", str(STATE / "varnish")]
    command += ["-p", f"vcl_path={STATE / 'vcl'}", "-f", "dateline.vcl", "-s", "malloc,128m"]
    command += ["-P", str(STATE / "varnish.pid"), "-T", "none"]
    run(command)


# Commands ----------------------------------------------------------------------------------------------


def start() -> dict:
    missing = missing_tools()
    if missing:
        raise SystemExit(
            "cluster: missing " + ", ".join(missing) + " (Debian: apt-get install " + " ".join(missing) + ")"
        )
    if STATE.exists():
        stop()
    STATE.mkdir(parents=True)
    os.chmod(STATE, 0o755)
    started = time.monotonic()
    log(f"PostgreSQL primary on {PORTS['primary']}")
    start_primary()
    create_database()
    log(f"streaming replica on {PORTS['replica']}")
    start_replica()
    log(f"Redis on {PORTS['redis']}, S3 on {PORTS['s3']}")
    start_redis()
    start_s3()
    log("migrating and collecting static files")
    manage("migrate", "--noinput")
    manage("collectstatic", "--noinput")
    for name in ("app_a", "app_b"):
        log(f"application server {name[-1].upper()} on {PORTS[name]}")
        start_app(name)
    for name in ("app_a", "app_b"):
        wait_for(lambda name=name: answers(f"http://127.0.0.1:{PORTS[name]}/robots.txt"), f"application {name}")
    log(f"Varnish on {PORTS['varnish']}")
    start_varnish()
    wait_for(lambda: answers(f"http://127.0.0.1:{PORTS['varnish']}/robots.txt"), "Varnish")
    info = addresses()
    (STATE / "cluster.json").write_text(json.dumps(info, indent=2))
    log(f"up in {time.monotonic() - started:.0f} s; readers: {info['varnish']}")
    return info


def addresses() -> dict:
    return {
        "varnish": f"http://127.0.0.1:{PORTS['varnish']}",
        "app_a": f"http://127.0.0.1:{PORTS['app_a']}",
        "app_b": f"http://127.0.0.1:{PORTS['app_b']}",
        "primary": database_url("primary"),
        "replica": database_url("replica"),
        "s3": f"http://127.0.0.1:{PORTS['s3']}",
        "bucket": BUCKET,
        "env": app_env(),
        "state": str(STATE),
    }


def kill_pidfile(path: Path) -> None:
    try:
        pid = int(path.read_text().strip())
    except (OSError, ValueError):
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig) if path.name in {"app_a.pid", "app_b.pid", "s3.pid"} else os.kill(pid, sig)
        except ProcessLookupError:
            return
        except PermissionError:
            return
        for _ in range(50):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


def stop() -> None:
    if not STATE.exists():
        return
    for name in ("varnish", "app_a", "app_b", "s3", "redis"):
        kill_pidfile(STATE / f"{name}.pid")
    stop_postgres("replica", "immediate")
    stop_postgres("primary")
    shutil.rmtree(STATE, ignore_errors=True)
    log("stopped")


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "start"
    if command == "start":
        start()
    elif command == "stop":
        stop()
    elif command == "env":
        for name, value in app_env().items():
            print(f"export {name}='{value}'")
    else:
        raise SystemExit("usage: cluster.py start|stop|env")


if __name__ == "__main__":
    main()
