"""The run's file tally: counts instead of a result per file, and a bounded list of the files worth showing."""

from jeugdmonitor.meta import FileResult, FileTally


def results():
    return [
        FileResult(
            "a.xml",
            "loaded",
            "JW323",
            rows_read=5,
            rows_loaded=4,
            rows_quarantined=1,
            reasons={"bsn_invalid": 1},
            warnings={"tarief": 2},
        ),
        FileResult("b.xml", "loaded", "JW301", rows_read=3, rows_loaded=3),
        FileResult("c.xml", "rejected", None, reasons={"not_well_formed": 1}),
        FileResult("d.xml", "skipped"),
        FileResult("e.xml", "pending", "JW317"),
    ]


def test_the_tally_adds_up_what_the_results_say():
    tally = FileTally().add(results())
    assert tally.files == {"loaded": 2, "rejected": 1, "skipped": 1, "pending": 1}
    assert tally.seen == 5
    assert (tally.rows_read, tally.rows_loaded, tally.rows_quarantined) == (8, 7, 1)
    assert tally.reasons == {"bsn_invalid": 1, "not_well_formed": 1}
    assert tally.warnings == {"tarief": 2}
    assert tally.pending_types == {"JW317": 1}
    assert [r.path for r in tally.shown] == ["a.xml", "c.xml"]  # quarantined rows, or rejected whole


def test_only_the_first_files_worth_showing_are_kept():
    tally = FileTally(shown_max=3)
    for i in range(10):
        tally += [FileResult(f"{i}.xml", "rejected", reasons={"empty_file": 1})]
    assert tally.files["rejected"] == 10 and tally.reasons["empty_file"] == 10
    assert [r.path for r in tally.shown] == ["0.xml", "1.xml", "2.xml"]


def test_tallies_merge():
    first, second = FileTally().add(results()[:2]), FileTally().add(results()[2:])
    first += second
    assert first.files == FileTally().add(results()).files
    assert first.rows_read == 8 and first.reasons == {"bsn_invalid": 1, "not_well_formed": 1}
    assert [r.path for r in first.shown] == ["a.xml", "c.xml"]


def test_files_seen_before_can_be_counted_without_a_result_each():
    tally = FileTally().add(results()).add_skipped(1_000_000)
    assert tally.files["skipped"] == 1_000_001 and tally.seen == 1_000_005
    assert tally.rows_read == 8 and [r.path for r in tally.shown] == ["a.xml", "c.xml"]
