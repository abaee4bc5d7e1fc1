"""WordPress's discussion rules, run on a new comment before Akismet is asked.

- "Hold a comment in the queue if it contains N or more links" (COMMENTS_MAX_LINKS);
- "Comment Moderation": a list of words, names, URLs, emails or IP addresses that hold
  a comment;
- "Disallowed Comment Keys": the same, sending it straight to the trash.

An entry matches, as WordPress's `check_comment` and `wp_check_comment_disallowed_list`
match it, when it appears in any letter case inside the author's name, email, website,
IP address, browser or the comment's text. A trashed comment is not sent to Akismet; a
held one still is, and stays held whatever Akismet says but "spam". Staff, whom
WordPress calls "the author and the admins", are exempt.
"""

import re
from collections.abc import Mapping

from django.conf import settings
from django.db.models import Subquery

from core.markup import render_plain_text

from ..models import Comment, CommentEvent, DiscussionRule
from .moderation import NewHistory

Rule = DiscussionRule.Kind
# WordPress's names for the two lists, by which the history says which one caught it.
LIST_NAMES = {Rule.HOLD: "Comment Moderation", Rule.TRASH: "Disallowed Comment Keys"}

# WordPress counts its own pattern in the text as shown, where bare URLs are links.
_LINK = re.compile(r"<a [^>]*href", re.IGNORECASE)
# An <a> a visitor typed: counted once, so its own address is not counted again.
_TYPED_ANCHOR = re.compile(r"<a\s[^>]*>.*?(?:</a\s*>|\Z)", re.IGNORECASE | re.DOTALL)

_FIELDS = [
    ("author_name", "name"),
    ("author_email", "email"),
    ("author_url", "website"),
    ("ip_address", "IP address"),
    ("user_agent", "browser"),
    ("body", "text"),
]


def links_count(text: str) -> int:
    """The links in a comment's text, as WordPress counts them: each `<a href` typed,
    and each address the page turns into a link. The author's website is not counted."""
    typed = len(_LINK.findall(text))
    rest = _TYPED_ANCHOR.sub(" ", text)
    return typed + len(_LINK.findall(render_plain_text(rest)))


def rule_match(*, comment: Comment, entries: list[str]) -> str:
    """The first entry that appears in one of the comment's fields, with where: for its
    history, e.g. “casino” in the website. Empty when none does."""
    fields = [(label, str(getattr(comment, name) or "").casefold()) for name, label in _FIELDS]
    for entry in entries:
        for label, value in fields:
            if entry.casefold() in value:
                return f"“{entry}” in the {label}"
    return ""


def rule_entries() -> dict[str, Subquery]:
    """Both lists' entries, by kind, as subqueries for the one query of a new comment's
    checks: read with each comment, so a moderator's edit applies to the next one."""
    return {
        kind: Subquery(DiscussionRule.objects.filter(kind=kind).values("entries")) for kind in Rule
    }


def comment_rules_apply(*, history: NewHistory, entries: Mapping[str, str | None]) -> None:
    """Trash or hold a new comment, not yet saved, by the discussion rules; `entries` are
    each list's text by kind, as `rule_entries` reads them."""
    comment = history.comment
    if comment.user is not None and comment.user.is_staff:
        return
    lists = {
        kind: DiscussionRule(kind=kind, entries=entries.get(kind) or "").entry_list()
        for kind in Rule
    }
    trash = rule_match(comment=comment, entries=lists[Rule.TRASH])
    if trash:
        history.move("rule_trash", f"{LIST_NAMES[Rule.TRASH]}: {trash}")
        return
    reasons = []
    max_links = settings.COMMENTS_MAX_LINKS
    if max_links and (count := links_count(comment.body)) >= max_links:
        reasons.append(f"{count} links (a comment with {max_links} or more is held)")
    if hold := rule_match(comment=comment, entries=lists[Rule.HOLD]):
        reasons.append(f"{LIST_NAMES[Rule.HOLD]}: {hold}")
    if reasons:
        history.note(CommentEvent.Kind.RULE_HELD, "\n".join(reasons))


def discussion_rules_ensure() -> None:
    """Make sure both lists exist to be edited (a migration creates them, empty)."""
    for kind in Rule:
        DiscussionRule.objects.get_or_create(kind=kind)
