"""Markdown to sanitised HTML, shared by posts (Markdown) and comments (plain text)."""

import enum
import re
from functools import lru_cache
from html import unescape
from xml.etree import ElementTree

import markdown
import nh3
from django.utils.html import strip_tags
from markdown.blockprocessors import ParagraphProcessor
from markdown.extensions import Extension

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


class LineBreaks(enum.Enum):
    """What a single line break in the text means.

    A blank line ends a paragraph whatever the choice; code and raw HTML are never
    touched, and headings, tables and lists keep their shape.
    """

    # Markdown's rule: the lines run on as one paragraph.
    JOIN = "join"
    # A line break (<br>) wherever one can go, in a list item too: WordPress's rule, and
    # Markdown's nl2br extension.
    BREAK = "break"
    # A new paragraph, for a passage pasted one paragraph a line. A line ending in
    # Markdown's hard break (two spaces) runs on with a <br>; list items keep Markdown's rule.
    PARAGRAPH = "paragraph"


# A newline, but not Markdown's hard break (two spaces, then a newline).
_PARAGRAPH_END = re.compile(r"(?<!  )\n")
_LIST_STATES = {"list", "looselist", "detabbed"}


class _ParagraphPerLine(ParagraphProcessor):
    """Markdown's paragraph processor, making a paragraph of each line outside lists.

    It sees only the blocks every other processor has passed over, so code, raw HTML,
    headings, tables, lists and quotes are parsed as before; the text inside a quote comes
    back here and is split like the rest. A tight list item has no paragraphs to split
    into, so lists are left to Markdown.
    """

    def run(self, parent, blocks):
        if _LIST_STATES.intersection(self.parser.state):
            return super().run(parent, blocks)
        for line in _PARAGRAPH_END.split(blocks.pop(0)):
            if line.strip():
                ElementTree.SubElement(parent, "p").text = line.lstrip()


class _ParagraphPerLineExtension(Extension):
    def extendMarkdown(self, md):
        # Under the name and priority of the processor it replaces: the last resort.
        md.parser.blockprocessors.register(_ParagraphPerLine(md.parser), "paragraph", 10)


_LINE_BREAK_EXTENSIONS = {
    LineBreaks.JOIN: [],
    LineBreaks.BREAK: ["nl2br"],
    LineBreaks.PARAGRAPH: [_ParagraphPerLineExtension()],
}


def sanitise(html: str, *, link_rel: str | None = "noopener") -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=link_rel,
    )


def render_markdown(text: str, *, line_breaks: LineBreaks = LineBreaks.JOIN) -> str:
    """Render an editor's Markdown to HTML that is safe to mark safe.

    `line_breaks` says what a single line break becomes. Windows line endings are one line
    break, not two: Markdown makes every ending a newline before it reads anything else.
    """
    if not text:
        return ""
    html = markdown.markdown(
        text,
        extensions=[*_MARKDOWN_EXTENSIONS, *_LINE_BREAK_EXTENSIONS[line_breaks]],
        extension_configs=_MARKDOWN_CONFIG,
        output_format="html",
    )
    return sanitise(html)


def plain_text(html: str) -> str:
    """The words of rendered HTML, on one line: what a reader reads, for search."""
    return " ".join(unescape(strip_tags(html)).split())


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
