"""Reprocess through the flows: a late JW301 brings its waiting declaratie lines in at the next run by itself, and
the `reprocess` flow loads what today's configuration accepts, with the summary saying what it did."""

from pathlib import Path

import pytest
from jeugdmonitor.flows.monitor import monitor
from jeugdmonitor.flows.reprocess import reprocess
from jeugdmonitor.schemas.warehouse import meta_load_run, meta_quarantine, stg_jw323_prestatie
from sqlalchemy import func, select

from jeugdmonitor.warehouse import make_engine
from tests import ijw_builder as ijw
from tests.flows.test_monitor_flow import write_config

LINES = [{"ref": f"P-{i}", "nummer": 1001, "begin": "2025-05-01", "eind": "2025-05-31", "volume": 2} for i in range(2)]


def _url(folder: Path, backend: str, request) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'data' / 'warehouse.sqlite'}"
    return request.getfixturevalue("pg_url")


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_late_jw301_brings_in_its_waiting_declaratie_lines_at_the_next_run(tmp_path, backend, request):
    config = write_config(tmp_path, _url(tmp_path, backend, request))
    inbox = tmp_path / "inbox" / "ijw"
    declaratie = ijw.jw323("DCL1", "2025-06-02", ("2025-05-01", "2025-05-31"), {"999900006": LINES})
    _write(inbox / "2025-06" / "JW323_12345678_0546_DCL1.xml", declaratie)

    first = monitor(str(config))
    assert (first.rows_loaded, first.reasons()) == (0, {"toewijzing_unknown": 2})

    product = {"nummer": 1001, "datum": "2025-04-01", "ingang": "2025-04-01"}
    _write(inbox / "2025-06" / "JW301_0546_12345678_T1.xml", ijw.jw301("T1", "2025-06-03", "999900006", [product]))
    second = monitor(str(config))

    assert second.count("reloaded") == 1 and second.resolved == 2
    assert second.rows_loaded == 1 + 2  # the toewijzing, then the two declaratie lines
    engine = make_engine(_url(tmp_path, backend, request))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(stg_jw323_prestatie)).scalar_one() == 2
        closed = conn.execute(select(meta_quarantine.c.opgelost_als, meta_quarantine.c.opgelost_door_run)).all()
    engine.dispose()
    assert closed == [("geladen", second.run_id)] * 2

    third = monitor(str(config))
    assert third.rows_loaded == 0 and third.count("reloaded") == 0 and third.count("skipped") == 2


def test_the_reprocess_flow_loads_what_passes_now_and_says_what_it_did(tmp_path):
    url = _url(tmp_path, "sqlite", None)
    config = write_config(tmp_path, url)
    codes = tmp_path / "productcodes.csv"
    header = "product_code,product_categorie,omschrijving,klasse,vorm,maatregel\n"
    codes.write_text(header + "45A05,45,Jeugdhulp ambulant,zonder_verblijf,01,\n", encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8") + '[ijw]\nproductcodes = "productcodes.csv"\n')
    inbox = tmp_path / "inbox" / "ijw"
    product = {"nummer": 1001, "datum": "2025-04-01", "ingang": "2025-04-01"}
    _write(inbox / "2025-04" / "JW301_0546_12345678_T1.xml", ijw.jw301("T1", "2025-04-01", "999900006", [product]))
    lines = [{**LINES[0], "code": "45X99"}, LINES[1]]
    declaratie = ijw.jw323("DCL1", "2025-06-02", ("2025-05-01", "2025-05-31"), {"999900006": lines})
    _write(inbox / "2025-06" / "JW323_12345678_0546_DCL1.xml", declaratie)
    _write(inbox / "2025-06" / "JW323_broken.xml", declaratie[:300])
    first = monitor(str(config))
    assert first.count("rejected") == 1 and first.reasons() == {"product_code_unknown": 1, "not_well_formed": 1}
    second = monitor(str(config))
    assert (second.count("skipped"), second.count("refused_before")) == (2, 1)
    assert "eerder geweigerd — `jeugdmonitor reprocess` probeert opnieuw" in second.render_text()
    (inbox / "2025-06" / "JW323_broken.xml").unlink()
    codes.write_text(codes.read_text(encoding="utf-8") + "45X99,45,Eigen code,zonder_verblijf,01,\n")

    summary = reprocess(source="ijw", config_path=str(config))

    assert (summary.count("reloaded"), summary.count("gone"), summary.rows_loaded, summary.resolved) == (1, 1, 1, 1)
    text = summary.render_text()
    assert "files gone from the inbox (not judged again)" in text and "2025-06/JW323_broken.xml: staat niet" in text
    assert summary.marts is not None and summary.marts.gemeenten == 1
    engine = make_engine(url)
    with engine.connect() as conn:
        runs = conn.execute(select(meta_load_run.c.flow_name, meta_load_run.c.status)).all()
        loaded = conn.execute(select(func.count()).select_from(stg_jw323_prestatie)).scalar_one()
    engine.dispose()
    assert ("reprocess", "completed") in [tuple(r) for r in runs] and loaded == 2
