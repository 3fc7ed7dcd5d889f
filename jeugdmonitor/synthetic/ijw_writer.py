"""Render iJw 3.2 messages as XML files, streaming, one message per file.

Why string writing and not an element tree: a national year holds millions of prestaties; building a tree per
declaratie would cost memory and time for nothing. The output follows the XSD sequence exactly, with the message
namespace for message elements and the `ijw` basisschema namespace for the children of basisschema types. Each
record's start tag (ToegewezenProduct, StartProduct, StopProduct, AangevraagdProduct, Prestatie) sits on its own
line, and the writer reports that line, so a planted defect can be located with lxml's `sourceline`.

JW301/305/307/315 hold exactly one Client per message (the XSD root is Header + Client), so they are one file per
client message. JW323 holds one declaratie per aanbieder, gemeente and month, split into parts when a file would
pass 25 MB.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from jeugdmonitor.synthetic.messages import (
    AangevraagdProduct,
    Declaratie,
    Defect,
    Message,
    Prestatie,
    StartProduct,
    StopProduct,
    ToegewezenProduct,
)
from jeugdmonitor.synthetic.world import month_end

NS = "http://www.istandaarden.nl/ijw/3_2/{}/schema"
BERICHT_CODE = {"JW301": "436", "JW305": "438", "JW307": "440", "JW315": "446", "JW323": "490"}
XSD_VERSIE = "1.0.0"  # BasisschemaXsdVersie and BerichtXsdVersie only have to match n.n.n
MAX_BYTES = 24_000_000  # stay under the 25 MB limit per file with a margin
XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>'


@dataclass
class WrittenFile:
    """A file written, relative to the output root, with its planted defects (file and line filled in)."""

    rel: str
    kind: str
    records: int
    defects: list[Defect] = field(default_factory=list)


def _d(d: date) -> str:
    return d.isoformat()


def batch(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def file_name(kind: str, afzender: str, ontvanger: str, ident: str) -> str:
    return f"{kind}_{afzender}_{ontvanger}_{ident}.xml"


def _header(p: str, kind: str, afzender: str, ontvanger: str, ident: str, dag: date) -> list[str]:
    return [
        f" <{p}:Header>",
        f"  <{p}:BerichtCode>{BERICHT_CODE[kind]}</{p}:BerichtCode>",
        f"  <{p}:BerichtVersie>3</{p}:BerichtVersie>",
        f"  <{p}:BerichtSubversie>2</{p}:BerichtSubversie>",
        f"  <{p}:Afzender>{afzender}</{p}:Afzender>",
        f"  <{p}:Ontvanger>{ontvanger}</{p}:Ontvanger>",
        f"  <{p}:BerichtIdentificatie><ijw:Identificatie>{ident}</ijw:Identificatie>"
        f"<ijw:Dagtekening>{_d(dag)}</ijw:Dagtekening></{p}:BerichtIdentificatie>",
        f"  <{p}:XsdVersie><ijw:BasisschemaXsdVersie>{XSD_VERSIE}</ijw:BasisschemaXsdVersie>"
        f"<ijw:BerichtXsdVersie>{XSD_VERSIE}</ijw:BerichtXsdVersie></{p}:XsdVersie>",
        f" </{p}:Header>",
    ]


def _root(p: str) -> str:
    return f'<{p}:Bericht xmlns:{p}="{NS.format(p)}" xmlns:ijw="{NS.format("basisschema")}">'


def _product(p: str, categorie: str, code: str) -> str:
    return f"<{p}:Product><ijw:Categorie>{categorie}</ijw:Categorie><ijw:Code>{code}</ijw:Code></{p}:Product>"


def _omvang(p: str, volume: int, eenheid: str, frequentie: str) -> str:
    return (
        f"<{p}:Omvang><ijw:Volume>{volume}</ijw:Volume><ijw:Eenheid>{eenheid}</ijw:Eenheid>"
        f"<ijw:Frequentie>{frequentie}</ijw:Frequentie></{p}:Omvang>"
    )


def _geslachtsnaam(m: Message) -> str:
    y = m.youth
    vv = f"<ijw:Voorvoegsel>{escape(y.voorvoegsel)}</ijw:Voorvoegsel>" if y.voorvoegsel else ""
    return f"<ijw:Geslachtsnaam><ijw:Achternaam>{escape(y.achternaam)}</ijw:Achternaam>{vv}</ijw:Geslachtsnaam>"


def _client_head(p: str, m: Message) -> list[str]:
    y = m.youth
    lines = [
        f" <{p}:Client>",
        f"  <{p}:Bsn>{m.bsn}</{p}:Bsn>",
        f"  <{p}:Geboortedatum><ijw:Datum>{_d(y.geboortedatum)}</ijw:Datum></{p}:Geboortedatum>",
        f"  <{p}:Geslacht>{y.geslacht}</{p}:Geslacht>",
    ]
    if m.kind == "JW301":
        lines.append(
            f"  <{p}:Naam>{_geslachtsnaam(m)}<ijw:Voornamen>{escape(y.voornaam)}</ijw:Voornamen>"
            f"<ijw:Voorletters>{y.voorletters}</ijw:Voorletters><ijw:NaamGebruik>1</ijw:NaamGebruik></{p}:Naam>"
        )
        if m.juridische_status:
            lines.append(f"  <{p}:JuridischeStatus>{m.juridische_status}</{p}:JuridischeStatus>")
        if m.vertegenwoordiging:
            lines.append(
                f"  <{p}:WettelijkeVertegenwoordiging>{m.vertegenwoordiging}</{p}:WettelijkeVertegenwoordiging>"
            )
        lines.append(
            f"  <{p}:Contactgegevens><{p}:Contact><{p}:Soort>01</{p}:Soort><{p}:Adres><ijw:Huis>"
            f"<ijw:Huisnummer>{y.huisnummer}</ijw:Huisnummer></ijw:Huis><ijw:Postcode>{y.postcode}</ijw:Postcode>"
            f"<ijw:Straatnaam>{escape(y.straat)}</ijw:Straatnaam>"
            f"<ijw:Plaatsnaam>{escape(m.plaats)}</ijw:Plaatsnaam></{p}:Adres></{p}:Contact></{p}:Contactgegevens>"
        )
    else:
        lines.append(f"  <{p}:Naam>{_geslachtsnaam(m)}<ijw:Voorletters>{y.voorletters}</ijw:Voorletters></{p}:Naam>")
    return lines


def _toegewezen(p: str, r: ToegewezenProduct) -> list[str]:
    lines = [f"   <{p}:ToegewezenProduct>", f"    <{p}:ToewijzingNummer>{r.nummer}</{p}:ToewijzingNummer>"]
    if r.referentie:
        lines.append(f"    <{p}:ReferentieAanbieder>{escape(r.referentie)}</{p}:ReferentieAanbieder>")
    lines += [
        f"    {_product(p, r.categorie, r.code)}",
        f"    <{p}:Toewijzingsdatum>{_d(r.datum)}</{p}:Toewijzingsdatum>",
        f"    <{p}:Toewijzingstijd>{r.tijd}</{p}:Toewijzingstijd>",
        f"    <{p}:Ingangsdatum>{_d(r.ingang)}</{p}:Ingangsdatum>",
        f"    <{p}:Einddatum>{_d(r.eind)}</{p}:Einddatum>",
    ]
    if r.reden:
        lines.append(f"    <{p}:RedenWijziging>{r.reden}</{p}:RedenWijziging>")
    lines += [f"    {_omvang(p, r.volume, r.eenheid, r.frequentie)}", f"   </{p}:ToegewezenProduct>"]
    return lines


def _start(p: str, r: StartProduct) -> list[str]:
    return [
        f"   <{p}:StartProduct>",
        f"    <{p}:ToewijzingNummer>{r.nummer}</{p}:ToewijzingNummer>",
        f"    {_product(p, r.categorie, r.code)}",
        f"    <{p}:ToewijzingIngangsdatum>{_d(r.ingang)}</{p}:ToewijzingIngangsdatum>",
        f"    <{p}:Begindatum>{_d(r.begin)}</{p}:Begindatum>",
        f"    <{p}:StatusAanlevering>{r.status}</{p}:StatusAanlevering>",
        f"   </{p}:StartProduct>",
    ]


def _stop(p: str, r: StopProduct) -> list[str]:
    return [
        f"   <{p}:StopProduct>",
        f"    <{p}:ToewijzingNummer>{r.nummer}</{p}:ToewijzingNummer>",
        f"    {_product(p, r.categorie, r.code)}",
        f"    <{p}:ToewijzingIngangsdatum>{_d(r.ingang)}</{p}:ToewijzingIngangsdatum>",
        f"    <{p}:Begindatum>{_d(r.begin)}</{p}:Begindatum>",
        f"    <{p}:RedenBeeindiging>{r.reden}</{p}:RedenBeeindiging>",
        f"    <{p}:Einddatum>{_d(r.eind)}</{p}:Einddatum>",
        f"    <{p}:StatusAanlevering>{r.status}</{p}:StatusAanlevering>",
        f"   </{p}:StopProduct>",
    ]


def _aangevraagd(p: str, r: AangevraagdProduct) -> list[str]:
    verwijzer = f"<ijw:Type>{r.verwijzer}</ijw:Type>"
    if r.verwijzer_naam:
        verwijzer += f"<ijw:Naam>{escape(r.verwijzer_naam)}</ijw:Naam>"
    if r.verwijzer_agb and r.verwijzer in ("02", "03", "04", "05"):  # CD068: no AGB for other types
        verwijzer += f"<ijw:ZorgverlenerCode>{r.verwijzer_agb}</ijw:ZorgverlenerCode>"
    return [
        f"   <{p}:AangevraagdProduct>",
        f"    <{p}:ReferentieAanbieder>{escape(r.referentie)}</{p}:ReferentieAanbieder>",
        f"    {_product(p, r.categorie, r.code)}",
        f"    <{p}:ToewijzingIngangsdatum>{_d(r.ingang)}</{p}:ToewijzingIngangsdatum>",
        f"    <{p}:ToewijzingEinddatum>{_d(r.eind)}</{p}:ToewijzingEinddatum>",
        f"    {_omvang(p, r.volume, r.eenheid, r.frequentie)}",
        f"    <{p}:Verwijzer>{verwijzer}</{p}:Verwijzer>",
        f"   </{p}:AangevraagdProduct>",
    ]


# message type -> (container element, renderer of one of its records)
_RECORDS: dict[str, tuple[str, Callable[[str, Any], list[str]]]] = {
    "JW301": ("ToegewezenProducten", _toegewezen),
    "JW305": ("StartProducten", _start),
    "JW307": ("StopProducten", _stop),
    "JW315": ("AangevraagdeProducten", _aangevraagd),
}


def render_message(m: Message) -> tuple[str, list[int]]:
    """The XML text of a client message and the line of each record's start tag."""
    p = m.kind.lower()
    lines = [XML_DECL, _root(p), *_header(p, m.kind, m.afzender, m.ontvanger, m.ident, m.dag), *_client_head(p, m)]
    container, render = _RECORDS[m.kind]
    lines.append(f"  <{p}:{container}>")
    record_lines = []
    for r in m.records:
        record_lines.append(len(lines) + 1)
        lines.extend(render(p, r))
    lines += [f"  </{p}:{container}>", f" </{p}:Client>", f"</{p}:Bericht>", ""]
    return "\n".join(lines), record_lines


