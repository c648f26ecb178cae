"""Fetching from the web on the desk's behalf, bounded, and never into the desk's own network.

Feeds, URL imports and webhook deliveries all go through ``fetch``. A URL comes from
outside (a feed item, an editor's paste, a webhook subscription), so every request is:

- only ``http``/``https``, with no user name or password in the URL;
- made to an address checked first: the host is resolved once, every address it resolves
  to must be public (not private, loopback, link-local, multicast, reserved or unspecified)
  unless it lies in ``NEWSFACTS_FETCH_ALLOWED_NETWORKS``, and the connection goes to that
  checked address (TLS still verifies the certificate against the host name), so a DNS
  answer that changes between check and connect (DNS rebinding) cannot reach inside;
- redirected at most ``NEWSFACTS_FETCH_MAX_REDIRECTS`` times, each hop checked as above;
- bounded in time (connect and read timeouts, and a total deadline) and in size (the body
  is read in pieces and refused past ``NEWSFACTS_FETCH_MAX_BYTES``, compressed or not).

urllib3 does the HTTP; this module only decides where it may go and how much it may read.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin

import urllib3
from django.conf import settings
from urllib3.util import parse_url

REDIRECTS = (301, 302, 303, 307, 308)
# Statuses worth trying again later: the server is down or asks us to slow down.
TRANSIENT_STATUSES = (408, 425, 429, 500, 502, 503, 504)
READ_PIECE = 64 * 1024


class FetchError(Exception):
    """A URL that could not be fetched, with a message an editor can act on.

    ``transient``: trying again later may work (a timeout, a server error); otherwise the
    URL itself is the problem (refused address, too large, not found).
    """

    def __init__(self, message: str, *, transient: bool = False, status: int | None = None):
        super().__init__(message)
        self.transient = transient
        self.status = status


class RefusedAddress(FetchError):
    """The URL leads to an address the desk must not reach (its own network)."""


@dataclass
class Fetched:
    url: str  # after redirects
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = part.partition("=")
            if name.strip().lower() == "charset":
                return value.strip().strip("\"'")
        return ""

    def raise_for_status(self) -> None:
        if self.status >= 400:
            raise FetchError(
                f"{self.url} answered HTTP {self.status}.",
                transient=self.status in TRANSIENT_STATUSES,
                status=self.status,
            )


def fetch(
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    max_bytes: int | None = None,
    follow_redirects: bool = True,
    read_body: bool = True,
) -> Fetched:
    """Fetch ``url`` within the desk's bounds; raises FetchError (RefusedAddress for a
    forbidden address). Any HTTP status is returned, redirects followed unless told not
    to; ``raise_for_status`` turns 4xx/5xx into FetchError. ``read_body=False`` reads
    only the status and headers (a webhook receiver's answer)."""
    max_bytes = settings.NEWSFACTS_FETCH_MAX_BYTES if max_bytes is None else max_bytes
    deadline = time.monotonic() + settings.NEWSFACTS_FETCH_TOTAL_TIMEOUT
    for _ in range(settings.NEWSFACTS_FETCH_MAX_REDIRECTS + 1):
        pool, response = _request(
            url, method=method, headers=headers or {}, body=body, deadline=deadline
        )
        try:
            location = response.headers.get("location", "")
            if not (follow_redirects and response.status in REDIRECTS and location):
                return Fetched(
                    url=url,
                    status=response.status,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    body=_read_bounded(response, url=url, max_bytes=max_bytes, deadline=deadline)
                    if read_body
                    else b"",
                )
        finally:
            response.release_conn()
            pool.close()
        url = urljoin(url, location.strip())
        if response.status == 303 or (response.status in (301, 302) and method == "POST"):
            method, body = "GET", None
    raise FetchError(
        f"More than {settings.NEWSFACTS_FETCH_MAX_REDIRECTS} redirects; gave up at {url}."
    )


def check_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of a URL the desk may fetch, or FetchError.

    Checks the form only; the address is checked when the host is resolved."""
    try:
        parts = parse_url(url.strip())
    except (ValueError, urllib3.exceptions.LocationParseError):
        raise FetchError(f"Not a valid web address: {url[:200]!r}.") from None
    scheme = (parts.scheme or "").lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"Only http:// and https:// addresses can be fetched, not {url[:200]!r}.")
    if not parts.host:
        raise FetchError(f"No host in {url[:200]!r}.")
    if parts.auth:
        raise FetchError("Addresses with a user name or password are not fetched.")
    port = parts.port or (443 if scheme == "https" else 80)
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    return scheme, parts.host.strip("[]").lower(), port, target


def resolve_public(host: str, port: int) -> str:
    """The address to connect to for ``host``: every address it resolves to must be one
    the desk may reach, so a name that also points inside is refused outright."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"{host} could not be resolved ({exc}).", transient=True) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise FetchError(f"{host} has no address.", transient=True)
    for address in addresses:
        if not address_allowed(address):
            raise RefusedAddress(
                f"{host} resolves to {address}, an address on a private, loopback, "
                "link-local or reserved network; the desk does not fetch from there."
            )
    return addresses[0]


def address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:  # ::ffff:127.0.0.1 is 127.0.0.1
        ip = ip.ipv4_mapped
    for network in settings.NEWSFACTS_FETCH_ALLOWED_NETWORKS:
        if ip in ipaddress.ip_network(network, strict=False):
            return True
    return ip.is_global and not ip.is_multicast


def _request(url: str, *, method: str, headers: dict, body: bytes | None, deadline: float):
    scheme, host, port, target = check_url(url)
    address = resolve_public(host, port)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError(f"{url} took longer than the time limit.", transient=True)
    timeout = urllib3.Timeout(
        connect=min(settings.NEWSFACTS_FETCH_CONNECT_TIMEOUT, remaining),
        read=min(settings.NEWSFACTS_FETCH_READ_TIMEOUT, remaining),
    )
    default_port = 443 if scheme == "https" else 80
    host_header = host if ":" not in host else f"[{host}]"
    if port != default_port:
        host_header = f"{host_header}:{port}"
    request_headers = {
        "Host": host_header,
        "User-Agent": settings.NEWSFACTS_FETCH_USER_AGENT,
        "Accept-Encoding": "gzip, deflate",
        **headers,
    }
    # The pool connects to the checked address, never to the name (which could resolve
    # elsewhere by now); for HTTPS the name is still what SNI and the certificate check use.
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=timeout,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            assert_hostname=host,
            server_hostname=host,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
    try:
        response = pool.urlopen(
            method,
            target,
            body=body,
            headers=request_headers,
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
    except urllib3.exceptions.HTTPError as exc:
        pool.close()
        raise _request_error(url, exc) from None
    return pool, response


def _request_error(url: str, exc: Exception) -> FetchError:
    # NewConnectionError (refused, unreachable) is a TimeoutError subclass in urllib3.
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return FetchError(f"{url} could not be reached ({_reason(exc)}).", transient=True)
    if isinstance(exc, urllib3.exceptions.TimeoutError):
        return FetchError(f"{url} did not answer in time.", transient=True)
    if isinstance(exc, urllib3.exceptions.SSLError):
        return FetchError(f"{url}: the secure connection failed ({_reason(exc)}).")
    return FetchError(f"{url} could not be reached ({_reason(exc)}).", transient=True)


def _read_bounded(response, *, url: str, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"{url} is {int(declared):,} bytes; the limit is {max_bytes:,} bytes.")
    pieces, size = [], 0
    try:
        # read1: at most one read from the socket per call, so the deadline is checked
        # between reads even when a server drips a byte at a time.
        while piece := response.read1(READ_PIECE):
            size += len(piece)
            if size > max_bytes:
                raise FetchError(f"{url} is larger than the limit of {max_bytes:,} bytes.")
            if time.monotonic() > deadline:
                raise FetchError(f"{url} took longer than the time limit.", transient=True)
            pieces.append(piece)
    except urllib3.exceptions.TimeoutError:
        raise FetchError(f"{url} stopped sending in the middle.", transient=True) from None
    except urllib3.exceptions.DecodeError:
        raise FetchError(f"{url} sent a body that does not decompress.") from None
    except urllib3.exceptions.HTTPError as exc:
        raise FetchError(f"{url} broke off ({_reason(exc)}).", transient=True) from None
    return b"".join(pieces)


def _reason(exc: Exception) -> str:
    reason = getattr(exc, "reason", None) or exc
    return str(reason).split(": ", 1)[-1][:200]
