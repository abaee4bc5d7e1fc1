"""Reading WordPress export files: what WordPress's own parser reads from its test files
(../shared/fixtures/wxr/parser-expectations.php), and the files it must refuse."""

import pytest

from moving import wxr
from tests.moving.shared import shared_fixture


def parts(path):
    entries = list(wxr.read_wxr(path))
    return {
        "site": next(entry for entry in entries if isinstance(entry, wxr.Site)),
        "authors": [entry for entry in entries if isinstance(entry, wxr.Author)],
        "terms": [entry for entry in entries if isinstance(entry, wxr.Term)],
        "items": [entry for entry in entries if isinstance(entry, wxr.Item)],
        "first": entries[0],
    }


def write(tmp_path, text, name="export.xml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def channel(body, *, namespace="http://wordpress.org/export/1.2/", version="1.2"):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<rss version="2.0" xmlns:wp="{namespace}" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">\n<channel>\n'
        f"<title>Small</title><wp:wxr_version>{version}</wp:wxr_version>\n{body}\n"
        "</channel>\n</rss>\n"
    )


@pytest.mark.parametrize(
    ("name", "items", "authors"),
    [
        ("wxr-simple.xml", 1, 1),
        ("valid-wxr-1.0.xml", 6, 0),
        ("valid-wxr-1.1.xml", 2, 1),
        ("wxr-utf-8-challenges.xml", 1, 1),
        ("crazy-cdata-escaped.xml", 1, 0),
        ("small-export.xml", 11, 3),
    ],
)
def test_each_version_of_the_format_reads_as_wordpress_reads_it(name, items, authors):
    found = parts(shared_fixture("wxr", name))
    assert len(found["items"]) == items
    assert len(found["authors"]) == authors
    assert found["site"].wxr_version in wxr.SUPPORTED_VERSIONS
    assert found["first"] == found["site"]


def test_wxr_1_1_authors_terms_and_items():
    found = parts(shared_fixture("wxr", "valid-wxr-1.1.xml"))
    assert found["site"].base_site_url == "http://localhost/"
    assert found["authors"][0] == wxr.Author(
        id="2",
        login="john",
        email="johndoe@example.org",
        display_name="John Doe",
        first_name="John",
        last_name="Doe",
    )
    terms = {term.taxonomy: term for term in found["terms"]}
    assert terms["category"] == wxr.Term(
        id="3", taxonomy="category", slug="alpha", name="alpha", parent="",
        description="The alpha category",
    )  # fmt: skip
    assert (terms["post_tag"].slug, terms["post_tag"].name) == ("clippable", "Clippable")
    assert terms["post_tax"].description == "The bieup post_tax"
    first, second = found["items"]
    assert first.terms == [
        wxr.ItemTerm(domain="category", slug="alpha", name="alpha"),
        wxr.ItemTerm(domain="post_tag", slug="clippable", name="Clippable"),
        wxr.ItemTerm(domain="post_tax", slug="bieup", name="bieup"),
    ]
    assert second.meta == [("_wp_page_template", "default")]


def test_wxr_1_0_categories_tags_and_terms_without_a_domain():
    found = parts(shared_fixture("wxr", "valid-wxr-1.0.xml"))
    assert found["site"].base_site_url == "http://localhost/"
    category = found["terms"][0]
    assert (category.slug, category.name, category.parent) == ("alpha", "alpha", "")
    assert category.description == "The alpha category"
    tag = next(term for term in found["terms"] if term.taxonomy == "post_tag")
    assert (tag.slug, tag.name) == ("chicken", "chicken")
    items = found["items"]
    # WXR 1.0 repeats each category without a domain; WordPress reads only the one with it.
    assert items[0].terms == [wxr.ItemTerm("category", "uncategorized", "Uncategorized")]
    assert items[2].terms == [
        wxr.ItemTerm("category", "alpha", "alpha"),
        wxr.ItemTerm("tag", "news", "news"),
        wxr.ItemTerm("tag", "roar", "roar"),
    ]
    assert items[1].meta == [("_wp_page_template", "default")]


def test_a_simple_export():
    found = parts(shared_fixture("wxr", "wxr-simple.xml"))
    assert found["site"].wxr_version == "1.2"
    assert found["site"].base_site_url == "https://playground.internal/path"
    assert found["site"].base_blog_url == "https://playground.internal/path"
    author = found["authors"][0]
    assert (author.id, author.login, author.email) == ("1", "admin", "admin@localhost.com")
    item = found["items"][0]
    assert item.post_id == "10"
    assert item.title == '"The Road Not Taken" by Robert Frost'
    assert (item.post_type, item.post_name, item.status) == ("post", "hello-world", "publish")


def test_cdata_sections_written_inside_cdata_come_back_whole():
    item = parts(shared_fixture("wxr", "crazy-cdata-escaped.xml"))["items"][0]
    assert item.content == "Content with nested <![CDATA[ tags ]]> :)"
    assert dict(item.meta) == {
        "Plain string": "Foo",
        "Closing CDATA": "]]>",
        "Alot of CDATA": "This has <![CDATA[ opening and ]]> closing <![CDATA[ tags like this: ]]>",
    }


def test_comment_meta_keeps_serialized_values_untouched():
    item = parts(shared_fixture("wxr", "test-serialized-comment-meta.xml"))["items"][0]
    assert item.comments[0].meta == [
        ("string", "¯\\_(ツ)_/¯"),
        ("array", 'a:1:{s:3:"key";s:13:"¯\\_(ツ)_/¯";}'),
    ]


