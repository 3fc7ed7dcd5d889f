"""Discovery skips hashing files recorded with the same (path, size, mtime), on SQLite and PostgreSQL."""

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jeugdmonitor import discovery, meta
from jeugdmonitor.discovery import discover
from jeugdmonitor.ijw.ingest import load_files

FIXTURES = Path(__file__).parent / "fixtures" / "ijw"
DECLARATIE = "2025-05/JW323_12345678_0546_DCL202505007.xml"
TOEWIJZING = "2025-03/JW301_0546_12345678_T202503001.xml"
# Nanoseconds that a microsecond-precision timestamp cannot hold: the round trip through the warehouse must still
# give the same stamp.
MTIME_NS = 1_748_000_000_123_456_789


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    for relative, fixture in ((DECLARATIE, "jw323_credit_correction.xml"), (TOEWIJZING, "jw301_snapshot.xml")):
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / fixture, folder / relative)
        os.utime(folder / relative, ns=(MTIME_NS, MTIME_NS))
    return folder


@pytest.fixture
def hashed(monkeypatch):
    """The files discovery reads to hash them, in order."""
    calls: list[str] = []
    real = discovery.sha256_of

    def counting(path):
        calls.append(path.name)
        return real(path)

    monkeypatch.setattr(discovery, "sha256_of", counting)
    return calls


def rediscover(engine, inbox):
    return discover(inbox, (".xml",), meta.known_hashes(engine), meta.recorded_stamps(engine, "ijw"))


@pytest.fixture
def loaded(warehouse, inbox, pseudonymise):
    new, _ = rediscover(warehouse, inbox)
    load_files(warehouse, meta.start_run(warehouse, "test"), new, pseudonymise)
    return {d.relative: d.sha256 for d in new}


def test_recorded_stamps_round_trip(warehouse, loaded, inbox):
    stamps = meta.recorded_stamps(warehouse, "ijw")
    stats = {r: (inbox / r).stat() for r in loaded}
    expected = {
        discovery.stamp(r, stats[r].st_size, datetime.fromtimestamp(stats[r].st_mtime, tz=UTC)): sha
        for r, sha in loaded.items()
    }
    assert stamps == expected
    assert meta.recorded_stamps(warehouse, "jgt") == {}  # paths are relative to each source's own inbox


def test_unchanged_files_are_not_hashed_again(warehouse, loaded, inbox, hashed):
    new, seen = rediscover(warehouse, inbox)
    assert new == [] and hashed == []
    assert {d.relative: d.sha256 for d in seen} == loaded


def test_touched_file_is_hashed_and_still_seen(warehouse, loaded, inbox, hashed):
    os.utime(inbox / DECLARATIE, ns=(MTIME_NS + 1_000_000_000, MTIME_NS + 1_000_000_000))
    new, seen = rediscover(warehouse, inbox)
    assert hashed == [Path(DECLARATIE).name]
    assert new == [] and len(seen) == 2


def test_same_size_rewrite_with_new_mtime_is_new(warehouse, loaded, inbox, hashed):
    path = inbox / DECLARATIE
    data = path.read_bytes()
    position = data.index(b"DCL")  # change one byte, keep the size
    path.write_bytes(data[:position] + b"X" + data[position + 1 :])
    os.utime(path, ns=(MTIME_NS + 1_000, MTIME_NS + 1_000))
    new, seen = rediscover(warehouse, inbox)
    assert hashed == [path.name]
    assert [d.relative for d in new] == [DECLARATIE] and new[0].sha256 != loaded[DECLARATIE]
    assert [d.relative for d in seen] == [TOEWIJZING]


def test_same_bytes_under_a_new_name_is_seen(warehouse, loaded, inbox, hashed):
    copy = inbox / "elders" / "kopie.xml"
    copy.parent.mkdir()
    shutil.copy2(inbox / DECLARATIE, copy)  # same bytes and mtime, another path
    new, seen = rediscover(warehouse, inbox)
    assert hashed == ["kopie.xml"]
    assert new == [] and {d.relative: d.sha256 for d in seen}["elders/kopie.xml"] == loaded[DECLARATIE]


def rglob_reference(inbox: Path, suffixes: tuple[str, ...]) -> list[tuple[str, Path]]:
    """The selection and order of discovery before it walked with os.walk (pathlib rglob)."""
    return [
        (p.relative_to(inbox).as_posix(), p)
        for p in sorted(q for q in inbox.rglob("*") if q.is_file())
        if not any(part.startswith(".") for part in p.relative_to(inbox).parts) and p.suffix.lower() in suffixes
    ]


