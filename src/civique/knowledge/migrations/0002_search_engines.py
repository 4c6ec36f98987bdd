"""The full-text index of the knowledge base, per database.

PostgreSQL: the ``unaccent`` extension (trusted since PostgreSQL 13: a database owner creates
it), a text search configuration ``civique_french`` (French Snowball stemming after unaccent)
and a GIN index on ``search_vector``. SQLite: the FTS5 table ``knowledge_fts`` (unicode61,
diacritics removed) that holds the pre-stemmed texts, rowid = SearchEntry.id."""

from django.db import migrations

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'civique_french') THEN
            CREATE TEXT SEARCH CONFIGURATION civique_french (COPY = french);
            ALTER TEXT SEARCH CONFIGURATION civique_french
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
        END IF;
    END $$""",
    "CREATE INDEX knowledge_searchentry_vector ON knowledge_searchentry USING GIN (search_vector)",
]
POSTGRES_BACK = [
    "DROP INDEX IF EXISTS knowledge_searchentry_vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS civique_french",
]
SQLITE = [
    "CREATE VIRTUAL TABLE knowledge_fts USING fts5("
    "title, keywords, body, tokenize = 'unicode61 remove_diacritics 2')"
]
SQLITE_BACK = ["DROP TABLE IF EXISTS knowledge_fts"]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    statements = POSTGRES_BACK if schema_editor.connection.vendor == "postgresql" else SQLITE_BACK
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
