"""The site's requests to other sites (core.outbound): only public http(s) addresses,
checked at every redirect and connected to as checked, and bounded in size and time."""

import ipaddress
import socket
import time

import pytest

from core import outbound
from core.outbound import OutboundError, OutboundRefused, address_refusal, fetch, post_form


def test_loopback_address_is_refused_by_default(local_site):
    url = local_site.page("/", "hello")

    with pytest.raises(OutboundRefused, match="loopback"):
        fetch(url)

    assert local_site.requests == []


def test_local_host_name_is_refused_by_default(local_site):
    with pytest.raises(OutboundRefused, match="loopback"):
        fetch(f"http://localhost:{local_site.port}/")

    assert local_site.requests == []


def test_loopback_address_is_fetched_when_private_addresses_are_allowed(
    local_site, allow_private_addresses
):
    url = local_site.page("/page", "héllo", headers=[("Link", "</a>; rel=a"), ("Link", "</b>")])

    fetched = fetch(url)

    assert (fetched.status, fetched.text, fetched.url) == (200, "héllo", url)
    assert fetched.headers.get_list("link") == ["</a>; rel=a", "</b>"]
    assert not fetched.truncated
    [request] = local_site.requests
    assert request.headers["user-agent"] == "Marginalia (http://127.0.0.1:8000)"


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("10.1.2.3", "a private address"),
        ("172.16.0.1", "a private address"),
        ("192.168.1.1", "a private address"),
        ("100.64.0.1", "a private address"),  # Carrier-grade NAT.
        ("fd00::1", "a private address"),
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("::ffff:10.0.0.1", "a private address"),
        ("2002:7f00:1::", "a loopback address"),  # 6to4 around 127.0.0.1.
        ("64:ff9b::a00:1", "a private address"),  # NAT64 to 10.0.0.1.
        ("64:ff9b::5db8:d70e", None),  # NAT64 to a public address.
        ("169.254.169.254", "a link-local address"),  # The cloud's metadata service.
        ("fe80::1", "a link-local address"),
        ("224.0.1.1", "a multicast address"),
        ("ff02::1", "a multicast address"),
        ("0.0.0.0", "an unspecified address"),
        ("::", "an unspecified address"),
        ("240.0.0.1", "a reserved address"),
        ("93.184.215.14", None),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", None),
    ],
)
def test_only_public_addresses_are_allowed(address, why):
    assert address_refusal(ipaddress.ip_address(address), allow_private=False) == why


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", None),
        ("192.168.1.1", None),
        ("::ffff:127.0.0.1", None),
        ("169.254.169.254", "a link-local address"),
        ("0.0.0.0", "an unspecified address"),
        ("224.0.1.1", "a multicast address"),
    ],
)
def test_allowing_private_addresses_still_refuses_what_no_site_uses(address, why):
    assert address_refusal(ipaddress.ip_address(address), allow_private=True) == why


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://127.0.0.1/", "gopher://127.0.0.1:70/", "javascript:1"]
)
def test_other_schemes_are_refused(url, allow_private_addresses):
    with pytest.raises(OutboundRefused, match="Only http and https"):
        fetch(url)


def test_invalid_url_is_refused():
    with pytest.raises(OutboundRefused):
        fetch("http://[::1/")


def test_redirect_to_a_link_local_address_is_refused(local_site, allow_private_addresses):
    url = local_site.redirect("/", "http://169.254.169.254/latest/meta-data/")

    with pytest.raises(OutboundRefused, match="link-local"):
        fetch(url)


def test_redirect_to_a_private_address_is_refused_by_default(local_site, monkeypatch):
    """The test's site at 127.0.0.1 stands in for a public one; its redirect to another
    loopback address is checked again, and refused before any connection."""
    refusal = outbound.address_refusal

    def only_the_test_site_is_public(address, *, allow_private):
        if address == ipaddress.ip_address("127.0.0.1"):
            return None
        return refusal(address, allow_private=allow_private)

    monkeypatch.setattr(outbound, "address_refusal", only_the_test_site_is_public)
    local_site.page("/", "the public site")
    assert fetch(local_site.url("/")).text == "the public site"
    url = local_site.redirect("/moved", f"http://127.0.0.2:{local_site.port}/admin")

    with pytest.raises(OutboundRefused, match=r"127\.0\.0\.2 is a loopback address"):
        fetch(url)


def test_redirect_to_an_unspecified_address_is_refused(local_site, allow_private_addresses):
    url = local_site.redirect("/", f"http://0.0.0.0:{local_site.port}/")

    with pytest.raises(OutboundRefused, match="unspecified"):
        fetch(url)


def test_redirects_are_followed_and_relative_ones_resolved(local_site, allow_private_addresses):
    local_site.redirect("/one", "/two/", status=301)
    local_site.redirect("/two/", "three", status=307)
    local_site.page("/two/three", "here")

    fetched = fetch(local_site.url("/one"))

    assert (fetched.url, fetched.text) == (local_site.url("/two/three"), "here")
    assert fetched.history == tuple(local_site.url(p) for p in ("/one", "/two/", "/two/three"))


def test_redirects_are_bounded(local_site, allow_private_addresses):
    for number in range(10):
        local_site.redirect(f"/{number}", f"/{number + 1}")
    local_site.page("/10", "the end")

    with pytest.raises(OutboundError, match="More than 5 redirects"):
        fetch(local_site.url("/0"))

    assert len(local_site.requests) == outbound.MAX_REDIRECTS + 1


