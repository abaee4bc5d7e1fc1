"""The page a link in a moderator's email opens: the comment, and one button.

Mail scanners open every link in an email, so a GET shows and changes nothing; only the
page's POST acts, through the services' `comment_transition`, with the moderator the
link was made for as the actor. The POST is protected as the comment form is
(core/cross_origin.py). When the link cannot act, the page says why: it was changed or
cut short, it has expired, its moderator can no longer moderate, or the comment has gone
or has been handled since.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core import signing
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.cross_origin import cross_origin_protected

from . import services
from .email_links import EmailLink, LinkExpired, can_moderate, link_read
from .models import Comment

# The comment's history says so, beside the moderator's name.
FROM_EMAIL = "From the email"
# Each state of the page, and its status code: a GET that cannot act is no error of the
# moderator's browser, but a client should not take it for the confirmation page.
STATUS = {"confirm": 200, "handled": 200, "invalid": 400, "not_moderator": 403}
STATUS |= {"gone": 404, "expired": 410}


@dataclass
class Page:
    state: str
    link: EmailLink | None = None
    comment: Comment | None = None
    moderator: object = None
    context: dict = field(default_factory=dict)

    @property
    def move(self):
        return services.MOVES[self.link.action] if self.link else None


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@cross_origin_protected
def moderate(request, token):
    page = _page(token)
    if request.method == "POST" and page.state == "confirm":
        try:
            services.comment_transition(
                comment=page.comment, move=page.link.action, actor=page.moderator, detail=FROM_EMAIL
            )
        except services.IllegalTransition:  # Handled in the moment since the page was shown.
            page = _page(token)
        else:
            messages.success(request, f"{page.move.done_message}. Thank you.")
            return redirect(request.path)
    if request.method == "POST" and page.state == "handled":
        messages.error(request, "This comment had already been handled: nothing was changed.")
        return _render(request, page, status=409)
    return _render(request, page)


def _page(token: str) -> Page:
    try:
        link = link_read(token)
    except LinkExpired as expired:
        return Page("expired", expired.link, _comment(expired.link))
    except signing.BadSignature:
        return Page("invalid")
    comment = _comment(link)
    moderator = get_user_model().objects.filter(pk=link.user_id).first()
    if comment is None:
        return Page("gone", link)
    if not can_moderate(moderator):
        return Page("not_moderator", link, comment, moderator)
    if comment.status not in services.MOVES[link.action].starts:
        return Page("handled", link, comment, moderator, {"last_move": _last_move(comment)})
    return Page("confirm", link, comment, moderator)


def _comment(link: EmailLink) -> Comment | None:
    return Comment.objects.select_related("post").filter(pk=link.comment_id).first()


def _last_move(comment: Comment):
    """The line of history that left the comment in its status."""
    kinds = {move.event for move in services.MOVES.values()}
    return comment.events.filter(kind__in=kinds).select_related("actor").last()


def _render(request, page: Page, *, status: int | None = None):
    context = {
        "state": page.state,
        "link": page.link,
        "move": page.move,
        "comment": page.comment,
        "moderator": page.moderator,
        "from_email": FROM_EMAIL,
        "link_days": max(round(settings.COMMENTS_EMAIL_LINK_MAX_AGE / 86400), 1),
        "queue_url": reverse("admin:comments_comment_changelist"),
        **page.context,
    }
    return render(
        request,
        "comments/moderate_by_email.html",
        context,
        status=status or STATUS[page.state],
    )
