"""Load demo content: a handful of posts, link posts among them, and a few comments.

Idempotent: every object is looked up by a natural key first, so running the command
again changes nothing, and edits made to demo posts in the admin survive a rerun.
"""

from datetime import timedelta
from io import BytesIO

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from blog.models import Post

AUTHOR = {"username": "ada", "first_name": "Ada", "last_name": "Marsh", "email": "ada@example.com"}

# (days ago, fields, tags). Link posts carry an excerpt and a source; articles do not.
POSTS = [
    (
        3,
        {
            "title": "Boring technology, revisited",
            "slug": "boring-technology-revisited",
            "body": (
                "Ten years on, the argument still holds: every new tool spends some of a "
                "team's limited capacity for novelty. Spend it where it counts."
            ),
            "excerpt": (
                "Let's say every company gets about three innovation tokens. You can spend "
                "these however you want, but the supply is fixed for a long while."
            ),
            "source_url": "https://mcfunley.com/choose-boring-technology",
            "source_title": "Choose Boring Technology",
            "source_name": "Dan McKinley",
        },
        ["engineering", "architecture"],
    ),
    (
        9,
        {
            "title": "Running SQLite in production",
            "slug": "running-sqlite-in-production",
            "body": """A small site does not need a database server. Three settings make SQLite comfortable under real traffic.

## The settings

1. **WAL journal mode**, so readers never wait for the writer.
2. **A busy timeout**, so a writer waits for the lock instead of failing.
3. **Immediate transactions**, so two writers never deadlock on a lock upgrade.

## In Django

```python
DATABASES["default"]["OPTIONS"] = {
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL;",
}
```

See [the SQLite documentation](https://www.sqlite.org/wal.html) for the details.
""",  # noqa: E501 (one line per paragraph: a line break is a <br>)
        },
        ["sqlite", "django"],
    ),
    (
        17,
        {
            "title": "Link posts are a conversation",
            "slug": "link-posts-are-a-conversation",
            "body": (
                "A link with a quotation and a sentence of commentary is worth more than a "
                "bare link: it says *why* you should click."
            ),
            "excerpt": (
                "The link blog is one of the oldest forms on the web, and still one of "
                "the most useful."
            ),
            "source_url": "https://simonwillison.net/2024/Dec/22/link-blog/",
            "source_title": "My approach to running a link blog",
            "source_name": "Simon Willison",
        },
        ["blogging"],
    ),
    (
        31,
        {
            "title": "Markdown, safely",
            "slug": "markdown-safely",
            "body": """Posts and comments are written in Markdown and rendered to HTML, which is then *sanitised*: only an allow-list of tags and attributes survives.

- `<script>` and `<iframe>` are dropped;
- event handlers such as `onclick` are dropped;
- `javascript:` links are dropped.

> Never trust the output of a Markdown renderer with input you did not write.

Inline `code`, **bold**, _emphasis_ and [links](https://commonmark.org/) all work.
""",  # noqa: E501 (one line per paragraph: a line break is a <br>)
        },
        ["security", "markdown"],
    ),
    (
        48,
        {
            "title": "Spam is a moderation problem",
            "slug": "spam-is-a-moderation-problem",
            "body": (
                "A spam filter is only half the job; the other half is a moderator who can "
                "see its verdicts and correct them."
            ),
            "excerpt": (
                "Akismet checks your comments and contact form submissions against our "
                "global database of spam."
            ),
            "source_url": "https://akismet.com/",
            "source_title": "Akismet",
            "source_name": "Automattic",
        },
        ["spam", "comments"],
    ),
    (
        66,
        {
            "title": "Feeds still matter",
            "slug": "feeds-still-matter",
            "body": """Every page of this site advertises an Atom and an RSS feed, site-wide and per tag.

### Why both?

Some readers only understand one of them. Serving both costs nothing.
""",  # noqa: E501 (one line per paragraph: a line break is a <br>)
        },
        ["feeds", "blogging"],
    ),
    (
        95,
        {
            "title": "Hello, world",
            "slug": "hello-world",
            "body": (
                "This is a demo post. Sign in to the [admin](/admin/) to write your own, "
                "or read on to see what link posts look like."
            ),
        },
        ["meta"],
    ),
]
DRAFT = {
    "title": "A draft nobody can see yet",
    "slug": "a-draft-nobody-can-see-yet",
    "body": "Only staff can preview this draft.",
    "status": Post.Status.DRAFT,
}
SCHEDULED = {
    "title": "Coming next week",
    "slug": "coming-next-week",
    "body": "This post is scheduled: visitors get a 404 until its publish date.",
}
IMAGE_POST_SLUG = "running-sqlite-in-production"
IMAGE_ALT = "An abstract pattern of overlapping blue and amber circles."


class Command(BaseCommand):
    help = "Load demo posts and link posts. Safe to run again: it changes nothing."

    @transaction.atomic
    def handle(self, *args, **options):
        now = timezone.now()
        author = self.get_author()
        created = 0
        for days_ago, fields, tags in POSTS:
            post_fields = {
                **fields,
                "status": Post.Status.PUBLISHED,
                "published_at": now - timedelta(days=days_ago, hours=days_ago % 7),
            }
            created += self.ensure_post(author, post_fields, tags)
        created += self.ensure_post(author, {**DRAFT, "published_at": now}, ["meta"])
        scheduled = {
            **SCHEDULED,
            "status": Post.Status.PUBLISHED,
            "published_at": now + timedelta(days=7),
        }
        created += self.ensure_post(author, scheduled, ["meta"])

        total = Post.objects.count()
        self.stdout.write(f"Demo posts: {created} added ({total} posts in the database).")

    def get_author(self):
        User = get_user_model()
        author, created = User.objects.get_or_create(username=AUTHOR["username"], defaults=AUTHOR)
        if created:
            # The demo author only signs posts; nobody logs in as them.
            author.set_unusable_password()
            author.save(update_fields=["password"])
        return author

    def ensure_post(self, author, fields, tags) -> int:
        if Post.objects.filter(slug=fields["slug"]).exists():
            return 0
        post = Post(author=author, **fields)
        if post.slug == IMAGE_POST_SLUG:
            post.image_alt = IMAGE_ALT
            post.image.save(f"{post.slug}.png", ContentFile(demo_image()), save=False)
        post.full_clean()
        post.save()
        post.tags.add(*tags)
        self.stdout.write(f"  added {post.get_status_display().lower()} post “{post.title}”")
        return 1


def demo_image(width=1440, height=810) -> bytes:
    """A generated featured image, so the demo needs no files of its own."""
    image = Image.new("RGB", (width, height), (24, 46, 84))
    draw = ImageDraw.Draw(image, "RGBA")
    for step in range(12):
        x = width * (step + 1) // 13
        y = height // 2 + (-1) ** step * (height // 5)
        radius = 80 + 25 * (step % 5)
        colour = (255, 176, 59, 110) if step % 2 else (98, 170, 255, 110)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
