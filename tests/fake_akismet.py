"""A local HTTP server that speaks Akismet's REST protocol, for integration and browser tests.

It answers as Akismet does for its documented test values, records every request, and
can be switched into the ways the real service fails: 503, 429 (too many requests), too
slow, "invalid" key, or a reply Akismet never sends.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

VALID_KEY = "fake-akismet-key"
SPAM_AUTHOR = "viagra-test-123"
SPAM_EMAIL = "akismet-guaranteed-spam@example.com"
DISCARD_MARKER = "[blatant-spam]"
SUBMIT_ANSWER = "Thanks for making the web a better place."

FAULTS = {None, "503", "429", "slow", "invalid", "garbage"}


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    params: dict[str, str]


class FakeAkismet:
    """Runs the fake on 127.0.0.1 on a free port, in a background thread."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.fault: str | None = None
        self.slow_seconds = 1.5
        # Called with the endpoint before each answer, in the server's thread: a test's
        # way to make something happen while the site waits for Akismet.
        self.before_answer: Callable[[str], None] | None = None
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeAkismet":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
        self.fault = None
        self.before_answer = None

    def set_fault(self, fault: str | None) -> None:
        assert fault in FAULTS, f"unknown fault {fault!r}"
        self.fault = fault

    def record(self, path: str, params: dict[str, str]) -> None:
        with self._lock:
            self.requests.append(RecordedRequest(path, params))

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        """Requests to an endpoint such as "comment-check" or "submit-ham"."""
        with self._lock:
            return [r for r in self.requests if r.path == f"/1.1/{endpoint}"]


def comment_check_answer(params: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Akismet's verdict for these parameters: its test values, else ham."""
    if DISCARD_MARKER in params.get("comment_content", ""):
        return "true", {"X-akismet-pro-tip": "discard"}
    if params.get("comment_author") == SPAM_AUTHOR:
        return "true", {}
    if params.get("comment_author_email") == SPAM_EMAIL:
        return "true", {}
    return "false", {}


def _handler_for(fake: FakeAkismet):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle's algorithm the second waits
        # for the client's delayed ACK, adding 40 ms to every answer.
        disable_nagle_algorithm = True

        def log_message(self, format, *args):  # Keep test output quiet.
            pass

        def do_GET(self):
            self._answer(405, "Method not allowed")

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8")
            params = {key: values[-1] for key, values in parse_qs(body).items()}
            fake.record(self.path, params)
            if fake.before_answer is not None:
                fake.before_answer(self.path.removeprefix("/1.1/"))
            fault = fake.fault
            if fault == "503":
                return self._answer(503, "Service Unavailable")
            if fault == "429":
                return self._answer(429, "Too Many Requests", {"Retry-After": "60"})
            if fault == "slow":
                time.sleep(min(fake.slow_seconds, 5))
            if fault == "garbage":
                return self._answer(200, "<html>Something went wrong</html>")
            endpoint = self.path.removeprefix("/1.1/")
            if endpoint == "verify-key":
                valid = params.get("key") == VALID_KEY and params.get("blog") and fault is None
                return self._answer(200, "valid" if valid else "invalid")
            if endpoint not in {"comment-check", "submit-spam", "submit-ham"}:
                return self._answer(404, "Not found")
            if fault == "invalid" or params.get("api_key") != VALID_KEY:
                return self._answer(
                    200, "invalid", {"X-akismet-debug-help": "Empty or invalid API key"}
                )
            for required in ("blog", "user_ip"):
                if not params.get(required):
                    help_text = f"Missing required field: {required}."
                    return self._answer(200, "invalid", {"X-akismet-debug-help": help_text})
            if endpoint == "comment-check":
                return self._answer(200, *comment_check_answer(params))
            return self._answer(200, SUBMIT_ANSWER)

        def _answer(self, status, text, headers=None):
            data = text.encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # The client gave up waiting (the "slow" fault).

    return Handler
