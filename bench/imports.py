"""The WordPress import on a generated export: its time, and its peak memory, which stays
flat as the file grows because the file is read as a stream (moving.wxr).

Two exports are written into the run's temporary folder, one of 1,000 posts with 10,000
comments and one of 10,000 posts with 100,000 comments (ten a post, in reply chains; a
third of the posts are reblogs; pingbacks, spam and held comments among them). Each is
imported by `manage.py import_wordpress`'s importer in a process of its own, on an empty
SQLite database of its own, and the process's resident memory is sampled as it goes.
Run by bench/run.py after the pages; `--import-only` runs it alone.

Target (issue 13): the larger import's peak memory is within 1.5× of the smaller one's,
though its file is ten times the size.
"""

import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape

SIZES = ((1_000, 10), (10_000, 10))  # (posts, comments per post)
MAX_LARGE_OVER_SMALL_MEMORY = 1.5
SITE = "https://bench.example.blog"
STATUSES = ["1"] * 16 + ["0", "0", "spam", "trash"]


def write_export(path: Path, *, posts: int, comments_per_post: int) -> None:
    """A WXR 1.2 file shaped as WordPress writes one, written as it goes."""
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0"\n'
            ' xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"\n'
            ' xmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
            ' xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
            f"<title>Bench blog</title><link>{SITE}</link>\n"
            f"<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>{SITE}</wp:base_site_url>"
            f"<wp:base_blog_url>{SITE}</wp:base_blog_url>\n"
        )
        for number in range(3):
            out.write(
                f"<wp:author><wp:author_id>{number + 1}</wp:author_id>"
                f"<wp:author_login><![CDATA[writer{number}]]></wp:author_login>"
                f"<wp:author_email><![CDATA[writer{number}@bench.example.blog]]>"
                "</wp:author_email></wp:author>\n"
            )
        for number in range(1, posts + 1):
            out.write(_item(number, comments_per_post))
        out.write("</channel>\n</rss>\n")


def _item(number: int, comments_per_post: int) -> str:
    day = f"2020-{number % 12 + 1:02d}-{number % 28 + 1:02d}"
    slug = f"bench-post-{number}"
    paragraphs = "\n\n".join(
        f"Paragraph {part} of post {number}, with <em>some</em> words and "
        f'<a href="https://example.org/{number}/{part}">a link</a>.'
        for part in range(1, 4)
    )
    if number % 3 == 0:
        content = (
            f"<!-- wp:paragraph --><p>Commentary on post {number}.</p><!-- /wp:paragraph -->\n"
            f"<blockquote><p>The passage quoted from article {number}.</p></blockquote>\n"
            f'<p>via <a href="https://example.org/articles/{number}">Article {number}</a>'
            " | Example Site</p>"
        )
    else:
        content = paragraphs
    comments = "".join(_comment(number, n) for n in range(1, comments_per_post + 1))
    return (
        f"<item><title>Bench post {number}</title>"
        f"<link>{SITE}/{day.replace('-', '/')}/{slug}/</link>"
        f'<guid isPermaLink="false">{SITE}/?p={number}</guid>'
        f"<dc:creator><![CDATA[writer{number % 3}]]></dc:creator>"
        f"<content:encoded><![CDATA[{content}]]></content:encoded>"
        f"<excerpt:encoded><![CDATA[]]></excerpt:encoded>"
        f"<wp:post_id>{number}</wp:post_id>"
        f"<wp:post_date><![CDATA[{day} 10:00:00]]></wp:post_date>"
        f"<wp:post_date_gmt><![CDATA[{day} 09:00:00]]></wp:post_date_gmt>"
        f"<wp:comment_status>open</wp:comment_status><wp:post_name>{slug}</wp:post_name>"
        "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
        f'<category domain="category" nicename="topic-{number % 10}"><![CDATA[Topic '
        f"{number % 10}]]></category>"
        f'<category domain="post_tag" nicename="tag-{number % 30}"><![CDATA[tag '
        f"{number % 30}]]></category>{comments}</item>\n"
    )


