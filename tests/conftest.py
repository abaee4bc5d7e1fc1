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
