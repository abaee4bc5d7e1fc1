"""Other people's sites, for tests: a real HTTP server on 127.0.0.1 whose pages a test
writes, and which records every request it gets.

    def test_something(local_site, allow_private_addresses):
        local_site.page("/post", "<a href='/'>home</a>", headers=[("Link", '</e>; rel="x"')])
        local_site.redirect("/old", "/post")
        local_site.page("/endpoint", "", status=202)
        ... local_site.url("/old") ...
        [request] = local_site.requests_to("/endpoint")
        request.form == {"source": [...], "target": [...]}

The fixtures `local_site` and `allow_private_addresses` are in tests/conftest.py: the
site's code refuses loopback addresses unless WEBMENTION_ALLOW_PRIVATE_ADDRESSES is on,
which the second turns on.
"""

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Page:
    body: bytes | Callable[[], Iterable[bytes]] = b""
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = "text/html; charset=utf-8"
    # Seconds before the answer starts, and between its chunks (a callable body).
    delay: float = 0
    chunk_delay: float = 0


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # With its query string.
    headers: dict[str, str]  # Names in lower case.
    body: bytes

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)


class LocalSite:
    """A server on a free port of 127.0.0.1, in a background thread."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        # A short poll, so that stopping at the end of each test takes no half second.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    scheme = "http"

    def serve_tls(self, context) -> None:
        """Answer over TLS with `context` (see `serve_tls` below), before `start`."""
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.scheme = "https"

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"{self.origin}{path}"

    def page(self, path: str, body: str | bytes | Callable = b"", **options) -> str:
        """Serve `body` at `path` (with or without its query string), to any method;
        returns the page's URL."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.pages[path] = Page(body, **options)
        return self.url(path)

    def redirect(self, path: str, location: str, *, status: int = 302) -> str:
        return self.page(path, status=status, headers=[("Location", location)])

    def requests_to(self, path: str, *, method: str | None = None) -> list[Request]:
        with self._lock:
            return [
                request
                for request in self.requests
                if path in {request.path, urlsplit(request.path).path}
                and method in {None, request.method}
            ]

    def record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def start(self) -> "LocalSite":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler_for(site: LocalSite):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format, *args):  # Keep test output quiet.
            pass

        def do_GET(self):
            self._answer()

        def do_POST(self):
            self._answer()

        def do_HEAD(self):
            self._answer()

        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            site.record(Request(self.command, self.path, headers, body))
            page = site.pages.get(self.path) or site.pages.get(urlsplit(self.path).path)
            if page is None:
                page = Page(b"Not found", status=404, content_type="text/plain")
            # The client may stop reading: a bound it keeps.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._send(page)

        def _send(self, page: Page):
            time.sleep(page.delay)
            self.send_response(page.status)
            self.send_header("Content-Type", page.content_type)
            for name, value in page.headers:
                self.send_header(name, value)
            if callable(page.body):
                # Until the connection closes: no length is known in advance.
                self.send_header("Connection", "close")
                self.end_headers()
                for chunk in page.body():
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    time.sleep(page.chunk_delay)
                self.close_connection = True
                return
            self.send_header("Content-Length", str(len(page.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(page.body)

    return Handler


def serve_tls(site: LocalSite, directory, *, names: list[str]) -> str:
    """Serve `site` over TLS with a certificate for `names`, signed by a certificate
    authority of its own; returns the authority's file, for SSL_CERT_FILE."""
    import datetime
    import ipaddress
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(common_name):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("Test authority"))
        .issuer_name(name("Test authority"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    alternatives = []
    for host in names:
        try:
            alternatives.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            alternatives.append(x509.DNSName(host))
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name(names[0]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = (directory / f for f in ("ca.pem", "cert.pem", "key.pem"))
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    site.serve_tls(context)
    return str(ca_file)
