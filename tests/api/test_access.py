"""Partners' keys, request rates and CORS."""

from __future__ import annotations

import hashlib
import re
import socket
import uuid

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from newsroom import cache as resilient
from newsroom.api.models import ApiKey
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def issued(name: str = "Harbour Radio app", **fields) -> tuple[ApiKey, str]:
    key = ApiKey(name=name, owner=fields.pop("owner", None) or UserFactory(), **fields)
    raw = key.issue()
    key.save()
    return key, raw


@pytest.fixture
def administrator():
    user = UserFactory(username="chief", is_staff=True)
    user.groups.add(Group.objects.get(name="Administrator"))
    client = Client()
    client.force_login(user)
    return user, client


def test_an_administrator_creates_a_key_sees_it_once_and_only_its_digest_is_stored(administrator, api):
    user, client = administrator
    ArticleFactory()

    page = client.post("/admin/api/apikey/add/", {"name": "Harbour Radio app", "owner": user.pk})

    assert page.status_code == 200
    raw = re.search(r'value="(dl_[0-9a-f]{8}_[A-Za-z0-9_-]{40,})"', page.content.decode()).group(1)
    key = ApiKey.objects.get()
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(f"dl_{key.prefix}_")
    assert raw not in str(list(ApiKey.objects.values()))
    # Listed with its prefix only, never the secret.
    listing = client.get("/admin/api/apikey/").content.decode()
    assert f"dl_{key.prefix}_" in listing and raw not in listing
    assert raw not in client.get(f"/admin/api/apikey/{key.pk}/change/").content.decode()
    assert api.get("/api/v1/stories", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_an_administrator_revokes_a_key_and_it_is_refused_at_once(administrator, api):
    user, client = administrator
    key, raw = issued()
    assert api.get("/api/v1/stories", HTTP_X_API_KEY=raw).status_code == 200

    client.post(f"/admin/api/apikey/{key.pk}/change/", {"name": key.name, "owner": key.owner_id, "revoke": "on"})

    key.refresh_from_db()
    assert key.revoked_at is not None
    refused = api.get("/api/v1/stories", HTTP_X_API_KEY=raw)
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]


def test_revoke_action_on_the_list_revokes_the_chosen_keys(administrator):
    user, client = administrator
    first, _ = issued("One")
    second, _ = issued("Two")

    client.post("/admin/api/apikey/", {"action": "revoke_keys", "_selected_action": [first.pk]})

    assert ApiKey.objects.get(pk=first.pk).is_revoked
    assert not ApiKey.objects.get(pk=second.pk).is_revoked


def test_a_key_works_in_either_header_and_records_when_it_was_last_used(api):
    key, raw = issued()

    assert api.get("/api/v1/stories", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert api.get("/api/v1/stories", HTTP_X_API_KEY=raw).status_code == 200

    key.refresh_from_db()
    assert key.last_used_at is not None and (timezone.now() - key.last_used_at).total_seconds() < 60


@pytest.mark.parametrize("header", ["HTTP_AUTHORIZATION", "HTTP_X_API_KEY"])
def test_an_unknown_key_answers_401_in_json(api, header):
    value = "dl_00000000_not-a-real-key"
    response = api.get("/api/v1/stories", **{header: f"Bearer {value}" if header == "HTTP_AUTHORIZATION" else value})

    assert response.status_code == 401
    assert response.json()["detail"].startswith("This API key is not valid")


def test_anonymous_clients_get_the_low_rate_then_429_with_retry_after(api, settings):
    settings.API_RATE_ANONYMOUS = "3/m"
    settings.API_RATE_KEYED = "10/m"

    answers = [api.get("/api/v1/sections") for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0]["X-RateLimit-Limit"] == "3"
    assert int(answers[3]["Retry-After"]) >= 1
    assert "Too many requests" in answers[3].json()["detail"]


def test_a_key_gets_the_higher_rate_counted_for_that_key(api, settings):
    settings.API_RATE_ANONYMOUS = "2/m"
    settings.API_RATE_KEYED = "5/m"
    _, raw = issued()

    keyed = [api.get("/api/v1/sections", HTTP_X_API_KEY=raw).status_code for _ in range(6)]

    assert keyed == [200] * 5 + [429]
    assert api.get("/api/v1/sections").status_code == 200


def test_with_the_cache_down_requests_pass_unmetered(api, settings, caplog):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": f"dateline-test-{uuid.uuid4().hex[:8]}",
            "OPTIONS": {"SKIP_SECONDS": 60},
        }
    }
    settings.API_RATE_ANONYMOUS = "1/m"
    resilient._breakers.clear()
    ArticleFactory()
    try:
        answers = [api.get("/api/v1/stories").status_code for _ in range(3)]
    finally:
        resilient._breakers.clear()

    assert answers == [200, 200, 200]


def test_cors_headers_go_to_configured_origins_only(api, settings):
    settings.API_CORS_ORIGINS = ["https://app.harbour.example"]

    allowed = api.get("/api/v1/sections", HTTP_ORIGIN="https://app.harbour.example")
    other = api.get("/api/v1/sections", HTTP_ORIGIN="https://elsewhere.example")
    page = api.get("/", HTTP_ORIGIN="https://app.harbour.example")

    assert allowed["Access-Control-Allow-Origin"] == "https://app.harbour.example"
    assert "ETag" in allowed["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Origin" not in other
    assert "Origin" in other["Vary"]
    assert "Access-Control-Allow-Origin" not in page


def test_a_preflight_from_a_configured_origin_is_answered(api, settings):
    settings.API_CORS_ORIGINS = ["https://app.harbour.example"]
    preflight = {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "GET", "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "x-api-key"}

    allowed = api.options("/api/v1/stories", HTTP_ORIGIN="https://app.harbour.example", **preflight)
    refused = api.options("/api/v1/stories", HTTP_ORIGIN="https://elsewhere.example", **preflight)

    assert allowed.status_code == 204
    assert allowed["Access-Control-Allow-Origin"] == "https://app.harbour.example"
    assert "X-API-Key" in allowed["Access-Control-Allow-Headers"]
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused
