"""The home and tag pages at 50,000 posts against 100 (issue 14): list pages page without
counting the posts (blog/paging.py), so their cost should not follow the archive's size.

Each page is rendered for every request (the cache off, `inprocess.cache_off()`) for a
first-time anonymous reader, through the test client, as the "100 posts against 10,000"
rows measure it: over the small site (100 posts), then over the same site grown to 50,000
by bench/search.py. Run by bench/run.py after search, on the same database;
`--search-only` runs both.

Target: each page at 50,000 posts within 1.5× of its time at 100.
"""

from . import inprocess, report, seed
from .search import SITE_POSTS

PAGES = [report.HOME, report.TAG]
MAX_LARGE_OVER_SMALL = report.MAX_LARGE_OVER_SMALL


def page_urls() -> dict[str, str]:
    from django.urls import reverse

    return {
        report.HOME: reverse("blog:home"),
        report.TAG: reverse("blog:tag", kwargs={"slug": seed.MEASURED_TAG}),
    }


def measure_site(*, budget_seconds: float) -> dict[str, inprocess.Visit]:
    """Each page's queries and median server time, rendered, on the site as it is now."""
    client = inprocess.visitor()
    with inprocess.cache_off():
        return {
            name: inprocess.measure_visit(
                lambda url=url: inprocess.get(client, url), budget_seconds=budget_seconds
            )
            for name, url in page_urls().items()
        }


def measure(*, small_site: dict[str, inprocess.Visit], budget_seconds: float) -> list[str]:
    """The pages on the site grown to SITE_POSTS, against `small_site` (100 posts)."""
    from blog.models import Post

    posts = Post.objects.count()
    if posts < SITE_POSTS:
        raise RuntimeError(f"The site has {posts:,} posts, not {SITE_POSTS:,}: grow it first.")
    large_site = measure_site(budget_seconds=budget_seconds)
    rows, verdicts = [], []
    for name in PAGES:
        small, large = small_site[name], large_site[name]
        scale = large.median_s / small.median_s
        met = scale <= MAX_LARGE_OVER_SMALL
        verdicts.append(met)
        rows.append(
            f"| {name} | {small.queries} / {large.queries} | {report.ms(small.median_s)} | "
            f"{report.ms(large.median_s)} | {report.ratio(scale)} | "
            f"≤ {MAX_LARGE_OVER_SMALL:g}×: {'PASS' if met else '**MISS**'} |"
        )
    return [
        f"### List pages at {SITE_POSTS:,} posts against {seed.SMALL_SITE_POSTS} "
        "(in process, cache off, median ms)",
        "",
        f"| page | queries ({seed.SMALL_SITE_POSTS} / {SITE_POSTS:,}) | "
        f"{seed.SMALL_SITE_POSTS} posts | {SITE_POSTS:,} posts | ratio | target |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        f"List page targets met: {sum(verdicts)} of {len(verdicts)}.",
    ]
