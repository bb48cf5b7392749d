"""Partners' keys to the content API.

Only a key's SHA-256 digest is stored: a copy of the database gives nobody a
working key. The short prefix kept in clear is what an administrator and the
partner both see, so a key can be told apart from others without its secret.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

KEY_LABEL = "dl"
PREFIX_BYTES = 4
SECRET_BYTES = 32


def digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8", "surrogatepass")).hexdigest()


def new_raw_key() -> tuple[str, str]:
    """A fresh key and its visible prefix: 256 bits of randomness behind a label and 8 hex digits."""
    prefix = secrets.token_hex(PREFIX_BYTES)
    return f"{KEY_LABEL}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}", prefix


class ApiKeyQuerySet(models.QuerySet):
    def usable(self) -> ApiKeyQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    name = models.CharField("name", max_length=150, help_text="Who or what uses it, e.g. 'Harbour Radio app'.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="owner",
        on_delete=models.PROTECT,
        related_name="api_keys",
        help_text="The Dateline account answerable for this key.",
    )
    prefix = models.CharField("prefix", max_length=16, editable=False, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("created", default=timezone.now, editable=False)
    last_used_at = models.DateTimeField("last used", null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField("revoked", null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "API key"
        verbose_name_plural = "API keys"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({KEY_LABEL}_{self.prefix}_…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def issue(self) -> str:
        """Give this key a new secret and return it: the only moment it can be read."""
        raw, self.prefix = new_raw_key()
        self.key_hash = digest(raw)
        return raw
