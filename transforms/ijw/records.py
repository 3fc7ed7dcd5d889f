"""A streaming reader for iJw messages, driven by a MessageSpec (which element is a record, which fields to keep).

Memory stays flat whatever the file size: every record element is cleared as soon as it is read, and each Client
once its records are done. Only fields named in the spec are copied out, so names, addresses and full birth dates
never leave the parser; the BSN is checked and replaced by its pseudonym here, at parse time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from operator import itemgetter
from typing import BinaryIO, Literal

import pandas as pd
from jeugdmonitor.transforms.ijw import fields
from jeugdmonitor.transforms.ijw.message import (
    SAFE_PARSING,
    MessageKind,
    kind_from_namespace,
    syntax_rejection,
)
from jeugdmonitor.transforms.reasons import FileRejected, Rejection, rejection
from lxml import etree

Kind = Literal["text", "int", "date", "year", "code"]
Converter = Callable[[dict[str, str], str, int, str | None], object]
Source = Literal["record", "client", "context"]

# Columns every message's rows start with: where the row came from and who exchanged it.
COMMON = ["line", "bericht_identificatie", "dagtekening", "gemeentecode", "aanbieder_agb", "client_pseudonym"]


@dataclass(frozen=True)
class Field:
    column: str
    path: str  # local names below the record / Client / body element, e.g. "ProductPeriode/Begindatum"
    kind: Kind = "text"
    source: Source = "record"
    required: bool = True
    codes: frozenset[str] | None = None
    stage: bool = True  # False: read for checks and derived columns only, not a staging column


@dataclass(frozen=True)
class MessageSpec:
    code: str  # "JW323"
    record: str  # local name of the repeating record element
    gemeente_sends: bool  # JW301: Afzender = gemeente; the others: Afzender = aanbieder
    fields: tuple[Field, ...]
    key: str  # record path used as record_key in rejections
    # cross-field rules, called with (row, line, record key); they raise fields.Invalid
    check: Callable[[dict, int, str | None], None] | None = None
    derive: Callable[[dict], dict] | None = None  # extra columns computed from the typed row
    derived: tuple[tuple[str, str], ...] = ()  # (column, dtype) of what `derive` adds

    # Cached: they are asked for once or twice per file, and most files hold a single client.
    @cached_property
    def client_names(self) -> frozenset[str]:
        return frozenset(f.path.split("/")[0] for f in self.fields if f.source == "client")

    @cached_property
    def context_names(self) -> frozenset[str]:
        return frozenset(f.path.split("/")[0] for f in self.fields if f.source == "context")

    @cached_property
    def shared_plan(self) -> tuple[tuple[str, Source, str, Converter], ...]:
        """(column, source, path, reader) of the client and context fields, in spec order: the same for every
        record of a client."""
        return tuple((f.column, f.source, f.path, _converter(f)) for f in self.fields if f.source != "record")

    @cached_property
    def record_plan(self) -> tuple[tuple[str, str, Converter], ...]:
        """(column, path, reader) of the record's own fields, in spec order: what the reader does for every
        record."""
        return tuple((f.column, f.path, _converter(f)) for f in self.fields if f.source == "record")

    def __post_init__(self) -> None:
        # A record's row takes the shared fields first (typed once per client), then its own; a rejection names the
        # first field that fails in that order, which is the spec's order only when the shared fields lead.
        sources = [f.source != "record" for f in self.fields]
        if sources != sorted(sources, reverse=True):
            raise ValueError(f"{self.code}: client and context fields must come before the record's own")

    @cached_property
    def row_columns(self) -> tuple[str, ...]:
        """The columns of a row, in the order the reader builds them (and parse_file keeps them as tuples)."""
        return (*COMMON, *(f.column for f in self.fields), *(name for name, _ in self.derived))

    def getter(self, *columns: str) -> Callable[[tuple], tuple]:
        """The values of `columns` from a row kept as a tuple (as_tuples), as one tuple."""
        positions = [self.row_columns.index(c) for c in columns]
        return itemgetter(*positions) if len(positions) > 1 else lambda row: (row[positions[0]],)

    @cached_property
    def event_tags(self) -> tuple[str, ...]:
        """The elements the reader acts on, as iterparse tag filters (any namespace)."""
        wanted = {"Header", "Client", "Bsn", self.record, *self.client_names, *self.context_names}
        return tuple(f"{{*}}{name}" for name in sorted(wanted))


@dataclass
class Chunk:
    """Up to `chunk_size` parsed records: the rows that load (plain dicts: most iJw files hold one client, and a
    DataFrame per file would cost more than the parsing) and the lines that go to quarantine."""

    rows: list[dict]
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def lines_read(self) -> int:
        return len(self.rows) + len(self.rejections)


class _LocalNames(dict):
    """Local name by tag ("{namespace}Name" -> "Name"): a message uses a few dozen tags, millions of times in a
    national year. A plain dict lookup; emptied when a file full of made-up tags would let it grow."""

    def __missing__(self, tag: str) -> str:
        if len(self) >= 4096:
            self.clear()
        local = self[tag] = tag.rsplit("}", 1)[-1]
        return local


_LOCAL = _LocalNames()


def _flatten(element: etree._Element, prefix: str = "", values: dict[str, str] | None = None) -> dict[str, str]:
    """Leaf values by path of local names: {"ProductPeriode/Begindatum": "2025-04-01", ...}. Nested elements
    write into the same dict (one per record, not one per level: this runs for every element kept)."""
    if values is None:
        values = {}
    for child in element:
        tag = child.tag
        if type(tag) is not str:  # a comment or processing instruction
            continue
        path = prefix + _LOCAL[tag]
        if len(child):
            _flatten(child, path + "/", values)
        else:
            text = child.text
            values[path] = text.strip() if text else ""
    return values


def parse_message(
    stream: BinaryIO, spec: MessageSpec, pseudonymise: Callable[[str], str], chunk_size: int = 5000
) -> Iterator[Chunk]:
    """Yield Chunks of one iJw file. Raises FileRejected when the file as a whole cannot be read; the caller then
    discards what it received of that file, so a file loads whole or not at all."""
    reader = _Reader(spec, pseudonymise)
    rows: list[dict] = []
    rejections: list[Rejection] = []
    parser = _parsers.pop(spec.event_tags, None) or _pull_parser(spec)
    try:
        for element in _elements(parser, stream):
            outcome = reader.end(element)
            if outcome is None:
                continue
            if isinstance(outcome, Rejection):
                rejections.append(outcome)
            else:
                rows.append(outcome)
            if len(rows) + len(rejections) >= chunk_size:
                yield Chunk(rows, rejections)
                rows, rejections = [], []
    except etree.XMLSyntaxError as exc:
        raise syntax_rejection(exc, stream) from None
    # Kept for the next file only when this one was read to its end without an error: a parser left mid-document
    # (a syntax error, a file refused by the reader) is dropped.
    _parsers[spec.event_tags] = parser
    if not reader.seen_root:
        raise _no_records(stream, spec)
    if rows or rejections:
        yield Chunk(rows, rejections)


# One pull parser per message spec and process, reused from file to file: setting up a parser cost a third of the
# parse of a typical one-client message.
_parsers: dict[tuple[str, ...], etree.XMLPullParser] = {}
_FEED_BYTES = 1 << 16


def _pull_parser(spec: MessageSpec) -> etree.XMLPullParser:
    # Only the elements the reader acts on raise events: most elements (names, addresses) never reach Python.
    return etree.XMLPullParser(events=("end",), tag=spec.event_tags, **SAFE_PARSING)


def _elements(parser: etree.XMLPullParser, stream: BinaryIO) -> Iterator[etree._Element]:
    """The end events of one document, fed in pieces so that a big file is never held as one tree."""
    while piece := stream.read(_FEED_BYTES):
        parser.feed(piece)
        for _event, element in parser.read_events():
            yield element
    parser.close()
    for _event, element in parser.read_events():
        yield element


def _no_records(stream: BinaryIO, spec: MessageSpec) -> FileRejected:
    """Well-formed, but not one element the spec knows: empty, or a message of another kind."""
    stream.seek(0)
    try:
        root = etree.parse(stream, etree.XMLParser(**SAFE_PARSING)).getroot()
    except etree.XMLSyntaxError as exc:
        return syntax_rejection(exc, stream)
    kind = kind_from_namespace(etree.QName(root).namespace)  # raises for a foreign or unsupported message
    if kind.code != spec.code:
        return FileRejected("unknown_message", f"{kind.code} aangeboden als {spec.code}")
    return FileRejected("header_invalid", "het bericht heeft geen kop (Header)")


@lru_cache(maxsize=64)  # a root tag is the same for every file of a message type; a failure is not cached
def _kind_of_root(tag: str) -> MessageKind:
    return kind_from_namespace(etree.QName(tag).namespace)


class _Reader:
    """The state of one pass: header, body context and the current client."""

    def __init__(self, spec: MessageSpec, pseudonymise: Callable[[str], str]):
        self.spec = spec
        self.client_names = spec.client_names
        self.context_names = spec.context_names
        self.pseudonymise = pseudonymise
        self.seen_root = False
        self.header: dict[str, object] = {}
        self.context: dict[str, str] = {}
        self.client: dict[str, str] = {}
        self.pseudonym: str | None = None
        self.bsn_problem: Rejection | None = None
        # Context and client values are the same for every record until the context or the client changes: typed
        # once (when one fails they are typed again for the next record, so each line gets its own rejection).
        self.shared: dict[str, object] | None = None
        self.shared_plan = spec.shared_plan
        self.record_plan = spec.record_plan

    def _check_root(self, element: etree._Element) -> None:
        self.seen_root = True
        kind = _kind_of_root(element.getroottree().getroot().tag)
        if kind.code != self.spec.code:
            raise FileRejected("unknown_message", f"{kind.code} aangeboden als {self.spec.code}")

    def end(self, element: etree._Element) -> dict | Rejection | None:
        if not self.seen_root:
            self._check_root(element)
        name = _LOCAL[element.tag]
        if name == self.spec.record:
            if not self.header:  # the Header comes first in every iJw message; without it a row has no gemeente
                raise FileRejected("header_invalid", "het bericht heeft geen kop (Header) vóór de eerste cliënt")
            try:
                return self._record(element)
            except fields.Invalid as invalid:
                return _at_line(invalid.rejection, element, self.spec.key)
            finally:
                element.clear(keep_tail=False)
        parent = element.getparent()
        parent_name = _LOCAL[parent.tag] if parent is not None else ""
        if name == "Header" and parent is not None and parent.getparent() is None:
            self.header = _header(element, self.spec)
            element.clear()
        elif parent_name == "Client":
            if name == "Bsn":
                self._bsn((element.text or "").strip(), element.sourceline)
            elif name in self.client_names:
                self.client.update(_flatten_one(element))
                self.shared = None
        elif name in self.context_names and parent_name != "Client":
            self.context.update(_flatten_one(element))
            self.shared = None
        elif name == "Client":
            self.client, self.pseudonym, self.bsn_problem, self.shared = {}, None, None, None
            element.clear()
            if parent is not None:  # drop finished clients so memory does not grow with the file
                while element.getprevious() is not None:
                    del parent[0]
        return None

    def _bsn(self, value: str, line: int) -> None:
        try:
            self.pseudonym = self.pseudonymise(fields.bsn(value, "Bsn", line, None))
            self.bsn_problem = None
        except fields.Invalid as invalid:
            self.pseudonym, self.bsn_problem = None, invalid.rejection

    def _record(self, element: etree._Element) -> dict:
        if self.bsn_problem is not None:
            raise fields.Invalid(self.bsn_problem)
        if self.pseudonym is None:
            raise fields.Invalid(rejection("missing_field", line=element.sourceline, field="Bsn"))
        line = element.sourceline
        values = _flatten(element)
        key = values.get(self.spec.key) or None
        shared = self.shared
        if shared is None:
            shared = {
                column: read(self.client if source == "client" else self.context, path, line, key)
                for column, source, path, read in self.shared_plan
            }
            self.shared = shared  # only once all of them are typed
        row: dict[str, object] = {"line": line, **self.header, "client_pseudonym": self.pseudonym, **shared}
        for column, path, read in self.record_plan:
            row[column] = read(values, path, line, key)
        if self.spec.check:
            self.spec.check(row, line, key)
        if self.spec.derive:
            row.update(self.spec.derive(row))
        return row


def _flatten_one(element: etree._Element) -> dict[str, str]:
    name = _LOCAL[element.tag]
    if len(element):
        return _flatten(element, name + "/")
    return {name: (element.text or "").strip()}


@cache
def _converter(spec_field: Field) -> Converter:
    """The reader of one field's value (fields.*), chosen once per field instead of once per value."""
    if spec_field.kind == "int":
        read: Converter = fields.integer
    elif spec_field.kind == "date":
        read = fields.ijw_date
    elif spec_field.kind == "year":

        def read(values: dict[str, str], path: str, line: int, key: str | None) -> object:
            return fields.ijw_date(values, path, line, key).year
    elif spec_field.kind == "code":
        codes = spec_field.codes or frozenset()

        def read(values: dict[str, str], path: str, line: int, key: str | None) -> object:
            return fields.code(values, path, line, key, codes)
    else:
        read = fields.required
    if spec_field.required:
        return read

    def optional(values: dict[str, str], path: str, line: int, key: str | None) -> object:
        return read(values, path, line, key) if values.get(path) else None

    return optional


