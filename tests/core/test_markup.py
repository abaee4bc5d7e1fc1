import pytest

from core.markup import render_markdown


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "Hello <script src='https://evil.example/x.js'></script>",
        "<SCRIPT>alert(1)</SCRIPT>",
        "<scr<script>ipt>alert(1)</script>",
    ],
)
def test_script_tags_are_dropped(source):
    html = render_markdown(source)
    assert "<script" not in html.lower()


@pytest.mark.parametrize(
    "source",
    [
        '<img src="x.png" onerror="alert(1)">',
        '<a href="https://example.org" onclick="alert(1)">x</a>',
        '<p onmouseover="alert(1)">hover</p>',
        '<svg onload="alert(1)"></svg>',
        '<div style="background:url(javascript:alert(1))">x</div>',
    ],
)
def test_event_handlers_and_styles_are_dropped(source):
    html = render_markdown(source).lower()
    assert "onerror" not in html
    assert "onclick" not in html
    assert "onmouseover" not in html
    assert "onload" not in html
    assert "style=" not in html


@pytest.mark.parametrize(
    "source",
    [
        "[click me](javascript:alert(1))",
        "[click me](JaVaScRiPt:alert(1))",
        "[click me](  javascript:alert(1))",
        "[click me](java&#115;cript:alert(1))",
        "![pic](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        '<img src="javascript:alert(1)">',
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<https://example.org> [v](vbscript:msgbox(1))",
    ],
)
def test_dangerous_urls_are_dropped_from_links_and_images(source):
    html = render_markdown(source).lower()
    assert "javascript:" not in html
    assert "java&#115;cript" not in html
    assert "data:" not in html
    assert "vbscript:" not in html


@pytest.mark.parametrize(
    "source", ["<iframe src='https://evil.example'></iframe>", "<form action='/x'><input></form>"]
)
def test_embedding_tags_are_dropped(source):
    html = render_markdown(source).lower()
    assert "<iframe" not in html and "<form" not in html and "<input" not in html


def test_ordinary_markdown_is_kept():
    html = render_markdown(
        "# Heading\n\nSome *emphasis*, **strong** and `code`.\n\n"
        "- one\n- two\n\n"
        "> a quotation\n\n"
        '[a link](https://example.org/page "Title") and ![alt text](https://example.org/a.png)\n\n'
        "```\nprint('hi')\n```"
    )

    assert "<h2>Heading</h2>" in html
    assert "<em>emphasis</em>" in html
    assert "<strong>strong</strong>" in html
    assert "<code>code</code>" in html
    assert "<li>one</li>" in html
    assert "<blockquote>" in html
    assert '<a href="https://example.org/page" title="Title" rel="noopener">a link</a>' in html
    assert '<img alt="alt text" src="https://example.org/a.png">' in html
    assert "print(&#x27;hi&#x27;)" in html or "print('hi')" in html


def test_relative_links_and_mailto_are_kept():
    html = render_markdown("[about](/about/) and [mail](mailto:me@example.org)")
    assert 'href="/about/"' in html
    assert 'href="mailto:me@example.org"' in html


def test_empty_text_renders_nothing():
    assert render_markdown("") == ""
