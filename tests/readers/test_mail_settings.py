"""Where email goes: the console by default, a mail server named by EMAIL_URL or EMAIL_HOST in production."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from newsroom.mailconfig import parse_email_url

ROOT = Path(__file__).resolve().parents[2]


def settings_under(**environment) -> dict:
    """The mail settings a fresh process reads from this environment."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("EMAIL_")}
    env.update(environment, DJANGO_SETTINGS_MODULE="newsroom.settings")
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in "
        "['EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_HOST_USER', 'EMAIL_HOST_PASSWORD', "
        "'EMAIL_USE_TLS', 'EMAIL_USE_SSL']}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_an_smtp_url_with_starttls_names_server_port_and_login():
    assert parse_email_url("smtp://desk%40paper.example:p%3Ass@mail.paper.example:587/?tls=1") == {
        "host": "mail.paper.example",
        "port": 587,
        "user": "desk@paper.example",
        "password": "p:ss",
        "use_tls": True,
        "use_ssl": False,
    }


def test_smtps_means_tls_from_the_first_byte_on_port_465():
    parsed = parse_email_url("smtps://mail.paper.example")
    assert (parsed["port"], parsed["use_ssl"], parsed["use_tls"]) == (465, True, False)


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "smtp://mail.example:notaport/"])
def test_a_malformed_email_url_stops_the_site_with_a_clear_message(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        parse_email_url(url)


def test_mail_goes_to_the_console_when_nothing_is_set():
    assert settings_under()["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_email_url_sends_mail_through_that_server():
    found = settings_under(EMAIL_URL="submission://desk:secret@mail.paper.example")
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (found["EMAIL_HOST"], found["EMAIL_PORT"], found["EMAIL_USE_TLS"]) == ("mail.paper.example", 587, True)
    assert (found["EMAIL_HOST_USER"], found["EMAIL_HOST_PASSWORD"]) == ("desk", "secret")


def test_email_host_sends_mail_through_that_server():
    found = settings_under(EMAIL_HOST="mail.paper.example", EMAIL_PORT="2525", EMAIL_USE_TLS="1")
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (found["EMAIL_HOST"], found["EMAIL_PORT"], found["EMAIL_USE_TLS"]) == ("mail.paper.example", 2525, True)


def test_an_unknown_choice_for_deleted_readers_comments_stops_the_site():
    env = {key: value for key, value in os.environ.items()}
    env.update(DELETED_READER_COMMENTS="shred", DJANGO_SETTINGS_MODULE="newsroom.settings")
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; settings.INSTALLED_APPS"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DELETED_READER_COMMENTS" in result.stderr
