"""The picture beside each comment, by COMMENTS_AVATARS.

- "generated" (the default): an identicon drawn on this site (`avatar_svg`, served by
  views.avatar under /comments/avatars/<digest>.svg). The digest is a keyed HMAC-SHA256
  of the lower-cased email, so no one can test a guessed address against the URL, and
  the picture is drawn from the digest alone: serving it reads nothing.
- "gravatar": Gravatar's image for the SHA-256 of the trimmed, lower-cased email (the
  privacy page then says the hash is sent to Gravatar).

A comment without an email (imported ones, erased ones) gets the neutral picture.
"""

import colorsys
import hashlib
import hmac
from functools import lru_cache

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

GENERATED = "generated"
GRAVATAR = "gravatar"
# Shown at 40 CSS pixels; Gravatar is asked for twice that, for sharp screens.
SIZE = 40
DIGEST_CHARS = 32
NEUTRAL_STATIC = "img/avatar-neutral.svg"
_STAND_IN = "0" * DIGEST_CHARS


def avatars_mode() -> str:
    return settings.COMMENTS_AVATARS


def uses_gravatar() -> bool:
    return avatars_mode() == GRAVATAR


@lru_cache(maxsize=2)
def _key(secret: str) -> bytes:
    return hashlib.sha256(b"comments.avatars" + secret.encode()).digest()


def email_digest(email: str) -> str:
    """The keyed hash of `email` in a generated avatar's address."""
    key = _key(settings.SECRET_KEY)
    return hmac.new(key, email.strip().lower().encode(), "sha256").hexdigest()[:DIGEST_CHARS]


class AvatarLinks:
    """The avatars' addresses for one render of a thread: the URLs are reversed once,
    and each email is hashed once however many comments it wrote."""

    def __init__(self):
        self.gravatar = uses_gravatar()
        self.neutral = static(NEUTRAL_STATIC)
        self.prefix, self.suffix = reverse("comments:avatar", args=[_STAND_IN]).split(_STAND_IN)
        self._seen: dict[str, str] = {}

    def img(self, email: str) -> str:
        """The <img> for a comment by `email` (escaped for HTML)."""
        found = self._seen.get(email)
        if found is None:
            found = self._seen[email] = (
                f'<img class="comment-avatar" src="{self.url(email)}" width="{SIZE}" '
                f'height="{SIZE}" alt="" loading="lazy">'
            )
        return found

    def url(self, email: str) -> str:
        if not email.strip():
            return self.neutral
        if self.gravatar:
            digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
            return f"https://www.gravatar.com/avatar/{digest}?s={2 * SIZE}&amp;d=identicon"
        return f"{self.prefix}{email_digest(email)}{self.suffix}"


# The identicon: a 5×5 grid, mirrored left to right, in one colour from the digest.
_GRID = 5


def avatar_svg(digest: str) -> str:
    """The identicon for a 32-hex-digit `digest`, as an SVG document."""
    bits = int(digest, 16)
    hue = (bits & 0xFFF) / 0xFFF
    red, green, blue = colorsys.hls_to_rgb(hue, 0.42, 0.55)
    colour = f"#{int(red * 255):02x}{int(green * 255):02x}{int(blue * 255):02x}"
    bits >>= 12
    cells = []
    half = (_GRID + 1) // 2
    for column in range(half):
        for row in range(_GRID):
            if bits & 1:
                cells.append((column, row))
                if column != _GRID - 1 - column:
                    cells.append((_GRID - 1 - column, row))
            bits >>= 1
    path = "".join(f"M{x + 1} {y + 1}h1v1h-1z" for x, y in cells)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 7 7" width="80" height="80" '
        'shape-rendering="crispEdges">'
        '<rect width="7" height="7" fill="#f2f0eb"/>'
        f'<path fill="{colour}" d="{path}"/></svg>'
    )
