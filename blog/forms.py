from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from .models import Post


class PostAdminForm(forms.ModelForm):
    """The admin's post form: the author may be left empty to mean "me"."""

    class Meta:
        model = Post
        fields = [
            "title",
            "slug",
            "body",
            "summary",
            "excerpt",
            "source_url",
            "source_title",
            "source_name",
            "status",
            "published_at",
            "author",
            "tags",
            "comments_open",
            "image",
            "image_alt",
        ]
        widgets = {
            "title": forms.TextInput(attrs={"class": "vTextField"}),
            "summary": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
            "excerpt": forms.Textarea(attrs={"rows": 6, "class": "vLargeTextField"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "author" in self.fields:
            author = self.fields["author"]
            author.required = False
            # Staff may sign posts; a post's current author stays selectable even if not staff.
            author.queryset = (
                get_user_model()
                .objects.filter(Q(is_staff=True) | Q(pk=self.instance.author_id))
                .order_by("username")
            )
            author.help_text = "Leave empty to sign the post yourself."
