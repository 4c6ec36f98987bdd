"""CSV (one table, for Excel in French) and XLSX (every table, one sheet each) exports."""

from __future__ import annotations

import csv
import io
from datetime import date

import xlsxwriter

from civique.reporting.tables import Table, fr_cell

BOM = "\ufeff"
# Excel limits: sheet names of 31 characters, without []:*?/\
SHEET_NAME_LENGTH = 31


def table_csv(table: Table) -> str:
    """``;``-separated, French numbers (decimal comma, no grouping), a BOM so that Excel reads
    UTF-8. Text starting like a formula is prefixed with ``'`` (CSV injection)."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    # Headers too: the volume tables are headed by channel, category and team names.
    writer.writerow([_safe(header, header) for header in table.headers])
    for row in table.rows:
        writer.writerow([_safe(fr_cell(value, grouping=False), value) for value in row])
    return out.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(text: str, value) -> str:
    """Text a spreadsheet would read as a formula, prefixed with ``'``: starting with one of
    ``= + - @``, with a tab or a carriage return, or with spaces before one of those."""
    if isinstance(value, str) and text.lstrip(" \n")[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def tables_xlsx(tables: list[Table]) -> bytes:
    """One sheet per table, named by its slug; the table's title on the first line, headers
    on the second, numbers as numbers and dates as dates. Text is always written with
    ``write_string`` (and ``strings_to_formulas`` is off): a name starting with ``=`` stays
    text, never a formula."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    for table in tables:
        sheet = book.add_worksheet(table.slug[:SHEET_NAME_LENGTH])
        sheet.write_string(0, 0, table.title, bold)
        for col, header in enumerate(table.headers):
            sheet.write_string(1, col, header, bold)
        for r, row in enumerate(table.rows, start=2):
            for col, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, date):
                    sheet.write_datetime(r, col, value, day)
                elif isinstance(value, int | float):
                    sheet.write_number(r, col, value)
                else:
                    sheet.write_string(r, col, str(value))
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, max(1, len(table.headers) - 1), 18)
    book.close()
    return out.getvalue()
