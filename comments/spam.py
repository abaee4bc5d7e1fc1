"""The Akismet adapter: the only module that imports `akismet`.

It turns Akismet's answers into the project's own verdicts ("ham", "spam",
"discard") and every way a call can fail into one exception, `SpamCheckError`.
It imports nothing of ours, so services can hand it plain dictionaries.
"""

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Answer:
    """Akismet's verdict on a comment, with what its headers said alongside."""

    verdict: str
    check_id: str = ""  # X-akismet-guid: the id Akismet's support asks for
    pro_tip: str = ""
    debug_help: str = ""
    alert_code: str = ""  # An alert about the account, e.g. its usage over the plan
    alert_message: str = ""


_HEADERS = {
    "check_id": "X-akismet-guid",
    "pro_tip": "X-akismet-pro-tip",
    "debug_help": "X-akismet-debug-help",
    "alert_code": "X-akismet-alert-code",
    "alert_message": "X-akismet-alert-msg",
}


class _Client(akismet.SyncClient):
    """The package's client, extended where it falls short of Akismet's documented API.

    It sends the fields the package refuses (`comment_context[]`, a list, and the
    honeypot field under its own name), sends the key with key-sites (the package
    leaves it out) and keeps the headers of the latest answer, which the package hides.
    """

    def __init__(self, *, config: akismet.Config, http_client: httpx.Client) -> None:
        super().__init__(config=config, http_client=http_client)
        self.extra_fields: dict = {}
        self.headers = httpx.Headers()

    def _request(self, method, version, endpoint, data):
        # The package has vetted its own arguments by now; ours go in beside them.
        if method == "POST" and endpoint != "verify-key":
            data = {**data, **self.extra_fields}
        elif method == "GET":
            data = {"api_key": self._config.key, **data}
        return super()._request(method, version, endpoint, data)

    def keep_headers(self, response: httpx.Response) -> None:
        self.headers = response.headers


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
def _client(client: Client | None) -> Iterator[_Client]:
    """The injected client's configuration and HTTP client (a test's), or ones built from
    the settings read now, in our extended client; what is built here is closed after."""
    if client is not None:
        config, http_client = client._config, client._http_client
    else:
        # The package reads its own timeout once, at import; our own httpx.Client
        # makes AKISMET_TIMEOUT apply, and its transport makes AKISMET_API_URL apply.
        config = akismet.Config(key=settings.AKISMET_API_KEY, url=settings.AKISMET_BLOG_URL)
        http_client = httpx.Client(
            headers={"User-Agent": akismet.USER_AGENT},
            timeout=settings.AKISMET_TIMEOUT,
            transport=_RerouteTransport(settings.AKISMET_API_URL, verify=_ssl_context()),
        )
    extended = _Client(config=config, http_client=http_client)
    hooks = http_client.event_hooks
    http_client.event_hooks = {**hooks, "response": [*hooks["response"], extended.keep_headers]}
    try:
        yield extended
    finally:
        http_client.event_hooks = hooks
        if client is None:
            http_client.close()


def _describe(error: Exception) -> str:
    cause = error.__cause__
    detail = " ".join(str(error).split())
    if cause is not None and str(cause):
        detail = f"{detail} ({type(cause).__name__}: {cause})"
    return detail[:1000]


def _split(params: dict) -> tuple[str, dict, dict]:
    """The IP address, the arguments the package takes, and the fields it refuses."""
    kwargs = {key: value for key, value in params.items() if key in ACCEPTED_PARAMS}
    extra = {}
    # A list, sent as Akismet's own WordPress plugin sends it: comment_context[]=…
    context = kwargs.pop("comment_context", None)
    if context:
        extra["comment_context[]"] = [context] if isinstance(context, str) else list(context)
    # Akismet asks for the honeypot's value under the field's own name.
    if honeypot := params.get("honeypot_field_name"):
        extra[honeypot] = params.get(honeypot) or ""
    return kwargs.pop("user_ip", "") or "", kwargs, extra


def _refused(error: akismet.APIKeyError, headers: httpx.Headers) -> SpamCheckError:
    detail = _describe(error)
    if help_text := headers.get(_HEADERS["debug_help"]):
        detail = f"{detail} Akismet says: {help_text}"
    return SpamCheckError(f"Akismet refused the API key: {detail}")


def check(params: dict, *, client: Client | None = None) -> Answer:
    """Ask Akismet's comment-check about `params`: a verdict of HAM, SPAM or DISCARD."""
    user_ip, kwargs, extra = _split(params)
    with _client(client) as akismet_client:
        akismet_client.extra_fields = extra
        try:
            response = akismet_client.comment_check(user_ip, **kwargs)
        except akismet.APIKeyError as error:
            raise _refused(error, akismet_client.headers) from error
        except akismet.AkismetError as error:
            raise SpamCheckError(_describe(error)) from error
        headers = akismet_client.headers
    verdict = {
        akismet.CheckResponse.HAM: HAM,
        akismet.CheckResponse.SPAM: SPAM,
        akismet.CheckResponse.DISCARD: DISCARD,
    }[response]
    said = {field: headers.get(name, "").strip() for field, name in _HEADERS.items()}
    return Answer(verdict, **said)


def submit(kind: str, params: dict, *, client: Client | None = None) -> None:
    """Tell Akismet it was wrong or right: `kind` is SPAM (submit-spam) or HAM (submit-ham)."""
    user_ip, kwargs, extra = _split(params)
    try:
        with _client(client) as akismet_client:
            akismet_client.extra_fields = extra
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


def usage_limit(*, client: Client | None = None) -> dict:
    """Akismet's usage-limit: this month's calls against the plan's limit, as it answers."""
    return _account_answer(lambda akismet_client: akismet_client.usage_limit(), client)


def key_sites(*, month: str, site: str, client: Client | None = None) -> dict:
    """Akismet's key-sites for `month` ("YYYY-MM"), filtered to sites matching `site`."""
    return _account_answer(
        lambda akismet_client: akismet_client.key_sites(month=month, url_filter=site), client
    )


def _account_answer(call, client: Client | None) -> dict:
    try:
        with _client(client) as akismet_client:
            answer = call(akismet_client)
    except akismet.APIKeyError as error:
        raise SpamCheckError(f"Akismet refused the API key: {_describe(error)}") from error
    except akismet.AkismetError as error:
        raise SpamCheckError(_describe(error)) from error
    except ValueError as error:  # Not JSON.
        raise SpamCheckError(f"Akismet sent an odd reply: {error}") from error
    if not isinstance(answer, dict):
        raise SpamCheckError("Akismet sent an odd reply.")
    return answer
