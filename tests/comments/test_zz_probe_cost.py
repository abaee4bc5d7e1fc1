import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.comments.conftest import post_comment


@pytest.mark.django_db(transaction=True)
def test_probe(client, post, fake_akismet):
    post_comment(client, post)
    with CaptureQueriesContext(connection) as ctx:
        r = post_comment(client, post)
    print(r.status_code, r.get("Location"))
    for q in ctx.captured_queries:
        print("  ", q["sql"][:230])
    print(len(ctx.captured_queries))
