import pytest

from tests import factories


@pytest.fixture
def editor(db):
    """A staff user in the Editors group."""
    return factories.make_editor(username="edith")


@pytest.fixture
def moderator(db):
    """A staff user in the Moderators group."""
    return factories.make_moderator(username="morgan")


@pytest.fixture
def post(db):
    """A published ordinary article."""
    return factories.make_post(title="An ordinary article", slug="an-ordinary-article")


@pytest.fixture
def link_post(db):
    """A published link post with an excerpt and a source."""
    return factories.make_link_post(
        title="Worth reading", slug="worth-reading", tags=["python", "web"]
    )


@pytest.fixture(scope="session")
def fake_akismet_server():
    """One local fake Akismet HTTP server for the whole test session."""
    from tests.fake_akismet import FakeAkismet

    server = FakeAkismet().start()
    yield server
    server.stop()


@pytest.fixture
def fake_akismet(fake_akismet_server, settings):
    """The fake Akismet server, configured as the site's Akismet with a short timeout."""
    from tests.fake_akismet import VALID_KEY

    fake_akismet_server.reset()
    settings.AKISMET_API_KEY = VALID_KEY
    settings.AKISMET_API_URL = fake_akismet_server.url
    settings.AKISMET_TIMEOUT = 0.5
    fake_akismet_server.slow_seconds = settings.AKISMET_TIMEOUT + 1
    yield fake_akismet_server
    fake_akismet_server.reset()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, so no cached page outlives its test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def run_worker():
    """Run the task worker in-process until no task is due (`db_worker --batch`)."""
    import signal

    from django.core.management import call_command
    from django.db import connection

    def run():
        # The worker commits as it goes and drops a connection left inside a
        # transaction: the test must be transactional, as a server is.
        assert not connection.in_atomic_block, "Mark the test django_db(transaction=True)."
        # The worker takes over Ctrl-C and SIGTERM; give them back to pytest afterwards.
        handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)

    return run


@pytest.fixture
def local_site():
    """Another site, served on 127.0.0.1 for this test (tests/local_sites.py)."""
    from tests.local_sites import LocalSite

    site = LocalSite().start()
    yield site
    site.stop()


@pytest.fixture
def allow_private_addresses(settings):
    """Let the site's requests reach 127.0.0.1, where the tests' other sites live."""
    settings.WEBMENTION_ALLOW_PRIVATE_ADDRESSES = True
