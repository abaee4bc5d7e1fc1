"""Export the site as a WordPress export file (WXR 1.2), for WordPress or for another
copy of this site.

WordPress reads each post's content as HTML, so a post goes out as its page shows it:
the commentary, the quoted passage in a blockquote, the "via" line. Alongside, hidden
custom fields (names starting with "_", which WordPress keeps but does not show) carry
the Markdown the editor wrote and the source's parts, so that importing the file here
again (moving.wordpress_import) brings back exactly what was exported.

The file is written as a stream, a post at a time, so a large site needs no more
memory than a small one.
"""

from collections.abc import Iterator
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import timezone
from taggit.models import Tag

from blog.models import Post
from comments.models import Comment

WXR_VERSION = "1.2"
WP = "http://wordpress.org/export/1.2/"
# The hidden custom fields this site reads back on import.
META_BODY = "_marginalia_body"
META_EXCERPT = "_marginalia_excerpt"
META_SOURCE_URL = "_marginalia_source_url"
META_SOURCE_TITLE = "_marginalia_source_title"
META_SOURCE_NAME = "_marginalia_source_name"
COMMENT_APPROVED = {
    Comment.Status.APPROVED: "1",
    Comment.Status.PENDING: "0",
    Comment.Status.SPAM: "spam",
    Comment.Status.TRASH: "trash",
}
COMMENT_TYPES = {
    Comment.Kind.COMMENT: "comment",
    Comment.Kind.PINGBACK: "pingback",
    Comment.Kind.TRACKBACK: "trackback",
}
WORDPRESS_DATE = "%Y-%m-%d %H:%M:%S"
POSTS_PER_QUERY = 200
ATTACHMENT_IDS_FROM = 1_000_000_000


