"""Import a WordPress export (WXR): its posts, their comments, tags and authors, and
every address the old site had.

The file is read twice, both times as a stream (moving.wxr): first to check it whole
and count what it holds (a broken file writes nothing, and the progress bar knows its
end), then to import it, one post at a time. Each post goes in with its comments in
its own transaction: a post that fails is rolled back and listed, the rest go in.
Each object remembers where it came from (moving.models.Origin), so importing the file
again, or a newer export of the same site, adds only what is new.
"""

import dataclasses
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from blog import webmentions
from blog.models import Post
from blog.revisions import record_revision
from comments.models import Comment
from comments.services import ImportBatch, ImportedComment, parent_within_depth

from . import old_addresses, wordpress_export, wxr
from .comment_text import comment_text_from_html
from .content import Converted, convert_post_content, summary_from_html
from .imports import FileImport, ImportRefused, reply_chains, valid_email, valid_ip
from .media import MediaLibrary
from .models import Origin

User = get_user_model()

POST_STATUSES = {
    "publish": Post.Status.PUBLISHED,
    "future": Post.Status.PUBLISHED,  # A future date makes it scheduled.
    "draft": Post.Status.DRAFT,
    "pending": Post.Status.DRAFT,
    "private": Post.Status.DRAFT,
    "auto-draft": Post.Status.DRAFT,
}
COMMENT_STATUSES = {
    "1": Comment.Status.APPROVED,
    "approve": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "hold": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
    "post-trashed": Comment.Status.TRASH,
}
COMMENT_KINDS = {
    "": Comment.Kind.COMMENT,
    "comment": Comment.Kind.COMMENT,
    "pingback": Comment.Kind.PINGBACK,
    "trackback": Comment.Kind.TRACKBACK,
}
# WordPress 6.9's notes between editors: not readers' comments, never shown.
SKIPPED_COMMENT_TYPES = {"note"}
# WXR 1.0 called tags "tag".
TAG_TAXONOMIES = {"category", "post_tag", "tag"}
NO_DATE = "0000-00-00 00:00:00"
WORDPRESS_DATE = "%Y-%m-%d %H:%M:%S"
ANONYMOUS = "Anonymous"
_NOT_IN_USERNAME = re.compile(r"[^\w.@+-]")
_POST_ID_IN_ADDRESS = re.compile(r"[?&]p=(\d+)\b")


@dataclass
class _Survey:
    """What the first reading found: counts, and the attachments' addresses and alt texts,
    which featured images refer to from anywhere in the file."""

    site: wxr.Site | None = None
    items: int = 0
    attachments: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (url, alt)


