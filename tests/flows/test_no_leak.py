"""Nothing a file carries reaches the warehouse, a log, an artifact, Data Docs, the quarantine command or an alert
unmasked (issue #18).

Valid BSNs, a birth date and a made-up secret are planted wherever a delivered file can carry them: a JGT export
whose first row is a data row, a row that lost or gained a cell (the BSN lands in the registratienummer), a date
cell that does not parse, a BSN in the gemeente column, the names of iJw and JGT files, and iJw element text (a
reference number, a timezone date, the Afzender, a tag name, a namespace). The real monitor flow loads them
into SQLite and sends its digests (e-mail, Teams, Slack); then every place people can read is searched for the
planted values, also with separators between their digits.

The secret is only planted in content that a reason might echo, not in code fields or file names: the masker
keeps letters (transforms/masking.py), so a word in a code field shows as the rejected value in the quarantine.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from jeugdmonitor.flows.monitor import monitor
from prefect.artifacts import Artifact
from sqlalchemy import inspect, select
from typer.testing import CliRunner

from jeugdmonitor.cli import app
from jeugdmonitor.warehouse import make_engine
from tests.alerts.servers import SmtpServer, WebhookServer
from tests.flows.test_monitor_flow import GOLDEN, JW301, write_config
from tests.jgt_builder import bsn_for_test

BSNS = [bsn_for_test(n) for n in range(100, 112)]  # valid (11-proef), none of them in a fixture
(
    IN_JW323_NAME,
    AS_REFERENTIE,
    IN_TAG,
    IN_JW301_NAME,
    IN_AFZENDER,
    IN_NAMESPACE,
    IN_HEADERLESS_ROW,
    IN_JGT_NAME,
    AS_REGISTRATIE_ID,
    IN_GEMEENTE,
    AS_DOSSIER_ID,
    IN_V2_NAME,
) = BSNS
SECRET = "ZwijgplichtGeheimQX"
BIRTH_DATE = re.compile(r"2011\D{0,3}0?4\D{0,3}0?3|0?3\D{0,3}0?4\D{0,3}2011")  # 2011-04-03, 03-04-2011, 20110403
V1_HEADER = (
    "Registratienummer;BSN;Geboortedatum;Gemeente;Team;Datum aanmelding;Bron aanmelding;Hulpvraag;"
    "Datum start hulp;Datum afsluiting;Uitkomst"
)
V2_HEADER = (
    "client_bsn;dossier_id;geb_datum;gemeentecode;wijkteam;aanmelddatum;aangemeld_door;categorie_hulpvraag;"
    "startdatum_hulp;einddatum;resultaat"
)
GOOD_BSN = bsn_for_test(120)


def leaks(text: str) -> list[str]:
    """The planted values found in `text`: a BSN also with up to three non-digits between its digits."""
    found = [bsn for bsn in BSNS if re.search(r"\D{0,3}".join(bsn), text)]
    found += [f"birth date {m.group(0)!r}" for m in BIRTH_DATE.finditer(text)]
    return found + ([SECRET] if SECRET.lower() in text.lower() else [])


def plant_ijw(inbox: Path) -> None:
    inbox.mkdir(parents=True)
    jw323 = GOLDEN.read_text()
    first_record = jw323.index("<ijw:ReferentieNummer>P2025-000412")
    begin = jw323.index("<ijw:Begindatum>2025-04-01</ijw:Begindatum>", first_record)
    jw323 = (
        jw323[:first_record]
        + jw323[first_record:begin].replace("P2025-000412", AS_REFERENTIE)
        + "<ijw:Begindatum>2011-04-03+01:00</ijw:Begindatum>"  # date_timezone: the record is quarantined
        + jw323[begin + len("<ijw:Begindatum>2025-04-01</ijw:Begindatum>") :]
    )
    (inbox / f"JW323_12345678_0546_{IN_JW323_NAME}_20110403.xml").write_text(jw323)
    jw301 = JW301.read_text().replace("2012-06-15", "2011-04-03")  # a Geboortedatum: only the year may be kept
    (inbox / "JW301_0546_12345678_T202503001.xml").write_text(jw301)
    (inbox / f"JW301_0546_12345678_{IN_JW301_NAME}.xml").write_text(
        jw301.replace("</jw301:Bsn>", f"</jw301:{SECRET}{IN_TAG}>")
    )  # libxml2 quotes a mismatched tag
    (inbox / "JW301_kop.xml").write_text(
        jw301.replace(
            "<jw301:Afzender>0546</jw301:Afzender>", f"<jw301:Afzender>{SECRET}{IN_AFZENDER}</jw301:Afzender>"
        )
    )
    (inbox / "vreemd.xml").write_text(f'<?xml version="1.0"?><Bericht xmlns="urn:{SECRET}:{IN_NAMESPACE}"/>')


def plant_jgt(inbox: Path) -> None:
    inbox.mkdir(parents=True)
    headerless = f"R-9;{IN_HEADERLESS_ROW};03-04-2011;Leiden;JGT Leiden Noord;03-01-2025;{SECRET};Opvoeding;;;\n"
    (inbox / f"export_{IN_JGT_NAME}.csv").write_text(headerless, encoding="utf-8")
    v1 = [
        V1_HEADER,
        f"R-1;{GOOD_BSN};01-02-2015;Leiden;JGT Leiden Noord;03-01-2025;School;Opvoeding;;;",
        f"{AS_REGISTRATIE_ID};03-04-2011;Leiden;JGT Leiden Noord;03-01-2025;School;Opvoeding;;;",  # lost a cell
        f"R-3;{GOOD_BSN};03-04-2011 99:99;Leiden;JGT Leiden Noord;03-01-2025;School;Opvoeding;;;",  # no such time
        f"R-4;{GOOD_BSN};01-02-2015;{IN_GEMEENTE};JGT Leiden Noord;03-01-2025;School;Opvoeding;;;",
    ]
    (inbox / "LeidenNoord_2025-01.csv").write_text("\n".join(v1) + "\n", encoding="utf-8")
    v2 = [
        V2_HEADER,
        f"x;{AS_DOSSIER_ID};{AS_DOSSIER_ID};03-04-2011;0546;LDN;06-01-2025 10:00;zelf;overig;"
        "07-01-2025;08-01-2025;afgesloten",
    ]  # one cell too many: the BSN is in dossier_id
    (inbox / f"v2_{IN_V2_NAME}.csv").write_text("\n".join(v2) + "\n", encoding="utf-8")


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def logs():
    handler = Collect()
    loggers = [logging.getLogger(), logging.getLogger("prefect")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


def warehouse_texts(url: str) -> dict[str, str]:
    """Every value of every table, as text, by table.column; meta_source_file.path apart: see its assert."""
    engine = make_engine(url)
    out: dict[str, str] = {}
    try:
        with engine.connect() as conn:
            for name in inspect(conn).get_table_names():
                table = inspect(conn).get_columns(name)
                rows = conn.exec_driver_sql(f'select * from "{name}"').all()
                for i, column in enumerate(table):
                    if (name, column["name"]) != ("meta_source_file", "path"):
                        out[f"{name}.{column['name']}"] = "\n".join(str(r[i]) for r in rows if r[i] is not None)
            out["paths"] = "\n".join(conn.exec_driver_sql("select path from meta_source_file").scalars())
    finally:
        engine.dispose()
    return out


def test_nothing_planted_in_files_is_shown_anywhere(tmp_path, logs, capsys):
    plant_ijw(tmp_path / "inbox" / "ijw")
    plant_jgt(tmp_path / "inbox" / "jgt")
    url = f"sqlite:///{tmp_path / 'wh.sqlite'}"
    docs = tmp_path / "docs"
    with SmtpServer() as smtp, WebhookServer() as hooks:
        config = write_config(tmp_path, url, gemeenten=("GM0546",))
        config.write_text(
            config.read_text()
            + f"""
