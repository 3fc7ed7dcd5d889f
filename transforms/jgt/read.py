"""Reading a JGT export (CSV or XLSX) into raw cells: a DataFrame of strings (dates stay datetime for XLSX) with
the source line of every row, and the layout its header matched.

What teams really deliver: UTF-8 with or without BOM or cp1252 (sometimes mixed within one file), `;` or `,`,
quoted fields with the separator inside, a title above the header, trailing spaces, empty strings for missing
values, XLSX with a title row (merged cells) and sometimes an empty first sheet.

What no team delivers is refused with a reason, never read without bounds: a `.xlsx` that is not a zip, an XLSX
that unpacks to more than MAX_XLSX_UNPACKED_BYTES or packs a member more than MAX_XLSX_RATIO times (a zip bomb;
checked on the archive's directory before openpyxl opens it), a CSV cell longer than csv.field_size_limit(), a
line longer than MAX_LINE_CHARS or with more than MAX_COLUMNS cells (`csv_limit`). XLSX rows are streamed: a sheet
without a header in its first HEADER_SCAN_ROWS non-empty rows is not read further.
"""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, BinaryIO

import pandas as pd
from jeugdmonitor.schemas.jgt_layouts import Layout, norm
from jeugdmonitor.transforms.reasons import FileRejected

if TYPE_CHECKING:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

HEADER_SCAN_ROWS = 20  # the header must be within the first rows of the file
DELIMITERS = (";", ",", "\t")
# A team's export has a few dozen columns and lines under a kilobyte; these are far beyond any real one.
MAX_COLUMNS = 1_000
MAX_LINE_CHARS = 1_000_000
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024  # all members of the archive together
MAX_XLSX_RATIO = 100  # unpacked / packed size of one member, for members over _RATIO_FROM_BYTES
_RATIO_FROM_BYTES = 1024 * 1024


@dataclass
class RawTable:
    frame: pd.DataFrame  # one column per source column (header as written), plus "line"
    layout: Layout
    encoding: str  # utf-8-sig, utf-8, cp1252, mixed (utf-8/cp1252) or xlsx
    delimiter: str | None
    header_line: int
    title: str | None = None  # text above the header (XLSX title row), if any


def _bytes(source: bytes | BinaryIO) -> bytes:
    return source if isinstance(source, bytes | bytearray) else source.read()


def is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def read_export(source: bytes | BinaryIO, layouts: Sequence[Layout], suffix: str | None = None) -> RawTable:
    """Read a CSV or XLSX export, by its content: a zip is read as XLSX, anything else as CSV, except that a file
    named `.xlsx` (`suffix`) that is not a zip is refused. Raises FileRejected (empty_file, layout_unknown,
    file_unreadable, xlsx_invalid, xlsx_too_large, csv_limit)."""
    data = _bytes(source)
    if not data.strip():
        raise FileRejected("empty_file")
    if is_xlsx(data):
        return read_xlsx(data, layouts)
    if suffix == ".xlsx":
        raise FileRejected("xlsx_invalid")
    return read_csv(data, layouts)


# -- CSV ----------------------------------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding). BOM → utf-8-sig; valid UTF-8 → utf-8; else per line UTF-8 with cp1252 fallback, so a
    file with a few cp1252 lines in UTF-8 keeps both right ('mixed'); cp1252 when no line is UTF-8 beyond ASCII."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    parts: list[str] = []
    used: set[str] = set()
    for line in data.splitlines(keepends=True):
        try:
            text = line.decode("utf-8")
            if not line.isascii():
                used.add("utf-8")
        except UnicodeDecodeError:
            text = line.decode("cp1252", errors="replace")
            used.add("cp1252")
        parts.append(text)
    return "".join(parts), "mixed (utf-8/cp1252)" if len(used) > 1 else "cp1252"


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each CSV record; quoted fields may hold separators and line breaks. Raises
    FileRejected for a record beyond the limits (a cell over csv.field_size_limit(), more than MAX_COLUMNS cells)
    and for what the csv module cannot read."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"', skipinitialspace=False)
    previous = 0
    try:
        for cells in reader:
            if len(cells) > MAX_COLUMNS:
                raise FileRejected("csv_limit", f"regel {previous + 1} heeft meer dan {_number(MAX_COLUMNS)} kolommen")
            yield previous + 1, cells
            previous = reader.line_num
    except csv.Error as exc:  # its message is not shown: it may quote the line
        if "field limit" in str(exc):
            raise FileRejected(
                "csv_limit",
                f"een cel vanaf regel {previous + 1} is langer dan {_number(csv.field_size_limit())} tekens",
            ) from None
        raise FileRejected("file_unreadable", f"geen geldige CSV vanaf regel {previous + 1}") from None