class WordPressImport(FileImport):
    """One import of one WordPress export file; `run()` returns the report."""

    def __init__(self, path: Path, **kwargs):
        super().__init__(path, **kwargs)
        self.media = MediaLibrary(
            report=self.report,
            media_dir=self.options.media_dir,
            fetch=self.options.fetch_media,
            dry_run=self.options.dry_run,
        )
        self.site: wxr.Site | None = None
        self.source = ""
        self.site_hosts: set[str] = set()
        self.authors: dict[str, User] = {}  # login -> user
        self.author_details: dict[str, wxr.Author] = {}
        self.terms: dict[tuple[str, str], wxr.Term] = {}
        self.tags: dict[tuple[str, str, str], Tag] = {}
        self.found = _Survey()

    def survey(self) -> None:
        self.found = self.read_survey()

    def write(self) -> None:
        self.import_items()

    # The first reading --------------------------------------------------------------

    def read_survey(self) -> _Survey:
        survey = _Survey()
        try:
            for entry in wxr.read_wxr(self.path):
                if isinstance(entry, wxr.Site):
                    survey.site = entry
                elif isinstance(entry, wxr.Item):
                    survey.items += 1
                    if entry.post_type == "attachment":
                        alt = entry.meta_value("_wp_attachment_image_alt")
                        survey.attachments[entry.post_id] = (entry.attachment_url, alt)
        except wxr.WXRError as error:
            raise ImportRefused(str(error)) from error
        if survey.site is None:
            raise ImportRefused("This is not a WordPress export: it has no channel.")
        return survey

    # The second reading -------------------------------------------------------------

    def import_items(self) -> None:
        done = 0
        for entry in wxr.read_wxr(self.path):
            if isinstance(entry, wxr.Site):
                self.start_site(entry)
            elif isinstance(entry, wxr.Author):
                self.author_details[entry.login] = entry
            elif isinstance(entry, wxr.Term):
                self.terms[entry.taxonomy, entry.slug] = entry
            elif isinstance(entry, wxr.Item):
                self.import_item(entry)
                done += 1
                if self.progress:
                    self.progress(done, self.found.items)

    def start_site(self, site: wxr.Site) -> None:
        self.site = site
        home = site.base_blog_url or site.link or site.base_site_url
        self.site_address = f"{home.rstrip('/')}/" if home else ""
        # An export always names its site; one made by hand may not: its title stands in.
        self.site_label = self.site_address or f"“{site.title or 'untitled'}”"
        self.source = f"wordpress:{self.site_address or site.title}"[:255]
        self.site_hosts = {
            urlsplit(address).netloc.lower()
            for address in (site.link, site.base_blog_url, site.base_site_url)
            if address
        }
        self.old_prefix = old_addresses.site_path_prefix(home)

    def import_item(self, item: wxr.Item) -> None:
        # WordPress makes an item without a type a post, as files written by hand expect.
        if item.post_type not in ("post", ""):
            self.report.add("posts", "skipped", f"{item.post_type} (not a post)")
            return
        if item.status == "trash":
            self.report.add("posts", "skipped", "in the trash")
            return
        if not item.post_id:
            # Hand-written files give the id in the address alone: https://old.blog/?p=4.
            found = _POST_ID_IN_ADDRESS.search(f"{item.guid} {item.link}")
            if found is None:
                self.report.add("posts", "skipped", "no WordPress id")
                return
            item = dataclasses.replace(item, post_id=found.group(1))
        label = f"“{item.title or '(no title)'}” (line {item.line})"
        try:
            # Outside the post's own transaction, as they are remembered for the posts to
            # come: the author and tags outlive a post that fails.
            self.author_for(item.creator)
            self.tags_for(item)
            with transaction.atomic():
                self.import_post(item)
        except Exception as error:  # noqa: BLE001 — one post's failure must not stop the rest.
            self.report.fail("posts", f"{label}: {error}")

    def import_post(self, item: wxr.Item) -> None:
        origin = Origin.objects.filter(
            source=self.source, kind=Origin.Kind.POST, source_id=item.post_id
        ).select_related("post")
        existing = origin.first()
        if existing is not None:
            post, is_new = existing.post, False
        else:
            post, is_new = self.create_post(item), True
        added = self.import_comments(item, post)
        if is_new:
            self.report.add("posts", "imported")
        elif added:
            self.report.add("posts", "updated", "new comments")
        else:
            self.report.add("posts", "skipped", "already imported")

    def create_post(self, item: wxr.Item) -> Post:
        converted = self.converted_content(item)
        for name, count in converted.unknown_shortcodes.items():
            self.report.note(f"Shortcode [{name}] kept as text ({count}×).")
        if not self.media.copies_images:
            for url in converted.image_urls:
                self.report.note(f"Image kept at its original address: {url}")
        status = POST_STATUSES.get(item.status, Post.Status.DRAFT)
        if item.post_password:
            status = Post.Status.DRAFT
            self.report.note(
                f"“{item.title}” was password-protected: it came in as a draft, not public."
            )
        post = Post(
            title=(item.title or "Untitled")[:255],
            slug=self.unique_slug(item),
            body=converted.body,
            excerpt=converted.excerpt,
            source_url=converted.source_url[:500],
            source_title=converted.source_title[:255],
            source_name=converted.source_name[:255],
            summary=summary_from_html(item.excerpt),
            status=status,
            published_at=self.item_date(item),
            comments_open=item.comment_status != "closed",
            author=self.author_for(item.creator),
        )
        self.attach_featured_image(post, item)
        with webmentions.paused():  # Published on the old site: its links were told then.
            post.save()
        tags = self.tags_for(item)
        if tags:
            post.tags.add(*tags)  # A new post: nothing to take off first, as set() would.
        Origin.objects.create(
            source=self.source, kind=Origin.Kind.POST, source_id=item.post_id, post=post
        )
        record_revision(post, by=None)
        if post.status == Post.Status.PUBLISHED:
            old_addresses.redirect_post(
                post, item, site_hosts=self.site_hosts, prefix=self.old_prefix
            )
        return post

    def converted_content(self, item: wxr.Item) -> Converted:
        """The post's text in Markdown: converted from WordPress's HTML, or, in this site's
        own export, the Markdown its editor wrote (moving.wordpress_export)."""
        meta = dict(item.meta)
        if wordpress_export.META_BODY not in meta:
            return convert_post_content(item.content, rewrite_image_url=self.rewrite_image_url)
        return Converted(
            body=meta[wordpress_export.META_BODY],
            excerpt=meta.get(wordpress_export.META_EXCERPT, ""),
            source_url=meta.get(wordpress_export.META_SOURCE_URL, ""),
            source_title=meta.get(wordpress_export.META_SOURCE_TITLE, ""),
            source_name=meta.get(wordpress_export.META_SOURCE_NAME, ""),
        )

    def unique_slug(self, item: wxr.Item) -> str:
        # WordPress keeps non-Latin slugs percent-encoded.
        slug = slugify(unquote(item.post_name), allow_unicode=True)[:200]
        slug = slug or slugify(item.title, allow_unicode=True)[:200] or f"post-{item.post_id}"
        candidate, number = slug, 1
        while Post.objects.filter(slug=candidate).exists():
            number += 1
            candidate = f"{slug}-{number}"
        return candidate

    def item_date(self, item: wxr.Item) -> datetime:
        return self.wordpress_date(item.post_date_gmt, item.post_date) or timezone.now()

    def wordpress_date(self, gmt: str, local: str) -> datetime | None:
        """A date from WordPress's GMT column, or its local one read in the site's zone
        when the GMT one is empty (drafts) or zero."""
        for text, zone in ((gmt, ZoneInfo("UTC")), (local, ZoneInfo(settings.TIME_ZONE))):
            if not text or text.startswith(NO_DATE[:4]):
                continue
            try:
                return datetime.strptime(text.strip()[:19], WORDPRESS_DATE).replace(tzinfo=zone)
            except ValueError:
                continue
        return None

    def author_for(self, login: str) -> User:
        if self.options.author is not None:
            return self.options.author
        login = login.strip() or "wordpress"
        if login not in self.authors:
            self.authors[login] = self.find_or_make_author(login)
        return self.authors[login]

    def find_or_make_author(self, login: str) -> User:
        details = self.author_details.get(login)
        email = details.email if details else ""
        user = User.objects.filter(username=login).first()
        if user is None and email:
            user = User.objects.filter(email__iexact=email).first()
        if user is not None:
            self.report.add("authors", "skipped", "matched an existing user")
        else:
            user = User(
                username=_username(login),
                email=email,
                first_name=(details.first_name if details else "")[:150],
                last_name=(details.last_name if details else "")[:150],
                is_active=False,
            )
            if details and not (user.first_name or user.last_name) and details.display_name:
                user.first_name = details.display_name[:150]
            user.set_unusable_password()
            user.save()
            self.report.add("authors", "imported")
        Origin.objects.get_or_create(
            source=self.source, kind=Origin.Kind.AUTHOR, source_id=login, user=user
        )
        old_addresses.redirect_author(user, login, prefix=self.old_prefix)
        return user

    def tags_for(self, item: wxr.Item) -> list[Tag]:
        tags = []
        for term in item.terms:
            if term.domain not in TAG_TAXONOMIES or not (term.name or term.slug):
                continue
            tags.append(self.tag_for(term))
        return list({tag.pk: tag for tag in tags}.values())

    def tag_for(self, term: wxr.ItemTerm) -> Tag:
        """The tag a category or tag became; found or made once per import."""
        key = (term.domain, term.slug, term.name)
        if key in self.tags:
            return self.tags[key]
        slug = slugify(unquote(term.slug or term.name), allow_unicode=True)[:100]
        name = (term.name or term.slug).strip()[:100]
        tag = Tag.objects.filter(slug=slug).first() or Tag.objects.filter(name=name).first()
        if tag is None:
            tag = Tag.objects.create(name=name, slug=slug)
            self.report.add("tags", "imported")
        if term.domain == "category":
            old_addresses.redirect_category(
                tag, self.category_chain(term.slug), prefix=self.old_prefix
            )
        self.tags[key] = tag
        return tag

    def category_chain(self, slug: str) -> list[str]:
        """A category's slug after its parents', as its WordPress address nests them."""
        chain = [slug]
        while len(chain) < 20 and (term := self.terms.get(("category", chain[0]))) and term.parent:
            chain.insert(0, term.parent)
        return chain

    def rewrite_image_url(self, url: str) -> str:
        return self.media.stored_url(url) or url

    def attach_featured_image(self, post: Post, item: wxr.Item) -> None:
        thumbnail_id = item.meta_value("_thumbnail_id")
        if not thumbnail_id or thumbnail_id not in self.found.attachments:
            return
        url, alt = self.found.attachments[thumbnail_id]
        upload = self.media.image_file(url) if self.media.copies_images else None
        if upload is None:
            self.report.note(f"Featured image of “{item.title}” not copied: {url}")
            return
        post.image.save(upload.name, upload, save=False)
        post.image_alt = (alt or post.title)[:255]
        self.report.add("images", "imported")

    # Comments -----------------------------------------------------------------------

    def import_comments(self, item: wxr.Item, post: Post) -> int:
        """Add `item`'s comments not imported before; return how many were added."""
        # Keyed by post and comment id: some exports repeat comment ids across posts.
        prefix = f"{item.post_id}/"
        known = {
            source_id.removeprefix(prefix): pk
            for source_id, pk in Origin.objects.filter(
                source=self.source, kind=Origin.Kind.COMMENT, source_id__startswith=prefix
            ).values_list("source_id", "comment_id")
        }
        chains = reply_chains(known) if known else {}
        batch = ImportBatch(post)
        added: list[tuple[str, Comment]] = []  # (WordPress id, the comment to save)
        for comment in _parents_first(item.comments):
            if comment.type in SKIPPED_COMMENT_TYPES:
                self.report.add("comments", "skipped", f"{comment.type} (not a reader's comment)")
                continue
            kind = COMMENT_KINDS.get(comment.type, Comment.Kind.COMMENT)
            report_kind = "comments" if kind == Comment.Kind.COMMENT else "pingbacks"
            if comment.id in known:
                self.report.add(report_kind, "skipped", "already imported")
                continue
            ancestors = chains.get(comment.parent, []) if comment.parent not in ("", "0") else []
            unsaved = batch.add(
                self.imported_comment(
                    comment, post, kind, replying_to=ancestors[-1] if ancestors else None
                ),
                parent=parent_within_depth(ancestors),
                source=f"WordPress (comment {comment.id} of {self.site_label})",
            )
            chains[comment.id] = [*ancestors, unsaved]
            known[comment.id] = None  # An id the file repeats comes in once.
            added.append((comment.id, unsaved))
            self.report.add(report_kind, "imported")
        batch.save()
        Origin.objects.bulk_create(
            Origin(
                source=self.source,
                kind=Origin.Kind.COMMENT,
                source_id=f"{prefix}{comment_id}",
                comment=saved,
            )
            for comment_id, saved in added
        )
        return len(added)

    def imported_comment(
        self, comment: wxr.Comment, post: Post, kind: str, *, replying_to: Comment | None
    ) -> ImportedComment:
        created_at = self.wordpress_date(comment.date_gmt, comment.date)
        if created_at is None:
            created_at = replying_to.created_at if replying_to else post.published_at
            dated_as = "the comment it replies to" if replying_to else "the post"
            self.report.note(f"A comment on “{post.title}” had no date: dated as {dated_as}.")
        elif replying_to and created_at < replying_to.created_at:
            # The thread reads in time order: a reply never comes before what it answers.
            created_at = replying_to.created_at
        return ImportedComment(
            author_name=" ".join(comment.author.split()) or ANONYMOUS,
            author_email=valid_email(comment.author_email),
            author_url=comment.author_url.strip(),
            ip_address=valid_ip(comment.author_ip),
            body=comment_text_from_html(comment.content),
            status=COMMENT_STATUSES.get(comment.approved.strip(), Comment.Status.PENDING),
            kind=kind,
            created_at=created_at,
        )


def _parents_first(comments) -> list:
    """`comments` ordered so that each comes after the one it replies to (exports list
    them by id, which usually means that, but not always)."""
    ids = {comment.id for comment in comments}
    placed: set[str] = set()
    ordered, waiting = [], list(comments)
    while waiting:
        still_waiting = []
        for comment in waiting:
            parent = comment.parent
            if parent in ("", "0") or parent not in ids or parent in placed:
                ordered.append(comment)
                placed.add(comment.id)
            else:
                still_waiting.append(comment)
        if len(still_waiting) == len(waiting):  # A loop of parents: place them as they are.
            ordered.extend(still_waiting)
            break
        waiting = still_waiting
    return ordered


def _username(login: str) -> str:
    """A WordPress login as a username here: the characters Django allows, unique."""
    # Invisible characters (zero-width joiners, direction marks) go first.
    visible = "".join(c for c in login if unicodedata.category(c) != "Cf")
    base = _NOT_IN_USERNAME.sub("-", visible).strip("-")[:140] or "wordpress"
    username, number = base, 1
    while User.objects.filter(username=username).exists():
        number += 1
        username = f"{base}-{number}"
    return username
