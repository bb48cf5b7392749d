"""One POST to a receiver: short timeouts, no redirects, and never to this machine or the private network.

The address is resolved once and the connection made to the address that was checked, so a name that
resolves to a public address at the check and a private one at the connection cannot slip through.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

# Enough of a reply to show in the log; the rest is not read.
REPLY_BYTES = 4096


class Refused(Exception):
    """The address may not be sent to: wrong scheme, or a private address while those are not allowed."""


def allow_private() -> bool:
    return getattr(settings, "WEBHOOKS_ALLOW_PRIVATE", False)


def check_scheme(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Refused("Only http and https addresses can receive webhooks.")
    if not parts.hostname:
        raise Refused("The address has no host name.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise Refused("The address has an invalid port.") from error
    return parts.scheme, parts.hostname, port


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_host_literal(url: str) -> None:
    """What can be told without the network: the scheme, and a host that is plainly this machine or private."""
    _, host, _ = check_scheme(url)
    if allow_private():
        return
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        raise Refused("Addresses on this machine cannot receive webhooks.")
    try:
        public = is_public(host)
    except ValueError:
        return
    if not public:
        raise Refused("Private and loopback addresses cannot receive webhooks.")


def resolve(host: str, port: int) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise Refused(f"The host name {host} does not resolve.") from error
    addresses = [info[4][0] for info in infos]
    if not allow_private():
        for address in addresses:
            if not is_public(address):
                raise Refused(f"{host} resolves to a private or loopback address ({address}).")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, address: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, address: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the name in the address, not the number connected to.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> int:
    """POST ``body``; return the response's status code. Raises Refused or OSError (timeouts included)."""
    scheme, host, port = check_scheme(url)
    check_host_literal(url)
    address = resolve(host, port)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, timeout=timeout, address=address)
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(REPLY_BYTES)
        return response.status
    except http.client.HTTPException as error:
        raise OSError(f"Bad reply: {error.__class__.__name__}") from error
    finally:
        connection.close()
