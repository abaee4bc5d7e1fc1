"""Full-text search on a site of 50,000 posts (issue 14): a rare word, a word in every
post, and a word in none. Run by bench/run.py after the load rows, on the same
database grown from 10,000 posts to 50,000 (`--search-only` runs it alone).

For each query, in process: the search itself (blog.search: the ranked ids, then the
marked passages of the first page), and the whole search page through the test client.

Targets: the search within 5 ms for a rare word or no match, within 20 ms for a word in
every post.
"""

from django.test import Client
from django.urls import reverse

from . import seed
from .inprocess import HOST
from .timing import median, timed

SITE_POSTS = 50_000
RARE_WORD = "zyzzyva"  # in the titles of three posts
QUERIES = {
    "rare word (3 posts)": RARE_WORD,
    "word in every post": "notes",  # every title is "Notes on …"
    "no match": "qwertyuiop",
}
TARGETS_MS = {"rare word (3 posts)": 5.0, "word in every post": 20.0, "no match": 5.0}


def grow_site() -> None:
    """Add the posts between the large site's 10,000 and 50,000, and the rare word."""
    from django.contrib.auth import get_user_model

    from blog.models import Post

    author = get_user_model().objects.get(username=seed.AUTHOR_USERNAME)
    start = Post.objects.count()
    for batch in range(start, SITE_POSTS, 5_000):
        seed._create_posts(range(batch, min(batch + 5_000, SITE_POSTS)), author)
    for number in (7, 20_001, 49_000):
        post = seed.post_by_number(number)
        post.title = f"{post.title}: the {RARE_WORD}"
        post.save(update_fields=["title"])
    seed._refresh_statistics()


def measure(*, budget_seconds: float) -> list[str]:
    from blog.search import search_post_ids, search_snippets

    grow_site()
    client = Client(HTTP_HOST=HOST)
    rows, verdicts = [], []
    for name, query in QUERIES.items():

        def search(query=query):
            results = search_post_ids(query)
            search_snippets(query, results.post_ids[:10])
            return results

        found = search().count
        search_ms = median(timed(search, budget_seconds=budget_seconds)) * 1000
        page_ms = (
            median(
                timed(
                    lambda query=query: client.get(reverse("blog:search"), {"q": query}),
                    budget_seconds=budget_seconds,
                )
            )
            * 1000
        )
        target = TARGETS_MS[name]
        met = search_ms <= target
        verdicts.append(met)
        rows.append(
            f"| {name}: `{query}` | {found:,}{'+' if found >= 1000 else ''} | "
            f"{search_ms:.1f} | {page_ms:.1f} | ≤ {target:.0f} ms: "
            f"{'PASS' if met else '**MISS**'} |"
        )
    return [
        f"### Search at {SITE_POSTS:,} posts (in process, median ms)",
        "",
        "| query | posts found | search (ids + first page's passages) | whole page | target |",
        "|---|---|---|---|---|",
        *rows,
        "",
        f"Search targets met: {sum(verdicts)} of {len(verdicts)}.",
    ]
