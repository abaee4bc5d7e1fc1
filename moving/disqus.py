"""Read a Disqus export (Admin → Moderation → Export) as a stream of threads and posts.

A Disqus export is one <disqus> element holding a flat list of <category>, <thread>
(a page of the old site) and <post> (a comment) entries. Real exports are not always
well-formed: a stray character before the XML declaration, an attribute without its
quotes, a date that is not one. So the file is read an entry at a time, and each entry
is parsed on its own: one that cannot be read is reported as a `Problem` with its line,
and the rest are read as usual.

Each entry is parsed with defusedxml, and the file's own declarations are never read,
so no entity can expand and nothing outside the file is fetched.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .imports import valid_email, valid_ip

DISQUS = "{http://disqus.com}"
INTERNALS = "{http://disqus.com/disqus-internals}"
READ_CHARACTERS = 64 * 1024
# How far into the file its <disqus> element may start (after a declaration and comments).
ROOT_WITHIN_CHARACTERS = 64 * 1024

_ROOT = re.compile(r"<disqus\b[^>]*>")
_ENTRY_START = re.compile(r"<(?P<name>[A-Za-z][\w.:-]*)\b|<!--|<!\[CDATA\[|</disqus\s*>")
_SPACES = re.compile(r"\s+")


class DisqusError(Exception):
    """The file cannot be read as a Disqus export at all; str() says why."""


@dataclass(frozen=True)
class Thread:
    id: str
    link: str
    identifier: str
    title: str
    created_at: datetime | None
    is_closed: bool
    is_deleted: bool
    line: int


@dataclass(frozen=True)
class Post:
    id: str
    thread_id: str
    parent_id: str
    message: str
    created_at: datetime
    author_name: str
    author_email: str
    author_username: str
    is_anonymous: bool
    ip_address: str | None
    is_spam: bool
    is_deleted: bool
    line: int


@dataclass(frozen=True)
class Problem:
    """An entry that could not be read; the rest of the file is read on."""

    line: int
    message: str


@dataclass(frozen=True)
class DisqusSurvey:
    threads: int
    posts: int
    problems: int


class _EntryError(Exception):
    pass


def read_disqus(path: Path | str) -> Iterator[Thread | Post | Problem]:
    """The threads and posts of the Disqus export at `path`, in the file's order, with a
    Problem for each entry that cannot be read."""
    with Path(path).open(encoding="utf-8", errors="replace") as source:
        yield from _Entries(source).read()


def survey_disqus(path: Path | str) -> DisqusSurvey:
    """How many threads, posts and unreadable entries the export holds."""
    counts = {Thread: 0, Post: 0, Problem: 0}
    for entry in read_disqus(path):
        counts[type(entry)] += 1
    return DisqusSurvey(threads=counts[Thread], posts=counts[Post], problems=counts[Problem])


class _Entries:
    """Cuts the file into its top-level entries, keeping only a little of it in memory."""

    def __init__(self, source):
        self.source = source
        self.buffer = ""
        self.line = 1  # the line of buffer[0]
        self.finished = False

    def more(self) -> bool:
        chunk = self.source.read(READ_CHARACTERS)
        if not chunk:
            self.finished = True
            return False
        self.buffer += chunk
        return True

    def consume(self, length: int) -> str:
        taken, self.buffer = self.buffer[:length], self.buffer[length:]
        self.line += taken.count("\n")
        return taken

    def find(self, pattern: re.Pattern | str, start: int = 0) -> re.Match | int | None:
        """The first match of `pattern` at or after `start`, reading on as needed."""
        while True:
            if isinstance(pattern, str):
                found = self.buffer.find(pattern, start)
                if found >= 0:
                    return found
            elif match := pattern.search(self.buffer, start):
                return match
            if not self.more():
                return None

    def read(self) -> Iterator[Thread | Post | Problem]:
        wrapper = self.root_tag()
        while True:
            match = self.find(_ENTRY_START)
            if match is None or match.group(0).startswith("</disqus"):
                return
            if match.group(0) == "<!--":
                self.skip_past(match.start(), "-->")
                continue
            if match.group(0) == "<![CDATA[":
                self.skip_past(match.start(), "]]>")
                continue
            self.consume(match.start())
            name = match.group("name")
            line = self.line
            end = self.entry_end(name)
            if end is None:
                yield Problem(line, f"Line {line}: the <{name}> entry never ends.")
                return
            text = self.consume(end)
            if name not in ("thread", "post"):
                continue  # Categories, and anything Disqus may add, say nothing of comments.
            try:
                yield _entry(wrapper, text, line)
            except _EntryError as error:
                yield Problem(line, f"Line {line}: {error}")

    def root_tag(self) -> str:
        """The <disqus …> start tag, its namespaces and all, as one line."""
        while (match := _ROOT.search(self.buffer)) is None:
            if len(self.buffer) > ROOT_WITHIN_CHARACTERS or not self.more():
                raise DisqusError(
                    "This is not a Disqus export: it has no <disqus> element near its start."
                )
        head = self.buffer[: match.start()]
        if "<!ENTITY" in head or "<!DOCTYPE" in head:
            raise DisqusError(
                "The file declares XML entities, which a Disqus export never does; it was "
                "refused as unsafe."
            )
        if 'xmlns="http://disqus.com"' not in match.group(0):
            raise DisqusError(
                "This is not a Disqus export: its <disqus> element is not in Disqus's "
                "namespace (http://disqus.com)."
            )
        self.consume(match.end())
        tag = _SPACES.sub(" ", match.group(0))
        return tag[:-2] + ">" if tag.endswith("/>") else tag

    def skip_past(self, start: int, closing: str) -> None:
        found = self.find(closing, start)
        self.consume(len(self.buffer) if found is None else found + len(closing))

    def entry_end(self, name: str) -> int | None:
        """Where the entry starting the buffer ends: after its closing tag, or after "/>"
        when it has no content. Comments and CDATA inside it are passed over."""
        opening_end = self.find(">")
        if opening_end is None:
            return None
        if self.buffer[opening_end - 1] == "/":
            return opening_end + 1
        closing = re.compile(rf"</{re.escape(name)}\s*>|<!--|<!\[CDATA\[")
        position = opening_end + 1
        while True:
            match = self.find(closing, position)
            if match is None:
                return None
            if match.group(0) == "<!--":
                skip_to = self.find("-->", match.end())
            elif match.group(0) == "<![CDATA[":
                skip_to = self.find("]]>", match.end())
            else:
                return match.end()
            if skip_to is None:
                return None
            position = skip_to + 3


def _entry(wrapper: str, text: str, line: int) -> Thread | Post:
    try:
        element = fromstring(f"{wrapper}{text}</disqus>")[0]
    except ParseError as error:
        error_line, column = error.position
        where = f"line {line + error_line - 1}, column {column + 1}"
        reason = str(error).split(":")[0]
        raise _EntryError(f"this entry is not well-formed XML ({reason}, {where}).") from error
    except DefusedXmlException as error:
        raise _EntryError("this entry uses XML entities; it was left out as unsafe.") from error
    if element.tag == f"{DISQUS}thread":
        return _thread(element, line)
    return _post(element, line)


def _text(element: Element, *path: str) -> str:
    found = element.find("/".join(f"{DISQUS}{name}" for name in path))
    return "" if found is None else "".join(found.itertext()).strip()


def _internal_id(element: Element | None) -> str:
    return "" if element is None else (element.get(f"{INTERNALS}id") or "").strip()


def _flag(element: Element, name: str, *, entry: str) -> bool:
    value = _text(element, name).lower()
    if value in ("", "false", "0"):
        return False
    if value in ("true", "1"):
        return True
    raise _EntryError(f"{entry} has “{value}” for {name}, which should be true or false.")


def _date(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _thread(element: Element, line: int) -> Thread:
    thread_id = _internal_id(element)
    if not thread_id:
        raise _EntryError("a thread without a Disqus id (dsq:id) was left out.")
    return Thread(
        id=thread_id,
        link=_text(element, "link"),
        identifier=_text(element, "id"),
        title=_text(element, "title"),
        created_at=_date(_text(element, "createdAt")),
        is_closed=_text(element, "isClosed").lower() == "true",
        is_deleted=_text(element, "isDeleted").lower() == "true",
        line=line,
    )


def _post(element: Element, line: int) -> Post:
    post_id = _internal_id(element)
    if not post_id:
        raise _EntryError("a comment without a Disqus id (dsq:id) was left out.")
    entry = f"Comment {post_id}"
    thread_id = _internal_id(element.find(f"{DISQUS}thread"))
    if not thread_id:
        raise _EntryError(f"{entry} names no thread, so no post to go on.")
    created_text = _text(element, "createdAt")
    created_at = _date(created_text)
    if created_at is None:
        raise _EntryError(f"{entry} has “{created_text}” for its date, which is not a date.")
    return Post(
        id=post_id,
        thread_id=thread_id,
        parent_id=_internal_id(element.find(f"{DISQUS}parent")),
        message=_text(element, "message"),
        created_at=created_at,
        author_name=_text(element, "author", "name"),
        author_email=valid_email(_text(element, "author", "email")),
        author_username=_text(element, "author", "username"),
        is_anonymous=_text(element, "author", "isAnonymous").lower() == "true",
        ip_address=valid_ip(_text(element, "ipAddress")),
        is_spam=_flag(element, "isSpam", entry=entry),
        is_deleted=_flag(element, "isDeleted", entry=entry),
        line=line,
    )
