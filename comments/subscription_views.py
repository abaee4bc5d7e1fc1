"""The pages the links in subscribers' emails open: confirm, manage, end.

Mail scanners open every link in an email, so a GET shows a page with a button and
changes nothing; only the POST acts. The link's signature is the only credential: no
login, and the address comes from the link, never from the form.

The one-click unsubscribe address (RFC 8058) takes a POST from the reader's mail
program, from no page of ours and with no CSRF token: it is exempt from the CSRF
check, which guards a signed-in session, and here there is none to guard. A forged
request would need the signed link itself, and all it can do is end the subscription
the link was made for. Confirming is protected as the comment form is.
"""

from django.core import signing
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.cross_origin import cross_origin_protected

from . import subscriptions
from .subscription_links import CONFIRM, END, MANAGE, LinkExpired, link_path, link_read

TEMPLATES = "comments/subscriptions"


def _bad_link(request, *, expired: bool = False):
    status = 410 if expired else 400
    context = {"expired": expired}
    return render(request, f"{TEMPLATES}/bad_link.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@cross_origin_protected
def confirm(request, token):
    expired = False
    try:
        link = link_read(token, action=CONFIRM)
    except LinkExpired as too_old:
        link, expired = too_old.link, True
    except signing.BadSignature:
        return _bad_link(request)
    subscriber = subscriptions.subscriber_of_link(link)
    confirmed = subscriber is not None and subscriber.is_confirmed
    if subscriber is None or (expired and not confirmed):
        return _bad_link(request, expired=True)  # Not confirmed in time, and forgotten.
    context = {
        "email": subscriber.email,
        "manage_url": link_path(action=MANAGE, subscriber=subscriber),
    }
    if request.method != "POST" and not confirmed:
        return render(request, f"{TEMPLATES}/confirm.html", {**context, "state": "ask"})
    subscriptions.subscriber_confirm(subscriber=subscriber)
    context |= {
        "state": "done",
        "subscriptions": subscriptions.subscriptions_of(subscriber=subscriber),
    }
    return render(request, f"{TEMPLATES}/confirm.html", context)


@never_cache
@require_http_methods(["GET", "HEAD"])
def manage(request, token):
    try:
        link = link_read(token, action=MANAGE)
    except signing.BadSignature:
        return _bad_link(request)
    subscriber = subscriptions.subscriber_of_link(link)
    rows = [
        {"subscription": subscription, "end_url": _end_path(subscriber, subscription.pk)}
        for subscription in subscriptions.subscriptions_of(subscriber=subscriber)
    ]
    context = {
        "email": subscriber.email if subscriber else "",
        "rows": rows,
        "end_all_url": _end_path(subscriber, None) if subscriber else "",
    }
    return render(request, f"{TEMPLATES}/manage.html", context)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def end(request, token):
    try:
        link = link_read(token, action=END)
    except signing.BadSignature:
        return _bad_link(request)
    subscriber = subscriptions.subscriber_of_link(link)
    kept = subscriptions.subscriptions_of(subscriber=subscriber)
    context = {
        "email": subscriber.email if subscriber else "",
        "all": link.subscription_id is None,
        "named": [s for s in kept if link.subscription_id in (None, s.pk)],
        "manage_url": link_path(action=MANAGE, subscriber=subscriber) if subscriber else "",
    }
    if request.method != "POST":
        return render(request, f"{TEMPLATES}/end.html", {**context, "state": "ask"})
    ended = 0
    if subscriber is not None:
        ended = subscriptions.subscription_end(
            subscriber=subscriber, subscription_id=link.subscription_id
        )
    remaining = subscriptions.subscriptions_of(subscriber=subscriber) if ended else []
    context |= {"state": "done" if ended else "gone", "remaining": remaining}
    return render(request, f"{TEMPLATES}/end.html", context)


def _end_path(subscriber, subscription_id: int | None) -> str:
    return link_path(action=END, subscriber=subscriber, subscription_id=subscription_id)
