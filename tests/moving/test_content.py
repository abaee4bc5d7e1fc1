"""WordPress's post HTML as this site's Markdown: what the reader sees after the move."""

from core.markup import LineBreaks, render_markdown
from moving.content import convert_post_content, summary_from_html

UPLOADS = "https://old.blog/wp-content/uploads/"


def page(html, **options):
    """The converted post's commentary as its page shows it."""
    return render_markdown(convert_post_content(html, **options).body, line_breaks=LineBreaks.BREAK)


def test_block_editor_content_keeps_its_structure_and_loses_its_block_comments():
    html = page(
        '<!-- wp:heading --><h2 class="wp-block-heading">Why</h2><!-- /wp:heading -->\n'
        "<!-- wp:paragraph -->\n<p>A <em>small</em> site, <strong>kept</strong>\nwith "
        '<a href="https://example.org/">care</a>.</p>\n<!-- /wp:paragraph -->\n'
        '<!-- wp:list --><ul class="wp-block-list"><li>one</li><li>two</li></ul><!-- /wp:list -->\n'
        '<!-- wp:code --><pre class="wp-block-code"><code>print("hi")\nprint("bye")</code></pre>'
        "<!-- /wp:code -->\n"
        "<!-- wp:quote --><blockquote><p>Quoted.</p></blockquote><!-- /wp:quote -->"
    )
    assert "wp:" not in html
    assert html.startswith("<h2>Why</h2>")  # Its level under the title, as on WordPress.
    # A line break inside block HTML is a space, as the browser showed it.
    assert (
        '<p>A <em>small</em> site, <strong>kept</strong> with <a href="https://example.org/"'
        in html
    )
    assert "<li>one</li>" in html and "<li>two</li>" in html
    assert 'print("hi")\nprint("bye")' in html.replace("&quot;", '"')
    assert "<blockquote>\n<p>Quoted.</p>\n</blockquote>" in html


def test_classic_content_gets_wordpress_paragraphs_and_line_breaks():
    html = page("One paragraph.\n\nTwo lines\nin the second.\n\n\n<ul><li>a list</li></ul>")
    assert html.startswith("<p>One paragraph.</p>\n<p>Two lines<br>\nin the second.</p>")
    assert "<li>a list</li>" in html


def test_a_caption_becomes_the_image_with_its_caption_beneath():
    converted = convert_post_content(
        f'[caption id="attachment_7" width="300"]<a href="{UPLOADS}big.jpg">'
        f'<img src="{UPLOADS}small.jpg" alt="" /></a> Two benches[/caption]'
    )
    html = render_markdown(converted.body, line_breaks=LineBreaks.BREAK)
    assert f'<img alt="Two benches" src="{UPLOADS}small.jpg"></a>' in html
    assert "<br>\n<em>Two benches</em>" in html
    assert converted.image_urls == [f"{UPLOADS}small.jpg"]
    assert not converted.unknown_shortcodes


def test_images_and_their_full_size_links_move_to_their_new_addresses():
    converted = convert_post_content(
        f'<p><a href="{UPLOADS}big.jpg"><img src="{UPLOADS}small.jpg" alt="A"></a></p>',
        rewrite_image_url=lambda url: url.replace(UPLOADS, "/media/imported/"),
    )
    assert converted.body == "[![A](/media/imported/small.jpg)](/media/imported/big.jpg)"
    assert converted.image_urls == [f"{UPLOADS}small.jpg"]


def test_embeds_and_media_shortcodes_become_links():
    html = page(
        "[embed]https://www.youtube.com/watch?v=abc[/embed]\n\n"
        '[audio src="https://old.blog/wp-content/uploads/talk.mp3"]\n\n'
        "https://vimeo.com/12345\n\n"
        '<!-- wp:embed --><figure class="wp-block-embed"><div class="wp-block-embed__wrapper">\n'
        "https://twitter.com/someone/status/1\n</div></figure><!-- /wp:embed -->"
    )
    for url in (
        "https://www.youtube.com/watch?v=abc",
        "https://old.blog/wp-content/uploads/talk.mp3",
        "https://vimeo.com/12345",
        "https://twitter.com/someone/status/1",
    ):
        assert f'<a href="{url}"' in html.replace("&amp;", "&")


def test_unknown_shortcodes_stay_as_text_and_are_counted():
    converted = convert_post_content(
        'Write to us: [contact-form-7 id="12" title="Contact"]\n\n[gallery ids="1,2"]\n\n'
        "[gallery]\n\nNo shortcode here [sic], and [[gallery]] is written as text."
    )
    assert '[contact-form-7 id="12" title="Contact"]' in converted.body
    assert converted.unknown_shortcodes == {"contact-form-7": 1, "gallery": 1}
    assert "[sic]" in converted.body
    assert "[gallery] is written as text." in converted.body


def test_a_reblog_splits_into_commentary_passage_and_source():
    converted = convert_post_content(
        "<p>Worth reading.</p>\n"
        "<blockquote><p>First.</p><p>Second, <em>stressed</em>.</p></blockquote>\n"
        '<p>via <a href="https://example.org/a">An article</a> | Example Site</p>'
    )
    assert converted.body == "Worth reading."
    assert converted.excerpt == "First.\n\nSecond, *stressed*."
    assert converted.source_url == "https://example.org/a"
    assert converted.source_title == "An article"
    assert converted.source_name == "Example Site"


def test_a_via_line_without_a_passage_or_a_site_name_still_names_the_source():
    converted = convert_post_content(
        'A thought.\n\nvia <a href="https://example.org/b">example.org</a>'
    )
    assert (converted.body, converted.excerpt) == ("A thought.", "")
    assert (converted.source_url, converted.source_title, converted.source_name) == (
        "https://example.org/b", "example.org", ""
    )  # fmt: skip


def test_a_quote_that_is_not_followed_by_a_via_line_stays_in_the_commentary():
    converted = convert_post_content(
        "<p>As they say:</p><blockquote><p>Less is more.</p></blockquote>"
    )
    assert converted.body == "As they say:\n\n> Less is more."
    assert not converted.source_url


def test_what_the_writer_typed_is_shown_as_typed():
    html = page(
        "<p>Use &lt;script&gt; tags with care; 2 * 3 = 6; C:\\temp\\new and aren\\'t; "
        "snake_case.</p><script>alert(1)</script>"
    )
    assert "&lt;script&gt; tags with care" in html
    assert "2 * 3 = 6" in html
    assert "C:\\temp\\new and aren\\" in html
    assert "snake_case" in html
    assert "<script>" not in html and "alert(1)" not in html


def test_the_summary_is_plain_text():
    assert (
        summary_from_html("<p>Why <strong>small</strong>\n sites win.</p>")
        == "Why small sites win."
    )
    assert summary_from_html("   ") == ""
