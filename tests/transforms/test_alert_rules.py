"""The alert rules and routing as pure functions over small frames: thresholds, suppressed months, resolution."""

from __future__ import annotations

from datetime import date

import pandas as pd
from jeugdmonitor.transforms.alerts.routing import HISTORY_COLUMNS, Channel, Recipient, plan
from jeugdmonitor.transforms.alerts.rules import RuleInput, Thresholds, evaluate

T = Thresholds(peildatum=date(2025, 6, 20))
MONTHS = [date(2025, m, 1) for m in (2, 3, 4, 5, 6)]  # June is running: never judged


def world(**frames) -> RuleInput:
    return RuleInput(run_id="r1", gemeenten={"GM0546": "Leiden", "GM0547": "Leiderdorp"}, **frames)


def found(inp: RuleInput, rule: str, t: Thresholds = T) -> list:
    alerts, _ = evaluate(inp, t)
    return [a for a in alerts if a.rule == rule]


def series(reeks: str, values: list, gemeente: str = "GM0546") -> pd.DataFrame:
    return pd.DataFrame({"gemeentecode": gemeente, "reeks": reeks, "maand": MONTHS[: len(values)], "waarde": values})


def test_a_jump_beyond_the_threshold_against_three_months_before():
    up = found(world(reeksen=series("aanmeldingen", [20, 22, 18, 40, 1])), "sprong_aanmeldingen")
    assert [(a.key, a.wat, a.hoe_groot) for a in up] == [
        (
            "sprong_aanmeldingen:GM0546",
            "In Leiden (GM0546) is het aantal aanmeldingen bij de jeugd- en gezinsteams in mei 2025 gestegen met "
            "100,0% "
            "ten opzichte van het gemiddelde van de drie maanden ervoor.",
            "40 in mei 2025 tegen gemiddeld 20,0 (20, 22, 18)",
        )
    ]
    assert found(world(reeksen=series("aanmeldingen", [20, 22, 18, 25])), "sprong_aanmeldingen") == []
    # small numbers jump by nature: an average below sprong_minimum is not judged
    assert found(world(reeksen=series("verwijzingen", [2, 3, 1, 9])), "sprong_verwijzingen") == []


def test_a_suppressed_month_is_skipped_never_alerted_on():
    assert (
        found(world(reeksen=series("uithuisplaatsingen_gestart", [20, None, 18, 80])), "sprong_uithuisplaatsingen")
        == []
    )
    dropped = found(world(reeksen=series("uithuisplaatsingen_lopend", [30, 30, 30, 12])), "sprong_uithuisplaatsingen")
    assert [a.key for a in dropped] == ["sprong_uithuisplaatsingen:GM0546:lopend"] and "gedaald met 60,0%" in (
        dropped[0].wat
    )


def test_doorlooptijd_needs_n_months_running_and_no_suppressed_month():
    def frame(values):
        return pd.DataFrame(
            {"gemeentecode": "GM0546", "maand": MONTHS[: len(values)], "mediaan_dagen": values, "norm_dagen": 42}
        )

    assert found(world(doorlooptijd=frame([30, 50, 40, 50])), "doorlooptijd_boven_norm") == []
    assert found(world(doorlooptijd=frame([50, 50, None, 50])), "doorlooptijd_boven_norm") == []
    three = found(world(doorlooptijd=frame([30, 50, 60, 55])), "doorlooptijd_boven_norm")
    assert [(a.sinds, a.severity, a.audience) for a in three] == [("maart 2025", "warn", ("beleid",))]
    assert "3 maanden op rij" in three[0].wat


def test_cost_projection_above_budget_and_cbs_difference():
    kosten = pd.DataFrame(
        {
            "gemeentecode": "GM0546",
            "maand": MONTHS[:3],
            "jaar_tot_nu": [2e6, 4.5e6, 7e6],
            "budget_jaar": 15e6,
            "prognose_lineair": [12e6, 18e6, 21e6],
        }
    )
    over = found(world(kosten=kosten), "prognose_boven_budget")
    assert [(a.key, a.sinds, a.hoe_groot) for a in over] == [
        (
            "prognose_boven_budget:GM0546:2025",
            "maart 2025",
            "€ 6.000.000 (40,0%) boven budget; gedeclareerd tot en met april 2025: € 7.000.000",
        )
    ]
    vergelijking = pd.DataFrame(
        {
            "gemeentecode": ["GM0546", "GM0547"],
            "periode": ["2024HJ02", "2024HJ02"],
            "periode_eind": ["2024-12-31"] * 2,
            "lokaal": [800, None],
            "cbs": [1000, 500],
            "verschil": [-200, None],
            "verschil_pct": [-20.0, None],
            "cbs_periode_status": ["Voorlopig", "Voorlopig"],
        }
    )
    apart = found(world(cbs_vergelijking=vergelijking), "cbs_verschil")
    assert [a.wat for a in apart] == [
        "Het aantal jeugdigen met jeugdhulp in Leiden (GM0546) volgens de eigen berichten (800) verschilt 20,0% van "
        "CBS (1.000) over het tweede halfjaar 2024."
    ]  # Leiderdorp's local figure is suppressed: skipped


