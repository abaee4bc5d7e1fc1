from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import ngettext

from core.admin_guard import GuardedAdminMixin
from core.pagecache import note_public_change

from .forms import PostAdminForm
from .models import Post


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
class PostAdmin(GuardedAdminMixin, admin.ModelAdmin):
    form = PostAdminForm
    list_display = [
        "title",
        "state",
        "published_at",
        "author",
        "tag_list",
        "is_link_post",
    ]
    list_filter = [StatusFilter, "tags", "published_at", "author"]
    search_fields = ["title", "body", "excerpt", "source_title", "source_name"]
    date_hierarchy = "published_at"
    list_select_related = ["author"]
    list_per_page = 50
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["preview_link", "created_at", "updated_at"]
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
                    "published_at",
                    "preview_link",
                    "author",
                    "tags",
                    "comments_open",
                    "image",
                    "image_alt",
                    ("created_at", "updated_at"),
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    def save_model(self, request, obj, form, change):
        if not obj.author_id:
            obj.author = request.user
        super().save_model(request, obj, form, change)

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

    @admin.display(description="link", boolean=True)
    def is_link_post(self, post):
        return post.is_link_post

    @admin.display(description="preview")
    def preview_link(self, post):
        if not post.pk:
            return "Save the post to preview it."
        label = "View on site" if post.is_published else "Preview (only staff can see it)"
        return format_html('<a href="{}" target="_blank">{}</a>', post.get_absolute_url(), label)

    @admin.action(description="Publish selected posts", permissions=["change"])
    def publish(self, request, queryset):
        drafts = queryset.filter(status=Post.Status.DRAFT)
        scheduled = drafts.filter(published_at__gt=timezone.now()).count()
        updated = drafts.update(status=Post.Status.PUBLISHED, updated_at=timezone.now())
        note_public_change()  # update() sends no signals
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
        updated = queryset.filter(~Q(status=Post.Status.DRAFT)).update(
            status=Post.Status.DRAFT, updated_at=timezone.now()
        )
        note_public_change()
        message = ngettext("%d post unpublished.", "%d posts unpublished.", updated) % updated
        self.message_user(request, message, messages.SUCCESS)
