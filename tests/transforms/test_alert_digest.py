"""Digests that arrive: grouped per aanbieder, budgeted, every channel within its limits, no Python values in the
text. The world is synthesised at the size of a tenth of the nation (35 gemeenten, 300 aanbieders, hundreds of
refused files, thousands of quarantined lines) and goes through the real rules, routing, composing and rendering:
loading that many messages would take minutes, the digest is the same size either way."""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pytest
from jeugdmonitor.transforms.alerts import render
from jeugdmonitor.transforms.alerts.compose import Report, compose
from jeugdmonitor.transforms.alerts.routing import HISTORY_COLUMNS, Channel, Recipient, plan
from jeugdmonitor.transforms.alerts.rules import RuleInput, Thresholds, evaluate

T = Thresholds(peildatum=date(2025, 6, 20))
MAY = date(2025, 5, 1)
GEMEENTEN = {f"GM{1000 + i:04d}": f"Gemeente {i}" for i in range(35)}
AANBIEDERS = [f"{75100000 + i:08d}" for i in range(300)]
NAMES = {agb: f"Zorgaanbieder {i} Jeugd & Gezin B.V." for i, agb in enumerate(AANBIEDERS) if i % 3}  # a third unnamed
NAN_WORDS = re.compile(r"\b(nan|NaN|None|NaT|null)\b|<[A-Za-z_.]+ object at|Timestamp\(|datetime\.")


def tenth_of_the_nation() -> RuleInput:
    codes = list(GEMEENTEN)
    files = pd.DataFrame(
        [
            {
                "file_id": n,
                "source": "ijw",
                # an empty file has no message type: a missing value, not a word, in the frame
                "message_type": None if n % 4 == 0 else "JW323",
                "path": f"2025-05/JW323_{AANBIEDERS[n % 300]}_{codes[n % 35][2:]}_{n:06d}.xml",
                "status": "rejected",
                "rows_read": 0,
                "rows_quarantined": 0,
                "reason_code": "empty_file" if n % 4 == 0 else "not_well_formed",
                "reden": "Het bestand is leeg."
                if n % 4 == 0
                else "Het bestand is geen geldige XML (bijvoorbeeld afgebroken of in een verkeerde tekenset): "
                f"Opening and ending tag mismatch: Prestatie line {n} and Client, line {n + 9}, column 12",
            }
            for n in range(1, 401)
        ]
        + [
            {
                "file_id": 1000 + n,
                "source": "ijw",
                "message_type": "JW323",
                "path": f"2025-05/JW323_{AANBIEDERS[n % 300]}_{codes[n % 35][2:]}_{n:06d}.xml",
                "status": "loaded",
                "rows_read": 400,
                "rows_quarantined": 12,
                "reason_code": None,
                "reden": None,
            }
            for n in range(600)
        ]
    )
    reasons = [
        ("bsn_invalid", "Het BSN voldoet niet aan de elfproef."),
        ("amount_mismatch", "Het ingediende bedrag is niet gelijk aan volume maal tarief."),
    ]
    quarantine = pd.DataFrame(
        [
            {"reason_code": code, "reden": reden, "file_id": 1000 + n, "path": files.loc[400 + n, "path"], "regels": 6}
            for n in range(600)
            for code, reden in reasons
        ]
    )
    card = pd.DataFrame(
        [
            {
                "gemeentecode": codes[(a + k) % 35],
                "aanbieder_agb": agb,
                "maand": MAY,
                "bestanden": 4,
                "bestanden_afgekeurd": a % 2,
                "regels_quarantaine": 3,
                "quarantaine_redenen": "bsn_invalid=3" if a % 5 else None,
                "actieve_toewijzingen": 12,
                "declaraties": 0,
                "declaraties_te_laat": 1,
                "niet_gedeclareerd": True,
                "ontbrekende_starts": 2,
                "ontbrekende_stops": 1,
            }
            for a, agb in enumerate(AANBIEDERS)
            for k in range(5)
        ]
    )
    months = [date(2025, m, 1) for m in (2, 3, 4, 5)]
    doorlooptijd = pd.DataFrame(
        [{"gemeentecode": g, "maand": m, "mediaan_dagen": 60, "norm_dagen": 42} for g in codes for m in months]
    )
    reeksen = pd.DataFrame(
        [
            {"gemeentecode": g, "reeks": reeks, "maand": m, "waarde": 20 if m < MAY else 45}
            for g in codes
            for m in months
            for reeks in ("aanmeldingen", "verwijzingen", "uithuisplaatsingen_gestart")
        ]
    )
    return RuleInput(
        run_id="r-national",
        gemeenten=GEMEENTEN,
        aanbieders=NAMES,
        files=files,
        quarantine=quarantine,
        scorecard=card,
        doorlooptijd=doorlooptijd,
        reeksen=reeksen,
    )


