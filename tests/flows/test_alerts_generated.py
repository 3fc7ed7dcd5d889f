"""The planted defects of a generated world produce the expected alerts for the data engineers: every file
refused whole and every quarantine reason, with the counts from meta, over a real SMTP server; a second run sends
nothing; no BSN of the delivered files is in the e-mail."""

from __future__ import annotations

import re

from jeugdmonitor.flows.monitor import monitor
from jeugdmonitor.transforms.masking import masked
from sqlalchemy import text

from jeugdmonitor.warehouse import make_engine
from tests.alerts.servers import SmtpServer
from tests.flows.test_monitor_flow import write_config
from tests.flows.test_monitor_generated import world  # noqa: F401  (a module fixture)


def test_planted_defects_reach_the_data_engineers(world, tmp_path):  # noqa: F811
    url = f"sqlite:///{tmp_path / 'wh.sqlite'}"
    with SmtpServer() as smtp:
        config = write_config(world, url, gemeenten=("GM0638",))
        config.write_text(
            config.read_text()
            + f"""
[alerts]
enabled = true
jgt_export_dag = 0
declaratie_dag = 0
data_docs_dir = "{tmp_path / "docs"}"
[alerts.smtp]
host = "127.0.0.1"
port = {smtp.port}
starttls = false
sender = "monitor@regio.example"
[[alerts.ontvangers]]
naam = "Databeheer"
rol = "data"
gemeenten = "all"
email = "data@regio.example"
"""
        )
        first = monitor(str(config))
        assert first.alerts is not None and first.alerts.sent == 1, first.alerts
        (mail,) = smtp.messages
        body = mail.get_content()
        engine = make_engine(url)
        with engine.connect() as conn:
            rejected = conn.execute(text("select path from meta_source_file where status = 'rejected'")).scalars().all()
            reasons = {
                r: (n, reden)
                for r, reden, n in conn.execute(
                    text(
                        "select q.reason_code, min(q.reden), count(*) from meta_quarantine q join meta_source_file f "
                        "using (file_id) where f.status = 'loaded' group by q.reason_code"
                    )
                ).all()
            }
        engine.dispose()
        assert rejected and reasons
        for path in rejected:
            assert f"Het bestand {masked(path, 200)} (" in body and "in zijn geheel afgekeurd" in body, path
        for reason, (n, reden) in reasons.items():
            regels = f"{n} regel is" if n == 1 else f"{n} regels zijn"
            assert f"{regels} niet geladen (quarantaine): {reden}" in body, reason
        assert (tmp_path / "docs" / "index.html").exists(), "GX Data Docs are built"

        second = monitor(str(config))
        assert second.alerts.sent == 0 and len(smtp.messages) == 1

    bsns = {
        b.decode()
        for path in (world / "inbox" / "ijw").rglob("*.xml")
        for b in re.findall(rb"Bsn>(\d{8,9})<", path.read_bytes())
    }
    assert len(bsns) > 20 and not [b for b in bsns if b in body]
