"""What the comments keep in a visitor's browser.

Each of these makes the visitor's page their own, so the app registers them with the page
cache (see CommentsConfig.ready); tests/comments/test_cookies.py fails if a cookie that
comments sets is not registered.
"""

# The cookies WordPress uses to fill in the form for a returning commenter: form field ->
# cookie name.
AUTHOR_COOKIES = {
    "author_name": "comment_author",
    "author_email": "comment_author_email",
    "author_url": "comment_author_url",
}
AUTHOR_COOKIE_AGE = 365 * 24 * 60 * 60
# Where a visitor's session holds the ids of their comments awaiting moderation, so the
# post page shows them their own held comment.
PENDING_SESSION_KEY = "comments_pending"
PENDING_REMEMBERED = 20
