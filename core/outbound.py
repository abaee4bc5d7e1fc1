"""The one way this site fetches or posts to other sites (Webmention, and whatever follows).

A URL that someone else wrote (a link in a post, a webmention's source) must not make the
server reach what only it can reach: its own loopback services, the private network, the
cloud's metadata address. So each request

- goes only to http(s);
- resolves the host once, refuses it if any of its addresses is not a public one
  (`address_refusal`), and connects to the address it checked, sending the original Host
  header and verifying TLS for the hostname, so that a second DNS answer ("rebinding")
  cannot send it elsewhere;
- follows redirects itself, at most MAX_REDIRECTS, checking every hop the same way;
- reads at most `max_bytes` of the body, and gives up after `timeout` seconds in all.

WEBMENTION_ALLOW_PRIVATE_ADDRESSES lets it reach private and loopback addresses (a site on
an intranet; the tests' local servers). Link-local (where clouds answer with credentials),
multicast, reserved and unspecified addresses stay refused even then: no site lives there.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urljoin

import httpx
from django.conf import settings

MAX_REDIRECTS = 5
MAX_BYTES = 1024 * 1024
TIMEOUT = 10.0
REDIRECT_STATUSES = {301, 302, 303, 307, 308}

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# IPv6 addresses that a NAT64 gateway turns into the IPv4 address in their last 32 bits.
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class OutboundRefused(Exception):
    """The request was not made: its scheme, or its host's address, is not allowed."""


class OutboundError(Exception):
    """The request failed: no answer, a timeout, too many redirects."""


