"""CBS figures for a gemeente by Title, and the sum over the gemeenten a herindeling merged."""

import pandas as pd
from jeugdmonitor.transforms.marts.cbs import cbs_figure

SPEC = {
    "purpose": "jeugdzorg",
    "measure": "JongerenMetJeugdzorg_1",
    "categorie": {"VormenVanJeugdzorg": "JH 1 Totaal jeugdhulp"},
}


def cell(periode, value, regio="GM0575", vorm="JH 1 Totaal jeugdhulp", status="Definitief"):
    return {
        "purpose": "jeugdzorg",
        "table_id": "85099NED",
        "measure": "JongerenMetJeugdzorg_1",
        "periode": periode,
        "value": value,
        "period_status": status,
        "VormenVanJeugdzorg": vorm,
        "regio": regio,
    }


def test_old_gemeenten_of_a_herindeling_add_up_and_a_null_stays_null():
    cbs = pd.DataFrame(
        [
            cell("2018JJ00", 900),
            cell("2018JJ00", 250, regio="GM0576"),  # Noordwijk and Noordwijkerhout, 2018
            cell("2019JJ00", 1200),
            cell("2019JJ00", None, regio="GM0576"),  # merged: the old code is empty
            cell("2020JJ00", None, status="Voorlopig"),  # suppressed by CBS
            cell("2019JJ00", 77, vorm="JH 122 Totaal jeugdhulp met verblijf"),
        ]
    )
    out = cbs_figure(cbs, SPEC)
    assert out["periode"].tolist() == ["2018JJ00", "2019JJ00", "2020JJ00"]
    assert out["value"].tolist()[:2] == [1150, 1200] and pd.isna(out["value"].iloc[2])
    assert out["period_status"].tolist() == ["Definitief", "Definitief", "Voorlopig"]


def test_a_title_cbs_does_not_have_gives_no_rows():
    cbs = pd.DataFrame([cell("2019JJ00", 5)])
    assert cbs_figure(cbs, {**SPEC, "categorie": {"Leeftijd": "0 tot 18 jaar"}}).empty
