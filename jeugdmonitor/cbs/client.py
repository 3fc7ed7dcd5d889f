"""A robust client for CBS StatLine: OData v3 (ODataFeed, opendata.cbs.nl) and v4 (datasets.cbs.nl) behind one
interface, returning table metadata and observations in long format with CBS codes (never labels).

Why not the `cbsodata` package: it has no retry and no timeout, `get_data()` swaps codes for labels, an old
version duplicated the query on every nextLink, and it speaks v3 only (cbs.md §1.9). See docs/cbs-client.md.

Failure handling, in two layers:
- urllib3's `Retry` (mounted on the session) retries connection errors, errors before the status line and the
  statuses 429/500/502/503/504 with exponential backoff, honouring `Retry-After`. When it gives up, the last
  response comes back and becomes `CbsUnavailable` carrying CBS's own error text. Every retry is logged (the
  host only) and counted in `CbsClient.retries_done`, so that a slow run says why.
- A body that breaks off after a 200 status line, or JSON cut short, is invisible to urllib3 (it has already
  handed the response over), so `_Transport.get_json` retries that one URL a bounded number of times itself.
Pages are fetched by following the server's nextLink verbatim; each `Page` carries its URL, so a run that
failed can resume where it stopped with `pages(..., resume_url=page.next_url)`.
"""

from __future__ import annotations

import json
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from jeugdmonitor.redact import scrubbed_url

log = logging.getLogger(__name__)

__all__ = [
    "Category",
    "CbsClient",
    "CbsError",
    "CbsProtocolError",
    "CbsRequestError",
    "CbsUnavailable",
    "Dimension",
    "Measure",
    "Page",
    "TableInfo",
    "make_client",
    "period_filter",
]

RETRY_STATUSES = (429, 500, 502, 503, 504)
DIMENSION_KINDS = ("Dimension", "TimeDimension", "GeoDimension")
DISCONTINUED = ("Stopgezet", "Gediscontinueerd")
PERIOD_DIMENSION = "Perioden"
_PERIOD_STATUS = {
    "Definitief": "Definitief",
    "Voorlopig": "Voorlopig",
    "Nader voorlopig": "Nader voorlopig",
    "NaderVoorlopig": "Nader voorlopig",
}  # v4 writes it without the space (cbs.md §2.3)
_QUERY_SAFE = "$(),'*:"  # kept readable in URLs (and in logs); spaces and & = + are encoded


# -- errors -----------------------------------------------------------------------------------------------


class CbsError(Exception):
    """Base of everything this client raises about CBS."""


class CbsUnavailable(CbsError):
    """CBS could not be reached, or kept failing after the retries."""

    def __init__(self, url: str, status: int | None, detail: str, attempts: int | None = None):
        self.url = url
        self.status = status
        self.detail = detail  # CBS's own error text when it sent one
        self.attempts = attempts
        what = f"HTTP {status}" if status is not None else "geen antwoord"
        tries = f" na {attempts} pogingen" if attempts else ""
        text = f": {detail}" if detail else ""
        super().__init__(f"CBS StatLine is niet bereikbaar ({what}{tries}){text} [{scrubbed_url(url)}]")


class CbsRequestError(CbsError):
    """CBS refused the request (a 4xx other than 429): a wrong table id, filter or select. Retrying won't help."""

    def __init__(self, url: str, status: int, detail: str):
        self.url = url
        self.status = status
        self.detail = detail
        super().__init__(
            f"CBS StatLine weigert het verzoek (HTTP {status}): {detail or 'geen toelichting'} [{scrubbed_url(url)}]"
        )


class CbsProtocolError(CbsError):
    """A response we cannot understand: not JSON (even after retries) or not the shape OData promises."""


# -- results ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableInfo:
    table_id: str
    title: str
    modified: str
    frequency: str
    status: str  # "Regulier" | "Stopgezet" | "Gediscontinueerd"; in v3 "Stopgezet" comes from Frequency
    short_description: str

    @property
    def discontinued(self) -> bool:
        return self.status in DISCONTINUED


