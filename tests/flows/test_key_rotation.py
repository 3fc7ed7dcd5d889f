"""A warehouse keeps the key its pseudonyms were made with: a run with another key loads nothing, and a key is
rotated by reloading the archived inbox into a new warehouse (docs/privacy.md, "Rotating the key")."""

import pytest
from jeugdmonitor.flows.monitor import monitor
from jeugdmonitor.schemas.warehouse import meta_load_run, stg_jw323_prestatie
from sqlalchemy import func, select

from jeugdmonitor.pseudonym import KeyMismatch, Pseudonymiser
from jeugdmonitor.warehouse import make_engine
from tests.flows.test_monitor_flow import region_folder, write_config  # noqa: F401  (a fixture)

KEY_OLD = bytes(range(32))
KEY_NEW = bytes(range(100, 132))


def counts_and_pseudonyms(url: str) -> tuple[int, int, set[str]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        runs = conn.execute(select(func.count()).select_from(meta_load_run)).scalar_one()
        rows = conn.execute(select(func.count()).select_from(stg_jw323_prestatie)).scalar_one()
        pseudonyms = set(conn.execute(select(stg_jw323_prestatie.c.client_pseudonym)).scalars())
    engine.dispose()
    return runs, rows, pseudonyms


def test_another_key_loads_nothing_and_a_rotation_reloads_the_inbox_into_a_new_warehouse(
    region_folder,  # noqa: F811
    monkeypatch,
):
    old_url = f"sqlite:///{region_folder / 'data' / 'old.sqlite'}"
    config = write_config(region_folder, old_url)
    monkeypatch.setenv("JEUGDMONITOR_PSEUDONYM_KEY", KEY_OLD.hex())
    monitor(str(config))
    before = counts_and_pseudonyms(old_url)
    assert before[:2] == (1, 3)

    # another key in force: refused before the run is even recorded
    monkeypatch.setenv("JEUGDMONITOR_PSEUDONYM_KEY", KEY_NEW.hex())
    with pytest.raises(KeyMismatch, match=Pseudonymiser(KEY_OLD).key_id):
        monitor(str(config))
    assert counts_and_pseudonyms(old_url) == before

    # the rotation: a new warehouse, loaded from the same (archived) inbox with the new key
    new_url = f"sqlite:///{region_folder / 'data' / 'new.sqlite'}"
    monitor(str(write_config(region_folder, new_url)))
    runs, rows, pseudonyms = counts_and_pseudonyms(new_url)
    assert (runs, rows) == (1, 3)  # everything in the inbox again
    assert not pseudonyms & before[2]  # other pseudonyms: nothing links to the old warehouse
