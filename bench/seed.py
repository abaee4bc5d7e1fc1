"""A deterministic database for the benchmark, built with bulk_create.

Two sizes of the same site, in one database: `seed_small_site` writes the newest 100
posts, and `seed_large_site` adds 9,900 older ones, so the home, tag and month pages can
be measured over 100 posts and then over 10,000 with the same posts on top. The large
site also has three posts with 10, 100 and 1000 approved comments, threaded past
COMMENTS_THREAD_DEPTH, and a post that receives the benchmark's comment POSTs.

Every post and comment gets its stored HTML (`body_html`, `excerpt_html`), rendered by the
models' own `render_html`, so the pages are the real ones. Dates count back from a fixed
moment and the random thread shapes come from fixed seeds: two runs build the same rows.

    .venv/bin/python -m bench.seed /tmp/bench.sqlite3   # a database to look at yourself
"""

import random
from datetime import UTC, datetime, timedelta

# The newest post's date; far enough back that every post is published.
NEWEST_POST_AT = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
POST_INTERVAL = timedelta(hours=8)
SMALL_SITE_POSTS = 100
LARGE_SITE_POSTS = 10_000
TAGS_PER_POST = 3
AUTHOR_USERNAME = "bench-author"
# Posts are numbered from the newest (0). These sit on the large site's 16th page.
COMMENTED_POSTS = {10: 150, 100: 151, 1000: 152}
POST_RECEIVING_COMMENTS = 153
# The tag and month pages measured: both have posts on the small site and the large one.
MEASURED_TAG = "python"
MEASURED_MONTH = (2024, 12)

TAGS = [
    "python", "django", "sqlite", "postgresql", "web", "css", "html", "javascript",
    "performance", "caching", "security", "spam", "email", "markdown", "typography",
    "accessibility", "testing", "deployment", "linux", "networking", "databases", "history",
    "books", "design", "photography", "music", "cities", "maps", "science", "climate",
    "energy", "transport", "cycling", "food", "language", "writing", "blogging", "open-source",
    "licensing", "privacy", "browsers", "standards", "http", "unicode", "fonts", "search",
    "feeds", "indieweb", "archives", "tools",
]  # fmt: skip

BODIES = [
    "A few notes on {topic}, written down before I forget them.\n\n"
    "The short version: *measure first*, then change one thing at a time. The long "
    "version is below, with the [original discussion](https://example.org/{topic}) "
    "linked for context.\n\n"
    "- what we tried\n- what worked\n- what we would do differently\n\n"
    "```python\nfor item in items:\n    process(item)\n```\n",
    "## Why {topic} matters\n\n"
    "Most of the time it does not. When it does, it matters a lot, and the cost of "
    "getting it wrong lands on the people who read the site rather than the people who "
    "build it.\n\n"
    "1. Start from the reader.\n2. Keep the page small.\n3. Cache what repeats.\n\n"
    "> Simple things should be simple.\n",
    "I keep coming back to this piece about {topic}. It says something I had been "
    "circling around for a while, and says it better than I could.\n\n"
    "What stays with me is the **tone**: patient, specific, and free of hype. That is "
    "rarer than it should be.\n",
    "Quick one: the new release of the {topic} toolkit is out, and the changelog is worth "
    "reading in full. Two highlights:\n\n"
    "* faster start-up, by loading less at import time;\n"
    "* clearer errors when the configuration is wrong.\n\n"
    "Upgrading took ten minutes here.\n",
]
EXCERPTS = [
    "The fastest code is the code that never runs. The second fastest is the code that "
    "runs once and remembers its answer.",
    "We found that most of the time went into *formatting* the page, not into the "
    "database, which surprised everybody in the room.",
]
COMMENT_AUTHORS = [
    "Ada", "Grace", "Linus", "Guido", "Barbara", "Ken", "Margaret", "Dennis", "Frances",
    "Edsger", "Radia", "Tim", "Hedy", "Alan", "Katherine", "Donald",
]  # fmt: skip
COMMENT_BODIES = [
    "Thanks for writing this up. I ran into the same thing last year and ended up with "
    "nearly the same fix.",
    "I am not sure I agree with the second point. Measuring first is right, but some "
    "problems are obvious before you measure.\n\nStill, a useful post.",
    "There is a longer write-up at https://example.org/notes that goes into the details.",
    "Same here!",
    "Could you say more about the cache? Does it survive a restart, and what happens "
    "when two workers render the same page at once?\n\nAsking because we saw a "
    "stampede once and it was not fun.",
    "This matches what I see in production: the database is rarely the slow part.",
]


