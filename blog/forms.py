from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import Truncator, slugify

from .models import Post

# What a new post's address may fill in ("Press This", blog.bookmarklet), and nothing
# else: a link cannot publish a post or sign it with someone else's name.
PREFILLED_FIELDS = ("title", "source_url", "source_title", "source_name", "excerpt")


class PostAdminForm(forms.ModelForm):
    """The admin's post form: the author may be left empty to mean "me"."""

    class Meta:
        model = Post
        fields = Post.EDITOR_FIELDS
        widgets = {
            # The buttons (Publish, Save draft, Update, Unpublish) set the status; see
            # blog.publishing. It stays in the form for Django's own Save buttons.
            "status": forms.HiddenInput,
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
        if "slug" in self.fields:
            # Filled in from the title as the editor types; without JavaScript, on save.
            self.fields["slug"].required = False

    def clean(self):
        cleaned_data = super().clean()
        if "slug" in self.fields and not cleaned_data.get("slug") and cleaned_data.get("title"):
            slug_length = Post._meta.get_field("slug").max_length
            cleaned_data["slug"] = slugify(cleaned_data["title"])[:slug_length].strip("-") or "post"
        return cleaned_data

    @classmethod
    def refused_prefill(cls, initial: dict[str, str]) -> dict[str, str]:
        """Of the values a new post's address fills in, those that would not validate if
        typed, each with the reason the editor is told."""
        refused = {}
        form = cls()
        for name, value in initial.items():
            field = form.fields[name]
            try:
                field.clean(value)
            except ValidationError as error:
                sent = Truncator(value).chars(60)
                reason = " ".join(error.messages)
                refused[name] = f"{field.label} “{sent}” from the link was left out: {reason}"
        return refused
