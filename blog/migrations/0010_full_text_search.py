"""Full-text search (blog.search): each database's own index, kept by the database.

Post.search_text holds the words of a post's rendered text; triggers copy it, the title,
the tags and the source into PostgreSQL's weighted tsvector column (with a GIN index) or
SQLite's FTS5 table whenever any of them changes, by whatever path.
"""

from django.db import migrations, models

from core.markup import plain_text

POST_CONTENT_TYPE = "(SELECT id FROM django_content_type WHERE app_label = 'blog' AND model = 'post')"

SQLITE_META = (
    "coalesce((SELECT group_concat(t.name, ' ') FROM taggit_taggeditem i "
    "JOIN taggit_tag t ON t.id = i.tag_id "
    f"WHERE i.object_id = {{post}} AND i.content_type_id = {POST_CONTENT_TYPE}), '') "
    "|| ' ' || coalesce({source_title}, '') || ' ' || coalesce({source_name}, '')"
)


def _sqlite_meta(post, source_title, source_name):
    return SQLITE_META.format(post=post, source_title=source_title, source_name=source_name)


def _sqlite_meta_of(post):
    return _sqlite_meta(
        post,
        f"(SELECT source_title FROM blog_post WHERE id = {post})",
        f"(SELECT source_name FROM blog_post WHERE id = {post})",
    )


SQLITE = [
    "CREATE VIRTUAL TABLE blog_post_search USING fts5("
    "title, meta, text, tokenize = 'porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER blog_post_search_insert AFTER INSERT ON blog_post BEGIN "
    "INSERT INTO blog_post_search (rowid, title, meta, text) VALUES (new.id, new.title, "
    f"{_sqlite_meta('new.id', 'new.source_title', 'new.source_name')}, new.search_text); END",
    "CREATE TRIGGER blog_post_search_update "
    "AFTER UPDATE OF title, source_title, source_name, search_text ON blog_post BEGIN "
    "UPDATE blog_post_search SET title = new.title, "
    f"meta = {_sqlite_meta('new.id', 'new.source_title', 'new.source_name')}, "
    "text = new.search_text WHERE rowid = new.id; END",
    "CREATE TRIGGER blog_post_search_delete AFTER DELETE ON blog_post BEGIN "
    "DELETE FROM blog_post_search WHERE rowid = old.id; END",
    "CREATE TRIGGER blog_post_search_tagged AFTER INSERT ON taggit_taggeditem "
    f"WHEN new.content_type_id = {POST_CONTENT_TYPE} BEGIN "
    f"UPDATE blog_post_search SET meta = {_sqlite_meta_of('new.object_id')} "
    "WHERE rowid = new.object_id; END",
    "CREATE TRIGGER blog_post_search_untagged AFTER DELETE ON taggit_taggeditem "
    f"WHEN old.content_type_id = {POST_CONTENT_TYPE} BEGIN "
    f"UPDATE blog_post_search SET meta = {_sqlite_meta_of('old.object_id')} "
    "WHERE rowid = old.object_id; END",
    "CREATE TRIGGER blog_post_search_tag_renamed AFTER UPDATE OF name ON taggit_tag BEGIN "
    f"UPDATE blog_post_search SET meta = {_sqlite_meta_of('blog_post_search.rowid')} "
    "WHERE rowid IN (SELECT object_id FROM taggit_taggeditem "
    f"WHERE tag_id = new.id AND content_type_id = {POST_CONTENT_TYPE}); END",
    "INSERT INTO blog_post_search (rowid, title, meta, text) SELECT id, title, "
    f"{_sqlite_meta('blog_post.id', 'source_title', 'source_name')}, search_text FROM blog_post",
]
SQLITE_REVERSE = [
    *(
        f"DROP TRIGGER IF EXISTS blog_post_search_{name}"
        for name in ("insert", "update", "delete", "tagged", "untagged", "tag_renamed")
    ),
    "DROP TABLE IF EXISTS blog_post_search",
]