def test_delivery_rules_before_their_day_are_not_judged():
    teams = pd.DataFrame(
        {"team": ["LEI-N", "LDD"], "naam": ["JGT Leiden Noord", "JGT Leiderdorp"], "gemeentecode": ["GM0546", "GM0547"]}
    )
    exports = pd.DataFrame({"team": ["LEI-N", "LDD"], "export_maand": [date(2025, 5, 1), date(2025, 4, 1)]})
    late = found(world(teams=teams, jgt_exports=exports), "jgt_export_laat")
    assert [(a.key, a.hoe_groot, a.sinds) for a in late] == [
        ("jgt_export_laat:LDD", "laatste export: april 2025", "mei 2025")
    ]
    _, judged = evaluate(world(teams=teams, jgt_exports=exports), Thresholds(peildatum=date(2025, 6, 5)))
    assert "jgt_export_laat" not in judged and "aanbieder_stil" not in judged and "cbs_verouderd" not in judged


def test_quarantine_share_and_cbs_stale_and_severity_override():
    files = pd.DataFrame(
        {
            "file_id": [1, 2],
            "source": "ijw",
            "message_type": "JW323",
            "path": ["a", "b"],
            "status": "loaded",
            "rows_read": [100, 100],
            "rows_quarantined": [9, 0],
            "reden": None,
        }
    )
    quarantine = pd.DataFrame(
        {
            "reason_code": ["bsn_invalid"],
            "reden": ["Het BSN voldoet niet aan de elfproef."],
            "file_id": [1],
            "path": ["a"],
            "regels": [9],
        }
    )
    cbs = pd.DataFrame(
        {
            "table_id": ["85099NED"],
            "purpose": ["jeugdzorg"],
            "status": ["stale"],
            "melding": ["CBS niet bereikbaar: de laatst geladen versie blijft in gebruik."],
            "discontinued": [False],
            "fetched_at": [pd.Timestamp("2025-05-02T03:00:00Z")],
        }
    )
    inp = world(files=files, quarantine=quarantine, cbs=cbs)
    share = found(inp, "quarantaine_aandeel")
    assert [a.wat for a in share] == ["4,5% van de regels van deze run staat in quarantaine (drempel 2,0%)."]
    assert [
        a.severity for a in found(inp, "gx_fail", Thresholds(peildatum=T.peildatum, ernst={"gx_fail": "warn"}))
    ] == ["warn"]
    stale = found(inp, "cbs_verouderd")
    assert [(a.key, a.sinds) for a in stale] == [
        ("cbs_verouderd:85099NED", "laatste goede versie opgehaald op 2 mei 2025")
    ]
    assert not found(inp, "cbs_mislukt")


def test_a_cbs_table_that_failed_is_an_alert_for_the_data_role():
    cbs = pd.DataFrame(
        {
            "table_id": ["85099NED", "82975NED"],
            "purpose": ["jeugdzorg", "jeugdbescherming"],
            "status": ["failed", "loaded"],
            "melding": ["CBS-tabel 85099NED kon niet worden geladen: tabel 85099NED heeft geen dimensie X.", ""],
            "discontinued": [False, False],
            "fetched_at": [None, None],
        }
    )
    failed = found(world(cbs=cbs), "cbs_mislukt")
    assert [(a.key, a.severity, a.audience, a.sinds) for a in failed] == [
        ("cbs_mislukt:85099NED", "fail", ("data",), "nog nooit volledig opgehaald")
    ]
    assert "geen dimensie X" in failed[0].wat


def test_routing_by_gemeente_and_dedup_against_history():
    reeksen = pd.concat([series("aanmeldingen", [20, 20, 20, 40]), series("aanmeldingen", [20, 20, 20, 40], "GM0547")])
    alerts, judged = evaluate(world(reeksen=reeksen), T)
    leiden = Recipient("Beleid Leiden", "beleid", ("GM0546",), (Channel("email", "b@x"),))
    data = Recipient("Data", "data", None, (Channel("email", "d@x"),))
    empty = pd.DataFrame(columns=HISTORY_COLUMNS)
    digest = plan(alerts, judged, leiden, leiden.channels[0], empty)
    assert [(a.key, label) for a, label in digest.items] == [("sprong_aanmeldingen:GM0546", "nieuw")]
    assert plan(alerts, judged, data, data.channels[0], empty).empty  # an indicator is not for data engineers

    alert = digest.items[0][0]
    told = pd.DataFrame(
        [
            {
                "alert_key": alert.key,
                "rule": alert.rule,
                "gemeentecode": "GM0546",
                "fingerprint": alert.fingerprint,
                "status": "open",
                "wat": alert.wat,
                "eerst_gemeld_op": pd.Timestamp("2025-06-01"),
            }
        ]
    )
    assert plan(alerts, judged, leiden, leiden.channels[0], told).empty
    changed = told.assign(fingerprint="0" * 16)
    assert [label for _, label in plan(alerts, judged, leiden, leiden.channels[0], changed).items] == ["gewijzigd"]
    gone = plan([], judged, leiden, leiden.channels[0], told)
    assert [(r.key, r.sinds) for r in gone.resolutions] == [("sprong_aanmeldingen:GM0546", "1 juni 2025")]
    not_judged = plan([], set(), leiden, leiden.channels[0], told)
    assert not_judged.empty  # a rule that was not judged resolves nothing