@dataclass(frozen=True)
class Dimension:
    key: str
    title: str
    kind: str  # "Dimension" | "TimeDimension" | "GeoDimension"


@dataclass(frozen=True)
class Measure:
    key: str
    title: str
    unit: str
    decimals: int | None


@dataclass(frozen=True)
class Category:
    key: str  # stripped
    raw_key: str  # as CBS has it (padded in v3): what a `$filter ... eq` needs
    title: str
    status: str | None  # periods only: "Definitief" | "Voorlopig" | "Nader voorlopig"


@dataclass(frozen=True)
class Page:
    url: str  # the URL that produced this page: store it to resume
    next_url: str | None  # None on the last page
    # {"measure": str, "dimensions": {dim_key: stripped code}, "value": float | None, "value_attribute": str};
    # observations of a text measure (the Gebieden tables) also carry "string_value": str | None.
    observations: list[dict]


# -- HTTP -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """What it takes to turn a table's data rows into observations."""

    dimension_keys: list[str]
    measure_keys: set[str]  # empty when unknown (v4 does not need them)
    text_measures: set[str]


class _BrokenBody(Exception):
    """The status line came but the body did not arrive whole or is not JSON; worth another try."""

    def __init__(self, reason: str, not_json: bool):
        super().__init__(reason)
        self.reason = reason
        self.not_json = not_json


class _LoggedRetry(Retry):
    """urllib3's Retry that tells `on_retry` of every retry it is about to make (not of the last, failed one)."""

    on_retry: Callable[[str, float], None] | None = None

    def new(self, **kw: Any) -> Self:
        made = super().new(**kw)
        made.on_retry = self.on_retry
        return made

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None) -> Self:
        made = super().increment(method, url, response, error, _pool, _stacktrace)  # raises when exhausted
        if self.on_retry is not None:
            why = f"HTTP {response.status}" if response is not None and response.status else type(error).__name__
            self.on_retry(why, made.get_backoff_time())
        return made


class _Transport:
    """One session with a retrying adapter, a timeout on every request and JSON decoding."""

    def __init__(self, *, timeout: float, retries: int, backoff: float, session: requests.Session | None):
        self.timeout = timeout
        self.backoff = backoff
        self.body_attempts = retries + 1
        self.retries_done = 0  # requests sent again (status, connection or broken body): the run summary counts them
        self._current_url = ""
        self._own_session = session is None
        self.session = session or requests.Session()
        retry = _LoggedRetry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            backoff_factor=backoff,
            status_forcelist=RETRY_STATUSES,
            respect_retry_after_header=True,
            allowed_methods={"GET"},
            raise_on_status=False,
        )
        retry.on_retry = self._retrying
        adapter = HTTPAdapter(max_retries=retry)
        # Mounted on a caller's session too: without it that session would not retry at all.
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers.setdefault("Accept", "application/json")

    def close(self) -> None:
        if self._own_session:
            self.session.close()

    def _retrying(self, why: str, delay: float) -> None:
        self.retries_done += 1
        log.warning("CBS request to %s failed (%s); retrying in %.2f s", scrubbed_url(self._current_url), why, delay)

    def get_json(self, url: str) -> dict:
        # urllib3's Retry only covers what happens up to the status line. A connection reset halfway through a
        # 10,000-row page or a JSON body cut short (cbs.md §4.3) arrive after it, so those are retried here: the
        # same URL, a bounded number of times, with the same exponential backoff.
        for attempt in range(1, self.body_attempts + 1):
            try:
                return self._get_once(url)
            except _BrokenBody as exc:
                if attempt == self.body_attempts:
                    if exc.not_json:
                        raise CbsProtocolError(
                            f"CBS StatLine stuurde {attempt} keer geen leesbare JSON ({exc.reason}) "
                            f"[{scrubbed_url(url)}]"
                        ) from None
                    raise CbsUnavailable(
                        url, None, f"verbinding verbroken tijdens het lezen ({exc.reason})", attempt
                    ) from None
                delay = self.backoff * 2 ** (attempt - 1)
                self.retries_done += 1
                log.warning(
                    "CBS response for %s was incomplete (%s); retry %d/%d in %.2f s",
                    scrubbed_url(url),
                    exc.reason,
                    attempt,
                    self.body_attempts - 1,
                    delay,
                )
                time.sleep(delay)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _get_once(self, url: str) -> dict:
        log.debug("GET %s", scrubbed_url(url))
        self._current_url = url
        try:
            # stream=True: the status retries happen inside this call, the body is read below, so an error
            # while reading the body is told apart from one while connecting.
            response = self.session.get(url, timeout=self.timeout, stream=True)
        except requests.RequestException as exc:
            # requests names the whole URL in its message (and its traceback would): only the type is kept, the
            # message ends with the host
            raise CbsUnavailable(url, None, type(exc).__name__, self.body_attempts) from None
        with response:
            try:
                body = response.content
            except (
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
                requests.ConnectionError,
            ) as exc:
                raise _BrokenBody(type(exc).__name__, not_json=False) from exc
        if response.status_code >= 400:
            detail = _error_detail(body)
            if response.status_code in RETRY_STATUSES:  # urllib3 has retried these already
                raise CbsUnavailable(url, response.status_code, detail, _attempts(response))
            raise CbsRequestError(url, response.status_code, detail)
        try:
            doc = json.loads(body)
        except ValueError as exc:
            raise _BrokenBody(f"{type(exc).__name__} after {len(body)} bytes", not_json=True) from exc
        if not isinstance(doc, dict):
            raise CbsProtocolError(
                f"CBS StatLine stuurde geen JSON-object maar {type(doc).__name__} [{scrubbed_url(url)}]"
            )
        return doc