def post_slug(number: int) -> str:
    return f"post-{number:05d}"


def post_by_number(number: int):
    from blog.models import Post

    return Post.objects.get(slug=post_slug(number))


def commented_post(comments: int):
    """The post with `comments` approved comments (10, 100 or 1000)."""
    return post_by_number(COMMENTED_POSTS[comments])


def seed_small_site() -> None:
    """The author, the tags and the newest SMALL_SITE_POSTS posts."""
    from django.contrib.auth.models import User
    from taggit.models import Tag

    author = User(username=AUTHOR_USERNAME, first_name="Bench", last_name="Author")
    author.set_unusable_password()
    author.save()
    Tag.objects.bulk_create(Tag(name=name, slug=name) for name in TAGS)
    _create_posts(range(SMALL_SITE_POSTS), author)
    _refresh_statistics()


def seed_large_site() -> None:
    """The older posts up to LARGE_SITE_POSTS, then the commented posts' threads."""
    from django.contrib.auth.models import User

    author = User.objects.get(username=AUTHOR_USERNAME)
    for start in range(SMALL_SITE_POSTS, LARGE_SITE_POSTS, 2_000):
        _create_posts(range(start, min(start + 2_000, LARGE_SITE_POSTS)), author)
    for count, number in COMMENTED_POSTS.items():
        _create_thread(post_by_number(number), count)
    _refresh_statistics()


def _refresh_statistics() -> None:
    """What the daily `analyze_database` cron job does on a live site (see README)."""
    from io import StringIO

    from django.core.management import call_command

    call_command("analyze_database", stdout=StringIO())


def _create_posts(numbers: range, author) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.db.models import F
    from taggit.models import Tag, TaggedItem

    from blog.models import Post

    rendered = _rendered_variants()
    posts = [_post(number, author, rendered) for number in numbers]
    tags = dict(Tag.objects.values_list("name", "pk"))
    post_type = ContentType.objects.get_for_model(Post)
    with transaction.atomic():
        Post.objects.bulk_create(posts, batch_size=500)
        TaggedItem.objects.bulk_create(
            (
                TaggedItem(tag_id=tags[name], content_type=post_type, object_id=post.pk)
                for number, post in zip(numbers, posts, strict=True)
                for name in _tags_of(number)
            ),
            batch_size=1_000,
        )
        # bulk_create stamps the auto_now fields with today; dates that follow the
        # publish dates keep the rows (and any validator built on them) deterministic.
        Post.objects.filter(pk__in=[post.pk for post in posts]).update(
            created_at=F("published_at"), updated_at=F("published_at")
        )


def _rendered_variants() -> dict:
    """Each body and excerpt rendered once, through Post.render_html, and reused."""
    from blog.models import Post

    rendered = {}
    for body_index, body in enumerate(BODIES):
        for excerpt in ["", *EXCERPTS]:
            post = Post(body=body.format(topic="caching"), excerpt=excerpt)
            post.render_html()
            rendered[body_index, excerpt] = (
                post.body,
                post.body_html,
                post.excerpt_html,
                post.search_text,
            )
    return rendered


