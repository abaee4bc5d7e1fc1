"""Which requests may share a page, and which always get a fresh one.

A page is shared only when it is the same for every visitor. What makes a request
personal is registered by the apps (core.registry): a cookie that fills in a form, a
session key that shows a visitor their own held comment. Django's own session and
flash-message cookies are known here, since they belong to no app of ours.
"""

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage

from .. import registry

MESSAGES_COOKIE = CookieStorage.cookie_name
# Pages with other query parameters (a reply form, odd junk) are rendered every time,
# so no one can fill the cache with variants.
SHARED_QUERY_PARAMETERS = {"page", "comments"}


def is_shared_page_request(request) -> bool:
    """Whether this visitor gets the page every anonymous reader gets."""
    return settings.PAGE_CACHE and could_share_page(request)


def could_share_page(request) -> bool:
    """Whether this visitor would get the page every anonymous reader gets, were the page
    cache on. Their page is the same with the cache off: it carries no CSRF token, as the
    shared page does not (core/cross_origin.py lets their forms through by the browser's
    word that they are the site's own), so it costs none of the token's random strings."""
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD")
        and not cookies.get(settings.SESSION_COOKIE_NAME)
        and not cookies.get(MESSAGES_COOKIE)
        and not any(cookies.get(name) for name in registry.personal_cookies)
        and set(request.GET) <= SHARED_QUERY_PARAMETERS
    )


def wants_fresh_page(request) -> bool:
    """Whether this visitor must always see the page as it is now: no validators, no
    cache. Staff, a visitor with a flash message, or one whose session holds something
    of theirs that the page shows."""
    if request.user.is_authenticated or request.COOKIES.get(MESSAGES_COOKIE):
        return True
    if request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        session = request.session
        return any(session.get(key) for key in registry.personal_session_keys)
    return False


def personal_cookie_values(request) -> list[str]:
    """The cookies that shape this visitor's own page: the CSRF cookie (its form's
    token comes from it) and those the apps registered."""
    names = [settings.CSRF_COOKIE_NAME, *sorted(registry.personal_cookies)]
    return [request.COOKIES.get(name, "") for name in names]