def cdata(text: str) -> str:
    """`text` in a CDATA section; a "]]>" inside it is split across two sections."""
    return "<![CDATA[" + str(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _tag(name: str, value, *, raw: bool = False) -> str:
    value = "" if value is None else str(value)
    return f"<{name}>{value if raw else escape(value)}</{name}>"


def _dates(moment) -> tuple[str, str]:
    """WordPress's pair of columns: the site's local time, and GMT."""
    local = timezone.localtime(moment).strftime(WORDPRESS_DATE)
    return local, moment.astimezone(timezone.UTC).strftime(WORDPRESS_DATE)


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def export_wordpress(*, include_spam: bool = False) -> Iterator[str]:
    """The export file, in pieces to write one after another."""
    site = settings.SITE_URL.rstrip("/") + "/"
    yield '<?xml version="1.0" encoding="UTF-8" ?>\n'
    created = f"{timezone.now():%Y-%m-%d %H:%M}"
    yield f'<!-- generator="{escape(settings.SITE_NAME)}" created="{created}" -->\n'
    yield (
        '<rss version="2.0"\n'
        f'\txmlns:excerpt="{WP}excerpt/"\n'
        '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
        '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        f'\txmlns:wp="{WP}"\n>\n<channel>\n'
    )
    yield _tag("title", settings.SITE_NAME) + "\n"
    yield _tag("link", site) + "\n"
    yield _tag("description", settings.SITE_DESCRIPTION) + "\n"
    yield _tag("pubDate", format_datetime(timezone.now().astimezone(timezone.UTC))) + "\n"
    yield _tag("language", settings.LANGUAGE_CODE) + "\n"
    yield _tag("wp:wxr_version", WXR_VERSION) + "\n"
    yield _tag("wp:base_site_url", site) + "\n"
    yield _tag("wp:base_blog_url", site) + "\n"
    yield from _authors()
    yield from _tags()
    for post in _posts(include_spam=include_spam):
        if post.image:
            yield _attachment(post)
        yield _item(post)
    yield "</channel>\n</rss>\n"


def _authors() -> Iterator[str]:
    authors = get_user_model().objects.filter(posts__isnull=False).distinct().order_by("pk")
    for user in authors:
        yield (
            "<wp:author>"
            + _tag("wp:author_id", user.pk)
            + _tag("wp:author_login", cdata(user.get_username()), raw=True)
            + _tag("wp:author_email", cdata(user.email), raw=True)
            + _tag(
                "wp:author_display_name",
                cdata(user.get_full_name() or user.get_username()),
                raw=True,
            )
            + _tag("wp:author_first_name", cdata(user.first_name), raw=True)
            + _tag("wp:author_last_name", cdata(user.last_name), raw=True)
            + "</wp:author>\n"
        )


def _tags() -> Iterator[str]:
    for tag in Tag.objects.filter(post__isnull=False).distinct().order_by("pk"):
        yield (
            "<wp:tag>"
            + _tag("wp:term_id", tag.pk)
            + _tag("wp:tag_slug", cdata(tag.slug), raw=True)
            + _tag("wp:tag_name", cdata(tag.name), raw=True)
            + "</wp:tag>\n"
        )


def _posts(*, include_spam: bool):
    comments = Comment.objects.order_by("created_at", "pk")
    if not include_spam:
        comments = comments.exclude(status=Comment.Status.SPAM)
    return (
        Post.objects.select_related("author")
        .prefetch_related("tags", Prefetch("comments", queryset=comments))
        .order_by("pk")
        .iterator(chunk_size=POSTS_PER_QUERY)
    )


def post_content_html(post: Post) -> str:
    """The post as its page shows it: commentary, the quoted passage, the via line."""
    parts = [post.body_html] if post.body_html else []
    if post.excerpt_html:
        parts.append(f'<blockquote class="excerpt">{post.excerpt_html}</blockquote>')
    if post.source_url:
        link = f"<a href={quoteattr(post.source_url)}>{escape(post.source_label)}</a>"
        site = f" | {escape(post.source_name)}" if post.source_name and post.source_title else ""
        parts.append(f'<p class="source">via {link}{site}</p>')
    return "\n".join(parts)


def _status(post: Post) -> str:
    if post.status != Post.Status.PUBLISHED:
        return "draft"
    return "future" if post.is_scheduled else "publish"


def _meta(key: str, value: str) -> str:
    return (
        "<wp:postmeta>"
        + _tag("wp:meta_key", cdata(key), raw=True)
        + _tag("wp:meta_value", cdata(value), raw=True)
        + "</wp:postmeta>"
    )


def _item(post: Post) -> str:
    local, gmt = _dates(post.published_at)
    modified_local, modified_gmt = _dates(post.updated_at)
    link = absolute(post.get_absolute_url())
    pieces = [
        "<item>",
        _tag("title", post.title),
        _tag("link", link),
        _tag("pubDate", format_datetime(post.published_at.astimezone(timezone.UTC))),
        _tag("dc:creator", cdata(post.author.get_username()), raw=True),
        f'<guid isPermaLink="false">{escape(link)}</guid>',
        "<description></description>",
        _tag("content:encoded", cdata(post_content_html(post)), raw=True),
        _tag("excerpt:encoded", cdata(post.summary), raw=True),
        _tag("wp:post_id", post.pk),
        _tag("wp:post_date", cdata(local), raw=True),
        _tag(
            "wp:post_date_gmt", cdata(gmt if post.status == Post.Status.PUBLISHED else ""), raw=True
        ),
        _tag("wp:post_modified", cdata(modified_local), raw=True),
        _tag("wp:post_modified_gmt", cdata(modified_gmt), raw=True),
        _tag("wp:comment_status", cdata("open" if post.comments_open else "closed"), raw=True),
        _tag("wp:ping_status", cdata("closed"), raw=True),
        _tag("wp:post_name", cdata(post.slug), raw=True),
        _tag("wp:status", cdata(_status(post)), raw=True),
        _tag("wp:post_parent", 0),
        _tag("wp:menu_order", 0),
        _tag("wp:post_type", cdata("post"), raw=True),
        _tag("wp:post_password", cdata(""), raw=True),
        _tag("wp:is_sticky", 0),
    ]
    pieces.extend(
        f'<category domain="post_tag" nicename={quoteattr(tag.slug)}>{cdata(tag.name)}</category>'
        for tag in post.tags.all()
    )
    pieces.append(_meta(META_BODY, post.body))
    if post.excerpt:
        pieces.append(_meta(META_EXCERPT, post.excerpt))
    for key, value in (
        (META_SOURCE_URL, post.source_url),
        (META_SOURCE_TITLE, post.source_title),
        (META_SOURCE_NAME, post.source_name),
    ):
        if value:
            pieces.append(_meta(key, value))
    if post.image:
        pieces.append(_meta("_thumbnail_id", str(attachment_id(post))))
    pieces.extend(_comment(comment) for comment in post.comments.all())
    pieces.append("</item>\n")
    return "".join(pieces)


def attachment_id(post: Post) -> int:
    """The id of the featured image's attachment: apart from every post's id, as
    WordPress gives attachments ids of their own."""
    return ATTACHMENT_IDS_FROM + post.pk


def _attachment(post: Post) -> str:
    url = post.image.url
    if url.startswith("/"):
        url = absolute(url)
    local, gmt = _dates(post.published_at)
    return "".join(
        [
            "<item>",
            _tag("title", post.image_alt or post.title),
            _tag("wp:post_id", attachment_id(post)),
            _tag("wp:post_date", cdata(local), raw=True),
            _tag("wp:post_date_gmt", cdata(gmt), raw=True),
            _tag("wp:post_name", cdata(f"{post.slug}-image"), raw=True),
            _tag("wp:status", cdata("inherit"), raw=True),
            _tag("wp:post_parent", post.pk),
            _tag("wp:post_type", cdata("attachment"), raw=True),
            _tag("wp:attachment_url", cdata(url), raw=True),
            _meta("_wp_attachment_image_alt", post.image_alt),
            "</item>\n",
        ]
    )


def _comment(comment: Comment) -> str:
    local, gmt = _dates(comment.created_at)
    return (
        "<wp:comment>"
        + _tag("wp:comment_id", comment.pk)
        + _tag("wp:comment_author", cdata(comment.author_name), raw=True)
        + _tag("wp:comment_author_email", cdata(comment.author_email), raw=True)
        + _tag("wp:comment_author_url", cdata(comment.author_url), raw=True)
        + _tag("wp:comment_author_IP", cdata(comment.ip_address or ""), raw=True)
        + _tag("wp:comment_date", cdata(local), raw=True)
        + _tag("wp:comment_date_gmt", cdata(gmt), raw=True)
        # WordPress reads a comment as HTML; here it is plain text.
        + _tag("wp:comment_content", cdata(escape(comment.body)), raw=True)
        + _tag("wp:comment_approved", cdata(COMMENT_APPROVED[comment.status]), raw=True)
        + _tag("wp:comment_type", cdata(COMMENT_TYPES[comment.kind]), raw=True)
        + _tag("wp:comment_parent", comment.parent_id or 0)
        + _tag("wp:comment_user_id", comment.user_id or 0)
        + "</wp:comment>"
    )
