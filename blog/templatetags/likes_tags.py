"""The Like button on a post's page, and what the privacy page says about likes."""

from functools import lru_cache

from django import template
from django.conf import settings
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from core.pagecache import is_shared_page_request

from .. import likes

register = template.Library()

TOKEN_STAND_IN = "like-button-csrf-token"
NONCE_STAND_IN = "like-button-csp-nonce"


@register.simple_tag(takes_context=True)
def like_button(context, post):
    """`post`'s Like button and count (blog/_likes.html). The page every reader shares
    shows the neutral button (likes.js marks it "Liked" for this browser); a page rendered
    for one visitor marks it from the same cookie."""
    request = context.get("request")
    personal = request is not None and not is_shared_page_request(request)
    html = _block(post.pk, post.like_count, personal and post.pk in likes.liked_ids_of(request))
    # The shared page keeps neither (core.pagecache): asking for them would only set the
    # CSRF cookie and put a nonce in the policy.
    nonce = get_nonce(request) if personal else None
    html = html.replace(TOKEN_STAND_IN, get_token(request) if personal else "")
    return mark_safe(html.replace(NONCE_STAND_IN, "" if nonce is None else str(nonce)))


# Rendered once per post, count and state in each process, with stand-ins for the token
# and the nonce: rendering it for every page would cost a thirtieth of the page.
@lru_cache(maxsize=2048)
def _block(post_id: int, count: int, liked: bool) -> str:
    shown = {
        "action": reverse("blog:post-like", args=[post_id]),
        "post_id": post_id,
        "count_text": likes.count_text(count),
        "liked": liked,
    }
    context = {"likes": shown, "csrf_token": TOKEN_STAND_IN, "csp_nonce": NONCE_STAND_IN}
    return render_to_string("blog/_likes.html", context)


@register.simple_tag
def likes_address_days() -> int:
    """How many days a like keeps the hash of its address."""
    return settings.BLOG_LIKES_ADDRESS_DAYS
