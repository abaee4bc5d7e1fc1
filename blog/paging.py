"""Pages of posts without counting the posts: "Newer posts" and "Older posts", as
WordPress shows them.

Django's Paginator runs an exact COUNT(*) over the whole list on every page, to number
the pages; that count grows with the archive while the page does not. This paginator
reads a page's rows and one more: that row says whether an older page exists, and no
page needs the total. It keeps `?page=N` (an offset), so old links and the page cache,
which shares pages by that parameter alone, keep working.
"""

from functools import cached_property

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator

# The largest OFFSET the databases accept (a signed 64-bit integer). A page number
# beyond it cannot have rows, and must be a 404 rather than a database error.
MAX_OFFSET = 2**63 - 1


class NewerOlderPaginator:
    """What ListView needs of Django's Paginator, without its count.

    Orphans keep their meaning: a last page of `orphans` posts or fewer is folded into
    the page before it. A page reads up to per_page + orphans + 1 rows; if it gets no
    more than per_page + orphans, it is the last page and shows them all, as Django's
    last page would.
    """

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True):
        self.object_list = object_list
        self.per_page = int(per_page)
        self.orphans = int(orphans)
        self.allow_empty_first_page = allow_empty_first_page

    def validate_number(self, number) -> int:
        """The page number as an int of at least 1; no upper bound is known."""
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        return number

    def page(self, number) -> "NewerOlderPage":
        number = self.validate_number(number)
        offset = (number - 1) * self.per_page
        if offset > MAX_OFFSET:
            raise EmptyPage("That page contains no results")
        last_page_size = self.per_page + self.orphans
        rows = list(self.object_list[offset : offset + last_page_size + 1])
        # Past the end, or `orphans` rows or fewer, which the page before has shown.
        if number > 1 and len(rows) <= self.orphans:
            raise EmptyPage("That page contains no results")
        if not rows and not self.allow_empty_first_page:
            raise EmptyPage("That page contains no results")
        has_next = len(rows) > last_page_size
        return NewerOlderPage(rows[: self.per_page] if has_next else rows, number, self, has_next)

    @cached_property
    def num_pages(self) -> int:
        """Only for `?page=last`, which Django's ListView answers and no link of ours
        asks for: the one case that counts the list."""
        return Paginator(
            self.object_list, self.per_page, self.orphans, self.allow_empty_first_page
        ).num_pages


class NewerOlderPage(Page):
    """A page that knows whether an older one follows, but not how many do."""

    def __init__(self, object_list, number, paginator, has_next):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def __repr__(self):
        return f"<Page {self.number}>"

    def has_next(self) -> bool:
        return self._has_next

    def next_page_number(self) -> int:
        if not self._has_next:
            raise EmptyPage("That page contains no results")
        return self.number + 1

    def start_index(self) -> int:
        return self.paginator.per_page * (self.number - 1) + 1 if self.object_list else 0

    def end_index(self) -> int:
        return self.paginator.per_page * (self.number - 1) + len(self.object_list)
