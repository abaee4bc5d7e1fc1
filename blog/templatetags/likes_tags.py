"""The Like button on a post's page, and what the privacy page says about likes."""

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from core.pagecache import could_share_page, is_shared_page_request, stand_ins

from .. import likes

register = template.Library()


@register.simple_tag(takes_context=True)
def like_button(context, post):
    """`post`'s Like button and count (blog/_likes.html). The page every reader shares
    shows the neutral button (likes.js marks it "Liked" for this browser); a page rendered
    for one visitor marks it from the same cookie."""
    request = context.get("request")
    personal = request is not None and not is_shared_page_request(request)
    pieces = _block(post.pk, post.like_count, personal and post.pk in likes.liked_ids_of(request))
    # The shared page keeps neither the token nor the nonce, and the page any anonymous
    # reader could share carries no token either (core.pagecache).
    token = personal and not could_share_page(request)
    return mark_safe(stand_ins.filled(request, pieces, token=token, nonce=personal))


# Rendered once per post, count and state in each process, with stand-ins for the token
# and the nonce: rendering it for every page would cost a thirtieth of the page.
@lru_cache(maxsize=2048)
def _block(post_id: int, count: int, liked: bool) -> tuple[str, ...]:
    shown = {
        "action": reverse("blog:post-like", args=[post_id]),
        "post_id": post_id,
        "count_text": likes.count_text(count),
        "liked": liked,
    }
    context = {"likes": shown, **stand_ins.STAND_INS}
    return stand_ins.kept(render_to_string("blog/_likes.html", context))


@register.simple_tag
def likes_address_days() -> int:
    """How many days a like keeps the hash of its address."""
    return settings.BLOG_LIKES_ADDRESS_DAYS
