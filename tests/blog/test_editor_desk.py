"""The editor's desk in the admin, on the server: the buttons that publish, the preview
before saving, the add form filled in from its address, and the post list's columns."""

from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from tests.factories import make_comment, make_link_post, make_post

from .test_admin import post_form

ADD_URL = reverse("admin:blog_post_add")
PREVIEW_URL = reverse("admin:blog_post_preview")
PASSAGE = "By a writer\nOne.\nTwo.\nThree.\nFour.\nFive.\nSix."


def change_url(post):
    return reverse("admin:blog_post_change", args=[post.pk])


def form_of(post, **changes):
    """The change form's data for `post` as it stands, with `changes`."""
    local = timezone.localtime(post.published_at)
    data = post_form(
        title=post.title,
        slug=post.slug,
        body=post.body,
        excerpt=post.excerpt,
        source_url=post.source_url,
        source_title=post.source_title,
        source_name=post.source_name,
        status=post.status,
        published_at_0=f"{local:%Y-%m-%d}",
        published_at_1=f"{local:%H:%M:%S}",
        tags="",
        author=str(post.author_id),
    )
    data.pop("_save")
    data.update(changes)
    return data


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.django_db
def test_publish_on_a_new_post_publishes_it_now_and_says_so(editor_client):
    before = timezone.now()
    data = post_form(status="draft", _publish="", published_at_0="", published_at_1="")
    del data["_save"]
    data.update(published_at_0=f"{timezone.localtime(before):%Y-%m-%d}")
    data.update(published_at_1=f"{timezone.localtime(before):%H:%M:%S}")

    response = editor_client.post(ADD_URL, data, follow=True)

    post = Post.objects.get()
    assert post.is_published
    assert response.redirect_chain[-1][0] == change_url(post)
    assert messages_of(response) == [
        f'Published. <a href="{post.get_absolute_url()}">View post</a>'
    ]


@pytest.mark.django_db
def test_publishing_a_draft_with_its_date_untouched_dates_it_now(editor_client, draft):
    Post.objects.filter(pk=draft.pk).update(published_at=timezone.now() - timedelta(days=5))
    draft.refresh_from_db()
    data = form_of(draft, _publish="")
    # The date the form was drawn with comes back unchanged, beside the one it shows.
    data["initial-published_at_0"] = data["published_at_0"]
    data["initial-published_at_1"] = data["published_at_1"]

    editor_client.post(change_url(draft), data)

    draft.refresh_from_db()
    assert draft.is_published
    assert timezone.now() - draft.published_at < timedelta(minutes=1)


@pytest.mark.django_db
def test_publish_with_a_future_date_schedules_and_says_when(editor_client, draft):
    later = timezone.localtime() + timedelta(days=2)
    data = form_of(
        draft, _publish="", published_at_0=f"{later:%Y-%m-%d}", published_at_1="09:00:00"
    )

    response = editor_client.post(change_url(draft), data, follow=True)

    draft.refresh_from_db()
    assert draft.is_scheduled
    assert messages_of(response)[0].startswith(f"Scheduled for {later.day} {later:%B}, 09:00.")
    assert "Preview post" in messages_of(response)[0]


