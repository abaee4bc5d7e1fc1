"""A post's address keeps working when an edit moves it.

A post lives at /YYYY/MM/DD/slug/, so a new slug or publish date gives it a new address.
Once readers could see it there, links, feeds and search engines know the old one: it
then answers 301 to the new one (core.redirects). A draft's or scheduled post's address
was never public, so moving it records nothing.
"""

from core.redirects import add_redirect

# The fields a post's address is made of (Post.get_absolute_url).
ADDRESS_FIELDS = {"slug", "published_at"}


def post_moved(post, *, public_before, update_fields=None) -> None:
    """Redirect the address readers knew `post` by to where it is now, if the save moved
    it. `public_before` is the post as stored before the save, if readers could see it
    (Post.stored_public_version)."""
    if public_before is None or (
        update_fields is not None and not ADDRESS_FIELDS & set(update_fields)
    ):
        return
    old_address = public_before.get_absolute_url()
    if old_address != (new_address := post.get_absolute_url()):
        add_redirect(old_address, new_address)