def test_utf8_challenges_survive_to_the_letter():
    found = parts(shared_fixture("wxr", "wxr-utf-8-challenges.xml"))
    item = found["items"][0]
    assert (
        item.title == '"The Road \u202eNot\u202c Taken" by Rob\u202dert \u202eFrost \u202a🌲\u202c'
    )
    assert item.post_name == "hello-w\u202eorld\u202c-utf8-💫-test"
    assert (
        item.guid
        == "https://playground.internal/path/🚀/\u202etsop\u202c/?p=1&test=💫\u200c\u200b\u200d\u200e"
    )
    assert "𝓣𝓮𝓼𝓽 𝓜𝓾𝓵𝓽𝓲-𝓑𝔂𝓽𝓮: 🚀🌟💫⭐️🔥💯🎉🎊🌈🦄" in item.content
    assert "السلام عليكم وﷲ" in item.content
    assert len(item.meta) == 5
    meta = dict(item.meta)
    assert meta["_pingme\u200c\u200b\u200d\u200e"] == "1\u200b\u200d\u200c\u200e"
    assert (
        meta["_special_chars"] == "&#x202E;&#x202D;&#x200B;&#x200C;&#x200D;&#x2060;&#xFEFF;&#xFFFD;"
    )
    assert item.terms[0].slug == "uncat\u202eegorized\u202c"
    author = found["authors"][0]
    assert author.login == "admin\u200c\u200b\u200d\u200e"
    assert author.email == "ădmĩn@ℓocalhost.com"
    assert author.first_name == "🅰️"


def test_blank_lines_and_backslashes_are_kept():
    blank = parts(shared_fixture("wxr", "blank-lines.xml"))["items"][0]
    assert "\n\n" in blank.content
    backslashes = parts(shared_fixture("wxr", "backslashes.xml"))["items"][0]
    assert "C:\\xampp\\htdocs" in backslashes.content
    slashes = parts(shared_fixture("wxr", "slashes.xml"))["items"][0]
    assert slashes.content == 'Slashes aren\\\'t \\"cool\\"'


def test_only_wordpress_namespaces_count_whatever_their_prefix():
    found = parts(shared_fixture("wxr", "namespace-edge-cases.xml"))
    # The author under a fake namespace and the custom one are not WordPress's.
    assert [author.login for author in found["authors"]] == ["real_user", "version_conflict"]
    items = {item.title: item for item in found["items"]}
    assert items["Mixed Namespaces"].post_id == "1"
    assert items["Mixed Namespaces"].meta == [("normal_key", "normal_value")]
    assert items["No Prefix"].post_id == "2"
    assert items["Empty Namespace"].post_id == "3"
    hijacked = items["Hijacked Namespace"]
    assert (hijacked.post_id, hijacked.post_type, hijacked.meta) == ("", "", [])
    assert [term.id for term in found["terms"]] == ["100", "102"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing-version-tag.xml", "it has no wp:wxr_version"),
        ("isso-wordpress.xml", "it has no wp:wxr_version"),
        ("invalid-version-tag.xml", "wp:wxr_version is “abc”"),
        ("malformed.xml", r"not well-formed XML: mismatched tag \(line 90, column 3\)"),
        ("malformed-simple.xml", r"not well-formed XML: no element found \(line 14"),
        # "]]>" inside a CDATA section: only WordPress's regular-expression parser reads it.
        ("crazy-cdata.xml", r"not well-formed XML: .* \(line 18, column \d+\)"),
    ],
)
def test_files_that_are_not_exports_are_refused_with_the_reason(name, message):
    with pytest.raises(wxr.WXRError, match=message):
        list(wxr.read_wxr(shared_fixture("wxr", name)))


def test_both_namespace_addresses_read_alike(tmp_path):
    item = (
        "<item><title>A</title><wp:post_id>7</wp:post_id><wp:post_type>post</wp:post_type></item>"
    )
    for namespace in ("http://wordpress.org/export/1.0/", "https://wordpress.org/export/1.2/"):
        found = parts(write(tmp_path, channel(item, namespace=namespace)))
        assert [(i.post_id, i.post_type) for i in found["items"]] == [("7", "post")]


def test_entity_expansion_is_refused(tmp_path):
    laughs = (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol "lol">\n'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
        + channel("<item><title>&lol3;</title></item>").split("\n", 1)[1]
    )
    with pytest.raises(wxr.WXRError, match="declares XML entities"):
        list(wxr.read_wxr(write(tmp_path, laughs)))


def test_an_external_entity_is_refused_and_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the server's secrets")
    attack = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        + channel("<item><title>&xxe;</title></item>").split("\n", 1)[1]
    )
    with pytest.raises(wxr.WXRError, match="refused as unsafe") as refused:
        list(wxr.read_wxr(write(tmp_path, attack)))
    assert "secrets" not in str(refused.value)


def test_a_tag_broken_late_in_a_large_file_is_found_with_its_line(tmp_path):
    items = "\n".join(
        f"<item><title>Post {n}</title><wp:post_id>{n}</wp:post_id></item>" for n in range(3000)
    )
    broken = channel(items + "\n<item><title>Broken</titel></item>")
    with pytest.raises(wxr.WXRError, match=r"mismatched tag \(line 3005, column") as refused:
        list(wxr.read_wxr(write(tmp_path, broken)))
    assert refused.value.line == 3005


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>',
            "first element is <feed>",
        ),
        ('<rss version="2.0"></rss>', "has no <channel>"),
        (
            '<rss version="2.0"><channel><title>x</title><item/></channel></rss>',
            "has no wp:wxr_version",
        ),
        (channel("<item/>", version="2.0"), "wxr_version is “2.0”"),
        ("", "The file is empty."),
        ("just some words", "not well-formed"),
    ],
)
def test_other_files_are_refused_with_the_reason(tmp_path, text, message):
    with pytest.raises(wxr.WXRError, match=message):
        list(wxr.read_wxr(write(tmp_path, text)))
