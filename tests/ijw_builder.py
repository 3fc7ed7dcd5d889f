"""Small, XSD-shaped iJw messages for golden tests, written out in full so that a test reads like its scenario.
Test BSNs come from the 9999xxxxx range."""

from __future__ import annotations

NS = 'xmlns:{m}="http://www.istandaarden.nl/ijw/3_2/{m}/schema" xmlns:ijw="http://www.istandaarden.nl/ijw/3_2/basisschema/schema"'
CODES = {"jw301": 436, "jw305": 438, "jw307": 440, "jw315": 446, "jw323": 490}


def _header(m: str, afzender: str, ontvanger: str, ident: str, dag: str) -> str:
    return (
        f"<{m}:Header><{m}:BerichtCode>{CODES[m]}</{m}:BerichtCode><{m}:BerichtVersie>3</{m}:BerichtVersie>"
        f"<{m}:BerichtSubversie>2</{m}:BerichtSubversie><{m}:Afzender>{afzender}</{m}:Afzender>"
        f"<{m}:Ontvanger>{ontvanger}</{m}:Ontvanger><{m}:BerichtIdentificatie><ijw:Identificatie>{ident}"
        f"</ijw:Identificatie><ijw:Dagtekening>{dag}</ijw:Dagtekening></{m}:BerichtIdentificatie>"
        f"<{m}:XsdVersie><ijw:BasisschemaXsdVersie>1.0.0</ijw:BasisschemaXsdVersie><ijw:BerichtXsdVersie>1.0.0"
        f"</ijw:BerichtXsdVersie></{m}:XsdVersie></{m}:Header>\n"
    )


def _client(m: str, bsn: str) -> str:
    return (
        f"<{m}:Bsn>{bsn}</{m}:Bsn><{m}:Geboortedatum><ijw:Datum>2012-06-15</ijw:Datum></{m}:Geboortedatum>"
        f"<{m}:Geslacht>2</{m}:Geslacht><{m}:Naam><ijw:Geslachtsnaam><ijw:Achternaam>Test</ijw:Achternaam>"
        f"</ijw:Geslachtsnaam><ijw:Voorletters>T</ijw:Voorletters></{m}:Naam>\n"
    )


def _message(m: str, header: str, body: str) -> bytes:
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return f"{declaration}<{m}:Bericht {NS.format(m=m)}>\n{header}{body}</{m}:Bericht>\n".encode()


def jw315(ident: str, dag: str, bsn: str, products: list[dict], gemeente="0546", agb="12345678") -> bytes:
    m = "jw315"
    rows = "".join(
        f"<{m}:AangevraagdProduct><{m}:ReferentieAanbieder>{p['ref']}</{m}:ReferentieAanbieder>"
        f"<{m}:Product><ijw:Categorie>{p.get('cat', '45')}</ijw:Categorie></{m}:Product>"
        f"<{m}:ToewijzingIngangsdatum>{p['ingang']}</{m}:ToewijzingIngangsdatum>"
        f"<{m}:Verwijzer><ijw:Type>{p['verwijzer']}</ijw:Type><ijw:Naam>Dr. Test</ijw:Naam></{m}:Verwijzer>"
        f"</{m}:AangevraagdProduct>\n"
        for p in products
    )
    body = (
        f"<{m}:Client>{_client(m, bsn)}<{m}:AangevraagdeProducten>\n{rows}</{m}:AangevraagdeProducten></{m}:Client>\n"
    )
    return _message(m, _header(m, agb, gemeente, ident, dag), body)


