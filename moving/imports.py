"""What the WordPress and Disqus imports share: their options, their refusal, and the
run of one import of one file (FileImport)."""

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from comments.models import Comment

from .report import ImportReport

# A reply chain longer than this is a loop in the data, not a conversation.
CHAIN_MAX = 100


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


class FileImport:
    """One import of one export file; `run()` returns the report.

    A subclass reads the whole file first (`survey`: a file that cannot be imported is
    refused before anything is written, and the progress bar learns its end), then
    imports it (`write`).
    """

    def __init__(
        self,
        path: Path,
        *,
        options: ImportOptions | None = None,
        progress: Callable[[int, int], None] | None = None,
    ):
        self.path = Path(path)
        self.options = options or ImportOptions()
        self.progress = progress
        self.report = ImportReport(dry_run=self.options.dry_run)

    def survey(self) -> None:
        raise NotImplementedError

    def write(self) -> None:
        raise NotImplementedError

    def run(self) -> ImportReport:
        try:
            self.survey()
        except OSError as error:
            raise ImportRefused(f"The file cannot be read: {error.strerror or error}.") from error
        if self.options.dry_run:
            # The whole import runs and is rolled back, so the report says exactly what
            # a real one would do.
            with transaction.atomic():
                self.write()
                transaction.set_rollback(True)
        else:
            self.write()
        return self.report


def reply_chains(comment_ids: dict[str, int]) -> dict[str, list[Comment]]:
    """For comments imported before, by their id in the other system: the chain each one
    ends (the thread's first comment first), so a new reply to one finds its place."""
    by_pk = Comment.objects.in_bulk(comment_ids.values())
    chains = {}
    for source_id, pk in comment_ids.items():
        chain, comment = [], by_pk.get(pk)
        while comment is not None and len(chain) < CHAIN_MAX:
            chain.insert(0, comment)
            comment = by_pk.get(comment.parent_id)
        chains[source_id] = chain
    return chains


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
