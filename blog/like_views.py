"""The Like button's address: a POST likes the post, or takes the like back (blog.likes).

Without JavaScript the form posts here and the visitor is sent back to the post's likes,
with a message saying what happened; likes.js posts the same form asking for JSON and
updates the button in place. The same cross-site protection as the comment form.
"""

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect

from core.cross_origin import cross_origin_protected
from core.request_info import RequestInfo

from . import likes
from .models import Post

LIKED_MESSAGE = "Thank you for liking this post. Press “Liked” to take it back."
TAKEN_BACK_MESSAGE = "Your like is taken back."


@cross_origin_protected
def like_post(request, post_id):
    post = (
        Post.objects.published()
        .filter(pk=post_id)
        .only("pk", "slug", "published_at", "status")
        .first()
    )
    if post is None:
        raise Http404("No such post.")
    location = f"{post.get_absolute_url()}#likes"
    if request.method in ("GET", "HEAD"):
        return redirect(location)
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])

    wants_json = request.headers.get("Accept", "").startswith("application/json")
    browser_id = likes.browser_id_of(request) or likes.new_browser_id()
    try:
        outcome = likes.like_toggle(
            post=post,
            browser_id=browser_id,
            ip_address=RequestInfo.from_meta(request.META).ip_address,
        )
    except likes.LikeRefused as refusal:
        if wants_json:
            return JsonResponse({"error": refusal.message}, status=429)
        messages.error(request, refusal.message)
        return redirect(location)

    if wants_json:
        response = JsonResponse(
            {
                "liked": outcome.liked,
                "count": outcome.count,
                "count_text": likes.count_text(outcome.count),
            }
        )
    else:
        messages.success(request, LIKED_MESSAGE if outcome.liked else TAKEN_BACK_MESSAGE)
        response = redirect(location)
    liked_ids = likes.liked_cookie_ids(likes.liked_ids_of(request), post.pk, liked=outcome.liked)
    likes.remember_browser(response, browser_id=browser_id, liked_ids=liked_ids)
    return response
