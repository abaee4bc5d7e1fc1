"""The public site: generic views over Post.objects.published(), sharing BlogViewMixin."""

from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Max, Min, Q
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.generic import (
    ArchiveIndexView,
    DateDetailView,
    DayArchiveView,
    ListView,
    MonthArchiveView,
    TemplateView,
    YearArchiveView,
)
from taggit.models import Tag

from core import registry
from core.pagecache import is_shared_page_request, public_page

from . import stamps
from .models import Post
from .paging import NewerOlderPaginator
from .post_page import post_page_parts
from .search import RESULTS_LIMIT, narrowed, search_facets, search_post_ids, search_snippets

SEARCH_MAX_LENGTH = 200


class BlogViewMixin:
    date_field = "published_at"
    month_format = "%m"
    day_format = "%d"
    paginator_class = NewerOlderPaginator

    def get_paginate_by(self, queryset):
        return settings.BLOG_POSTS_PER_PAGE

    def get_paginate_orphans(self):
        # A last page of one or two posts is folded into the page before it.
        return min(2, self.get_paginate_by(None) - 1)

    def get_queryset(self):
        return Post.objects.published().for_listing()


class ListsPosts:
    """A page listing posts shows which posts it holds, and each one's summary and
    comment count: its cached copy is renewed when they change (blog.stamps)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stamps.list_shows(self.request, context["object_list"])
        return context


@method_decorator(public_page, name="dispatch")
class PostHomeView(ListsPosts, BlogViewMixin, ArchiveIndexView):
    allow_empty = True
    date_list_period = None
    template_name = "blog/post_list.html"

    def get(self, request, *args, **kwargs):
        # WordPress searches at its front page (/?s=words): old links and browsers'
        # saved search engines still ask there.
        if "s" in request.GET:
            return HttpResponsePermanentRedirect(
                f"{reverse('blog:search')}?{urlencode({'q': request.GET['s']})}"
            )
        return super().get(request, *args, **kwargs)

    def get_dated_items(self):
        # The home page needs no list of years: skip ArchiveIndexView's extra query.
        return None, self.get_dated_queryset(), {}


class NoEmptyPeriods:
    """A year, month or day with no published posts is a 404, and the links to the
    periods either side skip such periods, so an archive never links to a 404.

    Django does both only with allow_empty off, at the cost of an exists() query and a
    query per link; with it on, it links blindly to the adjacent period. Here the page's
    own posts (queried anyway) are the emptiness check, and one query finds the periods
    with posts either side.
    """

    allow_empty = True

    def get_dated_items(self):
        try:
            return super().get_dated_items()
        except OverflowError:  # The day after 9999-12-31, or before 0001-01-01 in UTC.
            raise Http404("Date out of range") from None

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        if not object_list:  # Only a first page can be empty: a later one is a 404 already.
            raise Http404("No posts were published in this period.")
        return paginator, page, object_list, is_paginated

    def periods_around(self, date, period):
        """The start of the nearest `period` ("year", "month" or "day") with posts
        before `date`'s, and after it: (previous, next), either of them None."""
        cache = self.__dict__.setdefault("_periods_around", {})
        if (date, period) not in cache:
            # The period helpers of Django's date mixins, as its own next/previous use.
            start_of = getattr(self, f"_get_current_{period}")
            start = self._make_date_lookup_arg(start_of(date))
            end = self._make_date_lookup_arg(getattr(self, f"_get_next_{period}")(date))
            nearest = self.get_queryset().aggregate(
                previous=Max("published_at", filter=Q(published_at__lt=start)),
                next=Min("published_at", filter=Q(published_at__gte=end)),
            )
            cache[date, period] = tuple(
                start_of(timezone.localdate(moment)) if moment else None
                for moment in (nearest["previous"], nearest["next"])
            )
        return cache[date, period]

    def get_previous_year(self, date):
        return self.periods_around(date, "year")[0]

    def get_next_year(self, date):
        return self.periods_around(date, "year")[1]

    def get_previous_month(self, date):
        return self.periods_around(date, "month")[0]

    def get_next_month(self, date):
        return self.periods_around(date, "month")[1]

    def get_previous_day(self, date):
        return self.periods_around(date, "day")[0]

    def get_next_day(self, date):
        return self.periods_around(date, "day")[1]


@method_decorator(public_page, name="dispatch")
class PostYearArchiveView(ListsPosts, BlogViewMixin, NoEmptyPeriods, YearArchiveView):
    make_object_list = True


@method_decorator(public_page, name="dispatch")
class PostMonthArchiveView(ListsPosts, BlogViewMixin, NoEmptyPeriods, MonthArchiveView):
    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        return None  # The page lists no days: skip the query.


@method_decorator(public_page, name="dispatch")
class PostDayArchiveView(ListsPosts, BlogViewMixin, NoEmptyPeriods, DayArchiveView):
    # The page links to its own month rather than to the months around it.
    def get_previous_month(self, date):
        return None

    def get_next_month(self, date):
        return None


