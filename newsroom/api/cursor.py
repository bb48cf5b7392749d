"""Opaque cursors for keyset pagination.

A cursor carries the sort key of the last item a page showed and its id, so
the next page starts right after it whatever was inserted meanwhile. It is
signed, so a client can only hand back what the API gave it, and an altered or
truncated cursor is refused with a clear message instead of reaching a query.
"""

from __future__ import annotations

import base64
import json

from django.core import signing

SALT = "dateline.api.cursor"
MAX_LENGTH = 500


class BadCursor(ValueError):
    pass


def encode(mode: str, values: list) -> str:
    payload = json.dumps([mode, *values], separators=(",", ":"))
    signed = signing.Signer(salt=SALT).sign(payload)
    return base64.urlsafe_b64encode(signed.encode()).decode().rstrip("=")


def decode(cursor: str, mode: str) -> list:
    problem = BadCursor("This cursor is not one this API gave out for this list. Start again without it.")
    if len(cursor) > MAX_LENGTH:
        raise problem
    try:
        signed = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        payload = json.loads(signing.Signer(salt=SALT).unsign(signed))
    except (ValueError, signing.BadSignature, UnicodeDecodeError):
        raise problem from None
    if not isinstance(payload, list) or not payload or payload[0] != mode:
        raise problem
    return payload[1:]
