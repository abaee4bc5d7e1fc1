"""The ceiling: a WSGI application that answers each measured page with the bytes and
headers saved from the real one, and does nothing else.

Served by gunicorn exactly as the site is, it shows what the server, the network stack
and the load generator can do when the application costs nothing. The pages come from
the JSON file named by BENCH_STATIC_PAGES: {path: {"status", "headers", "body" (base64)}}.
"""

import base64
import json
import os
from http import HTTPStatus

with open(os.environ["BENCH_STATIC_PAGES"]) as pages_file:
    PAGES = {
        path: (
            f"{page['status']} {HTTPStatus(page['status']).phrase}",
            [tuple(header) for header in page["headers"]],
            base64.b64decode(page["body"]),
        )
        for path, page in json.load(pages_file).items()
    }


def application(environ, start_response):
    page = PAGES.get(environ.get("PATH_INFO", ""))
    if page is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not a saved page\n"]
    status, headers, body = page
    start_response(status, headers)
    return [body]
