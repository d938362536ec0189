"""The two full-text engines behind one interface, chosen by ``connection.vendor``:
PostgreSQL (a ``tsvector`` of bigram tokens per chunk, GIN index, phrase queries with
``<->``) and SQLite FTS5 (a table of the same tokens, phrase queries in quotes).

Only tokens made by :mod:`search.text` ever reach a query string (ten lowercase
letters each), so nothing a reader types can act as query syntax on either engine.
"""

from django.db import connection

from . import text


def vendor():
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


# --- Writing -------------------------------------------------------------------------

def chunks_write(entry_id, normalised):
    """Replace the chunks of entry ``entry_id`` with those of ``normalised``."""
    chunks_delete([entry_id])
    pieces = text.chunks(normalised)
    if not pieces:
        return 0
    with connection.cursor() as cursor:
        if vendor() == "postgresql":
            cursor.executemany(
                "INSERT INTO search_chunk (entry_id, seq, fts) VALUES (%s, %s, to_tsvector('simple', %s))",
                [(entry_id, seq, " ".join(text.bigram_tokens(piece))) for seq, piece in enumerate(pieces)],
            )
        else:
            for seq, piece in enumerate(pieces):
                cursor.execute("INSERT INTO search_chunk (entry_id, seq) VALUES (%s, %s)", [entry_id, seq])
                cursor.execute("INSERT INTO search_chunk_fts (rowid, tokens) VALUES (%s, %s)",
                               [cursor.lastrowid, " ".join(text.bigram_tokens(piece))])
    return len(pieces)


def chunks_delete(entry_ids):
    entry_ids = list(entry_ids)
    if not entry_ids:
        return
    marks = ", ".join(["%s"] * len(entry_ids))
    with connection.cursor() as cursor:
        if vendor() == "sqlite":
            cursor.execute(f"DELETE FROM search_chunk_fts WHERE rowid IN "
                           f"(SELECT id FROM search_chunk WHERE entry_id IN ({marks}))", entry_ids)
        cursor.execute(f"DELETE FROM search_chunk WHERE entry_id IN ({marks})", entry_ids)


# --- Matching ------------------------------------------------------------------------

def _phrase_tokens(part):
    """The tokens a part must match in order; a one-character part matches as a prefix."""
    if len(part) == 1:
        return None, text.token(part)
    return [text.token(part[i:i + 2]) for i in range(len(part) - 1)], None


def match_sql(part):
    """SQL selecting the ids of the entries whose text contains ``part`` (normalised),
    and its parameters."""
    tokens, prefix = _phrase_tokens(part)
    if vendor() == "postgresql":
        # One bigram is one lexeme: no phrase, so the GIN index answers without a recheck.
        query = f"{prefix}:*" if prefix else " <-> ".join(tokens)
        return ("SELECT c.entry_id FROM search_chunk c WHERE c.fts @@ to_tsquery('simple', %s)", [query])
    query = f"{prefix}*" if prefix else '"' + " ".join(tokens) + '"'
    return ("SELECT c.entry_id FROM search_chunk_fts f JOIN search_chunk c ON c.id = f.rowid "
            "WHERE search_chunk_fts MATCH %s", [query])


def contains_sql(column):
    """SQL true when ``column`` contains the parameter (both normalised)."""
    if vendor() == "postgresql":
        return f"(strpos({column}, %s) > 0)"
    return f"(instr({column}, %s) > 0)"


def match_from(part):
    """The tables, condition and parameters that give the chunks containing ``part``
    (to drive a query from the full-text index, so a LIMIT stops the scan early)."""
    sql, params = match_sql(part)
    tables, condition = sql.split(" FROM ", 1)[1].split(" WHERE ", 1)
    return tables, condition, params
