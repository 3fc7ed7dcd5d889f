"""JW323 declaratie → staging rows, one per Prestatie, streamed.

Memory stays flat whatever the file size: elements are cleared as soon as they are read. The BSN is replaced by
its pseudonym here, at parse time; no row or rejection that leaves this module carries it.
Business rules across lines (amount = volume × tarief, totals, credits) are checked later by the GX suite; here
only what makes a line unreadable is rejected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import pandas as pd
from lxml import etree

from transforms.ijw import fields
from transforms.ijw.message import kind_from_namespace, syntax_rejection
from transforms.reasons import FileRejected, Rejection

COLUMNS = [
    "line", "bericht_identificatie", "dagtekening", "aanbieder_agb", "gemeentecode", "declaratie_nummer",
    "declaratie_periode_begin", "declaratie_periode_eind", "client_pseudonym", "referentie_nummer",
    "vorig_referentie_nummer", "toewijzing_nummer", "product_categorie", "product_code", "product_periode_begin",
    "product_periode_eind", "geleverd_volume", "eenheid", "product_tarief", "ingediend_bedrag", "debet_credit",
    "bedrag",
]
DEBET_CREDIT = frozenset({"D", "C"})
EENHEDEN = frozenset({"01", "04", "14", "16", "82", "83", "84"})  # WJ756


@dataclass
class Chunk:
    """Up to `chunk_size` parsed Prestaties: the rows that load and the lines that go to quarantine."""

    rows: pd.DataFrame
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def lines_read(self) -> int:
        return len(self.rows) + len(self.rejections)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _flatten(element: etree._Element) -> dict[str, str]:
    """Child values by local name; grouped children as 'Group/Child' (ProductPeriode/Begindatum)."""
    values: dict[str, str] = {}
    for child in element:
        name = _local(child.tag)
        if len(child):
            for grandchild in child:
                values[f"{name}/{_local(grandchild.tag)}"] = (grandchild.text or "").strip()
        else:
            values[name] = (child.text or "").strip()
    return values


def parse_jw323(stream: BinaryIO, pseudonymise: Callable[[str], str], chunk_size: int = 5000) -> Iterator[Chunk]:
    """Yield Chunks of a JW323 file. Raises FileRejected when the file as a whole cannot be read; the caller then
    discards what it received of that file, so a file loads whole or not at all."""
    header: dict[str, object] = {}
    bsn: str | None = None
    bsn_problem: Rejection | None = None
    rows: list[dict] = []
    rejections: list[Rejection] = []
    seen_root = False
    try:
        context = etree.iterparse(stream, events=("start", "end"), resolve_entities=False, no_network=True,
                                  huge_tree=False)
        for event, element in context:
            name = _local(element.tag)
            if event == "start":
                if not seen_root:
                    seen_root = True
                    kind = kind_from_namespace(etree.QName(element).namespace)
                    if kind.code != "JW323":
                        raise FileRejected("unknown_message", f"{kind.code} aangeboden als JW323")
                continue
            if name == "Header":
                header.update(_header(element))
                element.clear()
            elif name in ("DeclaratieNummer", "DeclaratieDagtekening"):
                header[name] = (element.text or "").strip()
            elif name == "DeclaratiePeriode":
                header.update({f"DeclaratiePeriode/{k}": v for k, v in _flatten(element).items()})
            elif name == "Bsn" and _local(element.getparent().tag) == "Client":
                bsn, bsn_problem = _client_bsn((element.text or "").strip(), element.sourceline)
            elif name == "Prestatie":
                try:
                    if bsn_problem is not None:
                        raise fields.Invalid(bsn_problem)
                    rows.append(_prestatie(element, header, pseudonymise(bsn)))
                except fields.Invalid as invalid:
                    rejections.append(_at_line(invalid.rejection, element))
                element.clear(keep_tail=False)
                if len(rows) + len(rejections) >= chunk_size:
                    yield Chunk(_frame(rows), rejections)
                    rows, rejections = [], []
            elif name == "Client":
                bsn, bsn_problem = None, None
                element.clear()
                _drop_previous_siblings(element)
    except etree.XMLSyntaxError as exc:
        raise syntax_rejection(exc, stream) from None
    if not seen_root:
        raise FileRejected("empty_file")
    if rows or rejections:
        yield Chunk(_frame(rows), rejections)


def _header(element: etree._Element) -> dict[str, object]:
    values = _flatten(element)
    try:
        agb = fields.required(values, "Afzender", element.sourceline, None)
        gemeente = fields.required(values, "Ontvanger", element.sourceline, None)
        if not (len(agb) == 8 and agb.isdigit()) or not (len(gemeente) == 4 and gemeente.isdigit()):
            raise FileRejected("header_invalid", f"Afzender {agb!r} of Ontvanger {gemeente!r} klopt niet")
        return {
            "bericht_identificatie": fields.required(values, "BerichtIdentificatie/Identificatie",
                                                     element.sourceline, None),
            "dagtekening": fields.ijw_date(values, "BerichtIdentificatie/Dagtekening", element.sourceline, None),
            "aanbieder_agb": agb,
            "gemeentecode": f"GM{gemeente}",
        }
    except fields.Invalid as invalid:
        raise FileRejected("header_invalid", invalid.rejection.reden) from None


def _client_bsn(value: str, line: int) -> tuple[str | None, Rejection | None]:
    try:
        return fields.bsn(value, "Bsn", line, None), None
    except fields.Invalid as invalid:
        return None, invalid.rejection


def _prestatie(element: etree._Element, header: dict[str, object], pseudonym: str) -> dict:
    line = element.sourceline
    values = _flatten(element)
    key = values.get("ProductReferentie/ReferentieNummer") or None
    period_values = {k: header.get(k) for k in ("DeclaratiePeriode/Begindatum", "DeclaratiePeriode/Einddatum")}
    begin = fields.ijw_date(values, "ProductPeriode/Begindatum", line, key)
    end = fields.ijw_date(values, "ProductPeriode/Einddatum", line, key)
    fields.period(begin, end, "ProductPeriode", line, key)
    debet_credit = fields.code(values, "IngediendBedrag/DebetCredit", line, key, DEBET_CREDIT)
    amount = fields.integer(values, "IngediendBedrag/Bedrag", line, key)
    return {
        "line": line,
        "bericht_identificatie": header["bericht_identificatie"],
        "dagtekening": header["dagtekening"],
        "aanbieder_agb": header["aanbieder_agb"],
        "gemeentecode": header["gemeentecode"],
        "declaratie_nummer": fields.required(header, "DeclaratieNummer", line, key),  # type: ignore[arg-type]
        "declaratie_periode_begin": fields.ijw_date(period_values, "DeclaratiePeriode/Begindatum", line, key),  # type: ignore[arg-type]
        "declaratie_periode_eind": fields.ijw_date(period_values, "DeclaratiePeriode/Einddatum", line, key),  # type: ignore[arg-type]
        "client_pseudonym": pseudonym,
        "referentie_nummer": fields.required(values, "ProductReferentie/ReferentieNummer", line, key),
        "vorig_referentie_nummer": values.get("ProductReferentie/VorigReferentieNummer") or None,
        "toewijzing_nummer": fields.integer(values, "ToewijzingNummer", line, key),
        "product_categorie": fields.required(values, "ProductCategorie", line, key),
        "product_code": fields.required(values, "ProductCode", line, key),
        "product_periode_begin": begin,
        "product_periode_eind": end,
        "geleverd_volume": fields.integer(values, "GeleverdVolume", line, key),
        "eenheid": fields.code(values, "Eenheid", line, key, EENHEDEN),
        "product_tarief": fields.integer(values, "ProductTarief", line, key, optional=True),
        "ingediend_bedrag": amount,
        "debet_credit": debet_credit,
        "bedrag": -amount if debet_credit == "C" else amount,
    }


def _at_line(found: Rejection, element: etree._Element) -> Rejection:
    """A client-level problem (the BSN) is reported on every Prestatie line it spoils."""
    if found.line == element.sourceline:
        return found
    key = None
    for child in element:
        if _local(child.tag) == "ProductReferentie" and len(child):
            key = (child[0].text or "").strip() or None
    return Rejection(found.reason_code, found.reden, element.sourceline, key, found.field, found.value_masked)


def _drop_previous_siblings(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


# Fixed dtypes so that every chunk looks the same, whatever its values (pandas infers otherwise).
_INTEGER = ["line", "toewijzing_nummer", "geleverd_volume", "ingediend_bedrag", "bedrag"]
_DTYPES = {c: ("int64" if c in _INTEGER else "Int64" if c == "product_tarief" else "object" if "periode" in c
               or c == "dagtekening" else "str") for c in COLUMNS}


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=COLUMNS).astype(_DTYPES)
