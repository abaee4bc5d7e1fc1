"""Load under gunicorn: start servers on free ports of 127.0.0.1, run wrk against them.

Every server is a child process of the benchmark, stopped by its own process id when the
`with` block ends, whether the run finished, failed or was interrupted.
"""

import base64
import http.client
import json
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUNICORN_CONFIG = ROOT / "gunicorn.conf.py"
WORKERS = 2
# wrk: one thread (it is event-driven) keeping a fixed number of connections busy.
CONNECTIONS = 8
ACCEPT_ENCODING = "gzip"
# Response headers that belong to the connection or to gunicorn, not to the page.
HOP_HEADERS = {"connection", "date", "keep-alive", "server", "transfer-encoding"}


def wrk_path() -> str | None:
    return shutil.which("wrk")


def wrk_version() -> str:
    path = wrk_path()
    if path is None:
        return "not installed"
    output = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
    return output.split(" Copyright")[0].strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """`gunicorn <app>` with 2 workers on a free port; the repository's gunicorn.conf.py
    when there is one (the command line's --bind and --workers win over it)."""

    def __init__(self, app: str, *, env: dict, log: Path) -> None:
        self.app = app
        self.env = env
        self.log = log
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Gunicorn":
        config = ["--config", str(GUNICORN_CONFIG)] if GUNICORN_CONFIG.exists() else []
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            self.app,
            *config,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(WORKERS),
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            self._wait_until_listening()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # gunicorn's master stops its workers on SIGTERM
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _wait_until_listening(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.app} exited; see {self.log}:\n{self.tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn {self.app} did not start in {timeout:.0f} s:\n{self.tail()}")

    def tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def fetch(base_url: str, path: str, *, timeout: float = 30) -> Response:
    """One GET as a browser's first visit: no cookies, gzip accepted."""
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": ACCEPT_ENCODING})
        response = connection.getresponse()
        return Response(response.status, response.getheaders(), response.read())
    finally:
        connection.close()


def page_headers(response: Response) -> list[tuple[str, str]]:
    """The headers the application chose, which a static copy answers with too."""
    return [(name, value) for name, value in response.headers if name.lower() not in HOP_HEADERS]


def save_static_copies(path: Path, responses: dict[str, Response]) -> None:
    """Write {URL path: response} as bench/static_app.py reads it (BENCH_STATIC_PAGES)."""
    pages = {
        url_path: {
            "status": response.status,
            "headers": page_headers(response),
            "body": base64.b64encode(response.body).decode("ascii"),
        }
        for url_path, response in responses.items()
    }
    path.write_text(json.dumps(pages))


def warm(base_url: str, path: str, requests: int = 10) -> Response:
    """A few requests first, so both workers have loaded the code and filled their cache."""
    for _ in range(requests):
        response = fetch(base_url, path)
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status} under gunicorn")
    return response


@dataclass
class Load:
    requests_per_second: float
    p50_s: float
    p99_s: float
    requests: int
    errors: int


def run_wrk(url: str, *, seconds: int, keepalive: bool = False) -> Load:
    """wrk for `seconds` with CONNECTIONS connections, gzip accepted, as browsers do.

    Unless `keepalive`, each request comes on a new connection, as from a reverse proxy
    that opens one per request (nginx's default towards its upstream). With kept-alive
    connections, gthread workers keep the ones they accepted: the 8 connections can all
    land on one worker and leave the other idle, which halves a run's figures at random.
    """
    headers = [f"Accept-Encoding: {ACCEPT_ENCODING}"]
    if not keepalive:
        headers.append("Connection: close")
    command = [
        wrk_path(),
        "--threads",
        "1",
        "--connections",
        str(CONNECTIONS),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        *(argument for header in headers for argument in ("--header", header)),
        url,
    ]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    return parse_wrk(output)


_DURATION = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _seconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _DURATION[unit]


def parse_wrk(output: str) -> Load:
    def find(pattern: str) -> str:
        match = re.search(pattern, output)
        if match is None:
            raise RuntimeError(f"Unexpected wrk output:\n{output}")
        return match.group(1)

    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_success = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = int(non_success.group(1)) if non_success else 0
    if socket_errors:
        # A sync worker closes each connection after its answer; wrk may count the
        # close as a read error, so only refused connections and timeouts count.
        errors += int(socket_errors.group(1)) + int(socket_errors.group(4))
    return Load(
        requests_per_second=float(find(r"Requests/sec:\s+([\d.]+)")),
        p50_s=_seconds(find(r"\b50%\s+([\d.]+\w+)")),
        p99_s=_seconds(find(r"\b99%\s+([\d.]+\w+)")),
        requests=int(find(r"(\d+) requests in")),
        errors=errors,
    )
