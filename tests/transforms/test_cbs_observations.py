"""CBS observations in long format, their checks, and the diff that turns a new table version into upserts."""

import math

import pandas as pd
from jeugdmonitor.transforms.cbs.checks import add_checks
from jeugdmonitor.transforms.cbs.observations import (
    NOT_RETURNED,
    content_sha256,
    current_gemeente,
    diff,
    observations_frame,
)

HERINDELING = {"GM0576": "GM0575"}
STATUS = {"2025HJ01": "Nader voorlopig", "2025HJ02": "Voorlopig"}


def obs(regio, periode, value, measure="JongerenMetJeugdzorg_1", vorm="A045561", attribute="None"):
    return {
        "measure": measure,
        "value": value,
        "value_attribute": attribute,
        "dimensions": {"RegioS": regio, "Perioden": periode, "VormenVanJeugdzorg": vorm},
    }


def frame(*observations, status=STATUS):
    return observations_frame(
        observations,
        table_id="85099NED",
        geo_key="RegioS",
        time_key="Perioden",
        period_status=status,
        herindeling=HERINDELING,
    )


def test_long_rows_carry_key_status_and_current_gemeente():
    f = frame(obs("GM0576", "2025HJ01", 35), obs("JZ18", "2025HJ02", None, attribute="Missing"))
    assert f.astype(object).where(f.notna(), None).to_dict("records") == [
        {
            "table_id": "85099NED",
            "measure": "JongerenMetJeugdzorg_1",
            "regio_code": "GM0576",
            "periode": "2025HJ01",
            "dimensions": "VormenVanJeugdzorg=A045561",
            "gemeentecode": "GM0575",
            "value": 35.0,
            "value_text": None,
            "value_attribute": "None",
            "period_status": "Nader voorlopig",
            "line": 1,
        },
        {
            "table_id": "85099NED",
            "measure": "JongerenMetJeugdzorg_1",
            "regio_code": "JZ18",
            "periode": "2025HJ02",
            "dimensions": "VormenVanJeugdzorg=A045561",
            "gemeentecode": None,
            "value": None,
            "value_text": None,
            "value_attribute": "Missing",
            "period_status": "Voorlopig",
            "line": 2,
        },
    ]


def test_text_topics_and_tables_without_periods():
    f = observations_frame(
        [{"measure": "Code_16", "value": None, "string_value": "JZ18", "dimensions": {"RegioS": "GM0546"}}],
        table_id="86059NED",
        geo_key="RegioS",
        time_key=None,
        period_status={},
        herindeling={},
        fixed_period="2025JJ00",
    )
    row = f.iloc[0]
    assert (row["value_text"], row["periode"], row["dimensions"]) == ("JZ18", "2025JJ00", "")
    assert row["value"] is None or math.isnan(row["value"])


def test_herindeling_chains_end_at_todays_gemeente():
    assert current_gemeente("GM0001", {"GM0001": "GM0002", "GM0002": "GM0003"}) == "GM0003"
    assert current_gemeente("NL01", HERINDELING) is None


def test_content_hash_ignores_order_but_not_values():
    a, b = obs("GM0546", "2025HJ01", 35), obs("GM0546", "2025HJ02", 40)
    assert content_sha256(frame(a, b)) == content_sha256(frame(b, a))
    assert content_sha256(frame(a, b)) != content_sha256(frame(a, obs("GM0546", "2025HJ02", 45)))
    assert content_sha256(frame(a)) != content_sha256(frame(a, status={"2025HJ01": "Definitief"}))


def stored(f: pd.DataFrame) -> pd.DataFrame:
    return f.assign(id=range(100, 100 + len(f)))


