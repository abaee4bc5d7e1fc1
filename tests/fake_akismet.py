"""A local HTTP server that speaks Akismet's REST protocol, for integration and browser tests.

It answers as Akismet does for its documented test values, records every request, and
can be switched into the ways the real service fails: 503, 429 (too many requests), too
slow, "invalid" key, or a reply Akismet never sends. comment-check answers carry the
X-akismet-* headers (a check id always; an account alert when `alert` is set), and the
usage-limit and key-sites endpoints answer in the shapes of Akismet's documentation.
"""

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

VALID_KEY = "fake-akismet-key"
SPAM_AUTHOR = "viagra-test-123"
SPAM_EMAIL = "akismet-guaranteed-spam@example.com"
DISCARD_MARKER = "[blatant-spam]"
SUBMIT_ANSWER = "Thanks for making the web a better place."

FAULTS = {None, "503", "429", "slow", "invalid", "garbage"}

# Akismet's documented answers (akismet.com/developers: usage-limit, key-sites).
USAGE_LIMIT = {"limit": 350000, "usage": 7463, "percentage": "2.13", "throttled": False}
KEY_SITES_ROWS = [
    {
        "site": "127.0.0.1",
        "api_calls": "2072",
        "spam": "2069",
        "ham": "3",
        "missed_spam": "1",
        "false_positives": "4",
        "is_revoked": False,
    },
    {
        "site": "site4748.example.com",
        "api_calls": "1633",
        "spam": "3",
        "ham": "1630",
        "missed_spam": "0",
        "false_positives": "0",
        "is_revoked": True,
    },
]


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    params: dict[str, str]
    # Every value of every field, blank ones kept: the body exactly as sent.
    form: dict[str, list[str]]
    method: str = "POST"


class FakeAkismet:
    """Runs the fake on 127.0.0.1 on a free port, in a background thread."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.fault: str | None = None
        self.slow_seconds = 1.5
        # (code, message) of an account alert sent with every comment-check answer.
        self.alert: tuple[str, str] | None = None
        self.usage_limit = dict(USAGE_LIMIT)
        self.key_sites_rows = [dict(row) for row in KEY_SITES_ROWS]
        self._check_ids = itertools.count(1)
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
        self.alert = None
        self.usage_limit = dict(USAGE_LIMIT)
        self.key_sites_rows = [dict(row) for row in KEY_SITES_ROWS]
        self._check_ids = itertools.count(1)

    def set_fault(self, fault: str | None) -> None:
        assert fault in FAULTS, f"unknown fault {fault!r}"
        self.fault = fault

    def record(self, path: str, form: dict[str, list[str]], method: str = "POST") -> None:
        params = {key: values[-1] for key, values in form.items()}
        with self._lock:
            self.requests.append(RecordedRequest(path, params, form, method))

    def requests_to_v12(self, endpoint: str) -> list[RecordedRequest]:
        """Requests to an endpoint of version 1.2, "usage-limit" or "key-sites"."""
        with self._lock:
            return [r for r in self.requests if r.path == f"/1.2/{endpoint}"]

    def check_headers(self) -> dict[str, str]:
        """The X-akismet-* headers of a comment-check answer."""
        headers = {"X-akismet-guid": f"fake-check-{next(self._check_ids)}"}
        if self.alert:
            headers["X-akismet-alert-code"], headers["X-akismet-alert-msg"] = self.alert
        return headers

    def key_sites(self, month: str, site_filter: str) -> dict:
        rows = [row for row in self.key_sites_rows if site_filter in row["site"]]
        return {month: rows, "limit": 500, "offset": 0, "total": len(rows)}

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
            url = urlsplit(self.path)
            form = parse_qs(url.query, keep_blank_values=True)
            fake.record(url.path, form, method="GET")
            params = {key: values[-1] for key, values in form.items()}
            endpoint = url.path.removeprefix("/1.2/")
            if endpoint not in {"usage-limit", "key-sites"}:
                return self._answer(405, "Method not allowed")
            if fake.fault == "503":
                return self._answer(503, "Service Unavailable")
            if fake.fault == "invalid" or params.get("api_key") != VALID_KEY:
                return self._answer(200, "invalid")
            if endpoint == "usage-limit":
                answer = fake.usage_limit
            else:
                month = params.get("month") or time.strftime("%Y-%m", time.gmtime())
                answer = fake.key_sites(month, params.get("filter", ""))
            return self._answer(200, json.dumps(answer), content_type="application/json")

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8")
            form = parse_qs(body, keep_blank_values=True)
            fake.record(self.path, form)
            params = {key: values[-1] for key, values in form.items()}
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
                verdict, headers = comment_check_answer(params)
                return self._answer(200, verdict, {**fake.check_headers(), **headers})
            return self._answer(200, SUBMIT_ANSWER)

        def _answer(self, status, text, headers=None, content_type="text/plain"):
            data = text.encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", f"{content_type}; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # The client gave up waiting (the "slow" fault).

    return Handler
