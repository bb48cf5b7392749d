"""Production defaults: the documented environment passes Django's deployment checks, and every page,
rendered or replayed, carries the Content-Security-Policy."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from csp.utils import build_policy
from django.urls import reverse

from tests.factories import ArticleFactory, StaffFactory

ROOT = Path(__file__).resolve().parents[2]


def documented_production_environment() -> dict[str, str]:
    """The NAME=value lines of the environment block in README.md's "Production" section."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Production\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.S).group(1)
    environment = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
    # The README shows where the secret goes; a real one is made here.
    environment["SECRET_KEY"] = secrets.token_urlsafe(50)
    return environment


def run_deploy_check(environment: dict[str, str]) -> subprocess.CompletedProcess:
    keep = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**keep, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_documented_production_environment_passes_the_deployment_checks():
    result = run_deploy_check(documented_production_environment())
    assert result.returncode == 0, result.stdout + result.stderr


def test_deployment_checks_fail_without_the_hsts_choices_the_readme_asks_for():
    environment = documented_production_environment()
    del environment["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    result = run_deploy_check(environment)
    assert result.returncode != 0
    assert "security.W005" in result.stdout + result.stderr


def policy_directives(header: str) -> dict[str, set[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


def test_policy_allows_no_inline_script_and_no_plugins():
    policy = policy_directives(build_policy())
    assert policy["script-src"] == {"'self'"}
    assert policy["style-src"] == {"'self'"}
    assert policy["object-src"] == {"'none'"}
    assert policy["base-uri"] == {"'self'"}
    assert policy["frame-ancestors"] == {"'self'"}
    assert policy["form-action"] == {"'self'"}


def test_nginx_terminates_tls_and_tells_the_application_so():
    conf = (ROOT / "deploy" / "nginx-dateline.conf").read_text()
    assert "listen 443 ssl" in conf
    assert "ssl_certificate " in conf and "ssl_certificate_key " in conf
    assert "return 301 https://$host$request_uri;" in conf
    assert "proxy_set_header X-Forwarded-Proto https;" in conf


@pytest.mark.django_db
def test_public_page_carries_the_policy(client):
    article = ArticleFactory()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_admin_pages_carry_the_policy(client):
    client.force_login(StaffFactory())
    for url in (reverse("admin:index"), reverse("admin:newsroom_article_add"), reverse("admin:login")):
        response = client.get(url)
        assert "script-src 'self'" in response["Content-Security-Policy"], url


@pytest.mark.django_db
def test_page_replayed_from_the_page_cache_keeps_the_policy(client, settings):
    settings.DATELINE_PAGE_CACHE = True
    # With the policy set inside the page cache, only the stored headers can bring it back on a replay.
    policy = "newsroom.policy.ContentSecurityPolicyMiddleware"
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != policy] + [policy]
    article = ArticleFactory()
    first = client.get(article.get_absolute_url())
    replayed = client.get(article.get_absolute_url())
    assert (first["X-Page-Cache"], replayed["X-Page-Cache"]) == ("miss", "hit")
    assert replayed["Content-Security-Policy"] == first["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_policy_follows_a_change_of_settings_and_a_report_only_policy_is_sent_beside_it(client, settings):
    article = ArticleFactory()
    assert "img-src 'self';" in client.get(article.get_absolute_url())["Content-Security-Policy"] + ";"
    directives = {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "img-src": ["'self'", "https://media.example"]}
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": directives}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    response = client.get("/")
    assert "img-src 'self' https://media.example" in response["Content-Security-Policy"]
    assert response["Content-Security-Policy-Report-Only"] == "default-src 'none'"


@pytest.mark.django_db
def test_the_api_documentation_keeps_its_own_addition_to_the_policy(client):
    # The one view that widens the policy (csp_update) gets its own header text, not the site's kept one.
    assert "img-src 'self' data:" in client.get("/api/v1/docs/")["Content-Security-Policy"]
    assert "data:" not in client.get("/")["Content-Security-Policy"]


def database_options(environment: dict[str, str]) -> dict:
    keep = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "DATABASE_"))}
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({alias: db.get('OPTIONS', {}) for alias, db in settings.DATABASES.items()}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**keep, "DJANGO_SETTINGS_MODULE": "newsroom.settings", **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def test_postgresql_primary_and_replicas_prepare_repeated_queries():
    options = database_options(
        {
            "DATABASE_URL": "postgres://dateline@db.example/dateline",
            "DATABASE_REPLICA_URLS": "postgres://dateline@replica.example/dateline",
        }
    )
    for alias in ("default", "replica1"):
        assert options[alias]["server_side_binding"] is True
        assert options[alias]["prepare_threshold"] == 3


def test_prepared_statements_can_be_turned_off_for_a_pooler():
    options = database_options(
        {"DATABASE_URL": "postgres://dateline@db.example/dateline", "DATABASE_PREPARED_STATEMENTS": "0"}
    )
    assert "server_side_binding" not in options["default"]
    assert "prepare_threshold" not in options["default"]


def test_sqlite_gets_no_postgresql_options():
    options = database_options({})
    assert "server_side_binding" not in options["default"]