RECIPIENTS = [
    Recipient("Databeheer", "data", None, (Channel("email", "d@x"), Channel("teams", "t"), Channel("slack", "s"))),
    Recipient("Contractbeheer", "contract", None, (Channel("teams", "t"),)),
    Recipient("Beleid regio", "beleid", None, (Channel("slack", "s"), Channel("email", "b@x"))),
]


def digests(base_url: str = ""):
    alerts, judged = evaluate(tenth_of_the_nation(), T)
    report = Report(base_url, GEMEENTEN)
    empty = pd.DataFrame(columns=HISTORY_COLUMNS)
    for recipient in RECIPIENTS:
        for channel in recipient.channels:
            digest = plan(alerts, judged, recipient, channel, empty)
            composed = compose(digest, report, 25, "de volledige lijst staat in de bijlage meldingen.csv", _naam)
            yield digest, composed


def _naam(agb: str) -> str:
    return f"{NAMES[agb]} (AGB {agb})" if agb in NAMES else f"AGB {agb}"


def test_the_digests_are_grouped_per_aanbieder_and_budgeted():
    every = {(d.recipient.rol, d.channel.kind): (d, c) for d, c in digests()}
    data, composed = every["data", "email"]
    assert len(data.items) > 800  # what the rules found for the data role: one alert per aanbieder and reason
    # one entry per aanbieder, at most max_items shown, the rest counted
    assert len(composed.entries) == 25 and composed.total <= 300 + 10
    assert len({e.wat.split(":")[0] for e in composed.entries}) == 25
    first = composed.entries[0]
    assert first.severity == "fail" and first.size >= max(e.size for e in composed.entries if e.severity == "fail")
    assert re.match(r"(Zorgaanbieder \d+ Jeugd & Gezin B\.V\. )?\(?AGB 751\d{5}\)?: ", first.wat), first.wat
    # contract managers: one item per aanbieder over all its gemeenten, not one per gemeente (1500 scorecard rows)
    _, contract = every["contract", "teams"]
    assert contract.total == 300 and "bij Gemeente" in contract.entries[0].hoe_groot
    # policy staff: under a heading per gemeente, with the report page, never SQL
    _, beleid = every["beleid", "email"]
    assert beleid.entries[0].group.startswith("Gemeente ")
    assert all(e.bewijs.startswith("zie rapport Gemeente ") for e in beleid.entries + beleid.rest)
    assert not any("select" in e.bewijs for e in beleid.entries + beleid.rest)