def _header(element: etree._Element, spec: MessageSpec) -> dict[str, object]:
    values = _flatten(element)
    line = element.sourceline
    try:
        sender = fields.required(values, "Afzender", line, None)
        receiver = fields.required(values, "Ontvanger", line, None)
        gemeente, agb = (sender, receiver) if spec.gemeente_sends else (receiver, sender)
        if not (len(agb) == 8 and agb.isdigit()) or not (len(gemeente) == 4 and gemeente.isdigit()):
            raise FileRejected(
                "header_invalid", "Afzender en Ontvanger zijn geen AGB-code (8 cijfers) en gemeentecode (4 cijfers)"
            )
        return {
            "bericht_identificatie": fields.required(values, "BerichtIdentificatie/Identificatie", line, None),
            "dagtekening": fields.ijw_date(values, "BerichtIdentificatie/Dagtekening", line, None),
            "gemeentecode": f"GM{gemeente}",
            "aanbieder_agb": agb,
        }
    except fields.Invalid as invalid:
        raise FileRejected("header_invalid", invalid.rejection.reden) from None


def _at_line(found: Rejection, element: etree._Element, key_path: str) -> Rejection:
    """A client-level problem (the BSN) is reported on every record line it spoils, with that record's key."""
    if found.line == element.sourceline and found.record_key:
        return found
    key = _flatten(element).get(key_path) or found.record_key
    return Rejection(found.reason_code, found.reden, element.sourceline, key, found.field, found.value_masked)


