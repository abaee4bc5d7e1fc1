"""The post editor's revisions: listed under the form, each with a page that shows what it
changed and a Restore button (blog.revisions does the work).

Restoring is a POST from the revision's page, not from the list: the list sits inside the
post's form, where a form of its own cannot go, and a button there would be the one that
the Enter key presses in the title field.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import revisions
from .models import PostRevision

# Revisions listed under the post form; older ones stay reachable from their neighbours.
REVISIONS_LISTED = 50


def saved_by(revision: PostRevision) -> str:
    if revision.author is None:
        return "an import or script"
    return revision.author.get_full_name() or revision.author.get_username()


def saved_at(revision: PostRevision) -> str:
    return f"{timezone.localtime(revision.created_at):%Y-%m-%d %H:%M:%S}"


def _row_id(value) -> int | None:
    """`value` as an id the database can look up, or None: an id past 64 bits would make
    SQLite raise OverflowError, and the page a 500."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


@dataclass(frozen=True)
class RevisionRow:
    revision: PostRevision
    who: str
    when: str
    summary: str
    url: str
    is_latest: bool


class RevisionsAdminMixin:
    """Record a revision after each save, list them on the change page, show one's
    changes, and restore one."""

    def save_model(self, request, obj, form, change):
        if change:
            revisions.record_stored_version(obj.pk)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        revisions.record_revision(form.instance, by=request.user)

    def get_urls(self):
        view = self.admin_site.admin_view
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/revisions/<int:revision_id>/",
                view(self.revision_view),
                name="{}_{}_revision".format(*info),
            ),
            path(
                "<path:object_id>/revisions/<int:revision_id>/restore/",
                view(require_POST(self.revision_restore_view)),
                name="{}_{}_revision_restore".format(*info),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), **self._revisions_context(object_id)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _revisions_context(self, object_id):
        post_id = _row_id(unquote(object_id))
        if post_id is None:
            return {}
        newest = list(
            PostRevision.objects.filter(post_id=post_id).select_related("author")[
                : REVISIONS_LISTED + 1
            ]
        )
        rows = [
            RevisionRow(
                revision=revision,
                who=saved_by(revision),
                when=saved_at(revision),
                summary=revisions.revision_summary(revision, previous),
                url=self._revision_url(revision),
                is_latest=index == 0,
            )
            for index, (revision, previous) in enumerate(
                zip(newest[:REVISIONS_LISTED], [*newest[1:], None], strict=False)
            )
        ]
        unlisted = 0
        if len(newest) > REVISIONS_LISTED:
            unlisted = PostRevision.objects.filter(post_id=post_id).count() - REVISIONS_LISTED
        return {"post_revisions": rows, "post_revisions_unlisted": unlisted}

    def _revision_url(self, revision, name="revision"):
        info = self.opts.app_label, self.opts.model_name
        return reverse("admin:{}_{}_{}".format(*info, name), args=[revision.post_id, revision.pk])

    def _post_and_revision(self, request, object_id, revision_id):
        post_id = _row_id(unquote(object_id))
        post = None if post_id is None else self.get_object(request, post_id)
        if post is None or _row_id(revision_id) is None:
            raise Http404("No such post or revision.")
        revision = get_object_or_404(
            PostRevision.objects.select_related("author"), post=post, pk=revision_id
        )
        return post, revision

    def revision_view(self, request, object_id, revision_id):
        post, revision = self._post_and_revision(request, object_id, revision_id)
        if not self.has_view_or_change_permission(request, post):
            raise PermissionDenied
        older = Q(created_at__lt=revision.created_at) | Q(
            created_at=revision.created_at, pk__lt=revision.pk
        )
        previous = post.revisions.filter(older).first()
        newer = post.revisions.exclude(older).exclude(pk=revision.pk).last()
        context = {
            **self.admin_site.each_context(request),
            "title": f"Revision of {saved_at(revision)}",
            "subtitle": str(post),
            "opts": self.opts,
            "original": post,
            "revision": revision,
            "who": saved_by(revision),
            "when": saved_at(revision),
            "previous": previous,
            "previous_url": previous and self._revision_url(previous),
            "newer_url": newer and self._revision_url(newer),
            "changes": revisions.revision_diff(revision, previous),
            "changes_on_restore": revisions.changes_on_restore(revision, post),
            "restore_url": self._revision_url(revision, "revision_restore"),
            "has_change_permission": self.has_change_permission(request, post),
        }
        return TemplateResponse(request, "admin/blog/post/revision.html", context)

    def revision_restore_view(self, request, object_id, revision_id):
        post, revision = self._post_and_revision(request, object_id, revision_id)
        if not self.has_change_permission(request, post):
            raise PermissionDenied
        try:
            revisions.restore_revision(revision, by=request.user)
        except ValidationError as error:
            self.message_user(
                request,
                f"The revision was not restored: {' '.join(error.messages)}",
                messages.ERROR,
            )
            return HttpResponseRedirect(self._revision_url(revision))
        done = f"Restored the revision of {saved_at(revision)} by {saved_by(revision)}."
        self.log_change(request, post, done)
        self.message_user(request, done, messages.SUCCESS)
        info = self.opts.app_label, self.opts.model_name
        return HttpResponseRedirect(reverse("admin:{}_{}_change".format(*info), args=[post.pk]))
