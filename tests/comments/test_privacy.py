"""Commenters' privacy: retention, export and erasure by email, the privacy page, and
email addresses that never show in public."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from comments.models import AkismetReport, Comment, CommentEvent, SubmissionAttempt
from tests import factories
from tests.comments.conftest import post_comment

Kind = CommentEvent.Kind
CHANGELIST = reverse("admin:comments_comment_changelist")
PRIVACY = reverse("comments:privacy")


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def comment_with_request_details(post, *, age_days=0, **fields):
    comment = factories.make_comment(
        post=post,
        ip_address="203.0.113.50",
        user_agent="Mozilla/5.0 (privacy tests)",
        referrer="https://example.org/from-here",
        akismet_params={"user_ip": "203.0.113.50", "comment_author_email": "x@example.com"},
        created_at=days_ago(age_days),
        **fields,
    )
    CommentEvent.objects.create(comment=comment, kind=Kind.SUBMITTED, detail="From 203.0.113.50")
    return comment


@pytest.fixture
def alice_comments(post):
    """Three comments by Alice (one pending, one a reply), and one by Bob."""
    first = comment_with_request_details(
        post, author_name="Alice", author_email="alice@example.com", author_url="https://a.example"
    )
    pending = comment_with_request_details(
        post, author_name="Alice", author_email="Alice@Example.com", status="pending"
    )
    bob = comment_with_request_details(post, author_name="Bob", author_email="bob@example.com")
    reply = comment_with_request_details(
        post, author_name="Alice", author_email="alice@example.com", parent=bob
    )
    return [first, pending, reply], bob


@pytest.fixture
def superuser_client(client, db):
    """A client signed in as a superuser."""
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-pw-pw-pw"))
    return client


# Retention
# ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_purge_forgets_addresses_browsers_and_referrers_after_sixty_days(post):
    old = comment_with_request_details(post, age_days=61)
    recent = comment_with_request_details(post, age_days=59)

    call_command("purge_personal_data", stdout=(out := StringIO()))

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.ip_address, old.user_agent, old.referrer) == (None, "", "")
    assert old.akismet_params == {}
    assert old.events.get(kind=Kind.SUBMITTED).detail == ""  # It named the address.
    assert old.events.filter(kind=Kind.DETAILS_PURGED).count() == 1
    assert old.body and old.author_name  # The comment itself stays.
    assert recent.ip_address == "203.0.113.50"
    assert recent.user_agent and recent.referrer
    assert "of 1 comment(s) older than 60 days" in out.getvalue()


@pytest.mark.django_db
def test_purge_follows_the_retention_setting_and_runs_again_harmlessly(post, settings):
    settings.COMMENTS_PERSONAL_DATA_RETENTION_DAYS = 7
    comment = comment_with_request_details(post, age_days=8)

    call_command("purge_personal_data", stdout=StringIO())
    call_command("purge_personal_data", stdout=(out := StringIO()))

    comment.refresh_from_db()
    assert comment.ip_address is None
    assert comment.events.filter(kind=Kind.DETAILS_PURGED).count() == 1
    assert "of 0 comment(s) older than 7 days" in out.getvalue()


@pytest.mark.django_db
def test_purge_deletes_expired_rate_limit_records(post):
    SubmissionAttempt.objects.create(client="203.0.113.9", created_at=days_ago(1))
    SubmissionAttempt.objects.create(client="203.0.113.9")

    call_command("purge_personal_data", stdout=StringIO())

    assert SubmissionAttempt.objects.count() == 1


@pytest.mark.django_db
def test_akismet_data_is_erased_after_fifteen_days_by_the_daily_purge(post):
    old = comment_with_request_details(post, age_days=16)
    recent = comment_with_request_details(post, age_days=14)
    sent = AkismetReport.objects.create(
        comment=old, kind="spam", params=old.akismet_params, sent_at=days_ago(16)
    )
    sent.created_at = days_ago(16)
    sent.save()

    call_command("purge_spam", stdout=StringIO())

    old.refresh_from_db()
    recent.refresh_from_db()
    sent.refresh_from_db()
    assert old.akismet_params == {} and sent.params == {}
    assert recent.akismet_params["user_ip"] == "203.0.113.50"


# Export and erasure by email
# ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_lists_every_comment_by_that_email_with_its_data(alice_comments):
    alices, bob = alice_comments

    call_command("export_personal_data", "ALICE@example.com", stdout=(out := StringIO()))

    data = json.loads(out.getvalue())
    assert data["email"] == "ALICE@example.com"
    assert [c["id"] for c in data["comments"]] == [c.pk for c in alices]
    first = data["comments"][0]
    assert first["author_name"] == "Alice"
    assert first["author_url"] == "https://a.example"
    assert first["ip_address"] == "203.0.113.50"
    assert first["user_agent"] == "Mozilla/5.0 (privacy tests)"
    assert first["referrer"] == "https://example.org/from-here"
    assert first["body"] == alices[0].body
    assert first["url"].endswith(alices[0].get_absolute_url())
    assert data["comments"][1]["status"] == "pending"
    assert data["comments"][2]["in_reply_to"] == bob.pk
    assert "Bob" not in out.getvalue()


@pytest.mark.django_db
def test_export_can_write_a_file(alice_comments, tmp_path):
    target = tmp_path / "alice.json"

    call_command("export_personal_data", "alice@example.com", output=str(target), stderr=StringIO())

    assert len(json.loads(target.read_text())["comments"]) == 3


@pytest.mark.django_db
def test_export_refuses_what_is_not_an_email_address():
    with pytest.raises(CommandError, match="Not an email address"):
        call_command("export_personal_data", "", stdout=StringIO())


@pytest.mark.django_db
def test_erase_anonymises_every_comment_by_that_email_and_keeps_the_text(
    client, post, alice_comments
):
    alices, bob = alice_comments
    owed = AkismetReport.objects.create(comment=alices[0], kind="spam", params={"a": 1})
    assertContains(client.get(post.get_absolute_url()), "https://a.example")

    call_command("erase_personal_data", "alice@EXAMPLE.com", interactive=False, stdout=StringIO())

    for comment in alices:
        comment.refresh_from_db()
        assert comment.author_name == "Anonymous"
        assert (comment.author_email, comment.author_url) == ("", "")
        assert (comment.ip_address, comment.user_agent, comment.referrer) == (None, "", "")
        assert comment.akismet_params == {}
        assert comment.body.startswith("Comment number")  # Kept, as WordPress keeps it.
        assert comment.events.filter(kind=Kind.ERASED).count() == 1
        assert comment.events.get(kind=Kind.SUBMITTED).detail == ""
    assert not AkismetReport.objects.filter(pk=owed.pk).exists()
    bob.refresh_from_db()
    assert (bob.author_name, bob.ip_address) == ("Bob", "203.0.113.50")
    # The public page shows the change at once (nothing cached keeps the old name).
    page = client.get(post.get_absolute_url())
    assertContains(page, '<b class="comment-author">Anonymous</b>', count=2)
    assertNotContains(page, "https://a.example")
    assertContains(page, alices[0].body)


@pytest.mark.django_db
def test_erase_asks_first_and_does_nothing_when_told_no(alice_comments, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda question: "n")

    with pytest.raises(CommandError, match="Nothing was erased"):
        call_command("erase_personal_data", "alice@example.com", stdout=StringIO())

    assert Comment.objects.filter(author_name="Alice").count() == 3


@pytest.mark.django_db
def test_erase_says_when_there_is_nothing_to_erase(alice_comments):
    call_command("erase_personal_data", "nobody@example.com", stdout=(out := StringIO()))

    assert "No comments by nobody@example.com" in out.getvalue()


@pytest.mark.django_db
def test_admin_exports_the_selected_comments_authors(superuser_client, alice_comments):
    alices, bob = alice_comments

    response = superuser_client.post(
        f"{CHANGELIST}?status=all",
        {"action": "export_personal_data", "_selected_action": [alices[0].pk, bob.pk]},
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="personal-data.json"'
    exports = json.loads(response.content)
    assert [export["email"] for export in exports] == ["alice@example.com", "bob@example.com"]
    assert [len(export["comments"]) for export in exports] == [3, 1]


@pytest.mark.django_db
def test_admin_erases_after_a_confirmation_page(superuser_client, alice_comments):
    alices, bob = alice_comments
    selection = {"action": "erase_personal_data", "_selected_action": [alices[1].pk]}

    confirm = superuser_client.post(f"{CHANGELIST}?status=all", selection)

    assertContains(confirm, "Erase personal data")
    assertContains(confirm, "alice@example.com: 3 comments")
    assert Comment.objects.filter(author_name="Alice").count() == 3

    done = superuser_client.post(
        f"{CHANGELIST}?status=all", {**selection, "confirm": "yes"}, follow=True
    )

    assertContains(done, "Anonymised 3 comment(s) by 1 commenter(s).")
    assert not Comment.objects.filter(author_name="Alice").exists()
    event = CommentEvent.objects.filter(kind=Kind.ERASED).first()
    assert event.actor.username == "root"


@pytest.mark.django_db
def test_moderators_do_not_get_the_privacy_actions(client, moderator, alice_comments):
    alices, _ = alice_comments
    client.force_login(moderator)

    changelist = client.get(f"{CHANGELIST}?status=all")
    erase = client.post(
        f"{CHANGELIST}?status=all",
        {"action": "erase_personal_data", "confirm": "yes", "_selected_action": [alices[0].pk]},
    )

    assertNotContains(changelist, "personal data")
    assert erase.status_code in (200, 302)
    assert Comment.objects.filter(author_name="Alice").count() == 3


# The privacy page
# ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_privacy_page_says_what_is_kept_and_for_how_long(client, settings):
    settings.COMMENTS_PERSONAL_DATA_RETENTION_DAYS = 45
    settings.COMMENTS_SPAM_RETENTION_DAYS = 10
    settings.COMMENTS_RATE_LIMIT = (30, 600)
    settings.SITE_CONTACT_EMAIL = "privacy@example.org"

    page = client.get(PRIVACY)

    assertContains(page, "<h1>Privacy</h1>", html=True)
    assertContains(page, "IP address, browser (user agent)")
    assertContains(page, "45 days, then deleted")
    assertContains(page, "10 days, then deleted")
    assertContains(page, "10 minutes")
    assertContains(page, "never shown")
    assertContains(page, 'href="mailto:privacy@example.org"')
    assertNotContains(page, "Akismet")  # Spam checking is off.


@pytest.mark.django_db
def test_privacy_page_explains_akismet_when_it_is_on(client, settings):
    settings.AKISMET_API_KEY = "a-key"
    settings.COMMENTS_AKISMET_DATA_RETENTION_DAYS = 15

    page = client.get(PRIVACY)

    assertContains(page, 'href="https://akismet.com/privacy/"')
    assertContains(page, "kept for 15 days")


@pytest.mark.django_db
def test_comment_form_and_footer_link_to_the_privacy_page(client, post):
    page = client.get(post.get_absolute_url())

    assertContains(page, f'href="{PRIVACY}"', count=2)
    assertContains(page, "What this site keeps when you comment")


# Email addresses never shown in public
# ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_commenters_email_addresses_appear_on_no_public_page_or_feed(client, settings):
    post = factories.make_post(title="Visible post", slug="visible-post", tags=["privacy"])
    approved = factories.make_comment(
        post=post, author_email="shown.nowhere@example.com", author_url="https://home.example"
    )
    factories.make_comment(
        post=post, author_email="Pending.Person@example.com", status=Comment.Status.PENDING
    )
    # A visitor who just posted sees their own held comment: still without an address.
    visitor = client.__class__()
    post_comment(visitor, post, author_email="own.pending@example.com")
    published = post.published_at
    pages = [
        "/",
        post.get_absolute_url(),
        reverse("comments:post-feed", args=[post.pk]),
        reverse("blog:feed-atom"),
        reverse("blog:feed-rss"),
        reverse("blog:tag", args=["privacy"]),
        reverse("blog:tag-feed-atom", args=["privacy"]),
        reverse("blog:tag-feed-rss", args=["privacy"]),
        reverse("blog:archive"),
        reverse("blog:archive-year", args=[published.year]),
        reverse("blog:author", args=[post.author.username]),
        reverse("blog:search") + "?q=Comment",
        "/sitemap.xml",
        PRIVACY,
    ]

    for url in pages:
        for reader in (client, visitor):
            response = reader.get(url)
            assert response.status_code == 200, url
            text = response.content.decode().lower()
            assert "@example.com" not in text, url
    assertContains(client.get(post.get_absolute_url()), approved.author_name)
