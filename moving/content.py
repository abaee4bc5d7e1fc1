"""A WordPress post's HTML as this site's Markdown.

WordPress stores a post as HTML of two kinds: the block editor's, with its blocks marked
by comments (<!-- wp:paragraph -->), and the classic editor's, which has no <p> at all
and is made into paragraphs when shown (wpautop: a blank line ends a paragraph, a line
break is a <br>). Both may hold shortcodes ([caption], [gallery], [embed], a plugin's
[contact-form-7 …]). The conversion follows WordPress's order: block comments go, known
shortcodes become the HTML WordPress would show, classic text gets its paragraphs, and
markdownify writes the Markdown. Shortcodes only a plugin knew are kept as text (the
editor can see and replace them) and counted for the report.

A reblog, shaped as the site's own link posts are shown (the commentary, a quoted
passage, then "via <a>Title</a> | Site"), is split into a link post's parts. The
Markdown is later rendered and sanitised as a typed post is (core.markup): nothing here
needs to be trusted.
"""

import html
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, NavigableString, Tag
from markdownify import MarkdownConverter

_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->|<!--\s*(more|nextpage)\b.*?-->", re.DOTALL)
# [name attributes], [name attributes /], or [name attributes]content[/name]; [[name]]
# is WordPress's way to write a shortcode as text.
_SHORTCODE = re.compile(
    r"\[(?P<escaped>\[?)(?P<name>[A-Za-z][\w-]*)(?P<attributes>(?:\s[^\]]*?)?)(?P<closed>/)?\]"
    r"(?:(?P<content>.*?)\[/(?P=name)\])?(?P<escaped_end>\]?)",
    re.DOTALL,
)
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_BLOCK_START = re.compile(
    r"^\s*<(?:p|div|blockquote|ul|ol|dl|h[1-6]|pre|table|figure|hr|address|section|"
    r"article|aside|header|footer|form|fieldset|iframe|object|video|audio)\b",
    re.IGNORECASE,
)
_BARE_URL = re.compile(r"^\s*(https?://[^\s<>\"]+)\s*$")
_VIA = re.compile(r"^\s*via\s", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")
_MEDIA_SHORTCODES = {"audio", "video"}
_ESCAPABLE_BACKSLASH = re.compile(r"\\(?=[!-/:-@\[-`{-~])")


@dataclass
class Converted:
    body: str
    excerpt: str = ""
    source_url: str = ""
    source_title: str = ""
    source_name: str = ""
    image_urls: list[str] = field(default_factory=list)  # as the old site had them
    unknown_shortcodes: Counter = field(default_factory=Counter)


class _Markdown(MarkdownConverter):
    class Options(MarkdownConverter.DefaultOptions):
        heading_style = "atx"
        bullets = "-"
        strong_em_symbol = "*"
        escape_misc = False
        # HTML's line breaks inside a paragraph are spaces; the post's Markdown is read
        # with each line break a <br> (core.markup.LineBreaks.BREAK), so none may remain.
        wrap = True
        wrap_width = None

    def convert_hN(self, n, el, text, parent_tags):
        # The post's title is WordPress's only <h1>, so its content starts at <h2>; here
        # "#" is the first heading under the title (core.markup): each moves up one.
        return super().convert_hN(max(1, n - 1), el, text, parent_tags)

    def escape(self, text, parent_tags):
        # The page shows what WordPress showed: a backslash before punctuation and a "<"
        # are the writer's text, not Markdown's escapes or HTML.
        text = _ESCAPABLE_BACKSLASH.sub(r"\\\\", text).replace("<", "&lt;")
        return super().escape(text, parent_tags)


def convert_post_content(
    source_html: str, *, rewrite_image_url: Callable[[str], str] | None = None
) -> Converted:
    """`source_html` (a post's content:encoded) in Markdown, split into a link post's
    parts when it is a reblog. `rewrite_image_url` gives an image's new address."""
    is_block_content = "<!-- wp:" in source_html
    text = _BLOCK_COMMENT.sub("", source_html.replace("\r\n", "\n"))
    unknown: Counter = Counter()
    text = _SHORTCODE.sub(lambda match: _shortcode_html(match, unknown), text)
    if not is_block_content:
        text = _autop(text)
    soup = BeautifulSoup(text, "html.parser")
    image_urls = _rewrite_images(soup, rewrite_image_url)
    _link_bare_urls(soup)
    converted = _split_reblog(soup)
    converted.image_urls = image_urls
    converted.unknown_shortcodes = unknown
    return converted


def summary_from_html(source_html: str) -> str:
    """WordPress's excerpt (plain text, or a little HTML) as a one-paragraph summary."""
    if not source_html.strip():
        return ""
    text = BeautifulSoup(source_html, "html.parser").get_text(" ")
    return _SPACES.sub(" ", text).strip()


def _attributes(text: str) -> dict[str, str]:
    return {
        match.group(1).lower(): html.unescape(next(g for g in match.groups()[1:] if g is not None))
        for match in _ATTRIBUTE.finditer(text)
    }


def _shortcode_html(match: re.Match, unknown: Counter) -> str:
    """The HTML WordPress shows for a shortcode, or the shortcode itself as text."""
    whole = match.group(0)
    if match.group("escaped") and match.group("escaped_end"):
        return whole[1:-1]  # [[gallery]] is written as text: [gallery]
    name = match.group("name").lower()
    attributes = _attributes(match.group("attributes"))
    content = match.group("content")
    if name in ("caption", "wp_caption"):
        return _caption_html(content or "", attributes)
    if name == "embed" and content and content.strip():
        url = content.strip()
        return f'<p><a href="{html.escape(url)}">{html.escape(url)}</a></p>'
    if name in _MEDIA_SHORTCODES:
        url = attributes.get("src") or next(
            (value for key, value in attributes.items() if key in ("mp3", "mp4", "ogg", "webm")),
            "",
        )
        if url:
            return f'<p><a href="{html.escape(url)}">{html.escape(url)}</a></p>'
    # Only a bracketed word that looks like a shortcode is counted: "[sic]" is prose.
    looks_like_shortcode = (
        match.group("attributes").strip() or content is not None or re.search(r"[-_]", name)
    )
    if looks_like_shortcode:
        unknown[name] += 1
    return whole


def _caption_html(content: str, attributes: dict[str, str]) -> str:
    """[caption]<img …> Words[/caption]: the image, and its caption on the line below."""
    soup = BeautifulSoup(content, "html.parser")
    image = soup.find("img")
    if image is None:
        return content
    media = image.parent if image.parent and image.parent.name == "a" else image
    media.extract()
    caption = attributes.get("caption") or soup.get_text(" ").strip()
    if caption and not image.get("alt"):
        image["alt"] = caption
    caption_html = f"<br><em>{html.escape(caption)}</em>" if caption else ""
    return f"<p>{media}{caption_html}</p>"


def _autop(text: str) -> str:
    """WordPress's wpautop, simplified: each run of text between blank lines that is not
    already a block of HTML becomes a paragraph, its line breaks <br>s."""
    blocks = []
    for block in _PARAGRAPH_BREAK.split(text.strip()):
        if not block.strip():
            continue
        if _BLOCK_START.match(block):
            blocks.append(block)
        else:
            lines = [line.strip() for line in block.strip().split("\n")]
            blocks.append(f"<p>{'<br>'.join(lines)}</p>")
    return "\n\n".join(blocks)


def _rewrite_images(soup: BeautifulSoup, rewrite: Callable[[str], str] | None) -> list[str]:
    """The addresses of the content's images, each given its new address if there is one;
    a link to the full-size image moves with it."""
    addresses = []
    for image in soup.find_all("img"):
        source = (image.get("src") or "").strip()
        if not source:
            continue
        addresses.append(source)
        if rewrite is None:
            continue
        image["src"] = rewrite(source)
        link = image.parent
        if link is not None and link.name == "a" and "/wp-content/uploads/" in link.get("href", ""):
            link["href"] = rewrite(link["href"])
    return list(dict.fromkeys(addresses))


def _link_bare_urls(soup: BeautifulSoup) -> None:
    """An address alone in its paragraph, which WordPress shows as an embedded video or
    post, becomes a link to it."""
    for text in soup.find_all(string=_BARE_URL):
        if text.find_parent(["a", "pre", "code"]) is not None:
            continue
        parent = text.parent
        if parent is not None and parent.name not in ("p", "div", "figure", "[document]"):
            continue
        url = _BARE_URL.match(text).group(1)
        link = soup.new_tag("a", href=url)
        link.string = url
        text.replace_with(link)


def _blocks(soup: BeautifulSoup) -> list:
    return [
        node
        for node in soup.contents
        if isinstance(node, Tag) or (isinstance(node, NavigableString) and node.strip())
    ]


def _split_reblog(soup: BeautifulSoup) -> Converted:
    """The post's parts: a reblog ends with its "via" line, after the quoted passage."""
    blocks = _blocks(soup)
    via = blocks[-1] if blocks else None
    link = via.find("a", href=True) if isinstance(via, Tag) else None
    if not (via is not None and via.name in ("p", "div") and link and _VIA.match(via.get_text())):
        return Converted(body=_markdown(soup))
    source_title = _SPACES.sub(" ", link.get_text()).strip()
    after_link = "".join(
        node.get_text() if isinstance(node, Tag) else str(node) for node in link.next_siblings
    )
    source_name = _SPACES.sub(" ", after_link).strip().lstrip("|·—-–").strip()
    via.extract()
    excerpt = ""
    quote = blocks[-2] if len(blocks) > 1 else None
    if isinstance(quote, Tag) and quote.name == "blockquote":
        quote.extract()
        excerpt = _markdown(quote, inner=True)
    return Converted(
        body=_markdown(soup),
        excerpt=excerpt,
        source_url=link["href"].strip(),
        source_title=source_title,
        source_name=source_name,
    )


def _markdown(node: Tag, *, inner: bool = False) -> str:
    converter = _Markdown()
    if inner:
        text = "".join(converter.process_element(child, parent_tags=set()) for child in node)
    else:
        text = converter.convert_soup(node)
    # Trailing spaces go, but for Markdown's hard line break (two spaces: a <br>).
    lines = [line if line.endswith("  ") else line.rstrip(" ") for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
