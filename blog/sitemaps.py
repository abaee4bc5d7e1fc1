from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from taggit.models import Tag

from .models import Post


class PostSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Post.objects.published().only("slug", "published_at", "updated_at")

    def lastmod(self, post):
        return post.updated_at


class TagSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return Tag.objects.filter(post__in=Post.objects.published()).distinct().order_by("name")

    def location(self, tag):
        return reverse("blog:tag", kwargs={"slug": tag.slug})


class PageSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        return ["blog:home", "blog:archive"]

    def location(self, name):
        return reverse(name)


sitemaps = {"posts": PostSitemap, "tags": TagSitemap, "pages": PageSitemap}