def columns(spec: MessageSpec) -> list[str]:
    return list(spec.row_columns)


def as_tuples(rows: list[dict], spec: MessageSpec) -> list[tuple]:
    """Rows (as one chunk of parse_message holds them) as tuples in spec.row_columns order: what parse_file keeps.
    Between processes a tuple costs a third of a dict to unpickle, and the load writes it with a slice."""
    if rows and tuple(rows[0]) != spec.row_columns:  # every row of a chunk is built by the same code
        raise ValueError(f"{spec.code}: row columns {tuple(rows[0])} differ from {spec.row_columns}")
    return list(map(tuple, map(dict.values, rows)))


def _dtypes(spec: MessageSpec) -> dict[str, str]:
    """Fixed dtypes so that every chunk looks the same, whatever its values (pandas would infer otherwise)."""
    types = {
        "line": "int64",
        "bericht_identificatie": "str",
        "dagtekening": "object",
        "gemeentecode": "str",
        "aanbieder_agb": "str",
        "client_pseudonym": "str",
    }
    for f in spec.fields:
        if f.kind in ("int", "year"):
            types[f.column] = "int64" if f.required else "Int64"
        else:
            types[f.column] = "object" if f.kind == "date" else "str"
    types.update(dict(spec.derived))
    return types


def to_frame(rows: list[dict] | list[tuple], spec: MessageSpec) -> pd.DataFrame:
    """Rows of one message type (dicts as parse_message yields them, or tuples as as_tuples makes them) as a
    DataFrame with the spec's columns and fixed dtypes (for validation and analysis)."""
    frame = pd.DataFrame.from_records(rows, columns=columns(spec))
    return frame.astype(_dtypes(spec))