[alerts]
enabled = true
jgt_export_dag = 0
declaratie_dag = 0
peildatum = "2025-05-20"
data_docs_dir = "{docs}"
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
webhook = "{hooks.url}/slack/T000/token"
webhook_kind = "slack"
[[alerts.ontvangers]]
naam = "Datateam"
rol = "data"
gemeenten = "all"
webhook = "{hooks.url}/teams/token"
webhook_kind = "teams"
"""
        )
        summary = monitor(str(config))
        # every part a person may open: the text, the HTML and the attached CSV
        mails = [
            "".join(str(p.get_content()) for p in m.walk() if not p.is_multipart()) + str(m["Subject"])
            for m in smtp.messages
        ]
        posts = [str(body) for _, body in hooks.posts]

    texts = warehouse_texts(url)
    paths = texts.pop("paths")
    # the planting worked: files were refused, lines quarantined, digests sent; the scan finds what it looks for
    assert {
        "layout_unknown",
        "not_well_formed",
        "header_invalid",
        "unknown_message",
        "row_malformed",
        "bsn_invalid",
        "jgt_date_invalid",
        "gemeente_unknown",
        "date_timezone",
    } <= set(summary.reasons())
    assert mails and len(posts) == 2 and (docs / "index.html").exists()
    # meta_source_file.path keeps a file's name for discovery to know it again, with BSN-like runs hidden
    # (discovery.recorded_name); other digits, such as the date in the JW323 name, stay (docs/privacy.md)
    assert [bsn for bsn in BSNS if bsn in paths] == [] and "#########" in paths and "20110403" in paths

    runner = CliRunner()
    quarantine = runner.invoke(app, ["quarantine", "--config", str(config), "--limit", "100"])
    # without recipients the preview lists every alert (with them it shows only what was not told yet: nothing)
    config.write_text(config.read_text().split("[[alerts.ontvangers]]")[0])
    preview = runner.invoke(app, ["alerts", "preview", "--config", str(config)])
    assert quarantine.exit_code == preview.exit_code == 0, quarantine.output + preview.output
    assert "gemeente_unknown" in quarantine.output and "Het bestand" in preview.output

    shown = {
        **texts,
        "logs": "\n".join(logs.lines),
        "output": "\n".join(capsys.readouterr()),
        "summary": f"{summary.render_text()}\n{summary.render_markdown()}\n{summary.to_dict()}",
        "artifacts": "\n".join(
            str(Artifact.get(key).data)
            for key in ("jeugdmonitor-run-summary", "jeugdmonitor-quarantine", "jeugdmonitor-run-figures")
        ),
        "data docs": "\n".join(p.read_text(errors="replace") for p in docs.rglob("*") if p.is_file()),
        "quarantine command": quarantine.output,
        "alerts preview": preview.output,
        "e-mails": "\n".join(mails),
        "webhook payloads": "\n".join(posts),
    }
    found = {where: leaks(text) for where, text in shown.items() if leaks(text)}
    assert not found, found
    with make_engine(url).connect() as conn:  # the masked forms are there instead
        from jeugdmonitor.schemas.warehouse import meta_quarantine

        keys = set(conn.execute(select(meta_quarantine.c.record_key)).scalars())
    assert "#########" in keys
