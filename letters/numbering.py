"""Numbers handed out per day (the mailbox's letter serials; disclosure's receipt and
application numbers): a counter row per day, raised in one statement of its own.

Run outside the caller's transaction where it can be (in autocommit), the row is
locked for that statement only, so submissions arriving at once wait for each other
for an increment, not for each other's whole transaction. A submission whose
transaction fails afterwards leaves a gap in the day's numbering: the numbers are
unique, not gap-free.
"""

from django.db import connection


def take(counter_model, day):
    """The next number of ``day`` from ``counter_model`` (a model with a ``day``
    primary key and a ``last`` count)."""
    table = connection.ops.quote_name(counter_model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [connection.ops.adapt_datefield_value(day)],
        )
        return cursor.fetchone()[0]


def catch_up(counter_model, day, highest):
    """Move ``day``'s counter past ``highest``, the highest number stored: after a
    restore, an import or numbers the counter never saw, its next one would be taken."""
    counter_model.objects.filter(day=day, last__lt=highest).update(last=highest)
