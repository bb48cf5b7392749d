"""Reading the mail server's address from one EMAIL_URL setting, as hosting platforms hand it out."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SCHEMES = {"smtp": 25, "submission": 587, "smtps": 465}
TRUE = {"1", "true", "yes", "on"}


def parse_email_url(url: str) -> dict:
    """``smtp://user:password@host:port/?tls=1`` as Django's EMAIL_* values.

    ``smtps`` means TLS from the first byte (port 465); ``smtp`` with ``?tls=1`` (or ``submission``) means
    STARTTLS. The user and password may be percent-encoded, since they can hold "@" or ":".
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in SCHEMES:
        raise ImproperlyConfigured(f"EMAIL_URL must start with smtp://, submission:// or smtps://, not {url!r}.")
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL names no mail server: smtp://user:password@host:port/.")
    query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
    try:
        port = parts.port or SCHEMES[parts.scheme]
    except ValueError as error:
        raise ImproperlyConfigured(f"EMAIL_URL has a port that is not a number: {error}.") from None
    use_ssl = parts.scheme == "smtps" or query.get("ssl") in TRUE
    use_tls = not use_ssl and (parts.scheme == "submission" or query.get("tls") in TRUE)
    return {
        "host": parts.hostname,
        "port": port,
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "use_tls": use_tls,
        "use_ssl": use_ssl,
    }
