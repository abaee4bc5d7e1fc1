"""Comment pages, as WordPress has them: a post's top-level threads in pages of
COMMENTS_PER_PAGE, each thread whole with its replies, and the links between the pages.

COMMENTS_ORDER says which threads come first. The post's own address shows page 1 of that
order; page N is `?comments=N`. (WordPress opens an oldest-first discussion on its last
page; here the address a reader is given always shows the same page, the one that
starts the discussion, and a permalink names its page.)

Only approved threads count towards the pages, so every reader sees the same split. A
held thread, shown to its own author, joins the page of the approved thread just before
it in that order: a new one shows on the last page oldest first, on page 1 newest first.

A leaf: it knows the settings, not the models (Comment.thread_page and thread.py use it).
"""

import re

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.utils.http import urlencode

PAGE_PARAMETER = "comments"
# A page number as the links write it: no sign, no leading zero, nothing absurd.
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")


def per_page() -> int:
    """Top-level threads per page; 0 when they all go on one."""
    return max(settings.COMMENTS_PER_PAGE, 0)


def newest_first() -> bool:
    return settings.COMMENTS_ORDER == "newest"


def page_of(threads_before: int, *, approved: bool = True) -> int:
    """The page of a thread that has `threads_before` approved threads ahead of it; a
    held one (`approved` False) goes on the page of the last of those."""
    size = per_page()
    if not size:
        return 1
    if not approved:
        threads_before = max(threads_before - 1, 0)
    return threads_before // size + 1


def page_count(threads: int) -> int:
    """How many pages `threads` approved top-level threads fill: at least one."""
    size = per_page()
    return max(1, -(-threads // size)) if size else 1


def page_url(post_url: str, page: int) -> str:
    return post_url if page == 1 else f"{post_url}?{urlencode({PAGE_PARAMETER: page})}"


def requested_page(request) -> int:
    """The page the address asks for, 1 without the parameter. Anything other than a page
    number is a 404, as Django's `?page=` is on the post lists: junk is never cached."""
    value = request.GET.get(PAGE_PARAMETER) if request is not None else None
    if value is None:
        return 1
    if not PAGE_NUMBER.fullmatch(value):
        raise Http404("No such page of comments.")
    return int(value)


def page_links(post_url: str, page: int, count: int) -> dict | None:
    """The links between the pages of a post's comments; None when there is one page."""
    if count < 2:
        return None
    # "Older comments", "Newer comments": the template adds the noun, which a phone hides.
    earlier, later = "Older", "Newer"
    if newest_first():
        earlier, later = later, earlier
    numbers = Paginator(range(count), 1).get_elided_page_range(page, on_each_side=2, on_ends=1)
    return {
        "previous": {"url": page_url(post_url, page - 1), "label": earlier} if page > 1 else None,
        "next": {"url": page_url(post_url, page + 1), "label": later} if page < count else None,
        "numbers": [
            {"number": number, "url": page_url(post_url, number), "current": number == page}
            if number != Paginator.ELLIPSIS
            else {"number": number}
            for number in numbers
        ],
    }
