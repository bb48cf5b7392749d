"""The benchmark's load tools do what they say: each page once, the same pages picked for both sites."""

import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from bench import pages
from bench.cold import cold_read
from newsroom.models import Story

sys.path.insert(0, str(Path(pages.__file__).parent))
import peer  # noqa: E402  (bench/peer.py is a script beside run.py and imports it as such)


@pytest.mark.django_db(transaction=True)
def test_cold_read_requests_every_page_once_and_counts_what_answered(live_server):
    call_command("bench_data", articles=20, events=60, tags=10, comments=0, years=1, verbosity=0)
    paths = [pages.story_url(story) for story in Story.objects.published()[:12]]
    result = cold_read(live_server.url, [*paths, "/news/1999/01/01/no-such-story/"], connections=3)
    assert result["requests"] == 13
    assert result["errors"] == 1
    assert sum(result["served"].values()) == 13
    assert result["p50"] <= result["p99"] <= result["max"]


def test_cold_read_refuses_other_hosts():
    with pytest.raises(SystemExit):
        cold_read("http://192.0.2.1:80", ["/"])


@pytest.mark.django_db(transaction=True)
def test_peer_comparison_picks_a_median_day_and_a_china_event(client):
    call_command("bench_data", articles=0, events=400, tags=30, comments=0, days=40, flat=True, verbosity=0)
    picked = peer.dateline_pages()
    assert client.get(picked["day"]).status_code == 200
    year, month, day = (int(part) for part in picked["day"].strip("/").split("/")[1:])
    on_day = Story.objects.published().filter(kind="event", date__year=year, date__month=month, date__day=day)
    assert on_day.count() == int(picked["day_events"]) >= 5
    event = Story.objects.get(slug=picked["event"].rstrip("/").rsplit("/", 1)[1])
    assert "china" in event.tags.values_list("slug", flat=True)
    assert client.get(picked["event"]).status_code == 200


def test_peer_report_states_ratios_against_the_goals():
    pages_ = [("day", "/news/2006-09-05/", "/news/2026/01/02/", "10 / 10 events")]
    results = {
        ("day", "wagtail"): [{"rps": 100.0, "p99": 300.0}, {"rps": 120.0, "p99": 280.0}, {"rps": 90.0, "p99": 310.0}],
        ("day", "uncached"): [{"rps": 600.0, "p99": 30.0}] * 3,
        ("day", "cached"): [{"rps": 4000.0, "p99": 5.0}] * 3,
    }
    report = peer.render(pages_, results)
    assert "| 100.0 (90-120) | 300.0 |" in report
    assert "6.0x" in report and "40.0x" in report
    assert "- day, page cache off: 6.0x Wagtail (goal 5x): met" in report
    assert "- day, page cache on: 40.0x Wagtail (goal 50x): not met" in report


def test_peer_report_adds_the_varnish_column_when_it_was_measured():
    pages_ = [("day", "/news/2006-09-05/", "/news/2026/01/02/", "10 / 10 events")]
    results = {
        ("day", "wagtail"): [{"rps": 100.0, "p99": 300.0}] * 3,
        ("day", "uncached"): [{"rps": 300.0, "p99": 30.0}] * 3,
        ("day", "cached"): [{"rps": 4000.0, "p99": 5.0}] * 3,
        ("day", "varnish"): [{"rps": 20000.0, "p99": 2.0}] * 3,
    }
    report = peer.render(pages_, results)
    assert "Dateline, behind Varnish: rps" in report
    assert "- day, behind Varnish: 200.0x Wagtail (goal 50x): met" in report
    assert "- day, page cache off: 3.0x Wagtail (goal 5x): not met" in report


def test_peer_report_compares_cpu_time_per_request_where_it_was_measured():
    pages_ = [("day", "/news/2006-09-05/", "/news/2026/01/02/", "10 / 10 events")]
    timed = {"cpu_app": 4.0, "cpu_db": 1.0}
    results = {
        ("day", "wagtail"): [{"rps": 100.0, "p99": 300.0, "cpu_app": 20.0, "cpu_db": 5.0}] * 3,
        ("day", "uncached"): [{"rps": 300.0, "p99": 30.0, **timed}] * 3,
        ("day", "cached"): [{"rps": 4000.0, "p99": 5.0, "cpu_app": 0.4, "cpu_db": 0.1}] * 3,
        ("day", "varnish"): [{"rps": 20000.0, "p99": 2.0}] * 3,
    }
    report = peer.render(pages_, results)
    assert "| day | 20.00 + 5.00 | 4.00 + 1.00 | 5.0x | 0.40 + 0.10 | 50.0x |" in report


def test_peer_report_leaves_out_the_cpu_table_without_figures():
    pages_ = [("day", "/news/2006-09-05/", "/news/2026/01/02/", "10 / 10 events")]
    results = {("day", "wagtail"): [{"rps": 100.0, "p99": 300.0}], ("day", "uncached"): [{"rps": 300.0, "p99": 30.0}]}
    assert "CPU time per request" not in peer.render(pages_, results)


def test_cpu_ticks_counts_this_process_session():
    import os
    import time

    server, _database = peer.cpu_ticks(os.getsid(0))
    started = time.process_time()
    while time.process_time() - started < 0.1:
        sum(range(10_000))
    assert peer.cpu_ticks(os.getsid(0))[0] > server


WRK_RUN = """Running 2s test @ http://127.0.0.1:8801/news/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    38.12ms   10.02ms  91.40ms   70.11%
  Latency Distribution
     50%   36.80ms
     75%   42.10ms
     90%   50.33ms
     99%   77.95ms
  801 requests in 2.01s, 21.38MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    398.51
"""


def test_a_wrk_run_is_read_for_its_requests_time_latency_and_failures():
    found = peer.run.parse_wrk(WRK_RUN)
    assert found == {"requests": 801, "seconds": 2.01, "p50": 36.8, "p99": 77.95, "errors": 3}


def test_a_measurement_adds_up_several_short_runs_with_fresh_connections(monkeypatch):
    class Done:
        def __init__(self, stdout):
            self.stdout = stdout

    slow = WRK_RUN.replace("801 requests in 2.01s", "401 requests in 2.00s").replace("99%   77.95ms", "99%   120.00ms")
    outputs = iter([WRK_RUN, slow, WRK_RUN, WRK_RUN])
    commands = []

    def fake_run(command, **kwargs):
        commands.append(command)
        return Done("" if "--latency" not in command else next(outputs))

    monkeypatch.setattr(peer.subprocess, "run", fake_run)
    monkeypatch.setattr(peer, "SPLITS", 4)
    monkeypatch.setattr(peer, "SECONDS", 8.0)
    result = peer.measure("http://127.0.0.1:8801/news/")
    timed = [command for command in commands if "--latency" in command]
    assert len(timed) == 4 and all("-d2s" in command for command in timed)
    assert result["rps"] == pytest.approx((801 * 3 + 401) / (2.01 * 3 + 2.0))
    assert result["p99"] == 120.0 and result["p50"] == 36.8 and result["errors"] == 12
