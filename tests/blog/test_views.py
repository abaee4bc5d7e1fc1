import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.factories import make_link_post, make_post, make_user


def html(response):
    return response.content.decode()


@pytest.mark.django_db
def test_home_lists_newest_published_posts_first(client, post, link_post, draft, scheduled_post):
    response = client.get(reverse("blog:home"))

    page = html(response)
    assert response.status_code == 200
    assert page.index(post.title) < page.index(link_post.title)
    assert draft.title not in page
    assert scheduled_post.title not in page


@pytest.mark.django_db
def test_home_marks_link_posts_and_shows_their_source(client, link_post):
    page = html(client.get(reverse("blog:home")))

    assert "badge--link" in page
    assert f'href="{link_post.source_url}"' in page
    assert "The Quoted Article" in page
    assert reverse("blog:tag", kwargs={"slug": "python"}) in page


@pytest.mark.django_db
def test_home_advertises_the_site_feeds(client):
    page = html(client.get(reverse("blog:home")))

    assert (
        f'type="application/atom+xml" title="Marginalia (Atom)" href="{reverse("blog:feed-atom")}"'
        in page
    )
    assert f'href="{reverse("blog:feed-rss")}"' in page


@pytest.mark.django_db
def test_home_on_an_empty_site_says_nothing_is_published(client):
    response = client.get(reverse("blog:home"))

    assert response.status_code == 200
    assert "Nothing has been published yet." in html(response)


@pytest.mark.django_db
def test_home_paginates(client, settings):
    settings.BLOG_POSTS_PER_PAGE = 3
    posts = [make_post(title=f"Paged post {n}") for n in range(10)]

    first = html(client.get(reverse("blog:home")))
    second = html(client.get(reverse("blog:home"), {"page": 2}))

    assert posts[0].title in first and posts[3].title not in first
    assert posts[3].title in second
    assert "?page=3" in second and "?page=1" in second


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["abc", "99999", "0", "-1", "1e9", "last5"])
def test_bad_page_numbers_answer_404(client, post, page):
    assert client.get(reverse("blog:home"), {"page": page}).status_code == 404


@pytest.mark.django_db
def test_page_last_answers_the_last_page(client, post):
    assert client.get(reverse("blog:home"), {"page": "last"}).status_code == 200


@pytest.mark.django_db
def test_link_post_page_shows_commentary_cited_excerpt_and_via_link(client):
    post = make_link_post(
        title="Worth reading",
        body="My *own* commentary.",
        excerpt="The quoted passage.",
        tags=["python"],
    )

    response = client.get(post.get_absolute_url())

    page = html(response)
    assert response.status_code == 200
    assert '<h1 class="post__title">Worth reading</h1>' in page
    assert "My <em>own</em> commentary." in page
    assert '<blockquote class="excerpt" cite="https://example.org/articles/quoted">' in page
    assert "The quoted passage." in page
    assert 'via <a href="https://example.org/articles/quoted"' in page
    assert '>The Quoted Article</a> <span class="via__site">| Example Org</span>' in page
    assert f'<time datetime="{post.published_at.isoformat(timespec="seconds")}">' in page
    assert reverse("blog:author", kwargs={"username": post.author.username}) in page
    assert '<section id="comments" class="comments">' in page


@pytest.mark.django_db
def test_post_page_has_canonical_opengraph_and_twitter_meta(client, link_post):
    page = html(client.get(link_post.get_absolute_url()))

    url = f"http://127.0.0.1:8000{link_post.get_absolute_url()}"
    assert f'<link rel="canonical" href="{url}">' in page
    assert f'<meta property="og:url" content="{url}">' in page
    assert '<meta property="og:type" content="article">' in page
    assert '<meta property="og:title" content="Worth reading">' in page
    assert '<meta property="og:description" content="' in page
    assert '<meta name="twitter:card" content="summary">' in page


@pytest.mark.django_db
def test_post_url_has_a_two_digit_month_and_day(link_post):
    local = timezone.localtime(link_post.published_at)
    assert link_post.get_absolute_url() == (
        f"/{local.year}/{local.month:02d}/{local.day:02d}/worth-reading/"
    )


