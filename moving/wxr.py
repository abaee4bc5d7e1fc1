"""Read a WordPress export (WXR, "WordPress eXtended RSS") as a stream.

`read_wxr(path)` yields the export's parts in the order of the file: the `Site` once,
before anything else, then its `Author`s, `Term`s (categories, tags and other
taxonomies) and `Item`s (posts, pages, attachments, menu items…), each with its meta
and its comments. Only one item is held in memory at a time, so a file of any size can
be read.

The file is checked as it is read, and a `WXRError` names what is wrong, with the line
and column for XML errors: a file that is not RSS, has no or an unknown
`wp:wxr_version`, is not well-formed, or declares entities (entity expansion and
external entities are how XML attacks work; WordPress never writes a DTD).

Elements are known by their namespace's address, not their prefix: WordPress has used
http:// and https:// addresses, and export versions 1.0 to 1.2. An element in any
other namespace, even under the `wp:` prefix, is not WordPress's and is ignored.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler, feature_namespaces

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.sax import make_parser

SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2")
READ_BYTES = 64 * 1024

_WORDPRESS = re.compile(r"^https?://wordpress\.org/export/1\.[0-2]/(excerpt/)?$")
_NAMESPACES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
}
# The channel's children that hold the site's content; the site's own details come first.
_CONTENT = {("wp", "author"), ("wp", "category"), ("wp", "tag"), ("wp", "term"), ("", "item")}


class WXRError(Exception):
    """The file cannot be read as a WordPress export; str() says why."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Site:
    title: str
    link: str
    base_site_url: str
    base_blog_url: str
    wxr_version: str
    language: str


@dataclass(frozen=True)
class Author:
    id: str
    login: str
    email: str
    display_name: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class Term:
    """A category, tag or other taxonomy's term, as the export lists them up front."""

    id: str
    taxonomy: str  # category, post_tag, or another taxonomy's name
    slug: str
    name: str
    parent: str  # the parent's slug
    description: str


@dataclass(frozen=True)
class ItemTerm:
    """A term an item is filed under: <category domain="post_tag" nicename="x">X</category>."""

    domain: str
    slug: str
    name: str


@dataclass(frozen=True)
class Comment:
    id: str
    author: str
    author_email: str
    author_url: str
    author_ip: str
    date: str
    date_gmt: str
    content: str
    approved: str
    type: str
    parent: str
    user_id: str
    meta: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Item:
    title: str
    link: str
    guid: str
    pub_date: str
    creator: str
    content: str
    excerpt: str
    post_id: str
    post_date: str
    post_date_gmt: str
    comment_status: str
    ping_status: str
    post_name: str
    status: str
    post_parent: str
    menu_order: str
    post_type: str
    post_password: str
    is_sticky: str
    attachment_url: str
    terms: list[ItemTerm] = field(default_factory=list)
    meta: list[tuple[str, str]] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    line: int = 0  # where the item starts in the file

    def meta_value(self, key: str) -> str:
        """The first value of custom field `key`, or ""."""
        return next((value for name, value in self.meta if name == key), "")


class _Element:
    """An element being read: WordPress's name for it, its attributes, text and children."""

    __slots__ = ("key", "attributes", "text", "children", "line")

    def __init__(self, key, attributes, line):
        self.key = key  # ("wp", "post_id"), ("", "title"); None outside known namespaces
        self.attributes = attributes
        self.text = []
        self.children = []
        self.line = line

    def child(self, *key) -> "_Element | None":
        return next((child for child in self.children if child.key == key), None)

    def value(self, *key, strip: bool = True) -> str:
        """The text of the first child named `key`, or ""."""
        found = self.child(*key)
        if found is None:
            return ""
        text = "".join(found.text)
        return text.strip() if strip else text

    def all(self, *key) -> list["_Element"]:
        return [child for child in self.children if child.key == key]


def _key(uri: str | None, local: str) -> tuple[str, str] | None:
    if not uri:
        return ("", local)
    if match := _WORDPRESS.match(uri):
        return ("excerpt" if match.group(1) else "wp", local)
    if prefix := _NAMESPACES.get(uri):
        return (prefix, local)
    return None