def _number(n: int) -> str:
    """A count as Dutch readers write it: 1.000.000."""
    return f"{n:,}".replace(",", ".")


def _check_line_lengths(lines: Iterable[str]) -> None:
    """Refuse a line over MAX_LINE_CHARS before the delimiter is sniffed (which looks at every character of the
    first lines)."""
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE_CHARS:
            raise FileRejected("csv_limit", f"regel {number} is langer dan {_number(MAX_LINE_CHARS)} tekens")


def _count_outside_quotes(line: str, char: str) -> int:
    inside, n = False, 0
    for c in line:
        if c == '"':
            inside = not inside
        elif c == char and not inside:
            n += 1
    return n


def sniff_delimiter(text: str, layouts: Sequence[Layout]) -> str:
    """The delimiter with which a known header appears; else the one most often outside quotes at the top."""
    head = "\n".join(text.splitlines()[:HEADER_SCAN_ROWS])
    for delimiter in DELIMITERS:
        for _, cells in _records(head, delimiter):
            if _match(cells, layouts) is not None:
                return delimiter
    counts = {d: sum(_count_outside_quotes(line, d) for line in head.splitlines()) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: counts[d])


def read_csv(source: bytes | BinaryIO, layouts: Sequence[Layout]) -> RawTable:
    data = _bytes(source)
    text, encoding = decode(data)
    if text.startswith("\ufeff"):
        text = text[1:]
    _check_line_lengths(text.splitlines()[:HEADER_SCAN_ROWS])
    delimiter = sniff_delimiter(text, layouts)
    return _table(_records(text, delimiter), layouts, encoding, delimiter)


# -- XLSX ---------------------------------------------------------------------------------------------------------