@pytest.mark.django_db
def test_post_page_links_to_previous_and_next_published_posts(client, draft):
    older = make_post(title="Older", published_at=timezone.now() - timezone.timedelta(days=3))
    middle = make_post(title="Middle", published_at=timezone.now() - timezone.timedelta(days=2))
    newer = make_post(title="Newer", published_at=timezone.now() - timezone.timedelta(days=1))

    page = html(client.get(middle.get_absolute_url()))

    assert f'rel="prev" href="{older.get_absolute_url()}"' in page
    assert f'rel="next" href="{newer.get_absolute_url()}"' in page
    assert draft.title not in page


@pytest.mark.django_db
def test_drafts_scheduled_posts_and_unknown_urls_are_404_for_visitors(
    client, draft, scheduled_post, post
):
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(scheduled_post.get_absolute_url()).status_code == 404
    wrong_slug = post.get_absolute_url().replace(post.slug, "no-such-post")
    assert client.get(wrong_slug).status_code == 404
    assert client.get("/no/such/page/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/2026/13/01/x/", "/2026/02/31/x/", "/0000/", "/9999/", "/9999/12/", "/2026/00/"]
)
def test_impossible_dates_are_404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_404_page_uses_the_site_layout(client):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert "Page not found" in html(response)
    assert 'class="site-header"' in html(response)


@pytest.mark.django_db
def test_staff_preview_drafts_and_scheduled_posts_with_a_banner(
    staff_client, draft, scheduled_post
):
    for post in (draft, scheduled_post):
        response = staff_client.get(post.get_absolute_url())
        assert response.status_code == 200
        assert "Draft preview." in html(response)
        assert escape(post.title) in html(response)


@pytest.mark.django_db
def test_editors_preview_drafts(editor_client, draft):
    assert editor_client.get(draft.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_staff_without_view_permission_get_404_for_drafts(client, draft):
    client.force_login(make_user(is_staff=True))
    assert client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_published_posts_show_no_preview_banner_to_staff(staff_client, post):
    assert "Draft preview." not in html(staff_client.get(post.get_absolute_url()))


@pytest.mark.django_db
def test_tag_page_lists_only_posts_with_that_tag_and_advertises_its_feeds(client, link_post, post):
    response = client.get(reverse("blog:tag", kwargs={"slug": "python"}))

    page = html(response)
    assert response.status_code == 200
    assert link_post.title in page
    assert post.title not in page
    assert reverse("blog:tag-feed-atom", kwargs={"slug": "python"}) in page
    assert reverse("blog:tag-feed-rss", kwargs={"slug": "python"}) in page


@pytest.mark.django_db
def test_unknown_tag_and_tag_used_only_by_drafts_are_404(client, draft):
    draft.tags.add("secret")
    assert client.get(reverse("blog:tag", kwargs={"slug": "nope"})).status_code == 404
    assert client.get(reverse("blog:tag", kwargs={"slug": "secret"})).status_code == 404


@pytest.mark.django_db
def test_year_and_month_archives_list_their_posts(client):
    march = make_post(
        title="March post", published_at=timezone.datetime(2024, 3, 5, 12, tzinfo=timezone.UTC)
    )
    april = make_post(
        title="April post", published_at=timezone.datetime(2024, 4, 5, 12, tzinfo=timezone.UTC)
    )
    other_year = make_post(
        title="Old post", published_at=timezone.datetime(2023, 3, 5, 12, tzinfo=timezone.UTC)
    )

    year = html(client.get(reverse("blog:archive-year", kwargs={"year": 2024})))
    month = html(client.get(reverse("blog:archive-month", kwargs={"year": 2024, "month": 3})))

    assert march.title in year and april.title in year and other_year.title not in year
    assert march.title in month and april.title not in month
    assert reverse("blog:archive-month", kwargs={"year": 2024, "month": 4}) in year
    assert reverse("blog:archive-month", kwargs={"year": 2024, "month": 3}) == "/2024/03/"


@pytest.mark.django_db
def test_empty_archives_are_404(client, post):
    assert client.get(reverse("blog:archive-year", kwargs={"year": 1999})).status_code == 404
    assert (
        client.get(reverse("blog:archive-month", kwargs={"year": 1999, "month": 1})).status_code
        == 404
    )


@pytest.mark.django_db
def test_archive_page_lists_months_and_tags(client, link_post):
    page = html(client.get(reverse("blog:archive")))

    local = timezone.localtime(link_post.published_at)
    assert reverse("blog:archive-month", kwargs={"year": local.year, "month": local.month}) in page
    assert reverse("blog:tag", kwargs={"slug": "web"}) in page


@pytest.mark.django_db
def test_author_page_lists_the_authors_published_posts(client, draft):
    author = make_user(username="ann", first_name="Ann", last_name="Author")
    mine = make_post(author=author, title="Ann writes")
    make_post(author=author, title="Ann's draft", status="draft")
    theirs = make_post(title="Someone else")

    response = client.get(reverse("blog:author", kwargs={"username": "ann"}))

    page = html(response)
    assert "Posts by Ann Author" in page
    assert mine.title in page
    assert "Ann&#x27;s draft" not in page and theirs.title not in page


@pytest.mark.django_db
def test_unknown_author_is_404(client):
    assert client.get(reverse("blog:author", kwargs={"username": "ghost"})).status_code == 404


@pytest.mark.django_db
def test_search_finds_posts_by_their_excerpt(client, link_post, post, draft):
    response = client.get(reverse("blog:search"), {"q": "passage QUOTED"})

    page = html(response)
    assert response.status_code == 200
    assert link_post.title in page
    assert post.title not in page
    assert "1 post found for “passage QUOTED”" in page


@pytest.mark.django_db
def test_search_never_shows_drafts(client, draft):
    page = html(client.get(reverse("blog:search"), {"q": "secret"}))
    assert draft.title not in page
    assert "No posts match" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["", "   ", "%", "_", "\x00", "'; DROP TABLE blog_post; --", "ü" * 5000, "a " * 3000]
)
def test_search_survives_odd_queries(client, post, query):
    response = client.get(reverse("blog:search"), {"q": query})
    assert response.status_code == 200