def test_a_revision_updates_values_and_statuses_and_a_value_turning_null_counts():
    old = stored(frame(obs("GM0546", "2025HJ01", 35), obs("GM0546", "2025HJ02", 40), obs("GM0547", "2025HJ01", 10)))
    new_status = {"2025HJ01": "Definitief", "2025HJ02": "Nader voorlopig"}
    new = frame(
        obs("GM0546", "2025HJ01", 35),
        obs("GM0546", "2025HJ02", 45),
        obs("GM0547", "2025HJ01", None, attribute="Missing"),
        obs("JZ18", "2025HJ01", 500),
        status=new_status,
    )
    changes = diff(old, new)
    assert changes.inserts["regio_code"].tolist() == ["JZ18"]
    updated = changes.updates.set_index("id")
    # All three stored cells changed: a status (HJ01 definitief), a value (40 -> 45) and a value to null.
    assert sorted(updated.index) == [100, 101, 102]
    assert updated.loc[101, "value"] == 45 and updated.loc[101, "period_status"] == "Nader voorlopig"
    assert pd.isna(updated.loc[102, "value"]) and updated.loc[102, "value_attribute"] == "Missing"
    revisions = changes.revisions.set_index(["regio_code", "periode"])
    assert revisions.loc[("GM0546", "2025HJ02"), ["old_value", "new_value"]].tolist() == [40, 45]
    assert revisions.loc[("GM0546", "2025HJ01"), ["old_status", "new_status"]].tolist() == [
        "Nader voorlopig",
        "Definitief",
    ]
    assert revisions.loc[("GM0547", "2025HJ01"), "old_value"] == 10
    assert pd.isna(revisions.loc[("GM0547", "2025HJ01"), "new_value"])
    assert changes.unchanged == 0


def test_the_same_version_again_changes_nothing():
    f = frame(obs("GM0546", "2025HJ01", 35), obs("GM0546", "2025HJ02", None, attribute="Missing"))
    changes = diff(stored(f), f)
    assert changes.inserts.empty and changes.updates.empty and changes.revisions.empty
    assert changes.unchanged == 2


def test_cells_no_longer_returned_become_null_only_in_the_fetched_periods():
    old = stored(frame(obs("GM0546", "2025HJ01", 35), obs("GM0547", "2025HJ01", 10), obs("GM0547", "2025HJ02", 15)))
    new = frame(obs("GM0546", "2025HJ01", 35))  # v4 leaves out empty cells; HJ02 was not fetched at all
    changes = diff(old, new)
    assert changes.updates["id"].tolist() == [101]
    assert changes.updates.iloc[0]["value_attribute"] == NOT_RETURNED
    assert pd.isna(changes.updates.iloc[0]["value"])


def test_first_load_inserts_everything():
    new = frame(obs("GM0546", "2025HJ01", 35))
    empty = new.iloc[0:0].assign(id=pd.Series(dtype="int64"))
    changes = diff(empty, new)
    assert len(changes.inserts) == 1 and changes.updates.empty and changes.revisions.empty


def test_checks_flag_unknown_periods_unrequested_regions_and_unrounded_counts():
    f = frame(
        obs("GM0546", "2025HJ01", 35),
        obs("GM0546", "2025HJ01", 37),
        obs("GM9999", "2024HJ01", 5),
        obs("GM0546", "2025HJ01", 9.3, measure="JongerenMetJeugdzorgRelatief_2"),
    )
    checked = add_checks(
        f, known_periods=STATUS, requested_regions={"GM0546"}, count_measures={"JongerenMetJeugdzorg_1"}, rounded=True
    )
    assert checked["check_veelvoud_5"].tolist() == [True, False, True, True]
    assert checked["check_periode_bekend"].tolist() == [True, True, False, True]
    assert checked["check_regio_gevraagd"].tolist() == [True, True, False, True]
    unrounded_table = add_checks(
        f, known_periods=STATUS, requested_regions={"GM0546"}, count_measures={"JongerenMetJeugdzorg_1"}, rounded=False
    )
    assert unrounded_table["check_veelvoud_5"].all()


def test_repeated_cells_are_kept_once_and_conflicting_ones_counted():
    from jeugdmonitor.transforms.cbs.observations import without_duplicates

    once, repeats, conflicts = without_duplicates(
        frame(obs("GM0546", "2025HJ01", 35), obs("GM0546", "2025HJ01", 35), obs("GM0546", "2025HJ02", None))
    )
    assert (len(once), repeats, conflicts) == (2, 1, 0)
    assert list(once["line"]) == [1, 3], "the first of the repeats stays, with its line"
    _, _, conflicts = without_duplicates(
        frame(obs("GM0546", "2025HJ01", 35), obs("GM0546", "2025HJ01", 40), obs("GM0547", "2025HJ01", 5))
    )
    assert conflicts == 1
    unchanged, repeats, conflicts = without_duplicates(
        frame(obs("GM0546", "2025HJ01", None), obs("JZ18", "2025HJ01", 1))
    )
    assert (len(unchanged), repeats, conflicts) == (2, 0, 0)