def read_xlsx(source: bytes | BinaryIO, layouts: Sequence[Layout]) -> RawTable:
    """The first sheet with a known header (else the first non-empty sheet); rows above the header (titles,
    merged cells) are skipped; Excel dates stay datetime; the line is the Excel row number. The archive is checked
    for its unpacked size first (check_archive), and a sheet's rows are streamed: only its first HEADER_SCAN_ROWS
    non-empty rows are read when none of them is a header."""
    from openpyxl import load_workbook

    data = _bytes(source)
    check_archive(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a zip that is no workbook, a truncated file, ...
        raise FileRejected("file_unreadable", f"geen leesbaar Excel-bestand ({type(exc).__name__})") from None
    try:
        first_non_empty = None
        for ws in wb.worksheets:
            ws.reset_dimensions()  # do not trust the stored dimension: read what is there
            rows = _sheet_rows(ws)
            head = list(itertools.islice(rows, HEADER_SCAN_ROWS))
            if not head:
                continue
            if first_non_empty is None:
                first_non_empty = head
            if any(_match(cells, layouts) for _, cells in head):
                return _table(itertools.chain(head, rows), layouts, "xlsx", None)
        if first_non_empty is None:
            raise FileRejected("empty_file")
        return _table(iter(first_non_empty), layouts, "xlsx", None)
    except FileRejected:
        raise
    except Exception as exc:  # a broken sheet inside a good archive; the message may quote a cell
        raise FileRejected("file_unreadable", f"geen leesbaar Excel-bestand ({type(exc).__name__})") from None
    finally:
        wb.close()


def check_archive(data: bytes) -> None:
    """Refuse a zip bomb before anything is unpacked, from the archive's directory: zipfile never unpacks a member
    beyond the size the directory states, so the stated sizes bound what openpyxl can read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception as exc:  # not a zip after all (a truncated or damaged one)
        raise FileRejected("file_unreadable", f"geen leesbaar Excel-bestand ({type(exc).__name__})") from None
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise FileRejected(
            "xlsx_too_large",
            f"{unpacked / 1024 / 1024:.0f} MB uitgepakt, de grens is {MAX_XLSX_UNPACKED_BYTES // 1024 // 1024} MB",
        )
    for member in members:
        if member.file_size > _RATIO_FROM_BYTES and member.file_size > MAX_XLSX_RATIO * max(member.compress_size, 1):
            ratio = member.file_size / max(member.compress_size, 1)
            raise FileRejected(
                "xlsx_too_large", f"een onderdeel pakt {ratio:.0f} keer zo groot uit, de grens is {MAX_XLSX_RATIO} keer"
            )


def _sheet_rows(ws: ReadOnlyWorksheet) -> Iterator[tuple[int, list]]:
    """(Excel row number, cells) of the non-empty rows of a read-only sheet, as they are read."""
    for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = [_cell(v) for v in row]
        if any(c is not None for c in cells):
            yield number, cells


def _cell(value: object) -> object:
    if value is None or isinstance(value, datetime | date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- shared -------------------------------------------------------------------------------------------------------


def _clean(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _match(cells: Iterable[object], layouts: Sequence[Layout]) -> Layout | None:
    names = {norm(c) for c in cells if isinstance(c, str) and c.strip()}
    for layout in layouts:
        if layout.header <= names:
            return layout
    return None


def _unknown_layout(candidates: list[list[object]], layouts: Sequence[Layout]) -> FileRejected:
    """Name the closest layout and its missing columns (our own names) for the most header-like row. The other
    cells of that row are only counted: a file without its header has a data row there (a BSN, a birth date)."""
    best = None
    for cells in candidates:
        names = [norm(c) for c in cells if isinstance(c, str) and c.strip()]
        for layout in layouts:
            overlap = len(set(names) & layout.header)
            if best is None or overlap > best[0]:
                best = (overlap, names, layout)
    if best is None or not layouts:
        return FileRejected("layout_unknown", "geen kopregel gevonden")
    _, names, layout = best
    missing = [c for c in layout.columns if norm(c) not in names]
    unknown = sum(n not in layout.header for n in names)
    detail = (
        f"dichtstbijzijnde indeling {layout.name}; ontbrekende kolommen: {', '.join(missing) or 'geen'}; "
        f"{unknown or 'geen'} {'kolom' if unknown == 1 else 'kolommen'} met een onbekende naam"
    )
    return FileRejected("layout_unknown", detail)


def _table(
    records: Iterator[tuple[int, list]], layouts: Sequence[Layout], encoding: str, delimiter: str | None
) -> RawTable:
    scanned: list[list[object]] = []
    title_parts: list[str] = []
    for line, cells in records:
        cells = [_clean(c) for c in cells]
        if not any(c is not None for c in cells):
            continue
        layout = _match(cells, layouts)
        if layout is None:
            scanned.append(cells)
            title_parts.extend(str(c) for c in cells if c is not None)
            if len(scanned) >= HEADER_SCAN_ROWS:
                break
            continue
        header = [str(c) if c is not None else f"kolom_{i + 1}" for i, c in enumerate(cells)]
        rows, lines = [], []
        width = len(header)
        for row_line, row in records:
            row = [_clean(c) for c in row]
            if not any(c is not None for c in row):
                continue
            if len(row) > width:
                extra = row[width:]
                row = row[:width]
                if any(c is not None for c in extra):
                    row.append("\x00extra")  # marks a row with more cells than the header
            rows.append(row + [None] * (width - len(row)))
            lines.append(row_line)
        frame = pd.DataFrame([r[:width] for r in rows], columns=header, dtype=object)
        frame["line"] = lines
        frame["te_veel_kolommen"] = [len(r) > width for r in rows]
        return RawTable(frame, layout, encoding, delimiter, line, " ".join(title_parts) or None)
    raise _unknown_layout(scanned, layouts)