def _comment(post: int, number: int) -> str:
    comment_id = post * 100 + number
    # Every other comment answers the one before it: chains of replies.
    parent = comment_id - 1 if number > 1 and number % 2 == 0 else 0
    kind = "pingback" if number == 10 and post % 10 == 0 else "comment"
    text = escape(f"Comment {number} on post {post}. " * 4)
    return (
        f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
        f"<wp:comment_author><![CDATA[Reader {comment_id % 997}]]></wp:comment_author>"
        f"<wp:comment_author_email>reader{comment_id % 997}@example.com"
        "</wp:comment_author_email>"
        f"<wp:comment_author_url>https://reader{comment_id % 997}.example.com/"
        "</wp:comment_author_url>"
        f"<wp:comment_author_IP>192.0.2.{comment_id % 250}</wp:comment_author_IP>"
        f"<wp:comment_date_gmt>2021-01-01 {number:02d}:00:00</wp:comment_date_gmt>"
        f"<wp:comment_content><![CDATA[<p>{text}</p>]]></wp:comment_content>"
        f"<wp:comment_approved>{STATUSES[comment_id % len(STATUSES)]}</wp:comment_approved>"
        f"<wp:comment_type>{kind}</wp:comment_type>"
        f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"
    )


def _resident_megabytes() -> float:
    """The process's memory now (VmRSS); ru_maxrss would keep the start-up's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(export: Path) -> None:
    """In the import's own process (its database migrated by another, whose memory is
    not the import's): import, and print the figures."""
    import django

    django.setup()
    from moving.wordpress_import import WordPressImport

    before = _resident_megabytes()
    peak = before

    def sample(done: int, total: int) -> None:
        nonlocal peak
        if done % 50 == 0:  # A read of /proc every 50 posts: a few microseconds each.
            peak = max(peak, _resident_megabytes())

    started = time.perf_counter()
    report = WordPressImport(export, progress=sample).run()
    seconds = time.perf_counter() - started
    figures = {
        "seconds": seconds,
        "peak_mb": max(peak, _resident_megabytes()),
        "before_mb": before,
        "posts": report.count("posts", "imported"),
        "comments": report.count("comments", "imported") + report.count("pingbacks", "imported"),
        "failed": sum(report.count(kind, "failed") for kind in ("posts", "comments")),
    }
    print(json.dumps(figures))


def measure(*, workdir: Path, env: dict[str, str]) -> list[str]:
    """Write both exports, import each in a process of its own; the report's lines."""
    rows, figures = [], []
    for posts, per_post in SIZES:
        export = workdir / f"export-{posts}.xml"
        write_export(export, posts=posts, comments_per_post=per_post)
        database = workdir / f"import-{posts}.sqlite3"
        run = {
            "env": {**env, "DATABASE_URL": f"sqlite:///{database}"},
            "cwd": Path(__file__).resolve().parents[1],
            "capture_output": True,
            "text": True,
            "check": True,
            "timeout": 3600,
        }
        subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity=0"], **run)
        result = subprocess.run(
            [sys.executable, "-m", "bench.imports", "--child", str(export)], **run
        )
        found = json.loads(result.stdout.strip().splitlines()[-1])
        figures.append(found)
        size_mb = export.stat().st_size / 1024 / 1024
        export.unlink()
        database.unlink()
        rows.append(
            f"| {found['posts']:,} posts, {found['comments']:,} comments ({size_mb:.0f} MB) "
            f"| {found['seconds']:.0f} s ({found['comments'] / found['seconds']:,.0f} comments/s) "
            f"| {found['peak_mb']:.0f} MB (Django alone: {found['before_mb']:.0f} MB) "
            f"| {found['failed']} |"
        )
    small, large = figures
    ratio = large["peak_mb"] / small["peak_mb"]
    met = ratio <= MAX_LARGE_OVER_SMALL_MEMORY
    return [
        "### WordPress import (generated export, SQLite)",
        "",
        "| export | time | peak memory | failed |",
        "|---|---|---|---|",
        *rows,
        "",
        f"Peak memory, large over small: {ratio:.2f}× for a file ten times the size "
        f"(target ≤ {MAX_LARGE_OVER_SMALL_MEMORY}×): {'met' if met else '**MISS**'}.",
    ]


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]))