def test_every_channel_fits_its_limits_with_the_rest_named():
    for digest, composed in digests("https://intranet.example/jeugdmonitor"):
        name, kind = digest.recipient.naam, digest.channel.kind
        mail = render.mail(composed, name, "Regio", T.peildatum, "r-national")
        assert mail.text.count("\n   Hoe groot: ") == 25
        assert f"En {composed.total - 25} punten meer: de volledige lijst staat in de bijlage" in mail.text
        rows = mail.attachment.splitlines()
        assert len(rows) == 1 + sum(len(e.alerts) for e in composed.entries + composed.rest)
        assert "<html" in mail.html and "En " in mail.html
        if kind == "teams":
            payload = render.teams(composed, name, "Regio", T.peildatum, "r-national").payload
            assert render.payload_bytes(payload) <= 28 * 1024
            assert payload["type"] == "message"
            assert payload["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
            texts = [b.get("text", "") for b in payload["attachments"][0]["content"]["body"]]
            assert any(re.match(r"En \d+ punten meer: ", t) for t in texts), texts[-3:]
        if kind == "slack":
            payload = render.slack(composed, name, "Regio", T.peildatum, "r-national").payload
            blocks = payload["blocks"]
            assert len(blocks) <= 50 and len(blocks[0]["text"]["text"]) <= 150
            assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
            assert any(re.match(r"En \d+ punten meer: ", b.get("text", {}).get("text", "")) for b in blocks)
            assert render.payload_bytes(payload) <= 40_000


@pytest.mark.parametrize("base_url", ["", "https://intranet.example/jeugdmonitor/"])
def test_no_python_value_reaches_a_person(base_url):
    for digest, composed in digests(base_url):
        name = digest.recipient.naam
        mail = render.mail(composed, name, "Regio", T.peildatum, "r-national")
        shown = [
            mail.subject,
            mail.text,
            mail.html,
            mail.attachment or "",
            json.dumps(render.teams(composed, name, "Regio", T.peildatum, "r").payload, ensure_ascii=False),
            json.dumps(render.slack(composed, name, "Regio", T.peildatum, "r").payload, ensure_ascii=False),
        ]
        for text in shown:
            assert not NAN_WORDS.search(text), NAN_WORDS.search(text).group(0)


def test_parser_errors_become_dutch_reasons_with_the_original_as_technical_detail():
    alerts, _ = evaluate(tenth_of_the_nation(), T)
    refused = [a for a in alerts if a.rule == "bestand_afgekeurd" and "XML" in a.wat]
    assert refused and all("Opening and ending tag" not in a.wat for a in refused)
    assert all(
        a.wat.endswith(
            "in hun geheel afgekeurd: Het bestand is geen geldige XML (bijvoorbeeld afgebroken of in een "
            "verkeerde tekenset)."
        )
        or "is in zijn geheel afgekeurd: Het bestand is geen geldige XML" in a.wat
        for a in refused
    )
    assert all("technische details: Opening and ending tag mismatch" in a.bewijs for a in refused)
    empty = [a for a in alerts if a.rule == "bestand_afgekeurd" and "leeg" in a.wat]
    assert empty and all("(berichttype onbekend)" in a.wat or "bestanden" in a.wat for a in empty)


def test_the_report_link_follows_the_contract():
    report = Report("https://intranet.example/jm/", {"GM0546": "Leiden"})
    assert report.link("GM0546", "doorlooptijd") == "https://intranet.example/jm/gemeente/GM0546.html#doorlooptijd"
    assert Report("", {"GM0546": "Leiden"}).link("GM0546", "doorlooptijd") == "rapport Leiden, onderdeel Doorlooptijd"


def test_unchanged_repeats_are_summarised_not_resent():
    alerts, judged = evaluate(tenth_of_the_nation(), T)
    beleid = RECIPIENTS[2]
    mine = [a for a in alerts if "beleid" in a.audience]
    told = pd.DataFrame(
        [
            {
                "alert_key": a.key,
                "rule": a.rule,
                "gemeentecode": a.gemeentecode,
                "fingerprint": a.fingerprint,
                "status": "open",
                "wat": a.wat,
                "eerst_gemeld_op": pd.Timestamp("2025-11-03T06:00:00Z") if i % 2 else pd.Timestamp("2025-12-01"),
            }
            for i, a in enumerate(mine[:-1])  # all told before but the last one
        ],
        columns=HISTORY_COLUMNS,
    )
    digest = plan(alerts, judged, beleid, beleid.channels[1], told)
    assert [a.key for a, _ in digest.items] == [mine[-1].key]  # only the new one in full
    composed = compose(digest, Report("", GEMEENTEN), 25, "-")
    assert composed.nog_steeds == (
        f"Nog steeds open en eerder gemeld: {len(mine) - 1} problemen, sinds 3 november 2025. Die staan hier niet "
        "opnieuw uitgeschreven."
    )
    assert composed.nog_steeds in render.text(composed, beleid.naam, "Regio", T.peildatum, "r")


def test_a_webhook_tells_only_what_it_shows_and_the_rest_follows():
    """A Teams message has room for fewer items than the e-mail: only those count as told on that channel (the
    alerts step records them), the rest comes in the next overview, and the message says so."""
    from jeugdmonitor.alerts.run import render_digest
    from jeugdmonitor.config import Settings

    settings = Settings.model_validate({"region": {"naam": "Regio", "gemeenten": list(GEMEENTEN)}})
    digest, composed = next((d, c) for d, c in digests() if (d.recipient.rol, d.channel.kind) == ("data", "teams"))
    rendered = render_digest(digest, settings, T.peildatum, "r", Report("", GEMEENTEN), NAMES)
    shown = [b for b in rendered.payload["attachments"][0]["content"]["body"] if b["type"] == "Container"]
    assert 0 < len(shown) < 25 and rendered.told == {
        a.key for e in rendered.composed.entries[: len(shown)] for a in e.alerts
    }
    texts = [b.get("text", "") for b in rendered.payload["attachments"][0]["content"]["body"]]
    assert (
        f"En {rendered.composed.total - len(shown)} punten meer: ze volgen in het volgende overzicht, en staan nu "
        "al in het e-mailoverzicht (bijlage meldingen.csv)." in texts
    )