class _Reader(ContentHandler):
    """Builds each of the channel's children as it is read, and hands it on when it ends."""

    def __init__(self):
        super().__init__()
        self.locator = None
        self.stack: list[_Element] = []
        self.ready: list = []
        self.site_details: dict[tuple[str, str], str] = {}
        self.site_sent = False
        self.saw_channel = False

    def setDocumentLocator(self, locator):
        self.locator = locator

    def line(self) -> int:
        return self.locator.getLineNumber() if self.locator else 0

    def startElementNS(self, name, qname, attributes):
        uri, local = name
        depth = len(self.stack)
        if depth == 0 and (uri or local != "rss"):
            raise WXRError(
                f"This is not a WordPress export: its first element is <{qname or local}>, "
                "where an export starts with <rss>."
            )
        parent = self.stack[-1] if self.stack else None
        key = _key(uri, local) if parent is None or parent.key is not None else None
        if depth == 1 and key == ("", "channel"):
            self.saw_channel = True
        if depth == 2 and key in _CONTENT and self.in_channel():
            self.send_site()
        element = _Element(
            key, {local_name: value for (_, local_name), value in attributes.items()}, self.line()
        )
        if parent is not None:
            parent.children.append(element)
        self.stack.append(element)

    def characters(self, content):
        if self.stack:
            self.stack[-1].text.append(content)

    def endElementNS(self, name, qname):
        element = self.stack.pop()
        if len(self.stack) != 2 or not self.in_channel():
            if len(self.stack) == 1 and element.key == ("", "channel"):
                self.send_site()
            return
        # A child of the channel: hand it on, and let it go.
        self.stack[-1].children.pop()
        if element.key == ("", "item"):
            self.ready.append(_item(element))
        elif element.key == ("wp", "author"):
            self.ready.append(_author(element))
        elif element.key in _CONTENT:
            self.ready.append(_term(element))
        elif element.key is not None and not self.site_sent:
            self.site_details.setdefault(element.key, "".join(element.text).strip())

    def in_channel(self) -> bool:
        return len(self.stack) >= 2 and self.stack[1].key == ("", "channel")

    def send_site(self):
        if self.site_sent:
            return
        version = self.site_details.get(("wp", "wxr_version"))
        if version is None:
            raise WXRError(
                "This is not a WordPress export: it has no wp:wxr_version, which WordPress "
                "writes at the top of every export."
            )
        if version not in SUPPORTED_VERSIONS:
            raise WXRError(
                f"This export's wp:wxr_version is “{version}”: only WXR "
                f"{', '.join(SUPPORTED_VERSIONS)} can be imported."
            )
        details = self.site_details
        self.ready.append(
            Site(
                title=details.get(("", "title"), ""),
                link=details.get(("", "link"), ""),
                base_site_url=details.get(("wp", "base_site_url"), ""),
                base_blog_url=details.get(("wp", "base_blog_url"), ""),
                wxr_version=version,
                language=details.get(("", "language"), ""),
            )
        )
        self.site_sent = True


def _meta(element: _Element, key: str) -> list[tuple[str, str]]:
    return [
        (entry.value("wp", "meta_key"), entry.value("wp", "meta_value", strip=False))
        for entry in element.all("wp", key)
    ]


def _author(element: _Element) -> Author:
    return Author(
        id=element.value("wp", "author_id"),
        login=element.value("wp", "author_login"),
        email=element.value("wp", "author_email"),
        display_name=element.value("wp", "author_display_name"),
        first_name=element.value("wp", "author_first_name"),
        last_name=element.value("wp", "author_last_name"),
    )


# Each kind of term's elements: (slug, name, parent, description). WXR wrote categories
# and tags in shapes of their own before it had wp:term for every taxonomy (1.1).
_TERM_ELEMENTS = {
    "category": ("category_nicename", "cat_name", "category_parent", "category_description"),
    "tag": ("tag_slug", "tag_name", None, "tag_description"),
    "term": ("term_slug", "term_name", "term_parent", "term_description"),
}
_TAXONOMIES = {"category": "category", "tag": "post_tag"}


