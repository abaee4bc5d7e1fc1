"""A reader's report of a published comment: the small form asking why, its POST (a plain
form, or the in-place one of static/js/comment_reports.js, answered in JSON), and the
thank-you page. The rules are comments/reports.py's."""

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt

from blog.models import Post
from core.cross_origin import cross_origin_protected
from core.markup import without_control_characters
from core.request_info import RequestInfo, content_length

from . import reports
from .models import Comment, CommentReport

# The comments this browser reported, signed so that no one can add to another's list.
# It changes no page the cache shares (the thread shows the same "Report" link to all),
# so it is not registered as personal, and it is sent only to the report pages.
REPORTS_COOKIE = "comment_reports"
COOKIE_SALT = "comments.reports"
COOKIE_PATH = "/comments/"
REMEMBERED = 200
# No report is bigger: the note at its limit, each character percent-encoded as four
# bytes of UTF-8, and room for the rest. A bigger POST is refused before it is read.
REPORT_REQUEST_MAX_BYTES = 12 * CommentReport.NOTE_MAX + 8192
THANKS = "Thank you. Your report has been sent to the moderators, who will look at the comment."
GONE = "It is not published: it may be waiting for a moderator, or have been removed."
TOO_BIG = (
    f"Your note is too long: it can be at most {CommentReport.NOTE_MAX} characters. "
    "Please shorten it and send the report again."
)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why are you reporting this comment?",
        choices=CommentReport.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose why you are reporting this comment."},
    )
    note = forms.CharField(
        label="Anything the moderators should know? (optional)",
        required=False,
        max_length=CommentReport.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_note(self):
        return without_control_characters(self.cleaned_data["note"])


@csrf_exempt
def report_comment(request, comment_id):
    """GET: the form asking why (or the thanks, once this browser has reported it).
    POST: send the report, under the comment form's cross-site protection."""
    comment = _comment_or_none(Comment.objects.approved(), comment_id)
    if comment is None:
        return _gone(request)
    if request.method in ("GET", "HEAD"):
        if comment.pk in reported_ids(request):
            return _sent_page(request, comment, already=True)
        return _form_page(request, comment, ReportForm())
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    if content_length(request) > REPORT_REQUEST_MAX_BYTES:
        return _refused(request, comment, TOO_BIG, status=413)
    return _send_report(request, comment)


@cross_origin_protected
def _send_report(request, comment):
    form = ReportForm(request.POST)
    if not form.is_valid():
        message = " ".join(error for errors in form.errors.values() for error in errors)
        return _refused(request, comment, message, status=400, form=form)
    reported = reported_ids(request)
    try:
        reports.report_submit(
            comment=comment,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            ip_address=RequestInfo.from_meta(request.META).ip_address,
            already_reported=comment.pk in reported,
        )
    except reports.ReportRefused as refusal:
        if refusal.code == "gone":
            return _gone(request)
        return _refused(request, comment, refusal.message, status=429, form=form)
    if _wants_json(request):
        response = JsonResponse({"ok": True, "message": THANKS})
    else:
        response = redirect("comments:report-sent", comment.pk)
    _remember_reported(response, [*(pk for pk in reported if pk != comment.pk), comment.pk])
    return response


def report_sent(request, comment_id):
    """The thanks after a report without JavaScript. The same whatever became of the
    comment since (taken down by this very report, say): the reader learns nothing of
    other reports."""
    comment = _comment_or_none(Comment.objects.all(), comment_id)
    if comment is None:
        raise Http404("No such comment.")
    return _sent_page(request, comment, already=False)


def _comment_or_none(comments, comment_id) -> Comment | None:
    # Past 64 bits no row can have it, and the database would refuse to compare it.
    if comment_id >= 2**63:
        return None
    published = Post.objects.published()
    return comments.select_related("post").filter(pk=comment_id, post__in=published).first()


def _gone(request):
    """The 404 for a comment that is not published (held, spam, trash) or not there."""
    if _wants_json(request):
        return JsonResponse({"ok": False, "message": GONE}, status=404)
    response = render(request, "comments/report_gone.html", {"message": GONE}, status=404)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _form_page(request, comment, form, *, status=200, message=""):
    context = {
        "comment": comment,
        "form": form,
        "message": message,
        "note_max": CommentReport.NOTE_MAX,
        "retention_days": settings.COMMENTS_PERSONAL_DATA_RETENTION_DAYS,
    }
    response = render(request, "comments/report.html", context, status=status)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _sent_page(request, comment, *, already):
    back = comment.post.get_absolute_url()
    if comment.status == Comment.Status.APPROVED:
        back = comment.get_absolute_url()
    context = {"comment": comment, "already": already, "back_url": back, "thanks": THANKS}
    response = render(request, "comments/report_sent.html", context)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _refused(request, comment, message, *, status, form=None):
    if _wants_json(request):
        return JsonResponse({"ok": False, "message": message}, status=status)
    form = form or ReportForm()
    return _form_page(request, comment, form, status=status, message=message)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def reported_ids(request) -> list[int]:
    """The comments this browser reported, from its signed cookie; none if it was forged."""
    value = request.get_signed_cookie(
        REPORTS_COOKIE, default="", salt=COOKIE_SALT, max_age=_cookie_age()
    )
    return [int(part) for part in value.split(".") if part.isdigit()]


def _remember_reported(response, ids) -> None:
    response.set_signed_cookie(
        REPORTS_COOKIE,
        ".".join(str(pk) for pk in ids[-REMEMBERED:]),
        salt=COOKIE_SALT,
        max_age=_cookie_age(),
        path=COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _cookie_age() -> int:
    # As long as the reports themselves are kept (services.retention).
    return settings.COMMENTS_PERSONAL_DATA_RETENTION_DAYS * 86400
