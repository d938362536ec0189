"""Every model change has its migration: a field's choices, a help text, an index left
out of a migration would be found only on the next `makemigrations` of an unrelated
change (as the baked files' kinds were)."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_its_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit:  # --check exits 1 when a migration is missing
        pytest.fail(f"models changed without a migration:\n{out.getvalue()}" if exit.code else "")