def _term(element: _Element) -> Term:
    kind = element.key[1]
    slug, name, parent, description = _TERM_ELEMENTS[kind]
    return Term(
        id=element.value("wp", "term_id"),
        taxonomy=_TAXONOMIES.get(kind) or element.value("wp", "term_taxonomy"),
        slug=element.value("wp", slug),
        name=element.value("wp", name),
        parent=element.value("wp", parent) if parent else "",
        description=element.value("wp", description),
    )


def _comment(element: _Element) -> Comment:
    return Comment(
        id=element.value("wp", "comment_id"),
        author=element.value("wp", "comment_author"),
        author_email=element.value("wp", "comment_author_email"),
        author_url=element.value("wp", "comment_author_url"),
        author_ip=element.value("wp", "comment_author_IP"),
        date=element.value("wp", "comment_date"),
        date_gmt=element.value("wp", "comment_date_gmt"),
        content=element.value("wp", "comment_content", strip=False),
        approved=element.value("wp", "comment_approved"),
        type=element.value("wp", "comment_type"),
        parent=element.value("wp", "comment_parent"),
        user_id=element.value("wp", "comment_user_id"),
        meta=_meta(element, "commentmeta"),
    )


def _item(element: _Element) -> Item:
    return Item(
        title=element.value("", "title"),
        link=element.value("", "link"),
        guid=element.value("", "guid"),
        pub_date=element.value("", "pubDate"),
        creator=element.value("dc", "creator"),
        content=element.value("content", "encoded", strip=False),
        excerpt=element.value("excerpt", "encoded", strip=False),
        post_id=element.value("wp", "post_id"),
        post_date=element.value("wp", "post_date"),
        post_date_gmt=element.value("wp", "post_date_gmt"),
        comment_status=element.value("wp", "comment_status"),
        ping_status=element.value("wp", "ping_status"),
        post_name=element.value("wp", "post_name"),
        status=element.value("wp", "status"),
        post_parent=element.value("wp", "post_parent"),
        menu_order=element.value("wp", "menu_order"),
        post_type=element.value("wp", "post_type"),
        post_password=element.value("wp", "post_password"),
        is_sticky=element.value("wp", "is_sticky"),
        attachment_url=element.value("wp", "attachment_url"),
        # WXR 1.0 also lists each term without a domain or slug, beside the one with them.
        terms=[
            ItemTerm(
                domain=term.attributes["domain"],
                slug=term.attributes.get("nicename", "").strip(),
                name="".join(term.text).strip(),
            )
            for term in element.all("", "category")
            if term.attributes.get("domain") and term.attributes.get("nicename")
        ],
        meta=_meta(element, "postmeta"),
        comments=[_comment(comment) for comment in element.all("wp", "comment")],
        line=element.line,
    )


def read_wxr(path: Path | str) -> Iterator[Site | Author | Term | Item]:
    """The parts of the export at `path`, in the file's order, the Site first."""
    reader = _Reader()
    parser = make_parser()  # defusedxml's: entities and external references refused.
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(reader)
    with Path(path).open("rb") as source:
        try:
            read_anything = False
            while chunk := source.read(READ_BYTES):
                read_anything = True
                parser.feed(chunk)
                yield from _drain(reader)
            if not read_anything:
                raise WXRError("The file is empty.")
            parser.close()
        except SAXParseException as error:
            line, column = error.getLineNumber(), error.getColumnNumber() + 1
            raise WXRError(
                f"The file is not well-formed XML: {error.getMessage()} "
                f"(line {line}, column {column}).",
                line=line,
                column=column,
            ) from error
        except (EntitiesForbidden, DTDForbidden) as error:
            raise WXRError(
                "The file declares XML entities, which a WordPress export never does; "
                "it was refused as unsafe.",
                line=reader.line(),
            ) from error
        except ExternalReferenceForbidden as error:
            raise WXRError(
                "The file refers to an outside resource (an external XML entity); it was "
                "refused as unsafe.",
                line=reader.line(),
            ) from error
    yield from _drain(reader)
    if not reader.saw_channel:
        raise WXRError("This is not a WordPress export: its <rss> has no <channel>.")


def _drain(reader: _Reader):
    ready, reader.ready = reader.ready, []
    yield from ready
