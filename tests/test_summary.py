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
