import re
from importlib import import_module

import pytest
from django.apps import apps

from blog.models import Post
from core.markup import LineBreaks, render_markdown
from core.models import PublicChange
from tests import factories

BODY = LineBreaks.BREAK
EXCERPT = LineBreaks.PARAGRAPH

PASTED_PASSAGE = "\n".join(
    [
        "By Ada Byline, Staff Writer",
        "The council met on Tuesday.",
        "It voted to close the library.",
        "Residents objected.",
        "A petition gathered 4,000 names.",
        "The vote will be taken again in May.",
        "The library stays open until then.",
    ]
)


def paragraphs(html):
    return re.findall(r"<p>(.*?)</p>", html, flags=re.DOTALL)


def test_an_excerpt_pasted_one_paragraph_a_line_keeps_its_paragraphs():
    html = render_markdown(PASTED_PASSAGE, line_breaks=EXCERPT)

    assert paragraphs(html) == PASTED_PASSAGE.split("\n")
    assert "<br>" not in html


def test_a_line_break_in_the_body_is_a_line_break():
    html = render_markdown("Roses are red,\nviolets are blue.", line_breaks=BODY)

    assert paragraphs(html) == ["Roses are red,<br>\nviolets are blue."]


def test_markdown_still_joins_lines_for_other_callers():
    assert paragraphs(render_markdown("One line\nand the next.")) == ["One line\nand the next."]


@pytest.mark.parametrize("line_breaks", [BODY, EXCERPT])
def test_a_blank_line_is_a_paragraph_break(line_breaks):
    html = render_markdown("First paragraph.\n\nSecond paragraph.", line_breaks=line_breaks)

    assert paragraphs(html) == ["First paragraph.", "Second paragraph."]


@pytest.mark.parametrize("line_breaks", [BODY, EXCERPT])
def test_two_trailing_spaces_are_still_a_hard_break(line_breaks):
    html = render_markdown("A line that ends  \nin a hard break.", line_breaks=line_breaks)

    assert paragraphs(html) == ["A line that ends<br>\nin a hard break."]


def test_a_hard_break_in_an_excerpt_keeps_the_lines_in_one_paragraph():
    html = render_markdown("Line one  \nline two\nA new paragraph.", line_breaks=EXCERPT)

    assert paragraphs(html) == ["Line one<br>\nline two", "A new paragraph."]


@pytest.mark.parametrize("line_breaks", [BODY, EXCERPT])
def test_windows_line_endings_read_as_one_line_break(line_breaks):
    text = "A line\nanother  \nand more.\n\n- a list\n- of two\n\n```\ncode\n```\n\nThe end."

    windows = render_markdown(text.replace("\n", "\r\n"), line_breaks=line_breaks)

    assert windows == render_markdown(text, line_breaks=line_breaks)
    assert "\r" not in windows


BLOCKS = {
    "list": "- one\n- two\n- three",
    "numbered list": "1. one\n2. two\n3. three",
    "heading": "# A heading\n\n## A subheading",
    "heading between lines": "Before\n# A heading\nAfter",
    "table": "| Name | Votes |\n|------|-------|\n| Ada | 3 |\n| Bob | 4 |",
    "fenced code": "```python\nfirst = 1\nsecond = 2\n```",
    "fenced code between lines": "Before\n```\nfirst\nsecond\n```\nAfter",
    "indented code": "Code:\n\n    first = 1\n    second = 2",
    "raw HTML": "<div>\nfirst\nsecond\n</div>",
    "definition list": "Term\n: first meaning\n: second meaning",
}


@pytest.mark.parametrize("line_breaks", [BODY, EXCERPT])
@pytest.mark.parametrize("source", BLOCKS.values(), ids=BLOCKS.keys())
def test_block_markdown_is_unchanged(source, line_breaks):
    assert render_markdown(source, line_breaks=line_breaks) == render_markdown(source)


@pytest.mark.parametrize("line_breaks", [BODY, EXCERPT])
def test_a_list_stays_one_list(line_breaks):
    html = render_markdown("Intro.\n\n- one\n- two\n- three\n\nAfter.", line_breaks=line_breaks)

    assert html.count("<ul>") == 1
    assert re.findall(r"<li>(.*?)</li>", html) == ["one", "two", "three"]
    assert paragraphs(html) == ["Intro.", "After."]


def test_a_list_item_over_two_lines_breaks_in_the_body_and_joins_in_the_excerpt():
    source = "- one\n  continued\n- two"

    assert "<li>one<br>\n  continued</li>" in render_markdown(source, line_breaks=BODY)
    assert "<li>one\n  continued</li>" in render_markdown(source, line_breaks=EXCERPT)


@pytest.mark.parametrize("line_breaks", [BODY, EXCERPT])
def test_lines_in_a_code_block_are_untouched(line_breaks):
    html = render_markdown("Look:\n\n```\nfirst\nsecond\n```", line_breaks=line_breaks)

    assert "<pre><code>first\nsecond\n</code></pre>" in html


def test_a_quote_in_an_excerpt_has_a_paragraph_a_line():
    html = render_markdown("> First quoted.\n> Second quoted.", line_breaks=EXCERPT)

    assert html == "<blockquote>\n<p>First quoted.</p>\n<p>Second quoted.</p>\n</blockquote>"


def test_a_quote_in_the_body_keeps_its_line_breaks():
    html = render_markdown("> First quoted.\n> Second quoted.", line_breaks=BODY)

    assert html == "<blockquote>\n<p>First quoted.<br>\nSecond quoted.</p>\n</blockquote>"


@pytest.mark.django_db
def test_a_post_renders_its_body_and_excerpt_by_their_rules():
    post = factories.make_link_post(body="Worth a look:\nsee below.", excerpt=PASTED_PASSAGE)

    assert paragraphs(post.body_html) == ["Worth a look:<br>\nsee below."]
    assert len(paragraphs(post.excerpt_html)) == 7


@pytest.fixture
def migration():
    """The data migration that renders stored posts under the new rules."""
    return import_module("blog.migrations.0009_render_line_breaks")


@pytest.mark.django_db
def test_the_migration_renders_posts_saved_with_the_old_rules_again(migration, monkeypatch):
    monkeypatch.setattr(migration, "BATCH_SIZE", 2)
    posts = [
        factories.make_link_post(body=f"Post {n},\nline two.", excerpt=PASTED_PASSAGE)
        for n in range(5)
    ]
    # As the old rules left them: every run of lines joined into one paragraph.
    for post in posts:
        Post.objects.filter(pk=post.pk).update(
            body_html=render_markdown(post.body), excerpt_html=render_markdown(post.excerpt)
        )
    before = PublicChange.objects.get(pk=1).changed_at

    migration.render_line_breaks(apps, schema_editor=None)

    for post in Post.objects.filter(pk__in=[post.pk for post in posts]):
        assert paragraphs(post.body_html) == [post.body.replace("\n", "<br>\n")]
        assert len(paragraphs(post.excerpt_html)) == 7
    assert PublicChange.objects.get(pk=1).changed_at > before


@pytest.mark.django_db
def test_the_migration_leaves_posts_already_rendered_alone(migration):
    post = factories.make_link_post(body="One line.", excerpt=PASTED_PASSAGE)
    before = PublicChange.objects.get(pk=1).changed_at

    migration.render_line_breaks(apps, schema_editor=None)

    assert Post.objects.get(pk=post.pk).excerpt_html == post.excerpt_html
    assert PublicChange.objects.get(pk=1).changed_at == before