def test_redirect_loop_ends(local_site, allow_private_addresses):
    local_site.redirect("/", "/")

    with pytest.raises(OutboundError, match="redirects"):
        fetch(local_site.url("/"))


def test_slow_site_times_out(local_site, allow_private_addresses):
    url = local_site.page("/", "late", delay=2)
    started = time.monotonic()

    with pytest.raises(OutboundError):
        fetch(url, timeout=0.3)

    assert time.monotonic() - started < 1.5


def test_site_sending_a_page_slowly_is_cut_off_at_the_timeout(local_site, allow_private_addresses):
    """Each chunk comes well within the time, but the page as a whole does not."""
    url = local_site.page("/", lambda: (b"x" * 10 for _ in range(40)), chunk_delay=0.05)
    started = time.monotonic()

    with pytest.raises(OutboundError, match="too long"):
        fetch(url, timeout=0.5)

    assert time.monotonic() - started < 1.5


def test_huge_page_is_cut_at_the_bound(local_site, allow_private_addresses):
    chunk = b"a" * 65536
    # 100 MB, were it all read.
    url = local_site.page("/", lambda: (chunk for _ in range(1600)))

    fetched = fetch(url, max_bytes=100_000)

    assert fetched.truncated
    assert fetched.content == b"a" * 100_000


def test_page_at_the_bound_is_whole(local_site, allow_private_addresses):
    url = local_site.page("/", b"b" * 1000)

    fetched = fetch(url, max_bytes=1000)

    assert (len(fetched.content), fetched.truncated) == (1000, False)


def test_nothing_listening_is_an_error(allow_private_addresses):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]

    with pytest.raises(OutboundError, match="could not be reached"):
        fetch(f"http://127.0.0.1:{port}/")


def test_unknown_host_is_an_error():
    with pytest.raises(OutboundError, match="could not be resolved"):
        fetch("http://no-such-host.invalid/")


def test_host_is_resolved_once_and_its_checked_address_connected_to(
    local_site, allow_private_addresses, monkeypatch
):
    """A second DNS answer cannot send the request elsewhere: after the check, only the
    address checked is looked up (as a number), and the Host header keeps the name."""
    real_getaddrinfo = socket.getaddrinfo
    looked_up = []

    def recording(host, *args, **kwargs):
        looked_up.append(host)
        if host == "rebinding.localhost":
            # The answer the check sees; a second lookup would get 10.0.0.1.
            return real_getaddrinfo("127.0.0.1", *args, **kwargs)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", recording)
    local_site.page("/", "rebinding refused")

    fetched = fetch(f"http://rebinding.localhost:{local_site.port}/")

    assert fetched.text == "rebinding refused"
    assert looked_up.count("rebinding.localhost") == 1
    assert set(looked_up) <= {"rebinding.localhost", "127.0.0.1"}
    [request] = local_site.requests
    assert request.headers["host"] == f"rebinding.localhost:{local_site.port}"


def test_post_form_sends_the_form(local_site, allow_private_addresses):
    url = local_site.page("/endpoint", "Accepted", status=202)

    answer = post_form(url, {"source": "https://a.example/", "target": "https://b.example/"})

    assert answer.status == 202
    [request] = local_site.requests_to("/endpoint", method="POST")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.form == {"source": ["https://a.example/"], "target": ["https://b.example/"]}


def test_post_form_follows_a_307_with_the_same_post(local_site, allow_private_addresses):
    local_site.redirect("/old-endpoint", "/endpoint", status=307)
    local_site.page("/endpoint", "", status=201, headers=[("Location", "/status/1")])

    answer = post_form(local_site.url("/old-endpoint"), {"source": "s", "target": "t"})

    assert (answer.status, answer.url) == (201, local_site.url("/endpoint"))
    [request] = local_site.requests_to("/endpoint")
    assert (request.method, request.form) == ("POST", {"source": ["s"], "target": ["t"]})


def test_post_form_does_not_turn_a_302_into_a_get(local_site, allow_private_addresses):
    local_site.redirect("/endpoint", "/elsewhere", status=302)

    answer = post_form(local_site.url("/endpoint"), {"source": "s", "target": "t"})

    assert answer.status == 302
    assert local_site.requests_to("/elsewhere") == []


@pytest.fixture
def tls_site(tmp_path, monkeypatch):
    """A site on 127.0.0.1 over TLS, with a certificate for "localhost" only, whose
    authority the site trusts (SSL_CERT_FILE)."""
    from tests.local_sites import LocalSite, serve_tls

    site = LocalSite()
    monkeypatch.setenv("SSL_CERT_FILE", serve_tls(site, tmp_path, names=["localhost"]))
    site.start()
    yield site
    site.stop()


def test_https_connects_to_the_checked_address_and_verifies_the_hostname(
    tls_site, allow_private_addresses
):
    tls_site.page("/", "over TLS")

    fetched = fetch(f"https://localhost:{tls_site.port}/")

    assert fetched.text == "over TLS"
    [request] = tls_site.requests
    assert request.headers["host"] == f"localhost:{tls_site.port}"


def test_https_refuses_a_certificate_for_another_name(tls_site, allow_private_addresses):
    """The certificate names localhost, not 127.0.0.1: connecting to the address must not
    make the check pass for it."""
    tls_site.page("/", "over TLS")

    with pytest.raises(OutboundError):
        fetch(f"https://127.0.0.1:{tls_site.port}/")

    assert tls_site.requests == []
