"""Every public URL pattern is in the benchmark, and every benchmark address answers."""

import pytest
from django.core.management import call_command
from django.urls import resolve

from bench import pages


def pattern_key(path: str) -> str:
    match = resolve(path.split("?")[0])
    return f"{':'.join(match.namespaces)}:{match.url_name}" if match.url_name else match._func_path


def test_every_public_url_pattern_has_a_benchmark_entry():
    missing = sorted(set(pages.public_patterns()) - set(pages.ENTRIES))
    assert not missing, (
        f"public URL patterns with no benchmark entry: {missing}; add a line to ENTRIES in bench/pages.py "
        "(or to NOT_PUBLIC with the reason)"
    )


def test_benchmark_entries_name_patterns_that_exist():
    stale = sorted(set(pages.ENTRIES) - set(pages.public_patterns()))
    assert not stale, f"bench/pages.py measures patterns the URLconf no longer has, or excludes: {stale}"


def test_pages_not_measured_are_the_listed_ones():
    keys = {key for key, _route in pages.walk()}
    assert "admin:index" in keys and "admin:index" not in pages.public_patterns()
    assert "newsroom:preview" in keys and "newsroom:preview" not in pages.public_patterns()
    assert "comments:post" not in pages.public_patterns()
    assert "newsroom:story" in pages.public_patterns()


def test_a_whole_address_can_be_left_out_whatever_its_patterns_are_named():
    assert pages.excluded("account_login", "accounts/login/")
    assert pages.excluded("readers:account", "accounts/")
    assert not pages.excluded("newsroom:latest", "news/")


@pytest.mark.django_db(transaction=True)
def test_every_benchmark_address_answers_on_generated_data(client):
    call_command("bench_data", articles=80, events=300, tags=30, comments=400, years=2, verbosity=0)
    picks = pages.pick(search_queries=[("1 word", "harbour"), ("phrase", '"harbour election"')])
    rows = pages.addresses(picks)
    covered = {key for _label, _path, key in rows}
    assert covered == set(pages.ENTRIES)
    labels = [label for label, _path, _key in rows]
    assert len(labels) == len(set(labels)), "each row of the results table needs its own label"
    for label, path, key in rows:
        response = client.get(path)
        assert response.status_code in (200, 302), f"{label} {path} answered {response.status_code}"
        assert pattern_key(path) == key, f"{label} {path} is not an address of {key}"
