"""The thread on the post page: nesting, the depth limit, and a constant number of queries."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from comments.models import Comment
from comments.thread import build_thread
from tests import factories
from tests.comments.conftest import comment_nesting


def render_section(post, path="/"):
    request = RequestFactory().get(path)
    request.session = {}
    template = Template("{% load comments_tags %}{% comment_section post %}")
    return template.render(Context({"post": post, "request": request}))


def reply_chain(post, length):
    """A comment and `length - 1` replies, each answering the one before."""
    comments = [factories.make_comment(post=post)]
    for _ in range(length - 1):
        comments.append(factories.make_comment(post=post, parent=comments[-1]))
    return comments


@pytest.mark.django_db
def test_reply_sits_inside_its_parents_element(post):
    parent = factories.make_comment(post=post)
    reply = factories.make_comment(post=post, parent=parent)
    other = factories.make_comment(post=post)

    html = render_section(post)

    assert comment_nesting(html) == {
        parent.anchor: None,
        reply.anchor: parent.anchor,
        other.anchor: None,
    }
    assert '<ol class="children">' in html


@pytest.mark.django_db
def test_replies_deeper_than_the_limit_attach_at_the_deepest_level(post, settings):
    settings.COMMENTS_THREAD_DEPTH = 3
    first, second, third, fourth, fifth = reply_chain(post, 5)

    nesting = comment_nesting(render_section(post))

    assert nesting[second.anchor] == first.anchor
    assert nesting[third.anchor] == second.anchor
    assert nesting[fourth.anchor] == second.anchor
    assert nesting[fifth.anchor] == second.anchor


@pytest.mark.django_db
def test_default_depth_is_five_levels(post):
    chain = reply_chain(post, 7)

    nesting = comment_nesting(render_section(post))

    assert nesting[chain[4].anchor] == chain[3].anchor
    assert nesting[chain[5].anchor] == chain[3].anchor
    assert nesting[chain[6].anchor] == chain[3].anchor


def test_build_thread_keeps_order_and_depth():
    comments = [
        Comment(pk=1, parent_id=None, status="approved"),
        Comment(pk=2, parent_id=1, status="approved"),
        Comment(pk=3, parent_id=None, status="approved"),
        Comment(pk=4, parent_id=2, status="approved"),
        Comment(pk=5, parent_id=99, status="approved"),
    ]

    roots = build_thread(comments, max_depth=2)

    assert [node.comment.pk for node in roots] == [1, 3, 5]
    assert [node.comment.pk for node in roots[0].children] == [2, 4]
    assert {node.depth for node in roots[0].children} == {2}


@pytest.mark.django_db
def test_reply_to_a_hidden_comment_is_shown_at_the_top_level(post):
    parent = factories.make_comment(post=post)
    reply = factories.make_comment(post=post, parent=parent)
    Comment.objects.filter(pk=parent.pk).update(status=Comment.Status.TRASH)

    assert comment_nesting(render_section(post)) == {reply.anchor: None}


@pytest.mark.django_db
def test_each_comment_shows_author_link_permalink_and_reply_link(post):
    comment = factories.make_comment(
        post=post, author_name="Linked Author", author_url="https://linked.example"
    )

    html = render_section(post)

    assert (
        '<a href="https://linked.example" rel="nofollow ugc noopener" class="url">'
        "Linked Author</a>" in html
    )
    assert f'<a class="comment-permalink" href="#comment-{comment.pk}"><time datetime=' in html
    assert f'href="?replytocom={comment.pk}#respond" data-comment-id="{comment.pk}"' in html


@pytest.mark.django_db
def test_thread_loads_in_the_same_queries_for_one_or_three_hundred_comments(
    post, django_assert_num_queries
):
    """Intended to prevent an n+1 issue: the thread is two queries whatever its size,
    its state (for the cache key) and its rows."""
    factories.make_comment(post=post)
    with django_assert_num_queries(2):
        html = render_section(post)
    assert html.count('class="comment ') == 1

    parents = Comment.objects.filter(post=post)
    comments = []
    for number in range(299):
        parent = comments[number // 3] if number >= 3 else parents[0]
        comments.append(factories.make_comment(post=post, parent=parent))
    with django_assert_num_queries(2):
        html = render_section(post)
    assert html.count('class="comment ') == 300


@pytest.mark.django_db
def test_a_cached_thread_costs_one_query_and_is_never_stale(post, django_assert_num_queries):
    first = factories.make_comment(post=post, body="The first word.")
    render_section(post)
    with django_assert_num_queries(1):
        assert "The first word." in render_section(post)

    factories.make_comment(post=post, body="A new approved comment.")
    assert "A new approved comment." in render_section(post)

    first.body = "The first word, edited."
    first.save()
    assert "The first word, edited." in render_section(post)

    first.status = Comment.Status.SPAM
    first.save()
    assert "The first word" not in render_section(post)


@pytest.mark.django_db
def test_an_author_address_that_is_not_http_is_never_a_link(post):
    factories.make_comment(post=post, author_name="Mallory", author_url="javascript:alert(1)")
    html = render_section(post)
    assert "Mallory" in html
    assert "javascript:" not in html