def _attempts(response: requests.Response) -> int | None:
    retries = getattr(response.raw, "retries", None)
    history = getattr(retries, "history", None)
    return None if history is None else len(history) + 1


def _error_detail(body: bytes) -> str:
    """CBS's error text: v3 {"odata.error": {"message": {"value"}}}, v4 {"error": {"message"}}, else the start."""
    text = body.decode("utf-8", errors="replace")
    try:
        doc = json.loads(text)
    except ValueError:
        return text.strip()[:300]
    if isinstance(doc, dict):
        error = doc.get("odata.error") or doc.get("error") or {}
        message = error.get("message") if isinstance(error, dict) else None
        if isinstance(message, dict):
            message = message.get("value")
        if isinstance(message, str):
            return message
    return text.strip()[:300]


def _url(base: str, path: str, *params: tuple[str, str | None]) -> str:
    query = "&".join(f"{name}={quote(value, safe=_QUERY_SAFE)}" for name, value in params if value is not None)
    return f"{base}/{path}?{query}"


def _literal(value: str) -> str:
    """An OData string literal: single quotes, a quote inside doubled."""
    return "'" + value.replace("'", "''") + "'"


def _values(doc: dict, url: str) -> list[dict]:
    value = doc.get("value")
    if not isinstance(value, list):
        raise CbsProtocolError(f"CBS StatLine-antwoord zonder 'value'-lijst [{scrubbed_url(url)}]")
    return value


def _decimals(value: str | int | None) -> int | None:
    return None if value is None or value == "" else int(value)


def _number(raw: object, measure: str) -> float:
    """A cell of a numeric measure. Not a number: the table cannot be read as declared, and the error names the
    measure, not the value."""
    if isinstance(raw, bool):
        raise CbsProtocolError(f"onderwerp {measure} heeft een waarde die geen getal is")
    try:
        return float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CbsProtocolError(f"onderwerp {measure} heeft een waarde die geen getal is") from None


def _period_status(value: str | None) -> str | None:
    if value is None:
        return None
    return _PERIOD_STATUS.get(value, value)


# -- clients ----------------------------------------------------------------------------------------------


