"""What the monitor writes to disk is for its owner only: the SQLite warehouse with its WAL, shared memory and lock,
the GX Data Docs, the CBS page cache (tests/cbs/test_page_cache.py) and the demo's data folder. Under the common
umask 022 each of these used to be readable by every account on the machine."""

import os
import stat
from pathlib import Path

import pandas as pd
import pytest
from jeugdmonitor.expectations import load_suite_json
from sqlalchemy import text

from jeugdmonitor.alerts import data_docs
from jeugdmonitor.locking import warehouse_lock
from jeugdmonitor.validation import _suite_columns, validator
from jeugdmonitor.warehouse import make_engine, upgrade


@pytest.fixture(autouse=True)
def common_umask():
    """The usual umask, whatever the test machine has: it lets files be created 0644 and folders 0755."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_owner_only(root: Path) -> None:
    """`root` and everything in it: folders 0700, files 0600."""
    paths = [root, *root.rglob("*")]
    assert len(paths) > 1
    wrong = {str(p): oct(mode(p)) for p in paths if mode(p) != (0o700 if p.is_dir() else 0o600)}
    assert wrong == {}


def test_a_fresh_sqlite_warehouse_its_wal_shm_and_lock_are_owner_only(tmp_path):
    database = tmp_path / "data" / "warehouse.sqlite"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    with warehouse_lock(engine), engine.connect() as conn:
        conn.execute(text("select count(*) from meta_load_run"))
        files = [database, Path(f"{database}-wal"), Path(f"{database}-shm"), Path(f"{database}.lock")]
        assert all(f.exists() for f in files)  # WAL and shared memory exist while a connection is open
        assert_owner_only(database.parent)
    engine.dispose()


def test_the_data_docs_folder_and_its_files_are_owner_only(tmp_path):
    columns = _suite_columns(load_suite_json("stg_jw323_prestatie"))
    frame = pd.DataFrame({c: [True, False] for c in columns if c.startswith("check_")})
    frame["product_categorie"] = ["45", "45"]
    validator().validate(frame, "stg_jw323_prestatie")
    index = data_docs.build(tmp_path / "data" / "data-docs")
    assert index is not None and index.exists()
    assert_owner_only(tmp_path / "data")


def test_the_demo_data_folder_is_owner_only(tmp_path):
    from jeugdmonitor.synthetic import generate

    generate(tmp_path / "data" / "inbox", gemeenten=["GM0546"], months=1, scale=0.01)
    assert mode(tmp_path / "data") == mode(tmp_path / "data" / "inbox") == 0o700