def jw301(ident: str, dag: str, bsn: str, products: list[dict], gemeente="0546", agb="12345678") -> bytes:
    m = "jw301"
    rows = ""
    for p in products:
        rows += (
            f"<{m}:ToegewezenProduct><{m}:ToewijzingNummer>{p['nummer']}</{m}:ToewijzingNummer>"
            + (f"<{m}:ReferentieAanbieder>{p['ref']}</{m}:ReferentieAanbieder>" if p.get("ref") else "")
            + f"<{m}:Product><ijw:Categorie>{p.get('cat', '45')}</ijw:Categorie><ijw:Code>{p.get('code', '45A05')}"
            f"</ijw:Code></{m}:Product><{m}:Toewijzingsdatum>{p['datum']}</{m}:Toewijzingsdatum>"
            f"<{m}:Toewijzingstijd>10:00:00</{m}:Toewijzingstijd><{m}:Ingangsdatum>{p['ingang']}</{m}:Ingangsdatum>"
            + (f"<{m}:Einddatum>{p['eind']}</{m}:Einddatum>" if p.get("eind") else "")
            + (f"<{m}:RedenWijziging>{p['reden']}</{m}:RedenWijziging>" if p.get("reden") else "")
            + f"<{m}:Omvang><ijw:Volume>6</ijw:Volume><ijw:Eenheid>04</ijw:Eenheid><ijw:Frequentie>4"
            f"</ijw:Frequentie></{m}:Omvang></{m}:ToegewezenProduct>\n"
        )
    naam = (
        f"<{m}:Naam><ijw:Geslachtsnaam><ijw:Achternaam>Test</ijw:Achternaam></ijw:Geslachtsnaam>"
        f"<ijw:NaamGebruik>1</ijw:NaamGebruik></{m}:Naam>"
    )
    client = (
        f"<{m}:Bsn>{bsn}</{m}:Bsn><{m}:Geboortedatum><ijw:Datum>2012-06-15</ijw:Datum></{m}:Geboortedatum>"
        f"<{m}:Geslacht>2</{m}:Geslacht>{naam}<{m}:Contactgegevens><{m}:Contact><{m}:Soort>01</{m}:Soort>"
        f"</{m}:Contact></{m}:Contactgegevens>\n"
    )
    body = f"<{m}:Client>{client}<{m}:ToegewezenProducten>\n{rows}</{m}:ToegewezenProducten></{m}:Client>\n"
    return _message(m, _header(m, gemeente, agb, ident, dag), body)


def _start_fields(m: str, p: dict) -> str:
    return (
        f"<{m}:ToewijzingNummer>{p['nummer']}</{m}:ToewijzingNummer><{m}:Product><ijw:Categorie>"
        f"{p.get('cat', '45')}</ijw:Categorie><ijw:Code>{p.get('code', '45A05')}</ijw:Code></{m}:Product>"
        f"<{m}:ToewijzingIngangsdatum>{p.get('ingang', '2025-03-03')}</{m}:ToewijzingIngangsdatum>"
        f"<{m}:Begindatum>{p['begin']}</{m}:Begindatum>"
    )


def jw305(ident: str, dag: str, bsn: str, starts: list[dict], gemeente="0546", agb="12345678") -> bytes:
    m = "jw305"
    rows = "".join(
        f"<{m}:StartProduct>{_start_fields(m, p)}<{m}:StatusAanlevering>{p.get('status', '1')}"
        f"</{m}:StatusAanlevering></{m}:StartProduct>\n"
        for p in starts
    )
    body = f"<{m}:Client>{_client(m, bsn)}<{m}:StartProducten>\n{rows}</{m}:StartProducten></{m}:Client>\n"
    return _message(m, _header(m, agb, gemeente, ident, dag), body)


def jw307(ident: str, dag: str, bsn: str, stops: list[dict], gemeente="0546", agb="12345678") -> bytes:
    m = "jw307"
    rows = "".join(
        f"<{m}:StopProduct>{_start_fields(m, p)}<{m}:RedenBeeindiging>{p['reden']}</{m}:RedenBeeindiging>"
        f"<{m}:Einddatum>{p['eind']}</{m}:Einddatum><{m}:StatusAanlevering>{p.get('status', '1')}"
        f"</{m}:StatusAanlevering></{m}:StopProduct>\n"
        for p in stops
    )
    body = f"<{m}:Client>{_client(m, bsn)}<{m}:StopProducten>\n{rows}</{m}:StopProducten></{m}:Client>\n"
    return _message(m, _header(m, agb, gemeente, ident, dag), body)


