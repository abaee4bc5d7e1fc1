"""Full-text search, as a reader uses it: ranked, with the matching passage, on SQLite
(FTS5) and PostgreSQL (tsvector), kept up to date by the database itself."""

import pytest
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from blog import search
from blog.models import Post
from blog.search import fts5_query, search_post_ids, search_snippets
from tests.factories import make_link_post, make_post

pytestmark = pytest.mark.django_db


def found(query):
    return [Post.objects.get(pk=pk).title for pk in search_post_ids(query).post_ids]


def test_a_word_in_the_title_ranks_above_the_same_word_in_the_text():
    make_post(title="Notes from the week", body="A word about gardens, in passing.")
    make_post(title="Gardens, not factories", body="Small sites win.")
    make_post(title="Unrelated", body="Nothing here.")
    assert found("garden") == ["Gardens, not factories", "Notes from the week"]


def test_tags_the_source_and_the_excerpt_are_searched():
    make_post(title="Tagged", tags=["okapi"])
    make_link_post(title="Linked", source_title="Zebra crossings", source_name="Stripes Weekly")
    make_link_post(title="Quoted", excerpt="The pangolin walked on.")
    assert found("okapi") == ["Tagged"]
    assert found("zebra") == found("stripes") == ["Linked"]
    assert found("pangolin") == ["Quoted"]


def test_only_published_posts_are_found():
    make_post(title="Draft about lemurs", status=Post.Status.DRAFT)
    make_post(title="Future lemurs", published_at=timezone.now() + timezone.timedelta(days=1))
    assert found("lemurs") == []


def test_a_change_to_a_post_or_its_tags_is_found_at_once():
    post = make_post(title="Before", body="Plain words.")
    post.title = "Quokka tales"
    post.save()
    assert found("quokka") == ["Quokka tales"]
    post.body = "Now about wombats."
    post.save(update_fields=["body"])
    assert found("wombats") == ["Quokka tales"]
    post.tags.add("marsupials")
    assert found("marsupials") == ["Quokka tales"]
    Tag.objects.filter(name="marsupials").update(name="pouches")
    assert found("pouches") == ["Quokka tales"]
    post.tags.clear()
    assert found("pouches") == []
    post.status = Post.Status.DRAFT
    post.save()
    assert found("quokka") == []
    post.delete()
    assert found("wombats") == []


def test_phrases_excluded_words_and_or():
    make_post(title="Small web", body="The small web is big.")
    make_post(title="Web small", body="Web pages, small ones.")
    make_post(title="Django notes", body="The small web, with Django.")
    assert set(found('"small web"')) == {"Small web", "Django notes"}
    assert found('"small web" -django') == ["Small web"]
    assert set(found("django or pages")) == {"Django notes", "Web small"}


@pytest.mark.parametrize(
    "query",
    ['"', '""', "*", "-", "-word", "NEAR(a b)", "a AND", "OR", "title:x", "^x", "x" * 500,
     "'; DROP TABLE blog_post; --", "(((", "\\", "ü" * 300],
)  # fmt: skip
def test_hostile_queries_find_nothing_and_never_fail(client, query):
    make_post(title="Something", body="Words.")
    search_post_ids(query)
    response = client.get(reverse("blog:search"), {"q": query})
    assert response.status_code == 200


def test_the_snippet_marks_the_words_and_escapes_the_text():
    post = make_post(
        title="Escaping",
        body="Write &lt;script&gt; tags only in code. The garden is green.",
    )
    snippet = search_snippets("garden", [post.pk])[post.pk]
    assert "<mark>garden</mark>" in snippet
    assert "&lt;script&gt;" in snippet and "<script>" not in snippet


def test_the_search_page_shows_the_passage_and_says_best_first(client):
    make_post(title="Gardens, not factories", body="Tend the garden daily.")
    make_post(title="Notes", body="Gardens again, and more gardens.")
    page = client.get(reverse("blog:search"), {"q": "garden"}).content.decode()
    assert "2 posts found for “garden”, best matches first." in page
    assert 'class="search-snippet"' in page and "<mark>" in page
    assert page.index("Gardens, not factories") < page.index(">Notes<")


def test_past_the_limit_the_count_is_said_as_more_than(client, monkeypatch):
    monkeypatch.setattr(search, "RESULTS_LIMIT", 3)
    monkeypatch.setattr("blog.views.RESULTS_LIMIT", 3)
    for number in range(5):
        make_post(title=f"Heron {number}")
    page = client.get(reverse("blog:search"), {"q": "heron"}).content.decode()
    assert "More than 3 posts found" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("garden", '"garden"'),
        ("small web", '"small" AND "web"'),
        ('"small web" -django', '("small web") NOT "django"'),
        ("django or python", '("django" OR "python")'),
        # Words joined by punctuation stay together, as a phrase: "e-mail" is one thing.
        ("NEAR(a b) e-mail *", '"NEAR a" AND "b" AND "e mail"'),
        ("-only", ""),
        ('"', ""),
    ],
)
def test_queries_are_written_in_fts5s_syntax_with_every_word_quoted(query, expected):
    assert fts5_query(query) == expected


def test_the_results_narrow_to_a_tag_or_a_year_and_widen_again(client):
    now = timezone.now()
    make_post(title="Heron one", tags=["birds"], published_at=now.replace(year=2024))
    make_post(title="Heron two", tags=["birds", "rivers"], published_at=now.replace(year=2025))
    make_post(title="Heron three", tags=["rivers"], published_at=now.replace(year=2025))
    page = client.get(reverse("blog:search"), {"q": "heron"}).content.decode()
    facets = page.split('class="search-facets"', 1)[1].split("</nav>", 1)[0]
    assert 'href="?q=heron&amp;tag=birds"' in facets and "birds <span" in facets
    assert 'href="?q=heron&amp;year=2025"' in facets

    narrowed = client.get(reverse("blog:search"), {"q": "heron", "tag": "birds"})
    page = narrowed.content.decode()
    assert "Heron one" in page and "Heron two" in page and "Heron three" not in page
    # The chosen tag links back to every match; the years keep the tag.
    assert 'href="?q=heron" aria-current="true"' in page
    assert 'href="?q=heron&amp;tag=birds&amp;year=2024"' in page

    both = client.get(reverse("blog:search"), {"q": "heron", "tag": "birds", "year": "2025"})
    assert [title for title in ("Heron one", "Heron two") if title in both.content.decode()] == [
        "Heron two"
    ]


@pytest.mark.parametrize("year", ["", "20x5", "٢٠٢٥", "99999", "-1"])
def test_a_year_that_is_not_one_is_ignored(client, year):
    make_post(title="Heron")
    response = client.get(reverse("blog:search"), {"q": "heron", "year": year, "tag": "x" * 500})
    assert response.status_code == 200


def test_a_narrowed_search_says_what_it_is_narrowed_to(client):
    make_post(title="Heron one", tags=["birds"])
    make_post(title="Heron two")
    page = client.get(reverse("blog:search"), {"q": "heron", "tag": "birds"}).content.decode()
    assert "1 of the 2 posts found for “heron”, tagged “birds”." in page


def test_a_word_in_very_many_posts_ranks_the_newest_of_them(monkeypatch):
    monkeypatch.setattr(search, "RANK_WINDOW", 2)
    oldest = make_post(title="Heron heron heron")
    make_post(title="A heron", body="Words.")
    make_post(title="Another", body="A heron, once.")
    ranked = found("heron")
    assert oldest.title not in ranked and ranked == ["A heron", "Another"]
