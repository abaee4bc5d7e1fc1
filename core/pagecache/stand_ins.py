"""Stand-ins for what a kept fragment of a page must not keep: the visitor's CSRF token
and the page's CSP nonce. A fragment is rendered once with `STAND_INS` in its context,
cut at them (`kept`) and kept; `filled` puts this request's values in as it is served,
with one join: a 90 kB comment section costs one copy, not a copy per stand-in.

The token is asked for once per request, however many fragments carry it: Django masks
a new one at every get_token() call, with a random string that costs as much as a small
fragment's whole render.
"""

import re

from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token

CSRF_TOKEN = "kept-fragment-csrf-token"
CSP_NONCE = "kept-fragment-csp-nonce"
STAND_INS = {"csrf_token": CSRF_TOKEN, "csp_nonce": CSP_NONCE}
_STAND_IN = re.compile(f"({CSRF_TOKEN}|{CSP_NONCE})")


def kept(html: str) -> tuple[str, ...]:
    """`html` cut at its stand-ins: its text, with each stand-in between two pieces."""
    return tuple(_STAND_IN.split(html))


def filled(request, pieces: tuple[str, ...], *, token: bool = True, nonce: bool = True) -> str:
    """The kept fragment `pieces` with this request's token and nonce in place of the
    stand-ins; each one left empty, and not asked for, when told so or with no request:
    asking sets the CSRF cookie, or puts the nonce in the page's policy, for a page that
    needs neither."""
    if len(pieces) == 1:
        return pieces[0]
    values = {CSRF_TOKEN: "", CSP_NONCE: ""}
    if request is not None:
        if token and CSRF_TOKEN in pieces:
            values[CSRF_TOKEN] = _token_once(request)
        if nonce and CSP_NONCE in pieces:
            found = get_nonce(request)
            # str() makes it: a nonce is false until then, so test for None alone.
            values[CSP_NONCE] = "" if found is None else str(found)
    # Stand-ins sit at the odd places of what kept() cut.
    return "".join(values[piece] if place % 2 else piece for place, piece in enumerate(pieces))


def _token_once(request) -> str:
    token = getattr(request, "_kept_fragment_csrf_token", None)
    if token is None:
        token = request._kept_fragment_csrf_token = get_token(request)
    return token
