"""Texts beginning with "=" stay texts in every workbook the platform writes."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from guard.sheets import append_row


@pytest.mark.parametrize("write_only", [False, True])
def test_a_text_like_a_formula_is_stored_as_text(write_only):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("表") if write_only else book.active
    append_row(sheet, ['=HYPERLINK("https://evil.example/","x")', "=1+1", "普通文字", 3, None])
    buffer = io.BytesIO()
    book.save(buffer)
    row = list(load_workbook(io.BytesIO(buffer.getvalue())).worksheets[-1].iter_rows())[0]
    assert [(c.value, c.data_type) for c in row[:4]] == [
        ('=HYPERLINK("https://evil.example/","x")', "s"), ("=1+1", "s"), ("普通文字", "s"), (3, "n")]
