"""Full-text search over published posts: ranked, with the query's words marked in a snippet.

Each database searches with its own index, kept up to date by the database itself
(triggers made by migration blog/0010), so a post saved by any path (the admin, an
import, the shell, a revision restored) and a tag added or renamed are found at once:

- PostgreSQL: a weighted `tsvector` column (title A; tags and the source's title and site
  B; the text C) with a GIN index, queried with `websearch_to_tsquery` (quoted phrases,
  `-word`, `or`), ranked by `ts_rank_cd` and marked by `ts_headline`.
- SQLite: an FTS5 table with the same columns, ranked by `bm25` with the same weights and
  marked by `snippet`. The query is translated here into FTS5's syntax, every word
  quoted, so that nothing a visitor types is read as an operator.
- Any other database: `icontains` (PostQuerySet.search), unranked, without snippets.

A search ranks the newest RANK_WINDOW posts that match (all of them, unless a word is in
more than 2,000 posts) and keeps the best RESULTS_LIMIT, so a common word costs little
more than a rare one; the page then says "more than 1,000".
"""

import html
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from taggit.models import Tag

from .models import Post

RESULTS_LIMIT = 1000
# The newest matches ranked: scoring every post that holds a word found everywhere costs
# 80 ms at 50,000 posts, and such a word tells the posts apart too little to be worth it.
RANK_WINDOW = 2000
# PostgreSQL's text search configuration: English stems ("gardens" finds "garden").
CONFIG = "english"
# Weights of title, tags and source, text: as PostgreSQL's A, B and C.
FTS5_WEIGHTS = (10.0, 4.0, 1.0)
SNIPPET_WORDS = 28
# Around the matched words while the snippet is escaped; never in a post's own text
# (Unicode's private use area).
_MARK_START, _MARK_END = "\ue000", "\ue001"
_DISGUISED = "\ue002\ue003\ue004"  # "<", ">" and "&" while PostgreSQL marks the words
_UNDISGUISE = str.maketrans(_DISGUISED, "<>&")
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


@dataclass
class SearchResults:
    post_ids: list[int]  # every match, best first, at most RESULTS_LIMIT + 1
    snippets: dict[int, SafeString] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return min(len(self.post_ids), RESULTS_LIMIT)

    @property
    def more_than_limit(self) -> bool:
        return len(self.post_ids) > RESULTS_LIMIT


