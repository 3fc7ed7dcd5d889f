"""The jeugdmonitor command as a data engineer uses it (typer's test runner, no Prefect)."""

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jeugdmonitor.cli import app

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures" / "ijw"


def config_file(folder: Path, url: str) -> Path:
    path = folder / "jeugdmonitor.toml"
    path.write_text(
        f'[region]\nnaam = "T"\ngemeenten = ["GM0546"]\n[warehouse]\nurl = "{url}"\n'
        '[paths]\nijw_inbox = "inbox"\n[privacy]\nkey_file = "k.key"\ncreate_key_file = true\n'
    )
    return path


def test_help_names_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("generate", "run", "demo", "quarantine", "config", "db", "key"):
        assert command in result.output


def test_config_hides_the_database_password(tmp_path):
    config = config_file(tmp_path, "postgresql+psycopg://monitor:geheim@db/wh")
    result = runner.invoke(app, ["config", "--config", str(config)])
    assert result.exit_code == 0
    assert "geheim" not in result.output and "***" in result.output


def test_config_masks_secrets_in_query_strings_and_webhook_paths(tmp_path):
    config = config_file(tmp_path, "postgresql+psycopg://monitor:geheim@db/wh?password=s3cret&sslmode=require")
    config.write_text(
        config.read_text() + '[cbs]\nbase_url = "https://cbs.proxy.example/odata?api_key=k3y"\n'
        '[[alerts.ontvangers]]\nnaam = "Data"\nrol = "data"\n'
        'webhook = "https://x.webhook.office.com/webhookb2/t0ken?sig=s1gn"\n'
    )
    result = runner.invoke(app, ["config", "--config", str(config)])
    assert result.exit_code == 0
    for secret in ("geheim", "s3cret", "k3y", "t0ken", "s1gn"):
        assert secret not in result.output
    assert "postgresql+psycopg://monitor:***@db/wh?password=***&sslmode=require" in result.output
    assert "https://x.webhook.office.com/***" in result.output


@pytest.mark.postgres
def test_db_upgrade_masks_a_password_in_the_query_string(tmp_path, pg_url):
    result = runner.invoke(app, ["db", "upgrade", "--config", str(config_file(tmp_path, f"{pg_url}&password=s3cret"))])
    assert result.exit_code == 0, result.output
    assert "is at revision" in result.output and "password=***" in result.output and "s3cret" not in result.output


def test_missing_config_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["config", "--config", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2
    assert "configuration file not found" in result.output


def test_quarantine_lists_reasons_in_dutch_with_masked_values(tmp_path, pseudonymise):
    from jeugdmonitor import meta
    from jeugdmonitor.discovery import discover
    from jeugdmonitor.ijw.ingest import load_files
    from jeugdmonitor.warehouse import make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'wh.sqlite'}"
    (tmp_path / "inbox").mkdir()
    shutil.copy(FIXTURES / "jw301_snapshot.xml", tmp_path / "inbox" / "JW301_a.xml")
    shutil.copy(FIXTURES / "jw323_credit_correction.xml", tmp_path / "inbox" / "JW323_a.xml")
    engine = make_engine(url)
    upgrade(engine)
    new, _ = discover(tmp_path / "inbox", (".xml",), set())
    load_files(engine, meta.start_run(engine, "t"), new, pseudonymise)
    result = runner.invoke(app, ["quarantine", "--config", str(config_file(tmp_path, url))])
    assert result.exit_code == 0
    assert "bsn_invalid" in result.output and "elfproef" in result.output
    assert re.search(r"\[\d+\] JW323_a\.xml:99  bsn_invalid  \(#########\)", result.output), result.output
    assert "999900007" not in result.output


def test_key_new_writes_a_private_key_and_refuses_to_overwrite(tmp_path):
    path = tmp_path / "k.key"
    assert runner.invoke(app, ["key", "new", str(path)]).exit_code == 0
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    again = runner.invoke(app, ["key", "new", str(path)])
    assert again.exit_code == 2 and "refusing to overwrite" in again.output


def test_demo_without_a_config_writes_the_bundled_demo_config_here(tmp_path, monkeypatch):
    from jeugdmonitor.cli import _bundled_demo_config

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JEUGDMONITOR_CONFIG", raising=False)
    assert _bundled_demo_config() == tmp_path / "jeugdmonitor.toml"
    # the packaged copy is the demo config of the checkout: `jeugdmonitor demo` runs the same from a wheel
    demo = Path(__file__).parents[1] / "jeugdmonitor.toml"
    assert (tmp_path / "jeugdmonitor.toml").read_bytes() == demo.read_bytes()


def test_demo_keeps_a_config_it_finds_and_a_missing_one_named_in_the_environment(tmp_path, monkeypatch):
    from jeugdmonitor.cli import _bundled_demo_config

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JEUGDMONITOR_CONFIG", str(tmp_path / "elsewhere.toml"))
    assert _bundled_demo_config() is None and not (tmp_path / "jeugdmonitor.toml").exists()
    monkeypatch.delenv("JEUGDMONITOR_CONFIG")
    (tmp_path / "jeugdmonitor.toml").write_text("# mine\n")
    assert _bundled_demo_config() is None
    assert (tmp_path / "jeugdmonitor.toml").read_text() == "# mine\n"
