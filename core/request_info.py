"""What a request tells about the visitor: their address, browser and referrer.

One rule for the address, used by the comment pipeline and by the admin login throttle:
behind TRUSTED_PROXIES proxies, trust exactly that many entries of
X-Forwarded-For from the right, and nothing a visitor could have typed further left.
"""

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RequestInfo:
    ip_address: str | None
    user_agent: str
    referrer: str

    @classmethod
    def from_meta(cls, meta: Mapping[str, str]) -> "RequestInfo":
        ip = client_ip(meta)
        try:
            # An IPv6 zone ("fe80::1%eth0") means nothing off this host; PostgreSQL refuses it.
            ip = str(ipaddress.ip_address(ip.strip())).partition("%")[0]
        except ValueError:
            ip = None
        # PostgreSQL text cannot hold NUL, which only a forged header carries.
        return cls(
            ip_address=ip,
            user_agent=str(meta.get("HTTP_USER_AGENT", "")).replace("\x00", "")[:1000],
            referrer=str(meta.get("HTTP_REFERER", "")).replace("\x00", "")[:2000],
        )


def client_ip(meta: Mapping[str, str]) -> str:
    """The visitor's address as sent. Behind TRUSTED_PROXIES proxies it is the entry that
    many places from the right of X-Forwarded-For: each trusted proxy appends the address
    it saw, and anything further left could have been typed by the visitor."""
    proxies = settings.TRUSTED_PROXIES
    forwarded = [a.strip() for a in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    if proxies and len(forwarded) >= proxies and forwarded[-proxies]:
        return forwarded[-proxies]
    return str(meta.get("REMOTE_ADDR", "") or "")


def content_length(request) -> int:
    """The body size the request announces, 0 when it says none or nonsense: for a view
    that refuses an oversized form before reading any of it."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0
