"""Markdown to sanitised HTML, shared by posts (Markdown) and comments (plain text)."""

import re
from functools import lru_cache

import markdown
import nh3

# What Markdown may produce and a reader's browser may see. Anything else, such as
# <script>, <iframe>, event-handler attributes or style, is dropped by nh3.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "dd", "del", "div", "dl", "dt",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "code": {"class"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# C0 control characters but tab, newline and carriage return. XML 1.0 cannot carry them,
# so one in a title or a comment would break the feeds; only forged posts and odd pastes
# bring them, and the text reads the same without them.
_CONTROL_CHARACTERS = dict.fromkeys(code for code in range(0x20) if chr(code) not in "\t\n\r")


def without_control_characters(text: str) -> str:
    return text.translate(_CONTROL_CHARACTERS)


_MARKDOWN_EXTENSIONS = ["extra", "sane_lists", "smarty", "toc"]
# The page's own title is the only <h1>: a "# Heading" in a post becomes an <h2>.
_MARKDOWN_CONFIG = {"toc": {"baselevel": 2}}


def sanitise(html: str, *, link_rel: str | None = "noopener") -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=link_rel,
    )


def render_markdown(text: str) -> str:
    """Render an editor's Markdown to HTML that is safe to mark safe."""
    if not text:
        return ""
    html = markdown.markdown(
        text,
        extensions=_MARKDOWN_EXTENSIONS,
        extension_configs=_MARKDOWN_CONFIG,
        output_format="html",
    )
    return sanitise(html)


# Sanitised HTML escapes "<" in text and attribute values, so these match tags only.
_HEADING_TAG = re.compile(r"<(/?)h([1-6])(?=[\s>])")
_CODE_BLOCK = "<pre>"  # nh3 lets no attribute through on <pre>


@lru_cache(maxsize=512)
def fit_to_page(html: str, *, top_heading: int) -> str:
    """Sanitised HTML as a page shows it, under that page's own headings.

    Headings are renumbered so the first level used becomes `top_heading` and none skips
    a level (an editor's "###" under the title reads as the next level down). Code blocks
    get tabindex="0": one that scrolls sideways on a phone must be reachable by keyboard.
    """
    # (level written, level shown) of the enclosing headings; the last is the one open,
    # as headings never nest.
    stack: list[tuple[int, int]] = []

    def renumber(match: re.Match) -> str:
        closing, written = match[1], int(match[2])
        if closing:
            return f"</h{stack[-1][1] if stack else written}"
        while stack and stack[-1][0] >= written:
            stack.pop()
        shown = min(stack[-1][1] + 1 if stack else top_heading, 6)
        stack.append((written, shown))
        return f"<h{shown}"

    html = _HEADING_TAG.sub(renumber, html)
    return html.replace(_CODE_BLOCK, '<pre tabindex="0">')


def render_plain_text(text: str) -> str:
    """Render a visitor's plain text: escaped, paragraphs kept, bare URLs linked.

    Links from visitors carry rel="nofollow ugc noopener" so they pass no search
    ranking and cannot reach back into this page.
    """
    from django.utils.html import linebreaks, urlize

    html = linebreaks(urlize(text, trim_url_limit=60, nofollow=False, autoescape=True))
    return nh3.clean(
        html,
        tags={"a", "p", "br"},
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel="nofollow ugc noopener",
    )