class CbsClient(ABC):
    """Metadata and paged observations of CBS tables; build one with `make_client`."""

    api: str
    _next_link_key: str

    def __init__(self, base_url: str, transport: _Transport):
        self.base_url = base_url.rstrip("/")
        self._transport = transport

    @abstractmethod
    def find_tables(self, title_startswith: str) -> list[TableInfo]:
        """Catalog lookup by the start of the title, e.g. "Gebieden in Nederland" (one ID per year)."""

    @abstractmethod
    def table_info(self, table_id: str) -> TableInfo: ...

    @abstractmethod
    def dimensions(self, table_id: str) -> list[Dimension]: ...

    @abstractmethod
    def measures(self, table_id: str) -> list[Measure]: ...

    @abstractmethod
    def categories(self, table_id: str, dimension: str) -> list[Category]: ...

    @abstractmethod
    def _layout(self, table_id: str) -> _Layout: ...

    @abstractmethod
    def _first_data_url(
        self, table_id: str, filter: str | None, measures: list[str] | None, layout: _Layout
    ) -> str: ...

    @abstractmethod
    def _observations(self, row: dict, layout: _Layout) -> Iterator[dict]: ...

    def pages(
        self,
        table_id: str,
        *,
        filter: str | None = None,
        measures: list[str] | None = None,
        resume_url: str | None = None,
    ) -> Iterator[Page]:
        """The table's observations page by page, following the server's next link verbatim.

        `filter` is an OData $filter (see `period_filter` to partition big tables); `measures` narrows the
        measures. With `resume_url` (a stored `Page.next_url`, or `Page.url` to redo a page) the first
        request is that URL as it is, and `filter`/`measures` are not applied again: the URL holds them.
        """
        if resume_url is not None and table_id not in resume_url:
            raise ValueError(f"resume_url {resume_url!r} is not a URL of table {table_id}")
        layout = self._layout(table_id)
        url: str | None = resume_url or self._first_data_url(table_id, filter, measures, layout)
        while url is not None:
            doc = self._transport.get_json(url)
            rows = _values(doc, url)
            next_url = doc.get(self._next_link_key)
            if next_url == url:
                raise CbsProtocolError(f"CBS StatLine verwijst naar dezelfde pagina terug [{scrubbed_url(url)}]")
            observations = [o for row in rows for o in self._observations(row, layout)]
            log.debug("CBS %s: %d rows from %s", table_id, len(rows), scrubbed_url(url))
            yield Page(url=url, next_url=next_url, observations=observations)
            url = next_url

    @property
    def retries_done(self) -> int:
        """Requests sent again so far (each one logged as a warning)."""
        return self._transport.retries_done

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> CbsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _all_values(self, url: str) -> list[dict]:
        """Every record of an entity, following next links should the server page it."""
        records: list[dict] = []
        next_url: str | None = url
        while next_url is not None:
            doc = self._transport.get_json(next_url)
            records.extend(_values(doc, next_url))
            following = doc.get(self._next_link_key)
            next_url = None if following == next_url else following
        return records


