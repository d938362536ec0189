"""Spreadsheets built from what people typed or what a crawl read.

A text that begins with "=" would be stored by openpyxl as a formula, and a
spreadsheet opened by a supervisor or a unit would run it (=HYPERLINK to a phishing
page, =WEBSERVICE sending the sheet's other cells away). Every export appends its rows
through :func:`append_row`, which keeps such a text as text.
"""

from openpyxl.cell import WriteOnlyCell


def append_row(sheet, values):
    """Append ``values`` to ``sheet`` (write-only or not); texts stay texts."""
    row = []
    for value in values:
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            row.append(cell)
        else:
            row.append(value)
    sheet.append(row)
