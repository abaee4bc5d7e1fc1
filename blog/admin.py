from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import ngettext
from taggit import admin as taggit_admin
from taggit.models import Tag

from core.admin_guard import GuardedAdminMixin

from . import likes, publishing, stamps, webmentions
from .admin_revisions import RevisionsAdminMixin
from .forms import PREFILLED_FIELDS, PostAdminForm
from .models import Like, Post


class StatusFilter(admin.SimpleListFilter):
    """Status as a visitor sees it: draft, scheduled or published."""

    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("draft", "Draft"), ("scheduled", "Scheduled"), ("published", "Published")]

    def queryset(self, request, queryset):
        match self.value():
            case "draft":
                return queryset.drafts()
            case "scheduled":
                return queryset.scheduled()
            case "published":
                return queryset.published()
        return queryset


@admin.register(Post)
class PostAdmin(RevisionsAdminMixin, GuardedAdminMixin, admin.ModelAdmin):
    form = PostAdminForm
    list_display = [
        "title",
        "post_type",
        "state",
        "published_at",
        "author",
        "tag_list",
        "likes_link",
        "view_link",
    ]
    list_filter = [StatusFilter, "tags", "published_at", "author"]
    search_fields = ["title", "body", "excerpt", "source_title", "source_name"]
    date_hierarchy = "published_at"
    list_select_related = ["author"]
    list_per_page = 50
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "post_state",
        "preview_link",
        "created_at",
        "updated_at",
        "likes_link",
        "webmentions_sent",
    ]

    # The editor's script and styles: live preview, paste as Markdown, growing text
    # areas, the form kept in the browser, the Publish button's label.
    class Media:
        js = ["js/html_to_markdown.js", "js/post_editor.js"]
        css = {"all": ["css/admin_post.css", "css/admin_revisions.css"]}

    actions = ["publish", "unpublish"]
    fieldsets = [
        ("Commentary", {"fields": ["title", "slug", "body", "summary"]}),
        (
            "Quoted source",
            {
                "fields": ["excerpt", "source_url", "source_title", "source_name"],
                "description": "For a link post: the passage you quote and where it comes from.",
            },
        ),
        (
            "Publishing",
            {
                "fields": [
                    "status",
                    "post_state",
                    "published_at",
                    "preview_link",
                    "author",
                    "tags",
                    "comments_open",
                    "likes_link",
                    "image",
                    "image_alt",
                    ("created_at", "updated_at"),
                ]
            },
        ),
        (
            "Webmentions sent",
            {
                "fields": ["webmentions_sent"],
                "description": (
                    "Sent to the pages the post links to when it is published, and again "
                    "when its text changes or it is unpublished."
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [path("preview/", preview, name="blog_post_preview"), *super().get_urls()]

    def get_changeform_initial_data(self, request):
        """A new post filled in from the address, as "Press This" sends it: only the
        fields it names, each checked as if typed (a javascript: URL is left out)."""
        initial = {}
        for name in PREFILLED_FIELDS:
            if value := request.GET.get(name, "").strip():
                initial[name] = value
        refused = PostAdminForm.refused_prefill(initial)
        for name, message in refused.items():
            del initial[name]
            self.message_user(request, message, messages.WARNING)
        return initial

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "_preview" in request.POST:
            return self.preview_in_form(request, object_id, form_url, extra_context)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def preview_in_form(self, request, object_id, form_url, extra_context):
        """The "Preview" button without JavaScript: the same form again, filled with what
        was sent and nothing saved, with the post shown as its page will show it.

        Django's change view saves whatever a valid POST carries, so the form is drawn
        as for a GET, bound to the data that was posted.
        """
        request.post_preview_data = (request.POST, request.FILES)
        request.method = "GET"
        preview = self.preview_document(request)
        extra_context = {**(extra_context or {}), "preview_document": preview}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        posted = getattr(request, "post_preview_data", None)
        if posted is None:
            return form_class

        class PreviewedForm(form_class):
            def __init__(self, *args, **kwargs):
                kwargs.pop("initial", None)
                super().__init__(*posted, **kwargs)

        return PreviewedForm

    def preview_view(self, request):
        """The live preview: the post as its page will show it, from the form as it is now
        (posted by the editor's script while typing), saved or not."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        request.post_preview_data = (request.POST, None)
        return HttpResponse(self.preview_document(request))

    def preview_document(self, request) -> str:
        return render_to_string(
            "blog/post_preview.html", {"post": self.previewed_post(request)}, request
        )

    def previewed_post(self, request) -> Post:
        """An unsaved post from the posted form, rendered as a save would render it; a
        field that does not validate (a javascript: URL, say) is left out of it."""
        form = self.get_form(request)(instance=Post())
        form.is_valid()
        post = form.instance
        post.render_html()
        return post

    def save_model(self, request, obj, form, change):
        if not obj.author_id:
            obj.author = request.user
        press = publishing.press_from(request.POST)
        # The form was drawn from the stored post, so its initial status is the one before.
        published_before = change and form.initial.get("status") == Post.Status.PUBLISHED
        if press:
            publishing.apply_press(
                obj,
                press,
                published_before=published_before,
                date_was_set="published_at" in form.changed_data,
            )
        super().save_model(request, obj, form, change)
        request.post_outcome = publishing.outcome_of(obj, press, published_before=published_before)

    def delete_model(self, request, obj):
        stamps.posts_deleted([obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        stamps.posts_deleted(queryset.only("pk", "status", "published_at"))
        super().delete_queryset(request, queryset)

    def response_add(self, request, obj, post_url_continue=None):
        if publishing.press_from(request.POST):
            return self.response_to_press(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if publishing.press_from(request.POST):
            return self.response_to_press(request, obj)
        return super().response_change(request, obj)

    def response_to_press(self, request, obj):
        """Back to the editor, as WordPress does, with what happened and a link to see it."""
        outcome = request.post_outcome
        label = "View post" if outcome.public else "Preview post"
        self.message_user(
            request,
            format_html('{} <a href="{}">{}</a>', outcome.headline, obj.get_absolute_url(), label),
            messages.SUCCESS,
        )
        url = reverse("admin:blog_post_change", args=[obj.pk], current_app=self.admin_site.name)
        preserved = {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}
        return HttpResponseRedirect(add_preserved_filters(preserved, url))

    @admin.display(description="status", ordering="status")
    def state(self, post):
        if post.is_scheduled:
            return format_html(
                '<span title="Goes live {}">Scheduled</span>',
                timezone.localtime(post.published_at).strftime("%Y-%m-%d %H:%M"),
            )
        return post.get_status_display()

    @admin.display(description="tags")
    def tag_list(self, post):
        return ", ".join(sorted(tag.name for tag in post.tags.all()))

    @admin.display(description="type", ordering="source_url")
    def post_type(self, post):
        return "Link post" if post.is_link_post else "Article"

    @admin.display(description="likes", ordering="like_count")
    def likes_link(self, post):
        """The count, linking to the likes themselves (for removing a burst)."""
        if not post.pk or not post.like_count:
            return "0"
        url = reverse("admin:blog_like_changelist", current_app=self.admin_site.name)
        label = ngettext("%d like", "%d likes", post.like_count) % post.like_count
        return format_html('<a href="{}?post__id__exact={}">{}</a>', url, post.pk, label)

    @admin.display(description="pages linked to")
    def webmentions_sent(self, post):
        rows = post.webmentions_sent.order_by("pk") if post.pk else []
        return render_to_string("admin/blog/post/_webmentions_sent.html", {"rows": rows})

    @admin.display(description="on the site")
    def view_link(self, post):
        label = "View" if post.is_published else "Preview"
        return format_html(
            '<a href="{}">{}<span class="visually-hidden"> “{}”</span></a>',
            post.get_absolute_url(),
            label,
            post.title,
        )

    @admin.display(description="status")
    def post_state(self, post):
        if not post.pk:
            return "Not saved yet"
        if post.is_scheduled:
            return f"Scheduled for {timezone.localtime(post.published_at):%-d %B %Y, %H:%M}"
        if post.is_published:
            return f"Published on {timezone.localtime(post.published_at):%-d %B %Y, %H:%M}"
        return "Draft"

    @admin.display(description="preview")
    def preview_link(self, post):
        if not post.pk:
            return "The preview with the form shows the post as it will look."
        label = "View on site" if post.is_published else "Preview (only staff can see it)"
        return format_html('<a href="{}" target="_blank">{}</a>', post.get_absolute_url(), label)

    @admin.action(description="Publish selected posts", permissions=["change"])
    def publish(self, request, queryset):
        drafts = queryset.filter(status=Post.Status.DRAFT)
        scheduled = drafts.filter(published_at__gt=timezone.now()).count()
        published = list(drafts.values_list("pk", flat=True))
        updated = drafts.update(status=Post.Status.PUBLISHED, updated_at=timezone.now())
        stamps.posts_changed_in_bulk()  # update() calls no save()
        webmentions.posts_published_in_bulk(published)
        message = ngettext("%d post published.", "%d posts published.", updated) % updated
        if scheduled:
            message += (
                " "
                + ngettext(
                    "%d of them is scheduled for a later date.",
                    "%d of them are scheduled for a later date.",
                    scheduled,
                )
                % scheduled
            )
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description="Unpublish selected posts (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        public = list(queryset.published().values_list("pk", flat=True))
        updated = queryset.filter(~Q(status=Post.Status.DRAFT)).update(
            status=Post.Status.DRAFT, updated_at=timezone.now()
        )
        stamps.posts_changed_in_bulk()
        webmentions.posts_unpublished_in_bulk(public)
        message = ngettext("%d post unpublished.", "%d posts unpublished.", updated) % updated
        self.message_user(request, message, messages.SUCCESS)


class BusyAddressFilter(admin.SimpleListFilter):
    """The addresses (hashed) that liked most in the last days: a burst shows at the top."""

    title = "address (hashed)"
    parameter_name = "address"
    SHOWN = 10

    def lookups(self, request, model_admin):
        busiest = (
            Like.objects.exclude(address_hash="")
            .order_by()
            .values_list("address_hash")
            .annotate(count=Count("pk"))
            .order_by("-count", "address_hash")[: self.SHOWN]
        )
        return [(hashed, f"{hashed[:10]}… ({count})") for hashed, count in busiest]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(address_hash=self.value())
        return queryset


@admin.register(Like)
class LikeAdmin(GuardedAdminMixin, admin.ModelAdmin):
    """Likes, for removing a burst from one address: filter by the address, select, and
    remove them; the posts' counts and pages follow (blog.likes)."""

    list_display = ["created_at", "post", "address", "browser"]
    list_filter = [BusyAddressFilter, ("post", admin.RelatedOnlyFieldListFilter), "created_at"]
    list_select_related = ["post"]
    date_hierarchy = "created_at"
    list_per_page = 100
    actions = ["remove_likes", "remove_from_addresses"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)  # It would leave the counts wrong.
        return actions

    def delete_model(self, request, obj):
        likes.likes_remove(likes=[obj])

    def delete_queryset(self, request, queryset):
        likes.likes_remove(likes=queryset)

    @admin.display(description="address (hashed)", ordering="address_hash")
    def address(self, like):
        if not like.address_hash:
            return "forgotten"
        url = reverse("admin:blog_like_changelist", current_app=self.admin_site.name)
        return format_html(
            '<a href="{}?address={}" title="Every like from this address">{}…</a>',
            url,
            like.address_hash,
            like.address_hash[:10],
        )

    @admin.display(description="browser")
    def browser(self, like):
        return f"{like.browser_id[:8]}…"

    @admin.action(description="Remove the selected likes", permissions=["delete"])
    def remove_likes(self, request, queryset):
        removed = likes.likes_remove(likes=queryset)
        message = ngettext("%d like removed.", "%d likes removed.", removed) % removed
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(
        description="Remove every like from the selected likes’ addresses", permissions=["delete"]
    )
    def remove_from_addresses(self, request, queryset):
        removed = likes.likes_remove(likes=likes.likes_from_addresses(likes=queryset))
        message = (
            ngettext(
                "%d like from those addresses removed.",
                "%d likes from those addresses removed.",
                removed,
            )
            % removed
        )
        self.message_user(request, message, messages.SUCCESS)


class TagAdmin(taggit_admin.TagAdmin):
    """django-taggit's tag admin, which renames, merges and deletes tags: every page may
    show a tag's name, so any change made here renews them all."""

    def changeform_view(self, request, *args, **kwargs):
        return self._renewing_pages(request, super().changeform_view(request, *args, **kwargs))

    def delete_view(self, request, *args, **kwargs):
        return self._renewing_pages(request, super().delete_view(request, *args, **kwargs))

    def changelist_view(self, request, *args, **kwargs):
        return self._renewing_pages(request, super().changelist_view(request, *args, **kwargs))

    def merge_tags_view(self, request):
        return self._renewing_pages(request, super().merge_tags_view(request))

    def _renewing_pages(self, request, response):
        # A POST that went through answers with a redirect; one with errors, a form.
        if request.method == "POST" and response.status_code == 302:
            stamps.tags_changed()
        return response


admin.site.unregister(Tag)
admin.site.register(Tag, TagAdmin)
