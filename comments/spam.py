"""The Akismet adapter: the only module that imports `akismet`.

It turns Akismet's answers into the project's own verdicts ("ham", "spam",
"discard") and every way a call can fail into one exception, `SpamCheckError`.
It imports nothing of ours, so services can hand it plain dictionaries.
"""

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import akismet
import httpx
from django.conf import settings

HAM = "ham"
SPAM = "spam"
DISCARD = "discard"

# The optional arguments Akismet accepts; anything else makes the package raise.
ACCEPTED_PARAMS = frozenset(akismet.AkismetArguments.__optional_keys__) | {"user_ip"}

Client = akismet.SyncClient


class SpamCheckError(Exception):
    """Akismet could not give an answer: unreachable, slow, 5xx, bad key or odd reply."""


class _RerouteTransport(httpx.HTTPTransport):
    """Send requests to `base_url` instead of the host the akismet package hard-codes."""

    def __init__(self, base_url: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.base_url = httpx.URL(base_url)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        prefix = self.base_url.path.rstrip("/")
        request.url = request.url.copy_with(
            scheme=self.base_url.scheme,
            host=self.base_url.host,
            port=self.base_url.port,
            path=prefix + request.url.path,
        )
        request.headers["Host"] = request.url.netloc.decode("ascii")
        return super().handle_request(request)


@cache
def _ssl_context() -> ssl.SSLContext:
    """Certificate checks as httpx makes them. Loading the certificates takes about 40 ms,
    so it happens once per process rather than once per comment."""
    return httpx.create_ssl_context()


def is_enabled() -> bool:
    """Spam checking is on only when an API key is configured."""
    return bool(settings.AKISMET_API_KEY)


@contextmanager
def _client(client: Client | None) -> Iterator[Client]:
    """Use the injected client, or build one from the settings read now and close it after."""
    if client is not None:
        yield client
        return
    # The package reads its own timeout once, at import; our own httpx.Client
    # makes AKISMET_TIMEOUT apply, and its transport makes AKISMET_API_URL apply.
    http_client = httpx.Client(
        headers={"User-Agent": akismet.USER_AGENT},
        timeout=settings.AKISMET_TIMEOUT,
        transport=_RerouteTransport(settings.AKISMET_API_URL, verify=_ssl_context()),
    )
    config = akismet.Config(key=settings.AKISMET_API_KEY, url=settings.AKISMET_BLOG_URL)
    try:
        yield akismet.SyncClient(config=config, http_client=http_client)
    finally:
        http_client.close()


def _describe(error: Exception) -> str:
    cause = error.__cause__
    detail = " ".join(str(error).split())
    if cause is not None and str(cause):
        detail = f"{detail} ({type(cause).__name__}: {cause})"
    return detail[:1000]


def _split(params: dict) -> tuple[str, dict]:
    kwargs = {key: value for key, value in params.items() if key in ACCEPTED_PARAMS}
    return kwargs.pop("user_ip", "") or "", kwargs


def check(params: dict, *, client: Client | None = None) -> str:
    """Ask Akismet's comment-check about `params`: returns HAM, SPAM or DISCARD."""
    user_ip, kwargs = _split(params)
    try:
        with _client(client) as akismet_client:
            answer = akismet_client.comment_check(user_ip, **kwargs)
    except akismet.APIKeyError as error:
        raise SpamCheckError(f"Akismet refused the API key: {_describe(error)}") from error
    except akismet.AkismetError as error:
        raise SpamCheckError(_describe(error)) from error
    return {
        akismet.CheckResponse.HAM: HAM,
        akismet.CheckResponse.SPAM: SPAM,
        akismet.CheckResponse.DISCARD: DISCARD,
    }[answer]


def submit(kind: str, params: dict, *, client: Client | None = None) -> None:
    """Tell Akismet it was wrong or right: `kind` is SPAM (submit-spam) or HAM (submit-ham)."""
    user_ip, kwargs = _split(params)
    try:
        with _client(client) as akismet_client:
            send = akismet_client.submit_spam if kind == SPAM else akismet_client.submit_ham
            send(user_ip, **kwargs)
    except akismet.APIKeyError as error:
        raise SpamCheckError(f"Akismet refused the API key: {_describe(error)}") from error
    except akismet.AkismetError as error:
        raise SpamCheckError(_describe(error)) from error


def verify_key(*, client: Client | None = None) -> bool:
    """Whether Akismet accepts the configured key for the configured blog URL."""
    try:
        with _client(client) as akismet_client:
            return akismet_client.verify_key()
    except akismet.AkismetError as error:
        raise SpamCheckError(_describe(error)) from error