def _post(number: int, author, rendered: dict):
    from blog.models import Post

    excerpt = EXCERPTS[number % len(EXCERPTS)] if number % 3 == 0 else ""
    body, body_html, excerpt_html, search_text = rendered[number % len(BODIES), excerpt]
    is_link_post = bool(excerpt)
    return Post(
        title=f"Notes on {TAGS[number % len(TAGS)]}, number {number}",
        slug=post_slug(number),
        author=author,
        body=body,
        body_html=body_html,
        excerpt=excerpt,
        excerpt_html=excerpt_html,
        search_text=search_text,
        source_url=f"https://example.org/articles/{number}" if is_link_post else "",
        source_title=f"An article worth reading ({number})" if is_link_post else "",
        source_name="Example Weekly" if is_link_post else "",
        status=Post.Status.PUBLISHED,
        published_at=NEWEST_POST_AT - number * POST_INTERVAL,
    )


def _tags_of(number: int) -> list[str]:
    picks = [number, number * 7 + 3, number * 13 + 11]
    tags = list(dict.fromkeys(TAGS[pick % len(TAGS)] for pick in picks))[:TAGS_PER_POST]
    # One post in five carries the measured tag, so its page is full (10 posts) on the
    # small site as on the large one, and the two differ only in the data behind them.
    if number % 5 == 0 and MEASURED_TAG not in tags:
        tags[-1] = MEASURED_TAG
    return tags


def thread_shape(count: int) -> list[int | None]:
    """Each comment's parent (an earlier comment's index) or None, for `count` comments.

    A quarter start a thread; the rest answer one of the last three comments, so
    conversations run deep: the 10-comment thread reaches depth 5, the longer ones go
    past COMMENTS_THREAD_DEPTH, where replies join the deepest level.
    """
    rng = random.Random(count)
    parents: list[int | None] = [None]
    for index in range(1, count):
        if rng.random() < 0.25:
            parents.append(None)
        else:
            parents.append(rng.randrange(max(0, index - 3), index))
    return parents


def _create_thread(post, count: int) -> None:
    """`count` approved comments on `post`, created level by level so that each reply
    knows its parent's primary key."""
    from django.db import transaction
    from django.db.models import F

    from comments.models import Comment

    parents = thread_shape(count)
    depths: list[int] = []
    for parent in parents:
        depths.append(1 if parent is None else depths[parent] + 1)
    comments = [_comment(post, index) for index in range(count)]
    with transaction.atomic():
        for depth in range(1, max(depths) + 1):
            level = [index for index in range(count) if depths[index] == depth]
            for index in level:
                if parents[index] is not None:
                    comments[index].parent = comments[parents[index]]
            Comment.objects.bulk_create([comments[index] for index in level], batch_size=500)
        Comment.objects.filter(post=post).update(updated_at=F("created_at"))


def _comment(post, index: int):
    from comments.models import Comment

    author = COMMENT_AUTHORS[index % len(COMMENT_AUTHORS)]
    comment = Comment(
        post=post,
        author_name=f"{author} {index}",
        author_email=f"{author.lower()}{index}@example.com",
        author_url=f"https://{author.lower()}.example.com/" if index % 4 == 0 else "",
        body=COMMENT_BODIES[index % len(COMMENT_BODIES)],
        status=Comment.Status.APPROVED,
        akismet_verdict=Comment.Verdict.HAM,
        ip_address=f"192.0.2.{index % 250 + 1}",
        user_agent="Mozilla/5.0 (benchmark)",
        created_at=post.published_at + timedelta(minutes=7 * (index + 1)),
    )
    comment.render_html()
    return comment


def main() -> None:
    """Build the large site into a new SQLite file, to look at with runserver."""
    import argparse
    import os
    import sys
    from pathlib import Path

    parser = argparse.ArgumentParser(description="Build the benchmark's database.")
    parser.add_argument("path", type=Path, help="a new SQLite file")
    path = parser.parse_args().path.resolve()
    if path.exists():
        sys.exit(f"{path} exists; give the path of a new file.")
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    seed_small_site()
    seed_large_site()
    print(f"Seeded {path}: DATABASE_URL=sqlite:///{path}")


if __name__ == "__main__":
    main()
