"""Plant known defects in generated data, so that tests and demos can check that the pipeline quarantines them.

Record-level defects stay XSD-valid (the pipeline's own checks must catch them, not the schema); they are planted
in the message models before writing, each record at most one defect, at the given share. File-level defects (a
truncated XML, an XML declared UTF-8 but written in cp1252, one XSD-invalid file, an empty file) are planted once
each per run (in the first gemeente that has a suitable file) in written files that carry no record-level
defect. Every defect is listed in the manifest with its file and line: the line of the record's start tag (for a
client-level BSN defect, the client's first record; for a total mismatch, the TotaalIngediendBedrag element), the
row for JGT exports, null for file-level defects. BSNs in messages are masked.

Deliberate deviation from a first idea: an unknown ProductCategorie such as 99 is not XSD-valid (the basisschema
enumerates categories), so the unknown code is an unknown ProductCode in a valid category.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from jeugdmonitor.synthetic.ijw_writer import WrittenFile
from jeugdmonitor.synthetic.jgt_writer import FIELDS, Export, Row
from jeugdmonitor.synthetic.messages import ClientBlock, Declaratie, Defect, Message, Prestatie
from jeugdmonitor.synthetic.world import TOEWIJZING_BLOCK
from jeugdmonitor.transforms.bsn import is_valid_bsn, mask_bsn

INVALID_BSN = "invalid_bsn"
IMPOSSIBLE_DATE = "impossible_date"
AMOUNT_MISMATCH = "amount_mismatch"
TOTAL_MISMATCH = "total_mismatch"
UNKNOWN_CODE = "unknown_code"
DUPLICATE = "duplicate"
UNKNOWN_TOEWIJZING = "unknown_toewijzing"
TRUNCATED_XML = "truncated_xml"
WRONG_ENCODING = "wrong_encoding"
XSD_INVALID = "xsd_invalid"
EMPTY_FILE = "empty_file"

PRESTATIE_KINDS = (INVALID_BSN, IMPOSSIBLE_DATE, AMOUNT_MISMATCH, UNKNOWN_CODE, DUPLICATE, UNKNOWN_TOEWIJZING)
JGT_KINDS = (INVALID_BSN, IMPOSSIBLE_DATE, UNKNOWN_CODE, DUPLICATE)
FILE_KINDS = (TRUNCATED_XML, WRONG_ENCODING, XSD_INVALID, EMPTY_FILE)
UNKNOWN_PRODUCT_CODE = "45X99"
UNKNOWN_TEAM = "JGT Onbekend"
UNKNOWN_BRON = "Buurtcentrum"


def invalid_bsn(bsn: str) -> str:
    """Same number with another last digit: still nine digits starting with 9, but failing the 11-proef."""
    last = int(bsn[-1])
    return bsn[:-1] + str((last + 1 + (int(bsn[1]) % 8)) % 10)


@dataclass
class DefectPlanter:
    """Plants record-level defects at `share` from its own random stream (the clean data does not change)."""

    rng: random.Random
    share: float
    pending_file_kinds: list[str] = field(default_factory=lambda: list(FILE_KINDS))

    def _hit(self) -> bool:
        return self.share > 0 and self.rng.random() < self.share

    def _choice(self, options: tuple[str, ...]) -> str:
        return options[int(self.rng.random() * len(options))]

    # -- JW323 ----------------------------------------------------------------------------------------------------
    def plant_declaraties(self, decls: list[Declaratie], gemeente_index: int) -> None:
        """decls are sorted by (aanbieder, month); a duplicate goes into the aanbieder's next declaratie."""
        if self.share <= 0:
            return
        for i, d in enumerate(decls):
            later = decls[i + 1] if i + 1 < len(decls) and decls[i + 1].agb == d.agb else d
            for real_bsn in sorted(d.clients):
                block = d.clients[real_bsn]
                for p in list(block.prestaties):
                    if p.correction or p.defect is not None or not is_valid_bsn(block.bsn) or not self._hit():
                        continue
                    self._spoil_prestatie(p, block, real_bsn, d, later, gemeente_index)
            if self._hit():
                d.total_offset = (1 + int(self.rng.random() * 10_000)) * (1 if self.rng.random() < 0.5 else -1)
                nummer = f"D{d.gemeente}{d.maand.year % 100:02d}{d.maand.month:02d}01"
                d.defect = Defect(
                    TOTAL_MISMATCH,
                    f"TotaalIngediendBedrag differs from the sum of the prestaties by {d.total_offset} cents",
                    f"AGB={d.agb} DeclaratieNummer={nummer}",
                )

    def _spoil_prestatie(
        self, p: Prestatie, block: ClientBlock, real_bsn: str, d: Declaratie, later: Declaratie, gemeente_index: int
    ) -> None:
        kind = self._choice(PRESTATIE_KINDS)
        key = f"AGB={d.agb} ReferentieNummer={p.referentie}"
        if kind == INVALID_BSN:
            if any(x.defect is not None for x in block.prestaties):
                return  # one defect per record: the Bsn spoils every line of the client
            block.bsn = invalid_bsn(block.bsn)
            first = block.prestaties[0]
            first.defect = Defect(
                kind,
                f"Client Bsn {mask_bsn(block.bsn)} fails the 11-proef ({len(block.prestaties)} Prestatie(s))",
                f"AGB={d.agb} ReferentieNummer={first.referentie}",
            )
        elif kind == IMPOSSIBLE_DATE:
            p.eind = p.begin - timedelta(days=1 + int(self.rng.random() * 5))
            p.defect = Defect(kind, f"ProductPeriode Einddatum {p.eind} before Begindatum {p.begin}", key)
        elif kind == AMOUNT_MISMATCH:
            expected = p.bedrag
            delta = 1 + int(self.rng.random() * 500)
            p.bedrag = p.bedrag + delta if p.bedrag <= delta or self.rng.random() < 0.5 else p.bedrag - delta
            p.defect = Defect(kind, f"IngediendBedrag {p.bedrag} differs from volume x tarief {expected}", key)
        elif kind == UNKNOWN_CODE:
            p.code = UNKNOWN_PRODUCT_CODE
            p.defect = Defect(kind, f"ProductCode {UNKNOWN_PRODUCT_CODE} is not in the catalogue", key)
        elif kind == UNKNOWN_TOEWIJZING:
            p.nummer = (gemeente_index + 2) * TOEWIJZING_BLOCK - 1 - int(self.rng.random() * 1000)
            p.defect = Defect(kind, f"ToewijzingNummer {p.nummer} was never assigned", key)
        else:
            copy = Prestatie(
                p.referentie,
                p.vorig,
                p.nummer,
                p.categorie,
                p.code,
                p.begin,
                p.eind,
                p.volume,
                p.eenheid,
                p.tarief,
                p.bedrag,
                p.dc,
                correction=True,
            )
            copy.defect = Defect(DUPLICATE, f"Prestatie {p.referentie} sent again with the same ReferentieNummer", key)
            later.add(real_bsn, copy)
            p.correction = True  # keep the original clean: it is the reference the duplicate repeats

    # -- JW305 / JW307 / JW315 ------------------------------------------------------------------------------------
    def plant_messages(self, messages: list[Message]) -> None:
        if self.share <= 0:
            return
        for m in messages:
            if m.kind == "JW301" or not self._hit():
                continue
            kind = INVALID_BSN if m.kind != "JW307" or self.rng.random() < 0.5 else IMPOSSIBLE_DATE
            r = m.records[0]
            key = f"{m.kind} {m.afzender}->{m.ontvanger} BerichtIdentificatie={m.ident}"
            if kind == INVALID_BSN:
                m.bsn = invalid_bsn(m.bsn)
                r.defect = Defect(kind, f"Client Bsn {mask_bsn(m.bsn)} fails the 11-proef", key)
            else:
                r.eind = r.begin - timedelta(days=1 + int(self.rng.random() * 10))
                r.defect = Defect(kind, f"StopProduct Einddatum {r.eind} before Begindatum {r.begin}", key)

    # -- JGT ------------------------------------------------------------------------------------------------------
    def plant_export(self, export: Export) -> None:
        if self.share <= 0:
            return
        f = FIELDS[export.style.layout]
        rows: list[Row] = []
        for row in export.rows:
            rows.append(row)
            if not self._hit():
                continue
            kind = self._choice(JGT_KINDS)
            v = row.values
            key = f"team={export.team.code} registratienummer={v[f['nummer']]}"
            if kind == INVALID_BSN:
                v[f["bsn"]] = invalid_bsn(v[f["bsn"]])
                row.defect = Defect(kind, f"BSN {mask_bsn(v[f['bsn']])} fails the 11-proef", key)
            elif kind == IMPOSSIBLE_DATE:
                if v[f["start"]] is not None and self.rng.random() < 0.5:
                    aanmeld = v[f["aanmelddatum"]]
                    v[f["start"]] = (aanmeld if not hasattr(aanmeld, "hour") else aanmeld.date()) - timedelta(
                        days=1 + int(self.rng.random() * 20)
                    )
                    row.defect = Defect(kind, "start hulp before aanmelding", key)
                else:
                    v[f["aanmelddatum"]] = f"31-02-{export.month.year}"
                    row.defect = Defect(kind, f"aanmelddatum 31-02-{export.month.year} does not exist", key)
            elif kind == UNKNOWN_CODE:
                if self.rng.random() < 0.5:
                    v[f["team"]] = UNKNOWN_TEAM
                    row.defect = Defect(kind, f"unknown team {UNKNOWN_TEAM!r}", key)
                else:
                    v[f["bron"]] = UNKNOWN_BRON
                    row.defect = Defect(kind, f"unknown bron aanmelding {UNKNOWN_BRON!r}", key)
            elif kind == DUPLICATE:
                dup = Row(list(v), row.registration)
                dup.defect = Defect(kind, "row exported twice", key)
                rows.append(dup)
        export.rows = rows

    # -- file level -----------------------------------------------------------------------------------------------
    def plant_files(self, root: Path, written: list[WrittenFile]) -> list[Defect]:
        """Spoil whole files: each kind once per run, in files without record-level defects."""
        if self.share <= 0 or not self.pending_file_kinds:
            return []
        clean = sorted((w for w in written if not w.defects), key=lambda w: w.rel)
        used: set[str] = set()
        planted = []
        for kind in list(self.pending_file_kinds):
            wf = self._file_for(kind, clean, used, root)
            if wf is None:
                continue
            used.add(wf.rel)
            path = root / wf.rel
            data = path.read_bytes()
            if kind == TRUNCATED_XML:
                path.write_bytes(data[: max(40, int(len(data) * (0.3 + 0.4 * self.rng.random())))])
                message = "file ends in the middle of the XML"
            elif kind == WRONG_ENCODING:
                path.write_bytes(data.decode("utf-8").encode("cp1252"))
                message = "declared UTF-8 but written in cp1252"
            elif kind == XSD_INVALID:
                text = data.decode("utf-8")
                start = text.index(":Bsn>") + 5
                path.write_bytes((text[:start] + text[start : start + 8] + text[start + 9 :]).encode("utf-8"))
                message = "Bsn of 8 digits: not valid against the XSD"
            else:
                path.write_bytes(b"")
                message = "empty file"
            planted.append(Defect(kind, message, wf.rel, file=wf.rel, line=None))
            wf.defects.append(planted[-1])
            self.pending_file_kinds.remove(kind)
        return planted

    def _file_for(self, kind: str, clean: list[WrittenFile], used: set[str], root: Path) -> WrittenFile | None:
        preferred = {
            TRUNCATED_XML: ("JW323", "JW301", "JW305"),
            WRONG_ENCODING: ("JW301", "JW305", "JW315"),
            XSD_INVALID: ("JW305", "JW307", "JW301"),
            EMPTY_FILE: ("JW307", "JW305", "JW315"),
        }[kind]
        for wanted in preferred:
            options = [w for w in clean if w.kind == wanted and w.rel not in used]
            if kind == WRONG_ENCODING:
                options = [w for w in options if _cp1252_non_ascii(root / w.rel)]
            if options:
                return options[int(self.rng.random() * len(options))]
        return None


def _cp1252_non_ascii(path: Path) -> bool:
    """The file holds characters outside ASCII that cp1252 can encode: re-encoding changes its bytes."""
    text = path.read_text("utf-8")
    if text.isascii():
        return False
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True
