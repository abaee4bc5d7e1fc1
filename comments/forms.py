"""The comment form. It checks only the shape of the input; the rules live in services."""

from django import forms
from django.core.validators import URLValidator

from .models import Comment
from .services import HONEYPOT_FIELD

# Invisible and direction-changing characters: zero-width spaces and joiners, the left-
# and right-to-left marks, embeddings, overrides and isolates. In a name they make one
# name look like another ("admin\u200b") or turn the text around it backwards (U+202E).
INVISIBLE_CHARACTERS = dict.fromkeys(
    [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2060, 0xFEFF]
)


def strip_invisible(text: str) -> str:
    return text.translate(INVISIBLE_CHARACTERS)


class WebAddressField(forms.URLField):
    """A URL field for http(s) addresses only, whose one check says so once."""

    message = "Enter a web address starting with http:// or https://, or leave it empty."
    default_error_messages = {"invalid": message}
    default_validators = [URLValidator(schemes=["http", "https"], message=message)]


class CommentForm(forms.Form):
    author_name = forms.CharField(
        label="Name",
        max_length=Comment.AUTHOR_NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    author_email = forms.EmailField(
        label="Email",
        max_length=Comment.AUTHOR_EMAIL_MAX,
        help_text="Your email address will not be published.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    author_url = WebAddressField(
        label="Website",
        required=False,
        max_length=Comment.AUTHOR_URL_MAX,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    body = forms.CharField(
        label="Comment",
        max_length=Comment.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 45}),
    )
    parent = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )
    remember = forms.BooleanField(
        label="Save my name, email, and website in this browser for the next time I comment.",
        required=False,
    )
    # Replies by email and new-post emails (comments/subscriptions.py): never ticked
    # for the visitor, and confirmed by email before anything else is sent.
    notify_replies = forms.BooleanField(label="Email me replies to my comment", required=False)
    notify_posts = forms.BooleanField(label="Email me new posts", required=False)
    # The honeypot: hidden from people, so only a bot fills it in.
    fax_number = forms.CharField(
        label="Leave this field empty",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    field_order = ["body", "author_name", "author_email", "author_url", "remember"]

    def clean_author_name(self):
        name = " ".join(strip_invisible(self.cleaned_data["author_name"]).split())
        if not name:
            raise forms.ValidationError("Please enter your name.", code="required")
        return name

    # An address or link that passed validation can still hide these (a zero-width space
    # in a domain name is dropped by IDNA, so it validates); keep the clean form.
    def clean_author_email(self):
        return strip_invisible(self.cleaned_data["author_email"])

    def clean_author_url(self):
        return strip_invisible(self.cleaned_data["author_url"])

    def clean_body(self):
        body = self.cleaned_data["body"].replace("\r\n", "\n").strip()
        if not body:
            raise forms.ValidationError("Please type your comment.", code="required")
        return body

    def clean_parent(self):
        # A broken reply link is not the visitor's fault: the services say what to do.
        return self.cleaned_data.get("parent") or None

    @property
    def honeypot(self):
        return self[HONEYPOT_FIELD]
