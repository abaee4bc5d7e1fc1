"""Import the comments of a Disqus export onto the posts they were written on.

Disqus keeps threads (one per page of the old site, by its address and the identifier
the site gave it) and the comments on them. Each thread is matched to a post: by its
address, directly or through the site's redirects (an imported WordPress site's old
addresses lead to its posts), or by its identifier. Comments of threads that match no
post are left out and their threads listed. A malformed entry is listed too, and the
rest goes in. As with WordPress, each comment remembers its Disqus id (Origin), so the
same export imported again adds nothing.
"""

from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.db import transaction
from django.urls import Resolver404, resolve

from blog.models import Post
from comments.models import Comment
from comments.services import ImportedComment, comment_import, parent_within_depth
from core.redirects import redirect_target

from . import disqus
from .comment_text import comment_text_from_html
from .imports import FileImport, ImportRefused, reply_chains
from .models import Origin

SOURCE = "disqus"
ANONYMOUS = "Anonymous"
# Disqus keeps a deleted comment's place in its thread, without its words.
DELETED_BODY = "(This comment was deleted on Disqus.)"


class DisqusImport(FileImport):
    """One import of one Disqus export; `run()` returns the report."""

    def __init__(self, path: Path, **kwargs):
        super().__init__(path, **kwargs)
        self.total = 0
        self.posts: dict[str, Post | None] = {}  # thread id -> post
        self.threads: dict[str, disqus.Thread] = {}
        self.chains: dict[str, list[Comment]] = {}  # comment id -> its chain, itself last
        # Replies met before the comment they answer, by that comment's id.
        self.waiting: dict[str, list[disqus.Post]] = defaultdict(list)

    def survey(self) -> None:
        try:
            self.total = disqus.survey_disqus(self.path).posts
        except disqus.DisqusError as error:
            raise ImportRefused(str(error)) from error

    def write(self) -> None:
        self.import_entries()

    def import_entries(self) -> None:
        # The comments a previous import brought in, by Disqus id, with their chains.
        known = Origin.objects.filter(source=SOURCE, kind=Origin.Kind.COMMENT)
        self.chains.update(reply_chains(dict(known.values_list("source_id", "comment_id"))))
        done = 0
        for entry in disqus.read_disqus(self.path):
            if isinstance(entry, disqus.Thread):
                self.threads[entry.id] = entry
            elif isinstance(entry, disqus.Problem):
                self.report.fail("comments", entry.message)
            else:
                self.import_comment(entry)
                done += 1
                if self.progress:
                    self.progress(done, self.total)
        # Replies whose comment never came: they start threads of their own.
        for replies in list(self.waiting.values()):
            for reply in replies:
                self.save_comment(reply, ancestors=[])
        self.waiting.clear()
        self.list_unmatched_threads()

    def post_of(self, thread_id: str) -> Post | None:
        if thread_id not in self.posts:
            thread = self.threads.get(thread_id)
            self.posts[thread_id] = matching_post(thread) if thread else None
        return self.posts[thread_id]

    def import_comment(self, entry: disqus.Post) -> None:
        if entry.id in self.chains:
            self.report.add("comments", "skipped", "already imported")
            return
        if entry.thread_id not in self.threads:
            self.report.add("comments", "skipped", "its thread is not in the file")
            return
        if self.post_of(entry.thread_id) is None:
            self.report.add("comments", "skipped", "its thread matches no post")
            return
        if entry.parent_id and entry.parent_id not in self.chains:
            self.waiting[entry.parent_id].append(entry)
            return
        self.save_comment(entry, ancestors=self.chains.get(entry.parent_id, []))

    def save_comment(self, entry: disqus.Post, *, ancestors: list[Comment]) -> None:
        post = self.post_of(entry.thread_id)
        status = Comment.Status.APPROVED
        if entry.is_spam:
            status = Comment.Status.SPAM
        elif entry.is_deleted:
            status = Comment.Status.TRASH
        created_at = entry.created_at
        if ancestors and created_at < ancestors[-1].created_at:
            # The thread reads in time order: a reply never comes before what it answers.
            created_at = ancestors[-1].created_at
        try:
            with transaction.atomic():
                saved = comment_import(
                    post=post,
                    parent=parent_within_depth(ancestors),
                    comment=ImportedComment(
                        author_name=" ".join(entry.author_name.split())
                        or entry.author_username
                        or ANONYMOUS,
                        author_email=entry.author_email,
                        author_url="",
                        ip_address=entry.ip_address or None,
                        body=comment_text_from_html(entry.message)
                        or (DELETED_BODY if entry.is_deleted else ""),
                        status=status,
                        kind=Comment.Kind.COMMENT,
                        created_at=created_at,
                    ),
                    source=f"Disqus (comment {entry.id})",
                )
                Origin.objects.create(
                    source=SOURCE, kind=Origin.Kind.COMMENT, source_id=entry.id, comment=saved
                )
        except Exception as error:  # noqa: BLE001 — one comment's failure must not stop the rest.
            self.report.fail("comments", f"Comment {entry.id} (line {entry.line}): {error}")
            return
        self.report.add("comments", "imported")
        self.chains[entry.id] = [*ancestors, saved]
        for reply in self.waiting.pop(entry.id, []):
            self.save_comment(reply, ancestors=self.chains[entry.id])

    def list_unmatched_threads(self) -> None:
        for thread_id, post in self.posts.items():
            if post is None and (thread := self.threads.get(thread_id)):
                self.report.note(
                    f"Thread “{thread.title or thread.identifier}” ({thread.link}) matches no "
                    "post: its comments were left out."
                )


def matching_post(thread: disqus.Thread) -> Post | None:
    """The post a Disqus thread was on: by its address (here, or moved here), else by its
    identifier (an address, or the "123 https://…/?p=123" the WordPress plugin wrote)."""
    candidates = [thread.link]
    identifier = thread.identifier
    if identifier:
        first, _, rest = identifier.partition(" ")
        if first.isdecimal():
            wordpress = Origin.objects.filter(
                kind=Origin.Kind.POST, source__startswith="wordpress:", source_id=first
            ).first()
            if wordpress is not None:
                return wordpress.post
            candidates.append(rest)
        else:
            candidates.append(identifier)
    for address in candidates:
        if post := post_at(address):
            return post
    return None


def post_at(address: str) -> Post | None:
    """The post whose page is at `address` (any host), following the site's redirects."""
    parts = urlsplit(address.strip())
    path = unquote(parts.path) or "/"
    if not path.startswith("/"):
        path = f"/{path}"
    lookups = [f"{path}?{parts.query}" if parts.query else path]
    if not path.endswith("/"):
        lookups.append(f"{path}/")
    for lookup in lookups:
        target = redirect_target(lookup)
        for candidate in (lookup.split("?")[0], target):
            if candidate and (post := _post_at_path(candidate)):
                return post
    return None


def _post_at_path(path: str) -> Post | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name != "blog:post-detail":
        return None
    kwargs = match.kwargs
    for post in Post.objects.filter(slug=kwargs["slug"], published_at__year=kwargs["year"]):
        if post.get_absolute_url() == path:
            return post
    return None
