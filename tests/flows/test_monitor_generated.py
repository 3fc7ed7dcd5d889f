"""The monitor flow on a small generated world with planted defects: nothing lost, nothing doubled, no BSN kept."""

import json
import re

import pytest
from sqlalchemy import inspect, select, text

from flows.monitor import monitor
from jeugdmonitor.synthetic import generate
from jeugdmonitor.warehouse import make_engine
from schemas.warehouse import meta_quarantine, meta_source_file
from tests.conftest import SHARED
from tests.flows.test_monitor_flow import write_config

# What the parser alone must catch of the generator's defect kinds; the business-rule kinds (amounts, totals,
# duplicates, unknown codes and toewijzingen) belong to the validation suite.
LINE_DEFECTS = {"invalid_bsn": "bsn_invalid", "impossible_date": "period_reversed"}
FILE_DEFECTS = {"truncated_xml": {"not_well_formed"}, "wrong_encoding": {"not_well_formed"},
                "empty_file": {"empty_file"}, "xsd_invalid": {"xsd_invalid", "bsn_invalid"}}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("world")
    generate(root / "inbox", gemeenten=["GM0638"], start="2025-01", months=2, scale=0.2, defects=0.05)
    return root


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_generated_world_loads_with_every_parser_defect_in_quarantine(world, backend, request, tmp_path):
    url = (f"sqlite:///{tmp_path / 'wh.sqlite'}" if backend == "sqlite" else request.getfixturevalue("pg_url"))
    config = write_config(world, url)
    xsd = SHARED / "reference" / "ijw-3.2" / "xsd"
    if xsd.is_dir():
        config.write_text(config.read_text() + f'\n[ijw]\nxsd_dir = "{xsd}"\n')
    manifest = json.loads((world / "inbox" / "manifest.json").read_text())
    ijw_files = list((world / "inbox" / "ijw").rglob("*.xml"))

    summary = monitor(str(config))
    assert summary.count("loaded") + summary.count("rejected") == len(ijw_files)
    assert summary.count("pending") == 0

    engine = make_engine(url)
    with engine.connect() as conn:
        files = {r.path: r for r in conn.execute(select(meta_source_file))}
        quarantine = conn.execute(select(meta_source_file.c.path, meta_quarantine.c.line,
                                         meta_quarantine.c.reason_code)
                                  .join(meta_source_file, meta_source_file.c.file_id == meta_quarantine.c.file_id)
                                  ).all()
    # nothing lost: per file, rows read = rows loaded + rows quarantined
    assert all(f.rows_read == f.rows_loaded + f.rows_quarantined for f in files.values())
    assert sum(f.rows_loaded for f in files.values()) == summary.rows_loaded > 0

    at_line = {(q.path, q.line, q.reason_code) for q in quarantine}
    planted = [d for d in manifest["defects"] if d["file"].startswith("ijw/")]
    assert any(d["kind"] in LINE_DEFECTS for d in planted) and any(d["kind"] in FILE_DEFECTS for d in planted)
    for defect in planted:
        path = defect["file"].removeprefix("ijw/")
        if defect["kind"] in LINE_DEFECTS:
            assert (path, defect["line"], LINE_DEFECTS[defect["kind"]]) in at_line, defect
        elif defect["kind"] in FILE_DEFECTS:
            assert files[path].status == "rejected", defect
            assert files[path].reason_code in FILE_DEFECTS[defect["kind"]], (defect, files[path].reason_code)

    # nothing doubled: a second run finds every file known
    again = monitor(str(config))
    assert again.count("skipped") == len(ijw_files) and again.rows_loaded == 0

    # no BSN from the delivered files anywhere in the warehouse
    bsns = set()
    for path in ijw_files:
        bsns.update(re.findall(rb"Bsn>(\d{8,9})<", path.read_bytes()))
    assert len(bsns) > 20
    with engine.connect() as conn:
        dump = "\n".join(str(row) for table in inspect(conn).get_table_names()
                         for row in conn.execute(text(f'select * from "{table}"')))
    engine.dispose()
    leaked = [b.decode() for b in bsns if b.decode() in dump]
    assert leaked == []
