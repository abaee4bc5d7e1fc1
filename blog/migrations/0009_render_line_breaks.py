"""Render every post again under the line-break rules of issue 12.

In a body a single line break is now a <br>; in an excerpt each line is a paragraph. Only
the stored HTML changes, never what the editor wrote.
"""

import re
from xml.etree import ElementTree

from django.db import migrations
from django.utils import timezone

BATCH_SIZE = 500

# Copied, not imported: a migration must render as it did when it was written, however
# the site's markup code changes later (see core.markup).
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
PARAGRAPH_END = re.compile(r"(?<!  )\n")
LIST_STATES = {"list", "looselist", "detabbed"}


def paragraph_per_line():
    """The excerpt's rule: each line outside a list is a paragraph of its own."""
    from markdown.blockprocessors import ParagraphProcessor
    from markdown.extensions import Extension

    class ParagraphPerLine(ParagraphProcessor):
        def run(self, parent, blocks):
            if LIST_STATES.intersection(self.parser.state):
                return super().run(parent, blocks)
            for line in PARAGRAPH_END.split(blocks.pop(0)):
                if line.strip():
                    ElementTree.SubElement(parent, "p").text = line.lstrip()

    class ParagraphPerLineExtension(Extension):
        def extendMarkdown(self, md):
            md.parser.blockprocessors.register(ParagraphPerLine(md.parser), "paragraph", 10)

    return ParagraphPerLineExtension()


def render_markdown(text, line_break_extension):
    import markdown
    import nh3

    if not text:
        return ""
    html = markdown.markdown(
        text,
        extensions=["extra", "sane_lists", "smarty", "toc", line_break_extension],
        extension_configs={"toc": {"baselevel": 2}},
        output_format="html",
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
    )


def render_line_breaks(apps, schema_editor):
    Post = apps.get_model("blog", "Post")
    excerpt_rule = paragraph_per_line()
    posts = Post.objects.only("body", "excerpt", "body_html", "excerpt_html").order_by("pk")
    changed = 0
    batch = []
    # Writing to the table being read is safe here: no update moves a row or its key.
    for post in posts.iterator(chunk_size=BATCH_SIZE):
        body_html = render_markdown(post.body, "nl2br")
        excerpt_html = render_markdown(post.excerpt, excerpt_rule)
        if (body_html, excerpt_html) != (post.body_html, post.excerpt_html):
            post.body_html, post.excerpt_html = body_html, excerpt_html
            batch.append(post)
        if len(batch) == BATCH_SIZE:
            changed += Post.objects.bulk_update(batch, ["body_html", "excerpt_html"])
            batch = []
    changed += Post.objects.bulk_update(batch, ["body_html", "excerpt_html"])
    if changed:
        # bulk_update() sends no signals: tell the page cache and readers' browsers here.
        apps.get_model("core", "PublicChange").objects.update_or_create(
            pk=1, defaults={"changed_at": timezone.now()}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0008_post_revisions"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(render_line_breaks, migrations.RunPython.noop),
    ]
