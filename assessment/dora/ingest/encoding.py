"""What an uploaded file really is, before it is read as CSV or JSON: UTF-8 text with `\\n` lines.

Exports arrive as UTF-16 (Excel's "Unicode text"), with old-Mac `\\r` line ends, with a
byte order mark, as `;`- or tab-separated CSV (spreadsheets in many locales), or as a
workbook saved by mistake. Text encodings and line ends are converted so the file reads
as it was meant; a workbook is named as such with what to do, never reported as a
CSV without rows.
"""

from __future__ import annotations

import csv

from assessment.dora.ingest.problems import DoraImportError, Problem

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_WORKBOOKS = {
    b"PK\x03\x04": "a spreadsheet workbook (.xlsx, .ods) or another zip file",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls)",
}
DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def normalise_bytes(data: bytes, source: str) -> bytes:
    """UTF-8 without a byte order mark, lines ending in `\\n`; DoraImportError for a workbook or UTF-16 gone wrong."""
    for magic, what in _WORKBOOKS.items():
        if data.startswith(magic):
            raise DoraImportError(
                [
                    Problem(
                        source,
                        f"this is {what}, not CSV or JSON: open it in the spreadsheet, save the sheet as "
                        "'CSV UTF-8 (comma delimited)' and import that file",
                    )
                ]
            )
    if data.startswith(_UTF16_BOMS) or (len(data) > 1 and b"\x00" in data[:2]):
        data = _from_utf16(data, source)
    data = data.removeprefix(_UTF8_BOM)
    if b"\r" in data and b"\n" not in data:  # old-Mac line ends
        data = data.replace(b"\r", b"\n")
    return data


def _from_utf16(data: bytes, source: str) -> bytes:
    encoding = "utf-16" if data.startswith(_UTF16_BOMS) else ("utf-16-le" if data[1:2] == b"\x00" else "utf-16-be")
    try:
        return data.decode(encoding).encode("utf-8")
    except UnicodeDecodeError:
        raise DoraImportError(
            [
                Problem(
                    source,
                    "the file looks like UTF-16 text but cannot be read as such; save it as UTF-8 "
                    "(in a spreadsheet: 'CSV UTF-8')",
                )
            ]
        ) from None


def delimiter_of(header: str) -> str:
    """The delimiter of a CSV file from its header line: the one that splits it into the most columns."""
    counts = {d: len(next(csv.reader([header], delimiter=d), [])) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: counts[d])  # ties go to the comma


def delimiter_name(delimiter: str) -> str:
    return _DELIMITER_NAMES[delimiter]
