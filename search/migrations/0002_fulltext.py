"""The full-text part of the index, per database: on PostgreSQL a ``tsvector`` column
of ``search_chunk`` with a GIN index; on SQLite an FTS5 table whose rowid is the
chunk's id (search/engine.py)."""

from django.db import migrations

POSTGRESQL = [
    "ALTER TABLE search_chunk ADD COLUMN fts tsvector NOT NULL DEFAULT ''::tsvector",
    "CREATE INDEX search_chunk_fts_gin ON search_chunk USING gin (fts)",
    "CREATE INDEX search_entry_initials_like ON search_entry (initials varchar_pattern_ops)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS search_entry_initials_like",
    "DROP INDEX IF EXISTS search_chunk_fts_gin",
    "ALTER TABLE search_chunk DROP COLUMN IF EXISTS fts",
]
SQLITE = ["CREATE VIRTUAL TABLE search_chunk_fts USING fts5(tokens, tokenize = 'ascii')"]
SQLITE_REVERSE = ["DROP TABLE IF EXISTS search_chunk_fts"]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements[schema_editor.connection.vendor == "postgresql"]:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(_run((SQLITE, POSTGRESQL)), _run((SQLITE_REVERSE, POSTGRESQL_REVERSE))),
    ]