@pytest.mark.django_db
def test_save_draft_keeps_a_new_post_from_readers(editor_client):
    data = post_form(status="published", _save_draft="")
    del data["_save"]

    response = editor_client.post(ADD_URL, data, follow=True)

    post = Post.objects.get()
    assert post.status == Post.Status.DRAFT
    assert messages_of(response)[0].startswith("Draft saved.")
    assert Client().get(post.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_update_keeps_a_published_post_published_and_unpublish_takes_it_back(editor_client, post):
    response = editor_client.post(
        change_url(post), form_of(post, body="Better words.", _update=""), follow=True
    )
    post.refresh_from_db()
    assert (post.body, post.is_published) == ("Better words.", True)
    assert messages_of(response)[0].startswith("Updated.")

    response = editor_client.post(change_url(post), form_of(post, _unpublish=""), follow=True)
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    assert messages_of(response)[0] == "Unpublished: the post is a draft again. " + (
        f'<a href="{post.get_absolute_url()}">Preview post</a>'
    )


@pytest.mark.django_db
def test_the_buttons_match_the_post(editor_client, post, draft):
    draft_page = editor_client.get(change_url(draft)).content.decode()
    assert 'name="_publish"' in draft_page and 'name="_save_draft"' in draft_page
    assert 'name="_unpublish"' not in draft_page
    published_page = editor_client.get(change_url(post)).content.decode()
    assert 'name="_update"' in published_page and 'name="_unpublish"' in published_page
    assert 'name="_publish"' not in published_page
    # No status dropdown on the main path: the buttons say it.
    assert '<select name="status"' not in published_page


@pytest.mark.django_db
def test_a_post_without_a_slug_takes_one_from_its_title(editor_client):
    data = post_form(slug="", title="Gardens, Not Factories!")

    editor_client.post(ADD_URL, data)

    assert Post.objects.get().slug == "gardens-not-factories"


@pytest.mark.django_db
def test_the_live_preview_renders_the_post_as_its_page_will(editor_client):
    response = editor_client.post(
        PREVIEW_URL,
        {
            "title": "Unsaved",
            "body": "Mine.\nStill mine.",
            "excerpt": PASSAGE,
            "source_url": "https://example.org/essay",
            "source_title": "An essay",
            "source_name": "Example",
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    quote = page[page.index('<blockquote class="excerpt"') : page.index("</blockquote>")]
    assert quote.count("<p>") == 7
    assert "Mine.<br>" in page
    assert 'via <a href="https://example.org/essay"' in page
    assert "| Example" in page
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_the_preview_leaves_out_a_source_url_that_would_not_validate(editor_client):
    response = editor_client.post(
        PREVIEW_URL,
        {"title": "x", "excerpt": "Quoted.", "source_url": "javascript:alert(1)"},
    )

    assert response.status_code == 200
    assert "javascript:" not in response.content.decode()


@pytest.mark.django_db
def test_the_preview_is_for_staff_who_write_and_only_by_post(editor_client, moderator):
    assert editor_client.get(PREVIEW_URL).status_code == 405
    response = Client().post(PREVIEW_URL, {"title": "x"})
    assert response.status_code == 302  # to the admin's login page
    assert reverse("admin:login") in response["Location"]
    moderating = Client()
    moderating.force_login(moderator)
    assert moderating.post(PREVIEW_URL, {"title": "x"}).status_code == 403


@pytest.mark.django_db
def test_the_preview_button_without_javascript_redraws_the_form_and_saves_nothing(
    editor_client,
):
    data = post_form(excerpt=PASSAGE, _preview="")
    del data["_save"]

    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert not Post.objects.exists()
    page = response.content.decode()
    assert "srcdoc=" in page
    srcdoc = page[page.index('srcdoc="') :]
    assert srcdoc[: srcdoc.index('"></iframe>')].count("&lt;p&gt;") >= 7
    assert "By a writer\nOne." in page  # the excerpt is still in the form


@pytest.mark.django_db
def test_the_add_form_takes_press_this_fields_from_its_address(editor_client):
    response = editor_client.get(
        ADD_URL,
        {
            "title": "Gardens",
            "source_url": "https://example.org/gardens",
            "source_title": "Gardens, not factories",
            "source_name": "Example Essays",
            "excerpt": "One.\nTwo.",
            "status": "published",
            "author": "1",
        },
    )

    form = response.context["adminform"].form
    assert form.initial["title"] == "Gardens"
    assert form.initial["source_url"] == "https://example.org/gardens"
    assert form.initial["excerpt"] == "One.\nTwo."
    # Only what Press This sends: an address cannot publish a post or sign it.
    assert "status" not in form.initial and "author" not in form.initial
    assert messages_of(response) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad_url", ["javascript:alert(document.cookie)", "data:text/html,<script>", "not a url"]
)
def test_the_add_form_refuses_a_source_url_that_is_not_a_web_address(editor_client, bad_url):
    response = editor_client.get(ADD_URL, {"title": "Gardens", "source_url": bad_url})

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "source_url" not in form.initial
    assert form.initial["title"] == "Gardens"
    [message] = messages_of(response)
    assert message.startswith("Source URL “")
    assert "was left out: Enter a valid URL." in message


@pytest.mark.django_db
def test_press_this_is_offered_on_the_admin_index_and_the_post_list(editor_client):
    for url in (reverse("admin:index"), reverse("admin:blog_post_changelist")):
        page = editor_client.get(url).content.decode()
        assert "Press This" in page
        start = page.index('class="press-this__link" href="') + len(
            'class="press-this__link" href="'
        )
        bookmarklet = page[start : page.index('"', start)]
        script = unquote(bookmarklet.replace("&amp;", "&").replace("&quot;", '"'))
        assert script.startswith("javascript:(function () {")
        assert "function htmlToMarkdown(" in script
        assert '"http://testserver/admin/blog/post/add/?"' in script


@pytest.mark.django_db
def test_press_this_is_not_offered_to_staff_who_cannot_write(client, moderator):
    client.force_login(moderator)
    assert "press-this" not in client.get(reverse("admin:index")).content.decode()


@pytest.mark.django_db
def test_the_post_list_names_each_type_and_links_to_the_post(editor_client, post, draft):
    link_post = make_link_post(title="A link post")

    page = editor_client.get(reverse("admin:blog_post_changelist")).content.decode()

    assert '<td class="field-post_type">Link post</td>' in page
    assert page.count('<td class="field-post_type">Article</td>') == 2
    assert "icon-no.svg" not in page
    assert f'<a href="{link_post.get_absolute_url()}">View<span' in page
    assert f'<a href="{draft.get_absolute_url()}">Preview<span' in page


@pytest.mark.django_db
def test_the_post_list_counts_comments_and_links_to_the_queue(editor_client):
    busy = make_post(title="Busy")
    quiet = make_post(title="Quiet")
    for _ in range(3):
        make_comment(post=busy, status="approved")
    make_comment(post=busy, status="pending")
    make_comment(post=busy, status="spam")

    page = editor_client.get(reverse("admin:blog_post_changelist")).content.decode()

    queue = reverse("admin:comments_comment_changelist")
    assert (
        f'href="{queue}?post={busy.pk}&amp;status=approved" title="3 published comments">3</a>'
        in page
    )
    assert f'href="{queue}?post={busy.pk}&amp;status=pending">1 waiting</a>' in page
    assert (
        f'href="{queue}?post={quiet.pk}&amp;status=approved" title="0 published comments">0</a>'
        in page
    )


@pytest.mark.django_db
def test_the_post_lists_queries_do_not_grow_with_its_posts(editor_client):
    def queries_for_the_list():
        with CaptureQueriesContext(connection) as queries:
            assert editor_client.get(reverse("admin:blog_post_changelist")).status_code == 200
        return len(queries)

    make_post()
    few = queries_for_the_list()
    for _ in range(10):
        make_comment(post=make_post(), status="approved")
    assert queries_for_the_list() == few
