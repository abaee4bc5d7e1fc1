"""A post's address keeps working when an edit moves it.

A post lives at /YYYY/MM/DD/slug/, so a new slug or publish date gives it a new address.
Once readers could see it there, links, feeds and search engines know the old one: it
then answers 301 to the new one (core.redirects). A draft's or scheduled post's address
was never public, so moving it records nothing.
"""

from core.redirects import add_redirect

# The fields a post's address is made of (Post.get_absolute_url).
ADDRESS_FIELDS = {"slug", "published_at"}


def public_address_before_save(post, *, update_fields=None) -> str | None:
    """The address readers knew `post` by, read from the database before it is saved;
    None when the save cannot move it, or its stored version is not public."""
    if post.pk is None or (update_fields is not None and not ADDRESS_FIELDS & set(update_fields)):
        return None
    stored = type(post).objects.published().filter(pk=post.pk).only(*ADDRESS_FIELDS).first()
    return stored.get_absolute_url() if stored else None


def post_moved(post, *, old_address: str | None) -> None:
    """Redirect `old_address` to where `post` is now, if the save moved it."""
    if old_address and old_address != (new_address := post.get_absolute_url()):
        add_redirect(old_address, new_address)
