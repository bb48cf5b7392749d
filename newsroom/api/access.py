"""Who is asking the content API, how often they may, and from which web origins.

One middleware, active under /api/ only, so the public pages and the admin pay
nothing for it: it reads the partner's key, counts the request against the
anonymous or the keyed rate, answers CORS preflights for the configured origins
and adds the CORS headers to the API's own responses.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

from .models import ApiKey, digest

logger = logging.getLogger(__name__)

PREFIX = "/api/"
# A key's "last used" time is written at most this often: a busy partner would otherwise write a row per request.
LAST_USED_GRANULARITY = timedelta(minutes=5)
# Longer than any real key; anything longer is refused before it is hashed.
MAX_KEY_LENGTH = 200
EXPOSED_HEADERS = "ETag, Last-Modified, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining"


def error(status: int, detail: str, **headers) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def presented_key(request) -> str | None:
    """The key sent as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``; None when neither is sent."""
    authorization = request.headers.get("Authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    value = request.headers.get("X-API-Key", "").strip()
    return value or None


def find_key(raw: str) -> ApiKey | None:
    if len(raw) > MAX_KEY_LENGTH:
        return None
    key = ApiKey.objects.usable().filter(key_hash=digest(raw)).first()
    if key is not None:
        now = timezone.now()
        if key.last_used_at is None or key.last_used_at < now - LAST_USED_GRANULARITY:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
    return key


def client_address(request) -> str:
    # The same reading of X-Forwarded-For as the comments' flood limits and sign-in throttling.
    from newsroom.comments.views import client_address as address

    return address(request) or "unknown"


def rate_for(group: str, request) -> str:
    if getattr(request, "api_key", None) is not None:
        return settings.API_RATE_KEYED
    return settings.API_RATE_ANONYMOUS


def rate_key(group: str, request) -> str:
    key = getattr(request, "api_key", None)
    return f"key:{key.pk}" if key is not None else f"ip:{client_address(request)}"


def usage(request) -> dict | None:
    """The request counted against its rate; None when the cache cannot count it (then it passes)."""
    try:
        return get_usage(request, group="dateline-api", key=rate_key, rate=rate_for, method=ALL, increment=True)
    except Exception:
        # The cache is an accelerator: with it broken the API is unmetered, never unavailable.
        logger.warning("API rate limit not counted: the cache failed", exc_info=True)
        return None


def allowed_origin(request) -> str | None:
    origin = request.headers.get("Origin")
    if origin and origin in settings.API_CORS_ORIGINS:
        return origin
    return None


def add_cors(request, response) -> None:
    origin = allowed_origin(request)
    vary = [v.strip() for v in response.get("Vary", "").split(",") if v.strip()]
    if "Origin" not in vary:
        response["Vary"] = ", ".join([*vary, "Origin"])
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS


class ApiAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        response = self.handle(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            # An address under /api/ that no route matches, or a method none answers: still JSON for the client.
            original = response
            response = error(original.status_code, f"{original.reason_phrase}: {request.path[:200]}")
            if original.has_header("Allow"):
                response["Allow"] = original["Allow"]
        add_cors(request, response)
        return response

    def handle(self, request):
        if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
            return self.preflight(request)
        request.api_key = None
        raw = presented_key(request)
        if raw is not None:
            request.api_key = find_key(raw)
            if request.api_key is None:
                return error(
                    401,
                    "This API key is not valid or has been revoked. Send a current key, or none for anonymous access.",
                    WWW_Authenticate='Bearer realm="Dateline content API"',
                )
        counted = usage(request)
        if counted is not None:
            remaining = max(0, counted["limit"] - counted["count"])
            if counted["should_limit"]:
                wait = max(1, counted["time_left"])
                plan = "your key's" if request.api_key else "the anonymous"
                return error(
                    429,
                    f"Too many requests: {plan} limit is {rate_for('', request)}. Try again in {wait} seconds.",
                    Retry_After=str(wait),
                    X_RateLimit_Limit=str(counted["limit"]),
                    X_RateLimit_Remaining="0",
                )
        response = self.get_response(request)
        if counted is not None:
            response["X-RateLimit-Limit"] = str(counted["limit"])
            response["X-RateLimit-Remaining"] = str(remaining)
        return response

    def preflight(self, request):
        if not allowed_origin(request):
            return error(403, "This origin may not call the Dateline content API from a browser.")
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Authorization, X-API-Key, If-None-Match, If-Modified-Since"
        response["Access-Control-Max-Age"] = "3600"
        return response
