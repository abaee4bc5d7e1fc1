import pytest
from django.utils import timezone

from blog.models import Post
from tests.factories import make_post


@pytest.mark.django_db
def test_published_hides_drafts_and_scheduled_posts(post, draft, scheduled_post):
    assert list(Post.objects.published()) == [post]


@pytest.mark.django_db
def test_drafts_and_scheduled_are_told_apart(post, draft, scheduled_post):
    assert list(Post.objects.drafts()) == [draft]
    assert list(Post.objects.scheduled()) == [scheduled_post]
    assert scheduled_post.is_scheduled and not scheduled_post.is_published


@pytest.mark.django_db
def test_scheduled_post_appears_once_its_time_has_come(scheduled_post):
    Post.objects.filter(pk=scheduled_post.pk).update(
        published_at=timezone.now() - timezone.timedelta(minutes=1)
    )
    assert list(Post.objects.published()) == [scheduled_post]


@pytest.mark.django_db
def test_search_matches_title_body_and_excerpt_with_every_word():
    by_title = make_post(title="Gardening with Django")
    by_body = make_post(body="A note on django migrations")
    by_excerpt = make_post(body="See this.", excerpt="Django and gardens, quoted")
    make_post(title="Nothing relevant")

    assert set(Post.objects.search("django")) == {by_title, by_body, by_excerpt}
    assert set(Post.objects.search("DJANGO garden")) == {by_title, by_excerpt}


@pytest.mark.django_db
def test_search_ignores_nul_characters():
    match = make_post(title="Nul safety")
    assert list(Post.objects.search("nul\x00 safety")) == [match]


@pytest.mark.django_db
def test_source_title_without_url_is_a_validation_error():
    post = make_post()
    post.source_title = "Some article"
    with pytest.raises(Exception) as error:
        post.full_clean()
    assert "source_url" in error.value.message_dict


@pytest.mark.django_db
def test_analyze_database_gives_the_planner_statistics():
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    make_post(tags=["python"])
    out = StringIO()
    call_command("analyze_database", stdout=out)

    assert "Statistics refreshed" in out.getvalue()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1")
            assert cursor.fetchone()[0] > 0