def jw323(
    ident: str, dag: str, periode: tuple[str, str], clients: dict[str, list[dict]], gemeente="0546", agb="12345678"
) -> bytes:
    m = "jw323"
    total = 0
    blocks = ""
    for bsn, lines in clients.items():
        rows = ""
        for p in lines:
            dc = p.get("dc", "D")
            amount = p.get("bedrag", p["volume"] * p.get("tarief", 9850))
            total += -amount if dc == "C" else amount
            vorig = f"<ijw:VorigReferentieNummer>{p['vorig']}</ijw:VorigReferentieNummer>" if p.get("vorig") else ""
            rows += (
                f"<{m}:Prestatie><{m}:ProductReferentie><ijw:ReferentieNummer>{p['ref']}</ijw:ReferentieNummer>"
                f"{vorig}</{m}:ProductReferentie><{m}:ToewijzingNummer>{p['nummer']}</{m}:ToewijzingNummer>"
                f"<{m}:ProductCategorie>{p.get('cat', '45')}</{m}:ProductCategorie><{m}:ProductCode>"
                f"{p.get('code', '45A05')}</{m}:ProductCode><{m}:ProductPeriode><ijw:Begindatum>{p['begin']}"
                f"</ijw:Begindatum><ijw:Einddatum>{p['eind']}</ijw:Einddatum></{m}:ProductPeriode>"
                f"<{m}:GeleverdVolume>{p['volume']}</{m}:GeleverdVolume><{m}:Eenheid>04</{m}:Eenheid>"
                f"<{m}:ProductTarief>{p.get('tarief', 9850)}</{m}:ProductTarief><{m}:IngediendBedrag>"
                f"<ijw:Bedrag>{amount}</ijw:Bedrag><ijw:DebetCredit>{dc}</ijw:DebetCredit>"
                f"</{m}:IngediendBedrag></{m}:Prestatie>\n"
            )
        blocks += f"<{m}:Client><{m}:Bsn>{bsn}</{m}:Bsn><{m}:Prestaties>\n{rows}</{m}:Prestaties></{m}:Client>\n"
    decl = (
        f"<{m}:Declaratie><{m}:DeclaratieNummer>{ident}</{m}:DeclaratieNummer><{m}:DeclaratiePeriode>"
        f"<ijw:Begindatum>{periode[0]}</ijw:Begindatum><ijw:Einddatum>{periode[1]}</ijw:Einddatum>"
        f"</{m}:DeclaratiePeriode><{m}:DeclaratieDagtekening>{dag}</{m}:DeclaratieDagtekening>"
        f"<{m}:TotaalIngediendBedrag><ijw:TotaalBedrag>{abs(total)}</ijw:TotaalBedrag><ijw:DebetCredit>"
        f"{'C' if total < 0 else 'D'}</ijw:DebetCredit></{m}:TotaalIngediendBedrag><{m}:Clienten>\n{blocks}"
        f"</{m}:Clienten></{m}:Declaratie>\n"
    )
    return _message(m, _header(m, agb, gemeente, ident, dag), decl)


def load_messages(engine, inbox, pseudonymise, messages: dict[str, bytes]) -> str:
    """Write `messages` (name -> bytes) into `inbox`, load what is new through the real loader, return the run id.
    Every file must load without quarantine: these are hand-written scenarios."""
    from jeugdmonitor import meta
    from jeugdmonitor.discovery import discover
    from jeugdmonitor.ijw.ingest import load_files

    for name, data in messages.items():
        path = inbox / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    run_id = meta.start_run(engine, "test")
    new, _ = discover(inbox, (".xml",), meta.known_hashes(engine))
    results = load_files(engine, run_id, new, pseudonymise)
    assert all(r.status == "loaded" and r.rows_quarantined == 0 for r in results), results
    return run_id