POSTGRESQL = [
    "ALTER TABLE blog_post ADD COLUMN search_vector tsvector",
    """
    CREATE FUNCTION blog_post_search_vector(
        post_id bigint, title text, source_title text, source_name text, words text
    ) RETURNS tsvector LANGUAGE sql STABLE AS $$
        -- A lexeme no query can ask for ('~') between the parts, so that a quoted
        -- phrase never runs from the end of the title into the tags.
        SELECT setweight(to_tsvector('english', coalesce(title, '')), 'A')
            || $sep$'~':1$sep$::tsvector
            || setweight(to_tsvector('english',
                coalesce((SELECT string_agg(t.name, ' ') FROM taggit_taggeditem i
                          JOIN taggit_tag t ON t.id = i.tag_id
                          WHERE i.object_id = post_id
                          AND i.content_type_id = """
    + POST_CONTENT_TYPE
    + """), '')
                || ' ' || coalesce(source_title, '') || ' ' || coalesce(source_name, '')), 'B')
            || $sep$'~':1$sep$::tsvector
            || setweight(to_tsvector('english', coalesce(words, '')), 'C')
    $$
    """,
    """
    CREATE FUNCTION blog_post_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := blog_post_search_vector(
            NEW.id, NEW.title, NEW.source_title, NEW.source_name, NEW.search_text);
        RETURN NEW;
    END
    $$
    """,
    "CREATE TRIGGER blog_post_search BEFORE INSERT OR UPDATE OF title, source_title, "
    "source_name, search_text ON blog_post FOR EACH ROW EXECUTE FUNCTION blog_post_search_refresh()",
    """
    CREATE FUNCTION blog_post_search_tags_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        tagged taggit_taggeditem;
    BEGIN
        IF TG_OP = 'DELETE' THEN tagged := OLD; ELSE tagged := NEW; END IF;
        IF tagged.content_type_id = """
    + POST_CONTENT_TYPE
    + """ THEN
            UPDATE blog_post SET search_vector = blog_post_search_vector(
                id, title, source_title, source_name, search_text)
            WHERE id = tagged.object_id;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER blog_post_search_tags AFTER INSERT OR DELETE ON taggit_taggeditem "
    "FOR EACH ROW EXECUTE FUNCTION blog_post_search_tags_changed()",
    """
    CREATE FUNCTION blog_post_search_tag_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE blog_post SET search_vector = blog_post_search_vector(
            id, title, source_title, source_name, search_text)
        WHERE id IN (SELECT object_id FROM taggit_taggeditem WHERE tag_id = NEW.id
                     AND content_type_id = """
    + POST_CONTENT_TYPE
    + """);
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER blog_post_search_tag_renamed AFTER UPDATE OF name ON taggit_tag "
    "FOR EACH ROW EXECUTE FUNCTION blog_post_search_tag_renamed()",
    "UPDATE blog_post SET search_vector = blog_post_search_vector("
    "id, title, source_title, source_name, search_text)",
    "CREATE INDEX blog_post_search_vector ON blog_post USING gin (search_vector)",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS blog_post_search_tag_renamed ON taggit_tag",
    "DROP TRIGGER IF EXISTS blog_post_search_tags ON taggit_taggeditem",
    "DROP TRIGGER IF EXISTS blog_post_search ON blog_post",
    "DROP FUNCTION IF EXISTS blog_post_search_tag_renamed()",
    "DROP FUNCTION IF EXISTS blog_post_search_tags_changed()",
    "DROP FUNCTION IF EXISTS blog_post_search_refresh()",
    "DROP FUNCTION IF EXISTS blog_post_search_vector(bigint, text, text, text, text)",
    "ALTER TABLE blog_post DROP COLUMN IF EXISTS search_vector",
]


def fill_search_text(apps, schema_editor):
    Post = apps.get_model("blog", "Post")
    for post in Post.objects.only("body_html", "excerpt_html").iterator(chunk_size=500):
        post.search_text = plain_text(f"{post.body_html}\n{post.excerpt_html}")
        post.save(update_fields=["search_text"])


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0009_render_line_breaks"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
