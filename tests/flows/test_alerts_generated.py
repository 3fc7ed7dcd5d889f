"""The planted defects of a generated world produce the expected alerts for the data engineers: every file
refused whole and every quarantine reason, with the counts from meta, over a real SMTP server; a second run sends
nothing; no BSN of the delivered files is in the e-mail."""

from __future__ import annotations

import csv
import io
import json
import re

from jeugdmonitor.flows.monitor import monitor
from jeugdmonitor.transforms.alerts import render
from jeugdmonitor.transforms.masking import masked
from sqlalchemy import text

from jeugdmonitor.alerts.run import preview
from jeugdmonitor.config import load_settings
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
        body = mail.get_body(preferencelist=("plain",)).get_content()
        [attached] = list(mail.iter_attachments())
        table = list(csv.DictReader(io.StringIO(attached.get_content()), delimiter=";"))
        engine = make_engine(url)
        with engine.connect() as conn:
            rejected = conn.execute(text("select file_id, path from meta_source_file where status = 'rejected'")).all()
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
        # grouped per aanbieder and reason, not one item per file: every refused file is named (masked) with its
        # file_id in the attached list, and the lines in quarantine add up per reason
        assert body.count("   Hoe groot: ") < len(table)
        refused = " ".join(r["bewijs"] for r in table if r["regel"] == "bestand_afgekeurd")
        for file_id, path in rejected:
            assert masked(path, 200) in refused and re.search(rf"file_id in \(([0-9, ]+, )?{file_id}\b", refused)
        for reason, (n, _) in reasons.items():
            rows = [r for r in table if r["regel"] == "gx_fail" and f"reason_code = '{reason}'" in r["bewijs"]]
            assert sum(int(re.match(r"(\d+) regel", r["hoe_groot"]).group(1)) for r in rows) == n, reason
        assert (tmp_path / "docs" / "index.html").exists(), "GX Data Docs are built"

        second = monitor(str(config))
        assert second.alerts.sent == 0 and len(smtp.messages) == 1

    bsns = {
        b.decode()
        for path in (world / "inbox" / "ijw").rglob("*.xml")
        for b in re.findall(rb"Bsn>(\d{8,9})<", path.read_bytes())
    }
    assert len(bsns) > 20 and not [b for b in bsns if b in body]


PYTHON_VALUES = re.compile(r"\b(nan|NaN|None|NaT)\b|<[A-Za-z_.]+ object at|Timestamp\(|datetime\.|\(\)")
ROLES = {"data": "all", "contract": "all", "beleid": "all"}


def test_every_digest_of_the_generated_world_fits_its_channel_and_reads_as_plain_dutch(world, tmp_path):  # noqa: F811
    """Every role on every channel, the peildatum inside the data period (the most the rules find): each digest
    within its channel's limits, and not one nan, None, NaT or Python repr in anything a person reads."""
    url = f"sqlite:///{tmp_path / 'wh.sqlite'}"
    config = write_config(world, url, gemeenten=("GM0638",))
    recipients = "".join(
        f"""
[[alerts.ontvangers]]
naam = "{rol} {kind}"
rol = "{rol}"
gemeenten = "all"
{"email = " + chr(34) + rol + "@regio.example" + chr(34) if kind == "email" else ""}
{"webhook = " + chr(34) + "https://hooks.example/" + kind + chr(34) if kind != "email" else ""}
{"webhook_kind = " + chr(34) + kind + chr(34) if kind != "email" else ""}
"""
        for rol in ROLES
        for kind in ("email", "teams", "slack")
    )
    config.write_text(
        config.read_text()
        + f"""
[alerts]
enabled = false
peildatum = "2025-03-20"
data_docs_dir = "{tmp_path / "docs"}"
max_items = 25
{recipients}
"""
    )
    monitor(str(config))
    settings = load_settings(config)
    engine = make_engine(url)
    rendered, found = preview(engine, settings)
    engine.dispose()
    assert len(found) > 20 and {(r.digest.recipient.rol, r.digest.channel.kind) for r in rendered} >= {
        (rol, kind) for rol in ("data", "contract") for kind in ("email", "teams", "slack")
    }
    for r in rendered:
        kind = r.digest.channel.kind
        person_reads = [r.subject, r.body, r.html or "", r.attachment or ""]
        if r.payload is not None:
            person_reads.append(json.dumps(r.payload, ensure_ascii=False))
        for shown in person_reads:
            found_value = PYTHON_VALUES.search(shown)
            assert not found_value, (r.digest.recipient.naam, kind, shown[max(0, found_value.start() - 80) :][:200])
        assert r.body.count("\n   Hoe groot: ") <= 25
        if kind == "teams":
            assert render.payload_bytes(r.payload) <= 28 * 1024 and r.payload["type"] == "message"
        if kind == "slack":
            blocks = r.payload["blocks"]
            assert len(blocks) <= 50 and len(blocks[0]["text"]["text"]) <= 150
            assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
        if r.digest.recipient.rol == "beleid":
            assert "select " not in r.body  # the figure and the report page, not SQL
