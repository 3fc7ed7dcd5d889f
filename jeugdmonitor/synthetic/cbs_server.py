"""A local stand-in for CBS StatLine, serving the tree that `jeugdmonitor.synthetic.cbs_writer` writes.

It answers the v3 catalog, ODataFeed and ODataApi paths and the v4 paths under /odata/v1/CBS/ from the same
files, pages TypedDataSet and Observations itself (so the page size is the server's, not the writer's) and can
inject the faults CBS is known for (cbs.md §4): a 500 that will not go away, 503/429 throttling, a connection
dropped mid-body and a truncated JSON body. The tests use it, and so does the offline demo: `serving` starts
it for a configuration with `cbs.base_url = "fixture"` and points the flows at it.

    with FixtureServer(tree, page_size=500) as server:
        client = make_client(server.url)                        # v3
        client4 = make_client(server.v4_url, api="v4")          # v4
        server.add_fault(Fault("TypedDataSet", "500", times=None))

The files hold https://opendata.cbs.nl in every link; the server rewrites that to its own address.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from jeugdmonitor.cbs.connect import BASE_URL_ENV, FIXTURE
from jeugdmonitor.cbs.odata_filter import FilterError, parse_filter
from jeugdmonitor.config import Settings

log = logging.getLogger(__name__)

CBS_BASE = "https://opendata.cbs.nl"
API_CELL_LIMIT = 10_000  # ODataApi refuses a response with more cells than this (cbs.md §1.1)
FAULT_KINDS = frozenset({"500", "503", "429", "drop", "truncate"})
# The body CBS sends for a table it cannot read (cbs.md §4.4); retrying does not help.
CORRUPT_TABLE_MESSAGE = "Fout bij het lezen van kolom 'New0': Unable to read beyond the end of the stream."
_DIMENSION_TYPES = ("Dimension", "TimeDimension", "GeoDimension")
_V3_JSON = "application/json;odata=minimalmetadata;streaming=true;charset=utf-8"
_V4_JSON = "application/json;odata.metadata=minimal;charset=utf-8"
# v4 writes the period status without a space (cbs.md §2.3).
_V4_PERIOD_STATUS = {"Nader voorlopig": "NaderVoorlopig"}


@dataclass
class Fault:
    """Answer requests whose path+query contains `path_contains` with `kind`, `times` times (None: always)."""

    path_contains: str
    kind: str
    times: int | None = 1
    retry_after: int = 1  # seconds, for "429"

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; choose from {sorted(FAULT_KINDS)}")


@dataclass
class _Response:
    status: int
    body: bytes
    content_type: str = _V3_JSON
    headers: tuple[tuple[str, str], ...] = ()


class _RequestError(Exception):
    """Ends a request with an OData error body."""

    def __init__(self, status: int, message: str, v4: bool = False):
        super().__init__(message)
        self.status = status
        self.message = message
        self.v4 = v4


@dataclass
class _Table:
    table_id: str
    entities: dict[str, dict]  # v3 entity name -> the JSON document of its file
    rows: list[dict]  # TypedDataSet rows in ID order, keys padded as on disk
    dimensions: list[dict]  # DataProperties rows of the dimensions
    topics: list[dict]  # DataProperties rows with Type "Topic"
    _observations: list[dict] | None = None

    @property
    def columns(self) -> list[str]:
        return ["ID", *(d["Key"] for d in self.dimensions), *(t["Key"] for t in self.topics)]

    def observations(self) -> list[dict]:
        """The v4 Observations: one per non-null cell, and a Confidential one (Value null) per null cell."""
        if self._observations is None:
            self._observations = list(_v4_observations(self))
        return self._observations


@contextmanager
def serving(settings: Settings) -> Iterator[None]:
    """For `cbs.base_url = "fixture"`: serve paths.cbs_inbox on 127.0.0.1 meanwhile, and hand its URL to the
    flows (and the processes they start) as JEUGDMONITOR__CBS__BASE_URL. Any other base_url: nothing to do."""
    if settings.cbs.base_url != FIXTURE:
        yield
        return
    with FixtureServer(settings.paths.cbs_inbox) as server:
        before = os.environ.get(BASE_URL_ENV)
        os.environ[BASE_URL_ENV] = server.url if settings.cbs.api == "v3" else server.v4_url
        try:
            yield
        finally:
            if before is None:
                os.environ.pop(BASE_URL_ENV, None)
            else:
                os.environ[BASE_URL_ENV] = before


class FixtureServer:
    """CBS StatLine on 127.0.0.1 from a written tree; see the module docstring."""

    def __init__(self, tree: Path, page_size: int = 1000, *, faults: list[Fault] | None = None, port: int = 0):
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.tree = Path(tree)
        self.page_size = page_size
        self._lock = threading.Lock()
        self._faults: list[Fault] = list(faults or [])
        self._requests: list[str] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.fixture = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._tables: dict[str, _Table] = {}
        self._catalog: dict = {}
        self.reload()
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=f"cbs-fixture-{self.url}", daemon=True)
        self._thread.start()
        log.info("CBS fixture server for %s at %s", self.tree, self.url)

    @property
    def v4_url(self) -> str:
        """The base URL for an OData v4 client (the live one is https://datasets.cbs.nl/odata/v1)."""
        return f"{self.url}/odata/v1"

    @property
    def requests(self) -> list[str]:
        """A snapshot of the paths+queries served so far (percent-decoded), faulted ones included."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def add_fault(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def reload(self) -> None:
        """Read the tree again, e.g. after `make_revision` changed its files."""
        tables = {
            p.name: self._load_table(p) for p in sorted((self.tree / "ODataFeed" / "odata").iterdir()) if p.is_dir()
        }
        catalog = self._load_json(self.tree / "ODataCatalog" / "Tables.json")
        with self._lock:
            self._tables, self._catalog = tables, catalog

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FixtureServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- loading -----------------------------------------------------------------------------------------

    def _load_json(self, path: Path) -> dict:
        return json.loads(path.read_text(encoding="utf-8").replace(CBS_BASE, self.url))

    def _load_table(self, root: Path) -> _Table:
        entities = {p.stem: self._load_json(p) for p in root.glob("*.json")}  # "index": the service document
        pages = sorted((root / "TypedDataSet").glob("page-*.json"))
        rows = [row for page in pages for row in self._load_json(page)["value"]]
        props = entities["DataProperties"]["value"]
        return _Table(
            root.name,
            entities,
            rows,
            [p for p in props if p["Type"] in _DIMENSION_TYPES],
            [p for p in props if p["Type"] == "Topic"],
        )

    # -- request handling (called from the handler threads) ---------------------------------------------

    def _record(self, shown: str) -> Fault | None:
        """Log the request and take the first fault that matches it, counting it down."""
        with self._lock:
            self._requests.append(shown)
            for fault in self._faults:
                if fault.times == 0 or fault.path_contains not in shown:
                    continue
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    def _respond(self, raw_path: str) -> _Response:
        parts = urlsplit(raw_path)
        segments = [s for s in unquote(parts.path).split("/") if s]
        v4 = [s.lower() for s in segments[:3]] == ["odata", "v1", "cbs"]
        try:
            query = _parse_query(parts.query)
            with self._lock:
                tables, catalog = self._tables, self._catalog
            head = [s.lower() for s in segments[:2]]
            if head == ["odatacatalog", "tables"] and len(segments) == 2:
                return self._catalog_response(catalog, query)
            if len(segments) >= 3 and head[0] in ("odatafeed", "odataapi") and head[1] == "odata":
                return self._v3(raw_path, tables, segments[0], segments[2], segments[3:], query)
            if v4 and len(segments) >= 4:
                if segments[3:] == ["Datasets"]:
                    return self._v4_datasets(catalog, query)
                return self._v4(raw_path, tables, segments[3], segments[4:], query)
            raise _RequestError(404, f"Onbekend pad: {parts.path}", v4)
        except FilterError as exc:
            return _error(400, f"Ongeldige $filter: {exc}", v4)
        except _RequestError as exc:
            return _error(exc.status, exc.message, v4 or exc.v4)

    def _catalog_response(self, catalog: dict, query: dict[str, str]) -> _Response:
        _require_json(query)
        records = catalog["value"]
        if "$filter" in query:
            records = _apply_filter(records, query["$filter"], records[0].keys() if records else ())
        return _json({**catalog, "value": records})

    def _v3(
        self,
        raw_path: str,
        tables: dict[str, _Table],
        service: str,
        table_id: str,
        rest: list[str],
        query: dict[str, str],
    ) -> _Response:
        table = tables.get(table_id)
        if table is None:
            raise _RequestError(404, f"Tabel {table_id} bestaat niet.")
        api = service.lower() == "odataapi"
        if rest == ["TypedDataSet", "$count"]:
            rows = _apply_filter(table.rows, query["$filter"], table.columns) if "$filter" in query else table.rows
            return _Response(200, str(len(rows)).encode(), "text/plain;charset=utf-8")
        _require_json(query)
        if rest == ["TypedDataSet"]:
            return self._typed_dataset(raw_path, table, query, api)
        name = "index" if not rest else rest[0] if len(rest) == 1 and rest[0] != "index" else None
        if name not in table.entities:
            raise _RequestError(404, f"Entiteit {'/'.join(rest)} bestaat niet in tabel {table_id}.")
        doc = dict(table.entities[name])
        if api:  # the files carry Feed links; the ODataApi names itself
            doc["odata.metadata"] = doc["odata.metadata"].replace("/ODataFeed/", "/ODataApi/")
        return _json(doc)

    def _typed_dataset(self, raw_path: str, table: _Table, query: dict[str, str], api: bool) -> _Response:
        rows, columns = _filter_and_select(table.rows, query, table.columns)
        skip, top = _paging(query)
        service = "ODataApi" if api else "ODataFeed"
        doc: dict = {
            "odata.metadata": f"{self.url}/{service}/odata/{table.table_id}/$metadata#Cbs.OData.WebAPI.TypedDataSet"
        }
        if api:
            window = rows[skip:] if top is None else rows[skip : skip + top]
            cells = len(window) * len(columns)
            if cells > API_CELL_LIMIT:
                raise _RequestError(
                    400,
                    f"De gevraagde gegevens ({cells} cellen) overschrijden de limiet van "
                    f"{API_CELL_LIMIT} cellen. Gebruik een $filter of de ODataFeed.",
                )
            doc["value"] = window
            return _json(doc)
        return _json(self._page(doc, raw_path, rows, skip, top, "odata.nextLink"))

    def _page(self, doc: dict, raw_path: str, rows: list[dict], skip: int, top: int | None, link_name: str) -> dict:
        """One page from `skip`; with `$top` the server returns at most that many rows and no link."""
        size = self.page_size if top is None else min(top, self.page_size)
        doc["value"] = rows[skip : skip + size]
        if top is None and skip + size < len(rows):
            doc[link_name] = self._next_link(raw_path, skip + size)
        return doc

    def _next_link(self, raw_path: str, skip: int) -> str:
        """The request URL as it came, with `$skip` replaced: what CBS sends (cbs.md §1.4)."""
        parts = urlsplit(raw_path)
        kept = [p for p in parts.query.split("&") if p and unquote(p.split("=", 1)[0]) != "$skip"]
        return f"{self.url}{parts.path}?{'&'.join([*kept, f'$skip={skip}'])}"

    def _v4_datasets(self, catalog: dict, query: dict[str, str]) -> _Response:
        _require_json(query, v4=True)
        records = [_v4_dataset_record(r) for r in catalog["value"]]
        if "$filter" in query:
            records = _apply_filter(records, query["$filter"], records[0].keys() if records else ())
        return _json({"@odata.context": f"{self.v4_url}/CBS/$metadata#Datasets", "value": records}, v4=True)

    def _v4(
        self, raw_path: str, tables: dict[str, _Table], table_id: str, rest: list[str], query: dict[str, str]
    ) -> _Response:
        table = tables.get(table_id)
        if table is None:
            raise _RequestError(404, f"Dataset {table_id} bestaat niet.", v4=True)
        _require_json(query, v4=True)
        context = f"{self.v4_url}/CBS/{table_id}/$metadata"
        entity = rest[0] if len(rest) == 1 else None
        if not rest:
            names = [
                "Properties",
                "Dimensions",
                "MeasureCodes",
                "Observations",
                *(f"{d['Key']}Codes" for d in table.dimensions),
            ]
            value = [{"name": n, "kind": "Singleton" if n == "Properties" else "EntitySet", "url": n} for n in names]
            return _json({"@odata.context": context, "value": value}, v4=True)
        if entity == "Properties":
            return _json({"@odata.context": f"{context}#Properties", **_v4_properties(table)}, v4=True)
        if entity == "Dimensions":
            return _json({"@odata.context": f"{context}#Dimensions", "value": _v4_dimensions(table)}, v4=True)
        if entity == "MeasureCodes":
            return _json({"@odata.context": f"{context}#MeasureCodes", "value": _v4_measures(table)}, v4=True)
        if entity == "Observations":
            observations = table.observations()
            fields = ["Id", "Measure", "ValueAttribute", "Value", "StringValue", *(d["Key"] for d in table.dimensions)]
            rows, _ = _filter_and_select(observations, query, fields)
            doc = {"@odata.context": f"{context}#Observations"}
            skip, top = _paging(query)
            return _json(self._page(doc, raw_path, rows, skip, top, "@odata.nextLink"), v4=True)
        codes = {f"{d['Key']}Codes": d for d in table.dimensions}
        if entity in codes:
            value = _v4_codes(table.entities[codes[entity]["Key"]]["value"])
            return _json({"@odata.context": f"{context}#{entity}", "value": value}, v4=True)
        raise _RequestError(404, f"Entiteit {'/'.join(rest)} bestaat niet in dataset {table_id}.", v4=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive with Content-Length, as CBS; a "drop" closes the socket
    # Headers and body go out in separate writes; with Nagle on, each response waits ~40 ms for a delayed ACK.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        fixture: FixtureServer = self.server.fixture  # type: ignore[attr-defined]
        fault = fixture._record(unquote(self.path))
        if fault is not None and fault.kind in ("500", "503", "429"):
            response = _fault_response(fault)
        else:
            response = fixture._respond(self.path)
        if fault is not None and fault.kind == "drop":
            self._send_dropped(response)
        elif fault is not None and fault.kind == "truncate":
            half = response.body[: len(response.body) // 2]
            self._send(_Response(200, half, response.content_type, response.headers))
        else:
            self._send(response)

    def _send_head(self, response: _Response, length: int) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(length))
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()

    def _send(self, response: _Response) -> None:
        self._send_head(response, len(response.body))
        self.wfile.write(response.body)

    def _send_dropped(self, response: _Response) -> None:
        """Promise the whole body, send half of it and hang up: a reset in the middle of a page."""
        self._send_head(response, len(response.body))
        self.wfile.write(response.body[: len(response.body) // 2])
        self.wfile.flush()
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's signature)
        log.debug("fixture %s: " + format, self.address_string(), *args)


# -- helpers ----------------------------------------------------------------------------------------------


def _parse_query(query: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name in options:  # what a client that re-adds params to a nextLink sends (cbsodata #15)
            raise _RequestError(400, f"Query-optie {name} is meer dan eens opgegeven.")
        options[name] = value
    return options


def _require_json(query: dict[str, str], v4: bool = False) -> None:
    # Without $format=json the Feed may answer Atom XML (cbs.md §1.1); refuse loudly instead, so a client
    # that forgets it fails in the tests.
    if query.get("$format") != "json":
        raise _RequestError(400, "Alleen $format=json wordt door deze testserver ondersteund.", v4)


def _paging(query: dict[str, str]) -> tuple[int, int | None]:
    """$skip (0 when absent) and $top (None when absent) of a request."""
    return _int_option(query, "$skip") or 0, _int_option(query, "$top")


def _int_option(query: dict[str, str], name: str) -> int | None:
    if name not in query:
        return None
    try:
        value = int(query[name])
    except ValueError:
        raise _RequestError(400, f"{name} moet een geheel getal zijn.") from None
    if value < 0:
        raise _RequestError(400, f"{name} mag niet negatief zijn.")
    return value


def _apply_filter(rows: list[dict], text: str, fields) -> list[dict]:
    predicate = parse_filter(text, fields)
    return [r for r in rows if predicate(r)]


def _filter_and_select(rows: list[dict], query: dict[str, str], fields: list[str]) -> tuple[list[dict], list[str]]:
    if "$filter" in query:
        rows = _apply_filter(rows, query["$filter"], fields)
    if "$select" not in query:
        return rows, fields
    columns = [c.strip() for c in query["$select"].split(",") if c.strip()]
    unknown = [c for c in columns if c not in fields]
    if unknown:
        raise _RequestError(400, f"Onbekende eigenschap(pen) in $select: {', '.join(unknown)}")
    return [{c: r[c] for c in columns} for r in rows], columns


def _json(doc: dict, v4: bool = False) -> _Response:
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _Response(200, body, _V4_JSON if v4 else _V3_JSON)


def _error(status: int, message: str, v4: bool = False) -> _Response:
    if v4:
        doc: dict = {"error": {"code": str(status), "message": message}}
    else:
        doc = {"odata.error": {"code": "", "message": {"lang": "nl-NL", "value": message}}}
    return _Response(status, json.dumps(doc, ensure_ascii=False).encode("utf-8"), _V4_JSON if v4 else _V3_JSON)


def _fault_response(fault: Fault) -> _Response:
    if fault.kind == "500":
        return _error(500, CORRUPT_TABLE_MESSAGE)
    if fault.kind == "503":
        return _error(503, HTTPStatus.SERVICE_UNAVAILABLE.phrase)
    response = _error(429, "Te veel verzoeken; probeer het later opnieuw.")
    response.headers = (("Retry-After", str(fault.retry_after)),)
    return response


def _v3_status(record: dict) -> str:
    stopped = record.get("Frequency") == "Stopgezet" or record.get("OutputStatus") == "Gediscontinueerd"
    return "Gediscontinueerd" if stopped else "Regulier"


def _v4_dataset_record(record: dict) -> dict:
    return {
        "Identifier": record["Identifier"],
        "Title": record["Title"],
        "Modified": record["Modified"],
        "Status": _v3_status(record),
        "Frequency": record["Frequency"],
        "ObservationCount": record["RecordCount"],
        "ShortDescription": record["ShortDescription"],
    }


def _v4_properties(table: _Table) -> dict:
    info = table.entities["TableInfos"]["value"][0]
    return {
        "Identifier": info["Identifier"],
        "Title": info["Title"],
        "Modified": info["Modified"],
        "TemporalCoverage": info["Period"],
        "Status": _v3_status(info),
        "Frequency": info["Frequency"],
        "VersionReason": info["ReasonDelivery"],
        "ObservationCount": len(table.observations()),
        "DatasetType": "Numeric",
        "ShortDescription": info["ShortDescription"],
        "LongDescription": info["Description"],
    }


def _v4_dimensions(table: _Table) -> list[dict]:
    return [
        {
            "@odata.type": f"#Cbs.Ccb.Models.{d['Type']}",
            "Identifier": d["Key"],
            "Title": d["Title"],
            "Description": d["Description"],
            "Kind": d["Type"],
            "ContainsGroups": False,
            "ContainsCodes": True,
        }
        for d in table.dimensions
    ]


def _v4_measures(table: _Table) -> list[dict]:
    # Real v4 measure identifiers are codes such as M000352 (cbs.md §2.2); the fixture reuses the v3 Topic
    # key, so a v3 and a v4 download of the same tree name their measures alike.
    return [
        {
            "Identifier": t["Key"],
            "Index": i + 1,
            "Title": t["Title"],
            "Description": t["Description"],
            "MeasureGroupId": None,
            "DataType": t["Datatype"],
            "Unit": t["Unit"],
            "Decimals": t["Decimals"],
            "PresentationType": t["PresentationType"],
        }
        for i, t in enumerate(table.topics)
    ]


def _v4_codes(entries: list[dict]) -> list[dict]:
    codes = []
    for i, entry in enumerate(entries):
        code = {
            "Identifier": entry["Key"].strip(),
            "Index": i + 1,
            "Title": entry["Title"],
            "Description": entry.get("Description"),
            "DimensionGroupId": entry.get("CategoryGroupID"),
        }
        if "Status" in entry:
            code["Status"] = _V4_PERIOD_STATUS.get(entry["Status"], entry["Status"])
        codes.append(code)
    return codes


def _v4_observations(table: _Table):
    dims = [d["Key"] for d in table.dimensions]
    next_id = 0
    for row in table.rows:
        codes = {d: str(row[d]).strip() for d in dims}
        for topic in table.topics:
            value = row.get(topic["Key"])
            text = topic["Datatype"] == "String"
            observation = {
                "Id": next_id,
                "Measure": topic["Key"],
                # A null v3 cell cannot say why it is null; the fixture calls it Confidential, the common case.
                "ValueAttribute": "Confidential" if value is None else "None",
                "Value": None if value is None or text else float(value),
                "StringValue": value.strip() if text and value is not None else None,
                **codes,
            }
            next_id += 1
            yield observation


def serve_forever(tree: Path, port: int = 8765, page_size: int = 1000) -> None:
    """Serve `tree` on 127.0.0.1:`port` until interrupted (for the offline demo and manual poking)."""
    with FixtureServer(tree, page_size, port=port) as server:
        log.info("serving %s on %s (v4: %s); Ctrl-C stops", tree, server.url, server.v4_url)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