def test_walk_selects_and_orders_files_as_rglob_did(tmp_path):
    inbox = tmp_path / "inbox"
    names = [
        "a/b.xml",
        "a-c.xml",
        "a/B.XML",
        "a/.hidden.xml",
        ".verborgen/x.xml",
        "a/c.xml.part",
        "a/d.tmp",
        "z.",
        ".xml",
        "a/sub/dieper/e.xml",
        "a/sub/e.Xml",
        "b.csv",
        "2025-05/JW323_1.xml",
        "2025-05-x.xml",
    ]
    for name in names:
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_text(name)
    expected = rglob_reference(inbox, (".xml",))
    # Symlinks are refused unread, wherever they point (once a symlink to a file counted, as is_file() says), and
    # so is a linked folder, which is not descended into
    (inbox / "link.xml").symlink_to(inbox / "a" / "b.xml")
    (inbox / "kapot.xml").symlink_to(inbox / "bestaat-niet.xml")
    (inbox / "map.xml").mkdir()
    (inbox / "gelinkt").symlink_to(inbox / "a", target_is_directory=True)
    new, seen = discover(inbox, (".xml",), set())
    assert seen == []
    assert [(d.relative, d.path) for d in new if not d.refused] == expected
    assert "a/B.XML" in [r for r, _ in expected] and len(expected) == 7
    assert [(d.relative, d.refused) for d in new if d.refused] == [
        ("gelinkt", "inbox_symlink"),
        ("kapot.xml", "inbox_symlink"),
        ("link.xml", "inbox_symlink"),
    ]


