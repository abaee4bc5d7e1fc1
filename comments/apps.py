from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.db.models.signals import post_migrate


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        from blog import likes
        from core import registry

        from . import closing, cookies, editing, services, webmentions
        from .checks import check_akismet_key

        checks.register(check_akismet_key)

        # A remembered name fills in the form; a held comment shows to its author only.
        registry.register_personal_cookies(*cookies.AUTHOR_COOKIES.values())
        registry.register_personal_session_keys(cookies.PENDING_SESSION_KEY)
        # The browser that posted a comment sees an Edit link on it for a while.
        registry.register_personal_cookies(editing.EDIT_COOKIE)
        registry.register_page_settings(
            COMMENTS_THREAD_DEPTH=lambda: settings.COMMENTS_THREAD_DEPTH,
            COMMENTS_PER_PAGE=lambda: settings.COMMENTS_PER_PAGE,
            COMMENTS_ORDER=lambda: settings.COMMENTS_ORDER,
            COMMENTS_CLOSE_AFTER_DAYS=lambda: settings.COMMENTS_CLOSE_AFTER_DAYS,
            COMMENTS_RATE_LIMIT=lambda: settings.COMMENTS_RATE_LIMIT,
            COMMENTS_PERSONAL_DATA_RETENTION_DAYS=(
                lambda: settings.COMMENTS_PERSONAL_DATA_RETENTION_DAYS
            ),
            COMMENTS_AKISMET_DATA_RETENTION_DAYS=(
                lambda: settings.COMMENTS_AKISMET_DATA_RETENTION_DAYS
            ),
            COMMENTS_SPAM_RETENTION_DAYS=lambda: settings.COMMENTS_SPAM_RETENTION_DAYS,
            SITE_CONTACT_EMAIL=lambda: settings.SITE_CONTACT_EMAIL,
            COMMENTS_AVATARS=lambda: settings.COMMENTS_AVATARS,
            COMMENTS_EDIT_SECONDS=lambda: settings.COMMENTS_EDIT_SECONDS,
            spam_checking=services.spam_checking_is_on,
        )

        # The comment form leaves a post's page the moment its comments close by age.
        registry.register_timed_change("comments-closed", passed=closing.last_closed)
        registry.register_local_account("moderator", "Moderator", "Moderators")
        registry.register_layout_links(privacy="comments:privacy")
        # Every post's page says where to send webmentions: a <link> and a Link header.
        registry.register_layout_links(webmention="comments:webmention")
        registry.register_post_page_links(webmention="comments:webmention")
        likes.register_other_likes(webmentions.face_likes)

        # The nightly purges, the hourly Akismet upkeep and the new-post emails every few
        # minutes are tasks that enqueue their next run: every migrate (each deploy,
        # `make run`) makes sure one is waiting.
        post_migrate.connect(_schedule_periodic, sender=self, dispatch_uid="schedule-periodic")


def _schedule_periodic(*, using, **kwargs):
    from .tasks import akismet_upkeep_schedule, posts_announce_schedule, retention_schedule

    if using == "default":
        retention_schedule()
        akismet_upkeep_schedule()
        posts_announce_schedule()
