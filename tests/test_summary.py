"""The run summary shows the warehouse URL to people (the CLI, the Prefect artifact): never its password, also not
one in the query string, which SQLAlchemy's hide_password leaves in place."""

from jeugdmonitor.summary import RunSummary

URL = "postgresql+psycopg://monitor:geheim@db:5432/wh?password=s3cret&sslmode=require"


def test_the_summary_masks_the_warehouse_password_wherever_it_is_rendered():
    summary = RunSummary("run-1", URL)
    rendered = [summary.render_text(), summary.render_markdown(), str(summary.to_dict())]
    for text in rendered:
        assert "geheim" not in text and "s3cret" not in text
    assert "postgresql+psycopg://monitor:***@db:5432/wh?password=***&sslmode=require" in rendered[1]


def test_the_closing_line_labels_every_figure_and_the_status():
    from jeugdmonitor.cbs.ingest import TableOutcome
    from jeugdmonitor.meta import FileResult

    summary = RunSummary("run-1", "sqlite:///wh.sqlite")
    summary.results += [
        FileResult("a.xml", "loaded", "JW323", rows_read=10, rows_loaded=8, rows_quarantined=2),
        FileResult("b.xml", "rejected", "JW323", rows_read=0),
        FileResult("c.xml", "skipped", "JW323"),
    ]
    summary.cbs = [
        TableOutcome("jeugdzorg", "85099NED", "loaded", "", retries=3),
        TableOutcome("bevolking", "03759ned", "failed", "CBS-tabel 03759ned kon niet worden geladen: …"),
    ]
    line = summary.closing_line()
    assert line.startswith("run run-1 with problems: files loaded 1, rejected 1, skipped 1, pending 0; ")
    assert "rows read 10, loaded 8, quarantined 2" in line
    assert "CBS tables failed 1, loaded 1, requests retried 3" in line
    assert summary.status == "with_problems" and summary.problem_message() == "CBS 03759ned: failed"
    text = summary.render_text()
    assert "CBS: 3 herhaalde verzoeken" in text and "FAILED: last good data in use" in text
    assert "kon niet worden geladen" in summary.render_markdown()


def test_a_failed_step_is_a_problem_of_the_run_and_is_printed():
    summary = RunSummary("run-2", "sqlite:///wh.sqlite")
    assert summary.status == "completed" and summary.problem_message() is None
    summary.problems.append("JGT: KeyError in jeugdmonitor.jgt.ingest:120")
    assert summary.status == "with_problems"
    assert summary.closing_line().endswith("; problems: JGT: KeyError in jeugdmonitor.jgt.ingest:120")
    assert "Stap mislukt" in summary.render_text() and "## Problemen" in summary.render_markdown()
    assert summary.to_dict()["status"] == "with_problems"