class _FeedClient(CbsClient):
    """OData v3 through ODataFeed (no cell limit, pages of 10,000 rows) and ODataCatalog."""

    api = "v3"
    _next_link_key = "odata.nextLink"

    def _entity_url(self, table_id: str, entity: str, *params: tuple[str, str | None]) -> str:
        return _url(self.base_url, f"ODataFeed/odata/{table_id}/{entity}", ("$format", "json"), *params)

    def find_tables(self, title_startswith: str) -> list[TableInfo]:
        url = _url(
            self.base_url,
            "ODataCatalog/Tables",
            ("$format", "json"),
            ("$filter", f"startswith(Title,{_literal(title_startswith)})"),
        )
        return [self._table_info(r) for r in self._all_values(url)]

    def table_info(self, table_id: str) -> TableInfo:
        records = self._all_values(self._entity_url(table_id, "TableInfos"))
        if not records:
            raise CbsProtocolError(f"CBS StatLine gaf geen TableInfos voor {table_id}")
        return self._table_info(records[0])

    @staticmethod
    def _table_info(record: dict) -> TableInfo:
        if record.get("Frequency") == "Stopgezet":
            status = "Stopgezet"
        elif record.get("OutputStatus") == "Gediscontinueerd":
            status = "Gediscontinueerd"
        else:
            status = "Regulier"
        return TableInfo(
            table_id=record["Identifier"],
            title=record["Title"],
            modified=record["Modified"],
            frequency=record.get("Frequency") or "",
            status=status,
            short_description=record.get("ShortDescription") or "",
        )

    def _data_properties(self, table_id: str) -> list[dict]:
        return self._all_values(self._entity_url(table_id, "DataProperties"))

    def dimensions(self, table_id: str) -> list[Dimension]:
        return [
            Dimension(p["Key"], p["Title"], p["Type"])
            for p in self._data_properties(table_id)
            if p["Type"] in DIMENSION_KINDS
        ]

    def measures(self, table_id: str) -> list[Measure]:
        return [self._measure(p) for p in self._data_properties(table_id) if p["Type"] == "Topic"]

    @staticmethod
    def _measure(prop: dict) -> Measure:
        return Measure(prop["Key"], prop["Title"], prop.get("Unit") or "", _decimals(prop.get("Decimals")))

    def categories(self, table_id: str, dimension: str) -> list[Category]:
        return [
            Category(key=r["Key"].strip(), raw_key=r["Key"], title=r["Title"], status=_period_status(r.get("Status")))
            for r in self._all_values(self._entity_url(table_id, dimension))
        ]

    def _layout(self, table_id: str) -> _Layout:
        props = self._data_properties(table_id)
        topics = [p for p in props if p["Type"] == "Topic"]
        return _Layout(
            dimension_keys=[p["Key"] for p in props if p["Type"] in DIMENSION_KINDS],
            measure_keys={p["Key"] for p in topics},
            text_measures={p["Key"] for p in topics if p.get("Datatype") == "String"},
        )

    def _first_data_url(self, table_id: str, filter: str | None, measures: list[str] | None, layout: _Layout) -> str:
        select = None
        if measures is not None:
            unknown = sorted(set(measures) - layout.measure_keys)
            if unknown or not measures:
                raise ValueError(f"{table_id} has no measure(s) {', '.join(unknown) or '(none given)'}")
            select = ",".join([*layout.dimension_keys, *measures])
        return self._entity_url(table_id, "TypedDataSet", ("$filter", filter), ("$select", select))

    def _observations(self, row: dict, layout: _Layout) -> Iterator[dict]:
        dims = {d: str(row[d]).strip() for d in layout.dimension_keys if d in row}
        text_measures = layout.text_measures
        # Only the Topics of DataProperties are measures: a column the metadata does not declare (CBS adds
        # some, e.g. a flag) is not a figure of the table and is left out.
        for column, raw in row.items():
            if column not in layout.measure_keys:
                continue
            # A typed v3 null stands for every kind of missing (secret, impossible, unknown: cbs.md §1.3,
            # §1.8); only the untyped set shows the symbol. "Missing" says exactly that much and no more.
            observation = {
                "measure": column,
                "dimensions": dict(dims),
                "value": None if raw is None or column in text_measures else _number(raw, column),
                "value_attribute": "Missing" if raw is None else "None",
            }
            if column in text_measures:
                observation["string_value"] = None if raw is None else str(raw).strip()
            yield observation