def search_post_ids(query: str) -> SearchResults:
    """The published posts matching `query`, best first."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        # The query written out where it is used, not in a CTE: the planner then sees how
        # many posts hold its words, and walks the primary key backwards for a common
        # one (stopping at RANK_WINDOW) but takes the GIN index for a rare one.
        sql = (
            "SELECT id FROM (SELECT id, search_vector, published_at FROM blog_post "
            "WHERE status = %s AND published_at <= %s "
            "AND search_vector @@ websearch_to_tsquery(%s, %s) ORDER BY id DESC LIMIT %s) recent "
            "ORDER BY ts_rank_cd(search_vector, websearch_to_tsquery(%s, %s)) DESC, "
            "published_at DESC LIMIT %s"
        )
        params = [
            *(Post.Status.PUBLISHED, now, CONFIG, query, RANK_WINDOW),
            *(CONFIG, query, RESULTS_LIMIT + 1),
        ]
    elif connection.vendor == "sqlite":
        match = fts5_query(query)
        if not match:
            return SearchResults(post_ids=[])
        weights = ", ".join(str(weight) for weight in FTS5_WEIGHTS)
        sql = (
            f"SELECT p.id FROM (SELECT rowid AS id, bm25(blog_post_search, {weights}) AS score "
            "FROM blog_post_search WHERE blog_post_search MATCH %s ORDER BY rowid DESC LIMIT %s) "
            "recent JOIN blog_post p ON p.id = recent.id "
            "WHERE p.status = %s AND p.published_at <= %s "
            "ORDER BY recent.score, p.published_at DESC LIMIT %s"
        )
        params = [match, RANK_WINDOW, Post.Status.PUBLISHED, now, RESULTS_LIMIT + 1]
    else:
        ids = Post.objects.published().search(query).values_list("pk", flat=True)
        return SearchResults(post_ids=list(ids[: RESULTS_LIMIT + 1]))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return SearchResults(post_ids=[row[0] for row in cursor.fetchall()])


def search_snippets(query: str, post_ids: list[int]) -> dict[int, SafeString]:
    """For each of `post_ids` (a page of results), a passage of its text with the query's
    words in <mark>: escaped, so only the marks are HTML."""
    if not post_ids:
        return {}
    placeholders = ", ".join(["%s"] * len(post_ids))
    if connection.vendor == "postgresql":
        options = (
            f"StartSel={_MARK_START}, StopSel={_MARK_END}, MaxWords={SNIPPET_WORDS}, "
            "MinWords=12, MaxFragments=2, FragmentDelimiter= … "
        )
        # ts_headline reads its text as HTML: a "<" the writer typed would start a tag
        # and hide what follows, so "<", ">" and "&" stand in disguise until escaped.
        sql = (
            "SELECT id, ts_headline(%s, translate(search_text, '<>&', %s), "
            f"websearch_to_tsquery(%s, %s), %s) FROM blog_post WHERE id IN ({placeholders})"
        )
        params = [CONFIG, _DISGUISED, CONFIG, query, options, *post_ids]
    elif connection.vendor == "sqlite":
        match = fts5_query(query)
        if not match:
            return {}
        sql = (
            f"SELECT rowid, snippet(blog_post_search, 2, %s, %s, '…', {SNIPPET_WORDS}) "
            f"FROM blog_post_search WHERE blog_post_search MATCH %s AND rowid IN ({placeholders})"
        )
        params = [_MARK_START, _MARK_END, match, *post_ids]
    else:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {post_id: _marked(text) for post_id, text in rows if text and _MARK_START in text}


def _marked(text: str) -> SafeString:
    text = text.translate(_UNDISGUISE)
    escaped = html.escape(" ".join(text.split()), quote=False)
    return mark_safe(escaped.replace(_MARK_START, "<mark>").replace(_MARK_END, "</mark>"))


def fts5_query(query: str) -> str:
    """`query`, written as people write searches (words, "quoted phrases", -word, or), in
    FTS5's syntax, every word quoted so that none is read as an operator; "" when
    nothing is left to look for (only excluded words, or no word at all)."""
    wanted: list[str] = []  # groups joined by AND; each group is phrases joined by OR
    excluded: list[str] = []
    join_with_or = False
    for negated, phrase, word in _TOKEN.findall(query):
        if word and word.lower() == "or" and wanted:
            join_with_or = True
            continue
        text = word or phrase
        if word and word.startswith("-") and len(word) > 1:
            negated, text = "-", word[1:]
        words = _WORD.findall(text)
        if not words:
            continue
        term = '"' + " ".join(words) + '"'
        if negated:
            excluded.append(term)
        elif join_with_or:
            wanted[-1] = f"{wanted[-1]} OR {term}"
        else:
            wanted.append(term)
        join_with_or = False
    if not wanted:
        return ""
    groups = [f"({group})" if " OR " in group else group for group in wanted]
    expression = " AND ".join(groups)
    for term in excluded:
        expression = f"({expression}) NOT {term}"
    return expression


@dataclass
class Facets:
    """How the matches divide by tag and by year, for narrowing a search."""

    tags: list[tuple[str, str, int]]  # (slug, name, matches), most matches first
    years: list[tuple[int, int]]  # (year, matches), newest first


def search_facets(post_ids: list[int], *, tags_shown: int = 12) -> Facets:
    """The tags and years of the posts `post_ids`, each with how many of them it holds."""
    if not post_ids:
        return Facets(tags=[], years=[])
    tags = (
        Tag.objects.filter(post__in=post_ids)
        .annotate(matches=Count("post"))
        .order_by("-matches", "name")
        .values_list("slug", "name", "matches")[:tags_shown]
    )
    years = (
        Post.objects.filter(pk__in=post_ids)
        .annotate(year=ExtractYear("published_at"))
        .values_list("year")
        .annotate(matches=Count("pk"))
        .order_by("-year")
    )
    return Facets(tags=list(tags), years=list(years))


def narrowed(post_ids: list[int], *, tag: str = "", year: int | None = None) -> list[int]:
    """`post_ids`, in their order, kept to those with tag `tag` and of year `year`."""
    if not tag and year is None:
        return post_ids
    kept = Post.objects.filter(pk__in=post_ids)
    if tag:
        kept = kept.filter(tags__slug=tag)
    if year is not None:
        kept = kept.filter(published_at__year=year)
    keep = set(kept.values_list("pk", flat=True))
    return [pk for pk in post_ids if pk in keep]
