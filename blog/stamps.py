"""What each page of posts shows, and what a change to a post renews (core.pagecache).

The keys:

- `post:<id>`: the post's own page (its text, tags, comments and their count). Lists
  depend on it for each post they show, as they show its comment count;
- `post-link:<id>`: the post as its neighbours' pages link to it (title and address);
- `post-likes:<id>`: how many like the post, which its own page alone shows, so a like
  renews that page and leaves the lists and every other page in the cache (blog.likes);
- `posts`: which posts the lists and feeds hold, and what they show of them.

Post.save calls `post_changed` for every save; a post's tags are set after it, in the
same transaction (the admin, a revision restored, an import), so readers see both with
the one stamp. The admin's bulk actions, which update without saving, and changes to the
tags themselves note a site-wide change. Comments note their post's key (comments.stamps).
"""

from collections.abc import Iterable

from core.pagecache import depends_on, note_changes, note_site_change

LISTS = "posts"


def post_key(post_id: int) -> str:
    return f"post:{post_id}"


def post_link_key(post_id: int) -> str:
    return f"post-link:{post_id}"


def post_likes_key(post_id: int) -> str:
    return f"post-likes:{post_id}"


def post_page_shows(request, post, *, previous, following) -> None:
    """A post's page shows the post, its likes, and its neighbours' titles and addresses.
    The newest post's page would link to a post scheduled after it as soon as that goes
    live, with no save to say so: it shows which posts are listed, whose key that moment
    renews."""
    neighbours = [neighbour for neighbour in (previous, following) if neighbour is not None]
    keys = [post_key(post.pk), post_likes_key(post.pk)]
    keys += [post_link_key(neighbour.pk) for neighbour in neighbours]
    if following is None:
        keys.append(LISTS)
    depends_on(request, *keys)


def list_shows(request, posts: Iterable) -> None:
    """A list shows which posts it holds, and each one's summary and comment count."""
    depends_on(request, LISTS, *(post_key(post.pk) for post in posts))


def lists(request, *args, **kwargs) -> list[str]:
    """What a feed of posts shows (for public_page's `shows`): the lists alone, as it
    shows no comment counts."""
    return [LISTS]


def post_changed(post, *, was_public: bool) -> None:
    """Renew the pages that showed or now show `post`, after a change to it.

    A draft or a scheduled post shows nowhere (a scheduled one appears by itself when its
    time comes, see BlogConfig.ready), so its saves renew nothing. Otherwise: its own
    page, the pages of the neighbours that linked to it (through its link key), those it
    now sits between, and the lists.
    """
    if not (was_public or post.is_published):
        return
    keys = [post_key(post.pk), post_link_key(post.pk), LISTS]
    if post.is_published:
        neighbours = type(post).objects.neighbours(post)
        keys += [post_key(neighbour.pk) for neighbour in neighbours if neighbour]
    note_changes(*keys)


def likes_changed(post_ids: Iterable[int]) -> None:
    """Renew the pages of the posts whose likes changed: their own pages, nothing else."""
    note_changes(*(post_likes_key(pk) for pk in post_ids))


def posts_deleted(posts: Iterable) -> None:
    """Renew the pages that showed `posts`, about to be deleted: their own, their
    neighbours' (through their link keys), and the lists."""
    public = [post.pk for post in posts if post.is_published]
    if public:
        note_changes(LISTS, *(key(pk) for pk in public for key in (post_key, post_link_key)))


def posts_changed_in_bulk() -> None:
    """After an update of many posts at once (the admin's bulk actions): any page may
    show one of them, or sit next to one."""
    note_site_change()


def tags_changed() -> None:
    """After a tag is renamed, merged or deleted: any page may show its name."""
    note_site_change()
