"""The mart build end to end on a hand-made world: iJw messages -> staging -> facts -> marts, with the expected
mart rows written out by hand. SQLite and PostgreSQL. Threshold 1 shows the raw figures; suppression has its own
test with the default threshold."""

from __future__ import annotations

from datetime import date

import pytest
from jeugdmonitor.transforms.marts.inputs import Params
from sqlalchemy import text

from jeugdmonitor import marts, meta
from tests.ijw_builder import jw301, jw305, jw307, jw315, jw323, load_messages

X, Y, Z = "999900006", "999900018", "999900031"  # 11-proef valid test BSNs
LEIDEN, LEIDERDORP = "0546", "0547"

WORLD = {
    # X: an OTS (48B10) from 15 January; a temporary stop end of February (care goes on); definitive stop 10 April.
    "a/JW301_x.xml": jw301(
        "TX1",
        "2025-01-10",
        X,
        [{"nummer": 1001, "cat": "48", "code": "48B10", "datum": "2025-01-10", "ingang": "2025-01-15"}],
    ),
    "a/JW305_x.xml": jw305(
        "SX1",
        "2025-01-16",
        X,
        [{"nummer": 1001, "cat": "48", "code": "48B10", "ingang": "2025-01-15", "begin": "2025-01-15"}],
    ),
    "b/JW307_x1.xml": jw307(
        "EX1",
        "2025-03-01",
        X,
        [
            {
                "nummer": 1001,
                "cat": "48",
                "code": "48B10",
                "ingang": "2025-01-15",
                "begin": "2025-01-15",
                "reden": "20",
                "eind": "2025-02-28",
            }
        ],
    ),
    "c/JW307_x2.xml": jw307(
        "EX2",
        "2025-04-11",
        X,
        [
            {
                "nummer": 1001,
                "cat": "48",
                "code": "48B10",
                "ingang": "2025-01-15",
                "begin": "2025-01-15",
                "reden": "31",
                "eind": "2025-04-10",
            }
        ],
    ),
    # Y: pleegzorg (44A03) in Leiden through March after a huisarts referral, then moves to Leiderdorp in April.
    "a/JW315_y.xml": jw315(
        "VY1", "2025-01-02", Y, [{"ref": "REF-Y", "ingang": "2025-01-06", "verwijzer": "02", "cat": "44"}]
    ),
    "a/JW301_y.xml": jw301(
        "TY1",
        "2025-01-05",
        Y,
        [{"nummer": 2001, "ref": "REF-Y", "cat": "44", "code": "44A03", "datum": "2025-01-05", "ingang": "2025-01-06"}],
    ),
    "a/JW305_y.xml": jw305(
        "SY1",
        "2025-01-07",
        Y,
        [{"nummer": 2001, "cat": "44", "code": "44A03", "ingang": "2025-01-06", "begin": "2025-01-06"}],
    ),
    "c/JW307_y.xml": jw307(
        "EY1",
        "2025-04-01",
        Y,
        [
            {
                "nummer": 2001,
                "cat": "44",
                "code": "44A03",
                "ingang": "2025-01-06",
                "begin": "2025-01-06",
                "reden": "31",
                "eind": "2025-03-31",
            }
        ],
    ),
    "c/JW301_y2.xml": jw301(
        "TY2",
        "2025-03-28",
        Y,
        [{"nummer": 3001, "cat": "44", "code": "44A03", "datum": "2025-03-28", "ingang": "2025-04-01"}],
        gemeente=LEIDERDORP,
    ),
    "c/JW305_y2.xml": jw305(
        "SY2",
        "2025-04-02",
        Y,
        [{"nummer": 3001, "cat": "44", "code": "44A03", "ingang": "2025-04-01", "begin": "2025-04-01"}],
        gemeente=LEIDERDORP,
    ),
    # Z: ambulant (45A05) in Leiden, start deleted and sent again two days later.
    "a/JW301_z.xml": jw301("TZ1", "2025-02-03", Z, [{"nummer": 4001, "datum": "2025-02-03", "ingang": "2025-02-03"}]),
    "b/JW305_z.xml": jw305("SZ1", "2025-02-12", Z, [{"nummer": 4001, "ingang": "2025-02-03", "begin": "2025-02-10"}]),
    "b/JW305_z2.xml": jw305(
        "SZ2",
        "2025-02-14",
        Z,
        [
            {"nummer": 4001, "ingang": "2025-02-03", "begin": "2025-02-10", "status": "3"},
            {"nummer": 4001, "ingang": "2025-02-03", "begin": "2025-02-12"},
        ],
    ),
    # Leiden's declarations: February 10 h for Z; March: 5 h for Z credited and declared again as 4 h.
    "b/JW323_feb.xml": jw323(
        "D2502",
        "2025-03-05",
        ("2025-02-01", "2025-02-28"),
        {Z: [{"ref": "R-1", "nummer": 4001, "begin": "2025-02-12", "eind": "2025-02-28", "volume": 10}]},
    ),
    "c/JW323_mar.xml": jw323(
        "D2503",
        "2025-04-05",
        ("2025-03-01", "2025-03-31"),
        {Z: [{"ref": "R-2", "nummer": 4001, "begin": "2025-03-01", "eind": "2025-03-31", "volume": 5}]},
    ),
    "c/JW323_mar2.xml": jw323(
        "D2503B",
        "2025-04-20",
        ("2025-03-01", "2025-03-31"),
        {
            Z: [
                {
                    "ref": "R-3",
                    "vorig": "R-2",
                    "dc": "C",
                    "nummer": 4001,
                    "begin": "2025-03-01",
                    "eind": "2025-03-31",
                    "volume": 5,
                },
                {"ref": "R-4", "nummer": 4001, "begin": "2025-03-01", "eind": "2025-03-31", "volume": 4},
            ]
        },
    ),
}
TARIEF = 9850  # cents per hour in the builder


