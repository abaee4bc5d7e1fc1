""" "Press This": a bookmarklet that starts a link post from whatever page the editor is
reading, as WordPress's Press This did.

It runs on the other site's page, so it carries everything it needs: the same HTML to
Markdown converter the post editor uses for pasted text (static/js/html_to_markdown.js,
read from the static files), and this site's address for a new post. It sends what it
found as the add form's query string (blog.forms.PREFILLED_FIELDS), so it needs nothing
from the server but the form itself.
"""

from functools import lru_cache
from urllib.parse import quote

from django.contrib.staticfiles import finders
from django.urls import reverse

CONVERTER = "js/html_to_markdown.js"
# Gunicorn refuses a request line over 8,190 bytes (gunicorn.conf.py raises its limit to
# that), so the passage is cut at a paragraph to keep the whole address under it.
ADDRESS_LIMIT = 7500

# {converter}, {add_url} and {limit} are filled in below. Plain ES5, no comments after
# code on a line: some browsers keep a bookmarklet on one line.
_SCRIPT = """(function () {
{converter}
var selection = window.getSelection();
var box = document.createElement("div");
for (var i = 0; i < selection.rangeCount; i++) {
  box.appendChild(selection.getRangeAt(i).cloneContents());
}
function meta(property) {
  var tag = document.querySelector('meta[property="' + property + '"]');
  return tag && tag.content ? tag.content.trim() : "";
}
var fields = {
  title: meta("og:title") || document.title,
  source_url: meta("og:url") || location.href,
  source_title: meta("og:title") || document.title,
  source_name: meta("og:site_name") || location.hostname.replace(/^www[.]/, ""),
  excerpt: htmlToMarkdown(box, location.href)
};
function address() {
  return "{add_url}?" + Object.keys(fields).map(function (name) {
    return name + "=" + encodeURIComponent(fields[name]);
  }).join("&");
}
while (address().length > {limit} && fields.excerpt) {
  var cut = fields.excerpt.lastIndexOf("\\n\\n");
  fields.excerpt = fields.excerpt.slice(0, cut > 0 ? cut : fields.excerpt.length / 2);
}
window.open(address(), "_blank", "noopener");
})();"""


@lru_cache(maxsize=1)
def _converter() -> str:
    with open(finders.find(CONVERTER), encoding="utf-8") as source:
        return source.read()


def script(add_url: str) -> str:
    """The bookmarklet's JavaScript, for a new post at `add_url` (an absolute address)."""
    return (
        _SCRIPT.replace("{converter}", _converter())
        .replace("{add_url}", add_url.replace("\\", "\\\\").replace('"', '\\"'))
        .replace("{limit}", str(ADDRESS_LIMIT))
    )


def link(request) -> str:
    """The bookmarklet as a javascript: address, to drag to the bookmarks bar."""
    add_url = request.build_absolute_uri(reverse("admin:blog_post_add"))
    return "javascript:" + quote(script(add_url), safe="(){}[];,.:=+-*/!?'\"_$<>|&")