@pytest.mark.django_db
def test_search_pagination_keeps_the_query(client, settings):
    settings.BLOG_POSTS_PER_PAGE = 2
    for _ in range(6):
        make_post(title="Needle in a haystack")

    page = html(client.get(reverse("blog:search"), {"q": "needle"}))

    assert "?q=needle&amp;page=2" in page


@pytest.mark.django_db
def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
    assert "Disallow: /admin/" in response.content.decode()


@pytest.mark.django_db
def test_pages_carry_no_inline_styles_or_scripts(client, link_post):
    """The Content-Security-Policy forbids them, so the browser would ignore them."""
    for url in [reverse("blog:home"), link_post.get_absolute_url(), "/nope/"]:
        page = html(client.get(url))
        assert "style=" not in page
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), "inline script"
        assert not re.search(r"<[^>]+\son[a-z]+=", page), "inline event handler"


def test_500_page_renders_without_a_request_or_context():
    from django.template.loader import get_template

    page = get_template("500.html").render()

    assert "Something went wrong" in page
    assert "Marginalia" in page
    assert "/static/css/site.css" in page


@pytest.mark.django_db
def test_post_page_is_kept_out_of_shared_caches(client, link_post):
    """The page can show a visitor their own held comment and saved name."""
    response = client.get(link_post.get_absolute_url())

    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_edited_post_shows_its_new_text(client, link_post):
    link_post.body = "Second thoughts, *rewritten*."
    link_post.excerpt = "A better passage."
    link_post.save(update_fields=["body", "excerpt"])

    page = client.get(link_post.get_absolute_url()).content.decode()

    assert "Second thoughts, <em>rewritten</em>." in page
    assert "A better passage." in page


@pytest.mark.django_db
def test_a_summary_with_an_ampersand_is_escaped_once(client):
    post = make_post(title="Chips", body="Fish & chips, `<then>` pudding.")
    page = html(client.get(post.get_absolute_url()))
    assert '<meta name="description" content="Fish &amp; chips, &lt;then&gt; pudding.">' in page
    assert "&amp;amp;" not in page and "&amp;lt;" not in page
