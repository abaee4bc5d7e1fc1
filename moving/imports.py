"""What the WordPress and Disqus imports share: their options and their refusal."""

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email


class ImportRefused(Exception):
    """The file cannot be imported at all; nothing was written. str() is the reason."""


@dataclass
class ImportOptions:
    # Every post goes to this user, rather than to the export's authors (WordPress).
    author: AbstractBaseUser | None = None
    # A copy of the old site's wp-content/uploads (WordPress).
    media_dir: Path | None = None
    # Download images that media_dir does not hold (WordPress).
    fetch_media: bool = False
    # Report what the import would do, and write nothing.
    dry_run: bool = False


def valid_email(value: str) -> str:
    """`value` if it is an email address, else "": old systems kept whatever was typed."""
    value = value.strip()
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def valid_ip(value: str) -> str | None:
    """`value` as an IP address, or None when it is not one."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # An IPv4 address as an IPv6 server saw it (::ffff:192.0.2.1) is the IPv4 address.
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)