@dataclass(frozen=True)
class Fetched:
    """An answer, after redirects: `url` is where it came from in the end."""

    url: str
    status: int
    headers: httpx.Headers
    content: bytes
    truncated: bool = False
    # Every address visited, the first asked for included: where each redirect led.
    history: tuple[str, ...] = field(default=())

    @cached_property
    def text(self) -> str:
        """The body decoded with the charset it declares, else UTF-8, never failing."""
        try:
            return self.content.decode(self.charset or "utf-8", errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    @property
    def charset(self) -> str | None:
        """The charset the Content-Type header declares, if any."""
        return _charset(self.headers.get("content-type", ""))

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").partition(";")[0].strip().lower()


def fetch(url: str, *, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT) -> Fetched:
    """GET `url`, following redirects. Raises OutboundRefused or OutboundError."""
    return _send("GET", url, max_bytes=max_bytes, timeout=timeout)


def post_form(
    url: str, data: dict, *, max_bytes: int = 64 * 1024, timeout: float = TIMEOUT
) -> Fetched:
    """POST `data` form-encoded to `url`. A 307 or 308 is followed with the same POST;
    any other redirect is the answer (browsers would turn it into a GET, losing the
    form)."""
    return _send("POST", url, data=data, max_bytes=max_bytes, timeout=timeout)


def address_refusal(address: Address, *, allow_private: bool) -> str | None:
    """Why the site must not connect to `address`, or None if it may."""
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv4 address inside an IPv6 one reaches that IPv4 address.
        embedded = address.ipv4_mapped or address.sixtofour
        if address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return address_refusal(embedded, allow_private=allow_private)
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_loopback:
        return None if allow_private else "a loopback address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_global or allow_private:
        return None
    return "a private address"


def _send(method, url, *, data=None, max_bytes, timeout) -> Fetched:
    deadline = time.monotonic() + timeout
    history = []
    # No proxy from the environment (it would connect in our stead, to addresses we never
    # checked); its certificate authorities (SSL_CERT_FILE) are kept.
    verify = httpx.create_ssl_context(trust_env=True)
    with httpx.Client(trust_env=False, verify=verify, follow_redirects=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            history.append(url)
            target = _checked_url(url)
            response = _open(client, method, target, data=data, deadline=deadline)
            try:
                location = _followed_location(method, response)
                if location:
                    url = urljoin(url, location)
                    continue
                content, truncated = _read(response, url, max_bytes=max_bytes, deadline=deadline)
            finally:
                response.close()
            return Fetched(
                url=url,
                status=response.status_code,
                headers=response.headers,
                content=content,
                truncated=truncated,
                history=tuple(history),
            )
    raise OutboundError(f"More than {MAX_REDIRECTS} redirects, the last to {url}.")


def _followed_location(method: str, response: httpx.Response) -> str | None:
    """Where a redirect that is to be followed leads; None for any other answer."""
    location = response.headers.get("location", "").strip()
    if response.status_code not in REDIRECT_STATUSES or not location:
        return None
    if method != "GET" and response.status_code not in {307, 308}:
        return None
    return location


@dataclass(frozen=True)
class _Target:
    url: httpx.URL
    addresses: list[Address]


def _checked_url(url: str) -> _Target:
    """`url`, parsed, with the addresses of its host, once each is known to be allowed."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as error:
        raise OutboundRefused(f"{url!r} is not a valid URL ({error}).") from None
    if parsed.scheme not in {"http", "https"}:
        raise OutboundRefused(f"Only http and https addresses are fetched, not {url!r}.")
    host = parsed.raw_host.decode("ascii")
    if not host:
        raise OutboundRefused(f"{url!r} names no host.")
    allow_private = getattr(settings, "WEBMENTION_ALLOW_PRIVATE_ADDRESSES", False)
    addresses = _resolve(host, parsed.port or (443 if parsed.scheme == "https" else 80))
    for address in addresses:
        refusal = address_refusal(address, allow_private=allow_private)
        if refusal:
            raise OutboundRefused(f"{host} is {refusal} ({address}): not fetched.")
    return _Target(parsed, addresses)


def _resolve(host: str, port: int) -> list[Address]:
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise OutboundError(f"{host} could not be resolved ({error}).") from None
    addresses = []
    for *_, sockaddr in answers:
        # An IPv6 address may come with a zone ("fe80::1%eth0"), which no public one has.
        address = ipaddress.ip_address(sockaddr[0].partition("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OutboundError(f"{host} has no address.")
    return addresses


def _open(client, method, target: _Target, *, data, deadline) -> httpx.Response:
    """Send the request to each checked address in turn until one answers; the Host
    header and TLS (SNI and the certificate's name) keep the hostname."""
    url = target.url
    headers = {
        "Host": url.netloc.decode("ascii"),
        "User-Agent": f"{settings.SITE_NAME} ({settings.SITE_URL})",
        # No compression: max_bytes bounds what is read, and so what is kept.
        "Accept-Encoding": "identity",
    }
    error = None
    for address in target.addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        request = client.build_request(
            method,
            url.copy_with(host=str(address)),
            headers=headers,
            data=data,
            timeout=httpx.Timeout(remaining),
            extensions={"sni_hostname": url.raw_host.decode("ascii")},
        )
        try:
            return client.send(request, stream=True)
        except httpx.ConnectError as failure:
            error = failure
        except httpx.TimeoutException:
            break
        except httpx.HTTPError as failure:
            raise OutboundError(f"{url} failed: {failure or type(failure).__name__}.") from None
    if error is not None:
        raise OutboundError(f"{url} could not be reached: {error}.") from None
    raise OutboundError(f"{url} did not answer in time.")


def _read(
    response: httpx.Response, url: str, *, max_bytes: int, deadline: float
) -> tuple[bytes, bool]:
    """At most `max_bytes` of the body, and whether there was more."""
    chunks, size = [], 0
    try:
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                return b"".join(chunks)[:max_bytes], True
            if time.monotonic() > deadline:
                raise OutboundError(f"{url} took too long to send its page.")
    except httpx.TimeoutException:
        raise OutboundError(f"{url} stopped sending its page.") from None
    except httpx.HTTPError as failure:
        raise OutboundError(f"Reading {url} failed: {failure}.") from None
    return b"".join(chunks), False


def _charset(content_type: str) -> str | None:
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None