def _write(root: Path, rel: str, data: bytes) -> None:
    """Write a file, creating its folder once per run (tens of thousands of files share a few folders)."""
    folder = rel.rsplit("/", 1)[0]
    key = (str(root), folder)
    if key not in _MADE:
        (root / folder).mkdir(parents=True, exist_ok=True)
        _MADE.add(key)
    with open(os.path.join(root, rel), "wb") as f:
        f.write(data)


_MADE: set[tuple[str, str]] = set()


def forget_folders() -> None:
    """Called at the start of a run: folders may have been removed since the last one."""
    _MADE.clear()


def write_message(root: Path, m: Message) -> WrittenFile:
    rel = f"ijw/{batch(m.dag)}/{file_name(m.kind, m.afzender, m.ontvanger, m.ident)}"
    text, record_lines = render_message(m)
    _write(root, rel, text.encode("utf-8"))
    wf = WrittenFile(rel, m.kind, len(m.records))
    for r, line in zip(m.records, record_lines, strict=True):
        if r.defect is not None:
            r.defect.file, r.defect.line = rel, line
            wf.defects.append(r.defect)
    return wf


# --- JW323 -------------------------------------------------------------------------------------------------------
def _prestatie(p: Prestatie) -> list[str]:
    vorig = f"<ijw:VorigReferentieNummer>{p.vorig}</ijw:VorigReferentieNummer>" if p.vorig else ""
    lines = [
        "     <jw323:Prestatie>",
        f"      <jw323:ProductReferentie><ijw:ReferentieNummer>{p.referentie}</ijw:ReferentieNummer>{vorig}"
        "</jw323:ProductReferentie>",
        f"      <jw323:ToewijzingNummer>{p.nummer}</jw323:ToewijzingNummer>",
        f"      <jw323:ProductCategorie>{p.categorie}</jw323:ProductCategorie>",
        f"      <jw323:ProductCode>{p.code}</jw323:ProductCode>",
        f"      <jw323:ProductPeriode><ijw:Begindatum>{_d(p.begin)}</ijw:Begindatum>"
        f"<ijw:Einddatum>{_d(p.eind)}</ijw:Einddatum></jw323:ProductPeriode>",
        f"      <jw323:GeleverdVolume>{p.volume}</jw323:GeleverdVolume>",
        f"      <jw323:Eenheid>{p.eenheid}</jw323:Eenheid>",
    ]
    if p.tarief is not None:
        lines.append(f"      <jw323:ProductTarief>{p.tarief}</jw323:ProductTarief>")
    lines += [
        f"      <jw323:IngediendBedrag><ijw:Bedrag>{p.bedrag}</ijw:Bedrag>"
        f"<ijw:DebetCredit>{p.dc}</ijw:DebetCredit></jw323:IngediendBedrag>",
        "     </jw323:Prestatie>",
    ]
    return lines