class _V4Client(CbsClient):
    """OData v4 (datasets.cbs.nl/odata/v1, catalog CBS): Observations are already long."""

    api = "v4"
    _next_link_key = "@odata.nextLink"

    def _entity_url(self, table_id: str, entity: str, *params: tuple[str, str | None]) -> str:
        return _url(self.base_url, f"CBS/{table_id}/{entity}", ("$format", "json"), *params)

    def find_tables(self, title_startswith: str) -> list[TableInfo]:
        url = _url(
            self.base_url,
            "CBS/Datasets",
            ("$format", "json"),
            ("$filter", f"startswith(Title,{_literal(title_startswith)})"),
        )
        return [self._table_info(r) for r in self._all_values(url)]

    def table_info(self, table_id: str) -> TableInfo:
        # Properties is a singleton: the record itself, not a "value" list.
        return self._table_info(self._transport.get_json(self._entity_url(table_id, "Properties")))

    @staticmethod
    def _table_info(record: dict) -> TableInfo:
        try:
            return TableInfo(
                table_id=record["Identifier"],
                title=record["Title"],
                modified=record["Modified"],
                frequency=record.get("Frequency") or "",
                status=record.get("Status") or "Regulier",
                short_description=record.get("ShortDescription") or record.get("Description") or "",
            )
        except KeyError as exc:
            raise CbsProtocolError(f"CBS v4-tabelgegevens zonder {exc}") from None

    def dimensions(self, table_id: str) -> list[Dimension]:
        return [
            Dimension(d["Identifier"], d["Title"], d.get("Kind") or "Dimension")
            for d in self._all_values(self._entity_url(table_id, "Dimensions"))
        ]

    def measures(self, table_id: str) -> list[Measure]:
        return [
            Measure(m["Identifier"], m["Title"], m.get("Unit") or "", _decimals(m.get("Decimals")))
            for m in self._all_values(self._entity_url(table_id, "MeasureCodes"))
        ]

    def categories(self, table_id: str, dimension: str) -> list[Category]:
        return [
            Category(
                key=c["Identifier"].strip(),
                raw_key=c["Identifier"],
                title=c["Title"],
                status=_period_status(c.get("Status")),
            )
            for c in self._all_values(self._entity_url(table_id, f"{dimension}Codes"))
        ]

    def _layout(self, table_id: str) -> _Layout:
        # Text comes in StringValue, so only the dimensions are needed to read a row.
        return _Layout([d.key for d in self.dimensions(table_id)], set(), set())

    def _first_data_url(self, table_id: str, filter: str | None, measures: list[str] | None, layout: _Layout) -> str:
        # v4 rows are one cell each, so narrowing measures is a filter on Measure rather than a $select.
        parts = [f"({filter})"] if filter else []
        if measures:
            parts.append("(" + " or ".join(f"Measure eq {_literal(m)}" for m in measures) + ")")
        combined = " and ".join(parts) if parts else None
        return self._entity_url(table_id, "Observations", ("$filter", combined))

    def _observations(self, row: dict, layout: _Layout) -> Iterator[dict]:
        value = row.get("Value")
        observation = {
            "measure": row["Measure"],
            "dimensions": {d: str(row[d]).strip() for d in layout.dimension_keys if d in row},
            "value": None if value is None else _number(value, row["Measure"]),
            "value_attribute": row.get("ValueAttribute") or "None",
        }
        if row.get("StringValue") is not None:
            observation["string_value"] = row["StringValue"]
        yield observation


_CLIENTS: dict[str, type[CbsClient]] = {"v3": _FeedClient, "v4": _V4Client}


def make_client(
    base_url: str,
    *,
    api: str = "v3",
    timeout: float = 30.0,
    retries: int = 5,
    backoff: float = 0.5,
    session: requests.Session | None = None,
) -> CbsClient:
    """A client for `base_url`: v3 "https://opendata.cbs.nl", v4 "https://datasets.cbs.nl/odata/v1".

    `retries` bounds both urllib3's retries and the retries of a broken body; `backoff` is the first wait in
    seconds, doubling each time; `timeout` applies to every request (connect and each read).
    """
    if api not in _CLIENTS:
        raise ValueError(f"api must be one of {sorted(_CLIENTS)}, got {api!r}")
    if retries < 0:
        raise ValueError("retries must not be negative")
    transport = _Transport(timeout=timeout, retries=retries, backoff=backoff, session=session)
    return _CLIENTS[api](base_url, transport)


def period_filter(categories: list[Category], keys: list[str]) -> list[str]:
    """One `$filter` per period, with the key exactly as CBS has it: ["Perioden eq '2025HJ01'", …].

    `categories` are the Perioden categories of the table; `keys` may be stripped or raw. An unknown key is
    an error rather than an empty download.
    """
    by_key = {c.key: c for c in categories}
    filters = []
    for key in keys:
        category = by_key.get(key.strip())
        if category is None:
            raise ValueError(f"period {key!r} is not among the table's {len(categories)} periods")
        filters.append(f"{PERIOD_DIMENSION} eq {_literal(category.raw_key)}")
    return filters
