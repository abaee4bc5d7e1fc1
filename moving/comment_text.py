"""A comment from another system, written in its HTML, as the plain text comments are here.

Comments on this site are plain text (core.markup.render_plain_text links bare
addresses and keeps paragraphs). WordPress and Disqus keep a little HTML in them: a
link keeps its address beside its words, a line break and a paragraph stay, the rest
of the markup goes and its words stay.
"""

import re

from bs4 import BeautifulSoup, NavigableString

_BLANK_LINES = re.compile(r"\n{3,}")
_BLOCKS = ("p", "div", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6")


def comment_text_from_html(html: str) -> str:
    """The words of a comment written in HTML, with its links' addresses and its paragraphs."""
    if "<" not in html and "&" not in html:
        return html.strip()
    soup = BeautifulSoup(html, "html.parser")
    for unwanted in soup.find_all(["script", "style"]):
        unwanted.decompose()
    for link in soup.find_all("a"):
        href = (link.get("href") or "").strip()
        words = link.get_text()
        if href.lower().startswith(("http://", "https://")) and href not in words:
            link.replace_with(NavigableString(f"{words} ({href})" if words.strip() else href))
        else:
            link.unwrap()
    for line_break in soup.find_all("br"):
        line_break.replace_with(NavigableString("\n"))
    for item in soup.find_all("li"):
        item.insert_before(NavigableString("\n- "))
        item.unwrap()
    for block in soup.find_all(_BLOCKS):
        block.insert_before(NavigableString("\n\n"))
        block.insert_after(NavigableString("\n\n"))
        block.unwrap()
    text = "\n".join(line.rstrip() for line in soup.get_text().replace("\r\n", "\n").split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()