def settings(threshold: int = 1, **params) -> marts.BuildSettings:
    return marts.BuildSettings(
        gemeenten=["GM0546", "GM0547"], threshold=threshold, params=Params(**params), first_month=date(2025, 1, 1)
    )


def select(engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(_plain(v) for v in r) for r in conn.execute(text(sql))]


def _plain(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value.isoformat()[:10] if hasattr(value, "isoformat") else value


@pytest.fixture
def world(warehouse, tmp_path, pseudonymise):
    load_messages(warehouse, tmp_path / "inbox", pseudonymise, WORLD)
    marts.build(warehouse, settings())
    return warehouse


def test_ots_lopend_follows_temporary_and_definitive_stops(world):
    assert select(
        world,
        "select periode, lopend, jeugdigen_in_periode, gestart from mart_ots "
        "where gemeentecode = 'GM0546' and bron = 'ijw' and periode_type = 'maand' order by 1",
    ) == [
        ("2025MM01", 1, 1, 1),
        ("2025MM02", 1, 1, 0),  # the temporary stop on 28 February does not end the OTS
        ("2025MM03", 1, 1, 0),
        ("2025MM04", 0, 1, 0),  # stopped 10 April: in the month, not at its end
    ]
    assert select(
        world,
        "select periode, lopend, jeugdigen_in_periode, gestart from mart_ots "
        "where gemeentecode = 'GM0546' and periode = '2025HJ01'",
    ) == [("2025HJ01", 0, 1, 1)]


def test_a_youth_moving_between_gemeenten_counts_where_the_care_is(world):
    rows = select(
        world,
        "select gemeentecode, periode, lopend, gestart from mart_uithuisplaatsingen "
        "where vorm = 'pleegzorg' and bron = 'ijw' and periode in ('2025MM03', '2025MM04') "
        "order by 1, 2",
    )
    assert rows == [
        ("GM0546", "2025MM03", 1, 0),
        ("GM0546", "2025MM04", 0, 0),
        ("GM0547", "2025MM03", 0, 0),
        ("GM0547", "2025MM04", 1, 1),
    ]
    both = select(
        world,
        "select gemeentecode, jeugdigen_in_periode from mart_uithuisplaatsingen "
        "where vorm = 'totaal' and bron = 'ijw' and periode = '2025HJ01' order by 1",
    )
    assert both == [("GM0546", 1), ("GM0547", 1)]


def test_deleted_starts_are_not_counted_and_doorlooptijd_per_aanbieder(world):
    # X and Y started on their Ingangsdatum (0 days). Z: ingang 3 February, the start of the 10th was deleted,
    # the start of the 12th counts: 9 days.
    assert select(
        world,
        "select maand, aantal, mediaan_dagen from mart_doorlooptijd_aanbieder "
        "where gemeentecode = 'GM0546' and aanbieder_agb = 'totaal' and aantal > 0 and periode_type = 'maand' "
        "order by 1",
    ) == [("2025-01-01", 2, 0), ("2025-02-01", 1, 9)]
    assert select(
        world,
        "select maand, aantal, mediaan_dagen from mart_doorlooptijd_aanbieder "
        "where gemeentecode = 'GM0547' and aanbieder_agb = 'totaal' and aantal > 0 and periode_type = 'maand'",
    ) == [("2025-04-01", 1, 0)]


def test_verwijzer_comes_from_the_preceding_jw315(world):
    assert select(
        world,
        "select verwijzer_type, nieuwe_toewijzingen from mart_verwijzingen "
        "where gemeentecode = 'GM0546' and maand = '2025-01-01' and periode_type = 'maand' and nieuwe_toewijzingen > 0 "
        "order by 1",
    ) == [("01", 1), ("02", 1), ("totaal", 2)]


def test_kosten_net_credits_per_month(world):
    rows = select(
        world,
        "select maand, netto_bedrag, aantal_jeugdigen, jaar_tot_nu from mart_kosten "
        "where gemeentecode = 'GM0546' and product_categorie = 'totaal' and periode_type = 'maand' order by 1",
    )
    february, march = 10 * TARIEF / 100, 4 * TARIEF / 100  # the credited 5 h of March are netted away
    assert rows[:3] == [
        ("2025-01-01", 0, 0, 0),
        ("2025-02-01", february, 1, february),
        ("2025-03-01", march, 1, february + march),
    ]


def test_small_cells_are_suppressed_with_the_default_threshold(warehouse, tmp_path, pseudonymise):
    load_messages(warehouse, tmp_path / "inbox", pseudonymise, WORLD)
    marts.build(warehouse, settings(threshold=10))
    shown = select(
        warehouse,
        "select count(*) from mart_ots where lopend between 1 and 9 "
        "or jeugdigen_in_periode between 1 and 9 or gestart between 1 and 9",
    )
    assert shown == [(0,)]
    assert select(
        warehouse,
        "select count(*), sum(case when lopend is null then 1 else 0 end) from mart_ots "
        "where bron = 'ijw' and gemeentecode = 'GM0546' and onderdrukt = true",
    ) == [(8, 4)]  # every local row (4 months, 2 quarters, half-year, year); lopend 1 in January-March and Q1
    assert select(
        warehouse, "select count(*) from mart_kosten where netto_bedrag is not null and aantal_jeugdigen is null"
    ) == [(0,)], "amounts of a few youths are hidden too"


def test_incremental_rebuild_after_a_late_delivery_equals_a_full_rebuild(warehouse, tmp_path, pseudonymise):
    early = {k: v for k, v in WORLD.items() if not k.startswith("c/")}
    late = {k: v for k, v in WORLD.items() if k.startswith("c/")}
    load_messages(warehouse, tmp_path / "inbox", pseudonymise, early)
    marts.build(warehouse, settings())
    run_id = load_messages(warehouse, tmp_path / "inbox", pseudonymise, late)
    scope = marts.changed_scope(warehouse, run_id)
    assert scope == {"GM0546": date(2025, 1, 1), "GM0547": date(2025, 3, 1)}
    marts.build(warehouse, settings(), scope)
    incremental = snapshot(warehouse)
    marts.build(warehouse, settings())
    full = snapshot(warehouse)
    for name, rows in full.items():
        assert incremental[name] == rows, name


def test_a_window_starting_within_a_quarter_has_its_partial_quarter_and_year_and_rebuilds_them(
    warehouse, tmp_path, pseudonymise
):
    from dataclasses import replace

    load_messages(warehouse, tmp_path / "inbox", pseudonymise, WORLD)
    february = replace(settings(), first_month=date(2025, 2, 1))
    marts.build(warehouse, february)
    first = snapshot(warehouse)
    marts.build(warehouse, february)  # the Q1 and 2025 rows begin before the window: replaced, not doubled
    assert snapshot(warehouse) == first
    assert select(
        warehouse,
        "select periode_type, maand, periode, periode_volledig from mart_aanmeldingen "
        "where gemeentecode = 'GM0546' and team = 'totaal' and maand < '2025-04-01' order by maand, periode_type",
    ) == [
        ("jaar", "2025-01-01", "2025JJ00", False),
        ("kwartaal", "2025-01-01", "2025KW01", False),  # February and March only
        ("maand", "2025-02-01", "2025MM02", True),
        ("maand", "2025-03-01", "2025MM03", True),
    ]


def test_building_gemeenten_in_worker_processes_gives_the_same_marts(warehouse, tmp_path, pseudonymise):
    from dataclasses import replace

    load_messages(warehouse, tmp_path / "inbox", pseudonymise, WORLD)
    report = marts.build(warehouse, replace(settings(threshold=3), workers=2))
    in_workers = snapshot(warehouse)
    assert report.gemeenten == 2 and sum(report.rows.values()) > 0
    marts.build(warehouse, settings(threshold=3))
    assert snapshot(warehouse) == in_workers


def snapshot(engine) -> dict[str, list[tuple]]:
    from jeugdmonitor.schemas.marts import MARTS

    out = {}
    for table in MARTS:
        columns = [c.name for c in table.columns if c.name != "bijgewerkt_op"]
        out[table.name] = sorted(select(engine, f"select {', '.join(columns)} from {table.name}"), key=repr)
    return out


def test_cbs_voorlopig_figures_replaced_by_definitive_ones_rebuild_the_marts(warehouse, tmp_path, pseudonymise):
    import pandas as pd

    from jeugdmonitor.cbs import ingest as ingest_cbs
    from jeugdmonitor.cbs.client import make_client
    from jeugdmonitor.config import CbsTableConfig
    from jeugdmonitor.synthetic.cbs_server import FixtureServer
    from jeugdmonitor.synthetic.cbs_writer import make_revision, write_cbs_tree
    from jeugdmonitor.synthetic.regions import holland_rijnland

    load_messages(warehouse, tmp_path / "inbox", pseudonymise, WORLD)
    tree = tmp_path / "cbs"
    counts = pd.DataFrame(
        [
            {"gemeentecode": g, "periode": p, "measure": "jeugdhulp", "value": v}
            for g in ("GM0546", "GM0547")
            for p, v in (("2025HJ01", 120), ("2025HJ02", 130))
        ]
    )
    write_cbs_tree(
        tree,
        region=holland_rijnland().select(["GM0546", "GM0547"]),
        counts=counts,
        first_month="2025-01",
        months=12,
        seed=5,
        page_size=50,
    )
    options = ingest_cbs.CbsOptions(
        tables=[CbsTableConfig(purpose="jeugdzorg", table_id="85099NED", rounded=True)],
        regions=frozenset({"GM0546", "GM0547"}),
        herindeling={},
        api="v3",
        fetch_root=tmp_path / "fetch",
    )

    def refresh_and_build(server) -> None:
        client = make_client(server.url, retries=0, backoff=0.01)
        run_id = meta.start_run(warehouse, "test")
        ingest_cbs.refresh(warehouse, run_id, client, options)
        client.close()
        marts.build(warehouse, settings(), marts.changed_scope(warehouse, run_id))

    def statuses() -> dict[str, str]:
        return dict(
            select(
                warehouse, "select periode, cbs_periode_status from mart_jeugdhulpgebruik where gemeentecode = 'GM0546'"
            )
        )

    with FixtureServer(tree) as server:
        marts.build(warehouse, settings())
        refresh_and_build(server)
        assert statuses()["2025HJ01"] == "Nader voorlopig"
        revision = make_revision(tree, "85099NED", seed=2)
        server.reload()
        refresh_and_build(server)
    assert revision["status"]["2025HJ01"] == {"before": "Nader voorlopig", "after": "Definitief"}
    assert statuses()["2025HJ01"] == "Definitief"
    incremental = snapshot(warehouse)
    marts.build(warehouse, settings())
    assert snapshot(warehouse) == incremental


def test_suppression_holds_across_months_and_across_marts():
    import pandas as pd
    from jeugdmonitor.transforms.marts.inputs import ZORGPERIODE_COLUMNS, Inputs, Window, frame

    def zp(youth, code, klasse, begin):
        return {
            "gemeentecode": "GM0546",
            "aanbieder_agb": "1",
            "client_pseudonym": youth,
            "toewijzing_nummer": 1,
            "product_categorie": code[:2],
            "product_code": code,
            "klasse": klasse,
            "juridische_status": "01",
            "begindatum": begin,
            "tijdelijk_beeindigd": 0,
        }

    # OTS starts: 5 in January, 1 in February (small); the half-year total (6) alone would give February away.
    periods = [zp(f"o{i}", "48B10", "ots", "2025-01-10") for i in range(5)] + [zp("o9", "48B10", "ots", "2025-02-03")]
    # Verblijf in the half-year: pleegzorg 4, gezinsgericht 1 (small), total 5 published: pleegzorg is hidden as
    # its complement, and so must the same figure be in mart_cbs_vergelijking.
    periods += [zp(f"p{i}", "44A03", "pleegzorg", "2025-03-01") for i in range(4)]
    periods += [zp("g1", "44A10", "gezinsgericht", "2025-03-01")]
    cbs = pd.DataFrame(
        [
            {
                "purpose": "jeugdzorg",
                "table_id": "85099NED",
                "measure": "JongerenMetJeugdzorg_1",
                "periode": "2025HJ01",
                "value": 5.0,
                "period_status": "Voorlopig",
                "VormenVanJeugdzorg": "JH 1221 Pleegzorg",
            }
        ]
    )
    inputs = Inputs(gemeentecode="GM0546", zorgperiodes=frame(periods, ZORGPERIODE_COLUMNS), cbs=cbs)
    built = {
        spec.table.name: rows
        for spec, rows in marts.build_gemeente(
            inputs, Window(date(2025, 1, 1), date(2025, 6, 1)), Params(), threshold=3
        )
    }

    ots = built["mart_ots"].set_index("periode")
    assert pd.isna(ots.at["2025MM02", "gestart"]), "the small month is hidden"
    assert pd.isna(ots.at["2025MM01", "gestart"]), "and a second month of the half-year with it"
    assert ots.at["2025HJ01", "gestart"] == 6
    verblijf = built["mart_uithuisplaatsingen"]
    half = verblijf[(verblijf["periode"] == "2025HJ01") & (verblijf["bron"] == "ijw")].set_index("vorm")
    assert pd.isna(half.at["gezinsgericht", "jeugdigen_in_periode"])
    assert pd.isna(half.at["pleegzorg", "jeugdigen_in_periode"]) and half.at["totaal", "jeugdigen_in_periode"] == 5
    vergelijking = built["mart_cbs_vergelijking"].set_index(["periode", "indicator"])
    assert pd.isna(vergelijking.at[("2025HJ01", "pleegzorg"), "lokaal"])
    assert pd.isna(vergelijking.at[("2025HJ01", "pleegzorg"), "verschil"])
    assert bool(vergelijking.at[("2025HJ01", "pleegzorg"), "onderdrukt"])


def test_rates_per_1000_youths_go_with_their_suppressed_counts():
    import pandas as pd
    from jeugdmonitor.transforms.marts.inputs import ZORGPERIODE_COLUMNS, Inputs, Window, frame

    def zp(youth, code, klasse):
        return {
            "gemeentecode": "GM0546",
            "aanbieder_agb": "1",
            "client_pseudonym": youth,
            "toewijzing_nummer": 1,
            "product_categorie": code[:2],
            "product_code": code,
            "klasse": klasse,
            "juridische_status": "01",
            "begindatum": "2025-01-10",
            "tijdelijk_beeindigd": 0,
        }

    # 2 youths under OTS (small), 12 in pleegzorg (published); a population of 4,000 youths on 1 January 2025
    periods = [zp(f"o{i}", "48B10", "ots") for i in range(2)] + [zp(f"p{i}", "44A03", "pleegzorg") for i in range(12)]
    population = {
        "purpose": "bevolking",
        "table_id": "03759ned",
        "measure": "BevolkingOp1Januari_1",
        "periode": "2025JJ00",
        "value": 4000.0,
        "period_status": "Voorlopig",
        "Leeftijd": "0 tot 18 jaar",
        "Geslacht": "Totaal mannen en vrouwen",
    }
    inputs = Inputs(
        gemeentecode="GM0546", zorgperiodes=frame(periods, ZORGPERIODE_COLUMNS), cbs=pd.DataFrame([population])
    )
    built = {
        spec.table.name: rows
        for spec, rows in marts.build_gemeente(inputs, Window(date(2025, 1, 1), date(2025, 1, 1)), Params(), 10)
    }
    ots = built["mart_ots"].set_index("periode")
    assert pd.isna(ots.at["2025MM01", "jeugdigen_in_periode"]) and pd.isna(
        ots.at["2025MM01", "jeugdigen_in_periode_per_1000"]
    )
    assert ots.at["2025MM01", "bevolking_0_17"] == 4000 and bool(ots.at["2025MM01", "onderdrukt"])
    verblijf = built["mart_uithuisplaatsingen"]
    pleegzorg = verblijf[(verblijf["periode"] == "2025MM01") & (verblijf["vorm"] == "pleegzorg")].iloc[0]
    assert pleegzorg["jeugdigen_in_periode"] == 12 and pleegzorg["jeugdigen_in_periode_per_1000"] == 3.0
    jeugdhulp = built["mart_jeugdhulpgebruik"].set_index("periode")
    assert jeugdhulp.at["2025HJ01", "jeugdigen_met_jeugdhulp"] == 12
    assert jeugdhulp.at["2025HJ01", "jeugdigen_met_jeugdhulp_per_1000"] == 3.0
    # with a threshold above 12 the pleegzorg and jeugdhulp counts are hidden, and their rates with them
    hidden = {
        spec.table.name: rows
        for spec, rows in marts.build_gemeente(inputs, Window(date(2025, 1, 1), date(2025, 1, 1)), Params(), 13)
    }
    jeugdhulp = hidden["mart_jeugdhulpgebruik"].set_index("periode")
    assert pd.isna(jeugdhulp.at["2025HJ01", "jeugdigen_met_jeugdhulp_per_1000"])
    assert jeugdhulp.at["2025HJ01", "bevolking_0_17"] == 4000
    verblijf = hidden["mart_uithuisplaatsingen"]
    assert verblijf.loc[verblijf["vorm"] == "pleegzorg", "jeugdigen_in_periode_per_1000"].isna().all()