@method_decorator(public_page, name="dispatch")
class PostDetailView(BlogViewMixin, DateDetailView):
    """A post's page. Staff who may view posts also see drafts and scheduled posts."""

    def can_preview(self):
        user = self.request.user
        return user.is_staff and user.has_perm("blog.view_post")

    def get_queryset(self):
        if self.can_preview():
            return Post.objects.for_listing()
        return super().get_queryset()

    def get_allow_future(self):
        return self.can_preview()

    def get_object(self, queryset=None):
        try:
            if self.can_preview():
                return super().get_object(queryset)
            day = date(self.kwargs["year"], self.kwargs["month"], self.kwargs["day"])
            post = Post.objects.published_at_address(day=day, slug=self.kwargs["slug"])
        except OverflowError:  # The day after 9999-12-31, looked up as the day's end.
            raise Http404("Date out of range") from None
        except ValueError:  # 30 February.
            raise Http404("No such date") from None
        if post is None:
            raise Http404("No post at this address.")
        return post

    def get_context_data(self, **kwargs):
        post = self.object
        previous_post, next_post = Post.objects.neighbours(post)
        stamps.post_page_shows(self.request, post, previous=previous_post, following=next_post)
        return super().get_context_data(
            is_preview=not post.is_published,
            post_parts=post_page_parts(
                post,
                previous=previous_post,
                following=next_post,
                keep=not is_shared_page_request(self.request),
            ),
            **kwargs,
        )

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        # The endpoints other apps registered (the webmention endpoint), kept with the page.
        if links := registry.post_page_link_header():
            response["Link"] = links
        return response


@method_decorator(public_page(shows=lambda request: [stamps.LISTS]), name="dispatch")
class ArchiveView(TemplateView):
    """Every month with posts, and every tag in use."""

    template_name = "blog/archive.html"

    def get_context_data(self, **kwargs):
        published = Post.objects.published()
        return super().get_context_data(
            months=published.dates("published_at", "month", order="DESC"),
            tags=Tag.objects.filter(post__in=published).distinct().order_by("name"),
            **kwargs,
        )


class PostListView(ListsPosts, BlogViewMixin, ListView):
    """Posts with something in common, a 404 when none has it (allow_empty off).

    The paginator tells an empty first page by its own query (a 404, as EmptyPage), so
    ListView's exists() query before it is left out.
    """

    allow_empty = False

    def get(self, request, *args, **kwargs):
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data())


@method_decorator(public_page, name="dispatch")
class TagView(PostListView):
    template_name = "blog/tag_detail.html"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().tagged(self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


@method_decorator(public_page, name="dispatch")
class AuthorView(PostListView):
    template_name = "blog/author_detail.html"

    def get_queryset(self):
        self.author = get_object_or_404(get_user_model(), username=self.kwargs["username"])
        return super().get_queryset().filter(author=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


# Searches are too many and too varied to be worth keeping.
@method_decorator(public_page(shared=False), name="dispatch")
class SearchView(BlogViewMixin, ListView):
    """Ranked full-text search (blog.search): the best matches first, each with the
    passage that matched, and the count said as "more than 1,000" past the limit."""

    template_name = "blog/search.html"
    # Django's, which counts: the ids are in memory (at most RESULTS_LIMIT), and the page
    # says how many of them a narrowed search kept.
    paginator_class = Paginator
    results = None

    def get_query(self):
        query = self.request.GET.get("q", "").replace("\x00", "")
        return " ".join(query.split())[:SEARCH_MAX_LENGTH]

    def get_narrowing(self) -> tuple[str, int | None]:
        """The tag and the year the reader narrowed the results to, if any."""
        tag = self.request.GET.get("tag", "")[:100]
        year = self.request.GET.get("year", "")
        return tag, int(year) if year.isascii() and year.isdecimal() and len(year) == 4 else None

    def search_address(self, *, tag: str, year: int | None) -> str:
        """The query string of this search, narrowed to `tag` and `year`."""
        fields = {"q": self.get_query(), "tag": tag, "year": year or ""}
        return urlencode({name: value for name, value in fields.items() if value})

    def facet_links(self, facets, tag: str, year: int | None) -> dict:
        """Each tag and year of the matches as a link narrowing the search to it, or, for
        the one chosen, widening it again."""
        return {
            "tags": [
                {
                    "label": name,
                    "count": count,
                    "chosen": slug == tag,
                    "href": self.search_address(tag="" if slug == tag else slug, year=year),
                }
                for slug, name, count in facets.tags
            ],
            "years": [
                {
                    "label": str(each),
                    "count": count,
                    "chosen": each == year,
                    "href": self.search_address(tag=tag, year=None if each == year else each),
                }
                for each, count in facets.years
            ],
        }

    def get_queryset(self):
        # The paginator pages through the matching ids alone; only a page's posts load.
        query = self.get_query()
        if not query:
            return []
        self.results = search_post_ids(query)
        self.matching_ids = self.results.post_ids[:RESULTS_LIMIT]
        tag, year = self.get_narrowing()
        return narrowed(self.matching_ids, tag=tag, year=year)

    def get_context_data(self, **kwargs):
        tag, year = self.get_narrowing()
        context = super().get_context_data(
            query=self.get_query(), narrowed_tag=tag, narrowed_year=year, **kwargs
        )
        context["query_string"] = self.search_address(tag=tag, year=year)
        if self.results is not None:
            context["facets"] = self.facet_links(search_facets(self.matching_ids), tag, year)
        page = context["page_obj"]
        page_ids = list(page.object_list)
        posts = Post.objects.published().for_listing().in_bulk(page_ids)
        snippets = search_snippets(self.get_query(), page_ids)
        page.object_list = [posts[pk] for pk in page_ids if pk in posts]
        for post in page.object_list:
            post.search_snippet = snippets.get(post.pk, "")
        context.update(object_list=page.object_list, results=self.results)
        return context
