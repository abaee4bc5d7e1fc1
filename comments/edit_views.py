"""The author's edit page of a comment (comments/editing.py): GET the form, POST a new
text or the delete. static/js/comment_editing.js brings the form into the post page."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.cross_origin import cross_origin_protected

from . import editing
from .forms import CommentForm
from .models import Comment

EDIT_TEMPLATE = "comments/edit.html"


class CommentEditForm(forms.Form):
    """The new text: the comment form's own field and cleaning. Its ids differ from the
    comment form's, as comment_editing.js puts it on the post page beside that form."""

    body = CommentForm.base_fields["body"]
    clean_body = CommentForm.clean_body

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_edit_%s")
        super().__init__(*args, **kwargs)


@require_http_methods(["GET", "HEAD", "POST"])
@cross_origin_protected
def edit_comment(request, comment_id):
    grants = editing.grants_read(request)
    try:
        comment = editing.comment_for_edit(comment_id=comment_id, grants=grants)
    except editing.EditRefused as refusal:
        return _refused(request, refusal)
    if request.method == "POST" and "delete" in request.POST:
        return _delete(request, comment, grants)
    if request.method == "POST":
        return _save(request, comment, grants)
    form = CommentEditForm(initial={"body": comment.body})
    return _page(request, comment, form)


def _save(request, comment, grants):
    form = CommentEditForm(request.POST)
    if not form.is_valid():
        return _page(request, comment, form, status=400)
    try:
        outcome = editing.comment_edit(
            comment_id=comment.pk,
            grants=grants,
            body=form.cleaned_data["body"],
            request_meta=request.META,
            user=request.user,
        )
    except editing.EditRefused as refusal:
        if refusal.code in ("required", "rate"):
            form.add_error(None, refusal.message)
            return _page(request, comment, form, status=refusal.status)
        return _refused(request, refusal)
    edited = outcome.comment
    if not outcome.changed:
        messages.info(request, "Your comment was not changed.")
    elif edited.status == Comment.Status.APPROVED:
        messages.success(request, "Your comment was updated.")
    elif edited.status == Comment.Status.PENDING:
        messages.success(request, "Your comment was updated; it is awaiting moderation.")
    else:
        messages.warning(
            request,
            "Your edited comment was held back by the spam filter; a moderator will look at it.",
        )
        return redirect(f"{edited.post.get_absolute_url()}#comments")
    return redirect(edited.get_absolute_url())


def _delete(request, comment, grants):
    try:
        deleted = editing.comment_delete_by_author(comment_id=comment.pk, grants=grants)
    except editing.EditRefused as refusal:
        return _refused(request, refusal)
    messages.success(request, "Your comment was deleted.")
    return redirect(f"{deleted.post.get_absolute_url()}#comments")


def _page(request, comment, form, *, status=200):
    seconds = editing.seconds_left(comment.created_at)
    context = {
        "comment": comment,
        "form": form,
        "seconds_left": seconds,
        "minutes_left": editing.minutes_rounded_up(seconds),
        "window": editing.window_words(),
    }
    return render(request, EDIT_TEMPLATE, context, status=status)


def _refused(request, refusal):
    return render(request, EDIT_TEMPLATE, {"refusal": refusal}, status=refusal.status)