def test_folders_group_the_inbox_by_top_level_folder_in_path_order(tmp_path):
    for relative in ("2025-02/b.xml", "2025-01/x/a.xml", "2025-01/c.xml", "root.xml", ".hidden/d.xml"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(relative.encode())
    grouped = [
        (folder, ["/".join(parts) for parts, *_ in files]) for folder, files in discovery.folders(tmp_path, (".xml",))
    ]
    assert grouped == [
        ("2025-01", ["2025-01/c.xml", "2025-01/x/a.xml"]),
        ("2025-02", ["2025-02/b.xml"]),
        ("", ["root.xml"]),
    ]
    assert [(f, len(files)) for f, files in discovery.folders(tmp_path, (".xml",), min_files=3)] == [
        ("2025-01..2025-02", 3),
        ("", 1),
    ]


def test_recorded_stamps_and_hashes_can_be_asked_for_a_folder_only(warehouse, loaded, inbox):
    stamps = meta.recorded_stamps(warehouse, "ijw", within=(TOEWIJZING, "2025-03/elsewhere.xml"))
    assert [s[0] for s in stamps] == [TOEWIJZING]
    assert meta.recorded_stamps(warehouse, "ijw", within=("2025-04", "2025-05/")) == {}  # the declaratie is after
    assert [s[0] for s in meta.recorded_stamps(warehouse, "ijw", within=("2025-05/", "2025-05/~"))] == [DECLARATIE]
    assert meta.known_hashes(warehouse, among=[loaded[TOEWIJZING], "f" * 64]) == {loaded[TOEWIJZING]}
    assert meta.known_hashes(warehouse, among=[]) == set()


def test_discover_new_goes_folder_by_folder_and_finds_a_repeat_of_an_earlier_folder(
    warehouse, inbox, pseudonymise, hashed
):
    from jeugdmonitor.inbox import discover_new

    (inbox / "2025-06").mkdir()
    shutil.copy(inbox / DECLARATIE, inbox / "2025-06" / "JW323_again.xml")  # the same bytes, a month later
    run_id = meta.start_run(warehouse, "test")
    seen_per_folder = {}
    for folder, new, seen in discover_new(warehouse, inbox, (".xml",), "ijw", files_per_round=1):
        load_files(warehouse, run_id, new, pseudonymise)  # as the flow does: a folder loads before the next
        seen_per_folder[folder] = ([d.relative for d in new], [d.relative for d in seen])
    assert seen_per_folder == {
        "2025-03": ([TOEWIJZING], []),
        "2025-05": ([DECLARATIE], []),
        "2025-06": ([], ["2025-06/JW323_again.xml"]),
    }
    hashed.clear()
    again = {folder: (len(new), len(seen)) for folder, new, seen in discover_new(warehouse, inbox, (".xml",), "ijw")}
    assert again == {"2025-03..2025-06": (0, 3)}  # small folders are taken together
    assert hashed == ["JW323_again.xml"]  # recorded files are known by their stamp; the repeat was never recorded


def test_a_folder_bigger_than_a_round_is_split_in_load_order(warehouse, tmp_path):
    from jeugdmonitor.ijw.ingest import load_order
    from jeugdmonitor.inbox import discover_new

    names = ["JW323_a.xml", "JW301_b.xml", "JW305_c.xml", "JW315_d.xml", "JW301_e.xml"]
    for name in names:
        (tmp_path / "2025-05").mkdir(exist_ok=True)
        (tmp_path / "2025-05" / name).write_bytes(name.encode())
    rounds = [
        [d.relative.split("/")[1] for d in new]
        for _, new, _ in discover_new(warehouse, tmp_path, (".xml",), "ijw", files_per_round=2, order=load_order)
    ]
    assert rounds == [["JW315_d.xml", "JW301_b.xml"], ["JW301_e.xml", "JW305_c.xml"], ["JW323_a.xml"]]


def test_suffix_check_agrees_with_pathlib():
    from jeugdmonitor.discovery import _endings, _has_suffix

    names = [
        "a.xml",
        ".xml",
        "x.XML",
        "a.xml.part",
        "z.",
        "a.tmp",
        "b.csv",
        "a.b.xml",
        "xml",
        ".a.xml",
        "a..xml",
        "a.xml.",
        "axml",
        "a.tar.gz",
        ".tar.gz",
        "b.XLSX",
    ]
    for suffixes in [(".xml",), (".csv", ".xlsx"), (".tar.gz",), ("xml",), (".gz",)]:
        for name in names:
            assert _has_suffix(name, _endings(suffixes)) == (Path(name).suffix.lower() in suffixes), (name, suffixes)


def test_only_new_files_are_split_into_rounds_and_the_seen_come_with_the_first(warehouse, tmp_path, pseudonymise):
    from jeugdmonitor.ijw.ingest import load_order
    from jeugdmonitor.inbox import discover_new

    folder = tmp_path / "2025-05"
    folder.mkdir()
    for name in ["JW323_a.xml", "JW301_b.xml", "JW305_c.xml"]:
        (folder / name).write_bytes(name.encode())  # not iJw: refused, and recorded as such
    run_id = meta.start_run(warehouse, "test")
    for _, new, _ in discover_new(warehouse, tmp_path, (".xml",), "ijw", files_per_round=2, order=load_order):
        load_files(warehouse, run_id, new, pseudonymise)
    for name in ["JW315_d.xml", "JW301_e.xml", "JW307_f.xml"]:
        (folder / name).write_bytes(name.encode())
    rounds = [
        ([d.relative.split("/")[1] for d in new], len(seen))
        for _, new, seen in discover_new(
            warehouse, tmp_path, (".xml",), "ijw", files_per_round=2, order=load_order, hash_new=False
        )
    ]
    assert rounds == [(["JW315_d.xml", "JW301_e.xml"], 3), (["JW307_f.xml"], 0)]


def test_a_range_of_paths_is_taken_by_code_point(warehouse):
    """A folder's recorded files are read as a range of paths whose bounds discovery takes by code point: the
    column compares bytes whatever the database's collation (under a linguistic one "b" sorts before "C")."""
    from sqlalchemy import text

    run_id = meta.start_run(warehouse, "test")
    moment = datetime(2025, 5, 1, tzinfo=UTC)
    with warehouse.begin() as conn:
        meta.record_files(
            conn,
            run_id,
            [
                {
                    "sha256": f"{n:064x}",
                    "source": "ijw",
                    "path": path,
                    "size_bytes": 1,
                    "modified_at": moment,
                    "status": "loaded",
                }
                for n, path in enumerate(["2025-05/b.xml", "2025-05/C.xml", "2025-05/Z/x.xml"])
            ],
        )
    found = meta.recorded_stamps(warehouse, "ijw", within=("2025-05/A", "2025-05/Z"))
    assert [s[0] for s in found] == ["2025-05/C.xml"]
    if warehouse.dialect.name == "postgresql":
        with warehouse.connect() as conn:
            assert (
                conn.execute(
                    text(
                        "select collation_name from information_schema.columns where table_schema = current_schema() "
                        "and table_name = 'meta_source_file' and column_name = 'path'"
                    )
                ).scalar_one()
                == "C"
            )


def test_a_bsn_in_a_file_name_is_stored_hidden_and_the_file_is_still_known_by_it(
    warehouse, inbox, pseudonymise, hashed
):
    from jeugdmonitor.inbox import discover_new
    from tests.jgt_builder import bsn_for_test

    bsn, not_a_bsn = bsn_for_test(7), "123456780"  # 1·9+2·8+…+8·2−0 = 156, not a multiple of 11
    assert (
        discovery.recorded_name(("2025-05", f"JW323_{bsn}_{not_a_bsn}_1{bsn}.xml"))
        == f"2025-05/JW323_#########_{not_a_bsn}_1{bsn}.xml"
    )  # ten digits are no BSN
    named = inbox / "2025-05" / f"JW323_{bsn}.xml"
    (inbox / DECLARATIE).rename(named)
    run_id = meta.start_run(warehouse, "test")
    for _, new, _ in discover_new(warehouse, inbox, (".xml",), "ijw"):
        load_files(warehouse, run_id, new, pseudonymise)
    with warehouse.connect() as conn:
        paths = set(conn.exec_driver_sql("select path from meta_source_file").scalars())
    assert paths == {TOEWIJZING, "2025-05/JW323_#########.xml"}
    hashed.clear()
    again = [(len(new), len(seen)) for _, new, seen in discover_new(warehouse, inbox, (".xml",), "ijw")]
    assert again == [(0, 2)] and hashed == []  # known by its stored stamp, not read again