def _client_block(bsn: str, prestaties: list[Prestatie]) -> tuple[list[str], list[int]]:
    """Lines of one Client and the offsets (0-based, within the block) of its Prestatie start tags."""
    lines = ["   <jw323:Client>", f"    <jw323:Bsn>{bsn}</jw323:Bsn>", "    <jw323:Prestaties>"]
    offsets = []
    for p in prestaties:
        offsets.append(len(lines))
        lines.extend(_prestatie(p))
    lines += ["    </jw323:Prestaties>", "   </jw323:Client>"]
    return lines, offsets


def write_declaratie(root: Path, d: Declaratie) -> list[WrittenFile]:
    """Write one JW323 (more than one file when it would pass MAX_BYTES). The declaratie's total is the signed
    sum of its lines (TR358), plus any planted offset."""
    yymm = f"{d.maand.year % 100:02d}{d.maand.month:02d}"
    blocks = []
    for c in d.sorted_clients():
        lines, offsets = _client_block(c.bsn, c.prestaties)
        size = sum(len(x) + 1 for x in lines) + sum(len(x.encode()) - len(x) for x in lines if not x.isascii())
        blocks.append((c, lines, offsets, size))
    parts: list[list] = [[]]
    size = 0
    for b in blocks:
        if parts[-1] and size + b[3] > MAX_BYTES - 4000:
            parts.append([])
            size = 0
        parts[-1].append(b)
        size += b[3]
    written = []
    m_end = month_end(d.maand)
    for n, part in enumerate(parts, start=1):
        ident = f"C{d.gemeente}{yymm}{n:02d}"
        rel = f"ijw/{batch(d.dag)}/{file_name('JW323', d.agb, d.gemeente, ident)}"
        total = sum(p.signed for c, *_ in part for p in c.prestaties)
        if n == 1:
            total += d.total_offset
        lines = [
            XML_DECL,
            _root("jw323"),
            *_header("jw323", "JW323", d.agb, d.gemeente, ident, d.dag),
            " <jw323:Declaratie>",
            f"  <jw323:DeclaratieNummer>D{d.gemeente}{yymm}{n:02d}</jw323:DeclaratieNummer>",
            f"  <jw323:DeclaratiePeriode><ijw:Begindatum>{_d(d.maand)}</ijw:Begindatum>"
            f"<ijw:Einddatum>{_d(m_end)}</ijw:Einddatum></jw323:DeclaratiePeriode>",
            f"  <jw323:DeclaratieDagtekening>{_d(d.dag)}</jw323:DeclaratieDagtekening>",
        ]
        total_line = len(lines) + 1
        lines += [
            f"  <jw323:TotaalIngediendBedrag><ijw:TotaalBedrag>{abs(total)}</ijw:TotaalBedrag>"
            f"<ijw:DebetCredit>{'D' if total >= 0 else 'C'}</ijw:DebetCredit></jw323:TotaalIngediendBedrag>",
            "  <jw323:Clienten>",
        ]
        wf = WrittenFile(rel, "JW323", 0)
        if n == 1 and d.defect is not None:
            d.defect.file, d.defect.line = rel, total_line
            wf.defects.append(d.defect)
        for c, block, offsets, _ in part:
            base = len(lines) + 1
            for p, off in zip(c.prestaties, offsets, strict=True):
                if p.defect is not None:
                    p.defect.file, p.defect.line = rel, base + off
                    wf.defects.append(p.defect)
            wf.records += len(c.prestaties)
            lines.extend(block)
        lines += ["  </jw323:Clienten>", " </jw323:Declaratie>", "</jw323:Bericht>", ""]
        _write(root, rel, "\n".join(lines).encode("utf-8"))
        written.append(wf)
    return written
